/* wc_column_open and wc_column_close of arrow.h. */
#include "arrow.h"

/* What a format string names, for the error of a column of another type. */
static const char *type_name(const char *format)
{
    static const struct {
        const char *format, *name;
    } names[] = {
        {"n", "null"}, {"b", "bool"}, {"c", "int8"}, {"C", "uint8"}, {"s", "int16"},
        {"S", "uint16"}, {"i", "int32"}, {"I", "uint32"}, {"l", "int64"}, {"L", "uint64"},
        {"e", "float16"}, {"f", "float32"}, {"g", "float64"}, {"tdD", "date32"},
        {"tdm", "date64"}, {"+l", "list"}, {"+L", "large_list"}, {"+s", "struct"},
        {"+m", "map"}, {"vz", "binary_view"}, {"vu", "string_view"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(format, names[i].format) == 0)
            return names[i].name;
    return strncmp(format, "ts", 2) == 0 ? "timestamp" : strncmp(format, "d:", 2) == 0
        ? "decimal" : strncmp(format, "w:", 2) == 0 ? "fixed_size_binary" : "another type";
}

/* The layout of a string or binary format; false for any other. */
static bool layout_of(const struct ArrowSchema *schema, wc_arrow_layout *layout, bool *strings)
{
    const char *f = schema->format;
    if (!f || schema->dictionary)
        return false;
    *strings = strcmp(f, "u") == 0 || strcmp(f, "U") == 0 || strcmp(f, "vu") == 0;
    if (strcmp(f, "u") == 0 || strcmp(f, "z") == 0)
        *layout = WC_ARROW_OFFSETS32;
    else if (strcmp(f, "U") == 0 || strcmp(f, "Z") == 0)
        *layout = WC_ARROW_OFFSETS64;
    else if (strcmp(f, "vu") == 0 || strcmp(f, "vz") == 0)
        *layout = WC_ARROW_VIEWS;
    else
        return false;
    return true;
}

/* The schema of the column's values: the schema itself, or a record
 * batch's one column. NULL, with a TypeError, for any other type. */
static const struct ArrowSchema *values_schema(const struct ArrowSchema *schema,
                                               const char *fname, const char *argname,
                                               wc_arrow_layout *layout, bool *strings)
{
    const struct ArrowSchema *values = schema;
    if (schema->format && strcmp(schema->format, "+s") == 0 && schema->n_children == 1)
        values = schema->children[0];
    if (layout_of(values, layout, strings))
        return values;
    PyErr_Format(PyExc_TypeError,
                 "%s() argument '%s': an Arrow column of %s (format '%s'%s) is not strings "
                 "or binaries (string, large_string, string_view, binary, large_binary)",
                 fname, argname, values->dictionary ? "dictionary-encoded values"
                                                   : type_name(values->format ? values->format : ""),
                 values->format ? values->format : "", values->dictionary ? ", dictionary" : "");
    return NULL;
}

/* A chunk of `array` (of the values' schema, or a record batch of them).
 * The views are checked against their buffers' sizes (the interface gives
 * them), and offsets for order; -1 with a ValueError if they are wrong. */
static int chunk_of(const struct ArrowArray *array, bool record_batch, wc_arrow_layout layout,
                    wc_arrow_chunk *chunk, const char *fname, const char *argname)
{
    const struct ArrowArray *values = array;
    *chunk = (wc_arrow_chunk){.layout = layout, .length = array->length};
    if (record_batch) {
        if (array->n_children != 1)
            goto malformed;
        values = array->children[0];
        chunk->parent_validity = array->null_count != 0 && array->n_buffers > 0
            ? array->buffers[0] : NULL;
        chunk->validity_offset = array->offset;
        chunk->offset = array->offset;
    }
    chunk->offset += values->offset;
    if (values->length < chunk->offset - values->offset + array->length || values->n_buffers < 2)
        goto malformed;
    chunk->validity = values->null_count != 0 ? values->buffers[0] : NULL;
    chunk->offsets = values->buffers[1];
    if (layout != WC_ARROW_VIEWS) {
        if (values->n_buffers < 3)
            goto malformed;
        chunk->data = values->buffers[2];
        if (chunk->length && !chunk->offsets)
            goto malformed;
        for (int64_t i = 0; i < chunk->length; i++) {
            int64_t a, b;
            if (layout == WC_ARROW_OFFSETS32) {
                a = ((const int32_t *)chunk->offsets)[chunk->offset + i];
                b = ((const int32_t *)chunk->offsets)[chunk->offset + i + 1];
            }
            else {
                a = ((const int64_t *)chunk->offsets)[chunk->offset + i];
                b = ((const int64_t *)chunk->offsets)[chunk->offset + i + 1];
            }
            if (a < 0 || b < a)
                goto malformed;
        }
        return 0;
    }
    /* validity, views, the data buffers, and last their sizes (int64) */
    chunk->n_data_buffers = values->n_buffers - 3;
    chunk->data_buffers = (const uint8_t *const *)values->buffers + 2;
    const int64_t *sizes = values->buffers[values->n_buffers - 1];
    for (int64_t i = 0; i < chunk->length; i++) {
        const uint8_t *view = (const uint8_t *)chunk->offsets + 16 * (chunk->offset + i);
        int32_t n, buffer, start;
        memcpy(&n, view, 4);
        if (n < 0)
            goto malformed;
        if (n <= 12)
            continue;
        memcpy(&buffer, view + 8, 4);
        memcpy(&start, view + 12, 4);
        if (buffer < 0 || buffer >= chunk->n_data_buffers || start < 0
            || (int64_t)start + n > sizes[buffer])
            goto malformed;
    }
    return 0;
malformed:
    PyErr_Format(PyExc_ValueError, "%s() argument '%s': a malformed Arrow array (its "
                 "buffers do not hold what its length and offsets say)", fname, argname);
    return -1;
}

static int grow_chunks(wc_column *column)
{
    wc_arrow_chunk *chunks = PyMem_RawRealloc(column->chunks,
                                              (column->nchunks + 1) * sizeof *chunks);
    if (!chunks) {
        PyErr_NoMemory();
        return -1;
    }
    column->chunks = chunks;
    return 0;
}

static int released(const char *fname, const char *argname)
{
    PyErr_Format(PyExc_ValueError, "%s() argument '%s': its Arrow capsule was released "
                 "already (a capsule is consumed once)", fname, argname);
    return -1;
}

/* __arrow_c_stream__: every chunk read, and owned until close. */
static int open_stream(PyObject *capsule, wc_column *column, const char *fname,
                       const char *argname)
{
    struct ArrowArrayStream *stream = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (!stream)
        return -1;
    if (!stream->release)
        return released(fname, argname);
    if (stream->get_schema(stream, &column->schema) != 0) {
        const char *why = stream->get_last_error(stream);
        column->schema.release = NULL;
        PyErr_Format(PyExc_ValueError, "%s() argument '%s': its Arrow stream has no schema: %s",
                     fname, argname, why ? why : "(no message)");
        return -1;
    }
    wc_arrow_layout layout;
    const struct ArrowSchema *values = values_schema(&column->schema, fname, argname, &layout,
                                                     &column->strings);
    if (!values)
        return -1;
    const bool record_batch = values != &column->schema;
    for (;;) {
        struct ArrowArray *arrays = PyMem_RawRealloc(column->arrays,
                                                     (column->narrays + 1) * sizeof *arrays);
        if (!arrays) {
            PyErr_NoMemory();
            return -1;
        }
        column->arrays = arrays;
        struct ArrowArray *array = &arrays[column->narrays];
        if (stream->get_next(stream, array) != 0) {
            const char *why = stream->get_last_error(stream);
            PyErr_Format(PyExc_ValueError, "%s() argument '%s': its Arrow stream failed: %s",
                         fname, argname, why ? why : "(no message)");
            return -1;
        }
        if (!array->release)
            return 0;   /* the end of the stream */
        column->narrays++;
        if (grow_chunks(column) < 0
            || chunk_of(array, record_batch, layout, &column->chunks[column->nchunks], fname,
                        argname) < 0)
            return -1;
        column->values += array->length;
        column->nchunks++;
    }
}

/* __arrow_c_array__: one chunk, the capsules kept until close. */
static int open_array(PyObject *pair, wc_column *column, const char *fname, const char *argname)
{
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s': __arrow_c_array__ must return "
                     "a pair of capsules", fname, argname);
        return -1;
    }
    column->capsules[1] = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
    struct ArrowSchema *schema = PyCapsule_GetPointer(PyTuple_GET_ITEM(pair, 0), "arrow_schema");
    struct ArrowArray *array = schema ? PyCapsule_GetPointer(column->capsules[1], "arrow_array")
                                      : NULL;
    if (!array)
        return -1;
    if (!schema->release || !array->release)
        return released(fname, argname);
    wc_arrow_layout layout;
    const struct ArrowSchema *values = values_schema(schema, fname, argname, &layout,
                                                     &column->strings);
    if (!values || grow_chunks(column) < 0
        || chunk_of(array, values != schema, layout, &column->chunks[0], fname, argname) < 0)
        return -1;
    column->nchunks = 1;
    column->values = array->length;
    return 0;
}

int wc_column_open(PyObject *obj, PyObject *const names[2], wc_column *column,
                   const char *fname, const char *argname)
{
    *column = (wc_column){0};
    if (PyUnicode_Check(obj) || PyBytes_Check(obj))
        return 0;
    /* A stream first: a chunked array or a reader exports only that, and
     * an array that exports both reads the same either way. */
    const bool stream = PyObject_HasAttr(obj, names[0]);
    if (!stream && !PyObject_HasAttr(obj, names[1]))
        return 0;
    PyObject *exported = PyObject_CallMethodNoArgs(obj, names[stream ? 0 : 1]);
    if (!exported)
        return -1;
    column->capsules[0] = exported;
    int opened = stream ? open_stream(exported, column, fname, argname)
                        : open_array(exported, column, fname, argname);
    if (opened < 0) {
        wc_column_close(column);
        return -1;
    }
    return 1;
}

void wc_column_close(wc_column *column)
{
    for (size_t i = 0; i < column->narrays; i++)
        if (column->arrays[i].release)
            column->arrays[i].release(&column->arrays[i]);
    PyMem_RawFree(column->arrays);
    if (column->schema.release)
        column->schema.release(&column->schema);
    PyMem_RawFree(column->chunks);
    /* The capsules release what they still hold (the stream, an array). */
    Py_XDECREF(column->capsules[0]);
    Py_XDECREF(column->capsules[1]);
    *column = (wc_column){0};
}

/* The chunk holding value i. */
static size_t chunk_holding(const wc_column_documents *d, size_t i)
{
    size_t lo = 0, hi = d->column->nchunks;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->starts[mid] <= (int64_t)i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool column_value(const void *ctx, size_t i, const void **text, size_t *len)
{
    const wc_column_documents *d = ctx;
    const size_t k = chunk_holding(d, i);
    const uint8_t *bytes;
    if (!wc_arrow_value(&d->column->chunks[k], (int64_t)i - d->starts[k], &bytes, len))
        return false;
    *text = bytes;
    return true;
}

static inline int64_t offset_at(const wc_arrow_chunk *c, int64_t at)
{
    return c->layout == WC_ARROW_OFFSETS32 ? ((const int32_t *)c->offsets)[at]
                                           : ((const int64_t *)c->offsets)[at];
}

/* The values of one chunk of offsets from value i on, to `last` or the
 * first null whose slot holds bytes: one after another in its data (a null
 * of no bytes is an empty text to the tables: no words). Views lie
 * anywhere: none. */
static size_t column_stretch(const void *ctx, size_t i, size_t last, const void **text,
                             size_t *ends)
{
    const wc_column_documents *d = ctx;
    const size_t k = chunk_holding(d, i);
    const wc_arrow_chunk *c = &d->column->chunks[k];
    if (c->layout != WC_ARROW_OFFSETS32 && c->layout != WC_ARROW_OFFSETS64)
        return 0;
    const int64_t first = (int64_t)i - d->starts[k], at = c->offset + first;
    const int64_t n = ((int64_t)last < d->starts[k + 1] ? (int64_t)last : d->starts[k + 1])
        - (int64_t)i;
    const bool nulls = c->validity || c->parent_validity;
    const int64_t start = offset_at(c, at);
    int64_t m = 0;
    for (int64_t end = start; m < n; m++) {
        const int64_t next = offset_at(c, at + m + 1);
        if (nulls && next != end && wc_arrow_null(c, first + m))
            break;
        ends[m] = (size_t)(next - start);
        end = next;
    }
    *text = c->data + start;
    return (size_t)m;
}

int wc_column_documents_init(const wc_column *column, wc_column_documents *d)
{
    d->column = column;
    d->starts = PyMem_RawMalloc((column->nchunks + 1) * sizeof *d->starts);
    if (!d->starts)
        return -1;
    d->starts[0] = 0;
    for (size_t k = 0; k < column->nchunks; k++)
        d->starts[k + 1] = d->starts[k] + column->chunks[k].length;
    d->documents = (wc_documents){(size_t)column->values, column_value, column_stretch, d, 1};
    return 0;
}

void wc_column_documents_free(wc_column_documents *d)
{
    PyMem_RawFree(d->starts);
    d->starts = NULL;
}

