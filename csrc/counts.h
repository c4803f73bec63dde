/* Word frequencies for Python: word_count.counts, and the private _Tally
 * type that counts_file and `word-count --top` gather files with. */
#ifndef WORD_COUNT_COUNTS_H
#define WORD_COUNT_COUNTS_H

#include "pool.h"
#include "pyfront.h"

/* The most tables of a count: one per thread the pool can run. */
#define WC_TALLY_MAX_THREADS (WC_POOL_MAX_WORKERS + 1)

#include "fold.h"

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

/* Imports collections.Counter into `state` and adds _Tally to `module`. */
int wc_counts_exec(PyObject *module, module_state *state);

#endif
