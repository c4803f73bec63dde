/* The counting rule written the naive way (split into lines, then into
 * words, as Rust's str::lines and split(' ') do), sharing no code with the
 * kernel: the C harnesses check every backend against it. */
#ifndef WORD_COUNT_REFERENCE_H
#define WORD_COUNT_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline uint32_t unit_at(const void *p, size_t i, unsigned w)
{
    uint32_t u = 0;
    memcpy(&u, (const char *)p + i * w, w);  /* little-endian hosts */
    return u;
}

/* Every word of the rule, in order: calls visit(ctx, start, length) for
 * each, as Rust's str::lines and split(' ') would find them. */
static inline void reference_words(const void *text, size_t len, unsigned w,
                                   void (*visit)(void *ctx, size_t start, size_t length),
                                   void *ctx)
{
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
    size_t count;
} needle_count;

static inline void count_if_needle(void *ctx, size_t start, size_t length)
{
    needle_count *c = ctx;
    if (length == c->m && memcmp((const char *)c->text + start * c->w, c->needle, c->m * c->w) == 0)
        c->count++;
}

/* The rule of kernel.h: the words equal to the needle. */
static inline size_t reference_count(const void *text, size_t len, const void *needle,
                                     size_t m, unsigned w)
{
    needle_count c = {text, needle, m, w, 0};
    reference_words(text, len, w, count_if_needle, &c);
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

static inline void reference_counts(reference_tally *t, const void *text, size_t len, unsigned w)
{
    t->text = text;
    t->w = w;
    t->n = 0;
    reference_words(text, len, w, tally_word, t);
}

#endif
