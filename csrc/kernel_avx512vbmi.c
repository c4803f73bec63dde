/* The AVX-512BW backend built again for CPUs that also have AVX512-VBMI
 * (Ice Lake and later, Zen 4 and 5): its byte permute across two registers
 * gives the paired scan of the wide forms the units of a needle at any
 * distance from the block's narrowed registers, where without it they are
 * narrowed again from the text (kernel_avx512.c, simd_window). */
#define WC_AVX512_VBMI
#include "kernel_avx512.c"
