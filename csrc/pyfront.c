/* The helpers of pyfront.h. */
#include "pyfront.h"

#include <errno.h>

/* ---- arguments ---------------------------------------------------------- */


/* METH_FASTCALL | METH_KEYWORDS arguments into out[0 .. nnames), in the
 * order of sig->names, NULL for the ones not given; builds no tuple or dict. */
int
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
int
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

/* An optional size argument: left as it is when not given, else an int >= 0. */
int
wc_parse_size(const char *fname, const char *argname, PyObject *obj, size_t *size)
{
    if (!obj)
        return 0;
    Py_ssize_t n = PyLong_AsSsize_t(obj);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must not be negative",
                     fname, argname);
        return -1;
    }
    *size = (size_t)n;
    return 0;
}

/* ---- operands: a str in its own form, or a buffer of bytes -------------- */


int
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

int
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

/* A bytes-like operand where str is not taken (the private helpers). */
int
wc_operand_from_bytes_like(operand *op, PyObject *obj, const char *fname, const char *argname)
{
    if (PyUnicode_Check(obj) || !PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be a bytes-like object, "
                     "not %.200s", fname, argname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return wc_operand_from_buffer(op, obj, fname, argname);
}

void
wc_operand_release(operand *op)
{
    if (op->has_view) {
        PyBuffer_Release(&op->view);
        op->has_view = false;
    }
}

int
wc_check_operand_type(const char *fname, const char *argname, PyObject *obj)
{
    if (PyUnicode_Check(obj) || PyObject_CheckBuffer(obj))
        return 0;
    PyErr_Format(PyExc_TypeError,
                 "%s() argument '%s' must be str or a bytes-like object, "
                 "not %.200s", fname, argname, Py_TYPE(obj)->tp_name);
    return -1;
}

/* ---- files -------------------------------------------------------------- */


bool
wc_run_signal_handlers(void *ctx)
{
    released_gil *gil = ctx;
    PyEval_RestoreThread(gil->saved);
    bool raised = PyErr_CheckSignals() < 0;
    gil->saved = PyEval_SaveThread();
    return raised;
}

/* OSError(errno, message, name), as open() raises it: name may be NULL. */
void
wc_set_file_error(int errnum, const char *message, PyObject *name)
{
    PyObject *error = name
        ? PyObject_CallFunction(PyExc_OSError, "isO", errnum, message, name)
        : PyObject_CallFunction(PyExc_OSError, "is", errnum, message);
    if (error) {
        PyErr_SetObject((PyObject *)Py_TYPE(error), error);
        Py_DECREF(error);
    }
}
