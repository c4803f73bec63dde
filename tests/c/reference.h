/* The counting rule written the naive way (split into lines, then into
 * words, as Rust's str::lines and split(' ') do), sharing no code with the
 * kernel: the C harnesses check every backend against it. */
#ifndef WORD_COUNT_REFERENCE_H
#define WORD_COUNT_REFERENCE_H

#include <stdint.h>
#include <string.h>

static inline uint32_t unit_at(const void *p, size_t i, unsigned w)
{
    uint32_t u = 0;
    memcpy(&u, (const char *)p + i * w, w);  /* little-endian hosts */
    return u;
}

/* The rule of kernel.h, as Rust's str::lines and split(' ') would do it. */
static inline size_t reference_count(const void *text, size_t len, const void *needle,
                              size_t m, unsigned w)
{
    size_t count = 0, line = 0;
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
            if (stop - word == m && memcmp((const char *)text + word * w, needle, m * w) == 0)
                count++;
            if (stop == line_end)
                break;
            word = stop + 1;
        }
        line = end + 1;  /* past the "\n"; the loop ends after a final one */
    }
    return count;
}

#endif
