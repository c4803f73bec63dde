/* The scalar backend: the rule of kernel.h tested at every start, one unit at
 * a time. It is the reference the vector backends are checked against, so it
 * is written to be obviously right, not fast. */
#include <string.h>

#include "kernel.h"
#include "kernel_rule.h"

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

    const bool needle_ends_cr = wc_needle_ends_cr(q);
    const char *text = q->text;
    size_t count = 0;
    for (size_t i = begin; i < end; i++) {
        if (i > 0 && !wc_is_separator(wc_load(text, i - 1, width)))
            continue;
        if (memcmp(text + i * width, q->needle, m * width) != 0)
            continue;
        count += wc_word_ends_at(text, len, i + m, width, needle_ends_cr);
    }
    return count;
}

static size_t count_range_scalar_1(const wc_query *q, size_t b, size_t e) { return count_range(q, b, e, 1); }
static size_t count_range_scalar_2(const wc_query *q, size_t b, size_t e) { return count_range(q, b, e, 2); }
static size_t count_range_scalar_4(const wc_query *q, size_t b, size_t e) { return count_range(q, b, e, 4); }

const wc_backend wc_backend_scalar = {
    .name = "scalar",
    .count_range = {count_range_scalar_1, count_range_scalar_2, count_range_scalar_4},
};
