/* The word tables (csrc/tally.h) against reference_counts: the same words,
 * counts, first starts and order, by `rule`, the separators found by
 * `backend`, on `threads` threads with the text cut into chunks of
 * `chunk_bytes`. Returns false, after saying why on stderr, at the first
 * difference. */
#ifndef WORD_COUNT_TALLY_CHECK_H
#define WORD_COUNT_TALLY_CHECK_H

#include <stdio.h>

#include "reference.h"
#include "tally.h"

static bool tally_agrees_filtered(const wc_backend *backend, const wc_rule *rule,
                                  const void *text, size_t len, unsigned w, size_t threads,
                                  size_t chunk_bytes, const wc_word_filter *filter)
{
    static reference_tally expected;
    reference_counts(&expected, text, len, w, rule);
    if (filter) {   /* a filter that passes every word but the empty one */
        size_t kept = 0;
        for (size_t i = 0; i < expected.n; i++)
            if (expected.length[i] > 0) {
                expected.start[kept] = expected.start[i];
                expected.length[kept] = expected.length[i];
                expected.count[kept++] = expected.count[i];
            }
        expected.n = kept;
    }
    const wc_word_finder finder = {rule, backend, filter};
    wc_table tables[4], all;
    if (threads > 4)
        threads = 4;
    for (size_t k = 0; k < threads; k++)
        wc_table_init(&tables[k], w);
    wc_table_init(&all, w);
    wc_tally_all(tables, threads, &finder, text, len, w, false, chunk_bytes);
    bool ok = wc_table_merge(&all, tables, threads) && all.nwords == expected.n;
    for (size_t i = 0; ok && i < all.nwords; i++) {
        const wc_word *word = wc_table_word(&all, i);
        ok = word->len == expected.length[i] && word->first == expected.start[i]
             && *wc_table_count(&all, i) == expected.count[i]
             && memcmp(wc_table_units(&all, word), (const char *)text + expected.start[i] * w,
                       word->len * w) == 0;
    }
    if (!ok)
        fprintf(stderr, "tally (%s, sep=%s): width %u, %zu units, %zu threads, chunks of %zu "
                "bytes: %zu words, reference %zu\n", backend->name,
                rule->split == WC_LINES ? "' '" : "None", w, len, threads, chunk_bytes,
                all.nwords, expected.n);
    if (!ok) {
        fprintf(stderr, "  text:");
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, " %x", unit_at(text, i, w));
        fprintf(stderr, "\n");
        for (size_t i = 0; i < all.nwords && i < 8; i++)
            fprintf(stderr, "  word %zu: first %llu len %llu count %llu; reference %zu %zu %zu\n", i,
                    (unsigned long long)wc_table_word(&all, i)->first,
                    (unsigned long long)wc_table_word(&all, i)->len,
                    (unsigned long long)*wc_table_count(&all, i), expected.start[i],
                    expected.length[i], expected.count[i]);
    }
    wc_table_free(&all);
    return ok;
}

/* tally_agrees_filtered without a filter. */
static bool tally_agrees(const wc_backend *backend, const wc_rule *rule, const void *text,
                         size_t len, unsigned w, size_t threads, size_t chunk_bytes)
{
    return tally_agrees_filtered(backend, rule, text, len, w, threads, chunk_bytes, NULL);
}

#endif
