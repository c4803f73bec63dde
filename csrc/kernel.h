/* The counting kernel: how many words of a text equal a needle, by a rule
 * (rule.h: sep=" " or sep=None, and ASCII folding).
 *
 * The rule is local, which is what lets the kernel be vectorised and cut into
 * chunks anywhere: a word equal to the needle (length m, holding no
 * separator) starts at unit i exactly when
 *
 *     text[i:i+m] == needle                 (A-Z as a-z with fold_ascii)
 *     and wc_word_starts_at(i)              (i == 0, or a separator before)
 *     and wc_word_ends_at(i + m)            (the end, a separator, or with
 *                                            WC_LINES a "\r\n")
 *
 * The one exception is WC_LINES's empty needle at i == len, which names a
 * word only when the text ends in " " (after a final "\n" there is no line);
 * with WC_SPACES there are no empty words. Every backend counts the starts i
 * of one range [begin, end) of the text; wc_count_words sums the ranges,
 * adds that exception and spreads ranges over threads.
 *
 * Texts are arrays of 1-, 2- or 4-byte units (bytes and the three PEP 393
 * forms of str); text and needle always share one width.
 */
#ifndef WORD_COUNT_KERNEL_H
#define WORD_COUNT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rule.h"

typedef struct wc_query {
    const void *text;     /* text_len units of `width` bytes */
    size_t text_len;
    const void *needle;   /* needle_len units of `width` bytes */
    size_t needle_len;
    unsigned width;       /* 1, 2 or 4 */
    const wc_rule *rule;
} wc_query;

static inline bool wc_needle_ends_cr(const wc_query *q)
{
    return q->needle_len > 0 && wc_load(q->needle, q->needle_len - 1, q->width) == '\r';
}

/* Counts the needle's words that start at a unit in [begin, end).
 * Preconditions: begin <= end <= text_len, wc_needle_can_match(q), and a
 * rule that the width takes: bytes.split's whitespace, UTF-8's and
 * fold_ascii on 1-byte units only. */
typedef size_t (*wc_count_range_fn)(const wc_query *q, size_t begin, size_t end);

/* The separators of `blocks` >= 1 blocks of 64 units from p of text[0 ..
 * len) by `rule`, bit j of block k for unit p + 64k + j (units past len
 * count as separators): the first block's returned, the others' in
 * later[k - 1]; and in crlf_ends[k], by sep=" ", the "\n" among them that
 * follow a "\r" (that "\r" is no part of the word the "\n" ends; 0 by
 * sep=None). The words of the word tables (tally.h), which ask for a
 * block at a call by sep=" ", and for a few by sep=None, so that the call
 * and the rule's choices are made once for them. */
typedef uint64_t (*wc_separators_fn)(const wc_rule *rule, const void *text, size_t len,
                                     size_t p, size_t blocks, uint64_t *later,
                                     uint64_t *crlf_ends);

/* A backend: one range counter and one separator finder per unit width
 * (index 0, 1, 2 for 1, 2, 4). */
typedef struct wc_backend {
    const char *name;
    wc_count_range_fn count_range[3];
    wc_separators_fn separators[3];
} wc_backend;

/* The portable reference every other backend is tested against. */
extern const wc_backend wc_backend_scalar;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WC_HAVE_X86_BACKENDS 1
extern const wc_backend wc_backend_sse2;        /* the x86-64 baseline */
extern const wc_backend wc_backend_ssse3;       /* the same, SSSE3 and POPCNT */
extern const wc_backend wc_backend_avx2;
extern const wc_backend wc_backend_avx512bw;
extern const wc_backend wc_backend_avx512vbmi;   /* the same, and a byte permute */
#endif

#if defined(__aarch64__)
#define WC_HAVE_NEON_BACKEND 1
extern const wc_backend wc_backend_neon;        /* every AArch64 CPU has NEON */
#endif

/* The backends this CPU can run, best first, ending with the scalar one.
 * Returns how many were written to `out` (at most `cap`). */
size_t wc_backends_available(const wc_backend **out, size_t cap);

/* The best backend this CPU can run (chosen once, then cached). */
const wc_backend *wc_backend_best(void);

/* The backend called `name`, or NULL if unknown or not runnable here. */
const wc_backend *wc_backend_find(const char *name);

/* False when no word can equal the needle: it holds a separator, or is
 * empty under WC_SPACES (or, with UTF-8 whitespace, is not whole UTF-8
 * characters, as every encoded str is). */
bool wc_needle_can_match(const wc_query *q);

/* The whole count, on up to `threads` threads (the caller's included); texts
 * under `parallel_min_bytes` are counted on the calling thread alone. Never
 * fails: when worker threads cannot start the caller counts alone. */
size_t wc_count_words(const wc_backend *backend, const wc_query *q,
                      size_t threads, size_t parallel_min_bytes);

/* wc_count_words over a text that may raise SIGBUS when read (a memory-mapped
 * file that shrinks meanwhile: see fault.h): false, with *count unset, if one
 * did. wc_fault_handler_install() must have run. */
bool wc_count_words_guarded(const wc_backend *backend, const wc_query *q,
                            size_t threads, size_t parallel_min_bytes, size_t *count);

/* The words that start at a unit in [begin, end) alone, on up to `threads`
 * threads: a text that arrives in blocks is counted one block at a time
 * (file.c), each block holding the units around its starts that the rule
 * looks at. Leaves out the rule's exception at the text's end. */
size_t wc_count_starts(const wc_backend *backend, const wc_query *q, size_t begin,
                       size_t end, size_t threads, size_t parallel_min_bytes);

/* Texts one after another (a column's values): `count` of them, get(ctx, i)
 * giving text i's units, or false for a null (no text). stretch(ctx, i,
 * last, ...), where not NULL, gives the texts from i, up to but not
 * including `last`, that lie one after another in memory with no null
 * among them: text i's first unit in *text and the end of each in ends[],
 * in units from it; it returns how many (0 when text i is in no stretch:
 * get it), so that many rows cost one call. */
typedef struct {
    size_t count;
    bool (*get)(const void *ctx, size_t i, const void **text, size_t *len);
    size_t (*stretch)(const void *ctx, size_t i, size_t last, const void **text, size_t *ends);
    const void *ctx;
    unsigned width;
} wc_documents;

/* The words equal to the needle in every document, each a text of its own
 * (its last word ends with it), the threads taking runs of documents. */
size_t wc_count_documents(const wc_backend *backend, const wc_rule *rule, const void *needle,
                          size_t needle_len, const wc_documents *d, size_t threads);

/* How many documents a thread takes at a time (a count, or a tally). */
#define WC_DOCUMENTS_PER_TASK ((size_t)1 << 14)

/* The parallel_min_bytes of `search`: below it, waking a worker costs more
 * than it saves (measured by benchmarks/parallel_threshold.py; see README). */
#define WC_PARALLEL_MIN_BYTES ((size_t)256 * 1024)

#endif
