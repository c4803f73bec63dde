/* The SSE2 backend built again for CPUs with POPCNT: every block's count of
 * candidates one instruction, where the x86-64 baseline calls libgcc's
 * popcount (kernel_sse2.c). */
#define WC_SSE2_POPCNT
#include "kernel_sse2.c"
