/* word_count.counts, the folded search of a str that is not ASCII, and the
 * private _Tally type behind counts_file, search_file's folded search and
 * `word-count --top`: the word tables of tally.h turned into Python objects.
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

#include "fault.h"
#include "fold.h"
#include "tally.h"
#include "tally_file.h"

/* `counts` keeps the GIL for texts under this size, as `search` does. */
#define GIL_RELEASE_MIN_BYTES ((size_t)64 * 1024)

/* One table per counting thread, the merged result in tables[0]. */
typedef struct {
    wc_table *tables;
    size_t n;
} table_set;

static int
table_set_init(table_set *set, size_t threads, unsigned width)
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

static void
table_set_free(table_set *set)
{
    for (size_t k = 0; k < set->n; k++)
        wc_table_free(&set->tables[k]);
    PyMem_RawFree(set->tables);
    set->tables = NULL;
    set->n = 0;
}

/* ---- keys and the Counter ----------------------------------------------- */

typedef struct {
    bool str_keys;          /* a str text: keys in its own form */
    const char *encoding;   /* else NULL for bytes keys, or a codec's name */
    const char *errors;     /* the codec's error handler (NULL: strict) */
    PyObject *name;         /* the file, for decoding errors (or NULL) */
    wc_fold fold;           /* keys folded, and those that fold alike added */
} key_maker;

/* Turns the UnicodeDecodeError of word `w` into a ValueError that names the
 * file and the offset, in the file, of the bytes that do not decode. */
static void
decode_error(const key_maker *km, const wc_word *w)
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

static PyObject *
make_key(const key_maker *km, const wc_table *t, const wc_word *w)
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
folded_key(const key_maker *km, const wc_table *t, const wc_word *w)
{
    if (km->str_keys && km->fold != WC_FOLD_NONE) {
        PyObject *key = ascii_folded_key(t, w);
        if (key || PyErr_Occurred())
            return key;
    }
    PyObject *key = make_key(km, t, w);
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

/* A Counter of t's words, in order of first appearance. With `consume`, the
 * table's entries are freed as their keys are made (memory then holds the
 * entries or the keys, rarely both). */
static PyObject *
table_to_counter(PyObject *counter_type, const key_maker *km, wc_table *t, bool consume)
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
    for (size_t i = 0; i < t->nwords; i++) {
        const wc_word *w = wc_table_word(t, i);
        PyObject *key = folded_key(km, t, w);
        if (!key)
            goto error;
        int set;
        if (km->fold != WC_FOLD_NONE) {
            set = add_count(counter, key, *wc_table_count(t, i));
        }
        else {
            PyObject *value = PyLong_FromUnsignedLongLong(*wc_table_count(t, i));
            set = value ? PyDict_SetItem(counter, key, value) : -1;
            Py_XDECREF(value);
        }
        Py_DECREF(key);
        if (set < 0)
            goto error;
        if (consume && (i + 1) % WC_SEGMENT_WORDS == 0)
            wc_table_drop_segment(t, i / WC_SEGMENT_WORDS);
    }
    return counter;
error:
    Py_DECREF(counter);
    return NULL;
}

/* ---- counts ------------------------------------------------------------- */

/* The words of a text into `all`, by `finder`, on set->n threads, the GIL
 * released for texts from GIL_RELEASE_MIN_BYTES on (or kept, with
 * `hold_gil`). False when out of memory. */
static bool
tally_text(table_set *set, wc_table *all, const wc_word_finder *finder, const operand *text,
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

int
wc_count_folded(const module_state *state, const operand *text, const wc_rule *rule,
                PyObject *folded, wc_fold fold, size_t threads, bool hold_gil, size_t *count)
{
    wc_word_filter filter;
    if (wc_fold_filter(folded, fold, false, &filter) < 0)
        return -1;
    const wc_word_finder finder = {rule, state->backend, &filter};
    table_set set;
    if (table_set_init(&set, threads, text->width) < 0)
        return -1;
    wc_table candidates;
    wc_table_init(&candidates, text->width);
    bool merged = tally_text(&set, &candidates, &finder, text, 0, hold_gil);
    table_set_free(&set);
    int result = merged ? 0 : (PyErr_NoMemory(), -1);
    *count = 0;
    for (size_t i = 0; result == 0 && i < candidates.nwords; i++) {
        const wc_word *w = wc_table_word(&candidates, i);
        PyObject *key = PyUnicode_FromKindAndData((int)candidates.width,
                                                  wc_table_units(&candidates, w),
                                                  (Py_ssize_t)w->len);
        PyObject *key_folded = key ? wc_fold_key(key, fold) : NULL;
        Py_XDECREF(key);
        int equal = key_folded ? PyUnicode_Compare(key_folded, folded) : -1;
        Py_XDECREF(key_folded);
        if (equal == -1 && PyErr_Occurred())
            result = -1;
        else if (equal == 0)
            *count += *wc_table_count(&candidates, i);
    }
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
        || wc_check_operand_type(sig->fname, "contents", argv[0]) < 0)
        return NULL;
    bool is_str = PyUnicode_Check(argv[0]);
    operand text;
    if (is_str ? wc_operand_from_str(&text, argv[0]) < 0
               : wc_operand_from_buffer(&text, argv[0], sig->fname, "contents") < 0)
        return NULL;
    table_set set;
    if (table_set_init(&set, threads, text.width) < 0) {
        wc_operand_release(&text);
        return NULL;
    }
    const wc_rule rule = wc_rule_for(split, is_str);
    const wc_word_finder finder = {&rule, state->backend, NULL};
    wc_table all;
    wc_table_init(&all, text.width);
    bool merged = tally_text(&set, &all, &finder, &text, chunk_bytes, false);
    table_set_free(&set);
    wc_operand_release(&text);   /* the table holds the words' bytes */
    PyObject *result = NULL;
    if (!merged) {
        PyErr_NoMemory();
    }
    else {
        key_maker km = {.str_keys = is_str, .fold = fold};
        result = table_to_counter(state->counter_type, &km, &all, true);
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

/* ---- _Tally ------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    wc_table total;         /* every word added so far, bytes */
    wc_rule rule;           /* how the bytes split into words */
    atomic_flag busy;       /* a method is running: no two at once */
    bool consumed;          /* counter() gave its entries away */
} tally_object;

static bool
tally_enter(tally_object *self)
{
    if (atomic_flag_test_and_set(&self->busy)) {
        PyErr_SetString(PyExc_RuntimeError, "_Tally is in use by another thread");
        return false;
    }
    if (self->consumed) {
        atomic_flag_clear(&self->busy);
        PyErr_SetString(PyExc_RuntimeError, "_Tally.counter() has used this tally up");
        return false;
    }
    return true;
}

static void
tally_leave(tally_object *self)
{
    atomic_flag_clear(&self->busy);
}

static PyObject *
tally_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"rule", NULL};
    PyObject *rule_spec = NULL;
    wc_rule rule;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$O:_Tally", names, &rule_spec)
        || wc_parse_byte_rule("_Tally", rule_spec, &rule) < 0)
        return NULL;
    tally_object *self = (tally_object *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->rule = rule;
    wc_table_init(&self->total, 1);
    atomic_flag_clear(&self->busy);
    self->consumed = false;
    return (PyObject *)self;
}

static void
tally_dealloc(PyObject *obj)
{
    tally_object *self = (tally_object *)obj;
    PyTypeObject *type = Py_TYPE(obj);
    wc_table_free(&self->total);
    type->tp_free(obj);
    Py_DECREF(type);
}

/* The module state of a _Tally's method (NULL with an exception). */
static module_state *
tally_state(PyObject *obj)
{
    PyObject *module = PyType_GetModule(Py_TYPE(obj));
    return module ? PyModule_GetState(module) : NULL;
}

/* How a method adds words: the tally's rule, the module's backend, and
 * `only`: None, or (folded, fold, utf8), the words that may fold to the str
 * `folded` by `fold`, in bytes of UTF-8 (`utf8`) or of code points (latin-1),
 * their filter in *filter. */
static int
tally_finder(const tally_object *self, const module_state *state, const char *fname,
             PyObject *obj, wc_word_filter *filter, wc_word_finder *finder)
{
    *finder = (wc_word_finder){&self->rule, state->backend, NULL};
    if (!obj || obj == Py_None)
        return 0;
    PyObject *folded, *fold_name;
    int utf8;
    wc_fold fold;
    if (!PyTuple_Check(obj) || !PyArg_ParseTuple(obj, "UOp", &folded, &fold_name, &utf8)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s() argument 'only' must be None or a triple "
                     "(folded, fold, utf8)", fname);
        return -1;
    }
    if (wc_parse_fold(fname, fold_name, &fold) < 0)
        return -1;
    if (fold == WC_FOLD_NONE) {
        PyErr_Format(PyExc_ValueError, "%s() argument 'only' needs a fold", fname);
        return -1;
    }
    finder->filter = filter;
    return wc_fold_filter(folded, fold, utf8, filter);
}

PyDoc_STRVAR(tally_add_fd_doc,
"add_fd($self, /, fd, *, threads=None, name=None, block=0, only=None)\n--\n\n"
"Add the words that the file descriptor `fd` holds from its position to\n"
"its end, GIL released (csrc/tally_file.h). On an error nothing of the\n"
"file is added: OSErrors carry `name` as their filename, a file that\n"
"shrinks is an OSError (EIO). `block`: bytes read at a time where the file\n"
"is not mapped (0: the default; tests cut texts into small blocks).\n"
"`only`: (folded, fold, utf8) adds only the words that may fold to the str\n"
"`folded` (a folded search's candidates), the file's bytes UTF-8 or, with\n"
"utf8 false, latin-1.");

static PyObject *
tally_add_fd(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"fd", "threads", "name", "block", "only"};
    static const signature sig = {"add_fd", names, 5, 1, 1};
    tally_object *self = (tally_object *)obj;
    PyObject *argv[5];
    module_state *state = tally_state(obj);
    wc_word_filter filter;
    wc_word_finder finder;
    wc_tally_file_query q = {.finder = &finder, .interrupted = wc_run_signal_handlers};
    if (!state
        || wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[1], state, &q.threads) < 0
        || wc_parse_size(sig.fname, "block", argv[3], &q.block) < 0
        || tally_finder(self, state, sig.fname, argv[4], &filter, &finder) < 0)
        return NULL;
    PyObject *name = argv[2] == Py_None ? NULL : argv[2];
    int fd = PyObject_AsFileDescriptor(argv[0]);
    if (fd < 0 || !tally_enter(self))
        return NULL;
    table_set set;
    if (table_set_init(&set, q.threads, 1) < 0) {
        tally_leave(self);
        return NULL;
    }
    q.threads = set.n;
    int error = 0;
    bool merged = false;
    released_gil gil = {PyEval_SaveThread()};
    q.ctx = &gil;
    wc_file_status status = wc_tally_fd(&q, fd, set.tables, &error);
    if (status == WC_FILE_COUNTED)
        merged = wc_table_merge(&self->total, set.tables, set.n);
    PyEval_RestoreThread(gil.saved);
    table_set_free(&set);
    tally_leave(self);

    /* A table or buffer out of memory is a MemoryError, not an OSError. */
    if ((status == WC_FILE_COUNTED && !merged)
        || (status == WC_FILE_OS_ERROR && error == ENOMEM))
        return PyErr_NoMemory();
    if (status != WC_FILE_COUNTED)
        return wc_raise_file_status(status, error, name);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(tally_add_doc,
"add($self, /, contents, *, threads=None, only=None)\n--\n\n"
"Add the words of the bytes-like `contents`, GIL released as by counts\n"
"(offsets, for decoding errors, count from its start); `only` as add_fd's.");

static PyObject *
tally_add(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"contents", "threads", "only"};
    static const signature sig = {"add", names, 3, 1, 1};
    tally_object *self = (tally_object *)obj;
    PyObject *argv[3];
    module_state *state = tally_state(obj);
    size_t threads;
    wc_word_filter filter;
    wc_word_finder finder;
    if (!state
        || wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[1], state, &threads) < 0
        || tally_finder(self, state, sig.fname, argv[2], &filter, &finder) < 0)
        return NULL;
    operand text;
    if (wc_operand_from_bytes_like(&text, argv[0], sig.fname, "contents") < 0)
        return NULL;
    if (!tally_enter(self)) {
        wc_operand_release(&text);
        return NULL;
    }
    table_set set;
    bool merged = false;
    if (table_set_init(&set, threads, 1) == 0) {
        wc_table part;
        wc_table_init(&part, 1);
        merged = tally_text(&set, &part, &finder, &text, 0, false);
        table_set_free(&set);
        merged = merged && wc_table_merge(&self->total, &part, 1);
        if (!merged)
            PyErr_NoMemory();
    }
    tally_leave(self);
    wc_operand_release(&text);
    if (!merged)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(tally_counter_doc,
"counter($self, /, encoding=None, *, name=None, fold=None, errors=None)\n--\n\n"
"A Counter of every word, in order of first appearance: bytes keys, or\n"
"str keys decoded with the codec `encoding` (its canonical name, checked\n"
"by the caller) and its error handler `errors` (None: strict); a\n"
"ValueError names `name` and the byte offset of what does not decode.\n"
"`fold`: keys folded as counts' are. Uses the tally up: entries are freed\n"
"as keys are made.");

static PyObject *
tally_counter(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"encoding", "name", "fold", "errors"};
    static const signature sig = {"counter", names, 4, 1, 0};
    tally_object *self = (tally_object *)obj;
    PyObject *argv[4];
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0)
        return NULL;
    key_maker km = {.name = argv[1] == Py_None ? NULL : argv[1]};
    if (wc_parse_fold(sig.fname, argv[2], &km.fold) < 0)
        return NULL;
    const char *const text_names[2] = {"encoding", "errors"};
    const char **texts[2] = {&km.encoding, &km.errors};
    for (int k = 0; k < 2; k++) {
        PyObject *text = argv[k == 0 ? 0 : 3];
        if (!text || text == Py_None)
            continue;
        if (!PyUnicode_Check(text))
            return PyErr_Format(PyExc_TypeError, "counter() argument '%s' must be str or "
                                "None, not %.200s", text_names[k], Py_TYPE(text)->tp_name);
        if (!(*texts[k] = PyUnicode_AsUTF8(text)))
            return NULL;
    }
    module_state *state = tally_state(obj);
    if (!state || !tally_enter(self))
        return NULL;
    PyObject *result = table_to_counter(state->counter_type, &km, &self->total, true);
    self->consumed = true;
    wc_table_free(&self->total);
    tally_leave(self);
    return result;
}

/* Most common first; equal counts in order of first appearance. */
typedef struct {
    uint64_t count;
    size_t index;
} ranked;

static int
rank_order(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Keeps the n best of a min-heap of size n: heap[0] is the worst kept. */
static void
sift_down(ranked *heap, size_t n, size_t i)
{
    for (;;) {
        size_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < n && rank_order(&heap[l], &heap[worst]) > 0)
            worst = l;
        if (r < n && rank_order(&heap[r], &heap[worst]) > 0)
            worst = r;
        if (worst == i)
            return;
        ranked tmp = heap[i];
        heap[i] = heap[worst];
        heap[worst] = tmp;
        i = worst;
    }
}

/* The indices of the n most common words of t, best first, into out[]. */
static void
select_most_common(const wc_table *t, ranked *out, size_t n)
{
    if (n == t->nwords) {
        for (size_t i = 0; i < n; i++)
            out[i] = (ranked){*wc_table_count(t, i), i};
    }
    else {
        for (size_t i = 0; i < t->nwords; i++) {
            ranked r = {*wc_table_count(t, i), i};
            if (i < n) {
                out[i] = r;
                if (i + 1 == n)
                    for (size_t k = n / 2; k-- > 0;)
                        sift_down(out, n, k);
            }
            else if (rank_order(&r, &out[0]) < 0) {
                out[0] = r;
                sift_down(out, n, 0);
            }
        }
    }
    qsort(out, n, sizeof *out, rank_order);
}

PyDoc_STRVAR(tally_most_common_doc,
"most_common($self, n=0, /)\n--\n\n"
"The `n` most common words (0: all) as (bytes, count) pairs, most common\n"
"first, equal counts in order of first appearance: Counter.most_common's\n"
"order, without a key made for the words left out.");

static PyObject *
tally_most_common(PyObject *obj, PyObject *arg)
{
    tally_object *self = (tally_object *)obj;
    Py_ssize_t asked = PyLong_AsSsize_t(arg);
    if (asked == -1 && PyErr_Occurred())
        return NULL;
    if (asked < 0)
        return PyErr_Format(PyExc_ValueError, "most_common() argument must not be negative");
    if (!tally_enter(self))
        return NULL;
    const wc_table *t = &self->total;
    size_t n = asked == 0 || (size_t)asked > t->nwords ? t->nwords : (size_t)asked;
    PyObject *result = NULL;
    ranked *best = PyMem_RawMalloc((n ? n : 1) * sizeof *best);
    if (!best) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    select_most_common(t, best, n);
    Py_END_ALLOW_THREADS
    result = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; result && i < n; i++) {
        const wc_word *w = wc_table_word(t, best[i].index);
        PyObject *pair = Py_BuildValue("(y#K)", (const char *)wc_table_units(t, w),
                                       (Py_ssize_t)w->len,
                                       (unsigned long long)*wc_table_count(t, best[i].index));
        if (!pair)
            Py_CLEAR(result);
        else
            PyList_SET_ITEM(result, (Py_ssize_t)i, pair);
    }
done:
    PyMem_RawFree(best);
    tally_leave(self);
    return result;
}

static Py_ssize_t
tally_len(PyObject *obj)
{
    return (Py_ssize_t)((tally_object *)obj)->total.nwords;
}

#define FASTCALL_KW(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

static PyMethodDef tally_methods[] = {
    {"add", FASTCALL_KW(tally_add), tally_add_doc},
    {"add_fd", FASTCALL_KW(tally_add_fd), tally_add_fd_doc},
    {"counter", FASTCALL_KW(tally_counter), tally_counter_doc},
    {"most_common", tally_most_common, METH_O, tally_most_common_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(tally_doc,
"_Tally(*, rule=None)\n--\n\n"
"Word frequencies gathered over files and buffers of bytes (counts_file,\n"
"search_file's folded search, word-count --top, word_count.dask): add_fd()\n"
"or add() for each, then counter() or most_common(). `rule`: how the\n"
"bytes split into words (None: sep=' '; else _files.byte_rule's pair).\n"
"Not shared between threads: a second call while one runs is a\n"
"RuntimeError.");

static PyType_Slot tally_slots[] = {
    {Py_tp_new, tally_new},
    {Py_tp_dealloc, tally_dealloc},
    {Py_tp_methods, tally_methods},
    {Py_tp_doc, (void *)tally_doc},
    {Py_sq_length, tally_len},
    {Py_mp_length, tally_len},
    {0, NULL},
};

static PyType_Spec tally_spec = {
    .name = "word_count._wordcount._Tally",
    .basicsize = sizeof(tally_object),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = tally_slots,
};

int
wc_counts_exec(PyObject *module, module_state *state)
{
    PyObject *collections = PyImport_ImportModule("collections");
    if (!collections)
        return -1;
    state->counter_type = PyObject_GetAttrString(collections, "Counter");
    Py_DECREF(collections);
    if (!state->counter_type)
        return -1;
    PyObject *type = PyType_FromModuleAndSpec(module, &tally_spec, NULL);
    if (!type)
        return -1;
    int added = PyModule_AddObjectRef(module, "_Tally", type);
    Py_DECREF(type);
    return added;
}
