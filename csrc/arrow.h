/* Arrow columns of strings or binaries, read where they lie: the Arrow C data
 * interface's two structs (and its stream's), reached through the PyCapsule
 * protocol that polars, pyarrow, pandas and duckdb all export
 * (`__arrow_c_array__`, `__arrow_c_stream__`), with no dependency on any of
 * them.
 *
 *     column = wc_column_open(obj)      # each chunk's format checked first
 *     for chunk in column.chunks:
 *         for i in range(chunk.length):
 *             text = wc_arrow_value(chunk, i)   # None for a null
 *     wc_column_close(column)           # what was handed over, released once
 *
 * Each non-null value is one text. The layouts: string and binary (int32
 * offsets, formats "u" and "z"), large_string and large_binary (int64, "U"
 * and "Z"), string_view and binary_view ("vu" and "vz": 16-byte views, short
 * values inline); a record batch of one such column ("+s" with one child).
 * Any other type is a TypeError that names it. An array's offset (its first
 * value's index) and validity bitmap are honoured, a struct's for its child
 * too.
 */
#ifndef WORD_COUNT_ARROW_H
#define WORD_COUNT_ARROW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel.h"

/* The structs of the C data interface (arrow.apache.org/docs/format/
 * CDataInterface.html), as the specification defines them. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};
#endif

typedef enum {
    WC_ARROW_OFFSETS32,     /* "u", "z" */
    WC_ARROW_OFFSETS64,     /* "U", "Z" */
    WC_ARROW_VIEWS,         /* "vu", "vz" */
} wc_arrow_layout;

/* One chunk of a column: `length` values, the first at index `offset` of
 * its buffers. */
typedef struct {
    wc_arrow_layout layout;
    int64_t length, offset;
    const uint8_t *validity;        /* bit i: value i is not null (NULL: none is) */
    int64_t validity_offset;        /* the struct's, for a record batch's column */
    const uint8_t *parent_validity; /* (and its own bitmap, or NULL) */
    const void *offsets;            /* int32 or int64 offsets, or the 16-byte views */
    const uint8_t *data;            /* the values' bytes (offsets layouts) */
    const uint8_t *const *data_buffers;     /* views' buffers */
    int64_t n_data_buffers;
} wc_arrow_chunk;

/* A column opened from a Python object. */
typedef struct {
    wc_arrow_chunk *chunks;
    size_t nchunks;
    bool strings;                   /* "u", "U", "vu": UTF-8 text; else binary */
    int64_t values;                 /* over every chunk, nulls included */
    /* what is released on close */
    PyObject *capsules[2];
    struct ArrowArray *arrays;      /* a stream's, owned */
    size_t narrays;
    struct ArrowSchema schema;      /* a stream's, owned (release NULL when not) */
} wc_column;

/* Opens `obj` as a column if it exports the PyCapsule interface: 1 when it
 * does (then *column must be closed), 0 when it does not (nothing set), -1
 * with an exception (a type that is not strings or binaries, a released
 * capsule, a stream's error). `names`: "__arrow_c_stream__" and
 * "__arrow_c_array__" as str. fname and argname name the argument in errors. */
int wc_column_open(PyObject *obj, PyObject *const names[2], wc_column *column,
                   const char *fname, const char *argname);

void wc_column_close(wc_column *column);

/* A column's values as documents (kernel.h): value i of every chunk in turn. */
typedef struct {
    wc_documents documents;
    const wc_column *column;
    int64_t *starts;        /* chunk k's first value; starts[nchunks] = all */
} wc_column_documents;

/* -1 with MemoryError (no exception: callers without the GIL check). */
int wc_column_documents_init(const wc_column *column, wc_column_documents *d);
void wc_column_documents_free(wc_column_documents *d);

static inline bool wc_arrow_bit(const uint8_t *bits, int64_t i)
{
    return bits[i >> 3] >> (i & 7) & 1;
}

/* Is value i of the chunk a null (its own, or its struct's)? */
static inline bool wc_arrow_null(const wc_arrow_chunk *c, int64_t i)
{
    return (c->parent_validity && !wc_arrow_bit(c->parent_validity, c->validity_offset + i))
        || (c->validity && !wc_arrow_bit(c->validity, c->offset + i));
}

/* Value i of the chunk: false for a null, else its bytes. */
static inline bool wc_arrow_value(const wc_arrow_chunk *c, int64_t i, const uint8_t **text,
                                  size_t *len)
{
    const int64_t at = c->offset + i;
    if (wc_arrow_null(c, i))
        return false;
    switch (c->layout) {
    case WC_ARROW_OFFSETS32: {
        const int32_t *o = c->offsets;
        *text = c->data + o[at];
        *len = (size_t)(o[at + 1] - o[at]);
        return true;
    }
    case WC_ARROW_OFFSETS64: {
        const int64_t *o = c->offsets;
        *text = c->data + o[at];
        *len = (size_t)(o[at + 1] - o[at]);
        return true;
    }
    default: {
        const uint8_t *view = (const uint8_t *)c->offsets + 16 * at;
        int32_t n, buffer, start;
        memcpy(&n, view, 4);
        *len = (size_t)n;
        if (n <= 12) {
            *text = view + 4;
            return true;
        }
        memcpy(&buffer, view + 8, 4);
        memcpy(&start, view + 12, 4);
        *text = c->data_buffers[buffer] + start;
        return true;
    }
    }
}

#endif
