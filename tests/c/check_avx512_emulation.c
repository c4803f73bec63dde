/* The emulated AVX-512 intrinsics (avx512_emulated.h) against the CPU's own
 * 16-byte ones: the packs and the byte shuffle work on each 16-byte quarter
 * of a register as SSE's do on a whole register, so on 100 000 random pairs
 * of registers every quarter of the emulated result must equal SSE's result
 * on that quarter. `nox -s avx512` runs it before the backend's checks, so
 * that those rest on an emulation that is right.
 *
 *     gcc -O1 -msse4.1 -Itests/c tests/c/check_avx512_emulation.c
 */
#include <smmintrin.h>   /* SSE4.1: _mm_packus_epi32; SSSE3: _mm_shuffle_epi8 */
#include <stdio.h>
#include <stdlib.h>

#include "avx512_emulated.h"

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
                shuffled = _mm512_shuffle_epi8(a, b);
        for (unsigned quarter = 0; quarter < 4; quarter++) {
            __m128i qa, qb;
            memcpy(&qa, a.bytes + 16 * quarter, 16);
            memcpy(&qb, b.bytes + 16 * quarter, 16);
            if (quarter_differs(pack16, quarter, _mm_packus_epi16(qa, qb))
                || quarter_differs(pack32, quarter, _mm_packus_epi32(qa, qb))
                || quarter_differs(shuffled, quarter, _mm_shuffle_epi8(qa, qb))) {
                fprintf(stderr, "check_avx512_emulation: round %d, quarter %u differs\n",
                        round, quarter);
                return 1;
            }
        }
    }
    printf("check_avx512_emulation: ok, packs and shuffle agree with SSE's\n");
    return 0;
}
