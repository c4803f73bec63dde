/* Every backend this CPU runs against the scalar one and the naive reference
 * (reference.h), under every rule (sep=" " and sep=None, for bytes, a str
 * and the bytes of a str in latin-1, cp1252 and UTF-8; folded or not), on
 * every text length from 0 to 300 and more sparsely to 1100, and every
 * needle length from 0 to 70 (two
 * kinds: "ab" and a wide unit; and one led by a unit that the wide forms'
 * narrowing does not keep), in each unit width, on 1 and 3 threads, text and
 * needle each ending where an unreadable page begins: the C twin of
 * tests/test_backends.py and of the guard-page tests, for targets Python's
 * tests cannot reach (nox -s neon runs it on AArch64 under qemu, nox -s
 * avx512 with AVX-512 emulated); and the word tables of counts on the same
 * texts, in chunks of 1 to 5 bytes, also through a folded search's word
 * filter from a text right after an unreadable page. Exits 1 at the first
 * disagreement.
 */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel.h"
#include "reference.h"
#include "tally_check.h"

/* A few units that texts are made of besides the needle: separators of
 * every rule, and what looks like them. */
typedef struct {
    size_t n;
    uint32_t units[4];
} piece;

static const piece pieces[] = {
    {1, {' '}}, {1, {'\n'}}, {2, {'\r', '\n'}}, {1, {'\r'}}, {2, {' ', ' '}}, {2, {'a', 'b'}},
    {1, {'b'}}, {1, {'a'}}, {4, {'a', 'b', 'c', '\r'}}, {2, {'A', 'B'}}, {1, {'\t'}},
    {1, {'\v'}}, {1, {'\f'}}, {1, {0x1C}}, {1, {0x1F}}, {1, {0x85}}, {1, {0xA0}},
    {2, {0xC2, 0xA0}}, {2, {0xC2, 0x85}}, {3, {0xE3, 0x80, 0x80}}, {3, {0xE2, 0x80, 0x8A}},
    {3, {0xE2, 0x80, 0x8B}}, {3, {0xE2, 0x81, 0x9F}}, {2, {0xE2, 0x80}}, {1, {0xC2}},
};

/* Wide units: the ones that the vector backends' narrowing maps to one byte,
 * 0 or 0xFF, beside the needle's units (cut to the width); whitespace of
 * str.isspace from U+0100 on with its neighbours; and units of one low byte
 * on two pages of 256 (the word tables key a word of page 0 and one other
 * by its low bytes, which of them lie on that page, and the page). */
static const uint32_t colliders[] = {0x00, 0xFF, 0x100, 0x17F, 0x7FFF, 0x8000, 0xFFFF,
                                     0x1F600, 0x10FFFF, 0x1680, 0x2000, 0x200A, 0x200B,
                                     0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x1FFF,
                                     0x3001, 0x430, 0x431, 0x530, 0x7F30};

#define NPIECES (sizeof pieces / sizeof pieces[0])
#define NCOLLIDERS (sizeof colliders / sizeof colliders[0])

static void put(uint8_t *text, size_t *i, size_t len, unsigned w, uint32_t u)
{
    if (*i < len)
        memcpy(text + (*i)++ * w, &u, w);   /* the low w bytes (little-endian) */
}

/* Fills `len` units of width `w` with needles (some in capitals), near
 * misses, separators and, in the wide forms, colliders; `needle` recurs so
 * that matches fall on every lane and at the very end. */
static void fill(uint8_t *text, size_t len, unsigned w, const uint8_t *needle, size_t m,
                 unsigned seed)
{
    size_t i = 0;
    for (unsigned k = seed; i < len; k = k * 1103515245u + 12345u) {
        unsigned pick = (k >> 16) % (w == 1 ? 16 : 18);
        if (pick < 4) {  /* the needle, all of it but its last unit, or in capitals */
            size_t n = pick == 3 && m ? m - 1 : m;
            for (size_t j = 0; j < n; j++) {
                uint32_t u = unit_at(needle, j, w);
                put(text, &i, len, w, pick == 2 && u >= 'a' && u <= 'z' ? u - 32 : u);
            }
        } else if (pick >= 16) {
            put(text, &i, len, w, colliders[(k >> 8) % NCOLLIDERS]);
        } else {
            const piece *p = &pieces[(k >> 4) % NPIECES];
            for (size_t j = 0; j < p->n; j++)
                put(text, &i, len, w, p->units[j]);
        }
    }
}

/* The end of a region whose next page cannot be read: what is copied to end
 * there makes any read past its end a segmentation fault, in every width
 * (tests/test_stress.py does the same for bytes from Python). */
static uint8_t *guarded_end(size_t bytes)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE),
                 size = (bytes + page - 1) / page * page;
    uint8_t *region = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED || mprotect(region + size, page, PROT_NONE) != 0) {
        perror("check_backends: guard page");
        exit(2);
    }
    return region + size;
}

/* The start of a region whose page before cannot be read. */
static uint8_t *guarded_start(size_t bytes)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE),
                 size = (bytes + page - 1) / page * page;
    uint8_t *region = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED || mprotect(region, page, PROT_NONE) != 0) {
        perror("check_backends: guard page");
        exit(2);
    }
    return region + page;
}

/* Every length up to 300 units is tried, and from there one in 11 up to
 * this: the paired scan takes blocks in groups past 400 units. */
#define MAX_LEN 1100

/* Each rule in the widths it is used in (rule.h). */
static const struct {
    const char *name;
    unsigned w;
    wc_rule rule;
} configs[] = {
    {"sep=' '", 1, {WC_LINES, false, false, {' ', ' '}, false}},
    {"sep=' ', folded", 1, {WC_LINES, false, false, {' ', ' '}, true}},
    {"sep=None, bytes", 1, {WC_SPACES, false, false, {' ', ' '}, false}},
    {"sep=None, bytes, folded", 1, {WC_SPACES, false, false, {' ', ' '}, true}},
    {"sep=None, str", 1, {WC_SPACES, true, false, {0x85, 0xA0}, false}},
    {"sep=None, str, folded", 1, {WC_SPACES, true, false, {0x85, 0xA0}, true}},
    {"sep=None, cp1252", 1, {WC_SPACES, true, false, {0xA0, ' '}, false}},
    {"sep=None, utf-8", 1, {WC_SPACES, true, true, {' ', ' '}, false}},
    {"sep=' '", 2, {WC_LINES, false, false, {' ', ' '}, false}},
    {"sep=None, str", 2, {WC_SPACES, true, false, {0x85, 0xA0}, false}},
    {"sep=' '", 4, {WC_LINES, false, false, {' ', ' '}, false}},
    {"sep=None, str", 4, {WC_SPACES, true, false, {0x85, 0xA0}, false}},
};

/* n units of width w at `out` from the bytes of s. */
static void widen(uint8_t *out, const char *s, size_t n, unsigned w)
{
    for (size_t j = 0; j < n; j++) {
        uint32_t u = (uint8_t)s[j];
        memcpy(out + j * w, &u, w);   /* little-endian */
    }
}

/* The first backend whose count of the needle's words in the text is not
 * the reference's, or NULL; that count and the reference's in *got and
 * *expected. */
static const char *first_disagreeing(const wc_backend *const *all, size_t nbackends,
                                     const uint8_t *text, size_t len, const uint8_t *needle,
                                     size_t m, unsigned w, const wc_rule *rule, size_t *checks,
                                     size_t *got, size_t *expected)
{
    const wc_query q = {text, len, needle, m, w, rule};
    *expected = reference_count(text, len, needle, m, w, rule);
    for (size_t b = 0; b < nbackends; b++) {
        *got = wc_count_words(all[b], &q, 1, 0);
        (*checks)++;
        if (*got != *expected)
            return all[b]->name;
    }
    return NULL;
}

/* Texts of common words whose one rare unit stands at every place in turn,
 * in each width, under the rules it is rare for: a str's sep=None with one
 * unit its whitespace has beyond bytes' (\x1c-\x1f, 0x85, 0xA0, or any from
 * 0x80; in the wide forms also its whitespace from U+0100 and a unit that
 * narrows to 0xFF like it), where the scans take bytes' separators for the
 * blocks with none on either side, or look for wide whitespace only in
 * groups of blocks with a unit narrowed to 0xFF, and must not miss the
 * blocks beside them; and sep=" " with one "\r" (a "\r\n" where it comes
 * before a "\n"), which the paired scan looks for in groups of blocks and
 * must find in each, on either side of a block's edge. Long enough for several groups. */
static int check_one_rare_unit(const wc_backend *const *all, size_t nbackends, size_t *checks)
{
    static const uint32_t str_rares[] = {0x1C, 0x1F, 0x85, 0xA0, 0x80, 0xE9, 0x1680, 0x3000,
                                         0x2028, 0x100, 0x1F600, 0},
                          cr[] = {'\r', 0};
    static const struct {
        wc_rule rule;
        const uint32_t *rares;
        unsigned widths;   /* bit w for each width */
    } cases[] = {
        {{WC_SPACES, true, false, {0x85, 0xA0}, false}, str_rares, 2 | 4 | 16},
        {{WC_SPACES, true, false, {0x85, 0xA0}, true}, str_rares, 2},
        {{WC_SPACES, true, false, {0xA0, ' '}, false}, str_rares, 2},
        {{WC_LINES, false, false, {' ', ' '}, false}, cr, 2 | 4 | 16},
        {{WC_LINES, false, false, {' ', ' '}, true}, cr, 2},
    };
    static const char *const needles[] = {"ab", "a", "abc", "abcd", "abcdefghij", "x"};
    enum { LEN = 1100 };
    uint8_t *const end = guarded_end(LEN * 4);
    uint8_t needle[16 * 4];
    for (size_t r = 0; r < sizeof cases / sizeof cases[0]; r++)
    for (unsigned w = 1; w <= 4; w *= 2)
    for (size_t n = 0; n < sizeof needles / sizeof needles[0]; n++)
    for (const uint32_t *rare = cases[r].rares; *rare; rare++)
    for (size_t at = 0; at < LEN; at++) {
        const wc_rule *rule = &cases[r].rule;
        if (!(cases[r].widths >> w & 1) || (w < 4 && *rare >> (8 * w) != 0))
            continue;
        const size_t m = strlen(needles[n]);
        uint8_t *text = end - LEN * w;
        /* "ab abcd abc a abcdefghij x\nab ..." with the rare unit put in at
         * `at` (so that a "\r" makes "x\r\n" too) */
        for (size_t i = 0; i < LEN; i++) {
            uint32_t u = (uint8_t)"ab abcd abc a abcdefghij x\n"[(i - (i > at)) % 27];
            memcpy(text + i * w, i == at ? rare : &u, w);   /* little-endian */
        }
        widen(needle, needles[n], m, w);
        size_t got, expected;
        const char *backend = first_disagreeing(all, nbackends, text, LEN, needle, m, w, rule,
                                                checks, &got, &expected);
        if (backend) {
            fprintf(stderr, "%s: case %zu, width %u, needle %s, rare unit 0x%x at %zu: %zu, "
                    "reference %zu\n", backend, r, w, needles[n], *rare, at, got, expected);
            return 1;
        }
    }
    return 0;
}

/* Texts of short lines ended by "\r\n" (and a lone "\r"), in each width and
 * at every alignment: a word ends before the "\r" of a "\r\n", which may be
 * a block's last unit and its "\n" the next block's first. */
static int check_crlf_at_every_edge(const wc_backend *const *all, size_t nbackends,
                                    size_t *checks)
{
    static const char *const lines[] = {"x\r\n", "ab x\r\n", "x\r\nab x\r\r\n", "x \r\n"};
    static const char *const needles[] = {"x", "ab"};
    const wc_rule *rule = &WC_RULE_LINES;
    enum { LEN = 1100 };
    uint8_t *const end = guarded_end(LEN * 4);
    uint8_t needle[2 * 4];
    for (unsigned w = 1; w <= 4; w *= 2)
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++)
    for (size_t n = 0; n < sizeof needles / sizeof needles[0]; n++)
    for (size_t len = LEN - 64; len < LEN; len++) {
        const size_t m = strlen(needles[n]), period = strlen(lines[l]);
        uint8_t *text = end - len * w;
        for (size_t i = 0; i < len; i += period)
            widen(text + i * w, lines[l], len - i < period ? len - i : period, w);
        widen(needle, needles[n], m, w);
        size_t got, expected;
        const char *backend = first_disagreeing(all, nbackends, text, len, needle, m, w, rule,
                                                checks, &got, &expected);
        if (backend) {
            fprintf(stderr, "%s: width %u, lines of %s, needle %s, text %zu units: %zu, "
                    "reference %zu\n", backend, w, lines[l], needles[n], len, got, expected);
            return 1;
        }
    }
    return 0;
}

/* Texts of 33,000 units, long enough that the paired scan compares its
 * candidates in more than one batch (paired_verify: 256 blocks of 64 units
 * at a time, and those left at the loop's end), and that needles of 3 to 6
 * units are counted both ways, the middle compared and tested in the
 * registers, as their words' density chooses span by span (paired_either:
 * a text's first 4,096 units compared): needles of 3 to 62 units, each a
 * LONGER one and, in the wide forms, one whose second unit the narrowing
 * does not keep (VERIFIED, longer than a register for some), under sep=" "
 * plain and folded: made by `fill`, and of the needle alone, a word at every
 * unit's distance from a block's edge, densely and sparsely; and a VERIFIED
 * needle among words that narrow as it does, so many that its pairs are
 * made exactly after the first batch (compares_exactly). */
static int check_candidates_in_batches(const wc_backend *const *all, size_t nbackends,
                                       size_t *checks)
{
    static const size_t lengths[] = {3, 4, 5, 6, 8, 16, 17, 33, 40, 62};
    enum { FILLED, DENSE, SPARSE, COLLIDING };
    static const wc_rule rules[] = {{WC_LINES, false, false, {' ', ' '}, false},
                                    {WC_LINES, false, false, {' ', ' '}, true}};
    enum { LEN = 33000 };
    uint8_t *const end = guarded_end(LEN * 4);
    uint8_t needle[62 * 4];
    for (unsigned w = 1; w <= 4; w *= 2)
    for (size_t r = 0; r < (w == 1 ? 2 : 1); r++)
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
    for (size_t family = 0; family < (w == 1 ? 1 : 2); family++)
    for (size_t len = LEN - 70; len <= LEN; len += 10)
    for (int kind = FILLED; kind <= (family ? COLLIDING : SPARSE); kind++) {
        const size_t m = lengths[l];
        for (size_t j = 0; j < m; j++) {
            /* "abcab...", or with a unit that narrows to 0xFF second */
            uint32_t u = family && j == 1 ? (w == 2 ? 0x2019 : 0x1F600) : "abc"[j % 3];
            memcpy(needle + j * w, &u, w);
        }
        uint8_t *text = end - len * w;
        if (kind == COLLIDING) {   /* the needle, and twice as often the same
                                      with another unit that narrows to 0xFF
                                      second; k / 3 + 1 spaces after each,
                                      k = 0, 1, ... 23 */
            const uint32_t alike = w == 2 ? 0x2018 : 0x1F601;
            size_t i = 0;
            for (size_t k = 0; i < len; k = (k + 1) % 24) {
                for (size_t j = 0; j < m && i < len; j++)
                    put(text, &i, len, w, j == 1 && k % 3 ? alike : unit_at(needle, j, w));
                for (size_t j = 0; j <= k / 3 && i < len; j++)
                    put(text, &i, len, w, ' ');
            }
        } else if (kind != FILLED) {   /* the needle, a space and k more spaces (300 + k
                                   more, sparsely), k = 0, 1, ...; every
                                   third word a candidate with one middle
                                   unit changed */
            size_t i = 0;
            for (size_t k = 0; i < len; k = (k + 1) % 64) {
                const size_t changed = k % 3 == 1 ? 1 + k / 3 % (m - 2) : 0;
                for (size_t j = 0; j < m && i < len; j++)
                    put(text, &i, len, w, j == changed && j ? 'x' : unit_at(needle, j, w));
                for (size_t j = 0; j <= k + (kind == SPARSE ? 300 : 0) && i < len; j++)
                    put(text, &i, len, w, ' ');
            }
        } else {
            fill(text, len, w, needle, m, (unsigned)(len * 31 + m));
        }
        const wc_rule *rule = &rules[r];
        size_t got, expected;
        const char *backend = first_disagreeing(all, nbackends, text, len, needle, m, w, rule,
                                                checks, &got, &expected);
        if (backend) {
            fprintf(stderr, "%s: rule %zu, width %u, needle of %zu units (family %zu), %s text "
                    "of %zu units: %zu, reference %zu\n", backend, r, w, m, family,
                    (const char *[]){"filled", "dense", "sparse", "colliding"}[kind], len, got,
                    expected);
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    uint8_t *const text_end = guarded_end(MAX_LEN * 4), *const needle_end = guarded_end(70 * 4);
    uint8_t *const text_start = guarded_start(MAX_LEN * 4);
    /* A folded search's filter that passes every word but the empty one,
     * its words read from a text right after an unreadable page. */
    wc_word_filter every_word = {0, SIZE_MAX, {~0ull, ~0ull, ~0ull, ~0ull},
                                 {~0ull, ~0ull, ~0ull, ~0ull}};
    const wc_backend *all[8];
    size_t nbackends = wc_backends_available(all, 8), checks = 0;
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        const unsigned w = configs[c].w;
        const wc_rule *rule = &configs[c].rule;
        for (size_t family = 0; family < 2; family++)
        for (size_t m = 0; m <= 70; m++) {
            uint8_t needle[70 * 4];
            for (size_t j = 0; j < m; j++) {
                /* "ab", then "c" in the widest unit the width holds; or a
                 * collider first, then "ba" */
                const uint32_t wide = w == 1 ? 'c' : w == 2 ? 0x101 : 0x1f600,
                               collider = w == 1 ? 0xFF : w == 2 ? 0x8000 : 0x10FFFF;
                uint32_t u = family == 0 ? (j % 3 == 0 ? 'a' : j % 3 == 1 ? 'b' : wide)
                                         : (j % 3 == 0 ? collider : j % 3 == 1 ? 'b' : 'a');
                memcpy(needle + j * w, &u, w);
            }
            for (size_t len = 0; len <= MAX_LEN; len += len < 300 ? 1 : 11) {
                uint8_t *text = malloc(len * w + 1);  /* exact size, for ASan */
                fill(text, len, w, needle, m, (unsigned)(len * 71 + m + c));
                size_t expected = reference_count(text, len, needle, m, w, rule);
                wc_query q = {memcpy(text_end - len * w, text, len * w), len,
                              memcpy(needle_end - m * w, needle, m * w), m, w, rule};
                for (size_t b = 0; b < nbackends; b++) {
                    for (size_t threads = 1; threads <= 3; threads += 2) {
                        size_t got = wc_count_words(all[b], &q, threads, 0);
                        checks++;
                        if (got != expected) {
                            fprintf(stderr, "%s: %s, width %u, needle %zu units (family %zu), "
                                    "text %zu units, %zu threads: %zu, reference %zu\n",
                                    all[b]->name, configs[c].name, w, m, family, len, threads,
                                    got, expected);
                            return 1;
                        }
                    }
                }
                if (m % 10 == 0 && family == 0 && !rule->fold_ascii) {
                    for (size_t b = 0; b < nbackends; b++)
                        if (!tally_agrees(all[b], rule, q.text, len, w, 1 + len % 3, 1 + m % 5)
                            || !tally_agrees_filtered(all[b], rule,
                                                      memcpy(text_start, text, len * w), len,
                                                      w, 1 + len % 3, 1 + m % 5, &every_word))
                            return 1;
                }
                free(text);
            }
        }
    }
    if (check_one_rare_unit(all, nbackends, &checks)
        || check_crlf_at_every_edge(all, nbackends, &checks)
        || check_candidates_in_batches(all, nbackends, &checks))
        return 1;
    printf("check_backends: ok, %zu counts agree (backends:", checks);
    for (size_t b = 0; b < nbackends; b++)
        printf(" %s", all[b]->name);
    printf(")\n");
    return 0;
}
