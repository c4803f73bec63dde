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
 *     for each candidate: compare the middle m-2 units
 *
 * Real text has few candidates, so the loop is five unaligned loads, a few
 * compares and ANDs per register. For m <= 2 first and last are the whole
 * needle, and the count is a popcount with no compare at all.
 *
 * Edges: the loads reach from text[p-1] to text[p+V+m], so the vector loop
 * covers the starts p >= 1 with p+V+m < len, and the scalar backend counts the
 * rest of the range (start 0, the last V+m starts, ranges too short). Nothing
 * is ever read outside the text.
 *
 * The vocabulary, for unit widths w of 1, 2 and 4 bytes:
 *     simd_vec                      a register
 *     simd_mask                     the result of compares: a register of
 *                                   all-ones lanes, or a mask register
 *     SIMD_BYTES                    a register's size in bytes
 *     simd_load(ptr)                an unaligned load
 *     simd_all_lanes()              a compare result true in every lane
 *     simd_splat(w, unit)           every w-byte lane set to `unit`
 *     simd_eq(w, a, b)              lanes where a == b (for the defaults)
 *     simd_and(a, b), simd_or(a, b) on compare results
 *     simd_bits(mask)               as an integer: bit k*SIMD_BITS_PER_UNIT(w)
 *                                   for lane k (the lane's other bits copy it)
 *     SIMD_BITS_PER_UNIT(w)         1 with mask registers, w with movemask,
 *                                   4w with NEON's narrowing shift
 *     SIMD_BACKEND, SIMD_NAME       the wc_backend to define, and its name
 * and, where the instruction set does better than the defaults below,
 *     simd_and_eq(w, k, a, b)       lanes of k where a == b
 *                                   (with SIMD_HAS_AND_EQ defined)
 *     simd_and_sep(w, k, a)         lanes of k where a is " " or "\n"
 *                                   (with SIMD_HAS_AND_SEP defined)
 * Compare results are combined before they become an integer: one movemask
 * per register of starts instead of eight (movemask has one port on most
 * x86 cores). With AVX-512 each AND folds into a masked compare, and "is a
 * separator" is one byte shuffle and one compare instead of two compares and
 * an OR: the shuffle maps a byte's low nibble to the one separator with that
 * nibble, so only a separator equals its own image. Together these take a
 * register of starts from 17 mask operations to 11.
 * and these functions are compiled for the file's instruction set.
 */
#include <string.h>

#include "kernel.h"
#include "kernel_rule.h"

#ifndef SIMD_HAS_AND_EQ
static inline simd_mask simd_and_eq(unsigned w, simd_mask k, simd_vec a, simd_vec b)
{
    return simd_and(k, simd_eq(w, a, b));
}
#endif

#ifndef SIMD_HAS_AND_SEP
static inline simd_mask simd_and_sep(unsigned w, simd_mask k, simd_vec a)
{
    return simd_and(k, simd_or(simd_eq(w, a, simd_splat(w, ' ')),
                               simd_eq(w, a, simd_splat(w, '\n'))));
}
#endif

/* The lowest bit of each lane in a mask of SIMD_BITS_PER_UNIT(w) bits per lane. */
/* The lowest bit of each lane in a mask of `bits` bits per lane (1, 2, 4, 8
 * or 16): 0xff..ff, 0x55..55, 0x11..11, 0x0101.., 0x0001000100010001. */
static inline uint64_t simd_lane_low_bits(unsigned bits)
{
    return ~(uint64_t)0 / ((~(uint64_t)0) >> (64 - bits));
}

/* Needle shapes that get a loop of their own, so that no test of the
 * needle's length is left inside a loop (the compiler does not hoist them). */
enum { EMPTY_NEEDLE, ONE_UNIT, TWO_UNITS, LONGER };

/* Counts the starts p, p+lanes, ... while the loads stay inside the text
 * (p + lanes + m < len) and the range (p + lanes <= end); returns the count
 * and advances *start past the starts it covered. `shape` and
 * `needle_ends_cr` are constants where this is called. */
static inline __attribute__((always_inline)) size_t
simd_scan(const wc_query *q, size_t *start, size_t end, unsigned w,
          int shape, bool needle_ends_cr)
{
    const size_t len = q->text_len, m = q->needle_len;
    const size_t lanes = SIMD_BYTES / w;
    const char *text = q->text;
    const simd_vec space = simd_splat(w, ' '), lf = simd_splat(w, '\n'),
                   cr = simd_splat(w, '\r');
    const simd_vec first = simd_splat(w, shape != EMPTY_NEEDLE ? wc_load(q->needle, 0, w) : 0);
    const simd_vec last = simd_splat(w, shape >= TWO_UNITS ? wc_load(q->needle, m - 1, w) : 0);
    const simd_mask all_lanes = simd_all_lanes();
    const uint64_t low_bits = simd_lane_low_bits(SIMD_BITS_PER_UNIT(w));
    const unsigned shift = (unsigned)__builtin_ctz(SIMD_BITS_PER_UNIT(w));
    size_t count = 0, p = *start;

    for (; p + lanes + m < len && p + lanes <= end; p += lanes) {
        const char *at = text + p * w;
        /* Two short chains of masked compares, joined at the end, give the
         * core two independent strands to overlap. */
        simd_mask head = simd_and_sep(w, all_lanes, simd_load(at - w));
        if (shape != EMPTY_NEEDLE)
            head = simd_and_eq(w, head, simd_load(at), first);
        simd_mask tail = all_lanes;
        if (shape >= TWO_UNITS)
            tail = simd_and_eq(w, tail, simd_load(at + (m - 1) * w), last);
        simd_vec after = simd_load(at + m * w);
        simd_mask ends = needle_ends_cr ? simd_and_eq(w, tail, after, space)
                                        : simd_and_sep(w, tail, after);
        simd_mask match = simd_and(head, ends);
        /* A candidate followed by "\r" is rare (it ends a CRLF line): test
         * the "\n" after it only then, saving a load and a compare. */
        simd_mask before_cr = simd_and_eq(w, simd_and(head, tail), after, cr);
        if (simd_bits(before_cr))
            match = simd_or(match, simd_and_eq(w, before_cr,
                                               simd_load(at + (m + 1) * w), lf));
        uint64_t candidates = simd_bits(match) & low_bits;
        if (shape != LONGER) {
            count += (size_t)__builtin_popcountll(candidates);
            continue;
        }
        for (; candidates; candidates &= candidates - 1) {
            size_t i = p + ((size_t)__builtin_ctzll(candidates) >> shift);
            count += wc_bytes_equal(text + (i + 1) * w, (const char *)q->needle + w,
                                    (m - 2) * w);
        }
    }
    *start = p;
    return count;
}

static inline size_t simd_count_range(const wc_query *q, size_t begin,
                                      size_t end, unsigned w)
{
    const wc_count_range_fn scalar = wc_backend_scalar.count_range[w == 1 ? 0 : w == 2 ? 1 : 2];
    size_t count = 0, p = begin;
    if (p == 0 && end > 0) {
        count += scalar(q, 0, 1);   /* start 0 has no unit before it */
        p = 1;
    }
    if (wc_needle_ends_cr(q)) {     /* so m >= 1 */
        switch (q->needle_len) {
        case 1: count += simd_scan(q, &p, end, w, ONE_UNIT, true); break;
        case 2: count += simd_scan(q, &p, end, w, TWO_UNITS, true); break;
        default: count += simd_scan(q, &p, end, w, LONGER, true); break;
        }
    }
    else {
        switch (q->needle_len) {
        case 0: count += simd_scan(q, &p, end, w, EMPTY_NEEDLE, false); break;
        case 1: count += simd_scan(q, &p, end, w, ONE_UNIT, false); break;
        case 2: count += simd_scan(q, &p, end, w, TWO_UNITS, false); break;
        default: count += simd_scan(q, &p, end, w, LONGER, false); break;
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
