/* The rule of kernel.h as small inline tests on units, shared by the scalar
 * backend and the vector backends' edges (the first and last few units of a
 * range, where a whole register would reach outside the text). */
#ifndef WORD_COUNT_KERNEL_RULE_H
#define WORD_COUNT_KERNEL_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel.h"

/* Unit i of an array of `width`-byte units. memcpy keeps it free of alignment
 * and aliasing assumptions; compilers turn it into one load. */
static inline uint32_t wc_load(const void *units, size_t i, unsigned width)
{
    const char *p = (const char *)units + i * width;
    switch (width) {
    case 1: return (uint8_t)*p;
    case 2: { uint16_t u; memcpy(&u, p, 2); return u; }
    default: { uint32_t u; memcpy(&u, p, 4); return u; }
    }
}

/* memcmp(a, b, n) == 0 without a call: the vector loops call it on every
 * candidate, and a call there makes the compiler spill every register (and,
 * with AVX, issue vzeroupper) around it, which cost the loop a fifth of its
 * speed even on texts with no candidate. */
static inline bool wc_bytes_equal(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
    }
    for (; n > 0; a++, b++, n--)
        if (*a != *b)
            return false;
    return true;
}

/* Units that end the word before them: a space or a line feed. */
static inline bool wc_is_separator(uint32_t unit)
{
    return unit == ' ' || unit == '\n';
}

static inline bool wc_needle_ends_cr(const wc_query *q)
{
    return q->needle_len > 0
        && wc_load(q->needle, q->needle_len - 1, q->width) == '\r';
}

/* Does a word end at unit j (just past its last unit)? */
static inline bool wc_word_ends_at(const void *text, size_t len, size_t j,
                                   unsigned width, bool needle_ends_cr)
{
    if (j == len)
        return true;
    uint32_t unit = wc_load(text, j, width);
    if (unit == ' ')
        return true;
    if (unit == '\n')
        return !needle_ends_cr;
    return unit == '\r' && j + 1 < len && wc_load(text, j + 1, width) == '\n';
}

#endif
