/* The kernel timed alone, without Python: every backend this CPU runs on each
 * unit width, counting "is" on 1 M characters of the Zen of Python (the seed
 * text; a 2- and a 4-byte form made by one last wide character), beside one
 * memchr pass over each form's bytes: the roof of the form's rate, since no
 * count reads its text faster (the 4-byte form's 4 MB come from L3). Best
 * of 50, in G characters a second; the backends' counts must agree. RULE:
 * "lines" (sep=" ", the default), "spaces" (sep=None, a str's whitespace),
 * "bytes" (sep=None, bytes' whitespace, for the 1-byte form; the wide ones
 * by a str's) or "folded" (sep=" ", A-Z as a-z). With --text, the first 1 M
 * bytes of FILE (repeated if it is shorter), its bytes as the units of each
 * form.
 *
 *     gcc -O3 -std=c11 -falign-loops=32 -falign-functions=64 -Icsrc \
 *         benchmarks/kernel_timing.c csrc/kernel.c csrc/kernel_scalar.c csrc/kernel_sse2.c \
 *         csrc/kernel_ssse3.c csrc/kernel_avx2.c csrc/kernel_avx512.c \
 *         csrc/kernel_avx512vbmi.c csrc/kernel_neon.c csrc/pool.c csrc/fault.c -lpthread \
 *         -o /tmp/kernel_timing
 *     /tmp/kernel_timing [--text FILE] [NEEDLE [RULE]]
 *     /tmp/kernel_timing --needles     (needles of 2-62 units, a hit every fifth word)
 *     /tmp/kernel_timing --verified    (needles of a unit from 0xFF: each candidate whole)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static volatile size_t sink;

/* The best of 50 counts of q by `backend`, in G units a second. */
static double rate(const wc_backend *backend, const wc_query *q, size_t *count)
{
    double best = 1e30;
    for (int run = 0; run < 50; run++) {
        double start = now();
        *count = wc_count_words(backend, q, 1, (size_t)-1);
        double seconds = now() - start;
        best = seconds < best ? seconds : best;
    }
    return (double)q->text_len / best / 1e9;
}

/* One memchr pass over the bytes of a text, for a byte none of the texts
 * holds (the wide forms hold zero bytes), in G bytes a second. */
static double memchr_rate(const char *text, size_t len)
{
    double best = 1e30;
    for (int run = 0; run < 50; run++) {
        double start = now();
        sink = (size_t)memchr(text, 0xFE, len);
        double seconds = now() - start;
        best = seconds < best ? seconds : best;
    }
    return (double)len / best / 1e9;
}

/* `--needles`: needles of 2 to 62 units, each the word of every fifth
 * word of 1 M bytes whose other words differ from it in their last unit
 * alone; each length's rate against the 2-unit needle's, per backend. */
static int needle_lengths(void)
{
    static const size_t lengths[] = {2, 3, 4, 5, 6, 7, 8, 16, 32, 62};
    const size_t len = 1 << 20;
    const wc_backend *all[8];
    size_t n = wc_backends_available(all, 8);
    char *text = malloc(len), needle[64];
    for (size_t b = 0; b < n; b++) {
        printf("%-10s", all[b]->name);
        double two = 0;
        for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
            const size_t m = lengths[l];
            memset(needle, 'b', m);
            needle[0] = 'a';
            needle[m - 1] = 'c';
            size_t filled = 0, word = 0, hits = 0;
            while (filled + m + 1 <= len) {
                memcpy(text + filled, needle, m);
                if (word % 5)
                    text[filled + m - 1] = (char)('d' + word % 5);
                else
                    hits++;
                text[filled + m] = ' ';
                filled += m + 1, word++;
            }
            memset(text + filled, ' ', len - filled);
            const wc_query q = {text, len, needle, m, 1, &WC_RULE_LINES};
            size_t count;
            double r = rate(all[b], &q, &count);
            if (count != hits) {
                fprintf(stderr, "kernel_timing: %s counts %zu of %zu\n", all[b]->name, count, hits);
                return 1;
            }
            two = m == 2 ? r : two;
            printf("  %zu: %5.2f (%.2fx)", m, r, r / two);
        }
        printf(" G chars/s\n");
    }
    free(text);
    return 0;
}

static const char ZEN[] = "Beautiful is better than ugly.\nExplicit is better than implicit.\n"
                         "Simple is better than complex.\nComplex is better than complicated.\n"
                         "Flat is better than nested.\nSparse is better than dense.\n"
                         "Readability counts.\n";

/* `source` (of `sl` bytes; the Zen of Python where NULL) repeated to len
 * units in each form: the 2- and 4-byte ones made so by one last wide
 * character. */
static void source_texts(const char *source, size_t sl, size_t len, char **t1, uint16_t **t2,
                         uint32_t **t4)
{
    if (!source)
        source = ZEN, sl = strlen(ZEN);
    *t1 = malloc(len), *t2 = malloc(len * 2), *t4 = malloc(len * 4);
    for (size_t i = 0; i < len; i++)
        (*t1)[i] = source[i % sl], (*t2)[i] = (unsigned char)source[i % sl],
        (*t4)[i] = (unsigned char)source[i % sl];
    (*t2)[len - 1] = 0x101;     /* what makes a str 2-byte */
    (*t4)[len - 1] = 0x1f600;   /* and 4-byte */
}

/* `--verified`: a needle holding a unit the narrowing does not keep
 * ("bett\u2019r" in the 2-byte text, "bett\U0001F600r" in the 4-byte one:
 * every "better" a candidate compared whole) beside "is" in each form, as
 * rates of the 1-byte form's "is". */
static int verified_needles(void)
{
    const size_t len = 1 << 20;
    char *t1;
    uint16_t *t2;
    uint32_t *t4;
    source_texts(NULL, 0, len, &t1, &t2, &t4);
    const uint16_t is2[] = {'i', 's'}, apostrophe[] = {'b', 'e', 't', 't', 0x2019, 'r'};
    const uint32_t is4[] = {'i', 's'}, emoji[] = {'b', 'e', 't', 't', 0x1f600, 'r'};
    const wc_query queries[5] = {
        {t1, len, "is", 2, 1, &WC_RULE_LINES}, {t2, len, is2, 2, 2, &WC_RULE_LINES},
        {t2, len, apostrophe, 6, 2, &WC_RULE_LINES}, {t4, len, is4, 2, 4, &WC_RULE_LINES},
        {t4, len, emoji, 6, 4, &WC_RULE_LINES}};
    const wc_backend *all[8];
    size_t n = wc_backends_available(all, 8), counts[5];
    int status = 0;
    for (size_t b = 0; b < n; b++) {
        double r[5];
        for (int k = 0; k < 5; k++) {
            size_t count;
            r[k] = rate(all[b], &queries[k], &count);
            if (b == 0)
                counts[k] = count;
            else if (count != counts[k])
                status = 1;
        }
        printf("%-10s 1-byte is %6.2f  2-byte is %.2fx, bett\u2019r %.2fx  "
               "4-byte is %.2fx, bett\U0001F600r %.2fx (of 1-byte is)\n",
               all[b]->name, r[0], r[1] / r[0], r[2] / r[0], r[3] / r[0], r[4] / r[0]);
    }
    free(t1), free(t2), free(t4);
    if (status)
        fprintf(stderr, "kernel_timing: the counts disagree\n");
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--needles") == 0)
        return needle_lengths();
    if (argc > 1 && strcmp(argv[1], "--verified") == 0)
        return verified_needles();
    const size_t len = 1 << 20;
    char *source = NULL;
    size_t sl = 0;
    if (argc > 2 && strcmp(argv[1], "--text") == 0) {
        FILE *file = fopen(argv[2], "rb");
        source = malloc(len);
        sl = file ? fread(source, 1, len, file) : 0;
        if (!file || sl == 0) {
            fprintf(stderr, "kernel_timing: cannot read %s\n", argv[2]);
            return 2;
        }
        fclose(file);
        argc -= 2, argv += 2;
    }
    const char *word = argc > 1 ? argv[1] : "is";
    const char *rule_name = argc > 2 ? argv[2] : "lines";
    const wc_rule folded = {WC_LINES, false, false, {' ', ' '}, true};
    const wc_rule *rule = strcmp(rule_name, "spaces") == 0 ? &WC_RULE_STR_SPACES
                        : strcmp(rule_name, "bytes") == 0 ? &WC_RULE_BYTES_SPACES
                        : strcmp(rule_name, "folded") == 0 ? &folded : &WC_RULE_LINES;
    const size_t m = strlen(word);
    /* (a folded query's needle comes lowered, as the Python front lowers it) */
    char *lowered = malloc(m + 1);
    for (size_t j = 0; j <= m; j++)
        lowered[j] = rule->fold_ascii && word[j] >= 'A' && word[j] <= 'Z' ? word[j] + 32 : word[j];
    word = lowered;
    char *t1;
    uint16_t *t2, *n2 = malloc(m * 2 + 2);
    uint32_t *t4, *n4 = malloc(m * 4 + 4);
    source_texts(source, sl, len, &t1, &t2, &t4);
    for (size_t j = 0; j < m; j++)
        n2[j] = (unsigned char)word[j], n4[j] = (unsigned char)word[j];
    /* (Folding is the kernel's for 1-byte texts only: the wide forms are
     * timed unfolded beside it.) */
    const wc_rule *wide_rule = rule->fold_ascii ? &WC_RULE_LINES
                             : rule == &WC_RULE_BYTES_SPACES ? &WC_RULE_STR_SPACES : rule;
    const wc_query queries[3] = {{t1, len, word, m, 1, rule}, {t2, len, n2, m, 2, wide_rule},
                                 {t4, len, n4, m, 4, wide_rule}};

    const wc_backend *all[8];
    size_t n = wc_backends_available(all, 8), first_counts[3];
    int status = 0;
    printf("memchr: %.2f G bytes/s; over the 2- and 4-byte forms, %.2f and %.2f G chars/s\n",
           memchr_rate(t1, len), memchr_rate((const char *)t2, 2 * len) / 2,
           memchr_rate((const char *)t4, 4 * len) / 4);
    for (size_t b = 0; b < n; b++) {
        double r[3];
        for (int f = 0; f < 3; f++) {
            size_t count;
            r[f] = rate(all[b], &queries[f], &count);
            /* (folded, the wide forms' counts are unfolded ones) */
            const int like = rule->fold_ascii ? f : 0;
            if (b == 0 && f == like)
                first_counts[f] = count;
            else if (count != first_counts[like])
                status = 1;
        }
        printf("%-10s 1-byte %6.2f  2-byte %6.2f (%.2fx)  4-byte %6.2f (%.2fx) G chars/s\n",
               all[b]->name, r[0], r[1], r[1] / r[0], r[2], r[2] / r[0]);
    }
    if (status)
        fprintf(stderr, "kernel_timing: the counts disagree\n");
    return status;
}
