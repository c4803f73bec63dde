/* The rules words are found by: which units separate words, how lines end,
 * how words compare. The one place that says it: the search kernels
 * (kernel.h), the word tables (tally.h) and the file readers (file.h) all
 * take a wc_rule, and its small tests on units below.
 *
 * As Python, for a text t (str, or bytes-like read as bytes):
 *
 *   WC_LINES   (sep=" ")   for line in t.split("\n"), without the empty piece
 *                          after a final "\n", a "\r" before the "\n" dropped:
 *                              line.split(" ")          empty words included
 *   WC_SPACES  (sep=None)  t.split()                     no empty words
 *
 * Whitespace, for WC_SPACES, is the text's own:
 *   bytes (!str_spaces)  bytes.split's: \t \n \v \f \r and space;
 *   str (str_spaces)     str.isspace's: those, \x1c-\x1f, \x85, \xa0, and
 *                        U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 *                        U+205F, U+3000 (wc_is_wide_space), in units of any
 *                        width;
 *   the bytes of a str in an encoding (str_spaces on 1-byte units): ASCII's
 *                        whitespace bytes, the encoding's own from 0x80
 *                        (`high_spaces`: latin-1's 0x85 and 0xA0, cp1252's
 *                        0xA0), or with `utf8` UTF-8's multi-byte ones
 *                        (wc_utf8_space_length). Bytes that are not valid
 *                        UTF-8 are a word's bytes like any others.
 *
 * With `fold_ascii` (1-byte units only), words compare as bytes.lower()
 * compares them, A-Z as a-z; the needle comes lowered. (A str's own folding,
 * Unicode's, happens on distinct words with the GIL: counts.c.)
 *
 * Every test here looks at a few units around a position and no further
 * (RULE_REACH): a text can be cut anywhere, and each piece counted with that
 * many units of its neighbours.
 */
#ifndef WORD_COUNT_RULE_H
#define WORD_COUNT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    WC_LINES,       /* sep=" " */
    WC_SPACES,      /* sep=None */
} wc_split;

typedef struct wc_rule {
    wc_split split;
    bool str_spaces;            /* WC_SPACES: str.isspace's whitespace, not bytes.split's */
    bool utf8;                  /* str_spaces on UTF-8 bytes: its multi-byte whitespace too */
    uint8_t high_spaces[2];     /* str_spaces: the whitespace units 0x80-0xFF (a str's:
                                   0x85 and 0xA0); " " in the places left over */
    bool fold_ascii;            /* 1-byte units compared as bytes.lower() compares them */
} wc_rule;

/* The rules of sep=" " and of sep=None on bytes and on str (in any width). */
static const wc_rule WC_RULE_LINES = {WC_LINES, false, false, {' ', ' '}, false};
static const wc_rule WC_RULE_BYTES_SPACES = {WC_SPACES, false, false, {' ', ' '}, false};
static const wc_rule WC_RULE_STR_SPACES = {WC_SPACES, true, false, {0x85, 0xA0}, false};

/* How many units on either side of a position its tests may look at (a
 * UTF-8 sequence of three bytes; "\r\n" after a word). */
#define RULE_REACH 2

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

/* The whitespace of str.isspace from U+0100 on. */
static inline bool wc_is_wide_space(uint32_t unit)
{
    return unit == 0x1680 || (unit >= 0x2000 && unit <= 0x200A) || unit == 0x2028
        || unit == 0x2029 || unit == 0x202F || unit == 0x205F || unit == 0x3000;
}

/* Does this one unit separate words? (For UTF-8 text, only of its one-byte
 * whitespace: wc_separator_at sees the rest.) */
static inline bool wc_is_separator(const wc_rule *rule, uint32_t unit)
{
    if (rule->split == WC_LINES)
        return unit == ' ' || unit == '\n';
    if (unit == ' ' || unit - 9 < 5)        /* \t \n \v \f \r */
        return true;
    if (!rule->str_spaces)
        return false;
    return unit - 0x1C < 4 || unit == rule->high_spaces[0] || unit == rule->high_spaces[1]
        || (unit > 0xFF && wc_is_wide_space(unit));
}

/* The length of the UTF-8 whitespace that starts at byte i: 2 (U+0085,
 * U+00A0), 3 (U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000) or 0. */
static inline size_t wc_utf8_space_length(const unsigned char *text, size_t len, size_t i)
{
    if (i + 1 >= len || text[i] < 0xC2 || text[i] > 0xE3)
        return 0;
    const unsigned char b0 = text[i], b1 = text[i + 1];
    if (b0 == 0xC2)
        return b1 == 0x85 || b1 == 0xA0 ? 2 : 0;
    if (i + 2 >= len)
        return 0;
    const unsigned char b2 = text[i + 2];
    const bool three = (b0 == 0xE1 && b1 == 0x9A && b2 == 0x80)
                    || (b0 == 0xE2 && b1 == 0x80 && ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9
                                                     || b2 == 0xAF))
                    || (b0 == 0xE2 && b1 == 0x81 && b2 == 0x9F)
                    || (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80);
    return three ? 3 : 0;
}

/* Is unit i (< len) a separator, or a byte of one? */
static inline bool wc_separator_at(const wc_rule *rule, const void *text, size_t len, size_t i,
                                   unsigned width)
{
    if (wc_is_separator(rule, wc_load(text, i, width)))
        return true;
    if (!rule->utf8)
        return false;
    for (size_t back = 0; back <= RULE_REACH && back <= i; back++)
        if (wc_utf8_space_length(text, len, i - back) > back)
            return true;
    return false;
}

/* Does a word start at unit i: is it the first, or after a separator? */
static inline bool wc_word_starts_at(const wc_rule *rule, const void *text, size_t len, size_t i,
                                     unsigned width)
{
    return i == 0 || wc_separator_at(rule, text, len, i - 1, width);
}

/* Does a word end at unit j, just past its last unit? With WC_LINES a
 * "\r\n" ends it too, and a needle ending in "\r" cannot end before "\n"
 * (that "\r" is the line ending's). */
static inline bool wc_word_ends_at(const wc_rule *rule, const void *text, size_t len, size_t j,
                                   unsigned width, bool needle_ends_cr)
{
    if (j == len)
        return true;
    if (rule->split == WC_SPACES)
        return wc_separator_at(rule, text, len, j, width);
    uint32_t unit = wc_load(text, j, width);
    if (unit == ' ')
        return true;
    if (unit == '\n')
        return !needle_ends_cr;
    return unit == '\r' && j + 1 < len && wc_load(text, j + 1, width) == '\n';
}

/* The unit as fold_ascii compares it: A-Z lowered. */
static inline uint32_t wc_fold_ascii(uint32_t unit)
{
    return unit - 'A' < 26 ? unit + 32 : unit;
}

/* Eight bytes at once, A-Z lowered (bytes from 0x80 stay as they are). */
static inline uint64_t wc_fold_ascii8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    const uint64_t seven = x & ~high;
    const uint64_t upper = (seven + (0x80 - 'A') * ones) & ~(seven + (0x80 - 'Z' - 1) * ones)
                         & ~x & high;
    return x | upper >> 2;
}

/* memcmp(a, b, n) == 0 without a call, a's bytes folded when `fold`: the
 * vector loops call it on every candidate, and a call there makes the
 * compiler spill every register (and, with AVX, issue vzeroupper) around
 * it, which cost the loop a fifth of its speed even on texts with no
 * candidate. */
static inline bool wc_bytes_equal(const char *a, const char *b, size_t n, bool fold)
{
    uint64_t x = 0, y = 0;
    if (n < 8) {
        for (; n > 0; a++, b++, n--)
            if ((fold ? wc_fold_ascii((unsigned char)*a) : (unsigned char)*a)
                != (unsigned char)*b)
                return false;
        return true;
    }
    /* 8 bytes at a time, the last 8 overlapping those before (a loop over
     * the last few bytes mispredicted its exit on every candidate). */
    for (; n > 8; a += 8, b += 8, n -= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if ((fold ? wc_fold_ascii8(x) : x) != y)
            return false;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return (fold ? wc_fold_ascii8(x) : x) == y;
}

#endif
