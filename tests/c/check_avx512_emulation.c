/* The emulated AVX-512 intrinsics (avx512_emulated.h) against the CPU's own
 * 16-byte ones: the packs and the byte shuffle work on each 16-byte quarter
 * of a register as SSE's do on a whole register, so on 100 000 random pairs
 * of registers every quarter of the emulated result must equal SSE's result
 * on that quarter (the byte alignment, and and shift too); the ternary
 * logic the backend uses must equal SSE's and/or/xor of the same, the
 * test-into-mask SSE's compare of a & b with zero, and the masked compare
 * of bytes not equal the complement of SSE's compare (against a register
 * equal to a in two lanes of three). VBMI's byte permute of two registers,
 * as the backend built for VBMI shifts a block's units by d up to 63, must
 * equal the other build's windows, its own functions (csrc/
 * kernel_avx512_window.h): by two alignments (d = 1 and 2), and by
 * permutes of 32-bit lanes and shifts (every d up to 63, as the 4-byte
 * form takes them). `nox -s avx512` runs it
 * before the backend's checks, so that those rest on an emulation that is
 * right.
 *
 *     gcc -O1 -msse4.1 -Icsrc -Itests/c tests/c/check_avx512_emulation.c
 */
#include <smmintrin.h>   /* SSE4.1: _mm_packus_epi32; SSSE3: _mm_shuffle_epi8 */
#include <stdio.h>
#include <stdlib.h>

#include "avx512_emulated.h"
#include "kernel_avx512_window.h"

static int quarter_differs(__m512i emulated, unsigned quarter, __m128i expected)
{
    return memcmp(emulated.bytes + 16 * quarter, &expected, 16) != 0;
}

int main(void)
{
    unsigned seed = 12345;
    for (int round = 0; round < 100000; round++) {
        __m512i a, b;
        for (unsigned i = 0; i < 64; i++) {
            seed = seed * 1103515245u + 12345u;
            a.bytes[i] = (uint8_t)(seed >> 16);
            /* shuffle indices with the top bit set a third of the time */
            b.bytes[i] = (uint8_t)(seed >> 24) & (i % 3 ? 0x8f : 0xff);
        }
        __m512i pack16 = _mm512_packus_epi16(a, b), pack32 = _mm512_packus_epi32(a, b),
                shuffled = _mm512_shuffle_epi8(a, b), aligned = _mm512_alignr_epi8(a, b, 5),
                both = _mm512_and_si512(a, b),
                shifted = _mm512_srli_epi16(a, 5);
        /* c: a's bytes reversed, a third operand unlike both */
        __m512i c;
        for (unsigned i = 0; i < 64; i++)
            c.bytes[i] = a.bytes[63 - i];
        const __m512i or_xor = _mm512_ternarylogic_epi64(a, b, c, 0xF6),  /* a | (b ^ c) */
                      xor_or = _mm512_ternarylogic_epi64(a, b, c, 0x56);  /* (a | b) ^ c */
        /* d: a's bytes in two lanes of three, b's in the third */
        __m512i d;
        for (unsigned i = 0; i < 64; i++)
            d.bytes[i] = i % 3 ? a.bytes[i] : b.bytes[i];
        const uint64_t k = (uint64_t)seed * 0x9E3779B97F4A7C15u,
                       tested = _mm512_mask_testn_epi8_mask(k, a, b),
                       tested_nonzero = _mm512_mask_test_epi8_mask(k, a, b),
                       unequal = _mm512_mask_cmpneq_epi8_mask(k, a, d);
        for (unsigned quarter = 0; quarter < 4; quarter++) {
            __m128i qa, qb;
            memcpy(&qa, a.bytes + 16 * quarter, 16);
            memcpy(&qb, b.bytes + 16 * quarter, 16);
            __m128i qc, qd;
            memcpy(&qc, c.bytes + 16 * quarter, 16);
            memcpy(&qd, d.bytes + 16 * quarter, 16);
            const uint64_t equal = (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(qa, qd));
            const uint64_t zero_and = (uint64_t)(uint16_t)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_and_si128(qa, qb), _mm_setzero_si128()));
            if (quarter_differs(pack16, quarter, _mm_packus_epi16(qa, qb))
                || quarter_differs(aligned, quarter, _mm_alignr_epi8(qa, qb, 5))
                || quarter_differs(both, quarter, _mm_and_si128(qa, qb))
                || quarter_differs(shifted, quarter, _mm_srli_epi16(qa, 5))
                || (unequal >> (16 * quarter) & 0xffff) != (~equal & 0xffff & k >> (16 * quarter))
                || (tested_nonzero >> (16 * quarter) & 0xffff)
                       != (~zero_and & 0xffff & k >> (16 * quarter))
                || quarter_differs(or_xor, quarter, _mm_or_si128(qa, _mm_xor_si128(qb, qc)))
                || quarter_differs(xor_or, quarter, _mm_xor_si128(_mm_or_si128(qa, qb), qc))
                || (tested >> (16 * quarter) & 0xffff) != (zero_and & k >> (16 * quarter))
                || quarter_differs(pack32, quarter, _mm_packus_epi32(qa, qb))
                || quarter_differs(shuffled, quarter, _mm_shuffle_epi8(qa, qb))) {
                fprintf(stderr, "check_avx512_emulation: round %d, quarter %u differs\n",
                        round, quarter);
                return 1;
            }
        }
        for (unsigned d = 1; d <= 63; d++) {
            __m512i window;
            for (unsigned i = 0; i < 64; i++)
                window.bytes[i] = (uint8_t)(i + d);
            const __m512i permuted = _mm512_permutex2var_epi8(a, window, b);
            if ((d <= 2 && memcmp(permuted.bytes, window_aligned(a, b, d).bytes, 64) != 0)
                || memcmp(permuted.bytes, window_by_lanes(a, b, d).bytes, 64) != 0) {
                fprintf(stderr, "check_avx512_emulation: round %d, the permute by %u differs\n",
                        round, d);
                return 1;
            }
        }
    }
    printf("check_avx512_emulation: ok, packs, shuffle, alignment, and, shift, ternary logic, "
           "tests and compares agree with SSE's, the permute with the alignments and lane shifts\n");
    return 0;
}
