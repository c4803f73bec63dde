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
