/* libFuzzer harness over the kernel (nox -s fuzz): every backend this CPU
 * runs, on fuzzer-made texts and needles of every unit width, against the
 * scalar backend and against a reference written here the naive way (split
 * into lines, then into words), which shares no code with the kernel; and
 * the word tables of counts (csrc/tally.h) on the same texts, in chunks of
 * 1 to 8 bytes, against the naive reference's words.
 *
 * Input layout: byte 0 picks the width (1, 2 or 4) and the thread count;
 * byte 1 the needle's length in units; byte 2 the rule (rule.h: sep=" " or
 * sep=None, of bytes, of a str, of an 8-bit encoding or UTF-8, folded or not,
 * as the width takes them); the rest is the needle then the text. In the
 * wider forms, units 0x00-0x03 stand for " ", "\n", "\r" and "a", so that
 * the fuzzer meets separators without having to find the wide encodings of
 * them, 0x04-0x07 for units that the vector backends' narrowing maps to one
 * byte (0, 0xFF, 0x100, 0x8000), and 0x08-0x0B for whitespace from U+0080
 * on and a capital (U+3000, U+2028, U+00A0, "A").
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
    static const uint32_t specials[12] = {' ', '\n', '\r', 'a', 0x00, 0xFF, 0x100, 0x8000,
                                          0x3000, 0x2028, 0xA0, 'A'};
    uint8_t *out = malloc(n * w + 1);
    for (size_t i = 0; i < n / w; i++) {
        uint32_t u = unit_at(bytes, i, w);
        if (u < 12)
            u = specials[u];
        memcpy(out + i * w, &u, w);
    }
    return out;
}

/* The rules each width takes (as check_backends.c's). */
static const wc_rule byte_rules[] = {
    {WC_LINES, false, false, {' ', ' '}, false}, {WC_LINES, false, false, {' ', ' '}, true},
    {WC_SPACES, false, false, {' ', ' '}, false}, {WC_SPACES, false, false, {' ', ' '}, true},
    {WC_SPACES, true, false, {0x85, 0xA0}, false}, {WC_SPACES, true, false, {0x85, 0xA0}, true},
    {WC_SPACES, true, false, {0xA0, ' '}, false}, {WC_SPACES, true, true, {' ', ' '}, false},
};
static const wc_rule wide_rules[] = {
    {WC_LINES, false, false, {' ', ' '}, false}, {WC_SPACES, true, false, {0x85, 0xA0}, false},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    static const unsigned widths[3] = {1, 2, 4};
    unsigned w = widths[data[0] % 3];
    size_t threads = 1 + (data[0] / 3) % 4;
    const wc_rule *rule = w == 1 ? &byte_rules[data[2] % 8] : &wide_rules[data[2] % 2];
    size_t m = data[1] % 80, rest = size - 3;
    if (m * w > rest)
        m = rest / w;
    size_t len = (rest - m * w) / w;

    void *needle = w == 1 ? memcpy(malloc(m + 1), data + 3, m) : widen(data + 3, m * w, w);
    void *text = w == 1 ? memcpy(malloc(len + 1), data + 3 + m, len)
                        : widen(data + 3 + m * w, len * w, w);
    if (rule->fold_ascii)   /* the kernel takes the needle lowered */
        for (size_t j = 0; j < m; j++)
            ((uint8_t *)needle)[j] = (uint8_t)wc_fold_ascii(((uint8_t *)needle)[j]);
    /* Exact-size copies, so that AddressSanitizer sees any read past them. */
    void *exact_text = malloc(len * w ? len * w : 1), *exact_needle = malloc(m * w ? m * w : 1);
    memcpy(exact_text, text, len * w);
    memcpy(exact_needle, needle, m * w);
    wc_query q = {exact_text, len, exact_needle, m, w, rule};

    size_t expected = reference_count(exact_text, len, exact_needle, m, w, rule);
    const wc_backend *all[8];
    size_t n = wc_backends_available(all, 8);
    for (size_t i = 0; i < n; i++) {
        /* parallel_min_bytes = 0: tiny chunks, so cuts fall everywhere. */
        size_t got = wc_count_words(all[i], &q, threads, 0);
        if (got != expected) {
            fprintf(stderr, "%s, width %u, rule %u, %zu threads: %zu, reference %zu\n",
                    all[i]->name, w, data[2], threads, got, expected);
            abort();
        }
    }
    if (!rule->fold_ascii && !tally_agrees(all[data[1] % n], rule, exact_text, len, w, threads,
                                           1 + data[1] % 8))
        abort();
    free(text);
    free(needle);
    free(exact_text);
    free(exact_needle);
    return 0;
}
