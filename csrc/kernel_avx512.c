/* The AVX-512BW backend: 64-byte registers and mask registers, one bit per
 * lane for every width. The algorithm is in kernel_simd.h; this file gives it
 * words, compiled for AVX-512BW whatever the build's flags (kernel.c runs it
 * only where the CPU and the OS support it). kernel_avx512vbmi.c builds it
 * again, with WC_AVX512_VBMI, for CPUs that also have AVX512-VBMI. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#ifdef WC_AVX512_EMULATED
/* The intrinsics written in C (tests/c/avx512_emulated.h), so that the
 * backend's tests run on CPUs without AVX-512. */
#include "avx512_emulated.h"
#elif defined(__clang__) && defined(WC_AVX512_VBMI)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vbmi,popcnt,bmi,bmi2"))), apply_to = function)
#include <immintrin.h>
#elif defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,popcnt,bmi,bmi2"))), apply_to = function)
#include <immintrin.h>
#elif defined(WC_AVX512_VBMI)
#pragma GCC target("avx512f,avx512bw,avx512vbmi,popcnt,bmi,bmi2")
#include <immintrin.h>
#else
#pragma GCC target("avx512f,avx512bw,popcnt,bmi,bmi2")
#include <immintrin.h>
#endif
#include <stdbool.h>
#include <stdint.h>

typedef __m512i simd_vec;
#define SIMD_BYTES 64
#define SIMD_BITS_PER_UNIT(w) 1     /* compares write a bit per lane */
#ifdef WC_AVX512_VBMI
#define SIMD_BACKEND wc_backend_avx512vbmi
#define SIMD_NAME "avx512vbmi"
#else
#define SIMD_BACKEND wc_backend_avx512bw
#define SIMD_NAME "avx512bw"
#endif

static inline simd_vec simd_load(const void *p) { return _mm512_loadu_si512(p); }

/* A load kept in its register by an empty asm: the compiler otherwise folds
 * the load into each instruction that uses the register, and the paired
 * scan's three loads of each block cost it a fifth of its speed on Zen 4. */
#define SIMD_HAS_LOAD_ONCE
static inline simd_vec simd_load_once(const void *p)
{
    simd_vec v = simd_load(p);
#ifndef WC_AVX512_EMULATED
    __asm__("" : "+v"(v));
#endif
    return v;
}

static inline simd_vec simd_splat(unsigned w, uint32_t unit)
{
    return w == 1 ? _mm512_set1_epi8((char)unit)
         : w == 2 ? _mm512_set1_epi16((short)unit)
                  : _mm512_set1_epi32((int)unit);
}

typedef __mmask64 simd_mask;   /* narrower compares fill its low bits */

static inline simd_vec simd_sub(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm512_sub_epi8(a, b) : w == 2 ? _mm512_sub_epi16(a, b) : _mm512_sub_epi32(a, b);
}

static inline simd_mask simd_le(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm512_cmple_epu8_mask(a, b)
         : w == 2 ? _mm512_cmple_epu16_mask(a, b)
                  : _mm512_cmple_epu32_mask(a, b);
}

static inline simd_mask simd_or(simd_mask a, simd_mask b) { return a | b; }
static inline simd_vec simd_or_units(simd_vec a, simd_vec b) { return _mm512_or_si512(a, b); }
/* The mask in a general register, fenced there by an empty asm: else the
 * compiler keeps a mask it uses twice in its mask register and moves it out
 * at each use, or moves a general register back to AND it by a masked
 * compare, and on Zen 4 each move takes two cycles (the paired scan lost
 * 45% to them). */
static inline uint64_t simd_bits(simd_mask m)
{
    uint64_t bits = m;
    __asm__("" : "+r"(bits));
    return bits;
}
static inline simd_mask simd_all_lanes(void) { return ~(simd_mask)0; }

/* 64 units as 64 bytes, saturating (see kernel_simd.h), in the order the
 * packs leave them: they work within each 128-bit quarter, so quarter L
 * holds 16 / w units of each loaded register's quarter L in turn. */
static inline simd_vec narrow_packed(const char *at, unsigned w)
{
    if (w == 1)
        return simd_load(at);
    if (w == 2)
        return _mm512_packus_epi16(simd_load(at), simd_load(at + 64));
    return _mm512_packus_epi16(_mm512_packus_epi32(simd_load(at), simd_load(at + 64)),
                               _mm512_packus_epi32(simd_load(at + 128), simd_load(at + 192)));
}

/* 64 units as 64 bytes in order: a permute puts the quarters back. */
static inline simd_vec simd_narrow(const char *at, unsigned w)
{
    const simd_vec packed = narrow_packed(at, w);
    if (w == 1)
        return packed;
    if (w == 2)
        return _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), packed);
    return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13,
                                                      2, 6, 10, 14, 3, 7, 11, 15), packed);
}

/* The paired scan's registers (kernel_simd.h): units d .. d+63 of two
 * registers of narrowed units, where a load a register, narrowed again,
 * would take two loads and two shuffles for the 2-byte form, four and four
 * for the 4-byte one. With VBMI, for every d up to 63, by one permute of
 * the two registers' bytes (vpermt2b: on Zen 4 one a cycle, as each
 * shuffle); without, for d = 1 and 2, by a shift of 64-bit lanes across
 * the two and one of bytes within 16-byte lanes, and in the 4-byte form
 * for every d by two permutes of 32-bit lanes and two shifts (in the
 * 2-byte form, narrowing again is cheaper). */
#define SIMD_HAS_WINDOW
#ifdef WC_AVX512_VBMI
#define SIMD_WINDOW_REACH(w) 63
/* 0, 1, ... 127: loaded from d, the permute's indices for a window of d */
static const uint8_t window_bytes[128] = {
      0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,  15,
     16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,
     32,  33,  34,  35,  36,  37,  38,  39,  40,  41,  42,  43,  44,  45,  46,  47,
     48,  49,  50,  51,  52,  53,  54,  55,  56,  57,  58,  59,  60,  61,  62,  63,
     64,  65,  66,  67,  68,  69,  70,  71,  72,  73,  74,  75,  76,  77,  78,  79,
     80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  90,  91,  92,  93,  94,  95,
     96,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127};

static inline __attribute__((always_inline)) simd_vec simd_window(simd_vec here, simd_vec next,
                                                                  unsigned d)
{
    /* byte i of the result: byte d + i of here and next, end to end */
    return _mm512_permutex2var_epi8(here, simd_load(window_bytes + d), next);
}
#else
/* A 4-byte text's units at any d by window_by_lanes: against narrowing
 * again, in the 4-byte form "bett\U0001F600r" 1.24x, "nested" 1.33x,
 * "Explicit" 1.29x, "better" 1.25x, "than" 1.01x (Zen 4, by turns), where
 * the 2-byte form's needles lost (0.79-0.89x). */
#include "kernel_avx512_window.h"
#define SIMD_WINDOW_REACH(w) ((w) == 4 ? 63 : 2)
static inline __attribute__((always_inline)) simd_vec simd_window(simd_vec here, simd_vec next,
                                                                  unsigned d)
{
    if (__builtin_constant_p(d) && d <= 2)   /* two shuffles, no shifts */
        return window_aligned(here, next, d);
    return window_by_lanes(here, next, d);
}
#endif

#define SIMD_HAS_AND_EQ     /* masked compares: the AND is free */
static inline simd_mask simd_and_eq(unsigned w, simd_mask k, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm512_mask_cmpeq_epi8_mask(k, a, b)
         : w == 2 ? _mm512_mask_cmpeq_epi16_mask((__mmask32)k, a, b)
                  : _mm512_mask_cmpeq_epi32_mask((__mmask16)k, a, b);
}

/* Lanes of k where the unit of 64 from `at` equals `unit` (splat at width
 * w): masked compares, each of 64 / w lanes, their masks end to end. */
#define SIMD_HAS_NARROW_EQ
static inline simd_mask simd_narrow_and_eq(unsigned w, simd_mask k, const char *at, simd_vec unit)
{
    simd_mask m = 0;
    for (unsigned r = 0; r < w; r++)
        m |= simd_and_eq(w, k >> (64 / w * r), simd_load(at + 64 * r), unit) << (64 / w * r);
    return m;
}

/* Separators: each byte's low nibble picks the separator with that nibble
 * (by sep=" ", " " is 0x20 and "\n" 0x0a) or a byte whose low nibble
 * differs (so equals nothing with this nibble); only separators equal their
 * image. A byte with its top bit set shuffles to 0, which it is not. */
#define SIMD_HAS_IMAGE_EQ
static inline simd_mask simd_image_eq(simd_vec a, const uint8_t image[16])
{
    const __m512i table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)image));
    return _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(table, a), a);
}

/* A str's separators by sep=None (kernel_simd.h, spaces_of): two
 * shuffles, by each byte's low and high nibble, and one test, where \t-\r,
 * space, \x1c-\x1f and two units from 0x80 took four compares into mask
 * registers and three ORs of them, each a cycle of the mask unit on Zen 4
 * (Zen 4, "is" in 1 M characters of a str by sep=None, A/B by turns: the
 * paired scan 22 -> 42 G chars/s, the 2-byte form's block scan 15 -> 22,
 * the 4-byte form's 16 -> 19). */
#define SIMD_HAS_NIBBLES
static inline simd_vec simd_table(const uint8_t bytes[16])
{
    return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)bytes));
}

static inline simd_mask simd_nibbles(simd_vec a, simd_vec low, simd_vec high)
{
    const simd_vec nibble = _mm512_set1_epi8(15);
    return _mm512_mask_test_epi8_mask(
        ~(simd_mask)0, _mm512_shuffle_epi8(low, _mm512_and_si512(a, nibble)),
        _mm512_shuffle_epi8(high, _mm512_and_si512(_mm512_srli_epi16(a, 4), nibble)));
}

/* The tests of a register's bytes (kernel_simd.h: the paired scan's pairs
 * and its candidates) as the bytes by which each lane misses them, ORed into
 * one register by ternary logic (zero where a lane passes them all) and made
 * a mask once, a test-into-mask a register: each test a masked compare into
 * a mask register was what the shifted scan, which came before the paired
 * one, waited on (Zen 5, "is" in 256 K bytes of the Zen of Python: 37 -> 48
 * G chars/s). */
#define SIMD_HAS_TESTS
typedef struct {
    simd_vec misses;
    simd_mask lanes;
} simd_tests;

static inline simd_tests simd_tests_all(void)
{
    return (simd_tests){_mm512_setzero_si512(), ~(simd_mask)0};
}

/* misses | (x ^ unit) */
static inline simd_tests simd_test_eq(simd_tests t, simd_vec x, simd_vec unit)
{
    t.misses = _mm512_ternarylogic_epi64(t.misses, x, unit, 0xF6);
    return t;
}

/* misses | ((x | bit) ^ unit): one ternary logic and an OR (the OR of the
 * first test, into no misses, goes). */
static inline simd_tests simd_test_eq_folded(simd_tests t, simd_vec x, simd_vec unit, simd_vec bit)
{
    t.misses = _mm512_or_si512(t.misses, _mm512_ternarylogic_epi64(x, bit, unit, 0x56));
    return t;
}

static inline simd_tests simd_test_mask(simd_tests t, simd_mask mask)
{
    t.lanes &= mask;
    return t;
}

static inline simd_mask simd_passed(simd_tests t)
{
    return _mm512_mask_testn_epi8_mask(t.lanes, t.misses, t.misses);
}

/* A byte equal to `unit` in n registers: the lanes where none is, by
 * compares each masked by the one before, all set or not (one kortest).
 * The registers' distances from it (XOR) reduced by their least and one
 * test took twice the instructions: the wide forms' "is" by sep=" " and
 * sep=None ran 1.05-1.06x faster so, bytes 1.00x (Zen 4, by turns). */
#define SIMD_HAS_HOLDS
static inline bool simd_holds(const simd_vec *regs, unsigned n, simd_vec unit)
{
    __mmask64 none = _mm512_cmpneq_epi8_mask(regs[0], unit);
    for (unsigned k = 1; k < n; k++)
        none = _mm512_mask_cmpneq_epi8_mask(none, regs[k], unit);
    return !_kortestc_mask64_u8(none, none);
}

/* For the paired scan's compares of whole candidates (kernel_simd.h,
 * paired_verify): did every lane pass the tests (one test of a mask: moved
 * to a general register, a mask takes two cycles on Zen 4); and which of 8
 * words are not 0, a bit each. */
static inline bool simd_passed_all(simd_tests t)
{
    const __mmask64 missed = _mm512_mask_test_epi8_mask(t.lanes, t.misses, t.misses);
    return _kortestz_mask64_u8(missed, missed);
}

/* A candidate's rest equal to the needle's in the lanes of k: one compare
 * into a mask and its test. */
#define SIMD_HAS_EQUAL_IN
static inline bool simd_equal_in(simd_mask k, simd_vec a, simd_vec b)
{
    const __mmask64 missed = _mm512_mask_cmpneq_epi8_mask(k, a, b);
    return _kortestz_mask64_u8(missed, missed);
}

static inline uint64_t simd_nonzero_words(const uint64_t *words)
{
    const simd_vec v = simd_load(words);
    return _mm512_test_epi64_mask(v, v);
}

#define SIMD_HAS_PAIRED

/* Whether the CPU's own prefetch falls behind the paired scan's aligned
 * loads from memory, so that the scan fetches a text ahead of itself
 * (paired_loop): on Intel's cores, not on AMD's, whose own kept up. Zen 4,
 * 128 M units, with the fetches: 0.86x and 0.74x in the 2- and 4-byte
 * forms. Sapphire Rapids, the 2-byte form at 1 M characters (2 MB, as its
 * L2 holds) 1.11-1.24x, at 64 M 1.2-1.3x, in cache 1.00x. Ice Lake, a
 * 1-byte text, "is" by turns: 16 M 1.19x, 128 M 1.27-1.29x, where avx2,
 * which fetches, ran 1.1x avx512bw. */
static inline bool prefetch_falls_behind(void)
{
#ifdef WC_AVX512_EMULATED
    return true;    /* (the fetches' addresses exercised: nothing is read) */
#else
    return __builtin_cpu_is("intel");
#endif
}
static inline bool simd_fetches_bytes_ahead(void) { return prefetch_falls_behind(); }
static inline bool simd_fetches_wide_ahead(void) { return prefetch_falls_behind(); }

/* Whether the paired scan makes a needle's pairs in general registers
 * (PAIRED_BY_MASKS): on Intel's cores, where a mask moved out costs a
 * cycle of another port than the shuffles' (Sapphire Rapids), but not on
 * Ice Lake's generation, where the window ran faster (by turns, 256 K
 * characters: "is" 2-byte 1.07-1.24x, 4-byte 1.07-1.13x; the KJV's "the"
 * 1.18x and 1.12x, by sep=None 1.11x and 1.17x; "nested" by sep=None
 * 1.00x and 0.97x); not on AMD's, where it costs two whatever else runs
 * (Zen 4). The emulated build takes the window, so that a run on Intel
 * tests both. */
static inline bool simd_pairs_by_masks(void)
{
#ifdef WC_AVX512_EMULATED
    return false;
#else
    return __builtin_cpu_is("intel") && !__builtin_cpu_is("icelake-server")
           && !__builtin_cpu_is("icelake-client") && !__builtin_cpu_is("tigerlake")
           && !__builtin_cpu_is("rocketlake");
#endif
}

/* Whether a 1-byte text's paired scan takes the unit tested with the first
 * from a window of its registers (VBMI's vpermt2b) rather than a load
 * across two cache lines, where middle units are tested too: on AMD's
 * cores, where that permute takes a cycle; not on Intel's, where it takes
 * two of the port every compare into a mask needs (Sapphire Rapids, by
 * turns, at a hit every fifth word: needles of 3 units 1.08x by loads, 4-6
 * units 1.02-1.04x; "the" in the KJV 1.08x). The emulated build takes the
 * window, so that a run on Intel tests both. */
static inline bool simd_bytes_by_window(void)
{
#ifdef WC_AVX512_EMULATED
    return true;
#else
    return !__builtin_cpu_is("intel");
#endif
}

/* A 1-byte text's starts come from the separators' mask (paired_loop):
 * its shifts in general registers are not what the loop waits on. */
static inline bool simd_starts_by_load(void) { return false; }

#include "kernel_simd.h"

#if defined(__clang__) && !defined(WC_AVX512_EMULATED)
#pragma clang attribute pop
#endif
#endif
