/* A process-wide pool of worker threads, started lazily, shared by every
 * caller and every interpreter (it holds no Python object).
 *
 *     wc_pool_run(task, ctx, ntasks, threads)
 *
 * runs task(ctx, 0) ... task(ctx, ntasks - 1) on the calling thread and up to
 * threads - 1 workers, and returns when all have finished. The caller always
 * takes tasks too, so a call completes even when no worker can be started,
 * and many callers may run at once: a caller that finds the workers busy with
 * another caller's job runs all its tasks itself rather than share them
 * (sharing ran at 0.83x the same calls in series on 1 MiB texts, 2 CPUs),
 * and while it does, a worker takes no task that would make more threads
 * run than that job asked for (two callers at once: 0.93-1.13x the calls
 * in series, benchmarks/concurrent_callers.py). After fork() the child
 * starts with an empty pool (pthread_atfork), so counting there neither
 * hangs nor races.
 */
#ifndef WORD_COUNT_POOL_H
#define WORD_COUNT_POOL_H

#include <stddef.h>

typedef void (*wc_task_fn)(void *ctx, size_t task_index);

/* The most workers the pool keeps; more threads than this are not useful on
 * any machine this code targets and each costs a stack. */
#define WC_POOL_MAX_WORKERS 255

void wc_pool_run(wc_task_fn task, void *ctx, size_t ntasks, size_t threads);

/* Stops and joins every worker; the next wc_pool_run starts them anew.
 * Calls under way finish on their callers' threads. */
void wc_pool_shutdown(void);

/* How many workers are running now (for tests). */
size_t wc_pool_workers(void);

#endif
