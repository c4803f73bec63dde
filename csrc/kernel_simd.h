/* The vector kernel, written once over a tiny vocabulary and included by each
 * instruction-set file (kernel_sse2.c, kernel_avx2.c, kernel_avx512.c,
 * kernel_neon.c) after it has defined that vocabulary for its registers.
 *
 * The rule (kernel.h) decides a start i from a few units around it. With a
 * needle of m units, a word equal to it starts at i when
 *
 *     starts = text[i-1]     in " \n"
 *     first  = text[i]       == needle[0]
 *     last   = text[i+m-1]   == needle[m-1]
 *     ends   = text[i+m]     in " \n"  (only " " if the needle ends in "\r")
 *              or text[i+m:i+m+2] == "\r\n"
 *     and the m-2 units between first and last are the needle's.
 *
 * THE BLOCK SCAN (needles of up to 62 units not ending in "\r": nearly all).
 * The text goes by in blocks of 64 units, each register of it loaded once,
 * at a multiple of 64 bytes, and compared three or four times; each compare
 * becomes a 64-bit mask, bit k for unit k of the block:
 *
 *     sep    units in " \n"     (one byte shuffle and one compare: see
 *                                kernel_avx512.c)
 *     first  units == needle[0]
 *     last   units == needle[m-1]
 *     cr     units == "\r"      (made only for a block that holds one)
 *
 * A start's neighbours are then shifts of these masks, not more loads:
 *
 *     heads = (sep << 1, with the top bit of the block before) & first
 *     ends  = (last << 1, with the top bit of the block before) & sep
 *     candidates = heads & (ends of this block and the next) >> m
 *
 * heads are where a word starts with needle[0], ends where one ends right
 * after needle[m-1], and the shift by m pairs each start with the end a
 * needle's length on. That end may lie in the next block (m <= 62 keeps it
 * within one), so the loop makes block b+1's masks and counts the starts of
 * block b. An end before "\r" (ends_cr, from cr) counts when "\n" follows:
 * tested one candidate at a time, since only a CRLF line ending right after
 * needle[m-1] makes one. For m <= 2 the count is a popcount of candidates;
 * longer needles compare each candidate's middle in the text.
 *
 * NARROWING. A 2- or 4-byte str is turned into bytes as it is loaded
 * (saturating packs), and the block scan runs on those bytes: a block of 64
 * units is 128 or 256 bytes of text but one block of byte compares, so the
 * wide forms cost little more than the loads and packs. A unit below 0xFF
 * narrows to itself; every other unit to 0xFF (or to 0, for 0x8000 and up,
 * where a pack is signed). So separators, "\r" and needle units below 0xFF
 * are found exactly: no other unit narrows to them. A needle holding a unit
 * of 0 or from 0xFF up narrows ambiguously; then every candidate is compared
 * whole, in the wide text.
 *
 * Per register of text the block scan does three or four compares and as
 * many movemasks, where the loop below, which it replaced for these needles,
 * made five unaligned loads and about fourteen operations. On one Zen 1 core
 * (benchmarks/kernel_timing.c, 1 M characters in cache, the best of several
 * runs) bytes went from 8.8 to 13.3 G chars/s, the 2-byte form from 4.1 to
 * 11.1 and the 4-byte form from 2.0 to 9.0.
 *
 * THE FIVE-LOAD LOOP (needles of 63 units and more, needles ending in "\r",
 * and the last starts of a range, which the block scan leaves): for a
 * register of consecutive starts, one unaligned load at each of i-1, i,
 * i+m-1 and i+m (and i+m+1 when a "\r" follows a candidate), a compare of
 * each in the text's own width, and their AND is the candidates.
 *
 * Edges: the block scan reads units p-1 to p+127 for the starts of the block
 * at p; the five-load loop from text[p-1] to text[p+V+m]. Each runs only
 * while that is inside the text, and the scalar backend counts the rest of
 * the range (start 0, the last starts, ranges too short). Nothing is ever
 * read outside the text.
 *
 * The vocabulary, for unit widths w of 1, 2 and 4 bytes:
 *     simd_vec                      a register
 *     simd_mask                     the result of compares: a register of
 *                                   all-ones lanes, or a mask register
 *     SIMD_BYTES                    a register's size in bytes
 *     simd_load(ptr)                an unaligned load
 *     simd_narrow(ptr, w)           SIMD_BYTES units from ptr as bytes,
 *                                   saturating as above (a load for w = 1)
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
 *     simd_block_bits(masks)        the compare results of a block's
 *                                   registers as 64 bits, bit k for byte k
 *                                   (with SIMD_HAS_BLOCK_BITS defined)
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

/* ---- The block scan: each unit loaded once, wide units narrowed ---- */

#define SIMD_REGS_PER_BLOCK (64 / SIMD_BYTES)

#ifndef SIMD_HAS_BLOCK_BITS
/* The compare results of one block's registers as 64 bits, bit k for byte k. */
static inline uint64_t simd_block_bits(const simd_mask m[SIMD_REGS_PER_BLOCK])
{
    uint64_t bits = 0;
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++)
        bits |= simd_bits(m[k]) << (k * SIMD_BYTES);
    return bits;
}
#endif

/* Where a needle of units narrowed to bytes may equal what it does not: a
 * unit the narrowing does not keep (0 and 0xFF are where the wide units it
 * does not keep land). Then every candidate is compared whole, wide. */
static inline bool needle_narrows_ambiguously(const wc_query *q)
{
    for (size_t j = 0; j < q->needle_len; j++) {
        uint32_t unit = wc_load(q->needle, j, q->width);
        if (unit == 0 || unit >= 0xFF)
            return true;
    }
    return false;
}

/* Every byte lane set to `unit` narrowed as the text's units are. */
static inline simd_vec simd_narrow_splat(unsigned w, uint32_t unit)
{
    char units[SIMD_BYTES * 4];
    for (size_t i = 0; i < SIMD_BYTES; i++)
        memcpy(units + i * w, &unit, w);   /* the low w bytes (little-endian) */
    return simd_narrow(units, w);
}

/* One block's units as bit masks: separators, the needle's first and last
 * unit, and "\r". A "\r" is rare outside CRLF texts, so its mask is made only
 * where the block holds one (0 otherwise). */
typedef struct {
    uint64_t sep, first, last, cr;
} block_masks;

static inline __attribute__((always_inline)) block_masks
simd_classify(const char *at, unsigned w, int shape, simd_vec first, simd_vec last)
{
    const simd_mask all_lanes = simd_all_lanes();
    const simd_vec cr = simd_splat(1, '\r');
    simd_mask sep[SIMD_REGS_PER_BLOCK], firsts[SIMD_REGS_PER_BLOCK],
              lasts[SIMD_REGS_PER_BLOCK], crs[SIMD_REGS_PER_BLOCK];
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++) {
        simd_vec bytes = simd_narrow(at + k * SIMD_BYTES * w, w);
        sep[k] = simd_and_sep(1, all_lanes, bytes);
        if (shape != EMPTY_NEEDLE)
            firsts[k] = simd_and_eq(1, all_lanes, bytes, first);
        if (shape >= TWO_UNITS)
            lasts[k] = simd_and_eq(1, all_lanes, bytes, last);
        crs[k] = simd_and_eq(1, all_lanes, bytes, cr);
    }
    simd_mask any_cr = crs[0];
    for (unsigned k = 1; k < SIMD_REGS_PER_BLOCK; k++)
        any_cr = simd_or(any_cr, crs[k]);
    block_masks b = {simd_block_bits(sep), 0, 0, 0};
    if (shape != EMPTY_NEEDLE)
        b.first = simd_block_bits(firsts);
    b.last = shape >= TWO_UNITS ? simd_block_bits(lasts) : b.first;
    if (simd_bits(any_cr))
        b.cr = simd_block_bits(crs);
    return b;
}

/* Bits k .. k+63 of the 128-bit here + (next << 64), for k < 64. */
static inline uint64_t window(uint64_t here, uint64_t next, size_t k)
{
    return (here >> k) | ((next << 1) << (63 - k));
}

/* Texts from this size on come from memory rather than cache (an L3 holds 8
 * to 32 MiB), and the block scan fetches 2048 units ahead of itself, a cache
 * line at a time. On one Zen 1 core, 16 to 64 MiB of text: bytes from 7.0 to
 * 9.3 G chars/s, the 2-byte form from 4.3 to 5.7-6.4, the 4-byte form from
 * 2.4-2.7 to 2.9-3.0; in cache the fetches would cost 4-9%. */
#define STREAMING_MIN_BYTES ((size_t)8 << 20)
#define PREFETCH_UNITS 2048

/* The longest needle of the block scan: the rule looks at units up to m + 1
 * past a start, so every start of a block is decided by it and the next. */
#define BLOCK_SCAN_MAX_NEEDLE 62

/* Where words that may be the needle start and end in a block: a start has
 * a separator before it and the needle's first unit; an end is a separator
 * (or a "\r", ends_cr) after the needle's last unit. Starts and ends are
 * then paired by one shift by the needle's length. The block before's top
 * separator and last-unit bits come in `carry` and the block's go out. */
typedef struct {
    uint64_t heads, ends, ends_cr;
} block_words;

static inline block_words block_words_of(block_masks b, int shape, uint64_t carry[2])
{
    block_words words;
    words.heads = b.sep << 1 | carry[0];
    if (shape != EMPTY_NEEDLE)
        words.heads &= b.first;
    const uint64_t after_last = shape == EMPTY_NEEDLE ? ~(uint64_t)0 : b.last << 1 | carry[1];
    words.ends = b.sep & after_last;
    words.ends_cr = b.cr & after_last;
    carry[0] = b.sep >> 63;
    carry[1] = b.last >> 63;
    return words;
}

/* The needle's words that start in a block: starts paired with the ends m
 * units on, in this block and the next. */
static inline __attribute__((always_inline)) size_t
count_block(const wc_query *q, size_t p, block_words here, block_words next, unsigned w,
            int shape, bool verify_all)
{
    const size_t m = q->needle_len;
    const char *text = q->text, *needle = q->needle;
    uint64_t match = here.heads & window(here.ends, next.ends, m);
    /* A candidate followed by "\r" is rare (it ends a CRLF line): the "\n"
     * after it is tested one at a time. */
    if (here.ends_cr | next.ends_cr)
        for (uint64_t cr = here.heads & window(here.ends_cr, next.ends_cr, m); cr; cr &= cr - 1) {
            size_t i = p + (size_t)__builtin_ctzll(cr);
            if (wc_load(text, i + m + 1, w) == '\n')
                match |= cr & -cr;
        }
    if (shape != LONGER)
        return (size_t)__builtin_popcountll(match);
    /* The units of a candidate still to compare: the middle ones, or all. */
    const size_t from = verify_all ? 0 : 1, units = verify_all ? m : m - 2;
    size_t count = 0;
    for (; match; match &= match - 1) {
        size_t i = p + (size_t)__builtin_ctzll(match);
        count += wc_bytes_equal(text + (i + from) * w, needle + from * w, units * w);
    }
    return count;
}

/* Counts the starts of whole blocks of 64 from *start while the next block
 * is inside the text, and advances *start past them. Needles of at most
 * BLOCK_SCAN_MAX_NEEDLE units not ending in "\r"; `verify_all` when they
 * narrow ambiguously (then shape is LONGER). */
static inline __attribute__((always_inline)) size_t
simd_scan_blocks(const wc_query *q, size_t *start, size_t end, unsigned w,
                 int shape, bool verify_all, bool streaming)
{
    const size_t len = q->text_len, m = q->needle_len;
    const char *text = q->text;
    size_t p = *start, count = 0;
    if (p == 0 || p + 128 > len || p + 64 > end)
        return 0;
    const size_t last_block = len - 128 < end - 64 ? len - 128 : end - 64;
    const simd_vec first = simd_narrow_splat(w, shape != EMPTY_NEEDLE ? wc_load(q->needle, 0, w) : 0);
    const simd_vec last = simd_narrow_splat(w, shape >= TWO_UNITS ? wc_load(q->needle, m - 1, w) : 0);
    /* (A block's ends right after a last unit in the block before are never
     * looked at when that block is the first: an end is m >= 1 units past
     * its start.) */
    uint64_t carry[2] = {wc_is_separator(wc_load(text, p - 1, w)), 0};
    block_words here = block_words_of(simd_classify(text + p * w, w, shape, first, last),
                                      shape, carry);
    /* The loop's blocks start at a multiple of 64 bytes (where the units
     * are aligned to their width, as a str's are), so that no load straddles
     * two cache lines. A first block at p counts the starts before that. */
    const uintptr_t address = (uintptr_t)(text + p * w);
    const size_t unaligned = address % w || address % 64 == 0 ? 0 : (64 - address % 64) / w;
    if (unaligned) {
        block_words next = block_words_of(simd_classify(text + (p + 64) * w, w, shape, first,
                                                        last), shape, carry);
        here.heads &= ~(~(uint64_t)0 << unaligned);
        count += count_block(q, p, here, next, w, shape, verify_all);
        p += unaligned;
        if (p > last_block) {
            *start = p;
            return count;
        }
        carry[0] = wc_is_separator(wc_load(text, p - 1, w));
        carry[1] = 0;
        here = block_words_of(simd_classify(text + p * w, w, shape, first, last), shape, carry);
    }
    for (; p <= last_block; p += 64) {
        /* (An address, not a pointer: it may lie past the text's end.) */
        if (streaming)
            for (unsigned line = 0; line < w; line++)
                __builtin_prefetch((const void *)((uintptr_t)text + (p + PREFETCH_UNITS) * w
                                                  + 64 * line));
        block_words next = block_words_of(simd_classify(text + (p + 64) * w, w, shape, first,
                                                        last), shape, carry);
        count += count_block(q, p, here, next, w, shape, verify_all);
        here = next;
    }
    *start = p;
    return count;
}

/* The block scans, one function per width, needle shape and streaming or
 * not: each loop in a function of its own, whose few registers the compiler
 * keeps for it (inlined together, their loops spilled their masks to the
 * stack). */
typedef size_t (*block_scan_fn)(const wc_query *q, size_t *start, size_t end);
#define BLOCK_SCAN(name, w, shape, verify_all, streaming)                                  \
    static __attribute__((noinline)) size_t name(const wc_query *q, size_t *start,         \
                                                 size_t end)                               \
    {                                                                                      \
        return simd_scan_blocks(q, start, end, w, shape, verify_all, streaming);          \
    }
#define BLOCK_SCANS(w, streaming, kind)                                                    \
    BLOCK_SCAN(blocks_##w##_empty_##kind, w, EMPTY_NEEDLE, false, streaming)              \
    BLOCK_SCAN(blocks_##w##_one_##kind, w, ONE_UNIT, false, streaming)                    \
    BLOCK_SCAN(blocks_##w##_two_##kind, w, TWO_UNITS, false, streaming)                   \
    BLOCK_SCAN(blocks_##w##_longer_##kind, w, LONGER, false, streaming)                   \
    BLOCK_SCAN(blocks_##w##_verified_##kind, w, LONGER, true, streaming)
#define BLOCK_SCAN_ROW(w, kind)                                                            \
    {blocks_##w##_empty_##kind, blocks_##w##_one_##kind, blocks_##w##_two_##kind,          \
     blocks_##w##_longer_##kind, blocks_##w##_verified_##kind}
BLOCK_SCANS(1, false, cached)
BLOCK_SCANS(2, false, cached)
BLOCK_SCANS(4, false, cached)
BLOCK_SCANS(1, true, streamed)
BLOCK_SCANS(2, true, streamed)
BLOCK_SCANS(4, true, streamed)
/* [streaming][width index][shape, or VERIFIED for ambiguous needles] */
enum { VERIFIED = LONGER + 1 };
static const block_scan_fn block_scans[2][3][5] = {
    {BLOCK_SCAN_ROW(1, cached), BLOCK_SCAN_ROW(2, cached), BLOCK_SCAN_ROW(4, cached)},
    {BLOCK_SCAN_ROW(1, streamed), BLOCK_SCAN_ROW(2, streamed), BLOCK_SCAN_ROW(4, streamed)},
};

/* always_inline: one copy per width, so that w is a constant in each. */
static inline __attribute__((always_inline)) size_t
simd_count_range(const wc_query *q, size_t begin, size_t end, unsigned w)
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
        /* (Texts too short for two blocks skip the call: a tiny count is
         * mostly the cost of the calls on its way.) */
        if (q->needle_len <= BLOCK_SCAN_MAX_NEEDLE && p + 128 <= q->text_len) {
            const size_t m = q->needle_len;
            const int variant = w > 1 && needle_narrows_ambiguously(q) ? VERIFIED
                              : m == 0 ? EMPTY_NEEDLE : m == 1 ? ONE_UNIT
                              : m == 2 ? TWO_UNITS : LONGER;
            const bool streaming = q->text_len * w >= STREAMING_MIN_BYTES;
            count += block_scans[streaming][w == 1 ? 0 : w == 2 ? 1 : 2][variant](q, &p, end);
        }
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
