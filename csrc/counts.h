/* Word frequencies for Python: word_count.counts and what the tally types
 * (csrc/tally_type.c) share with it: tables per thread, keys, Counters. */
#ifndef WORD_COUNT_COUNTS_H
#define WORD_COUNT_COUNTS_H

#include "arrow.h"
#include "fold.h"
#include "pool.h"
#include "pyfront.h"
#include "tally.h"

/* The most tables of a count: one per thread the pool can run. */
#define WC_TALLY_MAX_THREADS (WC_POOL_MAX_WORKERS + 1)

/* `counts` keeps the GIL for texts under this size, as `search` does. */
#define GIL_RELEASE_MIN_BYTES ((size_t)64 * 1024)

/* One table per counting thread. */
typedef struct {
    wc_table *tables;
    size_t n;
} wc_table_set;

/* set->n = min(threads, WC_TALLY_MAX_THREADS) tables of `width`; -1 with
 * MemoryError. */
int wc_table_set_init(wc_table_set *set, size_t threads, unsigned width);
void wc_table_set_free(wc_table_set *set);

/* The words of a text into `all`, by `finder`, on set->n threads, the GIL
 * released for texts from GIL_RELEASE_MIN_BYTES on (or kept, with
 * `hold_gil`). False when out of memory. */
bool wc_tally_operand(wc_table_set *set, wc_table *all, const wc_word_finder *finder,
                      const operand *text, size_t chunk_bytes, bool hold_gil);

/* How the keys of a table's words are made. */
typedef struct {
    bool str_keys;          /* a str text: keys in its own form */
    const char *encoding;   /* else NULL for bytes keys, or a codec's name */
    const char *errors;     /* the codec's error handler (NULL: strict) */
    PyObject *name;         /* the file, for decoding errors (or NULL) */
    wc_fold fold;           /* keys folded, and those that fold alike added */
} wc_key_maker;

/* The key of word `w` of t (not folded). New reference. */
PyObject *wc_make_key(const wc_key_maker *km, const wc_table *t, const wc_word *w);

/* A Counter of t's words, in order of first appearance. With `consume`, the
 * table's entries are freed as their keys are made. */
PyObject *wc_table_to_counter(PyObject *counter_type, const wc_key_maker *km, wc_table *t,
                              bool consume);

/* counts(contents, *, threads=None, sep=" ", fold=None) -> collections.Counter */
PyObject *wc_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                    PyObject *kwnames);

extern const char wc_counts_doc[];

/* _counts_chunked(contents, *, threads=None, chunk_bytes=0), for tests. */
PyObject *wc_counts_chunked(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames);

extern const char wc_counts_chunked_doc[];

/* _word_hash(word, seed): the tables' hash of the bytes `word` under `seed`
 * (for the tests of collisions; the process's own seed is secret). */
PyObject *wc_word_hash_py(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames);

extern const char wc_word_hash_doc[];

/* The words of a str text (not ASCII) that fold to the str `folded` (the
 * needle folded) by `fold` and `rule`: the words that may are tallied on up
 * to `threads` threads, the GIL released for large texts unless `hold_gil`,
 * and each distinct one folded with the GIL. -1 with an exception. */
int wc_count_folded(const module_state *state, const operand *text, const wc_rule *rule,
                    PyObject *folded, wc_fold fold, size_t threads, bool hold_gil,
                    size_t *count);

/* The rule of an Arrow column's values: a str's (in UTF-8) for strings, or
 * bytes'. */
wc_rule wc_column_rule(wc_split split, bool strings);

/* The words of a column's values (wc_column of arrow.h) into `into` (bytes:
 * a string column's UTF-8), GIL released. False when out of memory. */
bool wc_tally_column(const wc_column *column, const wc_word_finder *finder, size_t threads,
                     wc_table *into);

/* search of an Arrow column: the words of its values equal to `needle` (a
 * str for strings, a bytes-like for binaries) by `split` and `fold`. */
PyObject *wc_search_column(const module_state *state, const wc_column *column, PyObject *needle,
                           wc_split split, wc_fold fold, size_t threads, bool hold_gil,
                           const char *fname);

/* Imports collections.Counter into `state`. */
int wc_counts_exec(module_state *state);

/* Adds the types Tally and _Tally (csrc/tally_type.c) to `module`. */
int wc_tally_types_exec(PyObject *module, module_state *state);

#endif
