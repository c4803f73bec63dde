/* The scalar backend: the rule of kernel.h tested at every start, one unit at
 * a time. It is the reference the vector backends are checked against, so it
 * is written to be obviously right, not fast. */
#include <string.h>

#include "kernel.h"
#include "rule.h"

static inline size_t count_range(const wc_query *q, size_t begin, size_t end,
                                 unsigned width)
{
    const size_t len = q->text_len, m = q->needle_len;
    if (m > len)
        return 0;
    /* A start past len - m leaves no room for the needle; len itself is the
     * empty needle's special case, counted by wc_count_words. */
    const size_t last = m ? len - m : len - 1;
    if (len == 0 || begin > last)
        return 0;
    if (end > last + 1)
        end = last + 1;

    const bool needle_ends_cr = wc_needle_ends_cr(q), fold = q->rule->fold_ascii;
    const char *text = q->text;
    size_t count = 0;
    for (size_t i = begin; i < end; i++) {
        if (!wc_word_starts_at(q->rule, text, len, i, width))
            continue;
        if (!wc_bytes_equal(text + i * width, q->needle, m * width, fold))
            continue;
        count += wc_word_ends_at(q->rule, text, len, i + m, width, needle_ends_cr);
    }
    return count;
}

static size_t count_range_scalar_1(const wc_query *q, size_t b, size_t e) { return count_range(q, b, e, 1); }
static size_t count_range_scalar_2(const wc_query *q, size_t b, size_t e) { return count_range(q, b, e, 2); }
static size_t count_range_scalar_4(const wc_query *q, size_t b, size_t e) { return count_range(q, b, e, 4); }

static inline uint64_t separators(const wc_rule *rule, const void *text, size_t len, size_t p,
                                  uint64_t *crlf_ends, unsigned width)
{
    uint64_t sep = 0, crlf = 0;
    for (size_t k = 0; k < 64; k++) {
        size_t i = p + k;
        if (i >= len || wc_separator_at(rule, text, len, i, width))
            sep |= (uint64_t)1 << k;
        if (rule->split == WC_LINES && i < len && i > 0 && wc_load(text, i, width) == '\n'
            && wc_load(text, i - 1, width) == '\r')
            crlf |= (uint64_t)1 << k;
    }
    *crlf_ends = crlf;
    return sep;
}

static inline uint64_t separators_of_blocks(const wc_rule *rule, const void *text, size_t len,
                                            size_t p, size_t blocks, uint64_t *later,
                                            uint64_t *crlf_ends, unsigned width)
{
    for (size_t k = 1; k < blocks; k++)
        later[k - 1] = separators(rule, text, len, p + 64 * k, &crlf_ends[k], width);
    return separators(rule, text, len, p, &crlf_ends[0], width);
}

static uint64_t separators_scalar_1(const wc_rule *r, const void *t, size_t len, size_t p, size_t n, uint64_t *later, uint64_t *nl) { return separators_of_blocks(r, t, len, p, n, later, nl, 1); }
static uint64_t separators_scalar_2(const wc_rule *r, const void *t, size_t len, size_t p, size_t n, uint64_t *later, uint64_t *nl) { return separators_of_blocks(r, t, len, p, n, later, nl, 2); }
static uint64_t separators_scalar_4(const wc_rule *r, const void *t, size_t len, size_t p, size_t n, uint64_t *later, uint64_t *nl) { return separators_of_blocks(r, t, len, p, n, later, nl, 4); }

const wc_backend wc_backend_scalar = {
    .name = "scalar",
    .count_range = {count_range_scalar_1, count_range_scalar_2, count_range_scalar_4},
    .separators = {separators_scalar_1, separators_scalar_2, separators_scalar_4},
};
