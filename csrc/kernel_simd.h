/* The vector kernel, written once over a tiny vocabulary and included by each
 * instruction-set file (kernel_sse2.c, kernel_avx2.c, kernel_avx512.c,
 * kernel_neon.c) after it has defined that vocabulary for its registers.
 *
 * The rule (rule.h) decides a start i from a few units around it. With a
 * needle of m units, a word equal to it starts at i when
 *
 *     starts = text[i-1]     is a separator (or i == 0)
 *     first  = text[i]       == needle[0]
 *     last   = text[i+m-1]   == needle[m-1]
 *     ends   = text[i+m]     is a separator (or i+m == len)
 *              or, by sep=" ", text[i+m:i+m+2] == "\r\n"
 *     and the m-2 units between first and last are the needle's.
 *
 * THE BLOCK SCAN. The text goes by in blocks of 64 units, each register of it
 * loaded once, at a multiple of 64 bytes, and compared three or four times;
 * each compare becomes a 64-bit mask, bit k for unit k of the block:
 *
 *     sep    separators         (by sep=" ", one byte shuffle and one
 *                                compare: see kernel_avx512.c)
 *     first  units == needle[0]
 *     last   units == needle[m-1]
 *     cr     units == "\r"      (by sep=" ", made only for a block that
 *                                holds one)
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
 * longer needles compare each candidate's middle in the text. Needles of 63
 * units and more, and by sep=" " needles ending in "\r" (which "\n" cannot
 * end), take the heads alone as candidates and compare each whole, its end
 * tested by the rule (shape HEADS).
 *
 * SEPARATORS, per kind of rule (kinds, below): sep=" " has " " and "\n";
 * bytes by sep=None \t \n \v \f \r and space, one shuffle and one compare
 * too; a str by sep=None adds \x1c-\x1f and its two whitespace units from
 * 0x80 (two shuffles by the bytes' nibbles and a test, or a range and two
 * compares). Whitespace of more than one byte or unit is rare, and only
 * looked for in a block that may hold it: a block with a
 * unit that narrows to 0xFF (U+1680 ... U+3000 all do), or with a byte
 * that may begin UTF-8 whitespace (0xC2, 0xE1-0xE3); those blocks take a
 * slower path (wide_spaces, utf8_spaces) that finds it exactly.
 *
 * FOLDING (fold_ascii, 1-byte units): the first and last masks are the
 * units equal to the needle's unit in either case, and middles compare
 * case-blind (wc_bytes_equal); the needle comes lowered.
 *
 * NARROWING. A 2- or 4-byte str is turned into bytes as it is loaded
 * (saturating packs), and the block scan runs on those bytes: a block of 64
 * units is 128 or 256 bytes of text but one block of byte compares, so the
 * wide forms cost little more than the loads and packs. A unit below 0xFF
 * narrows to itself; every other unit to 0xFF (or to 0, for 0x8000 and up,
 * where a pack is signed). So separators, "\r" and needle units below 0xFF
 * are found exactly: no other unit narrows to them. A needle holding a unit
 * of 0 or from 0xFF up narrows ambiguously; then every candidate is compared
 * whole, in the wide text (shape VERIFIED); so that few are, a middle unit
 * that narrows ambiguously is compared in the block too (needle_vecs), a
 * group of blocks where no unit narrows as it does has no pairs made
 * (paired_loop), and where most candidates are not the needle (a script
 * whose letters all narrow alike), the unit paired with the first is
 * compared wide (compares_exactly).
 *
 * EDGES. A block is classified from the text where its 64 units lie inside
 * it; the last ones, which reach past the text's end, from a copy padded
 * with spaces, and a block wholly past the end is all separators: the end of
 * the text ends a word just as a space would, and a unit before the text's
 * start is taken as a separator (the first word starts at 0). So every start
 * of a range is counted by the same code, nothing outside the text is read,
 * and texts of a few units cost one classified block.
 *
 * On one Zen 1 core (benchmarks/kernel_timing.c, 1 M characters in cache,
 * the best of several runs) the block scan took bytes from 8.8 to 13.3 G
 * chars/s, the 2-byte form from 4.1 to 11.1 and the 4-byte form from 2.0 to
 * 9.0, against the loop of five unaligned loads per register it replaced.
 *
 * THE SHIFTED SCAN was that older loop done again where masked compares and
 * 32- or 64-byte registers made it pay: a 1-byte text's starts decided
 * register by register from four loads (the unit before, the first, the
 * last, the one after), nothing carried between blocks. The paired scan
 * replaced it on AVX-512 and then on AVX2; the figures below that compare
 * with it are from those changes (docs/performance.md).
 *
 * THE PAIRED SCAN (below) is the block scan with two masks where it had
 * four: the first and the last unit are tested together in the register
 * (pairs), from a second load at the last unit's offset or, in the wide
 * forms, from the block's narrowed register shifted against the next
 * one's; a start's neighbours stay shifts of the separators' mask. Where a
 * mask moved to a general register is dear (two cycles on Zen 4), two a
 * block cost less than the shifted scan's loads across cache lines.
 *
 * PER BACKEND, what a block of 64 units costs and why:
 *   avx512bw  the paired scan for every form and rule but UTF-8's and a
 *             wide text by bytes' sep=None: the block loaded once where it
 *             lies (the wide forms narrowed once: two or four loads, a pack
 *             or three and a permute) and, in a 1-byte text, once at the
 *             needle's last unit (in the wide forms that unit's register
 *             shifted from the block's and the next one's, two shuffles);
 *             a shuffle and a compare for the separators, a ternary logic
 *             and a test for the pairs (a 1-byte text's two units: a
 *             compare and a masked compare, pair_tests), two masks moved
 *             out, and by sep=" " a test for "\r" a group of four
 *             blocks (eight: PAIRED_GROUP). On Zen 4 a mask moved out
 *             takes two cycles and a load across cache lines one more,
 *             so the shifted scan's three loads across and two masks a
 *             block (and the windowed scan's shifts of three registers for
 *             the wide forms) were what they waited on ("is" in 1 M
 *             characters, G chars/s: 1-byte 29 -> 46-47, 2-byte 21 -> 33,
 *             4-byte 17 -> 25; bytes by sep=None 31 -> 48). A str's
 *             separators by sep=None, in every scan: two shuffles by the
 *             bytes' nibbles and a test (simd_nibbles), not four compares
 *             and three ORs of masks (1-byte 22 -> 43, 2-byte 15 -> 26).
 *             Each test a ternary-logic OR of misses, one test-into-mask a
 *             register (simd_tests: a masked compare a test, on Zen 5 the
 *             shifted scan's 1-byte rate 27 -> 41 G chars/s at 1 M). The
 *             needles of the wide forms that hold a unit the narrowing does
 *             not keep (VERIFIED) test it in the pairs' register in place of
 *             the last, its place a constant of the loop (bett\u2019r in the
 *             Zen of Python: 0.33-0.38x -> 0.61x of the 1-byte rate of "is",
 *             where the shifted scan's four narrowed loads a block took them;
 *             bett\U0001F600r 0.31x -> 0.38x). In the 2-byte form a unit
 *             more than 2 on from the first is loaded and narrowed again
 *             (two loads and two shuffles); in the 4-byte form it comes
 *             from the block's narrowed registers and the next one's by two
 *             permutes of 32-bit lanes and two shifts, where narrowing
 *             again took four loads and four shuffles (bett\U0001F600r
 *             1.24x, "nested" 1.33x, "Explicit" 1.29x), so that form takes
 *             every needle by the paired scan too. UTF-8's rule: the block
 *             scan, one register of narrowed units and four compares a
 *             block.
 *   avx512vbmi  the same code; in the wide forms a needle's unit at any
 *             distance d from the first (its last, or a VERIFIED needle's
 *             ambiguous unit) comes from the block's narrowed registers and
 *             the next one's by one byte permute (vpermt2b). Zen 4, A/B by
 *             turns against avx512bw when it narrowed such units again:
 *             2-byte "is" 1.05x, bett\u2019r 1.11x (0.66x of the 1-byte
 *             rate of "is"), "than" 1.17x, "nested" 1.29x; 4-byte
 *             bett\U0001F600r 1.26x (0.47x), "than" 1.28x, "Explicit" 1.29x,
 *             "nested" 1.43x. In a 1-byte text, a needle's last unit
 *             where its middle units are loaded too (3-6 units) comes
 *             from a window as well on AMD's cores, one permute for a
 *             load across two cache lines: 6 units at a hit every fifth
 *             word 1.19-1.21x, "better" 1.17-1.21x (on Intel's, loaded:
 *             simd_bytes_by_window). On Sapphire Rapids every 512-bit
 *             shuffle and every compare into a mask take one port, and
 *             vpermt2b two cycles of it (Zen 4: one): a 2-byte block's
 *             pack, permute, window, separators and test are seven
 *             cycles there, the form 0.60x of the 1-byte rate (Zen 4
 *             0.72x; docs/performance.md). So on Intel's cores the wide
 *             forms compare each unit of the needle tested in the
 *             registers into a mask of its own and make the pairs in
 *             general registers, from those masks of the block and of the
 *             next (PAIRED_BY_MASKS): a compare and a mask moved out
 *             (another port) a unit, where a window and a test were three
 *             cycles of that port. Sapphire Rapids, "is" at 256 K
 *             characters: 2-byte 28.3 -> 30.2 G chars/s, 4-byte 22.7 ->
 *             24.5; "nested" by sep=None 1.10-1.12x, "than" and "better"
 *             1.02-1.05x. Not on Ice Lake, where the window ran faster:
 *             "is" at 256 K characters 1.07x and 1.03-1.13x, the KJV's
 *             "the" 1.18x and 1.12x (simd_pairs_by_masks).
 *   avx2      the paired scan for 1-byte texts by every rule but UTF-8's:
 *             two registers a block, each loaded where it lies and again at
 *             the needle's last unit, the separators a shuffle and a compare
 *             (a str's by sep=None two shuffles and a compare), the pairs
 *             two compares and an AND, two masks moved out a register; groups
 *             of four blocks (of two where three or four middle units are
 *             tested: Zen 3, "better" 1.14-1.20x). Sapphire Rapids, "is" in
 *             1 M characters against the shifted scan it replaced (four
 *             loads a register) and, for a str's sep=None, the block
 *             scan, G chars/s: sep=" " 19.3-20.2 -> 24.8, bytes' sep=None
 *             24.3 -> 32.3, a str's 16.5 -> 18.5, fold 16.4 -> 18.1-18.2;
 *             the KJV's "LORD" 1.49x, "the" 1.21x, "Jerusalem" 1.16x,
 *             folded "lord" 1.57x; needles of 2-62 units at a hit every
 *             fifth word 1.03-1.24x, but 7 units 0.96x. The
 *             wide forms too (by sep=" " and a str's sep=None): a block's
 *             two registers narrowed once (two or four loads, a pack or
 *             three and a permute), the unit 1 or 2 on from the first from a
 *             window of a register and the one after it (two shuffles:
 *             simd_window), in the 4-byte form one up to 16 on from a
 *             window made for its distance (three shuffles and an OR:
 *             simd_window_far), one further on narrowed again; groups of
 *             two blocks. Zen 3, 1 M characters, against the block scan, by
 *             sep=" ": "is" 2-byte 14.9 -> 21.2 G chars/s, 4-byte 12.6 ->
 *             15.3, "than" 2.0x and 1.4x; the KJV's "the" 4.6 -> 17.8 and
 *             4.0 -> 13.3, "LORD" 1.4x and 1.1x; by a str's sep=None "is"
 *             1.16x and 1.07x, "than" 1.8x and 1.24x. (With the last unit
 *             narrowed again, not windowed, the 4-byte form lost: 0.65x on
 *             Sapphire Rapids, 0.74-0.90x on Zen 3.) On Zen 3
 *             the loop waits on its general registers, not its masks (a
 *             popcount less a block, counting wrongly: 1.23x), and the
 *             shifted scan kept 1- and 2-unit needles by bytes' sep=None
 *             faster ("is" 32.2 against 23.8): there their starts are
 *             tested in the register from a load of the units before
 *             (simd_starts_by_load; 29.8); by sep=" " folded, with a
 *             letter's fold one OR (fold_bit), the paired scan's 17.8 is
 *             22.1 against the shifted scan's 19.9 (docs/performance.md).
 *             By sep=" " a 1-byte group holding no "\r" (one test a group,
 *             simd_holds_by_least) runs its blocks without the "\r\n"
 *             test, compiled apart: Zen 3, "is" 24.2 -> 26.2 G chars/s,
 *             "than" 16.3 -> 21.6, folded "is" 21.5 -> 25.6 (paired_loop).
 *   sse2,     the block scan, four registers a block: the shifted scan's
 *   neon      sixteen loads and masks a block lost to the carried masks (SSE2
 *             8.7 -> 8.3 G chars/s on Zen 4); NEON is checked under qemu only.
 *             ssse3, the same built with SSSE3 and POPCNT: separators by
 *             simd_image_eq and simd_nibbles, a block's count one
 *             instruction, not a call, and 1-byte texts by the paired
 *             scan, four registers a block (kernel_sse2.c).
 * A 2- or 4-byte text narrowed into a buffer and scanned by the shifted scan
 * was slower than the block scan on it (Zen 4, 2-byte: 17.0 -> 14.7).
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
 *     simd_sub(w, a, b)             a - b in each lane
 *     simd_or_units(a, b)           a | b, bit by bit (a fold's test)
 *     simd_le(w, a, b)              lanes where a <= b, unsigned
 *     simd_or(a, b)                 on compare results
 *     simd_and(a, b)                on compare results, where simd_and_eq
 *                                   is not given
 *     simd_bits(mask)               as an integer: bit k*SIMD_BITS_PER_UNIT(w)
 *                                   for lane k (the lane's other bits copy it)
 *     SIMD_BITS_PER_UNIT(w)         1 with mask registers, w with movemask,
 *                                   4w with NEON's narrowing shift
 *     SIMD_BACKEND, SIMD_NAME       the wc_backend to define, and its name
 * and, where the instruction set does better than the defaults below,
 *     simd_and_eq(w, k, a, b)       lanes of k where a == b
 *                                   (with SIMD_HAS_AND_EQ defined)
 *     simd_narrow_and_eq(w, k, ptr, lanes of k whose unit from ptr equals
 *         unit)                     `unit`, splat at width w > 1, compared
 *                                   wide (with SIMD_HAS_NARROW_EQ: a
 *                                   VERIFIED needle's exact pairs)
 *     simd_image_eq(a, image)       bytes equal to byte (a & 15) of the
 *                                   16-byte `image` (never those from 0x80)
 *                                   (with SIMD_HAS_IMAGE_EQ defined)
 *     simd_block_bits(masks)        the compare results of a block's
 *                                   registers as 64 bits, bit k for byte k
 *                                   (with SIMD_HAS_BLOCK_BITS defined)
 *     simd_tests, simd_tests_all(), tests of a register's bytes, ANDed:
 *     simd_test_eq(t, x, unit),     x == unit; (x | bit) == unit (a
 *     simd_test_eq_folded(t, x,     fold: fold_bit); the lanes of a mask;
 *         unit, bit),               and the lanes that pass them all
 *     simd_test_mask(t, mask),      (with SIMD_HAS_TESTS defined; by
 *     simd_passed(t)                default each test is a compare ANDed
 *                                   into a compare result)
 *     simd_window(here, next, d)    units d .. d+SIMD_BYTES-1 of two
 *                                   registers of narrowed units in order,
 *                                   for d up to
 *                                   SIMD_WINDOW_REACH(w) (a constant 1 or
 *                                   2, or any up to 63; with
 *                                   SIMD_HAS_WINDOW: the paired scan's wide
 *                                   forms)
 *     simd_window_far(here, next, d) the same for a d known when the
 *                                   loop starts, up to
 *                                   SIMD_FAR_WINDOW_REACH(w) (with
 *                                   SIMD_HAS_FAR_WINDOW: PAIRED_FAR_WINDOW)
 *     simd_table(bytes16)           the 16 bytes in every 16-byte lane, and
 *     simd_nibbles(a, low, high)    bytes of a whose byte (a & 15) of low
 *                                   and byte (a >> 4) of high share a bit
 *                                   (with SIMD_HAS_NIBBLES: a str's
 *                                   separators by sep=None)
 *     simd_load_once(ptr)           simd_load, for a register used several
 *                                   times (with SIMD_HAS_LOAD_ONCE: one
 *                                   the compiler would load at each use)
 *     simd_holds(regs, n, unit)     does a byte of the n registers equal
 *                                   unit (with SIMD_HAS_HOLDS; by default
 *                                   compares ORed)
 *     simd_holds_by_least(regs, n,  the same by other values than those
 *         unit)                     compares make (with
 *                                   SIMD_HAS_HOLDS_BY_LEAST; by default
 *                                   simd_holds)
 * and, with SIMD_HAS_PAIRED, 1-byte texts take the paired scan (the wide
 * forms too, with SIMD_HAS_WINDOW), which compares whole candidates by
 *     simd_passed_all(t)            did every lane pass the tests t (with
 *                                   SIMD_HAS_TESTS)
 *     simd_equal_in(k, a, b)        is a == b in every lane of k (with
 *                                   SIMD_HAS_EQUAL_IN; by default
 *                                   simd_test_eq's test of those lanes)
 *     simd_covers(m, lanes)         is every lane of `lanes` set in m
 *                                   (with SIMD_HAS_COVERS; by default
 *                                   their bits moved out and compared)
 *     simd_nonzero_words(words)     which of SIMD_BYTES / 8 uint64_t words
 *                                   are not 0, bit k for word k
 *     simd_fetches_wide_ahead(),    does it fetch the wide forms ahead (the
 *     simd_fetches_bytes_ahead()    CPU's own prefetch falls behind), and
 *                                   a 1-byte text from memory
 *     simd_pairs_by_masks(),        the CPU's choices: PAIRED_BY_MASKS for
 *     simd_bytes_by_window(),       the wide forms, a window for a 1-byte
 *     simd_starts_by_load()         text's last unit, a load for its
 *                                   starts (paired_classify)
 * and these functions are compiled for the file's instruction set.
 */
#include <string.h>

#include "kernel.h"
#include "rule.h"

#ifndef SIMD_HAS_AND_EQ
static inline simd_mask simd_and_eq(unsigned w, simd_mask k, simd_vec a, simd_vec b)
{
    return simd_and(k, simd_eq(w, a, b));
}
#endif

#ifdef SIMD_HAS_NARROW_EQ
#define PAIRED_EXACT 1
#else
#define PAIRED_EXACT 0
/* (Never called: without it, compares_exactly is false.) */
static inline simd_mask simd_narrow_and_eq(unsigned w, simd_mask k, const char *at, simd_vec unit)
{
    (void)w, (void)at, (void)unit;
    return k;
}
#endif

#ifndef SIMD_HAS_TESTS
typedef simd_mask simd_tests;
static inline simd_tests simd_tests_all(void) { return simd_all_lanes(); }
static inline simd_tests simd_test_eq(simd_tests t, simd_vec x, simd_vec unit)
{
    return simd_and_eq(1, t, x, unit);
}
static inline simd_tests simd_test_eq_folded(simd_tests t, simd_vec x, simd_vec unit,
                                             simd_vec bit)
{
    return simd_and_eq(1, t, simd_or_units(x, bit), unit);
}
static inline simd_tests simd_test_mask(simd_tests t, simd_mask mask) { return simd_and(t, mask); }
static inline simd_mask simd_passed(simd_tests t) { return t; }
#endif

#ifndef SIMD_HAS_LOAD_ONCE
static inline simd_vec simd_load_once(const void *p) { return simd_load(p); }
#endif

#ifndef SIMD_HAS_HOLDS
static inline bool simd_holds(const simd_vec *regs, unsigned n, simd_vec unit)
{
    simd_mask any = simd_and_eq(1, simd_all_lanes(), regs[0], unit);
    for (unsigned k = 1; k < n; k++)
        any = simd_or(any, simd_and_eq(1, simd_all_lanes(), regs[k], unit));
    return simd_bits(any) != 0;
}
#endif

#ifndef SIMD_HAS_HOLDS_BY_LEAST
static inline bool simd_holds_by_least(const simd_vec *regs, unsigned n, simd_vec unit)
{
    return simd_holds(regs, n, unit);
}
#endif

/* Lanes where lo <= a <= hi, unsigned. */
static inline simd_mask simd_in_range(unsigned w, simd_vec a, uint32_t lo, uint32_t hi)
{
    return simd_le(w, simd_sub(w, a, simd_splat(w, lo)), simd_splat(w, hi - lo));
}

/* The lowest bit of each lane in a mask of `bits` bits per lane (1, 2, 4, 8
 * or 16): 0xff..ff, 0x55..55, 0x11..11, 0x0101.., 0x0001000100010001. */
static inline uint64_t simd_lane_low_bits(unsigned bits)
{
    return ~(uint64_t)0 / ((~(uint64_t)0) >> (64 - bits));
}

/* ---- separators --------------------------------------------------------- */

/* The kinds of rule the block scan is compiled for: each separator set is
 * tested in its own loops. */
enum { KIND_LINES, KIND_BYTES, KIND_STR, KIND_UTF8, NKINDS };

static inline int rule_kind(const wc_rule *rule)
{
    if (rule->split == WC_LINES)
        return KIND_LINES;
    return !rule->str_spaces ? KIND_BYTES : rule->utf8 ? KIND_UTF8 : KIND_STR;
}

/* The images of simd_image_eq: each byte's low nibble picks the separator
 * with that nibble, or a byte whose low nibble differs (and so equals no
 * byte with this nibble). Only the separators equal their image. */
#define IMAGE_LINES   0x20, 0x00, 0x03, 0x02, 0x05, 0x04, 0x07, 0x06, \
                      0x09, 0x08, 0x0a, 0x0a, 0x0d, 0x0c, 0x0f, 0x0e     /* " ", "\n" */
#define IMAGE_SPACES  0x20, 0x00, 0x03, 0x02, 0x05, 0x04, 0x07, 0x06, \
                      0x09, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0f, 0x0e     /* " ", \t-\r */

/* What KIND_STR's separators are found by: its two whitespace units from
 * 0x80, each in every lane; or, with simd_nibbles, its two tables. Each
 * run of its separators is the bytes whose high nibble and low nibble each
 * lie in a set (\t-\r: 0 and 9-13; \x1c-\x1f: 1 and 12-15; space; the two
 * from 0x80), a bit of the tables each. Made only for that kind: made for
 * every rule, the tables cost the word tables of the others 1-2% when made
 * for every 64 units, and their loops moved the scans' registers (folded
 * "than" in a 1-byte text 0.93x). */
static inline void spaces_of(int kind, const wc_rule *rule, simd_vec spaces[2])
{
    if (kind != KIND_STR) {
        spaces[0] = spaces[1] = simd_splat(1, ' ');
        return;
    }
#ifdef SIMD_HAS_NIBBLES
    uint8_t low[16] = {0}, high[16] = {0};
    for (unsigned nibble = 9; nibble <= 13; nibble++)
        low[nibble] |= 1;
    high[0] |= 1;
    for (unsigned nibble = 12; nibble <= 15; nibble++)
        low[nibble] |= 2;
    high[1] |= 2;
    low[0] |= 4;
    high[2] |= 4;
    for (unsigned k = 0; k < 2; k++) {
        low[rule->high_spaces[k] & 15] |= (uint8_t)(8 << k);
        high[rule->high_spaces[k] >> 4] |= (uint8_t)(8 << k);
    }
    spaces[0] = simd_table(low);
    spaces[1] = simd_table(high);
#else
    spaces[0] = simd_splat(1, rule->high_spaces[0]);
    spaces[1] = simd_splat(1, rule->high_spaces[1]);
#endif
}

/* Bytes (or narrowed units) that separate words by a rule of `kind`;
 * `spaces` as spaces_of makes them. */
static inline __attribute__((always_inline)) simd_mask
simd_separators(int kind, simd_vec bytes, const simd_vec spaces[2])
{
    simd_mask sep;
#ifdef SIMD_HAS_NIBBLES
    if (kind == KIND_STR)
        return simd_nibbles(bytes, spaces[0], spaces[1]);
#endif
#ifdef SIMD_HAS_IMAGE_EQ
    if (kind == KIND_LINES) {
        static const uint8_t image[16] = {IMAGE_LINES};
        return simd_image_eq(bytes, image);
    }
    static const uint8_t image[16] = {IMAGE_SPACES};
    sep = simd_image_eq(bytes, image);
#else
    const simd_mask all_lanes = simd_all_lanes();
    if (kind == KIND_LINES)
        return simd_or(simd_and_eq(1, all_lanes, bytes, simd_splat(1, ' ')),
                       simd_and_eq(1, all_lanes, bytes, simd_splat(1, '\n')));
    sep = simd_or(simd_and_eq(1, all_lanes, bytes, simd_splat(1, ' ')),
                  simd_in_range(1, bytes, '\t', '\r'));
#endif
    if (kind == KIND_BYTES)
        return sep;
    sep = simd_or(sep, simd_in_range(1, bytes, 0x1C, 0x1F));
    if (kind == KIND_STR)
        sep = simd_or(sep, simd_or(simd_and_eq(1, simd_all_lanes(), bytes, spaces[0]),
                                   simd_and_eq(1, simd_all_lanes(), bytes, spaces[1])));
    return sep;
}

/* The units of a block (at: 64 units of width w) that are whitespace from
 * U+0100 on: looked for where a unit lies in U+1680 .. U+3000, and each
 * such unit tested. Only blocks holding a unit that narrows to 0xFF come
 * here. */
static inline __attribute__((always_inline)) uint64_t wide_spaces(const char *at, unsigned w)
{
    const size_t lanes = SIMD_BYTES / w;
    const uint64_t low_bits = simd_lane_low_bits(SIMD_BITS_PER_UNIT(w));
    const unsigned shift = (unsigned)__builtin_ctz(SIMD_BITS_PER_UNIT(w));
    uint64_t spaces = 0;
    for (size_t k = 0; k < 64 / lanes; k++) {
        simd_mask maybe = simd_in_range(w, simd_load(at + k * SIMD_BYTES), 0x1680, 0x3000);
        for (uint64_t bits = simd_bits(maybe) & low_bits; bits; bits &= bits - 1) {
            size_t i = k * lanes + ((size_t)__builtin_ctzll(bits) >> shift);
            if (wc_is_wide_space(wc_load(at, i, w)))
                spaces |= (uint64_t)1 << i;
        }
    }
    return spaces;
}

static __attribute__((noinline)) uint64_t wide_spaces_2(const char *at) { return wide_spaces(at, 2); }
static __attribute__((noinline)) uint64_t wide_spaces_4(const char *at) { return wide_spaces(at, 4); }

/* The bytes of the block at p that belong to UTF-8 whitespace of two or
 * three bytes: those that begin at the block's `leads` (bytes 0xC2 and
 * 0xE1-0xE3), and those that began in the two bytes before it. */
static __attribute__((noinline)) uint64_t utf8_spaces(const wc_query *q, size_t p, uint64_t leads)
{
    const unsigned char *text = q->text;
    uint64_t spaces = 0;
    for (size_t back = 1; back <= 2 && back <= p; back++) {
        size_t n = wc_utf8_space_length(text, q->text_len, p - back);
        if (n > back)
            spaces |= ((uint64_t)1 << (n - back)) - 1;
    }
    for (; leads; leads &= leads - 1) {
        unsigned k = (unsigned)__builtin_ctzll(leads);
        size_t n = wc_utf8_space_length(text, q->text_len, p + k);
        if (n)
            spaces |= k + n <= 64 ? (((uint64_t)1 << n) - 1) << k : ~(uint64_t)0 << k;
    }
    return spaces;
}

/* ---- the block scan ----------------------------------------------------- */

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

/* Needle shapes that get a loop of their own, so that no test of the
 * needle's length is left inside a loop (the compiler does not hoist them). */
enum { EMPTY_NEEDLE, ONE_UNIT, TWO_UNITS, LONGER, VERIFIED, HEADS, NSHAPES };

/* The longest needle whose starts and ends are paired: the rule looks at
 * units up to m + 1 past a start, so every start of a block is decided by
 * it and the next. */
#define PAIRED_MAX_NEEDLE 62

/* How far on the backend's window (simd_window) reaches in the form of
 * w-byte units: none, 2 units, or past every distance the paired scan asks
 * for. */
#ifndef SIMD_WINDOW_REACH
#define SIMD_WINDOW_REACH(w) 0
#endif
#define WINDOW_REACHES_ALL(w) (SIMD_WINDOW_REACH(w) > PAIRED_MAX_NEEDLE)

/* How far on the backend's simd_window_far reaches, for a distance known
 * when the loop starts: none, or up to 16 units (PAIRED_FAR_WINDOW). */
#ifndef SIMD_FAR_WINDOW_REACH
#define SIMD_FAR_WINDOW_REACH(w) 0
#endif

/* Where a needle of units narrowed to bytes may equal what it does not: a
 * unit the narrowing does not keep (0 and 0xFF are where the wide units it
 * does not keep land). Then every candidate is compared whole, wide. */
static inline bool unit_narrows_ambiguously(uint32_t unit)
{
    return unit == 0 || unit >= 0xFF;
}

static inline bool needle_narrows_ambiguously(const wc_query *q)
{
    for (size_t j = 0; j < q->needle_len; j++)
        if (unit_narrows_ambiguously(wc_load(q->needle, j, q->width)))
            return true;
    return false;
}

/* Every byte lane set to `unit` narrowed as the text's units are (filled
 * 8 bytes at a time: a unit at a time cost a tiny count 10-20 ns). */
static inline simd_vec simd_narrow_splat(unsigned w, uint32_t unit)
{
    if (w == 1)
        return simd_splat(1, unit);
    char units[SIMD_BYTES * 4] = {0};   /* (filled below; GCC at -O1 cannot tell) */
    const uint64_t lanes = w == 2 ? (uint64_t)unit * 0x0001000100010001u
                                  : (uint64_t)unit * 0x0000000100000001u;
    for (size_t k = 0; k < SIMD_BYTES * w / 8; k++)
        memcpy(units + 8 * k, &lanes, 8);   /* little-endian */
    return simd_narrow(units, w);
}

/* The bit that folds a needle's (lowered) unit: 0x20 for a letter, whose
 * other case differs from it in that bit alone, so that x | 0x20 is the
 * lowered unit just where x is either case; 0 for any other unit, which is
 * then compared as it is. One OR and one compare where a compare with
 * each case and their OR were three: on Zen 3, AVX2, by turns at 1 M
 * characters folded, "is" 17.4 -> 22.1 G chars/s, "a" 21.2 -> 24.6,
 * "than" 13.9 -> 15.9, "better" 8.4 -> 12.4, the KJV's "of" 17.4 -> 22.0,
 * "lord" 1.02x; SSE2 1.01-1.05x. (AVX-512's tests were one ternary logic
 * of the same bit, and are.) */
static inline uint8_t fold_bit(uint32_t unit, bool fold)
{
    return fold && unit - 'a' < 26 ? 0x20 : 0;
}

/* x as a folded unit is compared: with fold_bit ORed in. */
static inline __attribute__((always_inline)) simd_vec folded(simd_vec x, simd_vec bit, bool fold)
{
    return fold ? simd_or_units(x, bit) : x;
}

/* What a block is compared with: the needle's first and last unit (each
 * with its fold_bit: [1]), and KIND_STR's high spaces.
 * A VERIFIED needle's candidates compare whole, so a middle unit that
 * narrows ambiguously (ambiguous_at; or, with none, the first again) is
 * compared in the block too: in an English text, "bett\u2019r" leaves no
 * candidate but the words with a wide unit there. */
typedef struct {
    simd_vec first[2], last[2], spaces[2], ambiguous;
    size_t ambiguous_at;
    /* The unit the paired scan tests with the first (pair_at units on):
     * the last, or the VERIFIED needle's ambiguous middle unit. */
    simd_vec pair[2];
    size_t pair_at;
    /* The pair's unit as it is (a VERIFIED needle's pairs compared
     * exactly: simd_narrow_and_eq). */
    uint32_t pair_unit;
} needle_vecs;

/* One block's units as bit masks: separators, the needle's first and last
 * unit, "\r", and a VERIFIED needle's ambiguous unit. A "\r" is rare outside
 * CRLF texts, so its mask is made only where the block holds one (0
 * otherwise). */
typedef struct {
    uint64_t sep, first, last, cr, ambiguous;
} block_masks;

/* The masks of a block wholly past the text's end: all separators. */
#define PAST_THE_END ((block_masks){~(uint64_t)0, 0, 0, 0, 0})

/* The block of 64 units at `at`, units p .. p+63 of q's text (or a padded
 * copy of them). */
static inline __attribute__((always_inline)) block_masks
simd_classify(const wc_query *q, size_t p, const char *at, unsigned w, int kind, int shape,
              bool fold, const needle_vecs *nv)
{
    const simd_mask all_lanes = simd_all_lanes();
    const simd_vec cr = simd_splat(1, '\r');
    simd_mask sep[SIMD_REGS_PER_BLOCK], firsts[SIMD_REGS_PER_BLOCK],
              lasts[SIMD_REGS_PER_BLOCK], crs[SIMD_REGS_PER_BLOCK], rare[SIMD_REGS_PER_BLOCK],
              ambiguous[SIMD_REGS_PER_BLOCK];
    /* rare: units that may begin whitespace of more than one byte (UTF-8),
     * or be whitespace from U+0100 on (wide units, narrowed to 0xFF). */
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++) {
        simd_vec bytes = simd_narrow(at + k * SIMD_BYTES * w, w);
        sep[k] = simd_separators(kind, bytes, nv->spaces);
        if (shape != EMPTY_NEEDLE)
            firsts[k] = simd_and_eq(1, all_lanes, folded(bytes, nv->first[1], fold), nv->first[0]);
        if (shape >= TWO_UNITS)
            lasts[k] = simd_and_eq(1, all_lanes, folded(bytes, nv->last[1], fold), nv->last[0]);
        if (kind == KIND_LINES)
            crs[k] = simd_and_eq(1, all_lanes, bytes, cr);
        if (shape == VERIFIED)
            ambiguous[k] = simd_and_eq(1, all_lanes, bytes, nv->ambiguous);
        if (kind == KIND_STR && w > 1)
            rare[k] = simd_and_eq(1, all_lanes, bytes, simd_splat(1, 0xFF));
        else if (kind == KIND_UTF8)
            rare[k] = simd_or(simd_and_eq(1, all_lanes, bytes, simd_splat(1, 0xC2)),
                              simd_in_range(1, bytes, 0xE1, 0xE3));
        else
            rare[k] = sep[k];   /* (unused) */
    }
    block_masks b = {simd_block_bits(sep), 0, 0, 0, 0};
    if (shape == VERIFIED)
        b.ambiguous = simd_block_bits(ambiguous);
    if (shape != EMPTY_NEEDLE)
        b.first = simd_block_bits(firsts);
    b.last = shape >= TWO_UNITS ? simd_block_bits(lasts) : b.first;
    if (kind == KIND_LINES) {
        simd_mask any_cr = crs[0];
        for (unsigned k = 1; k < SIMD_REGS_PER_BLOCK; k++)
            any_cr = simd_or(any_cr, crs[k]);
        if (simd_bits(any_cr))
            b.cr = simd_block_bits(crs);
    }
    if (kind == KIND_STR && w > 1) {
        simd_mask any = rare[0];
        for (unsigned k = 1; k < SIMD_REGS_PER_BLOCK; k++)
            any = simd_or(any, rare[k]);
        if (simd_bits(any))
            b.sep |= w == 2 ? wide_spaces_2(at) : wide_spaces_4(at);
    }
    if (kind == KIND_UTF8) {
        const unsigned char *text = q->text;
        uint64_t leads = simd_block_bits(rare);
        if (leads || (p >= 1 && text[p - 1] >= 0xC2) || (p >= 2 && text[p - 2] >= 0xE1))
            b.sep |= utf8_spaces(q, p, leads);
    }
    return b;
}

/* The block at p from a copy of its units, those past the text's end
 * spaces (the end of the text ends a word as a space does); all separators
 * when the block lies wholly past the end. For the blocks at the edges of a
 * range, where a copy costs little. */
static inline __attribute__((always_inline)) block_masks
simd_classify_padded(const wc_query *q, size_t p, unsigned w, int kind, int shape, bool fold,
                     const needle_vecs *nv)
{
    if (p >= q->text_len)
        return PAST_THE_END;
    char units[64 * 4];
    const size_t n = q->text_len - p < 64 ? q->text_len - p : 64;
    /* Spaces in every unit (little-endian), 8 bytes at a time, then the
     * text over them: a space a unit cost a tiny count a third of its time. */
    const uint64_t spaces = w == 1 ? 0x2020202020202020u : w == 2 ? 0x0020002000200020u
                                                                  : 0x0000002000000020u;
    for (size_t k = 0; k < 8 * w; k++)
        memcpy(units + 8 * k, &spaces, 8);
    memcpy(units, (const char *)q->text + p * w, n * w);
    return simd_classify(q, p, units, w, kind, shape, fold, nv);
}

/* Bits k .. k+63 of the 128-bit here + (next << 64), for k < 64. */
static inline uint64_t window(uint64_t here, uint64_t next, size_t k)
{
    return (here >> k) | ((next << 1) << (63 - k));
}

/* Texts from this size on come from memory rather than cache (an L3 holds 8
 * to 32 MiB), and the scans fetch 8 KiB ahead of themselves, a cache line
 * at a time. On one Zen 1 core, 16 to 64 MiB of text, fetching 2048 units
 * ahead: bytes from 7.0 to 9.3 G chars/s, the 2-byte form from 4.3 to
 * 5.7-6.4, the 4-byte form from 2.4-2.7 to 2.9-3.0; in cache the fetches
 * would cost 4-9%. A faster loop catches up with fetches that near: on Zen
 * 5, 200 MB of bytes by the shifted scan with its tests in one register
 * read 14.8-19.3 G chars/s fetching 2048 bytes ahead, 21.2-21.9 fetching
 * 8192; on Zen 4, 128 M units of each form against 2048 units ahead: bytes
 * 1.02-1.10x, the 2-byte form 1.04-1.09x, the 4-byte form (as far ahead as
 * before) 0.99x; 8192 units ahead lost the 4-byte form 8% (A/B by turns in
 * one process). */
#define STREAMING_MIN_BYTES ((size_t)8 << 20)
#define PREFETCH_BYTES 8192

/* The fetch of `blocks` blocks of 64 units PREFETCH_BYTES ahead of p, a
 * cache line at a time. (An address, not a pointer: it may lie past the
 * text's end.) */
static inline __attribute__((always_inline)) void
fetch_ahead(const char *text, size_t p, unsigned w, unsigned blocks)
{
    for (unsigned line = 0; line < blocks * w; line++)
        __builtin_prefetch((const void *)((uintptr_t)text + p * w + PREFETCH_BYTES + 64 * line));
}

/* Where words that may be the needle start and end in a block: a start has
 * a separator before it and the needle's first unit; an end is a separator
 * (or a "\r", ends_cr) after the needle's last unit. Starts and ends are
 * then paired by one shift by the needle's length. The block before's top
 * separator and last-unit bits come in `carry` and the block's go out. */
typedef struct {
    uint64_t heads, ends, ends_cr, ambiguous;
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
    words.ambiguous = b.ambiguous;
    carry[0] = b.sep >> 63;
    carry[1] = b.last >> 63;
    return words;
}

/* HEADS: the starts among `heads` (of the block at p) where the whole
 * needle lies and a word ends after it. Rare needles: one copy for all. */
static __attribute__((noinline)) size_t count_heads(const wc_query *q, size_t p, uint64_t heads)
{
    const size_t m = q->needle_len, len = q->text_len;
    const unsigned w = q->width;
    const bool needle_ends_cr = wc_needle_ends_cr(q);
    size_t count = 0;
    for (; heads; heads &= heads - 1) {
        size_t i = p + (size_t)__builtin_ctzll(heads);
        count += i + m <= len
                 && wc_bytes_equal((const char *)q->text + i * w, q->needle, m * w,
                                   q->rule->fold_ascii)
                 && wc_word_ends_at(q->rule, q->text, len, i + m, w, needle_ends_cr);
    }
    return count;
}

/* The needle's words that start in a block at p, among `heads` (the
 * block's, maybe cut to a range): starts paired with the ends m units on,
 * in this block and the next; or, for HEADS, every start compared whole. */
static inline __attribute__((always_inline)) size_t
count_block(const wc_query *q, size_t p, uint64_t heads, block_words here, block_words next,
            const needle_vecs *nv, unsigned w, int kind, int shape, bool fold)
{
    const size_t m = q->needle_len, len = q->text_len;
    const char *text = q->text, *needle = q->needle;
    size_t count = 0;
    if (shape == HEADS)
        return count_heads(q, p, heads);
    uint64_t match = heads & window(here.ends, next.ends, m);
    if (shape == VERIFIED)
        match &= window(here.ambiguous, next.ambiguous, nv->ambiguous_at);
    /* A candidate followed by "\r" is rare (it ends a CRLF line): the "\n"
     * after it is tested one at a time. */
    if (kind == KIND_LINES && (here.ends_cr | next.ends_cr))
        for (uint64_t cr = heads & window(here.ends_cr, next.ends_cr, m); cr; cr &= cr - 1) {
            size_t i = p + (size_t)__builtin_ctzll(cr);
            if (i + m + 1 < len && wc_load(text, i + m + 1, w) == '\n')
                match |= cr & -cr;
        }
    if (shape != LONGER && shape != VERIFIED)
        return (size_t)__builtin_popcountll(match);
    /* The units of a candidate still to compare: the middle ones, or all. */
    const size_t from = shape == VERIFIED ? 0 : 1, units = shape == VERIFIED ? m : m - 2;
    for (; match; match &= match - 1) {
        size_t i = p + (size_t)__builtin_ctzll(match);
        count += wc_bytes_equal(text + (i + from) * w, needle + from * w, units * w, fold);
    }
    return count;
}

/* The needle's unit j as the block compares it: narrowed ([0]), and the
 * fold_bit of each lane ([1]). */
static inline void needle_unit_vecs(const wc_query *q, size_t j, unsigned w, bool fold,
                                    simd_vec out[2])
{
    uint32_t unit = wc_load(q->needle, j, w);
    out[0] = simd_narrow_splat(w, unit);
    out[1] = simd_splat(1, fold_bit(unit, fold));
}

static inline void needle_vecs_of(const wc_query *q, unsigned w, int kind, bool fold,
                                  needle_vecs *nv)
{
    const size_t m = q->needle_len;
    nv->first[0] = nv->first[1] = nv->last[0] = nv->last[1] = simd_splat(1, 0);
    if (m > 0) {
        needle_unit_vecs(q, 0, w, fold, nv->first);
        needle_unit_vecs(q, m - 1, w, fold, nv->last);
    }
    spaces_of(kind, q->rule, nv->spaces);
    nv->ambiguous_at = 0;
    for (size_t j = 1; w > 1 && j + 1 < m && !nv->ambiguous_at; j++)
        if (unit_narrows_ambiguously(wc_load(q->needle, j, w)))
            nv->ambiguous_at = j;
    nv->ambiguous = m > 0 ? simd_narrow_splat(w, wc_load(q->needle, nv->ambiguous_at, w))
                          : nv->first[0];
    nv->pair_at = nv->ambiguous_at ? nv->ambiguous_at : m - 1;
    nv->pair[0] = nv->ambiguous_at ? nv->ambiguous : nv->last[0];
    nv->pair[1] = nv->ambiguous_at ? simd_splat(1, 0) : nv->last[1];   /* (not a letter) */
    nv->pair_unit = m > 0 ? wc_load(q->needle, nv->pair_at, w) : 0;
}

typedef block_masks (*classify_fn)(const wc_query *q, size_t p, const needle_vecs *nv);

/* The loop of the block scan: the blocks at *p, *p + 64, ... up to `last`,
 * each with the next one classified from the text; *here holds the block
 * at *p. With `streaming`, the text is fetched ahead (a loop of its own:
 * a test of it in the loop kept two more values from registers, and the
 * loop lost 10-30% on Zen 4). */
static inline __attribute__((always_inline)) size_t
simd_scan_inside(const wc_query *q, size_t *p_inout, size_t last, block_words *here_inout,
                 uint64_t carry[2], const needle_vecs *nv, unsigned w, int kind, int shape,
                 bool fold, bool streaming)
{
    const char *text = q->text;
    const needle_vecs v = *nv;
    block_words here = *here_inout;
    uint64_t carried[2] = {carry[0], carry[1]};
    size_t count = 0, p = *p_inout;
    for (; p <= last; p += 64) {
        if (streaming)
            fetch_ahead(text, p, w, 1);
        block_words next = block_words_of(simd_classify(q, p + 64, text + (p + 64) * w, w, kind,
                                                        shape, fold, &v), shape, carried);
        count += count_block(q, p, here.heads, here, next, &v, w, kind, shape, fold);
        here = next;
    }
    carry[0] = carried[0];
    carry[1] = carried[1];
    *here_inout = here;
    *p_inout = p;
    return count;
}

/* The middle of a LONGER needle (units 1 .. m-2): how many units, and the
 * first ones as the registers test them. */
typedef struct {
    size_t units;
    simd_vec units_at[4][2];    /* a middle's first four units: each as
                                   needle_unit_vecs makes it */
} needle_middle;

/* The paired scan's: in a 1-byte text a middle unit tested in the register
 * costs a load, and up to four of them cost less than the candidates'
 * compares ("better" in the Zen of Python 1.7x, needles of 5 units at a hit
 * every fifth word 2.2x); in the wide forms a unit past the second is
 * narrowed again (the 4-byte form: four loads and four shuffles), and
 * costs more (the same "better" 0.86x); so does each from a window that
 * reaches it (VBMI: "nested" 0.59x). */
#define PAIRED_MIDDLES_IN_REGISTERS(w) ((w) == 1 ? 4 : 2)

static inline needle_middle needle_middle_of(const wc_query *q, unsigned w, bool fold)
{
    /* (A VERIFIED needle may have fewer than 3 units: then no middle.) */
    needle_middle mid = {q->needle_len > 2 ? q->needle_len - 2 : 0, {{simd_splat(1, 0)}}};
    for (size_t j = 0; j < mid.units && j < PAIRED_MIDDLES_IN_REGISTERS(1); j++)
        needle_unit_vecs(q, 1 + j, w, fold, mid.units_at[j]);
    return mid;
}

/* simd_tests that x holds a needle's unit (as needle_unit_vecs makes it:
 * with fold, either case). */
static inline __attribute__((always_inline)) simd_tests
test_unit(simd_tests t, simd_vec x, const simd_vec unit[2], bool fold)
{
    return fold ? simd_test_eq_folded(t, x, unit[0], unit[1]) : simd_test_eq(t, x, unit[0]);
}

typedef size_t (*block_scan_fn)(const wc_query *q, size_t begin, size_t end);

/* The first unit from `begin` that lies at a multiple of 64 bytes (units
 * aligned to their width, as a str's are). */
static inline size_t aligned_start(const char *text, size_t begin, unsigned w)
{
    const uintptr_t address = (uintptr_t)text + begin * w;
    return begin + (address % 64 ? (64 - address % 64) / w : 0);
}

/* THE PAIRED SCAN, for paired needles where SIMD_PAIRED says: each block
 * loaded once where it lies (at a multiple of 64 bytes; the wide forms
 * narrowed once, in order) and made two masks, its separators and its
 * pairs, the units that equal needle[0] with needle[m-1] m-1 units on
 * (tested in the same register, from one more load at that offset, or in
 * the wide forms from the block's narrowed units and the next block's):
 *
 *     heads   = pairs & (sep << 1, with the top bit of the block before)
 *     matches = heads & (sep of this block and the next) >> m
 *
 * The block scan's four masks a block (separators, first, last, "\r")
 * become two, and the shifted scan's four loads, three of them across two
 * cache lines (each narrowed again in the wide forms), one or two. What it
 * saves is what Zen 4 waits on: a mask moved to a general register (kmovq)
 * takes two cycles, whatever else runs, and a load across two cache lines
 * an extra one. By sep=" " a word also ends before the "\r" of a "\r\n":
 * blocks are taken four or eight at a time (PAIRED_GROUP), and only a
 * group that holds a "\r" makes the masks of "\r" and "\n" for its
 * ends; likewise a wide str's
 * whitespace from U+0100 (wide_spaces) is looked for only in a group that
 * holds a unit narrowed to 0xFF. Middles of up to
 * PAIRED_MIDDLES_IN_REGISTERS units are tested in the register too, or
 * compared at each candidate, as the text's words choose (paired_either);
 * longer ones, and VERIFIED needles whole, are compared at each candidate,
 * the candidates of PAIRED_PENDING blocks at a time (paired_verify; a
 * VERIFIED needle's only in a group that holds its ambiguous unit). */
#ifdef SIMD_HAS_PAIRED
#define SIMD_PAIRED(w, kind, shape)                                                            \
    ((shape) >= ONE_UNIT && (shape) <= VERIFIED                                                \
     && ((w) == 1 ? (kind) != KIND_UTF8                                                        \
                  : PAIRED_WIDE && ((kind) == KIND_LINES || (kind) == KIND_STR)))

/* The wide forms take the paired scan where a window shifts their narrowed
 * registers (else their needle's last unit is narrowed again from the text,
 * and with AVX2 the 4-byte form ran at 0.65x its block scan's rate). */
#ifdef SIMD_HAS_WINDOW
#define PAIRED_WIDE 1
#else
#define PAIRED_WIDE 0
#endif

/* In the 4-byte form, needles whose middle is tested in the registers, and
 * VERIFIED ones, which test none: where the last unit is narrowed again
 * (four loads and four shuffles), the block scan compares the candidates
 * of longer ones faster ("better" in the Zen of Python 1.21x, "Explicit"
 * 1.27x), but not those of a VERIFIED needle ("bett\U0001F600r" 0.95x);
 * where a window reaches it, every needle (by the paired scan "better"
 * 1.21x, "Explicit" 1.31x, "nested" 1.44-1.48x). By a str's sep=None,
 * whose separators take two tables and more shuffles, only needles that a
 * window reaches whole (AVX2 on Zen 3, by the paired scan: "ugly" 0.93x,
 * "than", whose hits are many, 1.2x; by sep=" " 1.07x and 1.47x). AVX2's
 * simd_window_far reaches 16 units on: by sep=" " the paired scan then
 * takes needles up to 17 units (Zen 3, against the block scan: "nested"
 * 1.06x, "Explicit" 1.13x, "better" 1.32x), by a str's sep=None not
 * ("ugly", "nested", "complex" 0.90-0.91x; "than" 1.24x). */
#define PAIRED_NEEDLE(w, kind, shape, m)                                                       \
    ((w) <= 2 || WINDOW_REACHES_ALL(w) || (shape) == VERIFIED                                  \
     || (m) <= 1 + SIMD_WINDOW_REACH(w)                                                        \
     || ((kind) != KIND_STR                                                                    \
         && ((m) <= 2 + PAIRED_MIDDLES_IN_REGISTERS(w) || (m) <= 1 + SIMD_FAR_WINDOW_REACH(w))))

/* The blocks of a group: the "\r" test is made once for them all. Eight
 * by sep=" " in a 1-byte text whose pairs are tested alone, without fold
 * (Sapphire Rapids, by turns against four: "is" 1.06x; "nested" and
 * "Explicit", whose middles are compared at candidates, 1.06-1.11x and
 * 1.00-1.04x); else four (eight: middles tested in the registers 0.82x,
 * "is" by a str's sep=None 0.96x, fold 0.98x, the 2-byte form
 * 0.92-0.97x). With AVX2's registers, two a block, eight blocks and the one
 * after take more than its sixteen: four ("is" 1.07x, "Beautiful",
 * "nested" and "Explicit" 1.05-1.06x); in the wide forms, whose windows
 * take registers too, two (Zen 3 against four, by sep=" ": "is" 2-byte
 * 1.05x, 4-byte 1.10x, "than" 1.19x and 1.26x, the KJV's "the" 1.38x and
 * 1.10x; by a str's sep=None four lost to the block scan, "ugly" 0.78x);
 * and two in a 1-byte text whose three or four middle units the registers
 * test, each from a load of its own (Zen 3 against four: "better"
 * 1.14-1.20x, needles of 5 and 6 units at a hit every fifth word 1.18x and
 * 1.13x; its loads and stores of the stack a byte about the same). Not
 * folded: there the loop of two middle units, in the same function, came
 * out slower ("than" 0.95x; folded "better" 1.07x). */
#define PAIRED_GROUP_MAX 8
#define PAIRED_GROUP(w, kind, middles, fold)                                                   \
    ((w) == 1 && (kind) == KIND_LINES && (middles) <= 0 && !(fold) && SIMD_REGS_PER_BLOCK == 1 \
         ? 8                                                                                   \
     : ((w) > 1 || ((middles) >= 3 && !(fold))) && SIMD_REGS_PER_BLOCK == 2 ? 2                \
                                                                            : 4)

/* The blocks whose candidates are compared at once (paired_verify): with
 * 16, 32, 64, 128 and 256, needles of 16 units at a hit every fifth word
 * ran at 0.64x, 0.87x, 1, 1.05x and 1.08x the rate with 64 (Zen 4). */
#define PAIRED_PENDING 256

/* One block of the paired scan: its separators; the units a word of the
 * needle may end before (the separators, and in a group that holds a "\r"
 * the "\r" of each "\r\n"); and its pairs. */
typedef struct {
    uint64_t sep, ends, pairs;
    uint64_t others[3]; /* by PAIRED_BY_MASKS, `pairs` holds the units
                           equal to the first, these those equal to the
                           one tested with it and to the middle ones */
} paired_masks;

/* The registers of the block at `at`, its units narrowed in order, each
 * loaded once. */
static inline __attribute__((always_inline)) void
load_block(const char *at, unsigned w, simd_vec bytes[SIMD_REGS_PER_BLOCK])
{
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++)
        bytes[k] = w == 1 ? simd_load_once(at + k * SIMD_BYTES)
                          : simd_narrow(at + k * SIMD_BYTES * w, w);
}

/* The units d .. of register k of the block at p (units d <= 62 past the
 * register's), from the text: a load in a 1-byte text (across a cache
 * line, and cheaper than shifting registers), narrowed again in the wide
 * forms. */
static inline __attribute__((always_inline)) simd_vec
text_units(const wc_query *q, size_t p, unsigned w, unsigned k, size_t d)
{
    const char *at = (const char *)q->text + (p + k * SIMD_BYTES + d) * w;
    return w == 1 ? simd_load(at) : simd_narrow(at, w);
}

/* The narrowed register after register k of the block (`here`): the
 * block's next, or the first of the next block's (`next`). */
static inline __attribute__((always_inline)) simd_vec
register_after(const simd_vec *here, const simd_vec *next, unsigned k)
{
    return k + 1 < SIMD_REGS_PER_BLOCK ? here[k + 1] : next[0];
}

/* The same for a d that is a constant, or any where WINDOW_REACHES_ALL(w): in
 * the wide forms, where the window reaches, the narrowed register k of the
 * block (`here`) and the one after it (the block's next, or the first of
 * the next block's, `next`) shifted by d units; in a 1-byte text too, its
 * registers as loaded, where `bytes_by_window` says. */
static inline __attribute__((always_inline)) simd_vec
paired_units(const wc_query *q, size_t p, unsigned w, const simd_vec *here, const simd_vec *next,
             unsigned k, size_t d, bool bytes_by_window)
{
#ifdef SIMD_HAS_WINDOW
    /* (WINDOW_REACHES_ALL(w) first: a constant where d may not be, so that
     * no test of d is left in the loop; avx512vbmi lost 7-17% to one) */
    if ((w > 1 || bytes_by_window) && (WINDOW_REACHES_ALL(w) || d <= SIMD_WINDOW_REACH(w)))
        return simd_window(here[k], register_after(here, next, k), (unsigned)d);
#endif
    (void)here, (void)next, (void)bytes_by_window;
    return text_units(q, p, w, k, d);
}

/* The units d on (up to SIMD_FAR_WINDOW_REACH(w)) of register k of the
 * block at p, d known when the loop starts: from a window of the block's
 * narrowed registers and the next ones, as paired_units shifts them. */
static inline __attribute__((always_inline)) simd_vec
far_window_units(const wc_query *q, size_t p, unsigned w, const simd_vec *here,
                 const simd_vec *next, unsigned k, size_t d)
{
#ifdef SIMD_HAS_FAR_WINDOW
    (void)q, (void)p, (void)w;
    return simd_window_far(here[k], register_after(here, next, k), (unsigned)d);
#else
    (void)here, (void)next;
    return text_units(q, p, w, k, d);
#endif
}

/* The paired scan's `reach`, a constant of each loop: how many units on
 * from the first the unit tested with it lies (needle_vecs' pair), 0 for
 * none, PAIRED_FAR for pair_at units on, past a window's reach, or
 * PAIRED_FAR_WINDOW for pair_at units on, within simd_window_far's. Chosen
 * in the loop, the VERIFIED needles' choices (the ambiguous unit or the
 * last, a window or the units narrowed again) stayed there as branches and
 * spilled registers: "bett\u2019r" in a 2-byte Zen of Python 0.47x -> 0.61x
 * of the 1-byte rate of "is" (Zen 4). */
#define PAIRED_FAR 3
#define PAIRED_FAR_WINDOW 5

/* A `reach` too, in the wide forms without fold: the unit tested with the
 * first, and each middle one tested in the registers, compared into a mask
 * of its own, and the pairs made in general registers from those masks of
 * the block and of the next, where the window (two shuffles, or one
 * `vpermt2b` of two cycles on Sapphire Rapids, on the port of every
 * compare into a mask) and the test took three cycles of that port: one
 * compare and one mask moved out (kmovq, on another port) in their place
 * (simd_pairs_by_masks). */
#define PAIRED_BY_MASKS 4

/* The "\r"s of the block at p, whose narrowed registers are `bytes`, that a
 * "\n" follows (the unit after the block is read: it lies inside the
 * text). */
static inline __attribute__((always_inline)) uint64_t
crlf_of(const wc_query *q, size_t p, unsigned w, const simd_vec bytes[SIMD_REGS_PER_BLOCK])
{
    simd_mask crs[SIMD_REGS_PER_BLOCK], lfs[SIMD_REGS_PER_BLOCK];
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++) {
        crs[k] = simd_and_eq(1, simd_all_lanes(), bytes[k], simd_splat(1, '\r'));
        lfs[k] = simd_and_eq(1, simd_all_lanes(), bytes[k], simd_splat(1, '\n'));
    }
    const uint64_t cr = simd_block_bits(crs), lf = simd_block_bits(lfs);
    return cr & (lf >> 1 | (uint64_t)(wc_load(q->text, p + 64, w) == '\n') << 63);
}

/* The whitespace from U+0100 of the block at p, whose narrowed registers
 * are `bytes`, if any unit of it narrowed to 0xFF. */
static inline __attribute__((always_inline)) uint64_t
wide_spaces_of(const wc_query *q, size_t p, unsigned w, const simd_vec bytes[SIMD_REGS_PER_BLOCK])
{
    simd_mask rare[SIMD_REGS_PER_BLOCK];
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++)
        rare[k] = simd_and_eq(1, simd_all_lanes(), bytes[k], simd_splat(1, 0xFF));
    if (!simd_block_bits(rare))
        return 0;
    const char *at = (const char *)q->text + p * w;
    return w == 2 ? wide_spaces_2(at) : wide_spaces_4(at);
}

/* The tests of a block's pairs (its units against the needle's first,
 * last and middle ones). Where a 1-byte text's pair is two units, without
 * fold (which tests each twice), a compare into a mask and one masked by
 * it: two instructions where a XOR, a ternary logic and a test were three
 * (Sapphire Rapids, by turns at 256 K characters, "is" by sep=" "
 * 1.04-1.07x, by bytes' sep=None 1.08-1.15x, by a str's 1.03-1.06x; Zen 4
 * 1.02x); so too where the middle is compared at candidates (the KJV's
 * "LORD" 1.05x, "shall" and "Jerusalem" 1.06x, "abominations" 1.06-1.09x;
 * needles of 16-62 units at a hit every fifth word 1.06-1.10x).
 * Sapphire Rapids runs every 512-bit compare or test into a mask on one
 * port, and the ternary logics have another: so middles tested too keep
 * them ("than" chained 0.92x), as do the wide forms, whose narrowing and
 * windows are shuffles on that port (chained 0.89x and 0.91x). */
typedef struct {
    simd_tests tests;
    simd_mask lanes;    /* where chained: the lanes that passed so far */
    bool chained;
} pair_tests;

static inline __attribute__((always_inline)) pair_tests pair_tests_all(unsigned w, bool fold,
                                                                      int middles)
{
    return (pair_tests){simd_tests_all(), simd_all_lanes(), w == 1 && !fold && middles <= 0};
}

static inline __attribute__((always_inline)) pair_tests
pair_test(pair_tests t, simd_vec x, const simd_vec unit[2], bool fold)
{
    if (t.chained)
        t.lanes = simd_and_eq(1, t.lanes, x, unit[0]);
    else
        t.tests = test_unit(t.tests, x, unit, fold);
    return t;
}

static inline __attribute__((always_inline)) simd_mask pair_passed(pair_tests t)
{
    return t.chained ? t.lanes : simd_passed(t.tests);
}

/* The block of 64 units at p, whose narrowed registers are `here` (and the
 * next block's `next`); `middles` of a LONGER needle's middle units tested
 * in the registers; `by_window` where a 1-byte text's unit tested with the
 * first, with middles, may come from a window; `crlf` and `rare` where the
 * group holds a "\r" or a unit narrowed to 0xFF; `ambiguous` where it
 * holds a VERIFIED needle's ambiguous unit (without, the block has no
 * pairs); `starts_by_load` where the pairs are only those a separator
 * comes before (paired_loop). */
static inline __attribute__((always_inline)) paired_masks
paired_classify(const wc_query *q, size_t p, const simd_vec here[SIMD_REGS_PER_BLOCK],
                const simd_vec next[SIMD_REGS_PER_BLOCK], const needle_vecs *v,
                const needle_middle *mid, unsigned w, int kind, int shape, bool fold,
                int middles, int reach, bool by_window, bool crlf, bool rare, bool ambiguous,
                bool exact, bool starts_by_load)
{
    const bool paired = shape != VERIFIED || ambiguous;
    simd_mask sep[SIMD_REGS_PER_BLOCK], pairs[SIMD_REGS_PER_BLOCK];
    simd_mask others[3][SIMD_REGS_PER_BLOCK];   /* (by PAIRED_BY_MASKS) */
    for (unsigned k = 0; k < SIMD_REGS_PER_BLOCK; k++) {
        sep[k] = simd_separators(kind, here[k], v->spaces);
        if (!paired)
            continue;
        const simd_mask starts =
            starts_by_load ? simd_separators(kind, text_units(q, p - 1, w, k, 0), v->spaces)
                           : simd_all_lanes();
        /* (exact: the unit paired with the first compared wide, where it
         * lies, or by PAIRED_BY_MASKS in the block; see compares_exactly) */
        const char *wide_units = (const char *)q->text + (p + k * SIMD_BYTES) * w;
        if (shape == VERIFIED && exact && reach != PAIRED_BY_MASKS) {
            pairs[k] = simd_narrow_and_eq(w, simd_and_eq(1, simd_all_lanes(), here[k], v->first[0]),
                                          wide_units + v->pair_at * w, simd_splat(w, v->pair_unit));
            continue;
        }
        if (shape == ONE_UNIT && !fold) {   /* one compare, not a test: bytes 1.15x */
            pairs[k] = simd_and_eq(1, starts, here[k], v->first[0]);
            continue;
        }
        if (reach == PAIRED_BY_MASKS) {
            pairs[k] = simd_and_eq(1, simd_all_lanes(), here[k], v->first[0]);
            others[0][k] =
                shape == VERIFIED && exact
                    ? simd_narrow_and_eq(w, simd_all_lanes(), wide_units, simd_splat(w, v->pair_unit))
                    : simd_and_eq(1, simd_all_lanes(), here[k], v->pair[0]);
            for (int j = 0; j < middles; j++)
                others[1 + j][k] = simd_and_eq(1, simd_all_lanes(), here[k], mid->units_at[j][0]);
            continue;
        }
        pair_tests pair = pair_tests_all(w, fold, middles);
        if (starts_by_load)   /* (chained: a 1-byte text's pair alone, unfolded) */
            pair.lanes = starts;
        pair = pair_test(pair, here[k], v->first, fold);
        /* In a 1-byte text each unit tested with the first is a load across
         * two cache lines, and with the middle's loaded too, the loads are
         * what the block waits on: there the last comes from a window, one
         * permute, where one reaches it (VBMI) and costs a cycle (AMD's
         * cores: simd_bytes_by_window). Zen 4, by turns, needles of 3-6
         * units at a hit every fifth word 1.00-1.04x, 1.05-1.07x,
         * 1.11-1.12x, 1.19-1.21x; "better" in the Zen of Python 1.18-1.21x
         * by sep=" ", 1.17-1.19x by bytes' sep=None, 1.04-1.09x by a str's.
         * Not with fold, which tests each unit twice (its loads are not
         * what it waits on: "than" 0.94-0.96x so), nor with the last unit
         * alone (the 2-unit loop's load: 0.97x by a window). */
        const bool last_by_window = by_window && middles > 0;   /* (by_window: paired_loops) */
        if (reach)
            pair = pair_test(pair,
                             reach == PAIRED_FAR_WINDOW
                                 ? far_window_units(q, p, w, here, next, k, v->pair_at)
                             : reach != PAIRED_FAR
                                 ? paired_units(q, p, w, here, next, k, reach, last_by_window)
                             : WINDOW_REACHES_ALL(w)
                                 ? paired_units(q, p, w, here, next, k, v->pair_at, last_by_window)
                                 : text_units(q, p, w, k, v->pair_at),
                             v->pair, fold);
        for (int j = 0; j < middles; j++)
            pair = pair_test(pair, paired_units(q, p, w, here, next, k, 1 + (size_t)j, false),
                             mid->units_at[j], fold);
        pairs[k] = pair_passed(pair);
    }
    paired_masks b = {simd_block_bits(sep), 0, paired ? simd_block_bits(pairs) : 0, {0}};
    for (int j = 0; reach == PAIRED_BY_MASKS && paired && j <= (middles > 0 ? middles : 0); j++)
        b.others[j] = simd_block_bits(others[j]);
    if (kind == KIND_STR && w > 1 && rare)
        b.sep |= wide_spaces_of(q, p, w, here);
    b.ends = b.sep;
    if (kind == KIND_LINES && crlf)
        b.ends |= crlf_of(q, p, w, here);
    return b;
}

/* Did every lane of `lanes` pass the tests t? */
static inline __attribute__((always_inline)) bool simd_passed_lanes(simd_tests t, simd_mask lanes)
{
#if defined(SIMD_HAS_TESTS)
    return simd_passed_all(simd_test_mask(t, lanes));
#elif defined(SIMD_HAS_COVERS)
    return simd_covers(simd_passed(t), lanes);
#else
    const uint64_t need = simd_bits(lanes);   /* (a constant of the loop) */
    return (simd_bits(simd_passed(t)) & need) == need;
#endif
}

#ifndef SIMD_HAS_EQUAL_IN
static inline __attribute__((always_inline)) bool simd_equal_in(simd_mask k, simd_vec a,
                                                                simd_vec b)
{
    return simd_passed_lanes(simd_test_eq(simd_tests_all(), a, b), k);
}
#endif

/* What the paired scan compares its candidates with, after the tests in
 * the registers: their units from `from` on (1: a LONGER needle's middle;
 * 0: a VERIFIED needle whole), `bytes` of them, by one load and a test of
 * its first `bytes` lanes where they fit in a register (`lanes`; `want` as
 * needle_unit_vecs makes a unit: [1] the fold_bit of each), else
 * wc_bytes_equal. */
typedef struct {
    size_t from, bytes;
    simd_mask lanes;
    simd_vec want[2];
} candidate_rest;

static inline candidate_rest candidate_rest_of(const wc_query *q, unsigned w, int shape, bool fold)
{
    const size_t from = shape == VERIFIED ? 0 : 1;
    candidate_rest r = {from, (q->needle_len - 2 * from) * w, simd_all_lanes(),
                        {simd_splat(1, 0), simd_splat(1, 0)}};
    if (r.bytes > SIMD_BYTES)
        return r;
    /* (rows of 32 bytes at least: with 16, GCC 12 unrolled the loop of a
     * fold and warned of a 17th byte it never writes) */
    unsigned char want[2][SIMD_BYTES < 32 ? 32 : SIMD_BYTES] = {{0}}, lanes[SIMD_BYTES] = {0};
    memcpy(want[0], (const char *)q->needle + from * w, r.bytes);
    memset(lanes, 0xFF, r.bytes);
    for (size_t i = 0; i < r.bytes; i++)
        want[1][i] = fold_bit(want[0][i], fold);
    r.lanes = simd_and_eq(1, simd_all_lanes(), simd_load(lanes), simd_splat(1, 0xFF));
    r.want[0] = simd_load(want[0]);
    r.want[1] = simd_load(want[1]);
    return r;
}

/* Is the candidate whose rest lies at `at` the needle, as `rest` compares
 * it (`in_register` where its bytes fit)? A whole register is loaded from
 * its rest: the paired loop ends 128 units before the text does, so the
 * register lies inside the text (loading only the lanes tested, a masked
 * load, cost needles of 8-62 units at a hit every fifth word 4-6%, Zen 4).
 * Unfolded, one compare of the lanes (on AVX-512 a compare into a mask and
 * its test, where the tests' XOR and test of the misses took three
 * instructions: needles of 7 and 16 units at a hit every fifth word
 * 1.04-1.06x, 32 units 1.00-1.05x, Sapphire Rapids). */
static inline __attribute__((always_inline)) bool
candidate_equal(const wc_query *q, const char *at, const candidate_rest *rest, unsigned w,
                bool fold, bool in_register)
{
    if (!in_register)
        return wc_bytes_equal(at, (const char *)q->needle + rest->from * w, rest->bytes, fold);
    if (!fold)
        return simd_equal_in(rest->lanes, simd_load(at), rest->want[0]);
    return simd_passed_lanes(test_unit(simd_tests_all(), simd_load(at), rest->want, fold),
                             rest->lanes);
}

/* The words of the needle among the candidates of `blocks` blocks from p
 * (a bit a start; the masks are read 64 at a time, the ones past `blocks`
 * zero, as are those of blocks past the loop's end). The blocks that hold
 * one are found by testing eight masks at once, and the first candidate of
 * each is compared without a test (a branch on each block's candidates was
 * mispredicted where some blocks hold one and others not, as in a text
 * where a long needle is one word in five). A candidate is reached from
 * a pointer made once a block, not from p, its block and its place each
 * (needles of 7-32 units at a hit every fifth word, which spend a third
 * to a half of their time here: 1.00-1.05x, Sapphire Rapids). */
static inline __attribute__((always_inline)) size_t
verify_blocks(const wc_query *q, size_t p, const uint64_t candidates[PAIRED_PENDING],
              size_t blocks, const candidate_rest *rest, unsigned w, bool fold, bool in_register)
{
    size_t count = 0;
    const char *rests = (const char *)q->text + (p + rest->from) * w;
    for (size_t from = 0; from < blocks; from += 64) {
        uint64_t held = 0;   /* the blocks that hold a candidate */
        for (unsigned k = 0; k < 64; k += SIMD_BYTES / 8)
            held |= simd_nonzero_words(candidates + from + k) << k;
        for (; held; held &= held - 1) {
            const size_t k = from + (size_t)__builtin_ctzll(held);
            const char *block = rests + 64 * k * w;
            uint64_t match = candidates[k];
            count += candidate_equal(q, block + (size_t)__builtin_ctzll(match) * w, rest, w,
                                     fold, in_register);
            for (match &= match - 1; match; match &= match - 1)
                count += candidate_equal(q, block + (size_t)__builtin_ctzll(match) * w, rest, w,
                                         fold, in_register);
        }
    }
    return count;
}

/* verify_blocks, called once in a batch of blocks, out of the loop of the
 * groups: inlined there, the compares took the loop's registers, and
 * needles of 8-62 units at a hit every fifth word ran at 0.4x the rate of
 * a needle of 2 units (Zen 4: out of line, 1.15-1.7x faster than compared
 * group by group in the loop). */
static __attribute__((noinline)) size_t
paired_verify(const wc_query *q, size_t p, const uint64_t candidates[PAIRED_PENDING],
              size_t blocks, const candidate_rest *rest, unsigned w, bool fold)
{
#define VERIFY(w, fold, in_register)                                                           \
    verify_blocks(q, p, candidates, blocks, rest, w, fold, in_register)
    /* (a loop for each width and way: each its own constants) */
    const bool in_register = rest->bytes <= SIMD_BYTES;
    if (w == 1 && in_register)   /* (only 1-byte needles fold) */
        return fold ? VERIFY(1, true, true) : VERIFY(1, false, true);
    if (w == 1)   /* (AVX2's registers hold 32 bytes) */
        return fold ? VERIFY(1, true, false) : VERIFY(1, false, false);
    if (w == 2)
        return in_register ? VERIFY(2, false, true) : VERIFY(2, false, false);
    return in_register ? VERIFY(4, false, true) : VERIFY(4, false, false);
#undef VERIFY
}

/* verify_blocks reads the masks 64 at a time: those past the n it
 * compares, up to the next multiple of 64, made zero. */
static inline void zero_past(uint64_t pending[PAIRED_PENDING], size_t n)
{
    memset(pending + n, 0, (-n & 63) * sizeof *pending);
}

/* Whether a VERIFIED needle's pairs are made from here on from the text's
 * wide units (simd_narrow_and_eq), exactly, not from its narrowed ones: where
 * a batch of blocks held more than one candidate in 4 blocks (2-byte form;
 * one in 2, 4-byte) that was not the needle (`compared` candidates, `found`
 * of them were). There the narrowed units are alike: every Cyrillic letter
 * narrows to 0xFF, every Hangul syllable to 0, so every word of the
 * needle's length is a candidate; compared exactly, its own words alone
 * are. Zen 3, 1 M characters of man pages, against narrowed alone (the
 * candidates not the needle in a block, narrowed): "\ud30c\uc77c" in
 * Korean (2.33) 1.49x, "\u0411\u0423\u041a\u0412\u0410" in Russian (0.44)
 * 1.17x; where it stays narrowed, "\u6587\u4ef6" in Chinese (0.01) 0.96x in
 * the 4-byte form, 1.00x in the 2-byte. Once exact, a scan stays so: a text
 * is mostly one script, and the exact compares leave no count of the
 * narrowed candidates to tell otherwise. */
static inline bool compares_exactly(size_t compared, size_t found, unsigned w)
{
    return PAIRED_EXACT && compared - found > PAIRED_PENDING * w / 8;
}

/* The groups of the paired scan from *p_inout while p <= last, *here and
 * *heads holding the block at p (by PAIRED_BY_MASKS, heads with the first
 * unit's mask alone: the pairs are made when the next block's masks are)
 * and `ahead` the narrowed registers of the block after it; `middles` as
 * paired_classify takes it, or -1 for each candidate compared as `rest`
 * says, by paired_verify.
 * A text is not fetched ahead, as the other scans fetch one from memory,
 * but where simd_fetches_wide_ahead says, in the wide forms, and
 * simd_fetches_bytes_ahead, a 1-byte text from memory: on Zen 4 the
 * CPU's own prefetch keeps up with the groups' aligned loads, and fetches
 * 8 KiB ahead cost 128 M units 0.8x ("is", without them against with them:
 * bytes 1.25x, 2-byte 1.17x, 4-byte 1.36x, A/B by turns); on Ice Lake
 * they gained 1-byte texts 1.17-1.29x at 16 and 128 M. */
static inline __attribute__((always_inline)) size_t
paired_loop(const wc_query *q, size_t *p_inout, size_t last, paired_masks *here_inout,
            uint64_t *heads_inout, simd_vec ahead[SIMD_REGS_PER_BLOCK], const needle_vecs *nv,
            const needle_middle *md, unsigned w, int kind, int shape, bool fold, int middles,
            int reach, bool by_window, bool exact)
{
    const char *text = q->text;
    const needle_vecs v = *nv;
    const needle_middle middle = *md, *mid = &middle;
    const size_t m = shape == ONE_UNIT ? 1 : shape == TWO_UNITS ? 2 : q->needle_len;
    paired_masks here = *here_inout;
    uint64_t heads = *heads_inout;
    size_t count = 0, p = *p_inout;
    /* The group's blocks and the one after it, narrowed (or loaded) once
     * for the group's tests and the masks (left to itself, the compiler
     * loaded each block at each use); the one after is the next group's
     * first. */
    const unsigned blocks_a_group = PAIRED_GROUP(w, kind, middles, fold);
    /* Where the CPU's general registers are what the loop waits on (Zen 3
     * with AVX2: without a start's two shifts, OR and AND, counting wrongly,
     * 1.3x), a start is tested in the register, from a load of the units
     * before the block (p - 1 lies in the text: the loop's first block is
     * the second), not made from the separators' mask shifted. By bytes'
     * sep=None, a needle of one or two units: see simd_starts_by_load. */
    const bool starts_by_load = w == 1 && kind == KIND_BYTES && middles == 0 && !fold
                                && simd_starts_by_load();
    /* (written so, the wide forms' loops came out as before; as a choice
     * `w > 1 ? ... : ...` they ran 0.97x on Sapphire Rapids) */
    const bool fetch = (w > 1 && simd_fetches_wide_ahead())
                       || (w == 1 && simd_fetches_bytes_ahead()
                           && q->text_len >= STREAMING_MIN_BYTES);
    /* By sep=" ", a 1-byte text's group without a "\r" (tested once a
     * group) takes blocks compiled without crlf_of: one loop for both kept
     * the "\r"s' compares for crlf_of, spilled to the stack, and tested
     * crlf in each block. The group's test is simd_holds_by_least, whose
     * values crlf_of does not share. Not where three or four middle units
     * are tested in the registers, whose loop lost so (docs/performance.md,
     * "A group without a \r"). */
    const bool crlf_apart = kind == KIND_LINES && w == 1 && middles <= 2;
    simd_vec group[PAIRED_GROUP_MAX + 1][SIMD_REGS_PER_BLOCK];
    /* The candidates of the blocks from pending_p on, yet to compare,
     * PAIRED_PENDING blocks at a time; a VERIFIED needle's only where one
     * is set (`held`). Not a group at a time, as they were where one was
     * set: a VERIFIED needle's candidates are rare in a text of Latin
     * script, but in a Cyrillic one every word of its length is one (Zen
     * 3, Russian man pages in a 2-byte str, by batches against a call a
     * group: "для" 7.7 -> 15.2 G chars/s; "bett\u2019r" in the Zen of
     * Python 0.95x, which the group's test below makes up). */
    uint64_t pending[PAIRED_PENDING];
    size_t pending_p = p;
    uint64_t held = 0;
    /* A VERIFIED needle's candidates in the batch, where its loop may hand
     * the rest to the exact one (compares_exactly; not a needle of one
     * unit, `reach` 0: its narrowed loop lost 9% in a Japanese text to the
     * handing over, Zen 3; nor a LONGER one: "nested" 0.92x, counted in
     * paired_verify). */
    const bool counts_candidates = shape == VERIFIED && !exact && reach;
    size_t compared = 0;
    candidate_rest rest_;
    if (middles < 0)
        rest_ = candidate_rest_of(q, w, shape, fold);
    const candidate_rest *rest = &rest_;
    /* A VERIFIED needle's unit that narrows ambiguously, as narrowed: its
     * ambiguous middle unit, else its first or last. */
    const simd_vec ambiguous_unit =
        v.ambiguous_at || unit_narrows_ambiguously(wc_load(q->needle, 0, w)) ? v.ambiguous
                                                                               : v.last[0];
    for (unsigned r = 0; r < SIMD_REGS_PER_BLOCK; r++)
        group[blocks_a_group][r] = ahead[r];
    for (; p <= last; p += 64 * blocks_a_group) {
        for (unsigned r = 0; r < SIMD_REGS_PER_BLOCK; r++)
            group[0][r] = group[blocks_a_group][r];
        if (fetch)
            fetch_ahead(text, p, w, blocks_a_group);
        for (unsigned k = 1; k <= blocks_a_group; k++)
            load_block(text + (p + 64 * (k + 1)) * w, w, group[k]);
        const unsigned regs = blocks_a_group * SIMD_REGS_PER_BLOCK;
        const bool crlf = kind == KIND_LINES
                          && (crlf_apart ? simd_holds_by_least(group[0], regs, simd_splat(1, '\r'))
                                         : simd_holds(group[0], regs, simd_splat(1, '\r')));
        const bool rare = kind == KIND_STR && w > 1
                          && simd_holds(group[0], regs, simd_splat(1, 0xFF));
        /* A word of a VERIFIED needle holds its ambiguous unit, and one
         * that starts in a block of the group holds it there or in the
         * block after: a group without it (nor the block after) makes no
         * pairs. Zen 3, by turns: "bett\u2019r" in a 2-byte Zen of Python
         * 1.37x, in the 4-byte 1.2x; the KJV with its apostrophes U+2019,
         * "LORD\u2019s" 1.13x. A cost in a Cyrillic text, whose every
         * letter narrows to 0xFF: the test alone 0.84-0.95x there (with
         * the batches above, 1.46-1.95x). */
        const bool ambiguous = shape == VERIFIED
                               && simd_holds(group[0], regs + SIMD_REGS_PER_BLOCK, ambiguous_unit);
        /* The starts of each block paired with the ends m units on, in it
         * and the block after; where crlf_apart, with crlf a constant. */
#define PAIRED_BLOCKS(crlf, ambiguous, exact)                                                  \
    for (unsigned k = 0; k < blocks_a_group; k++) {                                            \
        const paired_masks next = paired_classify(q, p + 64 * (k + 1), group[k], group[k + 1], \
                                                  &v, mid, w, kind, shape, fold, middles,      \
                                                  reach, by_window, crlf, rare, ambiguous,     \
                                                  exact, starts_by_load);                      \
        if (reach == PAIRED_BY_MASKS) {   /* (heads: the starts, so far) */                    \
            heads &= here.pairs & window(here.others[0], next.others[0], v.pair_at);          \
            for (int j = 0; j < middles; j++)                                                  \
                heads &= window(here.others[1 + j], next.others[1 + j], 1 + (size_t)j);       \
        }                                                                                      \
        const uint64_t candidates = heads & window(here.ends, next.ends, m);                   \
        if (middles >= 0)                                                                      \
            count += (size_t)__builtin_popcountll(candidates);                                 \
        else                                                                                   \
            pending[(p - pending_p) / 64 + k] = candidates, held |= candidates;                \
        if (counts_candidates)                                                                 \
            compared += (size_t)__builtin_popcountll(candidates);                              \
        heads = starts_by_load ? next.pairs                                                    \
                : (reach == PAIRED_BY_MASKS ? ~(uint64_t)0 : next.pairs)                       \
                      & (next.sep << 1 | here.sep >> 63);                                      \
        here = next;                                                                           \
    }
        if (shape == VERIFIED && !ambiguous)
            PAIRED_BLOCKS(crlf, false, exact)
        else if (!crlf_apart)
            PAIRED_BLOCKS(crlf, true, exact)
        else if (crlf)
            PAIRED_BLOCKS(true, true, exact)
        else
            PAIRED_BLOCKS(false, true, exact)
#undef PAIRED_BLOCKS
        if (middles < 0 && p + 64 * blocks_a_group - pending_p == 64 * PAIRED_PENDING) {
            if (shape != VERIFIED || held) {
                const size_t found =
                    paired_verify(q, pending_p, pending, PAIRED_PENDING, rest, w, fold);
                count += found;
                if (counts_candidates && compares_exactly(compared, found, w))
                    last = p;   /* (the exact loop goes on from the next group) */
            }
            pending_p = p + 64 * blocks_a_group, held = 0, compared = 0;
        }
    }

    if (middles < 0 && p > pending_p) {
        const size_t blocks = (p - pending_p) / 64;
        zero_past(pending, blocks);
        count += paired_verify(q, pending_p, pending, blocks, rest, w, fold);
    }
    for (unsigned r = 0; counts_candidates && r < SIMD_REGS_PER_BLOCK; r++)
        ahead[r] = group[blocks_a_group][r];   /* (for the exact loop) */
    *here_inout = here;
    *heads_inout = heads;
    *p_inout = p;
    return count;
}

/* The paired loop's `reach` for a needle (see PAIRED_FAR and
 * PAIRED_BY_MASKS). */
static inline __attribute__((always_inline)) int
paired_reach(const wc_query *q, const needle_vecs *v, unsigned w, int shape, bool fold)
{
    if (shape == ONE_UNIT || q->needle_len == 1)
        return 0;
    if (w > 1 && !fold && simd_pairs_by_masks())
        return PAIRED_BY_MASKS;
    if (SIMD_FAR_WINDOW_REACH(w) && shape != TWO_UNITS && v->pair_at > 2
        && v->pair_at <= SIMD_FAR_WINDOW_REACH(w))
        return PAIRED_FAR_WINDOW;
    return shape == TWO_UNITS ? 1 : v->pair_at <= 2 ? (int)v->pair_at : PAIRED_FAR;
}

/* The needles whose every candidate paired_verify compares: VERIFIED ones,
 * and LONGER ones with more middle units than the registers test. */
#define PAIRED_COMPARED(w, shape, m)                                                           \
    ((shape) == VERIFIED || ((shape) == LONGER && (m) > 2 + PAIRED_MIDDLES_IN_REGISTERS(w)))

/* paired_loop with `middles`, `reach` and `by_window` constants: how many
 * of a LONGER needle's middle units are tested in the registers (all of
 * them, or none, -1, and every candidate `compared`), where the unit paired
 * with the first lies, and whether a 1-byte text's comes from a window. */
static inline __attribute__((always_inline)) size_t
paired_loops(const wc_query *q, size_t *p, size_t last, paired_masks *here, uint64_t *heads,
             simd_vec ahead[SIMD_REGS_PER_BLOCK], const needle_vecs *v, const needle_middle *mid,
             unsigned w, int kind, int shape, bool fold, bool compared)
{
#define PAIRED_LOOP(middles, reach) PAIRED_LOOP_BY(middles, reach, false)
#define PAIRED_LOOP_BY(middles, reach, by_window) PAIRED_LOOP_AS(middles, reach, by_window, false)
#define PAIRED_LOOP_AS(middles, reach, by_window, exact)                                       \
    paired_loop(q, p, last, here, heads, ahead, v, mid, w, kind, shape, fold, middles, reach,  \
                by_window, exact)
#define PAIRED_COMPARED_LOOP(exact)                                                            \
    (reach == 0   ? PAIRED_LOOP_AS(-1, 0, false, exact)                                        \
     : reach == 1 ? PAIRED_LOOP_AS(-1, 1, false, exact)                                        \
     : reach == 2 ? PAIRED_LOOP_AS(-1, 2, false, exact)                                        \
     : reach == PAIRED_FAR ? PAIRED_LOOP_AS(-1, PAIRED_FAR, false, exact)                      \
     : SIMD_FAR_WINDOW_REACH(w) && reach == PAIRED_FAR_WINDOW                                  \
         ? PAIRED_LOOP_AS(-1, PAIRED_FAR_WINDOW, false, exact)                                 \
         : PAIRED_LOOP_AS(-1, PAIRED_BY_MASKS, false, exact))
    if (compared) {
        /* A VERIFIED needle's loop hands the rest of the text to one that
         * makes its pairs exactly, where it finds that they should be
         * (compares_exactly): a test of that choice in the one loop cost
         * the narrowed loop 8% in a Japanese text (Zen 3, "\u306f", a
         * register spilled and the test read from the stack). */
        const int reach = paired_reach(q, v, w, shape, fold);
        size_t count = PAIRED_COMPARED_LOOP(false);
        if (PAIRED_EXACT && shape == VERIFIED && reach && *p <= last)
            count += PAIRED_COMPARED_LOOP(true);
        return count;
    }
    if (shape == ONE_UNIT)
        return PAIRED_LOOP(0, 0);
    if (shape == TWO_UNITS)
        return paired_reach(q, v, w, shape, fold) == PAIRED_BY_MASKS
                   ? PAIRED_LOOP(0, PAIRED_BY_MASKS) : PAIRED_LOOP(0, 1);
    /* LONGER: by masks, its one or two middle units (the wide forms'
     * PAIRED_MIDDLES_IN_REGISTERS); else the last unit within a window's
     * reach only for 3 units, one of them middle, or where
     * simd_window_far reaches it. */
    if (paired_reach(q, v, w, shape, fold) == PAIRED_BY_MASKS)
        return mid->units == 1 ? PAIRED_LOOP(1, PAIRED_BY_MASKS) : PAIRED_LOOP(2, PAIRED_BY_MASKS);
#define PAIRED_MIDDLES_LOOP(by_window)                                                         \
    (mid->units == 1 ? PAIRED_LOOP_BY(1, 2, by_window)                                         \
     : mid->units == 2 || PAIRED_MIDDLES_IN_REGISTERS(w) == 2                                  \
         ? PAIRED_LOOP_BY(2, PAIRED_FAR, by_window)                                            \
     : mid->units == 3 ? PAIRED_LOOP_BY(3, PAIRED_FAR, by_window)                              \
                       : PAIRED_LOOP_BY(4, PAIRED_FAR, by_window))
    if (SIMD_FAR_WINDOW_REACH(w) && mid->units == 2
        && paired_reach(q, v, w, shape, fold) == PAIRED_FAR_WINDOW)
        return PAIRED_LOOP(2, PAIRED_FAR_WINDOW);
    if (w == 1 && WINDOW_REACHES_ALL(w) && !fold && simd_bytes_by_window())
        return PAIRED_MIDDLES_LOOP(true);
    return PAIRED_MIDDLES_LOOP(false);
#undef PAIRED_LOOP
#undef PAIRED_LOOP_BY
#undef PAIRED_LOOP_AS
#undef PAIRED_COMPARED_LOOP
#undef PAIRED_MIDDLES_LOOP
}

/* Counts the starts [begin, end): the paired scan from the first unit at a
 * multiple of 64 bytes, in groups while every load of a group and of the
 * block after it stays inside the text (a block's loads reach 62 units past
 * it, its "\n" test one); the starts before and after by the block scan. */
static inline __attribute__((always_inline)) size_t
simd_scan_paired(const wc_query *q, size_t begin, size_t end, unsigned w, int kind, int shape,
                 bool fold, bool compared, block_scan_fn blocks)
{
    const char *text = q->text;
    /* a group's units: the most a loop of this width, rule and fold
     * takes (middles tested in the registers only make groups smaller) */
    const size_t len = q->text_len, span = 64 * PAIRED_GROUP(w, kind, 0, fold);
    size_t p = aligned_start(text, begin, w);
    if (p + span > end || p + span + 128 > len)
        return blocks(q, begin, end);
    needle_vecs v;
    needle_vecs_of(q, w, kind, fold, &v);
    needle_middle mid = {0};
    if (shape == LONGER)
        mid = needle_middle_of(q, w, fold);
    size_t count = p > begin ? blocks(q, begin, p) : 0;
    simd_vec first[SIMD_REGS_PER_BLOCK], ahead[SIMD_REGS_PER_BLOCK];
    load_block(text + p * w, w, first);
    load_block(text + (p + 64) * w, w, ahead);
    const int middles = compared ? -1 : shape != LONGER ? 0 : (int)mid.units;
    /* (the unit tested with the first loaded: the masks a window makes) */
    paired_masks here = paired_classify(q, p, first, ahead, &v, &mid, w, kind, shape, fold,
                                        middles, paired_reach(q, &v, w, shape, fold), false,
                                        true, true, true, false, false);
    uint64_t heads = here.pairs & (here.sep << 1 | wc_word_starts_at(q->rule, text, len, p, w));
    const size_t last = len - span - 128 < end - span ? len - span - 128 : end - span;
    count += paired_loops(q, &p, last, &here, &heads, ahead, &v, &mid, w, kind, shape, fold,
                          compared);
    return p < end ? count + blocks(q, p, end) : count;
}
#else
#define SIMD_PAIRED(w, kind, shape) 0
#define PAIRED_NEEDLE(w, kind, shape, m) 0
#define PAIRED_COMPARED(w, shape, m) 0
/* (Never called: SIMD_PAIRED is 0.) */
static inline size_t simd_scan_paired(const wc_query *q, size_t begin, size_t end, unsigned w,
                                      int kind, int shape, bool fold, bool compared,
                                      block_scan_fn blocks)
{
    (void)w, (void)kind, (void)shape, (void)fold, (void)compared;
    return blocks(q, begin, end);
}
#endif

/* Counts the starts [begin, end) of the needle's words: blocks of 64
 * starts, the block at p classified with the one after it. The blocks
 * before and after the loop are classified by `edge` (a call: inlined there
 * too, the code of each scan grew threefold for nothing). */
static inline __attribute__((always_inline)) size_t
simd_scan_blocks(const wc_query *q, size_t begin, size_t end, unsigned w, int kind, int shape,
                 bool fold, classify_fn edge)
{
    const size_t len = q->text_len;
    const char *text = q->text;
    needle_vecs nv;
    needle_vecs_of(q, w, kind, fold, &nv);
#define CLASSIFY(at_p) edge(q, (at_p), &nv)

    size_t p = begin, count = 0;
    uint64_t carry[2] = {wc_word_starts_at(q->rule, text, len, p, w), 0};
    block_words here = block_words_of(CLASSIFY(p), shape, carry);
    /* The loop's blocks start at a multiple of 64 bytes (where the units
     * are aligned to their width, as a str's are), so that no load straddles
     * two cache lines. A first block at p counts the starts before that. (A
     * block's ends right after a last unit in the block before are never
     * looked at when that block is the first: an end is m >= 1 units past
     * its start.) */
    const uintptr_t address = (uintptr_t)(text + p * w);
    const size_t unaligned = address % w || address % 64 == 0 ? 0 : (64 - address % 64) / w;
    if (unaligned && p + 128 <= len && p + unaligned < end) {
        block_words next = block_words_of(CLASSIFY(p + 64), shape, carry);
        count += count_block(q, p, here.heads & ~(~(uint64_t)0 << unaligned), here, next,
                             &nv, w, kind, shape, fold);
        p += unaligned;
        carry[0] = wc_word_starts_at(q->rule, text, len, p, w);
        carry[1] = 0;
        here = block_words_of(CLASSIFY(p), shape, carry);
    }
    /* The blocks whose next block lies inside the text: p <= last. */
    if (len >= 128 && end >= 64) {
        const size_t last = len - 128 < end - 64 ? len - 128 : end - 64;
        if (len * w >= STREAMING_MIN_BYTES)
            count += simd_scan_inside(q, &p, last, &here, carry, &nv, w, kind, shape, fold, true);
        else
            count += simd_scan_inside(q, &p, last, &here, carry, &nv, w, kind, shape, fold, false);
    }
    for (; p < end; p += 64) {
        /* (Past the text's end, all separators: made here, not by a call.) */
        block_words next = block_words_of(p + 64 >= len ? PAST_THE_END : CLASSIFY(p + 64),
                                          shape, carry);
        uint64_t heads = end - p < 64 ? here.heads & ~(~(uint64_t)0 << (end - p)) : here.heads;
        count += count_block(q, p, heads, here, next, &nv, w, kind, shape, fold);
        here = next;
    }
#undef CLASSIFY
    return count;
}

/* A text of at most 64 units, counted from its start: one block, copied and
 * padded, and after it nothing but separators. Its own small function: in
 * the block scan's, a tiny count paid for the loop's registers and set-up
 * (a tiny search: 490 instructions, 410 this way). */
static inline __attribute__((always_inline)) size_t
simd_count_short(const wc_query *q, size_t end, unsigned w, int kind, int shape, bool fold)
{
    needle_vecs nv;
    needle_vecs_of(q, w, kind, fold, &nv);
    uint64_t carry[2] = {1, 0};
    block_words here = block_words_of(simd_classify_padded(q, 0, w, kind, shape, fold, &nv),
                                      shape, carry);
    block_words next = block_words_of(PAST_THE_END, shape, carry);
    uint64_t heads = end < 64 ? here.heads & ~(~(uint64_t)0 << end) : here.heads;
    return count_block(q, 0, heads, here, next, &nv, w, kind, shape, fold);
}

/* Needles whose middle the registers test, which count faster where they
 * are rare with the middle compared at each candidate: of 3 to 6 units in a
 * 1-byte text, 3 or 4 in the wide forms. In the registers, a middle unit
 * costs a load (or a narrowing, or a compare into a mask) a block, a word
 * there or not; compared, a candidate costs ~4.5 cycles. So the text
 * chooses: a span's words, counted one way, choose the next span's way, the
 * registers' from a word in EITHER_DENSE(w) / (m - 2) units on, where that
 * many candidates cost about as much as the middle's tests; the first span
 * short, compared. Sapphire Rapids, 1 M units of words of 2-8 letters, a
 * needle at every k-th: the two ways cost alike at a word of the needle in
 * 290, 170, 100 and 75 units for needles of 3, 4, 5 and 6 units in a 1-byte
 * text (folded: 550, 150, 85, 65), 190 and 95 for 3 and 4 in the 2- and
 * 4-byte forms (256 K units; at 1 M the 4-byte form is read-bound either
 * way). By turns against the registers alone, in the KJV's first 1 M
 * characters: "LORD" and "with" 1.26x, "unto" and "that" 1.16-1.17x, in
 * the 2-byte form (256 K) 1.29-1.41x, the 4-byte 1.28-1.38x, "the" and
 * "and" 0.98-0.985x there (their first span compared); folded, "lord"
 * 1.23x, "shall" 1.39x, "which" 1.53x, "israel" 1.74x, "the" 0.985x; Zen 4,
 * when only 5 and 6 units chose: "shall" 1.11x, "people" 1.37x, "nested"
 * in the Zen of Python 1.42x, "Sparse" 0.94x (its candidates hold
 * "Simple", which no count sees); a needle at every fifth word 0.95-0.99x.
 * A span is a call of the scan, ~0.19 us to start: spans of 2^19 units
 * cost under 1% (2^16: 8%). */
#define PAIRED_EITHER(w, shape, m)                                                             \
    ((shape) == LONGER && (m) >= 3 && !PAIRED_COMPARED(w, shape, m))
#define EITHER_FIRST_SPAN ((size_t)1 << 12)
#define EITHER_SPAN ((size_t)1 << 19)
#define EITHER_DENSE(w) ((w) == 1 ? 300 : 190)

static inline size_t paired_either(const wc_query *q, size_t begin, size_t end, unsigned w,
                                   block_scan_fn compared, block_scan_fn tested)
{
    const size_t middles = q->needle_len - 2;
    size_t count = 0, span = EITHER_FIRST_SPAN;
    block_scan_fn way = compared;
    for (size_t at = begin; at < end; at += span, span = EITHER_SPAN) {
        const size_t to = end - at > span ? at + span : end, words = way(q, at, to);
        count += words;
        way = words * EITHER_DENSE(w) >= (to - at) * middles ? tested : compared;
    }
    return count;
}

/* The block scans, one function per kind of rule, width, folding and needle
 * shape: each loop in a function of its own, whose few registers the
 * compiler keeps for it (inlined together, their loops spilled their masks
 * to the stack). A NULL is a combination that never runs: no empty needle
 * matches by sep=None, only wide forms narrow ambiguously, and only 1-byte
 * texts fold here. */
#define BLOCK_SCAN(name, w, kind, shape, fold)                                                 \
    static __attribute__((noinline)) block_masks                                               \
    name##_edge(const wc_query *q, size_t p, const needle_vecs *nv)                            \
    {                                                                                          \
        return simd_classify_padded(q, p, w, kind, shape, fold, nv);                           \
    }                                                                                          \
    static __attribute__((noinline)) size_t name##_short(const wc_query *q, size_t end)       \
    {                                                                                          \
        return simd_count_short(q, end, w, kind, shape, fold);                                 \
    }                                                                                          \
    static __attribute__((noinline)) size_t                                                    \
    name##_blocks(const wc_query *q, size_t begin, size_t end)                                 \
    {                                                                                          \
        return simd_scan_blocks(q, begin, end, w, kind, shape, fold, name##_edge);             \
    }                                                                                          \
    /* (a function of its own: beside the other needles' loops, the        \
     * compiler kept fewer of its registers, and of theirs) */                                \
    static __attribute__((noinline, unused)) size_t                                            \
    name##_compared(const wc_query *q, size_t begin, size_t end)                               \
    {                                                                                          \
        return simd_scan_paired(q, begin, end, w, kind, shape, fold, true, name##_blocks);     \
    }                                                                                          \
    static __attribute__((noinline, unused)) size_t                                            \
    name##_tested(const wc_query *q, size_t begin, size_t end)                                 \
    {                                                                                          \
        return simd_scan_paired(q, begin, end, w, kind, shape, fold, false, name##_blocks);    \
    }                                                                                          \
    static __attribute__((noinline)) size_t name(const wc_query *q, size_t begin, size_t end)  \
    {                                                                                          \
        if (begin == 0 && q->text_len <= 64)                                                   \
            return name##_short(q, end);                                                       \
        if (SIMD_PAIRED(w, kind, shape) && PAIRED_NEEDLE(w, kind, shape, q->needle_len))       \
            return PAIRED_EITHER(w, shape, q->needle_len)                                      \
                       ? paired_either(q, begin, end, w, name##_compared, name##_tested)       \
                   : PAIRED_COMPARED(w, shape, q->needle_len) ? name##_compared(q, begin, end) \
                                                              : name##_tested(q, begin, end);  \
        return simd_scan_blocks(q, begin, end, w, kind, shape, fold, name##_edge);             \
    }
#define BLOCK_SCANS(prefix, w, kind, fold)                                                     \
    BLOCK_SCAN(prefix##_one, w, kind, ONE_UNIT, fold)                                          \
    BLOCK_SCAN(prefix##_two, w, kind, TWO_UNITS, fold)                                         \
    BLOCK_SCAN(prefix##_longer, w, kind, LONGER, fold)                                         \
    BLOCK_SCAN(prefix##_heads, w, kind, HEADS, fold)
#define SCAN_ROW(prefix, empty, verified)                                                      \
    {empty, prefix##_one, prefix##_two, prefix##_longer, verified, prefix##_heads}

BLOCK_SCANS(lines_1, 1, KIND_LINES, false)
BLOCK_SCANS(lines_2, 2, KIND_LINES, false)
BLOCK_SCANS(lines_4, 4, KIND_LINES, false)
BLOCK_SCANS(lines_1_folded, 1, KIND_LINES, true)
BLOCK_SCAN(lines_1_empty, 1, KIND_LINES, EMPTY_NEEDLE, false)
BLOCK_SCAN(lines_2_empty, 2, KIND_LINES, EMPTY_NEEDLE, false)
BLOCK_SCAN(lines_4_empty, 4, KIND_LINES, EMPTY_NEEDLE, false)
BLOCK_SCAN(lines_2_verified, 2, KIND_LINES, VERIFIED, false)
BLOCK_SCAN(lines_4_verified, 4, KIND_LINES, VERIFIED, false)
BLOCK_SCANS(bytes_1, 1, KIND_BYTES, false)
BLOCK_SCANS(bytes_1_folded, 1, KIND_BYTES, true)
BLOCK_SCANS(str_1, 1, KIND_STR, false)
BLOCK_SCANS(str_2, 2, KIND_STR, false)
BLOCK_SCANS(str_4, 4, KIND_STR, false)
BLOCK_SCANS(str_1_folded, 1, KIND_STR, true)
BLOCK_SCAN(str_2_verified, 2, KIND_STR, VERIFIED, false)
BLOCK_SCAN(str_4_verified, 4, KIND_STR, VERIFIED, false)
BLOCK_SCANS(utf8_1, 1, KIND_UTF8, false)

/* [kind][width index, or 3 for 1-byte folded][shape] */
static const block_scan_fn block_scans[NKINDS][4][NSHAPES] = {
    [KIND_LINES] = {SCAN_ROW(lines_1, lines_1_empty, NULL),
                    SCAN_ROW(lines_2, lines_2_empty, lines_2_verified),
                    SCAN_ROW(lines_4, lines_4_empty, lines_4_verified),
                    SCAN_ROW(lines_1_folded, lines_1_empty, NULL)},
    [KIND_BYTES] = {SCAN_ROW(bytes_1, NULL, NULL), {NULL}, {NULL},
                    SCAN_ROW(bytes_1_folded, NULL, NULL)},
    [KIND_STR] = {SCAN_ROW(str_1, NULL, NULL), SCAN_ROW(str_2, NULL, str_2_verified),
                  SCAN_ROW(str_4, NULL, str_4_verified), SCAN_ROW(str_1_folded, NULL, NULL)},
    [KIND_UTF8] = {SCAN_ROW(utf8_1, NULL, NULL), {NULL}, {NULL}, {NULL}},
};

/* The shape of the needle's loop. */
static inline int needle_shape(const wc_query *q)
{
    const size_t m = q->needle_len;
    if (m > PAIRED_MAX_NEEDLE || (q->rule->split == WC_LINES && wc_needle_ends_cr(q)))
        return HEADS;
    if (q->width > 1 && needle_narrows_ambiguously(q))
        return VERIFIED;
    return m == 0 ? EMPTY_NEEDLE : m == 1 ? ONE_UNIT : m == 2 ? TWO_UNITS : LONGER;
}

/* always_inline: one copy per width, so that w is a constant in each. */
static inline __attribute__((always_inline)) size_t
simd_count_range(const wc_query *q, size_t begin, size_t end, unsigned w)
{
    if (begin >= end)
        return 0;
    const size_t row = w == 1 ? (q->rule->fold_ascii ? 3 : 0) : w == 2 ? 1 : 2;
    return block_scans[rule_kind(q->rule)][row][needle_shape(q)](q, begin, end);
}

static size_t simd_count_range_1(const wc_query *q, size_t b, size_t e) { return simd_count_range(q, b, e, 1); }
static size_t simd_count_range_2(const wc_query *q, size_t b, size_t e) { return simd_count_range(q, b, e, 2); }
static size_t simd_count_range_4(const wc_query *q, size_t b, size_t e) { return simd_count_range(q, b, e, 4); }

/* ---- separators for the word tables ------------------------------------ */

/* The last units of a text, for the word tables: rare, one copy of each. */
static __attribute__((noinline)) block_masks
separators_padded(const wc_query *q, size_t p, unsigned w, const needle_vecs *nv)
{
    switch (rule_kind(q->rule)) {
    case KIND_LINES: return simd_classify_padded(q, p, w, KIND_LINES, ONE_UNIT, false, nv);
    case KIND_BYTES: return simd_classify_padded(q, p, w, KIND_BYTES, ONE_UNIT, false, nv);
    case KIND_STR: return simd_classify_padded(q, p, w, KIND_STR, ONE_UNIT, false, nv);
    default: return simd_classify_padded(q, p, w, KIND_UTF8, ONE_UNIT, false, nv);
    }
}

/* The separators of the block at p by a rule of `kind`, and *crlf_ends. */
static inline __attribute__((always_inline)) uint64_t
simd_separators_of_block(const wc_query *q, size_t p, uint64_t *crlf_ends, const needle_vecs *nv,
                         unsigned w, int kind)
{
    const char *text = q->text;
    /* The word tables read a text a few ns a unit, slower than the CPU's own
     * prefetch expects: fetched ahead, KJV x10 as a 4-byte str counts 1.09x
     * as fast, as a 2-byte one 1.03x, bytes alike (A/B by turns, Zen 4). */
    fetch_ahead(text, p, w, 1);
    /* ONE_UNIT with "\n" as the needle's unit: first holds the "\n"s. */
    const block_masks b = p + 64 > q->text_len
                              ? separators_padded(q, p, w, nv)
                              : simd_classify(q, p, text + p * w, w, kind, ONE_UNIT, false, nv);
    /* The block's "\r" mask is made only where it holds one: in most texts
     * no line end needs more than the test of its first unit. Handed every
     * "\n", the tables loaded and tested the unit before each (KJV x10,
     * one thread, 1-byte: 1.06-1.11x as fast this way). */
    *crlf_ends = 0;
    if (kind == KIND_LINES) {
        *crlf_ends = b.first & (b.cr << 1);
        if ((b.first & 1) && p > 0 && wc_load(text, p - 1, w) == '\r')
            *crlf_ends |= 1;
    }
    return b.sep;
}

static inline __attribute__((always_inline)) uint64_t
simd_separators_of_kind(const wc_query *q, size_t p, size_t blocks, uint64_t *later,
                        uint64_t *crlf_ends, const needle_vecs *nv, unsigned w, int kind)
{
    const uint64_t first = simd_separators_of_block(q, p, &crlf_ends[0], nv, w, kind);
    for (size_t k = 1; k < blocks; k++)
        later[k - 1] = simd_separators_of_block(q, p + 64 * k, &crlf_ends[k], nv, w, kind);
    return first;
}

/* wc_backend.separators: the separator bits of `blocks` blocks from p, the
 * first's returned and the others' in later[], and by sep=" " the "\n"
 * among them right after a "\r" (kernel.h). */
static inline __attribute__((always_inline)) uint64_t
simd_separators_at(const wc_rule *rule, const void *text, size_t len, size_t p, size_t blocks,
                   uint64_t *later, uint64_t *crlf_ends, unsigned w)
{
    const wc_query q = {.text = text, .text_len = len, .width = w, .rule = rule};
    needle_vecs nv;
    const int kind = rule_kind(rule);
    spaces_of(kind, rule, nv.spaces);
    nv.first[0] = nv.last[0] = simd_splat(1, '\n');
    nv.first[1] = nv.last[1] = simd_splat(1, 0);
#define SEPARATORS_OF(kind) simd_separators_of_kind(&q, p, blocks, later, crlf_ends, &nv, w, kind)
    return kind == KIND_LINES ? SEPARATORS_OF(KIND_LINES)
         : kind == KIND_BYTES ? SEPARATORS_OF(KIND_BYTES)
         : kind == KIND_STR   ? SEPARATORS_OF(KIND_STR)
                              : SEPARATORS_OF(KIND_UTF8);
#undef SEPARATORS_OF
}

static uint64_t simd_separators_1(const wc_rule *r, const void *t, size_t len, size_t p, size_t n, uint64_t *later, uint64_t *nl) { return simd_separators_at(r, t, len, p, n, later, nl, 1); }
static uint64_t simd_separators_2(const wc_rule *r, const void *t, size_t len, size_t p, size_t n, uint64_t *later, uint64_t *nl) { return simd_separators_at(r, t, len, p, n, later, nl, 2); }
static uint64_t simd_separators_4(const wc_rule *r, const void *t, size_t len, size_t p, size_t n, uint64_t *later, uint64_t *nl) { return simd_separators_at(r, t, len, p, n, later, nl, 4); }

const wc_backend SIMD_BACKEND = {
    .name = SIMD_NAME,
    .count_range = {simd_count_range_1, simd_count_range_2, simd_count_range_4},
    .separators = {simd_separators_1, simd_separators_2, simd_separators_4},
};
