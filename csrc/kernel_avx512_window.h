/* The avx512bw build's windows (kernel_avx512.c, simd_window): units d ..
 * d+63 of two registers of narrowed units, `here` and the `next` one, end
 * to end, without VBMI's byte permute across two registers. Apart, so that
 * tests/c/check_avx512_emulation.c checks these very functions against
 * that permute. Included after the intrinsics (the CPU's, or
 * tests/c/avx512_emulated.h's). */
#ifndef WC_KERNEL_AVX512_WINDOW_H
#define WC_KERNEL_AVX512_WINDOW_H

/* For d = 1 or 2: a shift of 64-bit lanes across the two registers and one
 * of bytes within 16-byte lanes, two shuffles. */
static inline __attribute__((always_inline)) __m512i window_aligned(__m512i here, __m512i next,
                                                                    unsigned d)
{
    const __m512i above = _mm512_alignr_epi64(next, here, 2);
    return d == 1 ? _mm512_alignr_epi8(above, here, 1) : _mm512_alignr_epi8(above, here, 2);
}

/* For any d up to 63: 32-bit lanes d / 4 .. and d / 4 + 1 .. of the two
 * (two permutes), each shifted by d % 4 bytes and ORed. A shift of a lane
 * by 32 bits makes 0, so d % 4 == 0 takes the first lanes whole. */
static inline __attribute__((always_inline)) __m512i window_by_lanes(__m512i here, __m512i next,
                                                                     unsigned d)
{
    const __m512i lanes = _mm512_add_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32((int)(d / 4)));
    const __m512i low = _mm512_permutex2var_epi32(here, lanes, next),
                  high = _mm512_permutex2var_epi32(
                      here, _mm512_add_epi32(lanes, _mm512_set1_epi32(1)), next);
    return _mm512_or_si512(_mm512_srlv_epi32(low, _mm512_set1_epi32((int)(8 * (d % 4)))),
                           _mm512_sllv_epi32(high, _mm512_set1_epi32((int)(32 - 8 * (d % 4)))));
}

#endif
