/* The helpers of pyfront.h. */
#include "pyfront.h"

#include <errno.h>

/* ---- arguments ---------------------------------------------------------- */

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

int
wc_parse_sep_value(const char *fname, PyObject *obj)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s() argument 'sep' must be str or None, not %.200s",
                     fname, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyUnicode_CompareWithASCIIString(obj, " ") != 0) {
        PyErr_Format(PyExc_ValueError, "%s() argument 'sep' must be ' ' (split at every "
                     "space) or None (split at runs of whitespace), not %R", fname, obj);
        return -1;
    }
    return 0;
}

int
wc_parse_byte_rule(const char *fname, PyObject *obj, wc_rule *rule)
{
    *rule = WC_RULE_LINES;
    if (!obj || obj == Py_None)
        return 0;
    PyObject *sep, *spaces;
    if (!PyTuple_Check(obj) || !PyArg_ParseTuple(obj, "OO", &sep, &spaces)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s() argument 'rule' must be None or a pair "
                     "(sep, spaces)", fname);
        return -1;
    }
    wc_split split;
    if (wc_parse_sep(fname, sep, &split) < 0)
        return -1;
    if (split == WC_LINES)
        return 0;
    *rule = WC_RULE_BYTES_SPACES;
    if (spaces == Py_None)
        return 0;
    rule->str_spaces = true;
    if (PyUnicode_Check(spaces) && PyUnicode_CompareWithASCIIString(spaces, "utf-8") == 0) {
        rule->utf8 = true;
        return 0;
    }
    if (!PyBytes_Check(spaces) || PyBytes_GET_SIZE(spaces) > 2) {
        PyErr_Format(PyExc_ValueError, "%s() argument 'rule': spaces must be None, 'utf-8' "
                     "or at most two bytes", fname);
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyBytes_GET_SIZE(spaces); i++) {
        unsigned char byte = (unsigned char)PyBytes_AS_STRING(spaces)[i];
        if (byte < 0x80) {
            PyErr_Format(PyExc_ValueError, "%s() argument 'rule': spaces are bytes from 0x80",
                         fname);
            return -1;
        }
        rule->high_spaces[i] = byte;
    }
    return 0;
}

/* ---- operands: a str in its own form, or a buffer of bytes -------------- */

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

int
wc_bytes_operands(const char *fname, PyObject *contents, PyObject *needle, operand *text,
                  operand *word)
{
    if (wc_operand_from_bytes_like(text, contents, fname, "contents") < 0)
        return -1;
    if (wc_operand_from_bytes_like(word, needle, fname, "needle") < 0) {
        wc_operand_release(text);
        return -1;
    }
    return 0;
}

void
wc_not_a_text(const char *fname, const char *argname, PyObject *obj)
{
    /* Iterable as iter() sees it, without calling it: an iterator made and
     * dropped may have effects (and its failure's exception is garbage). */
    const bool iterable = Py_TYPE(obj)->tp_iter != NULL || PySequence_Check(obj);
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be str, a bytes-like object or an "
                 "Arrow column, not %.200s%s", fname, argname, Py_TYPE(obj)->tp_name,
                 iterable ? " (an iterable of texts is counted by Tally().update_all())" : "");
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
static void
set_file_error(int errnum, const char *message, PyObject *name)
{
    PyObject *error = name
        ? PyObject_CallFunction(PyExc_OSError, "isO", errnum, message, name)
        : PyObject_CallFunction(PyExc_OSError, "is", errnum, message);
    if (error) {
        PyErr_SetObject((PyObject *)Py_TYPE(error), error);
        Py_DECREF(error);
    }
}

PyObject *
wc_raise_file_status(wc_file_status status, int error, PyObject *name)
{
    switch (status) {
    case WC_FILE_OS_ERROR:
        errno = error;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, name);
        break;
    case WC_FILE_SHRANK:
        set_file_error(EIO, "the file shrank while it was counted", name);
        break;
    case WC_FILE_COUNTED:
    case WC_FILE_INTERRUPTED:
        break;  /* a signal handler's exception is set */
    }
    return NULL;
}
