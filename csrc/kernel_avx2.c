/* The AVX2 backend: 32-byte registers. The algorithm is in kernel_simd.h;
 * this file gives it words, compiled for AVX2 whatever the build's flags
 * (kernel.c runs it only where the CPU has AVX2). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2,popcnt,bmi,bmi2"))), apply_to = function)
#else
#pragma GCC target("avx2,popcnt,bmi,bmi2")
#endif
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

typedef __m256i simd_vec;
#define SIMD_BYTES 32
#define SIMD_BITS_PER_UNIT(w) (w)   /* movemask gives a bit per byte */
#define SIMD_BACKEND wc_backend_avx2
#define SIMD_NAME "avx2"

static inline simd_vec simd_load(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

static inline simd_vec simd_splat(unsigned w, uint32_t unit)
{
    return w == 1 ? _mm256_set1_epi8((char)unit)
         : w == 2 ? _mm256_set1_epi16((short)unit)
                  : _mm256_set1_epi32((int)unit);
}

typedef __m256i simd_mask;

static inline simd_mask simd_eq(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm256_cmpeq_epi8(a, b)
         : w == 2 ? _mm256_cmpeq_epi16(a, b)
                  : _mm256_cmpeq_epi32(a, b);
}

static inline simd_vec simd_sub(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm256_sub_epi8(a, b) : w == 2 ? _mm256_sub_epi16(a, b) : _mm256_sub_epi32(a, b);
}

static inline simd_mask simd_le(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm256_cmpeq_epi8(_mm256_min_epu8(a, b), a)
         : w == 2 ? _mm256_cmpeq_epi16(_mm256_min_epu16(a, b), a)
                  : _mm256_cmpeq_epi32(_mm256_min_epu32(a, b), a);
}

static inline simd_mask simd_and(simd_mask a, simd_mask b) { return _mm256_and_si256(a, b); }
static inline simd_mask simd_or(simd_mask a, simd_mask b) { return _mm256_or_si256(a, b); }
static inline simd_vec simd_or_units(simd_vec a, simd_vec b) { return _mm256_or_si256(a, b); }
static inline uint64_t simd_bits(simd_mask m) { return (uint32_t)_mm256_movemask_epi8(m); }
static inline simd_mask simd_all_lanes(void) { return _mm256_set1_epi8(-1); }

/* The 32 bytes packed from 32 units of 2 bytes (one pack) or of 4 (two),
 * in the units' order: 32-byte packs work within each 16-byte half, and one
 * permute puts their output in order. */
static inline __m256i packed_in_order_2(__m256i packed)
{
    return _mm256_permute4x64_epi64(packed, _MM_SHUFFLE(3, 1, 2, 0));
}

static inline __m256i packed_in_order_4(__m256i packed)
{
    return _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* 32 units of 2 or 4 bytes as 32 bytes, saturating (see kernel_simd.h):
 * unsigned packs, in order. Against two 16-byte halves packed and joined
 * (fewer shuffles of 32 bytes, which Zen 1 splits in two: there the
 * halves were 7-15% faster), on Zen 3 in the paired scan "is" in 1 M
 * characters 1.12x (2-byte) and 1.18x (4-byte), the block scan 1.00-1.07x. */
static inline simd_vec simd_narrow(const char *at, unsigned w)
{
    if (w == 1)
        return simd_load(at);
    if (w == 2)
        return packed_in_order_2(_mm256_packus_epi16(simd_load(at), simd_load(at + 32)));
    const __m256i low = _mm256_packus_epi32(simd_load(at), simd_load(at + 32));
    const __m256i high = _mm256_packus_epi32(simd_load(at + 64), simd_load(at + 96));
    return packed_in_order_4(_mm256_packus_epi16(low, high));
}

/* Lanes of k where the unit of 32 from `at` equals `unit` (splat at width
 * w): the wide compares narrowed as simd_narrow narrows units, but by
 * signed packs, which keep a compare's -1. */
#define SIMD_HAS_NARROW_EQ
static inline simd_mask simd_narrow_and_eq(unsigned w, simd_mask k, const char *at, simd_vec unit)
{
    if (w == 2)
        return _mm256_and_si256(
            k, packed_in_order_2(_mm256_packs_epi16(_mm256_cmpeq_epi16(simd_load(at), unit),
                                                    _mm256_cmpeq_epi16(simd_load(at + 32), unit))));
    const __m256i low = _mm256_packs_epi32(_mm256_cmpeq_epi32(simd_load(at), unit),
                                           _mm256_cmpeq_epi32(simd_load(at + 32), unit));
    const __m256i high = _mm256_packs_epi32(_mm256_cmpeq_epi32(simd_load(at + 64), unit),
                                            _mm256_cmpeq_epi32(simd_load(at + 96), unit));
    return _mm256_and_si256(k, packed_in_order_4(_mm256_packs_epi16(low, high)));
}

/* 16 bytes in every 16-byte lane: the table of a shuffle by nibbles. */
static inline simd_vec simd_table(const uint8_t bytes[16])
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)bytes));
}

/* Separators: one shuffle and one compare (the trick is explained in
 * kernel_avx512.c). */
#define SIMD_HAS_IMAGE_EQ
static inline simd_mask simd_image_eq(simd_vec a, const uint8_t image[16])
{
    return _mm256_cmpeq_epi8(_mm256_shuffle_epi8(simd_table(image), a), a);
}

/* A str's separators by sep=None, in every scan: two shuffles by the
 * bytes' nibbles (kernel_simd.h, spaces_of), where a range and two
 * compares more took three instructions more a register (Zen 3, 1 M
 * characters by turns: "nested" 1.13x, "than" 1.05x, "is" 1.01x; in the
 * wide forms' block scan 1.04-1.07x). The two tables' bytes are below 0x80,
 * so a byte that shares a bit of them is above 0 as a signed byte: one
 * compare, no test into a mask. */
#define SIMD_HAS_NIBBLES
static inline simd_mask simd_nibbles(simd_vec a, simd_vec low, simd_vec high)
{
    const __m256i nibble = _mm256_set1_epi8(15);
    const __m256i shared = _mm256_and_si256(
        _mm256_shuffle_epi8(low, _mm256_and_si256(a, nibble)),
        _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(a, 4), nibble)));
    return _mm256_cmpgt_epi8(shared, _mm256_setzero_si256());
}

/* simd_holds by the registers' distances from `unit` (XOR) reduced by
 * their least and one compare with 0: values crlf_of does not make, so
 * that the compiler keeps none of them for it (kernel_simd.h, paired_loop's
 * crlf_apart). */
#define SIMD_HAS_HOLDS_BY_LEAST
static inline bool simd_holds_by_least(const simd_vec *regs, unsigned n, simd_vec unit)
{
    __m256i least = _mm256_xor_si256(regs[0], unit);
    for (unsigned k = 1; k < n; k++)
        least = _mm256_min_epu8(least, _mm256_xor_si256(regs[k], unit));
    return _mm256_movemask_epi8(_mm256_cmpeq_epi8(least, _mm256_setzero_si256())) != 0;
}

/* Is every lane of `lanes` set in m: vptest's carry, (lanes & ~m) == 0,
 * added to a count as it is, where a mask moved out, masked and compared
 * took three instructions more (a candidate's compare, paired_verify). */
#define SIMD_HAS_COVERS
static inline bool simd_covers(simd_mask m, simd_mask lanes)
{
    return _mm256_testc_si256(m, lanes);
}

/* The paired scan (kernel_simd.h). Its 1-byte texts from memory are
 * fetched ahead, as the other scans fetch them (Sapphire Rapids, 128 M
 * bytes: 1.03x the shifted scan's rate so, 0.97x without). */
#define SIMD_HAS_PAIRED

/* The wide forms' window, for d = 1 or 2: the 16-byte halves of `here` and
 * `next` that follow `here`'s own, then the pair shifted within each half
 * by d bytes, two shuffles where narrowing again took two or four loads
 * and two or three shuffles. */
static inline __attribute__((always_inline)) simd_vec halves_after(simd_vec here, simd_vec next)
{
    return _mm256_permute2x128_si256(here, next, 0x21);
}

#define SIMD_HAS_WINDOW
#define SIMD_WINDOW_REACH(w) 2
static inline __attribute__((always_inline)) simd_vec simd_window(simd_vec here, simd_vec next,
                                                                  unsigned d)
{
    const __m256i above = halves_after(here, next);
    return d == 1 ? _mm256_alignr_epi8(above, here, 1) : _mm256_alignr_epi8(above, here, 2);
}

/* The 4-byte form's window for any d up to 16, known when the loop starts
 * (kernel_simd.h, PAIRED_FAR_WINDOW): byte i of each 16-byte half is byte
 * i + d of that half and the next one, end to end, by a byte shuffle of
 * each and an OR (an index with its top bit set shuffles to 0: 0x70 +
 * (i + d) takes the bytes of `here` where i + d < 16, 0xF0 + (i + d) those
 * of `above` where not), three shuffles and an OR where narrowing again
 * took four loads and four shuffles. Zen 3, 1 M characters of the Zen of
 * Python by turns, against narrowing again, the 4-byte form: "than" 1.06x,
 * "nested" 1.06x, "Explicit" 1.13x, "better" 1.32x, bett\U0001F600r 0.50x
 * -> 0.56x of the 1-byte rate of "is". In the 2-byte form, whose narrowing
 * is two loads, a pack and a permute, the window lost ("nested" and
 * "Explicit" 0.97x). */
#define SIMD_HAS_FAR_WINDOW
#define SIMD_FAR_WINDOW_REACH(w) ((w) == 4 ? 16 : 0)
static inline __attribute__((always_inline)) simd_vec simd_window_far(simd_vec here,
                                                                      simd_vec next, unsigned d)
{
    const __m256i above = halves_after(here, next);
    const __m256i at = _mm256_add_epi8(_mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                                        13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                        10, 11, 12, 13, 14, 15),
                                       _mm256_set1_epi8((char)d));
    return _mm256_or_si256(
        _mm256_shuffle_epi8(here, _mm256_add_epi8(at, _mm256_set1_epi8(0x70))),
        _mm256_shuffle_epi8(above, _mm256_add_epi8(at, _mm256_set1_epi8((char)0xF0))));
}

static inline uint64_t simd_nonzero_words(const uint64_t *words)
{
    const __m256i zero = _mm256_cmpeq_epi64(simd_load(words), _mm256_setzero_si256());
    return ~(uint64_t)_mm256_movemask_pd(_mm256_castsi256_pd(zero)) & 15;
}
static inline bool simd_fetches_wide_ahead(void) { return false; }
static inline bool simd_fetches_bytes_ahead(void) { return true; }
static inline bool simd_pairs_by_masks(void) { return false; }
static inline bool simd_bytes_by_window(void) { return false; }

/* Whether a 1-byte text's starts, by bytes' sep=None for a needle of one or
 * two units, are tested in the register from one more load (paired_loop):
 * on AMD's cores, whose general registers the loop waits on (Zen 3, "is"
 * in 1 M characters: 23.8 -> 29.8 G chars/s, "a" 29.0 -> 30.3, the KJV's
 * "of" 23.8 -> 29.7); not on Intel's, where the paired scan was measured
 * without it. The build with AVX-512 emulated (nox -s avx512) takes the
 * other way, so that every CPU tests both. */
static inline bool simd_starts_by_load(void)
{
#ifdef WC_AVX512_EMULATED
    return __builtin_cpu_is("intel");
#else
    return !__builtin_cpu_is("intel");
#endif
}

#include "kernel_simd.h"

#ifdef __clang__
#pragma clang attribute pop
#endif
#endif
