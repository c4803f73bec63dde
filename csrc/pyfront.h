/* What every Python-facing function of the module needs: its state, the
 * arguments of a METH_FASTCALL | METH_KEYWORDS call, texts as C operands (a
 * str in its own PEP 393 form, or a buffer of bytes), and the GIL taken back
 * while a file is read (signal handlers, errors that name the file).
 */
#ifndef WORD_COUNT_PYFRONT_H
#define WORD_COUNT_PYFRONT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "file.h"
#include "kernel.h"

typedef struct {
    size_t default_threads;         /* threads=None means this many; 0 when
                                       $WORD_COUNT_THREADS is not a count */
    char threads_env[64];           /* $WORD_COUNT_THREADS then, for the error */
    const wc_backend *backend;      /* the best one this CPU runs */
    PyObject *counter_type;         /* collections.Counter */
    PyObject *tally_type;           /* Tally (csrc/tally_type.c) */
    PyObject *raw_tally_type;       /* _Tally */
    PyObject *arrow_names[2];       /* "__arrow_c_stream__", "__arrow_c_array__",
                                       interned (made once: a str a call was
                                       garbage in every call with a non-text) */
} module_state;

/* The module's definition (wordcount.c): its state is found from a type
 * defined in Python on top of the module's (word_count.Tally) through it. */
extern struct PyModuleDef wc_module_def;

typedef struct {
    const char *fname;
    const char *const *names;   /* every parameter, positional ones first */
    Py_ssize_t nnames;
    Py_ssize_t max_positional;
    Py_ssize_t nrequired;       /* the first nrequired names */
} signature;

typedef struct {
    const void *units;
    size_t len;             /* in units */
    unsigned width;         /* bytes per unit */
    Py_buffer view;         /* held while counting, when has_view */
    bool has_view;
} operand;

/* While a file is read without the GIL: an EINTR, and each block read, take
 * the GIL back to run Python's signal handlers (Ctrl-C's KeyboardInterrupt),
 * and stop the count if one raised. */
typedef struct {
    PyThreadState *saved;
} released_gil;

/* An optional size argument: left as it is when not given, else an int >= 0. */
int wc_parse_size(const char *fname, const char *argname, PyObject *obj, size_t *size);

/* wc_parse_sep of a value given, neither NULL nor None: 0 for " ". */
int wc_parse_sep_value(const char *fname, PyObject *obj);

/* The private rule of bytes that encode a str (files, their blocks):
 * None for sep=" ", or the pair (sep, spaces) where spaces is None for
 * bytes.split's whitespace, "utf-8" for UTF-8's, or the bytes (at most two)
 * from 0x80 that an 8-bit encoding writes str.isspace's characters as
 * (_files.byte_rule makes it). */
int wc_parse_byte_rule(const char *fname, PyObject *obj, wc_rule *rule);

/* A bytes-like operand where str is not taken (the private helpers). */
int wc_operand_from_bytes_like(operand *op, PyObject *obj, const char *fname, const char *argname);

/* The bytes-like `contents` and `needle` as operands; on an error, -1 with
 * neither held. */
int wc_bytes_operands(const char *fname, PyObject *contents, PyObject *needle, operand *text,
                      operand *word);

/* The TypeError of an argument that is no text: not a str, a bytes-like
 * object or an Arrow column (an iterable is pointed at Tally.update_all). */
void wc_not_a_text(const char *fname, const char *argname, PyObject *obj);

/* The `interrupted` callback of a file count: ctx is a released_gil. */
bool wc_run_signal_handlers(void *ctx);

/* The exception of a file count that did not go through (any status but
 * WC_FILE_COUNTED), as open() raises them, with `name` (or NULL) as the
 * filename: OSError(error), or OSError(EIO) for a file that shrank; an
 * interrupted count's exception is set already. Returns NULL. */
PyObject *wc_raise_file_status(wc_file_status status, int error, PyObject *name);

/* ---- on every call: inline, as they were when all lived in wordcount.c (a
 * call across files cost a tiny `search` 5%: 152 -> 161 ns) ------------ */

/* METH_FASTCALL | METH_KEYWORDS arguments into out[0 .. nnames), in the
 * order of sig->names, NULL for the ones not given; builds no tuple or dict. */
static inline int
wc_parse_args(const signature *sig, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames, PyObject **out)
{
    for (Py_ssize_t i = 0; i < sig->nnames; i++)
        out[i] = NULL;
    if (nargs > sig->max_positional) {
        PyErr_Format(PyExc_TypeError,
                     "%s() takes %zd positional arguments but %zd were given",
                     sig->fname, sig->max_positional, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        out[i] = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t i = 0;
        while (i < sig->nnames
               && PyUnicode_CompareWithASCIIString(key, sig->names[i]) != 0)
            i++;
        if (i == sig->nnames) {
            PyErr_Format(PyExc_TypeError,
                         "%s() got an unexpected keyword argument '%U'",
                         sig->fname, key);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError,
                         "%s() got multiple values for argument '%s'",
                         sig->fname, sig->names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < sig->nrequired; i++) {
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError,
                         "%s() missing required argument '%s' (pos %zd)",
                         sig->fname, sig->names[i], i + 1);
            return -1;
        }
    }
    return 0;
}

/* `threads`: None for the module's default (NULL: 1), else an integer >= 1. */
static inline int
wc_parse_threads(const char *fname, PyObject *obj, const module_state *state,
                 size_t *threads)
{
    if (!obj || obj == Py_None) {
        *threads = state ? state->default_threads : 1;
        if (*threads == 0) {
            PyErr_Format(PyExc_ValueError,
                         "WORD_COUNT_THREADS must be an integer of at least 1, "
                         "not '%s' (threads=None reads it)", state->threads_env);
            return -1;
        }
        return 0;
    }
    if (PyBool_Check(obj) || !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s() argument 'threads' must be int or None, not %.200s",
                     fname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyNumber_AsSsize_t(obj, NULL);  /* clamps huge values */
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (n < 1) {
        PyErr_Format(PyExc_ValueError,
                     "%s() argument 'threads' must be at least 1, not %zd",
                     fname, n);
        return -1;
    }
    *threads = (size_t)n;
    return 0;
}

/* `sep`: " " (or not given) for WC_LINES, None for WC_SPACES; anything else
 * an error that names fname and the parameter. */
static inline int
wc_parse_sep(const char *fname, PyObject *obj, wc_split *split)
{
    *split = obj == Py_None ? WC_SPACES : WC_LINES;
    return !obj || obj == Py_None ? 0 : wc_parse_sep_value(fname, obj);
}

/* The rule `split` splits a text by: a str's whitespace, or bytes'. */
static inline wc_rule
wc_rule_for(wc_split split, bool is_str)
{
    return split == WC_LINES ? WC_RULE_LINES : is_str ? WC_RULE_STR_SPACES : WC_RULE_BYTES_SPACES;
}

static inline int
wc_operand_from_str(operand *op, PyObject *str)
{
#if PY_VERSION_HEX < 0x030C0000
    /* Before 3.12 a str made by the legacy wchar_t API may still need its
     * canonical form built. */
    if (PyUnicode_READY(str) < 0)
        return -1;
#endif
    op->units = PyUnicode_DATA(str);
    op->len = (size_t)PyUnicode_GET_LENGTH(str);
    op->width = (unsigned)PyUnicode_KIND(str);
    op->has_view = false;
    return 0;
}

static inline int
wc_operand_from_buffer(operand *op, PyObject *obj, const char *fname,
                       const char *argname)
{
    op->width = 1;
    if (PyBytes_CheckExact(obj)) {
        /* Immutable and kept alive by the caller's reference. */
        op->units = PyBytes_AS_STRING(obj);
        op->len = (size_t)PyBytes_GET_SIZE(obj);
        op->has_view = false;
        return 0;
    }
    /* A held view also stops a bytearray from being resized meanwhile. */
    if (PyObject_GetBuffer(obj, &op->view, PyBUF_SIMPLE) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_BufferError))
            return -1;
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "%s() argument '%s' must be a C-contiguous buffer",
                     fname, argname);
        return -1;
    }
    op->units = op->view.buf;
    op->len = (size_t)op->view.len;
    op->has_view = true;
    return 0;
}

static inline void
wc_operand_release(operand *op)
{
    if (op->has_view) {
        PyBuffer_Release(&op->view);
        op->has_view = false;
    }
}

static inline int
wc_check_operand_type(const char *fname, const char *argname, PyObject *obj)
{
    if (PyUnicode_Check(obj) || PyObject_CheckBuffer(obj))
        return 0;
    PyErr_Format(PyExc_TypeError,
                 "%s() argument '%s' must be str or a bytes-like object, "
                 "not %.200s", fname, argname, Py_TYPE(obj)->tp_name);
    return -1;
}

#endif
