/* The SSE2 backend built again for CPUs with SSSE3 and POPCNT (nearly every
 * x86-64 CPU without AVX2: Intel from Nehalem, AMD from Bobcat and
 * Bulldozer): separators by one byte shuffle and one compare, as AVX2
 * finds them, every block's count of candidates one instruction, where
 * the x86-64 baseline calls libgcc's popcount, and 1-byte texts by the
 * paired scan (kernel_sse2.c). */
#define WC_SSSE3
#include "kernel_sse2.c"
