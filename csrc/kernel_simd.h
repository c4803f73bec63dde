/* The vector kernel, written once over a tiny vocabulary and included by each
 * instruction-set file (kernel_sse2.c, kernel_avx2.c, kernel_avx512.c) after
 * it has defined that vocabulary for its registers.
 *
 * The idea (Wojciech Mula's "SIMD-friendly algorithms for substring
 * searching", extended by the word boundaries of kernel.h): a word equal to a
 * needle of m units starts at i when five things hold, and each is one
 * compare of a whole register of consecutive starts i = p .. p+V-1:
 *
 *     first  = text[i]       == needle[0]
 *     last   = text[i+m-1]   == needle[m-1]
 *     starts = text[i-1]     in " \n"
 *     ends   = text[i+m]     == " "
 *              or text[i+m:i+m+2] == "\r\n"
 *              or text[i+m]  == "\n" (unless the needle ends in "\r")
 *
 *     candidates = first & last & starts & ends      -- one bit per start
 *     for each candidate: memcmp the middle m-2 units
 *
 * Real text has few candidates, so the loop is five unaligned loads, a few
 * compares and ANDs per register. For m <= 2 first and last are the whole
 * needle, and the count is a popcount with no memcmp at all.
 *
 * Edges: the loads reach from text[p-1] to text[p+V+m], so the vector loop
 * covers the starts p >= 1 with p+V+m < len, and the scalar backend counts the
 * rest of the range (start 0, the last V+m starts, ranges too short). Nothing
 * is ever read outside the text.
 *
 * The vocabulary, for unit widths w of 1, 2 and 4 bytes:
 *     simd_vec                      a register
 *     SIMD_BYTES                    its size in bytes
 *     simd_load(ptr)                an unaligned load
 *     simd_splat(w, unit)           every w-byte lane set to `unit`
 *     simd_eq(w, a, b)              a mask: bit k*SIMD_BITS_PER_UNIT(w) set,
 *                                   for each w-byte lane k where a == b (the
 *                                   other bits of the lane are copies of it)
 *     SIMD_BITS_PER_UNIT(w)         1 with mask registers, w with movemask
 *     SIMD_BACKEND, SIMD_NAME       the wc_backend to define, and its name
 * and these functions are compiled for the file's instruction set.
 */
#include <string.h>

#include "kernel.h"
#include "kernel_rule.h"

/* The lowest bit of each lane in a mask of SIMD_BITS_PER_UNIT(w) bits per lane. */
static inline uint64_t simd_lane_low_bits(unsigned w)
{
    (void)w;  /* unused where a mask holds one bit per lane */
    switch (SIMD_BITS_PER_UNIT(w)) {
    case 1: return ~(uint64_t)0;
    case 2: return 0x5555555555555555u;
    default: return 0x1111111111111111u;
    }
}

static inline size_t simd_count_range(const wc_query *q, size_t begin,
                                      size_t end, unsigned w)
{
    const size_t len = q->text_len, m = q->needle_len;
    const size_t lanes = SIMD_BYTES / w;
    const char *text = q->text;
    const wc_count_range_fn scalar = wc_backend_scalar.count_range[w == 1 ? 0 : w == 2 ? 1 : 2];
    size_t count = 0;
    size_t p = begin;

    if (p == 0 && end > 0) {
        count += scalar(q, 0, 1);   /* start 0 has no unit before it */
        p = 1;
    }
    if (len > lanes + m) {
        const size_t last_p = len - lanes - m - 1;  /* p + lanes + m < len */
        const simd_vec space = simd_splat(w, ' '), lf = simd_splat(w, '\n'),
                       cr = simd_splat(w, '\r');
        const simd_vec first = simd_splat(w, m ? wc_load(q->needle, 0, w) : 0);
        const simd_vec last = simd_splat(w, m ? wc_load(q->needle, m - 1, w) : 0);
        const bool needle_ends_cr = wc_needle_ends_cr(q);
        const uint64_t low_bits = simd_lane_low_bits(w);
        const unsigned shift = SIMD_BITS_PER_UNIT(w) == 1 ? 0 : SIMD_BITS_PER_UNIT(w) == 2 ? 1 : 2;

        for (; p <= last_p && p + lanes <= end; p += lanes) {
            const char *at = text + p * w;
            simd_vec before = simd_load(at - w);
            simd_vec after = simd_load(at + m * w);
            simd_vec after_next = simd_load(at + (m + 1) * w);
            uint64_t ends = simd_eq(w, after, space)
                | (simd_eq(w, after, cr) & simd_eq(w, after_next, lf));
            if (!needle_ends_cr)
                ends |= simd_eq(w, after, lf);
            uint64_t candidates = ends
                & (simd_eq(w, before, space) | simd_eq(w, before, lf));
            if (m > 0)
                candidates &= simd_eq(w, simd_load(at), first);
            if (m > 1)
                candidates &= simd_eq(w, simd_load(at + (m - 1) * w), last);
            candidates &= low_bits;
            if (m <= 2) {
                count += (size_t)__builtin_popcountll(candidates);
                continue;
            }
            for (; candidates; candidates &= candidates - 1) {
                size_t i = p + ((size_t)__builtin_ctzll(candidates) >> shift);
                count += memcmp(text + (i + 1) * w, (const char *)q->needle + w,
                                (m - 2) * w) == 0;
            }
        }
    }
    if (p < end)
        count += scalar(q, p, end);
    return count;
}

static size_t simd_count_range_1(const wc_query *q, size_t b, size_t e) { return simd_count_range(q, b, e, 1); }
static size_t simd_count_range_2(const wc_query *q, size_t b, size_t e) { return simd_count_range(q, b, e, 2); }
static size_t simd_count_range_4(const wc_query *q, size_t b, size_t e) { return simd_count_range(q, b, e, 4); }

const wc_backend SIMD_BACKEND = {
    .name = SIMD_NAME,
    .count_range = {simd_count_range_1, simd_count_range_2, simd_count_range_4},
};
