/* What narrowing the wide str forms to bytes would give the kernel: 1 M
 * characters of the Zen of Python as a 2- and a 4-byte str, counted for "is"
 * by the AVX2 kernel in their own form, and narrowed a block of 16 K units at
 * a time into a byte buffer (saturating: every unit >= 0xFF becomes 0xFF,
 * which no needle unit below 0xFF equals, and separators stay exact) and
 * counted there by the byte kernel. The two counts must agree. A measurement
 * for the kernel's wide forms, not used by the module.
 *
 *     gcc -O3 -std=gnu11 -falign-loops=32 -Icsrc benchmarks/narrowing.c csrc/kernel.c \
 *         csrc/kernel_scalar.c csrc/kernel_sse2.c csrc/kernel_avx2.c csrc/kernel_avx512.c \
 *         csrc/kernel_neon.c csrc/pool.c csrc/fault.c -lpthread -o /tmp/narrowing
 *     /tmp/narrowing        # x86-64 with AVX2
 */
#define _GNU_SOURCE  /* and GNU C: the statement expression of TIME_BEST */
#include <immintrin.h>
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

#define BLOCK 16384
/* The 2-byte text narrowed a block at a time, each block with the units
 * around its starts that the rule looks at, then the byte kernel. */
__attribute__((target("avx2"))) static size_t count_narrowed(const wc_backend *b, const uint16_t *text, size_t len, const char *needle, size_t m)
{
    static unsigned char buf[BLOCK + 128];
    size_t count = 0;
    for (size_t base = 0; base < len; base += BLOCK) {
        /* The starts [base, base + BLOCK) look at units base - 1 .. base + BLOCK + m + 1. */
        size_t lo = base ? base - 1 : 0, hi = base + BLOCK + m + 2;
        if (hi > len) hi = len;
        size_t n = hi - lo, i = 0;
        for (; i + 32 <= n; i += 32) {
            __m256i a = _mm256_loadu_si256((const __m256i *)(text + lo + i));
            __m256i c = _mm256_loadu_si256((const __m256i *)(text + lo + i + 16));
            __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi16(_mm256_min_epu16(a, _mm256_set1_epi16(0xff)), _mm256_min_epu16(c, _mm256_set1_epi16(0xff))), 0xd8);
            _mm256_storeu_si256((__m256i *)(buf + i), p);
        }
        for (; i < n; i++) buf[i] = text[lo + i] > 0xff ? 0xff : (unsigned char)text[lo + i];
        wc_query q = {buf, n, needle, m, 1};
        size_t end = base + BLOCK < len ? base + BLOCK : len;
        count += wc_count_starts(b, &q, base - lo, end - lo, 1, (size_t)-1);
    }
    return count;   /* (the empty needle's exception at the end is left out) */
}
/* The same for the 4-byte form: two saturating packs. */
__attribute__((target("avx2"))) static size_t count_narrowed4(const wc_backend *b, const uint32_t *text, size_t len, const char *needle, size_t m)
{
    static unsigned char buf[BLOCK + 128];
    size_t count = 0;
    const __m256i cap = _mm256_set1_epi32(0xff);
    for (size_t base = 0; base < len; base += BLOCK) {
        size_t lo = base ? base - 1 : 0, hi = base + BLOCK + m + 2;
        if (hi > len) hi = len;
        size_t n = hi - lo, i = 0;
        for (; i + 32 <= n; i += 32) {
            const __m256i *p = (const __m256i *)(text + lo + i);
            __m256i a = _mm256_min_epu32(_mm256_loadu_si256(p), cap), c = _mm256_min_epu32(_mm256_loadu_si256(p + 1), cap);
            __m256i d = _mm256_min_epu32(_mm256_loadu_si256(p + 2), cap), e = _mm256_min_epu32(_mm256_loadu_si256(p + 3), cap);
            __m256i ac = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, c), 0xd8);
            __m256i de = _mm256_permute4x64_epi64(_mm256_packus_epi32(d, e), 0xd8);
            __m256i all = _mm256_permute4x64_epi64(_mm256_packus_epi16(ac, de), 0xd8);
            _mm256_storeu_si256((__m256i *)(buf + i), all);
        }
        for (; i < n; i++) buf[i] = text[lo + i] > 0xff ? 0xff : (unsigned char)text[lo + i];
        wc_query q = {buf, n, needle, m, 1};
        size_t end = base + BLOCK < len ? base + BLOCK : len;
        count += wc_count_starts(b, &q, base - lo, end - lo, 1, (size_t)-1);
    }
    return count;
}

/* Best of 50 of `count`, in G characters a second. */
#define TIME_BEST(len, count)                                    \
    ({                                                           \
        double best = 1e30;                                      \
        for (int run = 0; run < 50; run++) {                     \
            double start = now();                                \
            count;                                               \
            double seconds = now() - start;                      \
            best = seconds < best ? seconds : best;              \
        }                                                        \
        (double)(len) / best / 1e9;                              \
    })

int main(void)
{
    const char *zen = "Beautiful is better than ugly.\nExplicit is better than implicit.\n"
                      "Simple is better than complex.\nComplex is better than complicated.\n"
                      "Flat is better than nested.\nSparse is better than dense.\n"
                      "Readability counts.\n";
    const size_t len = 1 << 20, zl = strlen(zen);
    const wc_backend *avx2 = wc_backend_find("avx2");
    if (!avx2) {
        fprintf(stderr, "narrowing: this CPU has no AVX2\n");
        return 2;
    }
    char *t1 = malloc(len);
    uint16_t *t2 = malloc(len * 2);
    uint32_t *t4 = malloc(len * 4);
    for (size_t i = 0; i < len; i++)
        t1[i] = zen[i % zl], t2[i] = (unsigned char)zen[i % zl], t4[i] = (unsigned char)zen[i % zl];
    t2[len - 1] = 0x101;     /* what makes a str 2-byte */
    t4[len - 1] = 0x1f600;   /* and 4-byte */
    const uint16_t is2[2] = {'i', 's'};
    const uint32_t is4[2] = {'i', 's'};
    wc_query q1 = {t1, len, "is", 2, 1}, q2 = {t2, len, is2, 2, 2}, q4 = {t4, len, is4, 2, 4};
    size_t c1 = 0, c2 = 0, n2 = 0, c4 = 0, n4 = 0;
    (void)TIME_BEST(len, c1 = wc_count_words(avx2, &q1, 1, (size_t)-1));  /* warms the core up */
    double r1 = TIME_BEST(len, c1 = wc_count_words(avx2, &q1, 1, (size_t)-1));
    double r2 = TIME_BEST(len, c2 = wc_count_words(avx2, &q2, 1, (size_t)-1));
    double rn2 = TIME_BEST(len, n2 = count_narrowed(avx2, t2, len, "is", 2));
    double r4 = TIME_BEST(len, c4 = wc_count_words(avx2, &q4, 1, (size_t)-1));
    double rn4 = TIME_BEST(len, n4 = count_narrowed4(avx2, t4, len, "is", 2));
    printf("1-byte kernel: %.2f G chars/s (%zu)\n", r1, c1);
    printf("2-byte kernel: %.2f G chars/s (%zu); narrowed + byte kernel: %.2f (%zu)\n", r2, c2,
           rn2, n2);
    printf("4-byte kernel: %.2f G chars/s (%zu); narrowed + byte kernel: %.2f (%zu)\n", r4, c4,
           rn4, n4);
    return c1 == c2 && c2 == n2 && n2 == c4 && c4 == n4 ? 0 : 1;
}
