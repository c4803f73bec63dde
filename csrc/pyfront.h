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

#include "kernel.h"

typedef struct {
    size_t default_threads;         /* threads=None means this many; 0 when
                                       $WORD_COUNT_THREADS is not a count */
    char threads_env[64];           /* $WORD_COUNT_THREADS then, for the error */
    const wc_backend *backend;      /* the best one this CPU runs */
    PyObject *counter_type;         /* collections.Counter */
} module_state;

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

/* METH_FASTCALL | METH_KEYWORDS arguments into out[0 .. nnames), in the
 * order of sig->names, NULL for the ones not given; builds no tuple or dict. */
int wc_parse_args(const signature *sig, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out);

/* `threads`: None for the module's default (NULL: 1), else an integer >= 1. */
int wc_parse_threads(const char *fname, PyObject *obj, const module_state *state, size_t *threads);

/* An optional size argument: left as it is when not given, else an int >= 0. */
int wc_parse_size(const char *fname, const char *argname, PyObject *obj, size_t *size);

/* A str read where it lies, in its own 1-, 2- or 4-byte form. */
int wc_operand_from_str(operand *op, PyObject *str);

/* Any C-contiguous buffer, read as bytes; the view is held (a bytearray
 * cannot be resized meanwhile) until wc_operand_release. */
int wc_operand_from_buffer(operand *op, PyObject *obj, const char *fname, const char *argname);

/* A bytes-like operand where str is not taken (the private helpers). */
int wc_operand_from_bytes_like(operand *op, PyObject *obj, const char *fname, const char *argname);

void wc_operand_release(operand *op);

/* TypeError unless `obj` is a str or has the buffer protocol. */
int wc_check_operand_type(const char *fname, const char *argname, PyObject *obj);

/* The `interrupted` callback of a file count: ctx is a released_gil. */
bool wc_run_signal_handlers(void *ctx);

/* OSError(errno, message, name), as open() raises it: name may be NULL. */
void wc_set_file_error(int errnum, const char *message, PyObject *name);

#endif
