/* The worker pool of pool.h.
 *
 * One mutex guards everything; it is taken a few times per task, and a task
 * is a chunk of at least WC_PARALLEL_MIN_BYTES / threads of text, so the lock
 * is never what limits the speed. A call enqueues a job (on its own stack),
 * wakes up to threads - 1 workers and takes the job's tasks itself too; a
 * worker takes one task at a time from the first job that still has tasks and
 * fewer helpers than its caller asked for. A job leaves the queue when its
 * last task is taken, and its caller returns once every task has finished.
 *
 * Waking a sleeping thread through the kernel takes tens of microseconds on
 * a virtual machine, as long as counting a megabyte. So a worker that runs
 * out of jobs first polls the queue for SPIN_NS before it sleeps, and a
 * caller polls for its job's end before it sleeps: calls that follow each
 * other (a loop over texts, a benchmark) find the workers awake.
 */
#define _GNU_SOURCE
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* How long an idle worker, or a caller waiting for its job, polls before it
 * sleeps: a few wake-ups' worth, and at most this much of a core is spent
 * after the last call. */
#define SPIN_NS 100000

typedef struct job {
    wc_task_fn task;
    void *ctx;
    size_t ntasks;
    size_t next_task;       /* tasks [0, next_task) have been taken */
    atomic_size_t finished; /* tasks that have returned; written under the
                               lock, read without it while polling */
    size_t helpers;         /* workers running one of its tasks now */
    size_t max_helpers;     /* threads - 1: the caller counts too */
    struct job *next_job;
} job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;    /* a job arrived, or the pool is stopping */
    pthread_cond_t done;    /* some job's last task finished */
    job *queue;             /* jobs with tasks not yet taken, oldest first */
    atomic_size_t changes;  /* jobs queued and callers done counting alone,
                               ever: polling waits for it to move */
    size_t running;         /* threads running a task now, callers too */
    size_t sleepers;        /* workers waiting on `work` */
    pthread_t workers[WC_POOL_MAX_WORKERS];
    size_t nworkers;
    atomic_bool stopping;
} pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Serialises wc_pool_shutdown, so that no worker is joined twice. */
static pthread_mutex_t shutdown_lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes the next task of `j`; the last one also unlinks `j` from the queue.
 * Called with the lock held. */
static size_t take_task(job *j)
{
    size_t index = j->next_task++;
    if (j->next_task == j->ntasks) {
        job **link = &pool.queue;
        while (*link != j)
            link = &(*link)->next_job;
        *link = j->next_job;
    }
    return index;
}

static void enqueue(job *j)
{
    job **tail = &pool.queue;
    while (*tail)
        tail = &(*tail)->next_job;
    *tail = j;
    atomic_fetch_add(&pool.changes, 1);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Polls `done()` for up to SPIN_NS; true if it came true. */
static bool spin_until(bool (*done)(const void *), const void *arg)
{
    uint64_t deadline = 0;
    for (unsigned i = 0;; i++) {
        if (done(arg))
            return true;
        cpu_relax();
        if (i % 64 == 0) {  /* reading the clock costs more than a pause */
            /* A poller must not keep the CPU from a thread it waits for:
             * callers at once make more counting threads than CPUs, and
             * then a spin without yield cost each call up to SPIN_NS
             * (benchmarks/concurrent_callers.py, 1 MiB: 0.95x the calls in
             * series without it, 1.03x with it). */
            sched_yield();
            uint64_t now = now_ns();
            if (deadline == 0)
                deadline = now + SPIN_NS;
            else if (now >= deadline)
                return false;
        }
    }
}

/* A job was queued or a caller stopped counting alone after `*seen` was
 * read, or the pool is stopping. */
static bool change_or_stop(const void *seen)
{
    return atomic_load_explicit(&pool.changes, memory_order_relaxed) != *(const size_t *)seen
        || atomic_load_explicit(&pool.stopping, memory_order_relaxed);
}

static bool job_finished(const void *j)
{
    const job *jb = j;
    return atomic_load_explicit(&jb->finished, memory_order_acquire) == jb->ntasks;
}

/* The first queued job a worker may help with: one with fewer helpers than
 * its caller asked for, while fewer threads run tasks than it asked for
 * (its threads: by default the CPUs). A caller that came while the workers
 * were busy counts alone and so takes a helper's place: two callers on 2
 * CPUs, a worker helping the first, were three threads on two CPUs (the
 * seed's text, CPython 3.13t, benchmarks/concurrent_callers.py: 0.97-1.01x
 * the calls in series, 1.11-1.13x with the worker standing aside). Called
 * with the lock held. */
static job *job_wanting_help(void)
{
    for (job *j = pool.queue; j; j = j->next_job)
        if (j->helpers < j->max_helpers && pool.running < j->max_helpers + 1)
            return j;
    return NULL;
}

static void *worker_main(void *unused)
{
    (void)unused;
    bool may_poll = true;   /* false once a poll ran out of time */
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        job *j = job_wanting_help();
        if (!j) {
            if (pool.stopping)
                break;
            if (may_poll) {
                /* Wait for a job queued from now on, not for "any job in the
                 * queue": a queued job may have all the helpers it wants,
                 * and polling on it would spin on the lock. */
                size_t seen = atomic_load(&pool.changes);
                pthread_mutex_unlock(&pool.lock);
                may_poll = spin_until(change_or_stop, &seen);
                pthread_mutex_lock(&pool.lock);
                continue;
            }
            pool.sleepers++;
            pthread_cond_wait(&pool.work, &pool.lock);
            pool.sleepers--;
            may_poll = true;
            continue;
        }
        j->helpers++;
        pool.running++;
        size_t index = take_task(j);
        pthread_mutex_unlock(&pool.lock);
        j->task(j->ctx, index);
        pthread_mutex_lock(&pool.lock);
        j->helpers--;
        pool.running--;
        may_poll = true;
        /* After this the caller may return: `j` is not touched again. */
        if (atomic_fetch_add(&j->finished, 1) + 1 == j->ntasks)
            pthread_cond_broadcast(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

/* Grows the pool to `wanted` workers (or as many as start). Workers block
 * every signal sent to the process, so that Python's handlers keep running
 * on the main thread, but not the faults their own loads raise: a blocked
 * SIGBUS or SIGSEGV kills the process without asking its handler, and the
 * handler of fault.h must see a worker's SIGBUS on a shrunk file.
 * Called with the lock held. */
static void start_workers(size_t wanted)
{
    if (wanted > WC_POOL_MAX_WORKERS)
        wanted = WC_POOL_MAX_WORKERS;
    if (pool.stopping || pool.nworkers >= wanted)
        return;
    sigset_t all, previous;
    sigfillset(&all);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    while (pool.nworkers < wanted) {
        if (pthread_create(&pool.workers[pool.nworkers], NULL, worker_main, NULL) != 0)
            break;  /* the callers count without the missing workers */
        pool.nworkers++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

/* fork() copies only the forking thread: hold the lock across it so that the
 * child gets a consistent pool, then let the child forget the workers and
 * jobs that exist only in the parent. The condition variables are made anew
 * because their waiters were the parent's workers. */
static void before_fork(void) { pthread_mutex_lock(&pool.lock); }
static void after_fork_in_parent(void) { pthread_mutex_unlock(&pool.lock); }
static void after_fork_in_child(void)
{
    pool.queue = NULL;
    pool.sleepers = 0;
    pool.nworkers = 0;
    pool.stopping = false;
    pthread_cond_init(&pool.work, NULL);
    pthread_cond_init(&pool.done, NULL);
    pthread_mutex_unlock(&pool.lock);
}

static void register_fork_handlers(void)
{
    /* On failure (ENOMEM) the pool still works, but a child forked while
     * a worker holds the lock could hang; nothing better can be done here. */
    (void)pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

void wc_pool_run(wc_task_fn task, void *ctx, size_t ntasks, size_t threads)
{
    if (threads <= 1 || ntasks <= 1) {
        for (size_t i = 0; i < ntasks; i++)
            task(ctx, i);
        return;
    }
    pthread_once(&atfork_once, register_fork_handlers);

    job j = {
        .task = task,
        .ctx = ctx,
        .ntasks = ntasks,
        .max_helpers = (threads < ntasks ? threads : ntasks) - 1,
    };
    pthread_mutex_lock(&pool.lock);
    if (pool.queue) {
        /* Another caller's job still wants help: the workers are busy. Count
         * alone rather than share them: two callers that split the workers
         * and the CPUs between them, each waiting for its last task, ran
         * at 0.82x the same calls in series (CPython 3.13t, 2 vCPUs). */
        pool.running++;
        pthread_mutex_unlock(&pool.lock);
        for (size_t i = 0; i < ntasks; i++)
            task(ctx, i);
        pthread_mutex_lock(&pool.lock);
        pool.running--;
        atomic_fetch_add(&pool.changes, 1);     /* a worker may help again */
        if (pool.queue && pool.sleepers)
            pthread_cond_signal(&pool.work);
        pthread_mutex_unlock(&pool.lock);
        return;
    }
    start_workers(j.max_helpers);
    enqueue(&j);
    size_t wake = j.max_helpers < pool.sleepers ? j.max_helpers : pool.sleepers;
    for (size_t i = 0; i < wake; i++)
        pthread_cond_signal(&pool.work);

    while (j.next_task < j.ntasks) {
        size_t index = take_task(&j);
        pool.running++;
        pthread_mutex_unlock(&pool.lock);
        task(ctx, index);
        pthread_mutex_lock(&pool.lock);
        pool.running--;
        atomic_fetch_add(&j.finished, 1);
    }
    if (!job_finished(&j)) {
        pthread_mutex_unlock(&pool.lock);
        bool finished = spin_until(job_finished, &j);
        pthread_mutex_lock(&pool.lock);
        while (!finished && !job_finished(&j))
            pthread_cond_wait(&pool.done, &pool.lock);
    }
    pthread_mutex_unlock(&pool.lock);
}

void wc_pool_shutdown(void)
{
    pthread_mutex_lock(&shutdown_lock);
    pthread_mutex_lock(&pool.lock);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.work);
    size_t n = pool.nworkers;
    pthread_mutex_unlock(&pool.lock);

    /* Only this function shrinks the pool, and while `stopping` none start. */
    for (size_t i = 0; i < n; i++)
        pthread_join(pool.workers[i], NULL);

    pthread_mutex_lock(&pool.lock);
    pool.nworkers = 0;
    pool.stopping = false;
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&shutdown_lock);
}

size_t wc_pool_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    size_t n = pool.nworkers;
    pthread_mutex_unlock(&pool.lock);
    return n;
}
