/* Backend choice and the whole count: ranges of the text spread over the
 * pool, the rule's one exception added at the end. */
#include "kernel.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "rule.h"
#include "pool.h"

#ifdef WC_HAVE_X86_BACKENDS
/* __builtin_cpu_supports also asks the OS (XGETBV) whether it saves the wide
 * registers, so a "yes" means the backend really runs. The vector backends
 * also shift their masks by the needle's length with BMI2 (every AVX2 CPU
 * known has it; asked all the same). */
static bool cpu_has_bmi(void) { return __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"); }
static bool cpu_has_ssse3(void)
{
    return __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("popcnt");
}
static bool cpu_has_avx2(void) { return __builtin_cpu_supports("avx2") && cpu_has_bmi(); }
#ifdef WC_AVX512_EMULATED   /* runnable anywhere: see tests/c/avx512_emulated.h */
static bool cpu_has_avx512bw(void) { return true; }
static bool cpu_has_avx512vbmi(void) { return true; }
#else
static bool cpu_has_avx512bw(void) { return __builtin_cpu_supports("avx512bw") && cpu_has_bmi(); }
static bool cpu_has_avx512vbmi(void)
{
    return __builtin_cpu_supports("avx512vbmi") && cpu_has_avx512bw();
}
#endif
#endif

/* Best first; each entry is runnable when its `supported` says so.
 *
 * AVX-512 leads: the paired scan (kernel_simd.h) loads each 64-byte block of
 * text once, at a multiple of 64 bytes, and compares it straight into mask
 * registers, where AVX2 needs two loads, twice the compares and a movemask
 * for each (Zen 4: bytes 1.75-1.9x avx2). With VBMI first: the same code,
 * whose wide forms take a needle's units at any distance from the block's
 * narrowed registers by one byte permute, where avx512bw narrows them
 * again (Zen 4, A/B by turns: needles of 3 units and more 1.1-1.4x in the
 * 2- and 4-byte forms, the rest 0.99-1.05x). `nox -s avx512` proves both
 * exact with their intrinsics emulated, on any x86-64 CPU.
 *
 * Without AVX2, SSSE3 (with POPCNT) first: the SSE2 code built again, its
 * separators a byte shuffle and a compare, each block's count of
 * candidates one instruction and 1-byte texts by the paired scan, where
 * the x86-64 baseline compares each separator, calls libgcc to count and
 * takes the block scan. Zen 3, both in one run of
 * benchmarks/kernel_timing.c, 1 M characters, "is" in bytes, the 2- and
 * 4-byte forms: by sep=" " 1.29x, 1.35x, 1.22x; by a str's sep=None 1.85x,
 * 1.65x, 1.55x; "nested" 1.15x, 1.07x, 1.06x and 1.24x, 1.32x, 1.38x. */
static const struct {
    const wc_backend *backend;
    bool (*supported)(void);
} candidates[] = {
#ifdef WC_HAVE_X86_BACKENDS
    {&wc_backend_avx512vbmi, cpu_has_avx512vbmi},
    {&wc_backend_avx512bw, cpu_has_avx512bw},
    {&wc_backend_avx2, cpu_has_avx2},
    {&wc_backend_ssse3, cpu_has_ssse3},
    {&wc_backend_sse2, NULL},
#endif
#ifdef WC_HAVE_NEON_BACKEND
    {&wc_backend_neon, NULL},
#endif
    {&wc_backend_scalar, NULL},
};

#define NCANDIDATES (sizeof candidates / sizeof candidates[0])

size_t wc_backends_available(const wc_backend **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < NCANDIDATES && n < cap; i++)
        if (!candidates[i].supported || candidates[i].supported())
            out[n++] = candidates[i].backend;
    return n;
}

const wc_backend *wc_backend_best(void)
{
    const wc_backend *best;
    return wc_backends_available(&best, 1) ? best : &wc_backend_scalar;
}

const wc_backend *wc_backend_find(const char *name)
{
    const wc_backend *all[NCANDIDATES];
    size_t n = wc_backends_available(all, NCANDIDATES);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

/* Is it whole UTF-8 characters: each lead byte followed by its
 * continuation bytes, and no other continuation byte? */
static bool utf8_is_whole(const unsigned char *bytes, size_t n)
{
    for (size_t i = 0; i < n;) {
        const unsigned char lead = bytes[i++];
        size_t more = lead < 0x80 ? 0 : lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1
                                                                            : 4;
        if (more == 4 || lead >= 0xF8 || more > n - i)
            return false;
        for (; more > 0; more--)
            if ((bytes[i++] & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* wc_needle_can_match by sep=None. */
static bool needle_can_match_spaces(const wc_query *q)
{
    const size_t m = q->needle_len;
    if (m == 0)
        return false;
    for (size_t i = 0; i < m; i++)
        if (wc_separator_at(q->rule, q->needle, m, i, q->width))
            return false;
    /* A word begins after whitespace and ends before it: a needle that
     * began or ended inside a character could match some bytes of a
     * whitespace character's. */
    return !q->rule->utf8 || utf8_is_whole(q->needle, m);
}

/* By sep=" ", the common case, without a test per rule (a tiny search
 * called it first: 50 instructions of its 550). */
static inline bool needle_can_match(const wc_query *q)
{
    if (q->rule->split == WC_SPACES)
        return needle_can_match_spaces(q);
    const size_t m = q->needle_len;
    switch (q->width) {
#define HOLDS_NO_SEPARATOR(w)                                                               \
    for (size_t i = 0; i < m; i++) {                                                        \
        const uint32_t unit = wc_load(q->needle, i, w);                                     \
        if (unit == ' ' || unit == '\n')                                                    \
            return false;                                                                   \
    }                                                                                       \
    return true;
    case 1: HOLDS_NO_SEPARATOR(1)
    case 2: HOLDS_NO_SEPARATOR(2)
    default: HOLDS_NO_SEPARATOR(4)
#undef HOLDS_NO_SEPARATOR
    }
}

bool wc_needle_can_match(const wc_query *q)
{
    return needle_can_match(q);
}

static size_t width_index(unsigned width)
{
    return width == 1 ? 0 : width == 2 ? 1 : 2;
}

/* Tasks shrink as the text is handed out (guided self-scheduling): each is
 * what is left divided by twice the threads, down to MIN_TASK_BYTES. The
 * big first tasks keep the lock traffic low; the small last ones mean that
 * no thread waits long for another's last task, whether that thread was
 * slowed by the rest of the machine or woken late from sleep. */
#define MAX_TASKS ((size_t)1024)
/* No task is smaller than this (a task costs a few lock operations), except
 * in texts too short to give every thread four tasks of it. */
#define MIN_TASK_BYTES ((size_t)64 * 1024)

typedef struct count_job {
    wc_count_range_fn count_range;
    const wc_query *q;
    bool guarded;                   /* a mapped file: reads may raise SIGBUS */
    atomic_bool faulted;            /* one did */
    size_t bounds[MAX_TASKS + 1];   /* task i counts [bounds[i], bounds[i+1]) */
    size_t counts[MAX_TASKS];
} count_job;

/* Fills job->bounds for the starts [begin, end); returns the number of tasks. */
static size_t plan_tasks(count_job *job, size_t begin, size_t end, size_t threads)
{
    const size_t len = end - begin;
    size_t min_units = MIN_TASK_BYTES / job->q->width;
    if (min_units > len / (4 * threads))
        min_units = len / (4 * threads) ? len / (4 * threads) : 1;
    size_t ntasks = 0;
    job->bounds[0] = begin;
    while (begin < end) {
        size_t size = (end - begin) / (2 * threads);
        if (size < min_units)
            size = min_units;
        if (size > end - begin || ntasks == MAX_TASKS - 1)
            size = end - begin;
        begin += size;
        job->bounds[++ntasks] = begin;
    }
    return ntasks;
}

typedef struct {
    count_job *job;
    size_t index;
} task_ref;

static void run_task(void *ctx)
{
    const task_ref *t = ctx;
    count_job *job = t->job;
    job->counts[t->index] = job->count_range(job->q, job->bounds[t->index],
                                             job->bounds[t->index + 1]);
}

static void count_task(void *ctx, size_t index)
{
    count_job *job = ctx;
    task_ref t = {job, index};
    if (!job->guarded) {
        run_task(&t);
        return;
    }
    job->counts[index] = 0;
    if (!wc_fault_guard_run(job->q->text, job->q->text_len * job->q->width, run_task, &t))
        atomic_store(&job->faulted, true);
}

/* The starts [begin, end) on up to `threads` threads; false if a guarded
 * read faulted. */
static bool count_starts(const wc_backend *backend, const wc_query *q, size_t begin,
                         size_t end, size_t threads, size_t parallel_min_bytes,
                         bool guarded, size_t *count)
{
    if (begin >= end || q->needle_len > q->text_len || !needle_can_match(q)) {
        *count = 0;
        return true;
    }
    wc_count_range_fn count_range = backend->count_range[width_index(q->width)];
    if (threads <= 1 || (end - begin) * q->width < parallel_min_bytes) {
        /* The calling thread alone: no job, whose 16 KiB of task bounds would
         * cost a tiny call more than its count (683 against 55 ns). */
        if (!guarded) {
            *count = count_range(q, begin, end);
            return true;
        }
        threads = 1;
    }
    if (threads > WC_POOL_MAX_WORKERS + 1)
        threads = WC_POOL_MAX_WORKERS + 1;
    count_job job;
    job.count_range = count_range;
    job.q = q;
    job.guarded = guarded;
    atomic_init(&job.faulted, false);
    size_t ntasks = 1;
    job.bounds[0] = begin;
    job.bounds[1] = end;
    if (threads > 1)
        ntasks = plan_tasks(&job, begin, end, threads);
    if (ntasks == 1)
        count_task(&job, 0);
    else
        wc_pool_run(count_task, &job, ntasks, threads);
    *count = 0;
    for (size_t i = 0; i < ntasks; i++)
        *count += job.counts[i];
    return !atomic_load(&job.faulted);
}

size_t wc_count_starts(const wc_backend *backend, const wc_query *q, size_t begin,
                       size_t end, size_t threads, size_t parallel_min_bytes)
{
    size_t count;
    count_starts(backend, q, begin, end, threads, parallel_min_bytes, false, &count);
    return count;
}

typedef struct {
    const wc_query *q;
    size_t count;
} final_word;

/* The rule's one exception: by sep=" ", the empty needle's word at the very
 * end, when the text ends in a space. */
static void check_final_empty_word(void *ctx)
{
    final_word *f = ctx;
    f->count = f->q->rule->split == WC_LINES && f->q->needle_len == 0 && f->q->text_len > 0
        && wc_load(f->q->text, f->q->text_len - 1, f->q->width) == ' ';
}

size_t wc_count_words(const wc_backend *backend, const wc_query *q,
                      size_t threads, size_t parallel_min_bytes)
{
    final_word f = {q, 0};
    check_final_empty_word(&f);
    return f.count + wc_count_starts(backend, q, 0, q->text_len, threads, parallel_min_bytes);
}

bool wc_count_words_guarded(const wc_backend *backend, const wc_query *q, size_t threads,
                            size_t parallel_min_bytes, size_t *count)
{
    final_word f = {q, 0};
    size_t starts;
    if (!wc_fault_guard_run(q->text, q->text_len * q->width, check_final_empty_word, &f)
        || !count_starts(backend, q, 0, q->text_len, threads, parallel_min_bytes, true,
                         &starts))
        return false;
    *count = f.count + starts;
    return true;
}

typedef struct {
    const wc_backend *backend;
    const wc_rule *rule;
    const void *needle;
    size_t needle_len;
    const wc_documents *documents;
    size_t counts[MAX_TASKS];
} documents_job;

static void count_documents_task(void *ctx, size_t task)
{
    documents_job *job = ctx;
    const wc_documents *d = job->documents;
    const size_t per_task = (d->count + MAX_TASKS - 1) / MAX_TASKS > WC_DOCUMENTS_PER_TASK
        ? (d->count + MAX_TASKS - 1) / MAX_TASKS : WC_DOCUMENTS_PER_TASK;
    const size_t last = (task + 1) * per_task < d->count ? (task + 1) * per_task : d->count;
    size_t count = 0;
    for (size_t i = task * per_task; i < last; i++) {
        wc_query q = {.needle = job->needle, .needle_len = job->needle_len, .width = d->width,
                      .rule = job->rule};
        if (d->get(d->ctx, i, &q.text, &q.text_len))
            count += wc_count_words(job->backend, &q, 1, SIZE_MAX);
    }
    job->counts[task] = count;
}

size_t wc_count_documents(const wc_backend *backend, const wc_rule *rule, const void *needle,
                          size_t needle_len, const wc_documents *d, size_t threads)
{
    const wc_query probe = {.needle = needle, .needle_len = needle_len, .width = d->width,
                            .rule = rule};
    if (d->count == 0 || !needle_can_match(&probe))
        return 0;
    documents_job *job = malloc(sizeof *job);
    if (!job) {     /* no room for the tasks' counts: one thread, one sum */
        size_t count = 0;
        for (size_t i = 0; i < d->count; i++) {
            wc_query q = probe;
            if (d->get(d->ctx, i, &q.text, &q.text_len))
                count += wc_count_words(backend, &q, 1, SIZE_MAX);
        }
        return count;
    }
    *job = (documents_job){backend, rule, needle, needle_len, d, {0}};
    size_t per_task = (d->count + MAX_TASKS - 1) / MAX_TASKS;
    if (per_task < WC_DOCUMENTS_PER_TASK)
        per_task = WC_DOCUMENTS_PER_TASK;
    const size_t ntasks = (d->count + per_task - 1) / per_task;
    if (threads > WC_POOL_MAX_WORKERS + 1)
        threads = WC_POOL_MAX_WORKERS + 1;
    if (ntasks == 1 || threads <= 1)
        for (size_t t = 0; t < ntasks; t++)
            count_documents_task(job, t);
    else
        wc_pool_run(count_documents_task, job, ntasks, threads);
    size_t count = 0;
    for (size_t t = 0; t < ntasks; t++)
        count += job->counts[t];
    free(job);
    return count;
}

