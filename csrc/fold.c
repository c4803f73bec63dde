/* wc_fold_* of fold.h: folding keys with CPython's methods, and the filter
 * of a folded search from a table of what CPython folds each character to. */
#include "fold.h"

#include <pthread.h>
#include <stdatomic.h>

int wc_parse_fold_value(const char *fname, PyObject *obj, wc_fold *fold)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s() argument 'fold' must be str or None, not %.200s",
                     fname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyUnicode_CompareWithASCIIString(obj, "lower") == 0) {
        *fold = WC_FOLD_LOWER;
        return 0;
    }
    if (PyUnicode_CompareWithASCIIString(obj, "casefold") == 0) {
        *fold = WC_FOLD_CASEFOLD;
        return 0;
    }
    PyErr_Format(PyExc_ValueError,
                 "%s() argument 'fold' must be None, 'lower' or 'casefold', not %R", fname, obj);
    return -1;
}

PyObject *wc_fold_key(PyObject *key, wc_fold fold)
{
    if (PyUnicode_Check(key))
        return PyObject_CallMethod(key, fold == WC_FOLD_LOWER ? "lower" : "casefold", NULL);
    /* bytes: A-Z lowered, as bytes.lower() does, without a call */
    Py_ssize_t n = PyBytes_GET_SIZE(key);
    const char *from = PyBytes_AS_STRING(key);
    Py_ssize_t i = 0;
    while (i < n && (unsigned)(unsigned char)from[i] - 'A' >= 26u)
        i++;
    if (i == n)
        return Py_NewRef(key);
    /* (Made empty, then filled: bytes of one byte made from a char * are
     * objects CPython shares, never to be written.) */
    PyObject *folded = PyBytes_FromStringAndSize(NULL, n);
    if (!folded)
        return NULL;
    char *to = PyBytes_AS_STRING(folded);
    memcpy(to, from, (size_t)n);
    for (; i < n; i++)
        to[i] = (char)wc_fold_ascii((unsigned char)to[i]);
    return folded;
}

/* ---- the table of folds ------------------------------------------------- */

/* Characters from here on fold to themselves (checked by the tests). */
#define FOLD_END 0x20000

typedef struct {
    uint32_t from;
    uint32_t n;             /* 1 to 3 characters */
    uint32_t to[3];
} fold_entry;

typedef struct {
    fold_entry *entries;    /* by `from` */
    size_t n;
    size_t longest;         /* characters in the longest fold */
    double utf8_most, utf8_least;   /* the most and least UTF-8 bytes a fold has
                                       for each byte of what it folds */
} fold_table;

static fold_table tables[3];            /* [WC_FOLD_LOWER], [WC_FOLD_CASEFOLD] */
static atomic_bool table_made[3];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t utf8_length(uint32_t c)
{
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* What CPython folds every character below FOLD_END to, in one call: the
 * characters 1, 2, ... each followed by U+0000, which folds to itself and is
 * in no fold. */
static int make_table(wc_fold fold, fold_table *t)
{
    const Py_ssize_t n = FOLD_END - 1;
    PyObject *all = PyUnicode_New(2 * n, FOLD_END - 1);
    if (!all)
        return -1;
    Py_UCS4 *units = PyUnicode_DATA(all);
    for (Py_ssize_t c = 1; c <= n; c++) {
        units[2 * (c - 1)] = (Py_UCS4)c;
        units[2 * (c - 1) + 1] = 0;
    }
    PyObject *folded = PyObject_CallMethod(all, fold == WC_FOLD_LOWER ? "lower" : "casefold",
                                           NULL);
    Py_DECREF(all);
    if (!folded)
        return -1;
    const int kind = PyUnicode_KIND(folded);
    const void *data = PyUnicode_DATA(folded);
    const Py_ssize_t len = PyUnicode_GET_LENGTH(folded);
    size_t cap = 0;
    *t = (fold_table){.longest = 1, .utf8_most = 1, .utf8_least = 1};
    Py_ssize_t i = 0;
    for (uint32_t c = 1; c <= (uint32_t)n; c++) {
        Py_ssize_t start = i;
        while (i < len && PyUnicode_READ(kind, data, i) != 0)
            i++;
        const size_t length = (size_t)(i - start);
        i++;    /* the U+0000 */
        if (length == 1 && PyUnicode_READ(kind, data, start) == c)
            continue;
        if (length == 0 || length > 3) {
            PyErr_Format(PyExc_SystemError, "str.%s() folds U+%04X to %zu characters",
                         fold == WC_FOLD_LOWER ? "lower" : "casefold", c, length);
            goto error;
        }
        if (t->n == cap) {
            cap = cap ? 2 * cap : 1024;
            fold_entry *grown = PyMem_RawRealloc(t->entries, cap * sizeof *grown);
            if (!grown) {
                PyErr_NoMemory();
                goto error;
            }
            t->entries = grown;
        }
        fold_entry *e = &t->entries[t->n++];
        *e = (fold_entry){.from = c, .n = (uint32_t)length};
        size_t bytes = 0;
        for (size_t k = 0; k < length; k++) {
            e->to[k] = PyUnicode_READ(kind, data, start + (Py_ssize_t)k);
            bytes += utf8_length(e->to[k]);
        }
        const double ratio = (double)bytes / (double)utf8_length(c);
        t->longest = length > t->longest ? length : t->longest;
        t->utf8_most = ratio > t->utf8_most ? ratio : t->utf8_most;
        t->utf8_least = ratio < t->utf8_least ? ratio : t->utf8_least;
    }
    if (i != len) {
        PyErr_SetString(PyExc_SystemError, "a fold holds U+0000");
        goto error;
    }
    Py_DECREF(folded);
    return 0;
error:
    Py_DECREF(folded);
    PyMem_RawFree(t->entries);
    *t = (fold_table){0};
    return -1;
}

/* The table of `fold`, made on first use (and kept for the process: every
 * interpreter in it has the same Unicode data). */
static const fold_table *table_of(wc_fold fold)
{
    if (atomic_load_explicit(&table_made[fold], memory_order_acquire))
        return &tables[fold];
    /* Waiting for the lock without the GIL: the thread making the table may
     * need the GIL back meanwhile (a collection it starts runs finalizers). */
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&table_lock);
    Py_END_ALLOW_THREADS
    int made = atomic_load(&table_made[fold]) ? 0 : make_table(fold, &tables[fold]);
    if (made == 0)
        atomic_store_explicit(&table_made[fold], true, memory_order_release);
    pthread_mutex_unlock(&table_lock);
    return made == 0 ? &tables[fold] : NULL;
}

static const fold_entry *entry_of(const fold_table *t, uint32_t c)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->entries[mid].from < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->entries[lo].from == c ? &t->entries[lo] : NULL;
}

/* The characters whose fold begins (at_end false) or ends with c, passed to
 * add(c, ctx) one by one. Final sigma: str.lower() folds a capital sigma at
 * a word's end, after a letter, to U+03C2, not U+03C3. */
static void sources_of(const fold_table *t, wc_fold fold, uint32_t c, bool at_end,
                       void (*add)(uint32_t source, void *ctx), void *ctx)
{
    const fold_entry *own = entry_of(t, c);
    if (!own || own->to[at_end ? own->n - 1 : 0] == c)
        add(c, ctx);
    for (size_t i = 0; i < t->n; i++) {
        const fold_entry *e = &t->entries[i];
        if (e->to[at_end ? e->n - 1 : 0] == c)
            add(e->from, ctx);
    }
    if (at_end && fold == WC_FOLD_LOWER && c == 0x03C2)
        add(0x03A3, ctx);
}

typedef struct {
    uint64_t *bits;
    bool utf8, last;
} filter_bits;

/* The unit's low byte, or for UTF-8 the first or last byte of c's. */
static void add_source(uint32_t c, void *ctx)
{
    filter_bits *f = ctx;
    uint32_t byte = c & 0xFF;
    if (f->utf8 && c >= 0x80) {
        const size_t n = utf8_length(c);
        byte = f->last ? 0x80 | (c & 0x3F) : n == 2 ? 0xC0 | c >> 6 : n == 3 ? 0xE0 | c >> 12
                                                                     : 0xF0 | c >> 18;
    }
    f->bits[byte / 64] |= (uint64_t)1 << (byte % 64);
}

int wc_fold_filter(PyObject *folded, wc_fold fold, bool utf8, wc_word_filter *filter)
{
    const fold_table *t = table_of(fold);
    if (!t)
        return -1;
    const Py_ssize_t m = PyUnicode_GET_LENGTH(folded);
    *filter = (wc_word_filter){0};
    if (m == 0)
        return 0;   /* nothing folds to "": no word passes */
    const int kind = PyUnicode_KIND(folded);
    const void *data = PyUnicode_DATA(folded);
    if (utf8) {
        size_t bytes = 0;
        for (Py_ssize_t i = 0; i < m; i++)
            bytes += utf8_length(PyUnicode_READ(kind, data, i));
        filter->min_len = (size_t)((double)bytes / t->utf8_most);
        filter->max_len = (size_t)((double)bytes / t->utf8_least) + 1;
    }
    else {
        /* Each character folds to 1 to `longest` characters. */
        filter->min_len = ((size_t)m + t->longest - 1) / t->longest;
        filter->max_len = (size_t)m;
    }
    filter_bits first = {filter->first, utf8, false}, last = {filter->last, utf8, true};
    sources_of(t, fold, PyUnicode_READ(kind, data, 0), false, add_source, &first);
    sources_of(t, fold, PyUnicode_READ(kind, data, m - 1), true, add_source, &last);
    return 0;
}
