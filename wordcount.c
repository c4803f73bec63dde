/* word_count._wordcount: the front door of the C counters.
 *
 * What it does, as Python (word_count.search_py is the reference):
 *
 *     def search(contents, needle, *, threads=None, sep=" ", fold=None):
 *         words = contents.split() if sep is None else [
 *             word for line in lines(contents)      # "\n" or "\r\n" ends a line
 *             for word in line.split(" ")]
 *         if fold:                                  # "lower" or "casefold"
 *             words, needle = [getattr(w, fold)() for w in words], getattr(needle, fold)()
 *         return words.count(needle)
 *
 * This file turns Python objects into C values (str in its own PEP 393 form,
 * or any C-contiguous buffer), decides who holds the GIL, and calls the
 * kernel (csrc/kernel.h), which counts, on the worker pool (csrc/pool.h).
 * The kernel folds ASCII (every bytes-like text, and a str whose characters
 * are all ASCII, which CPython records in the str); a str that is not ASCII
 * is searched by folding the words that may match (csrc/counts.c).
 */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE
#include <Python.h>

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csrc/arrow.h"
#include "csrc/counts.h"
#include "csrc/fault.h"
#include "csrc/file.h"
#include "csrc/fold.h"
#include "csrc/kernel.h"
#include "csrc/pool.h"
#include "csrc/pyfront.h"

/* `search` keeps the GIL for texts below this size: the count then takes a
 * few microseconds, less than handing the GIL back and forth, and far less
 * than the switch interval (5 ms) a busy interpreter may make us wait for it
 * on the way back. */
#define GIL_RELEASE_MIN_BYTES ((size_t)64 * 1024)

/* Needles of up to this many bytes are widened on the stack. */
#define STACK_NEEDLE_BYTES 256

/* Live module objects, over all interpreters: the last one to go stops the
 * process-wide pool. */
static atomic_size_t live_modules;

typedef enum { HOLD_GIL, RELEASE_GIL, RELEASE_GIL_IF_LARGE } gil_policy;


/* Copies `n` units of width `from` into width `to` (> from): a needle
 * read in the text's form. */
static void
widen_units(void *dst, unsigned to, const void *src, unsigned from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Py_UCS4 unit = from == 1 ? ((const Py_UCS1 *)src)[i]
                                 : ((const Py_UCS2 *)src)[i];
        if (to == 2)
            ((Py_UCS2 *)dst)[i] = (Py_UCS2)unit;
        else
            ((Py_UCS4 *)dst)[i] = unit;
    }
}

/* ---- counting ----------------------------------------------------------- */

/* How a count runs: which backend, on how many threads, who holds the GIL;
 * and by which rule. */
typedef struct {
    const wc_backend *backend;
    size_t threads;
    size_t parallel_min_bytes;
    gil_policy gil;
    wc_split split;
    wc_fold fold;
} count_plan;

static size_t
count_as_planned(const count_plan *plan, const wc_query *q)
{
    bool release = plan->gil == RELEASE_GIL
        || (plan->gil == RELEASE_GIL_IF_LARGE
            && q->text_len * q->width >= GIL_RELEASE_MIN_BYTES);
    if (!release)
        return wc_count_words(plan->backend, q, plan->threads, plan->parallel_min_bytes);
    size_t count;
    Py_BEGIN_ALLOW_THREADS
    count = wc_count_words(plan->backend, q, plan->threads, plan->parallel_min_bytes);
    Py_END_ALLOW_THREADS
    return count;
}

/* The needle as it is compared: folded by its own method (a str), or by
 * bytes.lower() (a copy of a bytes-like's bytes). New reference. */
static PyObject *
folded_needle(PyObject *needle, wc_fold fold)
{
    if (PyUnicode_Check(needle))
        return wc_fold_key(needle, fold);
    PyObject *bytes = PyBytes_FromObject(needle);
    PyObject *folded = bytes ? wc_fold_key(bytes, fold) : NULL;
    Py_XDECREF(bytes);
    return folded;
}

/* A folded search of a str that is not ASCII: the kernel cannot fold it. */
static PyObject *
count_folded_str(const count_plan *plan, const operand *text, PyObject *folded,
                 const module_state *state)
{
    const wc_rule rule = wc_rule_for(plan->split, true);
    operand word;
    if (wc_operand_from_str(&word, folded) < 0)
        return NULL;
    wc_query q = {.needle = word.units, .needle_len = word.len, .width = word.width,
                  .rule = &rule};
    size_t count = 0;
    if (!wc_needle_can_match(&q))
        return PyLong_FromSize_t(0);    /* no word holds a separator */
    if (wc_count_folded(state, text, &rule, folded, plan->fold, plan->threads,
                        plan->gil == HOLD_GIL, &count) < 0)
        return NULL;
    return PyLong_FromSize_t(count);
}

/* The count of every public counter, once its arguments are C values. */
static PyObject *
count_impl(const char *fname, PyObject *contents, PyObject *needle,
           const count_plan *plan, const module_state *state)
{
    if (!PyUnicode_Check(contents) && !PyObject_CheckBuffer(contents)) {
        wc_column column;
        int is_column = wc_column_open(contents, state->arrow_names, &column, fname,
                                       "contents");
        if (is_column == 0)
            wc_not_a_text(fname, "contents", contents);
        if (is_column <= 0)
            return NULL;
        PyObject *count = wc_search_column(state, &column, needle, plan->split, plan->fold,
                                           plan->threads, plan->gil == HOLD_GIL, fname);
        wc_column_close(&column);
        return count;
    }
    if (wc_check_operand_type(fname, "needle", needle) < 0)
        return NULL;
    bool is_str = PyUnicode_Check(contents);
    if (is_str != (bool)PyUnicode_Check(needle)) {
        PyErr_Format(PyExc_TypeError,
                     "%s() arguments 'contents' and 'needle' must both be str "
                     "or both bytes-like, not %.200s and %.200s", fname,
                     Py_TYPE(contents)->tp_name, Py_TYPE(needle)->tp_name);
        return NULL;
    }

    /* With a fold, the needle folded once; the text's words as compared. */
    PyObject *folded = NULL;
    if (plan->fold != WC_FOLD_NONE) {
        if (!(folded = folded_needle(needle, plan->fold)))
            return NULL;
        needle = folded;
    }
    operand text, word;
    if (is_str) {
        if (wc_operand_from_str(&text, contents) < 0
            || wc_operand_from_str(&word, needle) < 0) {
            Py_XDECREF(folded);
            return NULL;
        }
        /* (The empty needle needs no fold: only the empty word folds to it.) */
        if (folded && !PyUnicode_IS_ASCII(contents) && word.len > 0) {
            PyObject *result = count_folded_str(plan, &text, folded, state);
            Py_DECREF(folded);
            return result;
        }
    }
    else {
        if (wc_operand_from_buffer(&text, contents, fname, "contents") < 0) {
            Py_XDECREF(folded);
            return NULL;
        }
        if (wc_operand_from_buffer(&word, needle, fname, "needle") < 0) {
            wc_operand_release(&text);
            Py_XDECREF(folded);
            return NULL;
        }
    }

    wc_rule folded_rule = wc_rule_for(plan->split, is_str);
    folded_rule.fold_ascii = true;
    const wc_rule *rule = plan->fold == WC_FOLD_NONE
        ? (plan->split == WC_LINES ? &WC_RULE_LINES : is_str ? &WC_RULE_STR_SPACES
                                                             : &WC_RULE_BYTES_SPACES)
        : &folded_rule;
    PyObject *result = NULL;
    char stack_needle[STACK_NEEDLE_BYTES];
    void *widened = NULL;
    size_t count = 0;
    if (word.width > text.width)
        goto done;  /* it holds a code point the text's form cannot */
    if (word.width < text.width) {
        size_t bytes = word.len * text.width;
        widened = bytes <= sizeof stack_needle ? stack_needle
                                               : PyMem_Malloc(bytes);
        if (!widened) {
            PyErr_NoMemory();
            goto error;
        }
        widen_units(widened, text.width, word.units, word.width, word.len);
        word.units = widened;
        word.width = text.width;
    }
    wc_query q = {
        .text = text.units,
        .text_len = text.len,
        .needle = word.units,
        .needle_len = word.len,
        .width = text.width,
        .rule = rule,
    };
    count = count_as_planned(plan, &q);
done:
    result = PyLong_FromSize_t(count);
error:
    if (widened != stack_needle)
        PyMem_Free(widened);
    wc_operand_release(&word);
    wc_operand_release(&text);
    Py_XDECREF(folded);
    return result;
}

static module_state *
get_state(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}

/* ---- the public functions ----------------------------------------------- */

static const char *const CONTENTS_NEEDLE_RULE[] = {"contents", "needle", "sep", "fold"};
static const char *const CONTENTS_NEEDLE_THREADS_RULE[] = {"contents", "needle", "threads",
                                                           "sep", "fold"};

/* sep and fold, the last two of argv, into the plan. */
static int
parse_rule(const char *fname, PyObject *sep, PyObject *fold, count_plan *plan)
{
    return wc_parse_sep(fname, sep, &plan->split) < 0
        || wc_parse_fold(fname, fold, &plan->fold) < 0 ? -1 : 0;
}

PyDoc_STRVAR(search_doc,
"search($module, /, contents, needle, *, threads=None, sep=' ', fold=None)\n--\n\n"
"Count the words of `contents` equal to `needle`, on several threads.\n\n"
"`contents` and `needle` are both str or both bytes-like. sep=' ': lines\n"
"end at '\\n' or '\\r\\n', and a line splits into words at every single\n"
"space (line.split(' ')); sep=None: words are the runs of non-whitespace\n"
"(contents.split()). fold='lower' or 'casefold' compares word.lower() or\n"
"word.casefold() with the needle folded alike (bytes: bytes.lower()).\n"
"The GIL is released while counting (except for texts under 64 KiB).\n"
"`threads` is how many threads may count, the caller's included: None\n"
"for $WORD_COUNT_THREADS or else every CPU this process may run on.");

static PyObject *
search(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
       PyObject *kwnames)
{
    static const signature sig = {"search", CONTENTS_NEEDLE_THREADS_RULE, 5, 2, 2};
    PyObject *argv[5];
    size_t threads;
    module_state *state = get_state(module);
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[2], state, &threads) < 0)
        return NULL;
    count_plan plan = {state->backend, threads, WC_PARALLEL_MIN_BYTES,
                       RELEASE_GIL_IF_LARGE, WC_LINES, WC_FOLD_NONE};
    if (parse_rule(sig.fname, argv[3], argv[4], &plan) < 0)
        return NULL;
    return count_impl(sig.fname, argv[0], argv[1], &plan, state);
}

PyDoc_STRVAR(search_sequential_doc,
"search_sequential($module, /, contents, needle, *, sep=' ', fold=None)\n--\n\n"
"Count the words of `contents` equal to `needle` (by the rule of search)\n"
"on the calling thread, holding the GIL: no other Python thread runs\n"
"meanwhile.");

/* Both one-thread counters: (contents, needle), and who holds the GIL. */
static PyObject *
count_on_calling_thread(PyObject *module, const char *fname, gil_policy gil,
                        PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    const signature sig = {fname, CONTENTS_NEEDLE_RULE, 4, 2, 2};
    PyObject *argv[4];
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0)
        return NULL;
    module_state *state = get_state(module);
    count_plan plan = {state->backend, 1, 0, gil, WC_LINES, WC_FOLD_NONE};
    if (parse_rule(fname, argv[2], argv[3], &plan) < 0)
        return NULL;
    return count_impl(fname, argv[0], argv[1], &plan, state);
}

static PyObject *
search_sequential(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    return count_on_calling_thread(module, "search_sequential", HOLD_GIL,
                                   args, nargs, kwnames);
}

PyDoc_STRVAR(search_sequential_allow_threads_doc,
"search_sequential_allow_threads($module, /, contents, needle, *, sep=' ',\n"
"                                fold=None)\n--\n\n"
"Count the words of `contents` equal to `needle` (by the rule of search)\n"
"on the calling thread, with the GIL released, so that other Python\n"
"threads run meanwhile.");

static PyObject *
search_sequential_allow_threads(PyObject *module, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    return count_on_calling_thread(module, "search_sequential_allow_threads",
                                   RELEASE_GIL, args, nargs, kwnames);
}


PyDoc_STRVAR(count_fd_doc,
"_count_fd($module, /, fd, needle, *, threads=None, name=None, block=0,\n"
"          rule=None, fold_ascii=False)\n--\n\n"
"Count the words equal to the bytes-like `needle` that the file descriptor\n"
"`fd` holds from its position to its end (csrc/file.h), GIL released; for\n"
"search_file and the command line. OSErrors carry `name` as their filename;\n"
"a file that shrinks while it is counted is an OSError (EIO). `block`: bytes\n"
"read at a time where the file is not mapped (0: WC_FILE_BLOCK; tests cut\n"
"texts into small blocks with it). `rule`: how the bytes split into words\n"
"(_files.byte_rule); `fold_ascii`: words compared as bytes.lower() (the\n"
"needle lowered already).");

static PyObject *
count_fd(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"fd", "needle", "threads", "name", "block", "rule",
                                        "fold_ascii"};
    static const signature sig = {"_count_fd", names, 7, 2, 2};
    PyObject *argv[7];
    module_state *state = get_state(module);
    wc_rule rule;
    wc_file_query fq = {.backend = state->backend,
                        .rule = &rule,
                        .parallel_min_bytes = WC_PARALLEL_MIN_BYTES,
                        .interrupted = wc_run_signal_handlers};
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[2], state, &fq.threads) < 0
        || wc_parse_size(sig.fname, "block", argv[4], &fq.block) < 0
        || wc_parse_byte_rule(sig.fname, argv[5], &rule) < 0)
        return NULL;
    if (argv[6]) {
        int fold = PyObject_IsTrue(argv[6]);
        if (fold < 0)
            return NULL;
        rule.fold_ascii = fold;
    }
    PyObject *name = argv[3] == Py_None ? NULL : argv[3];
    int fd = PyObject_AsFileDescriptor(argv[0]);
    if (fd < 0)
        return NULL;
    operand word;
    if (wc_operand_from_bytes_like(&word, argv[1], sig.fname, "needle") < 0)
        return NULL;
    fq.needle = word.units;
    fq.needle_len = word.len;

    size_t count = 0;
    int error = 0;
    released_gil gil = {PyEval_SaveThread()};
    fq.ctx = &gil;
    wc_file_status status = wc_count_fd(&fq, fd, &count, &error);
    PyEval_RestoreThread(gil.saved);
    wc_operand_release(&word);

    if (status != WC_FILE_COUNTED)
        return wc_raise_file_status(status, error, name);
    return PyLong_FromSize_t(count);
}

PyDoc_STRVAR(count_bytes_doc,
"_count_bytes($module, /, contents, needle, *, threads=None, rule=None,\n"
"             fold_ascii=False)\n--\n\n"
"`search` of the bytes-like `contents` by a rule of bytes that hold text in\n"
"an encoding, as _count_fd counts a file (for word_count.dask's blocks).");

static PyObject *
count_bytes(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"contents", "needle", "threads", "rule", "fold_ascii"};
    static const signature sig = {"_count_bytes", names, 5, 2, 2};
    PyObject *argv[5];
    module_state *state = get_state(module);
    count_plan plan = {state->backend, 1, WC_PARALLEL_MIN_BYTES, RELEASE_GIL_IF_LARGE,
                       WC_LINES, WC_FOLD_NONE};
    wc_rule rule;
    int fold = 0;
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[2], state, &plan.threads) < 0
        || wc_parse_byte_rule(sig.fname, argv[3], &rule) < 0
        || (argv[4] && (fold = PyObject_IsTrue(argv[4])) < 0))
        return NULL;
    rule.fold_ascii = fold;
    operand text, word;
    if (wc_bytes_operands(sig.fname, argv[0], argv[1], &text, &word) < 0)
        return NULL;
    wc_query q = {.text = text.units, .text_len = text.len, .needle = word.units,
                  .needle_len = word.len, .width = 1, .rule = &rule};
    size_t count = count_as_planned(&plan, &q);
    wc_operand_release(&word);
    wc_operand_release(&text);
    return PyLong_FromSize_t(count);
}

/* ---- private helpers for the tests and benchmarks ------------------------ */

PyDoc_STRVAR(count_guarded_doc,
"_count_guarded($module, /, contents, needle, *, threads=1)\n--\n\n"
"`search` of a bytes-like text that may raise SIGBUS when read (a memory\n"
"map of a file that shrank), as _count_fd counts a mapped file; returns\n"
"None if it did. For the tests of csrc/fault.h.");

static PyObject *
count_guarded(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const signature sig = {"_count_guarded", CONTENTS_NEEDLE_THREADS_RULE, 3, 2, 2};
    PyObject *argv[3];
    size_t threads;
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[2], NULL, &threads) < 0)
        return NULL;
    operand text, word;
    if (wc_bytes_operands(sig.fname, argv[0], argv[1], &text, &word) < 0)
        return NULL;
    wc_query q = {.text = text.units, .text_len = text.len, .needle = word.units,
                  .needle_len = word.len, .width = 1, .rule = &WC_RULE_LINES};
    size_t count = 0;
    bool counted;
    Py_BEGIN_ALLOW_THREADS
    wc_fault_handler_install();
    counted = wc_count_words_guarded(get_state(module)->backend, &q, threads, 0, &count);
    Py_END_ALLOW_THREADS
    wc_operand_release(&word);
    wc_operand_release(&text);
    if (!counted)
        Py_RETURN_NONE;
    return PyLong_FromSize_t(count);
}

PyDoc_STRVAR(count_with_doc,
"_count_with($module, /, contents, needle, backend, *, threads=1,\n"
"            parallel_min_bytes=_parallel_min_bytes, sep=' ', fold=None)\n--\n\n"
"`search` with the named backend (see _backends()), GIL released, for tests\n"
"and benchmarks; texts under `parallel_min_bytes` use one thread.");

static PyObject *
count_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
           PyObject *kwnames)
{
    static const char *const names[] = {"contents", "needle", "backend", "threads",
                                        "parallel_min_bytes", "sep", "fold"};
    static const signature sig = {"_count_with", names, 7, 3, 3};
    PyObject *argv[7];
    count_plan plan = {NULL, 1, WC_PARALLEL_MIN_BYTES, RELEASE_GIL, WC_LINES, WC_FOLD_NONE};
    if (wc_parse_args(&sig, args, nargs, kwnames, argv) < 0
        || wc_parse_threads(sig.fname, argv[3], NULL, &plan.threads) < 0
        || wc_parse_size(sig.fname, "parallel_min_bytes", argv[4], &plan.parallel_min_bytes) < 0
        || parse_rule(sig.fname, argv[5], argv[6], &plan) < 0)
        return NULL;
    const char *name = PyUnicode_Check(argv[2]) ? PyUnicode_AsUTF8(argv[2]) : NULL;
    if (!name) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError,
                            "_count_with() argument 'backend' must be str");
        return NULL;
    }
    plan.backend = wc_backend_find(name);
    if (!plan.backend)
        return PyErr_Format(PyExc_ValueError,
                            "_count_with() argument 'backend': no backend %R "
                            "runs on this CPU", argv[2]);
    /* (The folded search of a str that is not ASCII uses the module's own.) */
    return count_impl(sig.fname, argv[0], argv[1], &plan, get_state(module));
}

PyDoc_STRVAR(backends_doc,
"_backends($module, /)\n--\n\n"
"The names of the backends this CPU runs, best first.");

static PyObject *
backends(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    const wc_backend *all[16];
    size_t n = wc_backends_available(all, 16);
    PyObject *names = PyTuple_New((Py_ssize_t)n);
    if (!names)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *name = PyUnicode_FromString(all[i]->name);
        if (!name) {
            Py_DECREF(names);
            return NULL;
        }
        PyTuple_SET_ITEM(names, (Py_ssize_t)i, name);
    }
    return names;
}

PyDoc_STRVAR(pool_workers_doc,
"_pool_workers($module, /)\n--\n\n"
"How many worker threads the pool runs now.");

static PyObject *
pool_workers(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromSize_t(wc_pool_workers());
}

#define FASTCALL_KW(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

static PyMethodDef module_methods[] = {
    {"search", FASTCALL_KW(search), search_doc},
    {"search_sequential", FASTCALL_KW(search_sequential), search_sequential_doc},
    {"search_sequential_allow_threads", FASTCALL_KW(search_sequential_allow_threads),
     search_sequential_allow_threads_doc},
    {"counts", FASTCALL_KW(wc_counts), wc_counts_doc},
    {"_counts_chunked", FASTCALL_KW(wc_counts_chunked), wc_counts_chunked_doc},
    {"_count_fd", FASTCALL_KW(count_fd), count_fd_doc},
    {"_count_bytes", FASTCALL_KW(count_bytes), count_bytes_doc},
    {"_word_hash", FASTCALL_KW(wc_word_hash_py), wc_word_hash_doc},
    {"_count_with", FASTCALL_KW(count_with), count_with_doc},
    {"_count_guarded", FASTCALL_KW(count_guarded), count_guarded_doc},
    {"_backends", backends, METH_NOARGS, backends_doc},
    {"_pool_workers", pool_workers, METH_NOARGS, pool_workers_doc},
    {NULL, NULL, 0, NULL},
};

/* ---- the module --------------------------------------------------------- */

/* The CPUs this process may run on, as os.sched_getaffinity(0) counts them. */
static size_t
usable_cpus(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (size_t)CPU_COUNT(&set);
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);  /* elsewhere: every CPU */
    return online > 0 ? (size_t)online : 1;
}

/* threads=None: $WORD_COUNT_THREADS when set, else every usable CPU. A value
 * that is not a count is an error where threads=None is used, not at import:
 * a program that never counts with the default, or the command line that
 * reports it as one line, still imports the module. */
static void
read_default_threads(module_state *state)
{
    const char *text = getenv("WORD_COUNT_THREADS");
    if (!text || !*text) {
        state->default_threads = usable_cpus();
        return;
    }
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    bool valid = *end == '\0' && n >= 1 && errno == 0;
    state->default_threads = valid ? (size_t)n : 0;
    snprintf(state->threads_env, sizeof state->threads_env, "%s", text);
}

/* The best backend, or the one $WORD_COUNT_BACKEND names (for benchmarks). */
static int
choose_backend(const wc_backend **backend)
{
    const char *name = getenv("WORD_COUNT_BACKEND");
    if (!name || !*name) {
        *backend = wc_backend_best();
        return 0;
    }
    *backend = wc_backend_find(name);
    if (*backend)
        return 0;
    const wc_backend *all[16];
    size_t n = wc_backends_available(all, 16);
    char known[256] = "";
    for (size_t i = 0; i < n; i++) {
        strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, all[i]->name, sizeof known - strlen(known) - 1);
    }
    PyErr_Format(PyExc_ValueError,
                 "WORD_COUNT_BACKEND names no backend this CPU runs: '%.100s' "
                 "(it runs: %s)", name, known);
    return -1;
}

static int
module_exec(PyObject *module)
{
    module_state *state = get_state(module);
    const wc_backend *best;
    read_default_threads(state);
    if (choose_backend(&best) < 0
        || PyModule_AddStringConstant(module, "simd", best->name) < 0
        || PyModule_AddIntConstant(module, "_parallel_min_bytes",
                                   (long)WC_PARALLEL_MIN_BYTES) < 0
        || PyModule_AddIntConstant(module, "_gil_release_min_bytes",
                                   (long)GIL_RELEASE_MIN_BYTES) < 0
        || wc_counts_exec(state) < 0
        || wc_tally_types_exec(module, state) < 0
        || !(state->arrow_names[0] = PyUnicode_InternFromString("__arrow_c_stream__"))
        || !(state->arrow_names[1] = PyUnicode_InternFromString("__arrow_c_array__")))
        return -1;
    /* Set last: module_free reads it as "this module counted itself". */
    state->backend = best;
    atomic_fetch_add(&live_modules, 1);
    return 0;
}

static void
module_free(void *module)
{
    module_state *state = get_state(module);
    if (state) {
        Py_CLEAR(state->counter_type);
        Py_CLEAR(state->tally_type);
        Py_CLEAR(state->raw_tally_type);
        Py_CLEAR(state->arrow_names[0]);
        Py_CLEAR(state->arrow_names[1]);
    }
    if (state && state->backend && atomic_fetch_sub(&live_modules, 1) == 1)
        wc_pool_shutdown();
}

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *state = get_state(module);
    if (state) {
        Py_VISIT(state->counter_type);
        Py_VISIT(state->tally_type);
        Py_VISIT(state->raw_tally_type);
        Py_VISIT(state->arrow_names[0]);
        Py_VISIT(state->arrow_names[1]);
    }
    return 0;
}

static int
module_clear(PyObject *module)
{
    module_state *state = get_state(module);
    if (state) {
        Py_CLEAR(state->counter_type);
        Py_CLEAR(state->tally_type);
        Py_CLEAR(state->raw_tally_type);
        Py_CLEAR(state->arrow_names[0]);
        Py_CLEAR(state->arrow_names[1]);
    }
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#ifdef Py_mod_multiple_interpreters   /* 3.12+: nothing is shared */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil                     /* 3.13+: no state needs the GIL */
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

struct PyModuleDef wc_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "word_count._wordcount",
    .m_doc = "Count the words of a text equal to a needle, in C.",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit__wordcount(void)
{
    return PyModuleDef_Init(&wc_module_def);
}
