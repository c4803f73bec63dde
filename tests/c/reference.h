/* The counting rules written the naive way (split into lines, then into
 * words, as Rust's str::lines and split(' ') do; or into runs of
 * whitespace, as str.split() does), sharing no code with the kernel: the C
 * harnesses check every backend against it. */
#ifndef WORD_COUNT_REFERENCE_H
#define WORD_COUNT_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"   /* the wc_rule type only: none of its tests */

static inline uint32_t unit_at(const void *p, size_t i, unsigned w)
{
    uint32_t u = 0;
    memcpy(&u, (const char *)p + i * w, w);  /* little-endian hosts */
    return u;
}

/* str.isspace, from its list in the Python documentation's terms:
 * Unicode's White_Space characters, and \x1c-\x1f. */
static inline bool reference_is_unicode_space(uint32_t u)
{
    static const uint32_t spaces[] = {
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
        0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    };
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (spaces[i] == u)
            return true;
    return false;
}

/* The UTF-8 encodings of str.isspace's characters of two and three bytes. */
static const char *const reference_utf8_spaces[] = {
    "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
    "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
    "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9",
    "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
};

/* Marks in space[0 .. len) the units that are whitespace by sep=None. */
static inline void reference_spaces(const void *text, size_t len, unsigned w,
                                    const wc_rule *rule, bool *space)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t u = unit_at(text, i, w);
        if (!rule->str_spaces)
            space[i] = u == ' ' || u == '\t' || u == '\n' || u == '\v' || u == '\f' || u == '\r';
        else if (w == 1 && u >= 0x80)   /* an encoding's own: latin-1's, cp1252's, ... */
            space[i] = !rule->utf8 && (u == rule->high_spaces[0] || u == rule->high_spaces[1]);
        else
            space[i] = reference_is_unicode_space(u);
    }
    if (!rule->utf8)
        return;
    const size_t nspaces = sizeof reference_utf8_spaces / sizeof reference_utf8_spaces[0];
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < nspaces; k++) {
            size_t n = strlen(reference_utf8_spaces[k]);
            if (i + n <= len && memcmp((const char *)text + i, reference_utf8_spaces[k], n) == 0)
                for (size_t j = 0; j < n; j++)
                    space[i + j] = true;
        }
}

/* Every word of the rule, in order: calls visit(ctx, start, length) for
 * each, as Rust's str::lines and split(' ') would find them (sep=" "), or
 * as the runs between whitespace (sep=None). */
static inline void reference_words(const void *text, size_t len, unsigned w, const wc_rule *rule,
                                   void (*visit)(void *ctx, size_t start, size_t length),
                                   void *ctx)
{
    if (rule->split == WC_SPACES) {
        bool *space = malloc(len + 1);
        reference_spaces(text, len, w, rule, space);
        for (size_t i = 0; i < len;) {
            if (space[i]) {
                i++;
                continue;
            }
            size_t start = i;
            while (i < len && !space[i])
                i++;
            visit(ctx, start, i - start);
        }
        free(space);
        return;
    }
    size_t line = 0;
    while (line < len) {
        size_t end = line;
        while (end < len && unit_at(text, end, w) != '\n')
            end++;
        size_t line_end = end;  /* a "\r" before the "\n" is the ending's */
        if (end < len && line_end > line && unit_at(text, line_end - 1, w) == '\r')
            line_end--;
        for (size_t word = line;;) {
            size_t stop = word;
            while (stop < line_end && unit_at(text, stop, w) != ' ')
                stop++;
            visit(ctx, word, stop - word);
            if (stop == line_end)
                break;
            word = stop + 1;
        }
        line = end + 1;  /* past the "\n"; the loop ends after a final one */
    }
}

typedef struct {
    const void *text;
    const void *needle;
    size_t m;
    unsigned w;
    bool fold;
    size_t count;
} needle_count;

static inline void count_if_needle(void *ctx, size_t start, size_t length)
{
    needle_count *c = ctx;
    if (length != c->m)
        return;
    for (size_t j = 0; j < length; j++) {
        uint32_t u = unit_at(c->text, start + j, c->w);
        if (c->fold && u >= 'A' && u <= 'Z')
            u += 'a' - 'A';
        if (u != unit_at(c->needle, j, c->w))
            return;
    }
    c->count++;
}

/* Does it decode as UTF-8, characters of 1 to 4 bytes (overlong forms and
 * surrogates allowed: only the bytes' shape matters here)? */
static inline bool reference_whole_utf8(const unsigned char *bytes, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned ones = 0;
        while (ones < 8 && (bytes[i] << ones & 0x80))
            ones++;
        if (ones == 1 || ones > 4 || i + (ones ? ones : 1) > n)
            return false;
        for (unsigned k = 1; k < ones; k++)
            if (bytes[i + k] >> 6 != 2)
                return false;
        i += ones ? ones : 1;
    }
    return true;
}

/* The words equal to the needle (the needle lowered, with fold_ascii). With
 * UTF-8 whitespace a needle must be whole UTF-8 characters (as every
 * encoded str is): one that is not counts nothing. */
static inline size_t reference_count(const void *text, size_t len, const void *needle,
                                     size_t m, unsigned w, const wc_rule *rule)
{
    if (rule->utf8 && !reference_whole_utf8(needle, m))
        return 0;
    needle_count c = {text, needle, m, w, rule->fold_ascii, 0};
    reference_words(text, len, w, rule, count_if_needle, &c);
    return c.count;
}

/* Every distinct word with its count and first start, in order of first
 * appearance, found by a linear search per word (texts here are short). */
typedef struct {
    const void *text;
    unsigned w;
    size_t n;
    size_t start[4096], length[4096], count[4096];
} reference_tally;

static inline void tally_word(void *ctx, size_t start, size_t length)
{
    reference_tally *t = ctx;
    for (size_t i = 0; i < t->n; i++) {
        if (t->length[i] == length
            && memcmp((const char *)t->text + t->start[i] * t->w,
                      (const char *)t->text + start * t->w, length * t->w) == 0) {
            t->count[i]++;
            return;
        }
    }
    if (t->n == 4096)
        abort();  /* the harnesses' texts are shorter */
    t->start[t->n] = start;
    t->length[t->n] = length;
    t->count[t->n++] = 1;
}

static inline void reference_counts(reference_tally *t, const void *text, size_t len, unsigned w,
                                    const wc_rule *rule)
{
    t->text = text;
    t->w = w;
    t->n = 0;
    reference_words(text, len, w, rule, tally_word, t);
}

#endif
