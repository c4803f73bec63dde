/* libFuzzer harness over the kernel (nox -s fuzz): every backend this CPU
 * runs, on fuzzer-made texts and needles of every unit width, against the
 * scalar backend and against a reference written here the naive way (split
 * into lines, then into words), which shares no code with the kernel; and
 * the word tables of counts (csrc/tally.h) on the same texts, in chunks of
 * 1 to 8 bytes, against the naive reference's words.
 *
 * Input layout: byte 0 picks the width (1, 2 or 4) and the thread count;
 * byte 1 the needle's length in units; the rest is the needle then the text.
 * In the wider forms, units 0x00-0x03 stand for " ", "\n", "\r" and "a", so
 * that the fuzzer meets separators without having to find the wide
 * encodings of them, and 0x04-0x07 for units that the vector backends'
 * narrowing maps to one byte (0, 0xFF, 0x100, 0x8000).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "reference.h"
#include "tally_check.h"

static void *widen(const uint8_t *bytes, size_t n, unsigned w)
{
    static const uint32_t specials[8] = {' ', '\n', '\r', 'a', 0x00, 0xFF, 0x100, 0x8000};
    uint8_t *out = malloc(n * w + 1);
    for (size_t i = 0; i < n / w; i++) {
        uint32_t u = unit_at(bytes, i, w);
        if (u < 8)
            u = specials[u];
        memcpy(out + i * w, &u, w);
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const unsigned widths[3] = {1, 2, 4};
    unsigned w = widths[data[0] % 3];
    size_t threads = 1 + (data[0] / 3) % 4;
    size_t m = data[1] % 80, rest = size - 2;
    if (m * w > rest)
        m = rest / w;
    size_t len = (rest - m * w) / w;

    void *needle = w == 1 ? memcpy(malloc(m + 1), data + 2, m) : widen(data + 2, m * w, w);
    void *text = w == 1 ? memcpy(malloc(len + 1), data + 2 + m, len)
                        : widen(data + 2 + m * w, len * w, w);
    /* Exact-size copies, so that AddressSanitizer sees any read past them. */
    void *exact_text = malloc(len * w ? len * w : 1), *exact_needle = malloc(m * w ? m * w : 1);
    memcpy(exact_text, text, len * w);
    memcpy(exact_needle, needle, m * w);
    wc_query q = {exact_text, len, exact_needle, m, w};

    size_t expected = reference_count(exact_text, len, exact_needle, m, w);
    const wc_backend *all[8];
    size_t n = wc_backends_available(all, 8);
    for (size_t i = 0; i < n; i++) {
        /* parallel_min_bytes = 0: tiny chunks, so cuts fall everywhere. */
        size_t got = wc_count_words(all[i], &q, threads, 0);
        if (got != expected) {
            fprintf(stderr, "%s, width %u, %zu threads: %zu, reference %zu\n",
                    all[i]->name, w, threads, got, expected);
            abort();
        }
    }
    if (!tally_agrees(exact_text, len, w, threads, 1 + data[1] % 8))
        abort();
    free(text);
    free(needle);
    free(exact_text);
    free(exact_needle);
    return 0;
}
