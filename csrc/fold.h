/* Case folding of words, Unicode's, exactly as CPython's str.lower() and
 * str.casefold() fold them (bytes.lower() for bytes keys).
 *
 * Folding is never done in a scan: the word tables hold the distinct words,
 * so a Counter of folded words folds each distinct word once, with the GIL,
 * by CPython's own method, and adds the counts of those that fold alike
 * (counts.c). A folded search of a text that is not ASCII finds, GIL
 * released, the words that may fold to the folded needle (wc_fold_filter:
 * a word's length, its first and last unit), and folds those alone.
 *
 * The filter needs the other direction, which characters fold to what: a
 * table of every character whose fold is not itself, made once per process
 * from CPython's own folding of every character of planes 0 and 1 (5 ms).
 * No character from U+20000 on folds (tests/test_fold.py checks it on every
 * Python tested).
 */
#ifndef WORD_COUNT_FOLD_H
#define WORD_COUNT_FOLD_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "tally.h"

typedef enum {
    WC_FOLD_NONE,
    WC_FOLD_LOWER,      /* str.lower(), bytes.lower() */
    WC_FOLD_CASEFOLD,   /* str.casefold(), bytes.lower() */
} wc_fold;

/* wc_parse_fold of a value given, neither NULL nor None. */
int wc_parse_fold_value(const char *fname, PyObject *obj, wc_fold *fold);

/* `fold`: None, "lower" or "casefold"; an error names fname and the
 * parameter. (Inline: every search parses it.) */
static inline int
wc_parse_fold(const char *fname, PyObject *obj, wc_fold *fold)
{
    *fold = WC_FOLD_NONE;
    return !obj || obj == Py_None ? 0 : wc_parse_fold_value(fname, obj, fold);
}

/* The key folded: a str by its method, bytes by bytes.lower(). New reference. */
PyObject *wc_fold_key(PyObject *key, wc_fold fold);

/* The words of a text of code points (a str in any width, a latin-1 file)
 * or with `utf8` of UTF-8 bytes that may fold to the str `folded`, itself
 * folded: every word that does passes. -1 with an exception (the table could
 * not be made). */
int wc_fold_filter(PyObject *folded, wc_fold fold, bool utf8, wc_word_filter *filter);

#endif
