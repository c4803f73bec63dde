/* The NEON backend: 16-byte registers, part of every AArch64 CPU. The
 * algorithm is in kernel_simd.h; this file gives it words.
 *
 * NEON has no movemask. A compare leaves 0x00 or 0xff in each byte; shifting
 * each 16-bit pair right by 4 and narrowing (SHRN) keeps 4 bits of every
 * byte, so one 64-bit integer holds the 16 results, 4 bits per byte: the
 * usual replacement (memchr, simdjson). */
#if defined(__aarch64__)
#include <arm_neon.h>
#include <stdint.h>

typedef uint8x16_t simd_vec;
typedef uint8x16_t simd_mask;
#define SIMD_BYTES 16
#define SIMD_BITS_PER_UNIT(w) (4 * (w))
#define SIMD_BACKEND wc_backend_neon
#define SIMD_NAME "neon"

static inline simd_vec simd_load(const void *p) { return vld1q_u8((const uint8_t *)p); }

static inline simd_vec simd_splat(unsigned w, uint32_t unit)
{
    return w == 1 ? vdupq_n_u8((uint8_t)unit)
         : w == 2 ? vreinterpretq_u8_u16(vdupq_n_u16((uint16_t)unit))
                  : vreinterpretq_u8_u32(vdupq_n_u32(unit));
}

static inline simd_mask simd_eq(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? vceqq_u8(a, b)
         : w == 2 ? vreinterpretq_u8_u16(vceqq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)))
                  : vreinterpretq_u8_u32(vceqq_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
}

static inline simd_vec simd_sub(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? vsubq_u8(a, b)
         : w == 2 ? vreinterpretq_u8_u16(vsubq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)))
                  : vreinterpretq_u8_u32(vsubq_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
}

static inline simd_mask simd_le(unsigned w, simd_vec a, simd_vec b)
{
    return w == 1 ? vcleq_u8(a, b)
         : w == 2 ? vreinterpretq_u8_u16(vcleq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)))
                  : vreinterpretq_u8_u32(vcleq_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
}

static inline simd_mask simd_and(simd_mask a, simd_mask b) { return vandq_u8(a, b); }
static inline simd_mask simd_or(simd_mask a, simd_mask b) { return vorrq_u8(a, b); }
static inline simd_vec simd_or_units(simd_vec a, simd_vec b) { return vorrq_u8(a, b); }
static inline simd_mask simd_all_lanes(void) { return vdupq_n_u8(0xff); }

/* 16 units as 16 bytes, saturating (see kernel_simd.h): every unit above
 * 0xFF becomes 0xFF. */
static inline simd_vec simd_narrow(const char *at, unsigned w)
{
    if (w == 1)
        return simd_load(at);
    if (w == 2)
        return vcombine_u8(vqmovn_u16(vreinterpretq_u16_u8(simd_load(at))),
                           vqmovn_u16(vreinterpretq_u16_u8(simd_load(at + 16))));
    uint16x8_t low = vcombine_u16(vqmovn_u32(vreinterpretq_u32_u8(simd_load(at))),
                                  vqmovn_u32(vreinterpretq_u32_u8(simd_load(at + 16))));
    uint16x8_t high = vcombine_u16(vqmovn_u32(vreinterpretq_u32_u8(simd_load(at + 32))),
                                   vqmovn_u32(vreinterpretq_u32_u8(simd_load(at + 48))));
    return vcombine_u8(vqmovn_u16(low), vqmovn_u16(high));
}

/* Separators: each byte's low nibble picks, by a table lookup, the
 * separator with that nibble or a byte that equals nothing with it (see
 * kernel_avx512.c); a byte from 0x80 picks a byte below it. */
#define SIMD_HAS_IMAGE_EQ
static inline simd_mask simd_image_eq(simd_vec a, const uint8_t image[16])
{
    return vceqq_u8(vqtbl1q_u8(vld1q_u8(image), vandq_u8(a, vdupq_n_u8(0x0F))), a);
}

/* A block's four compare results as 64 bits, bit k for byte k: each byte
 * keeps its own bit of 1, 2, .. 128, and three rounds of pairwise adds sum
 * every 8 neighbours into one byte. */
#define SIMD_HAS_BLOCK_BITS
static inline uint64_t simd_block_bits(const simd_mask m[4])
{
    const uint8x16_t weights = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    uint8x16_t pairs = vpaddq_u8(vpaddq_u8(vandq_u8(m[0], weights), vandq_u8(m[1], weights)),
                                 vpaddq_u8(vandq_u8(m[2], weights), vandq_u8(m[3], weights)));
    return vgetq_lane_u64(vreinterpretq_u64_u8(vpaddq_u8(pairs, pairs)), 0);
}

static inline uint64_t simd_bits(simd_mask m)
{
    uint8x8_t nibbles = vshrn_n_u16(vreinterpretq_u16_u8(m), 4);
    return vget_lane_u64(vreinterpret_u64_u8(nibbles), 0);
}

#include "kernel_simd.h"
#endif
