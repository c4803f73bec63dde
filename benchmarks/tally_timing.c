/* The word tables of counts (csrc/tally.h) timed alone, without Python: the
 * best of 7 counts of a file read into memory, merge included.
 *
 *     gcc -O3 -std=c11 -falign-loops=32 -falign-functions=64 -Icsrc \
 *         benchmarks/tally_timing.c csrc/tally.c csrc/kernel.c csrc/kernel_scalar.c \
 *         csrc/kernel_sse2.c csrc/kernel_ssse3.c csrc/kernel_avx2.c csrc/kernel_avx512.c \
 *         csrc/kernel_avx512vbmi.c csrc/kernel_neon.c csrc/pool.c csrc/fault.c -lpthread \
 *         -o /tmp/tally_timing
 *     /tmp/tally_timing FILE [THREADS [WIDTH [RULE]]]
 *
 * WIDTH 2 or 4 counts the file's bytes widened to units of that many bytes,
 * as a 2- or 4-byte str holds the same characters. RULE "spaces" counts by
 * sep=None (a str's whitespace), else by sep=" ". The separators are found
 * by the best backend this CPU runs ($WORD_COUNT_BACKEND names another).
 * The figures of csrc/tally.c's comments were measured with it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tally.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tally_timing FILE [THREADS]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        perror(argv[1]);
        return 2;
    }
    long size = ftell(f);
    rewind(f);
    char *text = malloc(size > 0 ? (size_t)size : 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        perror(argv[1]);
        return 2;
    }
    fclose(f);
    size_t threads = argc > 2 ? (size_t)atoi(argv[2]) : 1;
    if (threads < 1 || threads > 64)
        threads = 1;
    unsigned width = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
    if (width != 2 && width != 4)
        width = 1;
    if (width > 1) {
        char *wide = malloc((size_t)size * width + 1);
        if (!wide)
            return 2;
        for (long i = 0; i < size; i++) {
            uint32_t unit = (unsigned char)text[i];
            memcpy(wide + (size_t)i * width, &unit, width);  /* little-endian hosts */
        }
        free(text);
        text = wide;
    }
    const char *backend_name = getenv("WORD_COUNT_BACKEND");
    const wc_backend *backend = backend_name && *backend_name ? wc_backend_find(backend_name)
                                                              : wc_backend_best();
    if (!backend) {
        fprintf(stderr, "tally_timing: no backend %s on this CPU\n", backend_name);
        return 2;
    }
    const bool spaces = argc > 4 && strcmp(argv[4], "spaces") == 0;
    const wc_word_finder finder = {spaces ? &WC_RULE_STR_SPACES : &WC_RULE_LINES, backend, NULL};
    wc_table tables[64];
    double best = 1e30;
    size_t distinct = 0;
    for (int run = 0; run < 7; run++) {
        for (size_t k = 0; k < threads; k++)
            wc_table_init(&tables[k], width);
        wc_table all;
        wc_table_init(&all, width);
        double start = now();
        wc_tally_all(tables, threads, &finder, text, (size_t)size, width, false, 0);
        wc_table_merge(&all, tables, threads);
        double seconds = now() - start;
        best = seconds < best ? seconds : best;
        distinct = all.nwords;
        wc_table_free(&all);
    }
    printf("%.1f ms, %.0f M chars/s, %zu distinct words, %zu threads, width %u, %s, %s\n",
           best * 1e3, (double)size / best / 1e6, distinct, threads, width,
           spaces ? "sep=None" : "sep=' '", backend->name);
    free(text);
    return 0;
}
