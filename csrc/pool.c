/* The worker pool of pool.h.
 *
 * One mutex guards everything; it is taken a few times per task, and a task
 * is a chunk of at least WC_PARALLEL_MIN_BYTES / threads of text, so the lock
 * is never what limits the speed. A call enqueues a job (on its own stack),
 * wakes up to threads - 1 workers and takes the job's tasks itself too; a
 * worker takes one task at a time from the first job that still has tasks and
 * fewer helpers than its caller asked for. A job leaves the queue when its
 * last task is taken, and its caller returns once every task has finished.
 */
#define _GNU_SOURCE
#include "pool.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

typedef struct job {
    wc_task_fn task;
    void *ctx;
    size_t ntasks;
    size_t next_task;       /* tasks [0, next_task) have been taken */
    size_t finished;        /* tasks that have returned */
    size_t helpers;         /* workers running one of its tasks now */
    size_t max_helpers;     /* threads - 1: the caller counts too */
    struct job *next_job;
} job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;    /* a job arrived, or the pool is stopping */
    pthread_cond_t done;    /* some job's last task finished */
    job *queue;             /* jobs with tasks not yet taken, oldest first */
    pthread_t workers[WC_POOL_MAX_WORKERS];
    size_t nworkers;
    bool stopping;
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

/* The first queued job a worker may help with. Called with the lock held. */
static job *job_wanting_help(void)
{
    for (job *j = pool.queue; j; j = j->next_job)
        if (j->helpers < j->max_helpers)
            return j;
    return NULL;
}

static void *worker_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        job *j = job_wanting_help();
        if (!j) {
            if (pool.stopping)
                break;
            pthread_cond_wait(&pool.work, &pool.lock);
            continue;
        }
        j->helpers++;
        size_t index = take_task(j);
        pthread_mutex_unlock(&pool.lock);
        j->task(j->ctx, index);
        pthread_mutex_lock(&pool.lock);
        j->helpers--;
        /* After this the caller may return: `j` is not touched again. */
        if (++j->finished == j->ntasks)
            pthread_cond_broadcast(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

/* Grows the pool to `wanted` workers (or as many as start). Workers block
 * every signal so that Python's handlers keep running on the main thread.
 * Called with the lock held. */
static void start_workers(size_t wanted)
{
    if (wanted > WC_POOL_MAX_WORKERS)
        wanted = WC_POOL_MAX_WORKERS;
    if (pool.stopping || pool.nworkers >= wanted)
        return;
    sigset_t all, previous;
    sigfillset(&all);
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
    start_workers(j.max_helpers);
    job **tail = &pool.queue;
    while (*tail)
        tail = &(*tail)->next_job;
    *tail = &j;
    for (size_t i = 0; i < j.max_helpers; i++)
        pthread_cond_signal(&pool.work);

    while (j.next_task < j.ntasks) {
        size_t index = take_task(&j);
        pthread_mutex_unlock(&pool.lock);
        task(ctx, index);
        pthread_mutex_lock(&pool.lock);
        j.finished++;
    }
    while (j.finished < j.ntasks)
        pthread_cond_wait(&pool.done, &pool.lock);
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
