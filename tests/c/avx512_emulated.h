/* The AVX-512 intrinsics that csrc/kernel_avx512.c uses (built with VBMI
 * too, as csrc/kernel_avx512vbmi.c), written in plain C after Intel's
 * definitions, so that the backends' code runs on any x86-64 CPU: `nox -s
 * avx512` builds tests/c/check_backends.c with -DWC_AVX512_EMULATED, and
 * every width and needle shape of both is checked against the naive
 * reference on a machine without AVX-512. Slow, and only for that.
 *
 * A register is 64 bytes in memory order; lanes of 2, 4 and 8 bytes are read
 * and written little-endian, as x86 holds them.
 */
#ifndef WORD_COUNT_AVX512_EMULATED_H
#define WORD_COUNT_AVX512_EMULATED_H

#include <emmintrin.h>   /* __m128i and _mm_setr_epi8: SSE2, every x86-64 */
#include <stdint.h>
#include <string.h>

typedef struct {
    uint8_t bytes[64];
} __m512i;
typedef uint8_t __mmask8;
typedef uint16_t __mmask16;
typedef uint32_t __mmask32;
typedef uint64_t __mmask64;

static inline uint64_t emulated_lane(__m512i a, unsigned size, unsigned i)
{
    uint64_t lane = 0;
    memcpy(&lane, a.bytes + i * size, size);
    return lane;
}

static inline void emulated_set_lane(__m512i *a, unsigned size, unsigned i, uint64_t lane)
{
    memcpy(a->bytes + i * size, &lane, size);
}

static inline __m512i emulated_splat(unsigned size, uint64_t lane)
{
    __m512i r;
    for (unsigned i = 0; i < 64 / size; i++)
        emulated_set_lane(&r, size, i, lane);
    return r;
}

static inline __m512i _mm512_loadu_si512(const void *p)
{
    __m512i r;
    memcpy(r.bytes, p, 64);
    return r;
}

static inline __m512i _mm512_set1_epi8(char a) { return emulated_splat(1, (uint8_t)a); }
static inline __m512i _mm512_set1_epi16(short a) { return emulated_splat(2, (uint16_t)a); }
static inline __m512i _mm512_set1_epi32(int a) { return emulated_splat(4, (uint32_t)a); }

static inline __m512i _mm512_setr_epi32(int e0, int e1, int e2, int e3, int e4, int e5,
                                        int e6, int e7, int e8, int e9, int e10, int e11,
                                        int e12, int e13, int e14, int e15)
{
    const int e[16] = {e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15};
    __m512i r;
    for (unsigned i = 0; i < 16; i++)
        emulated_set_lane(&r, 4, i, (uint32_t)e[i]);
    return r;
}

static inline __m512i _mm512_setr_epi64(long long e0, long long e1, long long e2,
                                        long long e3, long long e4, long long e5,
                                        long long e6, long long e7)
{
    const long long e[8] = {e0, e1, e2, e3, e4, e5, e6, e7};
    __m512i r;
    for (unsigned i = 0; i < 8; i++)
        emulated_set_lane(&r, 8, i, (uint64_t)e[i]);
    return r;
}

/* Bit i set where lane i of a and b are equal and bit i of k is set. */
static inline uint64_t emulated_cmpeq(uint64_t k, __m512i a, __m512i b, unsigned size)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < 64 / size; i++)
        if ((k >> i & 1) && emulated_lane(a, size, i) == emulated_lane(b, size, i))
            bits |= (uint64_t)1 << i;
    return bits;
}

static inline __mmask64 _mm512_mask_cmpeq_epi8_mask(__mmask64 k, __m512i a, __m512i b)
{
    return emulated_cmpeq(k, a, b, 1);
}

/* Bit i set where byte i of a and b differ and bit i of k is set. */
static inline __mmask64 _mm512_mask_cmpneq_epi8_mask(__mmask64 k, __m512i a, __m512i b)
{
    return k & ~emulated_cmpeq(~(uint64_t)0, a, b, 1);
}

static inline __mmask64 _mm512_cmpneq_epi8_mask(__m512i a, __m512i b)
{
    return _mm512_mask_cmpneq_epi8_mask(~(uint64_t)0, a, b);
}

static inline __mmask32 _mm512_mask_cmpeq_epi16_mask(__mmask32 k, __m512i a, __m512i b)
{
    return (__mmask32)emulated_cmpeq(k, a, b, 2);
}

static inline __mmask16 _mm512_mask_cmpeq_epi32_mask(__mmask16 k, __m512i a, __m512i b)
{
    return (__mmask16)emulated_cmpeq(k, a, b, 4);
}

static inline __mmask64 _mm512_cmpeq_epi8_mask(__m512i a, __m512i b)
{
    return emulated_cmpeq(~(uint64_t)0, a, b, 1);
}

/* Bit i set where lane i of a <= lane i of b, unsigned. */
static inline uint64_t emulated_cmple(__m512i a, __m512i b, unsigned size)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < 64 / size; i++)
        if (emulated_lane(a, size, i) <= emulated_lane(b, size, i))
            bits |= (uint64_t)1 << i;
    return bits;
}

static inline __mmask64 _mm512_cmple_epu8_mask(__m512i a, __m512i b) { return emulated_cmple(a, b, 1); }
static inline __mmask32 _mm512_cmple_epu16_mask(__m512i a, __m512i b) { return (__mmask32)emulated_cmple(a, b, 2); }
static inline __mmask16 _mm512_cmple_epu32_mask(__m512i a, __m512i b) { return (__mmask16)emulated_cmple(a, b, 4); }

/* Lane i of a minus lane i of b, wrapping. */
static inline __m512i emulated_sub(__m512i a, __m512i b, unsigned size)
{
    __m512i r;
    for (unsigned i = 0; i < 64 / size; i++)
        emulated_set_lane(&r, size, i, emulated_lane(a, size, i) - emulated_lane(b, size, i));
    return r;
}

static inline __m512i _mm512_sub_epi8(__m512i a, __m512i b) { return emulated_sub(a, b, 1); }
static inline __m512i _mm512_sub_epi16(__m512i a, __m512i b) { return emulated_sub(a, b, 2); }
static inline __m512i _mm512_sub_epi32(__m512i a, __m512i b) { return emulated_sub(a, b, 4); }

/* Within each 16-byte quarter: byte i of a picked by byte i of b's low
 * nibble, or 0 where b's top bit is set. */
static inline __m512i _mm512_shuffle_epi8(__m512i a, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 64; i++)
        r.bytes[i] = b.bytes[i] & 0x80 ? 0 : a.bytes[(i & ~15u) + (b.bytes[i] & 15)];
    return r;
}

static inline __m512i _mm512_broadcast_i32x4(__m128i a)
{
    __m512i r;
    for (unsigned quarter = 0; quarter < 4; quarter++)
        memcpy(r.bytes + 16 * quarter, &a, 16);
    return r;
}

/* Within each 16-byte quarter: a's lanes of `size` bytes, then b's, each
 * signed and saturated to an unsigned lane of half the size. */
static inline __m512i emulated_packus(__m512i a, __m512i b, unsigned size)
{
    const unsigned per_quarter = 16 / size;
    const int64_t top = size == 2 ? 0xff : 0xffff;
    __m512i r;
    for (unsigned quarter = 0; quarter < 4; quarter++)
        for (unsigned i = 0; i < 2 * per_quarter; i++) {
            __m512i from = i < per_quarter ? a : b;
            uint64_t lane = emulated_lane(from, size, quarter * per_quarter + i % per_quarter);
            int64_t value = size == 2 ? (int16_t)lane : (int32_t)lane;
            value = value < 0 ? 0 : value > top ? top : value;
            emulated_set_lane(&r, size / 2, quarter * 2 * per_quarter + i, (uint64_t)value);
        }
    return r;
}

static inline __m512i _mm512_packus_epi16(__m512i a, __m512i b) { return emulated_packus(a, b, 2); }
static inline __m512i _mm512_packus_epi32(__m512i a, __m512i b) { return emulated_packus(a, b, 4); }

/* Lane i of the result is lane idx[i] of a (of the lanes a holds). */
static inline __m512i emulated_permute(__m512i idx, __m512i a, unsigned size)
{
    const unsigned lanes = 64 / size;
    __m512i r;
    for (unsigned i = 0; i < lanes; i++)
        emulated_set_lane(&r, size, i, emulated_lane(a, size, emulated_lane(idx, size, i) % lanes));
    return r;
}

static inline __m512i _mm512_permutexvar_epi32(__m512i idx, __m512i a) { return emulated_permute(idx, a, 4); }
static inline __m512i _mm512_permutexvar_epi64(__m512i idx, __m512i a) { return emulated_permute(idx, a, 8); }

/* VBMI: byte i of the result is byte idx[i] % 128 of a and b end to end. */
static inline __m512i _mm512_permutex2var_epi8(__m512i a, __m512i idx, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 64; i++) {
        const unsigned j = idx.bytes[i] % 128;
        r.bytes[i] = j < 64 ? a.bytes[j] : b.bytes[j - 64];
    }
    return r;
}

/* Lane i of the result is lane idx[i] % 32 of a and b end to end. */
static inline __m512i _mm512_permutex2var_epi32(__m512i a, __m512i idx, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 16; i++) {
        const unsigned j = (unsigned)emulated_lane(idx, 4, i) % 32;
        emulated_set_lane(&r, 4, i, j < 16 ? emulated_lane(a, 4, j) : emulated_lane(b, 4, j - 16));
    }
    return r;
}

static inline __m512i _mm512_add_epi32(__m512i a, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 16; i++)
        emulated_set_lane(&r, 4, i, (uint32_t)(emulated_lane(a, 4, i) + emulated_lane(b, 4, i)));
    return r;
}

/* Each 32-bit lane shifted by the count in the same lane of `count`; by 32
 * and more, 0. */
static inline __m512i emulated_shiftv(__m512i a, __m512i count, int left)
{
    __m512i r;
    for (unsigned i = 0; i < 16; i++) {
        const uint64_t n = emulated_lane(count, 4, i), lane = emulated_lane(a, 4, i);
        emulated_set_lane(&r, 4, i, n >= 32 ? 0 : (uint32_t)(left ? lane << n : lane >> n));
    }
    return r;
}

static inline __m512i _mm512_srlv_epi32(__m512i a, __m512i count) { return emulated_shiftv(a, count, 0); }
static inline __m512i _mm512_sllv_epi32(__m512i a, __m512i count) { return emulated_shiftv(a, count, 1); }

static inline __m512i _mm512_setzero_si512(void) { return emulated_splat(1, 0); }

static inline __m512i _mm512_xor_si512(__m512i a, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 64; i++)
        r.bytes[i] = a.bytes[i] ^ b.bytes[i];
    return r;
}

static inline __m512i _mm512_or_si512(__m512i a, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 64; i++)
        r.bytes[i] = a.bytes[i] | b.bytes[i];
    return r;
}

static inline __m512i _mm512_and_si512(__m512i a, __m512i b)
{
    __m512i r;
    for (unsigned i = 0; i < 64; i++)
        r.bytes[i] = a.bytes[i] & b.bytes[i];
    return r;
}

/* Each 16-bit lane shifted right by imm bits (imm < 16). */
static inline __m512i _mm512_srli_epi16(__m512i a, unsigned imm)
{
    __m512i r;
    for (unsigned i = 0; i < 32; i++)
        emulated_set_lane(&r, 2, i, emulated_lane(a, 2, i) >> imm);
    return r;
}

/* Bit i set where byte i of a & b is not zero and bit i of k is set. */
static inline __mmask64 _mm512_mask_test_epi8_mask(__mmask64 k, __m512i a, __m512i b)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < 64; i++)
        if ((k >> i & 1) && (a.bytes[i] & b.bytes[i]) != 0)
            bits |= (uint64_t)1 << i;
    return bits;
}

static inline unsigned char _kortestz_mask64_u8(__mmask64 a, __mmask64 b) { return (a | b) == 0; }

static inline unsigned char _kortestc_mask64_u8(__mmask64 a, __mmask64 b)
{
    return (a | b) == ~(uint64_t)0;
}

static inline __mmask8 _mm512_test_epi64_mask(__m512i a, __m512i b)
{
    __mmask8 k = 0;
    for (unsigned i = 0; i < 8; i++)
        k |= (__mmask8)((emulated_lane(a, 8, i) & emulated_lane(b, 8, i)) != 0) << i;
    return k;
}

/* Each bit of the result is bit (a << 2 | b << 1 | c) of imm, a, b and c
 * being that bit of each operand (the width of the lanes does not matter). */
static inline __m512i _mm512_ternarylogic_epi64(__m512i a, __m512i b, __m512i c, int imm)
{
    __m512i r;
    for (unsigned i = 0; i < 64; i++) {
        r.bytes[i] = 0;
        for (unsigned bit = 0; bit < 8; bit++) {
            unsigned index = (a.bytes[i] >> bit & 1) << 2 | (b.bytes[i] >> bit & 1) << 1
                             | (c.bytes[i] >> bit & 1);
            r.bytes[i] |= (uint8_t)(((unsigned)imm >> index & 1) << bit);
        }
    }
    return r;
}

/* Bit i set where byte i of a & b is zero and bit i of k is set. */
static inline __mmask64 _mm512_mask_testn_epi8_mask(__mmask64 k, __m512i a, __m512i b)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < 64; i++)
        if ((k >> i & 1) && (a.bytes[i] & b.bytes[i]) == 0)
            bits |= (uint64_t)1 << i;
    return bits;
}

/* Within each 16-byte quarter: bytes imm .. imm+15 of a's quarter above b's. */
static inline __m512i _mm512_alignr_epi8(__m512i a, __m512i b, int imm)
{
    __m512i r;
    for (unsigned quarter = 0; quarter < 4; quarter++)
        for (unsigned i = 0; i < 16; i++) {
            unsigned j = i + (unsigned)imm;
            r.bytes[16 * quarter + i] = j < 16 ? b.bytes[16 * quarter + j]
                                      : j < 32 ? a.bytes[16 * quarter + j - 16] : 0;
        }
    return r;
}

/* Lanes imm .. imm+7 of the 16 64-bit lanes of a above b (imm < 8). */
static inline __m512i _mm512_alignr_epi64(__m512i a, __m512i b, int imm)
{
    __m512i r;
    for (unsigned i = 0; i < 8; i++) {
        unsigned j = i + ((unsigned)imm & 7);
        memcpy(r.bytes + 8 * i, j < 8 ? b.bytes + 8 * j : a.bytes + 8 * (j - 8), 8);
    }
    return r;
}

#endif
