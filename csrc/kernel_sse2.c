/* The SSE2 backend: 16-byte registers, the x86-64 baseline (every x86-64 CPU
 * runs it). The algorithm is in kernel_simd.h; this file gives it words.
 * kernel_ssse3.c builds it again, with WC_SSSE3, for the CPUs that also
 * have SSSE3's byte shuffle and POPCNT. */
#if defined(__x86_64__) || defined(_M_X64)
#if defined(WC_SSSE3) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("ssse3,popcnt"))), apply_to = function)
#elif defined(WC_SSSE3)
#pragma GCC target("ssse3,popcnt")
#endif
#include <emmintrin.h>
#include <stdbool.h>
#include <stdint.h>
#ifdef WC_SSSE3
#include <tmmintrin.h>
#endif

typedef __m128i simd_vec;
#define SIMD_BYTES 16
#define SIMD_BITS_PER_UNIT(w) (w)   /* movemask gives a bit per byte */
#ifdef WC_SSSE3
#define SIMD_BACKEND wc_backend_ssse3
#define SIMD_NAME "ssse3"
#else
#define SIMD_BACKEND wc_backend_sse2
#define SIMD_NAME "sse2"
#endif

static inline simd_vec simd_load(const void *p) { return _mm_loadu_si128((const __m128i *)p); }

static inline simd_vec simd_splat(unsigned w, uint32_t unit)
{
    return w == 1 ? _mm_set1_epi8((char)unit)
         : w == 2 ? _mm_set1_epi16((short)unit)
                  : _mm_set1_epi32((int)unit);
}

typedef __m128i simd_mask;

static inline simd_mask simd_eq(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm_cmpeq_epi8(a, b)
         : w == 2 ? _mm_cmpeq_epi16(a, b)
                  : _mm_cmpeq_epi32(a, b);
}

static inline simd_vec simd_sub(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm_sub_epi8(a, b) : w == 2 ? _mm_sub_epi16(a, b) : _mm_sub_epi32(a, b);
}

/* a <= b unsigned: SSE2 has an unsigned minimum of bytes and a saturating
 * subtraction of 16-bit lanes, and for 32-bit lanes a signed compare of
 * both with their top bits flipped. */
static inline simd_mask simd_le(unsigned w, simd_vec a, simd_vec b)
{
    if (w == 1)
        return _mm_cmpeq_epi8(_mm_min_epu8(a, b), a);
    if (w == 2)
        return _mm_cmpeq_epi16(_mm_subs_epu16(a, b), _mm_setzero_si128());
    const __m128i top = _mm_set1_epi32((int)0x80000000u);
    return _mm_xor_si128(_mm_cmpgt_epi32(_mm_xor_si128(a, top), _mm_xor_si128(b, top)),
                         _mm_set1_epi8(-1));
}

static inline simd_mask simd_and(simd_mask a, simd_mask b) { return _mm_and_si128(a, b); }
static inline simd_mask simd_or(simd_mask a, simd_mask b) { return _mm_or_si128(a, b); }
static inline simd_vec simd_or_units(simd_vec a, simd_vec b) { return _mm_or_si128(a, b); }
static inline uint64_t simd_bits(simd_mask m) { return (uint32_t)_mm_movemask_epi8(m); }
static inline simd_mask simd_all_lanes(void) { return _mm_set1_epi8(-1); }

/* 16 units as 16 bytes, saturating (see kernel_simd.h). SSE2 has no
 * unsigned 32-bit pack: the signed one keeps 0x7FFF, which the byte pack
 * then saturates to 0xFF like any unit above 0xFF. */
static inline simd_vec simd_narrow(const char *at, unsigned w)
{
    if (w == 1)
        return simd_load(at);
    if (w == 2)
        return _mm_packus_epi16(simd_load(at), simd_load(at + 16));
    return _mm_packus_epi16(_mm_packs_epi32(simd_load(at), simd_load(at + 16)),
                            _mm_packs_epi32(simd_load(at + 32), simd_load(at + 48)));
}

#ifdef WC_SSSE3
/* Separators by one shuffle and one compare, a str's by sep=None by two
 * shuffles by the bytes' nibbles (the tricks are explained in
 * kernel_avx512.c and kernel_avx2.c), where SSE2 compares each byte with
 * each separator or range of them: Zen 3, 1 M characters of the Zen of
 * Python, "is" by a str's sep=None 1.22x, by sep=" " 1.05x, over the same
 * build with POPCNT alone. */
static inline simd_vec simd_table(const uint8_t bytes[16])
{
    return _mm_loadu_si128((const __m128i *)bytes);
}

#define SIMD_HAS_IMAGE_EQ
static inline simd_mask simd_image_eq(simd_vec a, const uint8_t image[16])
{
    return _mm_cmpeq_epi8(_mm_shuffle_epi8(simd_table(image), a), a);
}

#define SIMD_HAS_NIBBLES
static inline simd_mask simd_nibbles(simd_vec a, simd_vec low, simd_vec high)
{
    const __m128i nibble = _mm_set1_epi8(15);
    const __m128i shared = _mm_and_si128(
        _mm_shuffle_epi8(low, _mm_and_si128(a, nibble)),
        _mm_shuffle_epi8(high, _mm_and_si128(_mm_srli_epi16(a, 4), nibble)));
    return _mm_cmpgt_epi8(shared, _mm_setzero_si128());
}

/* The paired scan for 1-byte texts (kernel_simd.h), four registers a block,
 * each loaded where it lies and at the needle's last unit. Zen 3, 1 M
 * characters of the Zen of Python, against the block scan, by turns: "is"
 * by a str's sep=None 1.18x, by bytes' 1.26x, folded 1.06x, by sep=" "
 * 0.99x (the same loop ran 8.9 or 10.4 G chars/s as it lay in memory);
 * "than" 1.24-1.68x; "nested" 1.06-1.14x, but by a str's sep=None 0.93x;
 * the KJV's "the" 2.4x, "LORD" 1.16x, "Jerusalem" 1.07x; needles of 3-8
 * units at a hit every fifth word 1.09-1.60x, of 16-62 units 1.05-1.10x.
 * Not the wide forms: with windows of the narrowed registers (alignr) "is"
 * by sep=" " won 1.06x and 1.11x but by a str's sep=None lost 0.94x and
 * 0.81x, "than" in the 4-byte form 0.85x. Starts from the separators'
 * mask, not from a load of the units before (by bytes' sep=None "is" 0.84x
 * so, "a" 0.75x). */
#define SIMD_HAS_PAIRED
static inline uint64_t simd_nonzero_words(const uint64_t *words)
{
    return (uint64_t)(words[0] != 0) | (uint64_t)(words[1] != 0) << 1;
}
static inline bool simd_fetches_wide_ahead(void) { return false; }
static inline bool simd_fetches_bytes_ahead(void) { return true; }
static inline bool simd_pairs_by_masks(void) { return false; }
static inline bool simd_bytes_by_window(void) { return false; }
static inline bool simd_starts_by_load(void) { return false; }
#endif

#include "kernel_simd.h"

#if defined(WC_SSSE3) && defined(__clang__)
#pragma clang attribute pop
#endif
#endif
