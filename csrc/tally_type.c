/* The tally types: word_count.Tally, which gathers the words of many texts
 * (strs, bytes-likes, Arrow columns, files) in C and is read as a Counter,
 * and the private _Tally, bytes split by the rule of an encoding's, behind
 * counts_file, search_file's folded search, word-count --top and Tally's
 * update_file.
 *
 * A Tally keeps a str's words as their UTF-8 (a lone surrogate as Python's
 * "surrogatepass" writes it), whatever the str's form: the words of a 1-, 2-
 * and 4-byte str, and of an Arrow column's UTF-8, are the same words there.
 * With a fold, the words are kept as they are and folded when read, each
 * distinct word once (the folded table is made again after a change).
 */
#include "counts.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arrow.h"
#include "fold.h"
#include "tally.h"
#include "tally_file.h"

#define FASTCALL_KW(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

/* The module state of a tally's method (NULL with an exception): by the
 * module's definition, as the type may be a subclass defined in Python. */
static module_state *
tally_state(PyObject *obj)
{
    PyObject *module = PyType_GetModuleByDef(Py_TYPE(obj), &wc_module_def);
    return module ? PyModule_GetState(module) : NULL;
}

/* Most common first; equal counts in order of first appearance. */
typedef struct {
    uint64_t count;
    size_t index;
} wc_ranked;


static int
rank_order(const void *a, const void *b)
{
    const wc_ranked *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Keeps the n best of a min-heap of size n: heap[0] is the worst kept. */
static void
sift_down(wc_ranked *heap, size_t n, size_t i)
{
    for (;;) {
        size_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < n && rank_order(&heap[l], &heap[worst]) > 0)
            worst = l;
        if (r < n && rank_order(&heap[r], &heap[worst]) > 0)
            worst = r;
        if (worst == i)
            return;
        wc_ranked tmp = heap[i];
        heap[i] = heap[worst];
        heap[worst] = tmp;
        i = worst;
    }
}

/* The indices of the n most common words of t, best first, into out[]. */
static void
wc_select_most_common(const wc_table *t, wc_ranked *out, size_t n)
{
    if (n == t->nwords) {
        for (size_t i = 0; i < n; i++)
            out[i] = (wc_ranked){*wc_table_count(t, i), i};
    }
    else {
        for (size_t i = 0; i < t->nwords; i++) {
            wc_ranked r = {*wc_table_count(t, i), i};
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

/* ---- _Tally: bytes by a rule of an encoding's, for the file functions ---- */

typedef struct {
    PyObject_HEAD
    wc_table total;         /* every word added so far, bytes */
    wc_rule rule;           /* how the bytes split into words */
    atomic_flag busy;       /* a method is running: no two at once */
    bool consumed;          /* counter() gave its entries away */
} raw_tally_object;

static bool
raw_tally_enter(raw_tally_object *self)
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
raw_tally_leave(raw_tally_object *self)
{
    atomic_flag_clear(&self->busy);
}

static PyObject *
raw_tally_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"rule", NULL};
    PyObject *rule_spec = NULL;
    wc_rule rule;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$O:_Tally", names, &rule_spec)
        || wc_parse_byte_rule("_Tally", rule_spec, &rule) < 0)
        return NULL;
    raw_tally_object *self = (raw_tally_object *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->rule = rule;
    wc_table_init(&self->total, 1);
    atomic_flag_clear(&self->busy);
    self->consumed = false;
    return (PyObject *)self;
}

static void
raw_tally_dealloc(PyObject *obj)
{
    raw_tally_object *self = (raw_tally_object *)obj;
    PyTypeObject *type = Py_TYPE(obj);
    wc_table_free(&self->total);
    type->tp_free(obj);
    Py_DECREF(type);
}


/* How a method adds words: the tally's rule, the module's backend, and
 * `only`: None, or (folded, fold, utf8), the words that may fold to the str
 * `folded` by `fold`, in bytes of UTF-8 (`utf8`) or of code points (latin-1),
 * their filter in *filter. */
static int
raw_tally_finder(const raw_tally_object *self, const module_state *state, const char *fname,
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

PyDoc_STRVAR(raw_tally_add_fd_doc,
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
raw_tally_add_fd(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"fd", "threads", "name", "block", "only"};
    static const signature sig = {"add_fd", names, 5, 1, 1};
    raw_tally_object *self = (raw_tally_object *)obj;
    PyObject *argv[5];
    module_state *state = tally_state(obj);
    wc_word_filter filter;
    wc_word_finder finder;
    wc_tally_file_query q = {.finder = &finder, .interrupted = wc_run_signal_handlers};
    if (!state
        || wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[1], state, &q.threads) < 0
        || wc_parse_size(sig.fname, "block", argv[3], &q.block) < 0
        || raw_tally_finder(self, state, sig.fname, argv[4], &filter, &finder) < 0)
        return NULL;
    PyObject *name = argv[2] == Py_None ? NULL : argv[2];
    int fd = PyObject_AsFileDescriptor(argv[0]);
    if (fd < 0 || !raw_tally_enter(self))
        return NULL;
    wc_table_set set;
    if (wc_table_set_init(&set, q.threads, 1) < 0) {
        raw_tally_leave(self);
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
    wc_table_set_free(&set);
    raw_tally_leave(self);

    /* A table or buffer out of memory is a MemoryError, not an OSError. */
    if ((status == WC_FILE_COUNTED && !merged)
        || (status == WC_FILE_OS_ERROR && error == ENOMEM))
        return PyErr_NoMemory();
    if (status != WC_FILE_COUNTED)
        return wc_raise_file_status(status, error, name);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(raw_tally_add_doc,
"add($self, /, contents, *, threads=None, only=None)\n--\n\n"
"Add the words of the bytes-like `contents`, GIL released as by counts\n"
"(offsets, for decoding errors, count from its start); `only` as add_fd's.");

static PyObject *
raw_tally_add(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"contents", "threads", "only"};
    static const signature sig = {"add", names, 3, 1, 1};
    raw_tally_object *self = (raw_tally_object *)obj;
    PyObject *argv[3];
    module_state *state = tally_state(obj);
    size_t threads;
    wc_word_filter filter;
    wc_word_finder finder;
    if (!state
        || wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[1], state, &threads) < 0
        || raw_tally_finder(self, state, sig.fname, argv[2], &filter, &finder) < 0)
        return NULL;
    operand text;
    if (wc_operand_from_bytes_like(&text, argv[0], sig.fname, "contents") < 0)
        return NULL;
    if (!raw_tally_enter(self)) {
        wc_operand_release(&text);
        return NULL;
    }
    wc_table_set set;
    bool merged = false;
    if (wc_table_set_init(&set, threads, 1) == 0) {
        wc_table part;
        wc_table_init(&part, 1);
        merged = wc_tally_operand(&set, &part, &finder, &text, 0, false);
        wc_table_set_free(&set);
        merged = merged && wc_table_merge(&self->total, &part, 1);
        if (!merged)
            PyErr_NoMemory();
    }
    raw_tally_leave(self);
    wc_operand_release(&text);
    if (!merged)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(raw_tally_counter_doc,
"counter($self, /, encoding=None, *, name=None, fold=None, errors=None)\n--\n\n"
"A Counter of every word, in order of first appearance: bytes keys, or\n"
"str keys decoded with the codec `encoding` (its canonical name, checked\n"
"by the caller) and its error handler `errors` (None: strict); a\n"
"ValueError names `name` and the byte offset of what does not decode.\n"
"`fold`: keys folded as counts' are. Uses the tally up: entries are freed\n"
"as keys are made.");

static PyObject *
raw_tally_counter(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"encoding", "name", "fold", "errors"};
    static const signature sig = {"counter", names, 4, 1, 0};
    raw_tally_object *self = (raw_tally_object *)obj;
    PyObject *argv[4];
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0)
        return NULL;
    wc_key_maker km = {.name = argv[1] == Py_None ? NULL : argv[1]};
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
    if (!state || !raw_tally_enter(self))
        return NULL;
    PyObject *result = wc_table_to_counter(state->counter_type, &km, &self->total, true);
    self->consumed = true;
    wc_table_free(&self->total);
    raw_tally_leave(self);
    return result;
}

PyDoc_STRVAR(raw_tally_most_common_doc,
"most_common($self, n=0, /)\n--\n\n"
"The `n` most common words (0: all) as (bytes, count) pairs, most common\n"
"first, equal counts in order of first appearance: Counter.most_common's\n"
"order, without a key made for the words left out.");

static PyObject *
raw_tally_most_common(PyObject *obj, PyObject *arg)
{
    raw_tally_object *self = (raw_tally_object *)obj;
    Py_ssize_t asked = PyLong_AsSsize_t(arg);
    if (asked == -1 && PyErr_Occurred())
        return NULL;
    if (asked < 0)
        return PyErr_Format(PyExc_ValueError, "most_common() argument must not be negative");
    if (!raw_tally_enter(self))
        return NULL;
    const wc_table *t = &self->total;
    size_t n = asked == 0 || (size_t)asked > t->nwords ? t->nwords : (size_t)asked;
    PyObject *result = NULL;
    wc_ranked *best = PyMem_RawMalloc((n ? n : 1) * sizeof *best);
    if (!best) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    wc_select_most_common(t, best, n);
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
    raw_tally_leave(self);
    return result;
}

static Py_ssize_t
raw_tally_len(PyObject *obj)
{
    return (Py_ssize_t)((raw_tally_object *)obj)->total.nwords;
}


static PyMethodDef raw_tally_methods[] = {
    {"add", FASTCALL_KW(raw_tally_add), raw_tally_add_doc},
    {"add_fd", FASTCALL_KW(raw_tally_add_fd), raw_tally_add_fd_doc},
    {"counter", FASTCALL_KW(raw_tally_counter), raw_tally_counter_doc},
    {"most_common", raw_tally_most_common, METH_O, raw_tally_most_common_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(raw_tally_doc,
"_Tally(*, rule=None)\n--\n\n"
"Word frequencies gathered over files and buffers of bytes (counts_file,\n"
"search_file's folded search, word-count --top, word_count.dask): add_fd()\n"
"or add() for each, then counter() or most_common(). `rule`: how the\n"
"bytes split into words (None: sep=' '; else _files.byte_rule's pair).\n"
"Not shared between threads: a second call while one runs is a\n"
"RuntimeError.");

static PyType_Slot raw_tally_slots[] = {
    {Py_tp_new, raw_tally_new},
    {Py_tp_dealloc, raw_tally_dealloc},
    {Py_tp_methods, raw_tally_methods},
    {Py_tp_doc, (void *)raw_tally_doc},
    {Py_sq_length, raw_tally_len},
    {Py_mp_length, raw_tally_len},
    {0, NULL},
};

static PyType_Spec raw_tally_spec = {
    .name = "word_count._wordcount._Tally",
    .basicsize = sizeof(raw_tally_object),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = raw_tally_slots,
};

/* ---- Tally: the public type --------------------------------------------- */

/* What a Tally's keys are: set by the first text it is given. */
enum { KEYS_NONE, KEYS_STR, KEYS_BYTES };

typedef struct {
    PyObject_HEAD
    wc_table total;         /* every word: a str's as UTF-8 (surrogatepass), or bytes */
    wc_table folded;        /* with a fold, total's words folded (made when read) */
    bool folded_made;
    wc_split split;
    wc_fold fold;
    size_t threads;         /* 0: the module's default */
    int keys;
    atomic_flag busy;       /* a method is running: no two at once */
} tally_object;

static bool
tally_enter(tally_object *self)
{
    if (atomic_flag_test_and_set(&self->busy)) {
        PyErr_SetString(PyExc_RuntimeError, "Tally is in use by another thread");
        return false;
    }
    return true;
}

static void
tally_leave(tally_object *self)
{
    atomic_flag_clear(&self->busy);
}

static const char *const KEY_NAMES[] = {"no", "str", "bytes"};

/* The tally takes keys of `kind` from now on: a TypeError if it holds the
 * other kind. */
static int
tally_take_keys(tally_object *self, int kind, const char *fname)
{
    if (self->keys == KEYS_NONE) {
        self->keys = kind;
        return 0;
    }
    if (self->keys == kind)
        return 0;
    PyErr_Format(PyExc_TypeError, "%s(): this Tally holds %s keys, and a Tally holds str "
                 "keys or bytes keys, never both: a %s text cannot be added", fname,
                 KEY_NAMES[self->keys], KEY_NAMES[kind]);
    return -1;
}

/* The rule of the texts a tally is given: a str's (code points) or bytes'
 * (an Arrow column's: wc_column_rule). */
static wc_rule
tally_rule(const tally_object *self, int kind)
{
    return wc_rule_for(self->split, kind == KEYS_STR);
}

static size_t
tally_threads(const tally_object *self, const module_state *state)
{
    return self->threads ? self->threads : state->default_threads ? state->default_threads : 1;
}

/* `part` (words of one input, of `width`-byte code points when `code_points`)
 * added to the tally's words, after those it holds. */
static bool
tally_absorb_table(tally_object *self, wc_table *part, bool code_points)
{
    bool ok = !code_points || self->keys != KEYS_STR || wc_table_to_utf8(part);
    ok = ok && wc_table_merge(&self->total, part, 1);
    self->folded_made = false;
    return ok;
}

/* One text (or column) into the tally; the caller has entered it. */
static int
tally_add_text(tally_object *self, const module_state *state, PyObject *contents,
               const char *fname)
{
    const size_t threads = tally_threads(self, state);
    wc_column column;
    int is_column = wc_column_open(contents, state->arrow_names, &column, fname, "contents");
    if (is_column < 0)
        return -1;
    if (is_column) {
        const int kind = column.strings ? KEYS_STR : KEYS_BYTES;
        const wc_rule rule = wc_column_rule(self->split, column.strings);
        const wc_word_finder finder = {&rule, state->backend, NULL};
        wc_table part;
        wc_table_init(&part, 1);
        int result = tally_take_keys(self, kind, fname);
        if (result == 0 && !(wc_tally_column(&column, &finder, threads, &part)
                             && tally_absorb_table(self, &part, false))) {
            PyErr_NoMemory();
            result = -1;
        }
        wc_table_free(&part);
        wc_column_close(&column);
        return result;
    }
    const bool is_str = PyUnicode_Check(contents);
    if (!is_str && !PyObject_CheckBuffer(contents)) {
        wc_not_a_text(fname, "contents", contents);
        return -1;
    }
    operand text;
    if (tally_take_keys(self, is_str ? KEYS_STR : KEYS_BYTES, fname) < 0
        || (is_str ? wc_operand_from_str(&text, contents)
                   : wc_operand_from_buffer(&text, contents, fname, "contents")) < 0)
        return -1;
    const wc_rule rule = tally_rule(self, self->keys);
    const wc_word_finder finder = {&rule, state->backend, NULL};
    wc_table_set set;
    int result = wc_table_set_init(&set, threads, text.width);
    if (result == 0) {
        wc_table part;
        wc_table_init(&part, text.width);
        bool ok = wc_tally_operand(&set, &part, &finder, &text, 0, false);
        wc_table_set_free(&set);
        if (!(ok && tally_absorb_table(self, &part, is_str))) {
            PyErr_NoMemory();
            result = -1;
        }
        wc_table_free(&part);
    }
    wc_operand_release(&text);
    return result;
}

PyDoc_STRVAR(tally_update_doc,
"update($self, contents, /)\n--\n\n"
"Add the words of one text, as counts(contents) finds them: a str, a\n"
"bytes-like object, or an Arrow column of strings or binaries (anything\n"
"exporting __arrow_c_array__ or __arrow_c_stream__: a polars Series, a\n"
"pyarrow Array or ChunkedArray, ...), each non-null value a text of its\n"
"own, counted where it lies. Each text is a document: its last word ends\n"
"with it.");

static PyObject *
tally_update(PyObject *obj, PyObject *contents)
{
    tally_object *self = (tally_object *)obj;
    module_state *state = tally_state(obj);
    if (!state || !tally_enter(self))
        return NULL;
    int added = tally_add_text(self, state, contents, "update");
    tally_leave(self);
    if (added < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(tally_update_all_doc,
"update_all($self, texts, /)\n--\n\n"
"Add the words of every text of an iterable of str or bytes-like objects,\n"
"each a document of its own, in one loop in C.");

/* The texts of a list or tuple lie where their objects were made, scattered
 * (a size class a pool), and 77% of this loop's own time went to reading
 * each one's header. Fetched ITEMS_AHEAD items ahead, the header and the
 * line after it, `update_all` of the KJV x10's 714 K lines (one thread,
 * Sapphire Rapids) took 80-81 -> 74-76 ms as a list of str, 79 -> 70 as
 * one of bytes, 78 -> 71 as a tuple. A list only where the GIL keeps it
 * still while its item is read. (Inlined always: gcc, with NDEBUG, took a
 * static function holding only fetches for one without effects and left
 * its call out.) */
#define ITEMS_AHEAD 16
static inline __attribute__((always_inline)) void
fetch_item_ahead(PyObject *iterable, uint64_t index)
{
    const Py_ssize_t at = (Py_ssize_t)index + ITEMS_AHEAD;
    PyObject *ahead = NULL;
    if (PyTuple_CheckExact(iterable) && at < PyTuple_GET_SIZE(iterable))
        ahead = PyTuple_GET_ITEM(iterable, at);
#ifndef Py_GIL_DISABLED
    else if (PyList_CheckExact(iterable) && at < PyList_GET_SIZE(iterable))
        ahead = PyList_GET_ITEM(iterable, at);
#endif
    if (ahead) {
        __builtin_prefetch(ahead);
        __builtin_prefetch((const char *)ahead + 64);
    }
}

static PyObject *
tally_update_all(PyObject *obj, PyObject *iterable)
{
    tally_object *self = (tally_object *)obj;
    module_state *state = tally_state(obj);
    if (!state)
        return NULL;
    PyObject *iterator = PyObject_GetIter(iterable);
    if (!iterator)
        return NULL;
    if (!tally_enter(self)) {
        Py_DECREF(iterator);
        return NULL;
    }
    /* A table per width of a str's units (or one of bytes); every text's
     * words are first met at its offset in the whole iterable, so that the
     * tables merge in order. */
    wc_table tables[3];
    for (unsigned k = 0; k < 3; k++)
        wc_table_init(&tables[k], 1u << k);
    wc_rule rules[2];
    wc_word_finder finders[2];
    for (int kind = KEYS_STR; kind <= KEYS_BYTES; kind++) {
        rules[kind - 1] = tally_rule(self, kind);
        finders[kind - 1] = (wc_word_finder){&rules[kind - 1], state->backend, NULL};
    }
    /* `at`: where the next text starts. A text's last word, empty by
     * sep=" " after a last space, lies at its end: it must come before the
     * next text's first word, which in a table of another width would tie
     * with it (the merge of the tables on `first` gives a tie to the
     * narrower one), so a text of another width than the one before starts
     * one unit on. Texts of one width follow each other unit for unit: a
     * run of them has one base (the word tables' quicker loop). */
    uint64_t at = 0, index = 0;
    unsigned last_width = 0;
    int result = 0;
    /* The texts of each width gathered into runs (tally.h: short texts cost
     * as one long one), each text first met at its place in the iterable. */
    wc_run *runs[3] = {NULL, NULL, NULL};
    PyObject *item;
    while (result == 0 && (item = PyIter_Next(iterator))) {
        fetch_item_ahead(iterable, index);
        const bool is_str = PyUnicode_Check(item);
        operand text;
        if (!is_str && !PyObject_CheckBuffer(item)) {
            PyErr_Format(PyExc_TypeError, "update_all() item %llu must be str or a bytes-like "
                         "object, not %.200s", (unsigned long long)index,
                         Py_TYPE(item)->tp_name);
            result = -1;
        }
        else if (tally_take_keys(self, is_str ? KEYS_STR : KEYS_BYTES, "update_all") < 0
                 || (is_str ? wc_operand_from_str(&text, item)
                            : wc_operand_from_buffer(&text, item, "update_all", "texts")) < 0) {
            result = -1;
        }
        else {
            const unsigned k = text.width == 1 ? 0 : text.width == 2 ? 1 : 2;
            if (!runs[k])
                runs[k] = wc_run_new(&tables[k], &finders[is_str ? 0 : 1], text.width, false);
            at += last_width && text.width != last_width;
            if (!runs[k] || !wc_run_add(runs[k], text.units, text.len, at)) {
                PyErr_NoMemory();
                result = -1;
            }
            at += text.len;
            last_width = text.width;
            wc_operand_release(&text);
        }
        index++;
        Py_DECREF(item);
    }
    Py_DECREF(iterator);
    for (unsigned k = 0; k < 3; k++) {
        if (runs[k] && !wc_run_flush(runs[k]) && result == 0) {
            PyErr_NoMemory();
            result = -1;
        }
        wc_run_free(runs[k]);
    }
    if (result == 0 && PyErr_Occurred())
        result = -1;
    if (result == 0 && self->keys == KEYS_STR)
        for (unsigned k = 0; k < 3 && result == 0; k++)
            if (!wc_table_to_utf8(&tables[k]))
                result = -1;
    if (result == 0) {
        wc_table part;
        wc_table_init(&part, 1);
        if (!wc_table_merge(&part, tables, 3) || !tally_absorb_table(self, &part, false))
            result = -1;
        wc_table_free(&part);
        if (result < 0)
            PyErr_NoMemory();
    }
    for (unsigned k = 0; k < 3; k++)
        wc_table_free(&tables[k]);
    tally_leave(self);
    if (result < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(tally_absorb_doc,
"_absorb($self, tally, codec, /, name=None)\n--\n\n"
"Move the words of a _Tally (a file's bytes, tally_file.h) into this tally:\n"
"bytes keys as they are, str keys decoded with the codec `codec` (a\n"
"ValueError names `name` and the byte offset of what does not decode). For\n"
"Tally.update_file.");

/* A word of the file in `codec`, as a str tally keeps it: its UTF-8. */
static PyObject *
decoded_utf8(const raw_tally_object *file, const wc_word *w, const char *codec, PyObject *name)
{
    const wc_key_maker km = {.encoding = codec, .name = name};
    PyObject *key = wc_make_key(&km, &file->total, w);
    if (!key)
        return NULL;
    PyObject *utf8 = PyUnicode_AsEncodedString(key, "utf-8", "surrogatepass");
    Py_DECREF(key);
    return utf8;
}

static PyObject *
tally_absorb(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"tally", "codec", "name"};
    static const signature sig = {"_absorb", names, 3, 2, 2};
    tally_object *self = (tally_object *)obj;
    PyObject *argv[3];
    module_state *state = tally_state(obj);
    if (!state || wc_parse_args(&sig, args, nargs, kwnames, argv) < 0)
        return NULL;
    if (!PyObject_TypeCheck(argv[0], (PyTypeObject *)state->raw_tally_type))
        return PyErr_Format(PyExc_TypeError, "_absorb() argument 'tally' must be a _Tally");
    raw_tally_object *file = (raw_tally_object *)argv[0];
    const char *codec = NULL;
    if (argv[1] != Py_None && !(codec = PyUnicode_AsUTF8(argv[1])))
        return NULL;
    PyObject *name = argv[2] && argv[2] != Py_None ? argv[2] : NULL;
    if (!tally_enter(self))
        return NULL;
    if (!raw_tally_enter(file)) {
        tally_leave(self);
        return NULL;
    }
    int result = tally_take_keys(self, codec ? KEYS_STR : KEYS_BYTES, "update_file");
    const bool as_is = !codec || strcmp(codec, "utf-8") == 0;
    /* A str tally holds UTF-8 that decodes: a UTF-8 file's words are
     * decoded to be checked, then moved as they are; other codecs' words
     * are decoded and written as UTF-8. */
    if (result == 0 && as_is && codec) {
        for (size_t i = 0; result == 0 && i < file->total.nwords; i++) {
            const wc_word *w = wc_table_word(&file->total, i);
            PyObject *utf8 = decoded_utf8(file, w, codec, name);
            result = utf8 ? 0 : -1;
            Py_XDECREF(utf8);
        }
    }
    if (result == 0 && as_is) {
        if (!tally_absorb_table(self, &file->total, false)) {
            PyErr_NoMemory();
            result = -1;
        }
    }
    else if (result == 0) {
        wc_table part;
        wc_table_init(&part, 1);
        for (size_t i = 0; result == 0 && i < file->total.nwords; i++) {
            const wc_word *w = wc_table_word(&file->total, i);
            PyObject *utf8 = decoded_utf8(file, w, codec, name);
            if (!utf8)
                result = -1;
            else if (!wc_table_add(&part, PyBytes_AS_STRING(utf8),
                                   (size_t)PyBytes_GET_SIZE(utf8),
                                   *wc_table_count(&file->total, i), w->first)) {
                PyErr_NoMemory();
                result = -1;
            }
            Py_XDECREF(utf8);
        }
        if (result == 0 && !tally_absorb_table(self, &part, false)) {
            PyErr_NoMemory();
            result = -1;
        }
        wc_table_free(&part);
    }
    wc_table_free(&file->total);
    file->consumed = true;
    raw_tally_leave(file);
    tally_leave(self);
    if (result < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(tally_merge_doc,
"merge($self, other, /)\n--\n\n"
"Add another Tally's words (of the same sep and fold, and the same kind of\n"
"keys), its new words after this one's, in its order.");

static PyObject *
tally_merge(PyObject *obj, PyObject *other_obj)
{
    tally_object *self = (tally_object *)obj;
    module_state *state = tally_state(obj);
    if (!state)
        return NULL;
    if (!PyObject_TypeCheck(other_obj, (PyTypeObject *)state->tally_type))
        return PyErr_Format(PyExc_TypeError, "merge() argument must be a Tally, not %.200s",
                            Py_TYPE(other_obj)->tp_name);
    tally_object *other = (tally_object *)other_obj;
    if (other->split != self->split || other->fold != self->fold)
        return PyErr_Format(PyExc_ValueError, "merge() argument: a Tally of another rule "
                            "(sep and fold must be the same)");
    if (!tally_enter(self))
        return NULL;
    if (other != self && !tally_enter(other)) {
        tally_leave(self);
        return NULL;
    }
    int result = other->keys == KEYS_NONE ? 0 : tally_take_keys(self, other->keys, "merge");
    if (result == 0 && other == self) {
        for (size_t i = 0; i < self->total.nwords; i++)
            *wc_table_count(&self->total, i) *= 2;
        self->folded_made = false;
    }
    else if (result == 0) {
        const wc_table *from = &other->total;
        for (size_t i = 0; result == 0 && i < from->nwords; i++) {
            const wc_word *w = wc_table_word(from, i);
            if (!wc_table_add(&self->total, wc_table_units(from, w), w->len,
                              *wc_table_count(from, i), w->first)) {
                PyErr_NoMemory();
                result = -1;
            }
        }
        self->folded_made = false;
    }
    if (other != self)
        tally_leave(other);
    tally_leave(self);
    if (result < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ---- reading ------------------------------------------------------------ */

/* A word of the tally's table folded: bytes lowered, a str's by its
 * method (the UTF-8 of an ASCII word lowered without a call). New bytes. */
static PyObject *
folded_word(const tally_object *self, const wc_table *t, const wc_word *w)
{
    const unsigned char *units = wc_table_units(t, w);
    bool ascii = true;
    for (size_t i = 0; ascii && i < w->len; i++)
        ascii = units[i] < 0x80;
    if (ascii || self->keys == KEYS_BYTES) {
        PyObject *folded = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)w->len);
        if (folded)
            for (size_t i = 0; i < w->len; i++)
                PyBytes_AS_STRING(folded)[i] = (char)wc_fold_ascii(units[i]);
        return folded;
    }
    PyObject *key = PyUnicode_DecodeUTF8((const char *)units, (Py_ssize_t)w->len, "surrogatepass");
    PyObject *key_folded = key ? wc_fold_key(key, self->fold) : NULL;
    Py_XDECREF(key);
    PyObject *utf8 = key_folded ? PyUnicode_AsEncodedString(key_folded, "utf-8", "surrogatepass")
                                : NULL;
    Py_XDECREF(key_folded);
    return utf8;
}

/* The table the tally is read from: its words, or with a fold their folds
 * (made on the first read after a change, each distinct word once). */
static const wc_table *
tally_view(tally_object *self)
{
    if (self->fold == WC_FOLD_NONE)
        return &self->total;
    if (self->folded_made)
        return &self->folded;
    wc_table_free(&self->folded);
    for (size_t i = 0; i < self->total.nwords; i++) {
        const wc_word *w = wc_table_word(&self->total, i);
        PyObject *folded = folded_word(self, &self->total, w);
        if (!folded)
            return NULL;
        bool added = wc_table_add(&self->folded, PyBytes_AS_STRING(folded),
                                  (size_t)PyBytes_GET_SIZE(folded),
                                  *wc_table_count(&self->total, i), w->first);
        Py_DECREF(folded);
        if (!added) {
            PyErr_NoMemory();
            return NULL;
        }
    }
    self->folded_made = true;
    return &self->folded;
}

static PyObject *
tally_key(const tally_object *self, const wc_table *t, size_t i)
{
    const wc_word *w = wc_table_word(t, i);
    const char *units = wc_table_units(t, w);
    return self->keys == KEYS_BYTES ? PyBytes_FromStringAndSize(units, (Py_ssize_t)w->len)
         : PyUnicode_DecodeUTF8(units, (Py_ssize_t)w->len, "surrogatepass");
}

/* The index of `key` in the view, or SIZE_MAX (a key of the other kind, or
 * absent); -1 cast, with an exception, on an error. */
static size_t
tally_find(tally_object *self, const wc_table *view, PyObject *key, bool *error)
{
    *error = false;
    const bool is_str = PyUnicode_Check(key);
    if (self->keys == KEYS_NONE || (is_str ? self->keys != KEYS_STR
                                           : self->keys != KEYS_BYTES || !PyBytes_Check(key)))
        return SIZE_MAX;
    PyObject *word = is_str ? PyUnicode_AsEncodedString(key, "utf-8", "surrogatepass")
                            : Py_NewRef(key);
    if (word && self->fold != WC_FOLD_NONE) {
        /* the key as the view holds it: folded */
        PyObject *folded_key = is_str ? wc_fold_key(key, self->fold) : wc_fold_key(word, self->fold);
        Py_DECREF(word);
        word = folded_key && is_str
            ? PyUnicode_AsEncodedString(folded_key, "utf-8", "surrogatepass") : folded_key;
        if (is_str)
            Py_XDECREF(folded_key);
    }
    if (!word) {
        *error = true;
        return SIZE_MAX;
    }
    size_t index = wc_table_find(view, PyBytes_AS_STRING(word), (size_t)PyBytes_GET_SIZE(word));
    Py_DECREF(word);
    return index;
}

/* Every reader: enter, the view, leave (NULL view: an exception). */
#define WITH_VIEW(self, view, failed)                                                       \
    if (!tally_enter(self))                                                                 \
        return failed;                                                                      \
    const wc_table *view = tally_view(self);                                                \
    if (!view) {                                                                            \
        tally_leave(self);                                                                  \
        return failed;                                                                      \
    }

static PyObject *
tally_subscript(PyObject *obj, PyObject *key)
{
    tally_object *self = (tally_object *)obj;
    WITH_VIEW(self, view, NULL)
    bool error;
    size_t index = tally_find(self, view, key, &error);
    uint64_t count = index == SIZE_MAX ? 0 : *wc_table_count(view, index);
    tally_leave(self);
    return error ? NULL : PyLong_FromUnsignedLongLong(count);
}

static int
tally_contains(PyObject *obj, PyObject *key)
{
    tally_object *self = (tally_object *)obj;
    WITH_VIEW(self, view, -1)
    bool error;
    size_t index = tally_find(self, view, key, &error);
    tally_leave(self);
    return error ? -1 : index != SIZE_MAX;
}

static Py_ssize_t
tally_length(PyObject *obj)
{
    tally_object *self = (tally_object *)obj;
    WITH_VIEW(self, view, -1)
    Py_ssize_t n = (Py_ssize_t)view->nwords;
    tally_leave(self);
    return n;
}

/* A list of the view's words (`pairs`: (word, count) pairs) in order. */
static PyObject *
tally_list(tally_object *self, bool pairs)
{
    WITH_VIEW(self, view, NULL)
    PyObject *list = PyList_New((Py_ssize_t)view->nwords);
    for (size_t i = 0; list && i < view->nwords; i++) {
        PyObject *key = tally_key(self, view, i);
        PyObject *item = key && pairs ? Py_BuildValue("(NK)", key,
                                                      (unsigned long long)*wc_table_count(view, i))
                                      : key;
        if (!item)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    tally_leave(self);
    return list;
}

static PyObject *
tally_iter(PyObject *obj)
{
    PyObject *words = tally_list((tally_object *)obj, false);
    PyObject *iterator = words ? PyObject_GetIter(words) : NULL;
    Py_XDECREF(words);
    return iterator;
}

PyDoc_STRVAR(tally_items_doc,
"items($self, /)\n--\n\n"
"Every (word, count) pair, in order of first appearance.");

static PyObject *
tally_items(PyObject *obj, PyObject *unused)
{
    (void)unused;
    return tally_list((tally_object *)obj, true);
}

PyDoc_STRVAR(tally_total_doc,
"total($self, /)\n--\n\n"
"The number of words: the sum of the counts.");

static PyObject *
tally_total(PyObject *obj, PyObject *unused)
{
    (void)unused;
    tally_object *self = (tally_object *)obj;
    if (!tally_enter(self))
        return NULL;
    uint64_t total = 0;
    for (size_t i = 0; i < self->total.nwords; i++)
        total += *wc_table_count(&self->total, i);
    tally_leave(self);
    return PyLong_FromUnsignedLongLong(total);
}

PyDoc_STRVAR(tally_most_common_doc,
"most_common($self, n=None, /)\n--\n\n"
"The n most common words (None: all) as (word, count) pairs, most common\n"
"first, equal counts in order of first appearance (Counter.most_common's\n"
"order); keys are made for those n alone.");

static PyObject *
tally_most_common(PyObject *obj, PyObject *const *args, Py_ssize_t nargs)
{
    tally_object *self = (tally_object *)obj;
    if (nargs > 1)
        return PyErr_Format(PyExc_TypeError, "most_common() takes at most 1 argument "
                            "(%zd given)", nargs);
    Py_ssize_t asked = -1;
    if (nargs == 1 && args[0] != Py_None) {
        asked = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
        if (asked == -1 && PyErr_Occurred())
            return NULL;
        if (asked < 0)
            asked = 0;  /* as Counter: no word */
    }
    WITH_VIEW(self, view, NULL)
    size_t n = asked < 0 || (size_t)asked > view->nwords ? view->nwords : (size_t)asked;
    wc_ranked *best = PyMem_RawMalloc((n ? n : 1) * sizeof *best);
    PyObject *result = best ? PyList_New((Py_ssize_t)n) : PyErr_NoMemory();
    if (result)
        wc_select_most_common(view, best, n);
    for (size_t i = 0; result && i < n; i++) {
        PyObject *key = tally_key(self, view, best[i].index);
        PyObject *pair = key ? Py_BuildValue("(NK)", key, (unsigned long long)best[i].count)
                             : NULL;
        if (!pair)
            Py_CLEAR(result);
        else
            PyList_SET_ITEM(result, (Py_ssize_t)i, pair);
    }
    PyMem_RawFree(best);
    tally_leave(self);
    return result;
}

PyDoc_STRVAR(tally_counter_doc,
"counter($self, /)\n--\n\n"
"A collections.Counter of every word, in order of first appearance: equal,\n"
"order included, to counts() of the texts given, in turn.");

static PyObject *
tally_counter(PyObject *obj, PyObject *unused)
{
    (void)unused;
    tally_object *self = (tally_object *)obj;
    module_state *state = tally_state(obj);
    if (!state)
        return NULL;
    WITH_VIEW(self, view, NULL)
    const wc_key_maker km = self->keys == KEYS_STR
        ? (wc_key_maker){.encoding = "utf-8", .errors = "surrogatepass"} : (wc_key_maker){0};
    PyObject *counter = wc_table_to_counter(state->counter_type, &km, (wc_table *)view, false);
    tally_leave(self);
    return counter;
}

/* ---- pickling: the words and counts as bytes ---------------------------- */

#define PICKLE_VERSION 1

static bool
put_varint(PyObject **out, Py_ssize_t *used, uint64_t value)
{
    unsigned char bytes[10];
    size_t n = 0;
    do {
        bytes[n++] = (unsigned char)((value & 0x7F) | (value >= 0x80 ? 0x80 : 0));
        value >>= 7;
    } while (value);
    if (*used + (Py_ssize_t)n > PyBytes_GET_SIZE(*out)
        && _PyBytes_Resize(out, 2 * (*used + (Py_ssize_t)n)) < 0)
        return false;
    memcpy(PyBytes_AS_STRING(*out) + *used, bytes, n);
    *used += (Py_ssize_t)n;
    return true;
}

static bool
get_varint(const unsigned char **p, const unsigned char *end, uint64_t *value)
{
    *value = 0;
    for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
        unsigned char byte = *(*p)++;
        *value |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

static PyObject *
tally_reduce(PyObject *obj, PyObject *unused)
{
    (void)unused;
    tally_object *self = (tally_object *)obj;
    if (!tally_enter(self))
        return NULL;
    const wc_table *t = &self->total;
    PyObject *words = PyBytes_FromStringAndSize(NULL, 64 + (Py_ssize_t)t->nwords * 8);
    Py_ssize_t used = 0;
    bool ok = words && put_varint(&words, &used, PICKLE_VERSION)
              && put_varint(&words, &used, t->nwords);
    for (size_t i = 0; ok && i < t->nwords; i++) {
        const wc_word *w = wc_table_word(t, i);
        ok = put_varint(&words, &used, w->len) && put_varint(&words, &used, *wc_table_count(t, i));
        if (ok && used + (Py_ssize_t)w->len > PyBytes_GET_SIZE(words))
            ok = _PyBytes_Resize(&words, 2 * (used + (Py_ssize_t)w->len)) == 0;
        if (ok) {
            memcpy(PyBytes_AS_STRING(words) + used, wc_table_units(t, w), w->len);
            used += (Py_ssize_t)w->len;
        }
    }
    tally_leave(self);
    if (!ok || _PyBytes_Resize(&words, used) < 0) {
        Py_XDECREF(words);
        return NULL;
    }
    PyObject *sep = self->split == WC_LINES ? PyUnicode_FromString(" ") : Py_NewRef(Py_None);
    PyObject *fold = self->fold == WC_FOLD_NONE ? Py_NewRef(Py_None)
                   : PyUnicode_FromString(self->fold == WC_FOLD_LOWER ? "lower" : "casefold");
    PyObject *threads = self->threads ? PyLong_FromSize_t(self->threads) : Py_NewRef(Py_None);
    PyObject *kwargs = sep && fold && threads
        ? Py_BuildValue("{sNsNsN}", "sep", sep, "fold", fold, "threads", threads) : NULL;
    if (!kwargs) {
        Py_XDECREF(sep);
        Py_XDECREF(fold);
        Py_XDECREF(threads);
        Py_DECREF(words);
        return NULL;
    }
    /* copyreg's __newobj_ex__ makes Tally(**kwargs); __setstate__ the rest. */
    PyObject *copyreg = PyImport_ImportModule("copyreg");
    PyObject *newobj = copyreg ? PyObject_GetAttrString(copyreg, "__newobj_ex__") : NULL;
    Py_XDECREF(copyreg);
    PyObject *result = newobj ? Py_BuildValue("N(O()N)(iN)", newobj, (PyObject *)Py_TYPE(obj),
                                              kwargs, self->keys, words)
                              : NULL;
    if (!newobj) {
        Py_DECREF(kwargs);
        Py_DECREF(words);
    }
    return result;
}

static PyObject *
tally_setstate(PyObject *obj, PyObject *state)
{
    tally_object *self = (tally_object *)obj;
    int keys;
    PyObject *words;
    if (!PyArg_ParseTuple(state, "iS:__setstate__", &keys, &words))
        return NULL;
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(words),
                        *end = p + PyBytes_GET_SIZE(words);
    uint64_t version, n;
    if (keys < KEYS_NONE || keys > KEYS_BYTES || !get_varint(&p, end, &version)
        || version != PICKLE_VERSION || !get_varint(&p, end, &n))
        return PyErr_Format(PyExc_ValueError, "__setstate__(): not a Tally's state");
    if (!tally_enter(self))
        return NULL;
    wc_table_free(&self->total);
    self->folded_made = false;
    self->keys = keys;
    PyObject *result = Py_None;
    for (uint64_t i = 0; result && i < n; i++) {
        uint64_t len, count;
        if (!get_varint(&p, end, &len) || !get_varint(&p, end, &count)
            || len > (uint64_t)(end - p)) {
            result = PyErr_Format(PyExc_ValueError, "__setstate__(): not a Tally's state");
            break;
        }
        if (!wc_table_add(&self->total, p, (size_t)len, count, i))
            result = PyErr_NoMemory();
        p += len;
    }
    tally_leave(self);
    return Py_XNewRef(result);
}

/* ---- the type ------------------------------------------------------------ */

static PyObject *
tally_new_public(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"sep", "fold", "threads", NULL};
    PyObject *sep = NULL, *fold_obj = NULL, *threads_obj = NULL;
    wc_split split;
    wc_fold fold;
    size_t threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOO:Tally", names, &sep, &fold_obj,
                                     &threads_obj)
        || wc_parse_sep("Tally", sep, &split) < 0 || wc_parse_fold("Tally", fold_obj, &fold) < 0
        || (threads_obj && threads_obj != Py_None
            && wc_parse_threads("Tally", threads_obj, NULL, &threads) < 0))
        return NULL;
    tally_object *self = (tally_object *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    wc_table_init(&self->total, 1);
    wc_table_init(&self->folded, 1);
    self->split = split;
    self->fold = fold;
    self->threads = threads;
    atomic_flag_clear(&self->busy);
    return (PyObject *)self;
}

static void
tally_dealloc_public(PyObject *obj)
{
    tally_object *self = (tally_object *)obj;
    PyTypeObject *type = Py_TYPE(obj);
    wc_table_free(&self->total);
    wc_table_free(&self->folded);
    type->tp_free(obj);
    Py_DECREF(type);
}

static PyObject *
tally_repr(PyObject *obj)
{
    tally_object *self = (tally_object *)obj;
    const char *fold = self->fold == WC_FOLD_NONE ? "None"
                     : self->fold == WC_FOLD_LOWER ? "'lower'" : "'casefold'";
    uint64_t total = 0;
    for (size_t i = 0; i < self->total.nwords; i++)
        total += *wc_table_count(&self->total, i);
    return PyUnicode_FromFormat("<%s of %llu %s words, sep=%s, fold=%s>", Py_TYPE(obj)->tp_name,
                                (unsigned long long)total, KEY_NAMES[self->keys],
                                self->split == WC_LINES ? "' '" : "None", fold);
}

static PyObject *
tally_get_sep(PyObject *obj, void *closure)
{
    (void)closure;
    return ((tally_object *)obj)->split == WC_LINES ? PyUnicode_FromString(" ")
                                                    : Py_NewRef(Py_None);
}

static PyObject *
tally_get_fold(PyObject *obj, void *closure)
{
    (void)closure;
    wc_fold fold = ((tally_object *)obj)->fold;
    return fold == WC_FOLD_NONE ? Py_NewRef(Py_None)
         : PyUnicode_FromString(fold == WC_FOLD_LOWER ? "lower" : "casefold");
}

static PyObject *
tally_get_threads(PyObject *obj, void *closure)
{
    (void)closure;
    size_t threads = ((tally_object *)obj)->threads;
    return threads ? PyLong_FromSize_t(threads) : Py_NewRef(Py_None);
}

static PyGetSetDef tally_getset[] = {
    {"sep", tally_get_sep, NULL, "How texts split into words: ' ' or None.", NULL},
    {"fold", tally_get_fold, NULL, "How words compare: None, 'lower' or 'casefold'.", NULL},
    {"threads", tally_get_threads, NULL, "The threads update() counts on (None: as search).",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef tally_public_methods[] = {
    {"update", tally_update, METH_O, tally_update_doc},
    {"update_all", tally_update_all, METH_O, tally_update_all_doc},
    {"merge", tally_merge, METH_O, tally_merge_doc},
    {"items", tally_items, METH_NOARGS, tally_items_doc},
    {"total", tally_total, METH_NOARGS, tally_total_doc},
    {"most_common", (PyCFunction)(void (*)(void))tally_most_common, METH_FASTCALL,
     tally_most_common_doc},
    {"counter", tally_counter, METH_NOARGS, tally_counter_doc},
    {"_absorb", FASTCALL_KW(tally_absorb), tally_absorb_doc},
    {"__reduce__", tally_reduce, METH_NOARGS, NULL},
    {"__setstate__", tally_setstate, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(tally_public_doc,
"Tally(*, sep=' ', fold=None, threads=None)\n--\n\n"
"Word frequencies of many texts, gathered in C: update() with a text or an\n"
"Arrow column, update_all() with an iterable of texts, update_file(),\n"
"merge() with another Tally; read as a Counter reads (tally[word], len, in,\n"
"iteration, items(), total(), most_common(), counter()). Pickles and\n"
"copies exactly. One thread at a time: a second call while one runs is a\n"
"RuntimeError.");

static PyType_Slot tally_public_slots[] = {
    {Py_tp_new, tally_new_public},
    {Py_tp_dealloc, tally_dealloc_public},
    {Py_tp_methods, tally_public_methods},
    {Py_tp_getset, tally_getset},
    {Py_tp_doc, (void *)tally_public_doc},
    {Py_tp_repr, tally_repr},
    {Py_tp_iter, tally_iter},
    {Py_mp_subscript, tally_subscript},
    {Py_mp_length, tally_length},
    {Py_sq_length, tally_length},
    {Py_sq_contains, tally_contains},
    {0, NULL},
};

static PyType_Spec tally_public_spec = {
    .name = "word_count._wordcount.Tally",
    .basicsize = sizeof(tally_object),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = tally_public_slots,
};

int
wc_tally_types_exec(PyObject *module, module_state *state)
{
    state->raw_tally_type = PyType_FromModuleAndSpec(module, &raw_tally_spec, NULL);
    state->tally_type = state->raw_tally_type
        ? PyType_FromModuleAndSpec(module, &tally_public_spec, NULL) : NULL;
    if (!state->tally_type)
        return -1;
    return PyModule_AddObjectRef(module, "_Tally", state->raw_tally_type) < 0
        || PyModule_AddObjectRef(module, "Tally", state->tally_type) < 0 ? -1 : 0;
}
