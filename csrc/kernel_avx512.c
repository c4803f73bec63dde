/* The AVX-512BW backend: 64-byte registers and mask registers, one bit per
 * lane for every width. The algorithm is in kernel_simd.h; this file gives it
 * words, compiled for AVX-512BW whatever the build's flags (kernel.c runs it
 * only where the CPU and the OS support it). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,popcnt,bmi"))), apply_to = function)
#else
#pragma GCC target("avx512f,avx512bw,popcnt,bmi")
#endif
#include <immintrin.h>
#include <stdint.h>

typedef __m512i simd_vec;
#define SIMD_BYTES 64
#define SIMD_BITS_PER_UNIT(w) 1     /* compares write a bit per lane */
#define SIMD_BACKEND wc_backend_avx512bw
#define SIMD_NAME "avx512bw"

static inline simd_vec simd_load(const void *p) { return _mm512_loadu_si512(p); }

static inline simd_vec simd_splat(unsigned w, uint32_t unit)
{
    return w == 1 ? _mm512_set1_epi8((char)unit)
         : w == 2 ? _mm512_set1_epi16((short)unit)
                  : _mm512_set1_epi32((int)unit);
}

static inline uint64_t simd_eq(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? _mm512_cmpeq_epi8_mask(a, b)
         : w == 2 ? _mm512_cmpeq_epi16_mask(a, b)
                  : _mm512_cmpeq_epi32_mask(a, b);
}

#include "kernel_simd.h"

#ifdef __clang__
#pragma clang attribute pop
#endif
#endif
