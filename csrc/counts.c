/* word_count.counts and the folded search of a str that is not ASCII: the
 * word tables of tally.h turned into Python objects.
 *
 * The words are found and counted with the GIL released (tables of spans
 * into the text, one per thread, merged); the GIL is held only to build the
 * keys of the distinct words, in order of first appearance, into a Counter,
 * folding each distinct word once where a fold is asked for (fold.h).
 */
#include "counts.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arrow.h"
#include "fold.h"
#include "tally.h"


int
wc_table_set_init(wc_table_set *set, size_t threads, unsigned width)
{
    set->n = threads > WC_TALLY_MAX_THREADS ? WC_TALLY_MAX_THREADS : threads;
    set->tables = PyMem_RawCalloc(set->n, sizeof *set->tables);
    if (!set->tables) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t k = 0; k < set->n; k++)
        wc_table_init(&set->tables[k], width);
    return 0;
}

void
wc_table_set_free(wc_table_set *set)
{
    for (size_t k = 0; k < set->n; k++)
        wc_table_free(&set->tables[k]);
    PyMem_RawFree(set->tables);
    set->tables = NULL;
    set->n = 0;
}

/* ---- keys and the Counter ----------------------------------------------- */

/* Turns the UnicodeDecodeError of word `w` into a ValueError that names the
 * file and the offset, in the file, of the bytes that do not decode. */
static void
decode_error(const wc_key_maker *km, const wc_word *w)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_ssize_t start;
    PyObject *reason = PyUnicodeDecodeError_GetReason(value);
    if (!reason || PyUnicodeDecodeError_GetStart(value, &start) < 0) {
        Py_XDECREF(reason);
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
        return;
    }
    PyErr_Format(PyExc_ValueError,
                 "counts_file(): %R cannot be decoded with '%s' at byte offset %llu: %U",
                 km->name ? km->name : Py_None, km->encoding,
                 (unsigned long long)w->first + (unsigned long long)start, reason);
    Py_DECREF(reason);
    PyObject *type2, *value2, *tb2;
    PyErr_Fetch(&type2, &value2, &tb2);
    PyErr_NormalizeException(&type2, &value2, &tb2);
    if (value2)
        PyException_SetCause(value2, value);   /* steals `value` */
    else
        Py_XDECREF(value);
    PyErr_Restore(type2, value2, tb2);
    Py_XDECREF(type);
    Py_XDECREF(tb);
}

PyObject *
wc_make_key(const wc_key_maker *km, const wc_table *t, const wc_word *w)
{
    const void *units = wc_table_units(t, w);
    Py_ssize_t len = (Py_ssize_t)w->len;
    if (km->str_keys)
        return PyUnicode_FromKindAndData((int)t->width, units, len);
    if (!km->encoding)
        return PyBytes_FromStringAndSize(units, len);
    PyObject *key = strcmp(km->encoding, "utf-8") == 0
        ? PyUnicode_DecodeUTF8(units, len, km->errors)
        : PyUnicode_Decode(units, len, km->encoding, km->errors);
    if (!key && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        decode_error(km, w);
    return key;
}

/* A str key of ASCII units (most words), folded without a call: str.lower
 * and str.casefold lower ASCII alike. NULL, with no error set, for a word
 * that is not ASCII. (KJV x10 by sep=None on two threads: the fold took
 * 6.5 ms of 68 by the methods.) */
static PyObject *
ascii_folded_key(const wc_table *t, const wc_word *w)
{
    const void *units = wc_table_units(t, w);
    for (size_t i = 0; i < w->len; i++)
        if (wc_load(units, i, t->width) >= 0x80)
            return NULL;
    PyObject *key = PyUnicode_New((Py_ssize_t)w->len, 0x7F);
    if (!key)
        return NULL;
    Py_UCS1 *to = PyUnicode_1BYTE_DATA(key);
    for (size_t i = 0; i < w->len; i++)
        to[i] = (Py_UCS1)wc_fold_ascii(wc_load(units, i, t->width));
    return key;
}

/* The key of word `w` as the Counter holds it: made, and folded. */
static PyObject *
folded_key(const wc_key_maker *km, const wc_table *t, const wc_word *w)
{
    if (km->str_keys && km->fold != WC_FOLD_NONE) {
        PyObject *key = ascii_folded_key(t, w);
        if (key || PyErr_Occurred())
            return key;
    }
    PyObject *key = wc_make_key(km, t, w);
    if (!key || km->fold == WC_FOLD_NONE)
        return key;
    PyObject *folded = wc_fold_key(key, km->fold);
    Py_DECREF(key);
    return folded;
}

/* counter[key] += count, for a key that may be there already (folded keys). */
static int
add_count(PyObject *counter, PyObject *key, uint64_t count)
{
    PyObject *old = PyDict_GetItemWithError(counter, key);   /* borrowed */
    if (!old && PyErr_Occurred())
        return -1;
    PyObject *value;
    if (!old) {
        value = PyLong_FromUnsignedLongLong(count);
    }
    else {
        PyObject *more = PyLong_FromUnsignedLongLong(count);
        value = more ? PyNumber_Add(old, more) : NULL;
        Py_XDECREF(more);
    }
    int set = value ? PyDict_SetItem(counter, key, value) : -1;
    Py_XDECREF(value);
    return set;
}

/* Keys are made and hashed a batch at a time, then set: a loop that only
 * sets keys keeps several dict lookups (each a cache miss in a large dict)
 * in flight at once, where one that also makes and hashes each key waits
 * for each miss in turn. 3 M distinct words (counts_goals.py), Sapphire
 * Rapids: 1.44-1.51x dict.fromkeys(text.split()) -> 1.23-1.29x made
 * first, 1.12-1.13x hashed too; batches of 256 or 4096 no better. A
 * batch's keys stay in L2. */
#define KEY_BATCH 1024
_Static_assert(WC_SEGMENT_WORDS % KEY_BATCH == 0, "a batch ends where a segment ends");

/* A Counter of t's words, in order of first appearance. With `consume`, the
 * table's entries are freed as their keys are made (memory then holds the
 * entries or the keys, rarely both). */
PyObject *
wc_table_to_counter(PyObject *counter_type, const wc_key_maker *km, wc_table *t, bool consume)
{
    /* Counter.__new__ alone: Counter.__init__, in Python, would only call
     * update() with nothing (and costs a microsecond). */
    PyObject *no_args = PyTuple_New(0);
    PyObject *counter = no_args ? ((PyTypeObject *)counter_type)->tp_new(
        (PyTypeObject *)counter_type, no_args, NULL) : NULL;
    Py_XDECREF(no_args);
    if (!counter)
        return NULL;
    if (consume) {
        free(t->slots);         /* no more lookups */
        t->slots = NULL;
        t->nslots = 0;
    }
    PyObject *keys[KEY_BATCH];
    for (size_t start = 0; start < t->nwords; start += KEY_BATCH) {
        size_t n = t->nwords - start < KEY_BATCH ? t->nwords - start : KEY_BATCH;
        size_t made = 0;
        for (; made < n; made++) {
            keys[made] = folded_key(km, t, wc_table_word(t, start + made));
            if (!keys[made])
                break;
            if (PyObject_Hash(keys[made]) == -1) {   /* cached in the key */
                Py_DECREF(keys[made]);
                break;
            }
        }
        int set = made == n ? 0 : -1;
        for (size_t k = 0; k < made && set == 0; k++) {
            uint64_t count = *wc_table_count(t, start + k);
            if (km->fold != WC_FOLD_NONE) {
                set = add_count(counter, keys[k], count);
            }
            else {
                PyObject *value = PyLong_FromUnsignedLongLong(count);
                set = value ? PyDict_SetItem(counter, keys[k], value) : -1;
                Py_XDECREF(value);
            }
        }
        for (size_t k = 0; k < made; k++)
            Py_DECREF(keys[k]);
        if (set < 0) {
            Py_DECREF(counter);
            return NULL;
        }
        if (consume && (start + n) % WC_SEGMENT_WORDS == 0)
            wc_table_drop_segment(t, start / WC_SEGMENT_WORDS);
    }
    return counter;
}

/* ---- counts ------------------------------------------------------------- */

bool
wc_tally_operand(wc_table_set *set, wc_table *all, const wc_word_finder *finder, const operand *text,
           size_t chunk_bytes, bool hold_gil)
{
    bool merged;
    if (hold_gil || text->len * text->width < GIL_RELEASE_MIN_BYTES) {
        wc_tally_all(set->tables, set->n, finder, text->units, text->len, text->width, false,
                     chunk_bytes);
        return wc_table_merge(all, set->tables, set->n);
    }
    Py_BEGIN_ALLOW_THREADS
    wc_tally_all(set->tables, set->n, finder, text->units, text->len, text->width, false,
                 chunk_bytes);
    merged = wc_table_merge(all, set->tables, set->n);
    Py_END_ALLOW_THREADS
    return merged;
}

/* The count of the candidates (a folded search's) whose fold is `folded`:
 * each distinct one made a str (from its units, or its UTF-8) and folded. */
static int
sum_folded(const wc_table *candidates, bool utf8, PyObject *folded, wc_fold fold,
           size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < candidates->nwords; i++) {
        const wc_word *w = wc_table_word(candidates, i);
        const void *units = wc_table_units(candidates, w);
        PyObject *key = utf8 ? PyUnicode_DecodeUTF8(units, (Py_ssize_t)w->len, "surrogateescape")
                             : PyUnicode_FromKindAndData((int)candidates->width, units,
                                                         (Py_ssize_t)w->len);
        PyObject *key_folded = key ? wc_fold_key(key, fold) : NULL;
        Py_XDECREF(key);
        int equal = key_folded ? PyUnicode_Compare(key_folded, folded) : -1;
        Py_XDECREF(key_folded);
        if (equal == -1 && PyErr_Occurred())
            return -1;
        if (equal == 0)
            *count += *wc_table_count(candidates, i);
    }
    return 0;
}

wc_rule
wc_column_rule(wc_split split, bool strings)
{
    if (strings && split == WC_SPACES)   /* a str's whitespace, in UTF-8 */
        return (wc_rule){WC_SPACES, true, true, {' ', ' '}, false};
    return wc_rule_for(split, false);
}

bool
wc_tally_column(const wc_column *column, const wc_word_finder *finder, size_t threads,
                wc_table *into)
{
    wc_column_documents d;
    if (wc_column_documents_init(column, &d) < 0)
        return false;
    wc_table_set set;
    bool ok = wc_table_set_init(&set, threads, 1) == 0;
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        wc_tally_documents(set.tables, set.n, finder, &d.documents);
        ok = wc_table_merge(into, set.tables, set.n);
        Py_END_ALLOW_THREADS
        wc_table_set_free(&set);
    }
    wc_column_documents_free(&d);
    return ok;
}

PyObject *
wc_search_column(const module_state *state, const wc_column *column, PyObject *needle,
                 wc_split split, wc_fold fold, size_t threads, bool hold_gil, const char *fname)
{
    if (column->strings ? !PyUnicode_Check(needle)
                        : PyUnicode_Check(needle) || !PyObject_CheckBuffer(needle))
        return PyErr_Format(PyExc_TypeError, "%s() argument 'needle' must be %s for an Arrow "
                            "column of %s, not %.200s", fname,
                            column->strings ? "str" : "a bytes-like object",
                            column->strings ? "strings" : "binaries", Py_TYPE(needle)->tp_name);
    wc_rule rule = wc_column_rule(split, column->strings);
    PyObject *word = NULL;     /* the needle as the values hold it: bytes */
    if (fold != WC_FOLD_NONE && column->strings) {
        PyObject *folded = wc_fold_key(needle, fold);
        if (!folded)
            return NULL;
        if (PyUnicode_GET_LENGTH(folded) > 0) {
            /* The words that may fold to the needle, folded one by one. */
            wc_word_filter filter;
            wc_table candidates;
            wc_table_init(&candidates, 1);
            const wc_word_finder finder = {&rule, state->backend, &filter};
            size_t count = 0;
            int done = wc_fold_filter(folded, fold, true, &filter);
            if (done == 0 && !wc_tally_column(column, &finder, threads, &candidates)) {
                PyErr_NoMemory();
                done = -1;
            }
            if (done == 0)
                done = sum_folded(&candidates, true, folded, fold, &count);
            wc_table_free(&candidates);
            Py_DECREF(folded);
            return done < 0 ? NULL : PyLong_FromSize_t(count);
        }
        Py_DECREF(folded);  /* only the empty word folds to "": no fold needed */
        word = PyBytes_FromStringAndSize("", 0);
    }
    else if (column->strings) {
        word = PyUnicode_AsEncodedString(needle, "utf-8", "strict");
        if (!word && PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
            PyErr_Clear();  /* a lone surrogate: in no valid UTF-8 */
            return PyLong_FromLong(0);
        }
    }
    else {
        PyObject *bytes = PyBytes_FromObject(needle);
        word = bytes && fold != WC_FOLD_NONE ? wc_fold_key(bytes, fold) : Py_XNewRef(bytes);
        Py_XDECREF(bytes);
        rule.fold_ascii = fold != WC_FOLD_NONE;
    }
    if (!word)
        return NULL;
    wc_column_documents d;
    if (wc_column_documents_init(column, &d) < 0) {
        Py_DECREF(word);
        return PyErr_NoMemory();
    }
    size_t count;
    const void *units = PyBytes_AS_STRING(word);
    const size_t len = (size_t)PyBytes_GET_SIZE(word);
    if (hold_gil) {
        count = wc_count_documents(state->backend, &rule, units, len, &d.documents, threads);
    }
    else {
        Py_BEGIN_ALLOW_THREADS
        count = wc_count_documents(state->backend, &rule, units, len, &d.documents, threads);
        Py_END_ALLOW_THREADS
    }
    wc_column_documents_free(&d);
    Py_DECREF(word);
    return PyLong_FromSize_t(count);
}

int
wc_count_folded(const module_state *state, const operand *text, const wc_rule *rule,
                PyObject *folded, wc_fold fold, size_t threads, bool hold_gil, size_t *count)
{
    wc_word_filter filter;
    if (wc_fold_filter(folded, fold, false, &filter) < 0)
        return -1;
    const wc_word_finder finder = {rule, state->backend, &filter};
    wc_table_set set;
    if (wc_table_set_init(&set, threads, text->width) < 0)
        return -1;
    wc_table candidates;
    wc_table_init(&candidates, text->width);
    bool merged = wc_tally_operand(&set, &candidates, &finder, text, 0, hold_gil);
    wc_table_set_free(&set);
    int result = merged ? sum_folded(&candidates, false, folded, fold, count)
                        : (PyErr_NoMemory(), -1);
    wc_table_free(&candidates);
    return result;
}

const char wc_counts_doc[] =
"counts($module, /, contents, *, threads=None, sep=' ', fold=None)\n--\n\n"
"Every word of `contents` and how often it occurs, as a collections.Counter\n"
"whose keys are in order of first appearance. sep=' ': equal, order\n"
"included, to a Counter fed line.split(' ') for each line ('\\n' or\n"
"'\\r\\n' ends a line), empty words included; sep=None: to\n"
"Counter(contents.split()). fold='lower' or 'casefold' keys each word by\n"
"word.lower() or word.casefold() (bytes: bytes.lower()), adding the counts\n"
"of words that fold alike. A str gives str keys, any bytes-like object\n"
"bytes keys. The words are counted on up to `threads` threads with the GIL\n"
"released (None: as for search); it is held to make the keys.";

/* counts of an Arrow column (or the error of what is no text at all). */
static PyObject *
counts_of_column(const char *fname, const module_state *state, PyObject *obj, size_t threads,
                 wc_split split, wc_fold fold)
{
    wc_column column;
    int is_column = wc_column_open(obj, state->arrow_names, &column, fname, "contents");
    if (is_column <= 0) {
        if (is_column == 0)
            wc_not_a_text(fname, "contents", obj);
        return NULL;
    }
    const wc_rule rule = wc_column_rule(split, column.strings);
    const wc_word_finder finder = {&rule, state->backend, NULL};
    wc_table all;
    wc_table_init(&all, 1);
    PyObject *result = NULL;
    if (!wc_tally_column(&column, &finder, threads, &all)) {
        PyErr_NoMemory();
    }
    else {
        const wc_key_maker km = {.encoding = column.strings ? "utf-8" : NULL, .fold = fold};
        result = wc_table_to_counter(state->counter_type, &km, &all, true);
    }
    wc_table_free(&all);
    wc_column_close(&column);
    return result;
}

/* counts, and _counts_chunked for the tests: chunk_bytes as wc_tally_text. */
static PyObject *
counts_impl(const signature *sig, PyObject *module, PyObject *const *args, Py_ssize_t nargs,
            PyObject *kwnames)
{
    PyObject *argv[5];
    size_t threads, chunk_bytes = 0;
    wc_split split;
    wc_fold fold;
    module_state *state = PyModule_GetState(module);
    if (wc_parse_args(sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig->fname, argv[1], state, &threads) < 0
        || wc_parse_sep(sig->fname, argv[2], &split) < 0
        || wc_parse_fold(sig->fname, argv[3], &fold) < 0
        || (sig->nnames > 4 && wc_parse_size(sig->fname, "chunk_bytes", argv[4], &chunk_bytes) < 0)
        )
        return NULL;
    if (!PyUnicode_Check(argv[0]) && !PyObject_CheckBuffer(argv[0]))
        return counts_of_column(sig->fname, state, argv[0], threads, split, fold);
    bool is_str = PyUnicode_Check(argv[0]);
    operand text;
    if (is_str ? wc_operand_from_str(&text, argv[0]) < 0
               : wc_operand_from_buffer(&text, argv[0], sig->fname, "contents") < 0)
        return NULL;
    wc_table_set set;
    if (wc_table_set_init(&set, threads, text.width) < 0) {
        wc_operand_release(&text);
        return NULL;
    }
    const wc_rule rule = wc_rule_for(split, is_str);
    const wc_word_finder finder = {&rule, state->backend, NULL};
    wc_table all;
    wc_table_init(&all, text.width);
    bool merged = wc_tally_operand(&set, &all, &finder, &text, chunk_bytes, false);
    wc_table_set_free(&set);
    wc_operand_release(&text);   /* the table holds the words' bytes */
    PyObject *result = NULL;
    if (!merged) {
        PyErr_NoMemory();
    }
    else {
        wc_key_maker km = {.str_keys = is_str, .fold = fold};
        result = wc_table_to_counter(state->counter_type, &km, &all, true);
    }
    wc_table_free(&all);
    return result;
}

PyObject *
wc_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"contents", "threads", "sep", "fold"};
    static const signature sig = {"counts", names, 4, 1, 1};
    return counts_impl(&sig, module, args, nargs, kwnames);
}

const char wc_counts_chunked_doc[] =
"_counts_chunked($module, /, contents, *, threads=None, sep=' ', fold=None,\n"
"                chunk_bytes=0)\n--\n\n"
"`counts` with the text cut into chunks of `chunk_bytes` shared by the\n"
"threads whatever its size (0: as counts), for the tests of chunk edges.";

PyObject *
wc_counts_chunked(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"contents", "threads", "sep", "fold", "chunk_bytes"};
    static const signature sig = {"_counts_chunked", names, 5, 1, 1};
    return counts_impl(&sig, module, args, nargs, kwnames);
}

/* ---- the hash, for tests ----------------------------------------------- */

const char wc_word_hash_doc[] =
"_word_hash($module, /, word, seed)\n--\n\n"
"The word tables' 64-bit hash of the bytes-like `word` under `seed`.";

PyObject *
wc_word_hash_py(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"word", "seed"};
    static const signature sig = {"_word_hash", names, 2, 2, 2};
    PyObject *argv[2];
    (void)module;
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0)
        return NULL;
    unsigned long long seed = PyLong_AsUnsignedLongLongMask(argv[1]);
    if (seed == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    operand word;
    if (wc_operand_from_bytes_like(&word, argv[0], sig.fname, "word") < 0)
        return NULL;
    uint64_t hash = wc_word_hash(word.units, word.len, seed);
    wc_operand_release(&word);
    return PyLong_FromUnsignedLongLong(hash);
}

int
wc_counts_exec(module_state *state)
{
    PyObject *collections = PyImport_ImportModule("collections");
    if (!collections)
        return -1;
    state->counter_type = PyObject_GetAttrString(collections, "Counter");
    Py_DECREF(collections);
    return state->counter_type ? 0 : -1;
}
