/* Drives the kernel, the word tables and the worker pool directly, from many
 * threads at once, for ThreadSanitizer (nox -s tsan): every thread count,
 * every backend, the pool stopped and restarted under load. Exits 1 on a
 * wrong count.
 *
 *     stress_pool [rounds]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "pool.h"
#include "tally.h"

#define CALLERS 12
#define TEXT_BYTES (3 * 1024 * 1024)

static char text[TEXT_BYTES];
static size_t expected_is, expected_empty;
static int rounds = 3;
static volatile int failed;

static size_t count(const wc_backend *b, const char *needle, size_t threads)
{
    wc_query q = {text, sizeof text, needle, strlen(needle), 1, &WC_RULE_LINES};
    return wc_count_words(b, &q, threads, 64 * 1024);
}

/* How often the word tables of `threads` threads saw "is". */
static size_t tally_is(size_t threads)
{
    wc_table tables[8], all;
    for (size_t k = 0; k < threads; k++)
        wc_table_init(&tables[k], 1);
    wc_table_init(&all, 1);
    const wc_word_finder finder = {&WC_RULE_LINES, wc_backend_best(), NULL};
    wc_tally_all(tables, threads, &finder, text, sizeof text, 1, false, 64 * 1024);
    wc_table_merge(&all, tables, threads);
    size_t is = 0;
    for (size_t i = 0; i < all.nwords; i++) {
        const wc_word *w = wc_table_word(&all, i);
        if (w->len == 2 && memcmp(wc_table_units(&all, w), "is", 2) == 0)
            is = *wc_table_count(&all, i);
    }
    wc_table_free(&all);
    return is;
}

static void *caller(void *arg)
{
    size_t id = (size_t)arg;
    const wc_backend *all[8];
    size_t n = wc_backends_available(all, 8);
    for (int r = 0; r < rounds; r++) {
        for (size_t threads = 1; threads <= 8; threads++) {
            const wc_backend *b = all[(id + threads + (size_t)r) % n];
            size_t got = count(b, "is", threads), empty = count(b, "", threads);
            if (got != expected_is || empty != expected_empty) {
                fprintf(stderr, "caller %zu, %s, %zu threads: %zu and %zu, expected %zu and %zu\n",
                        id, b->name, threads, got, empty, expected_is, expected_empty);
                failed = 1;
            }
            size_t tallied = tally_is(threads);
            if (tallied != expected_is) {
                fprintf(stderr, "caller %zu, word tables on %zu threads: %zu \"is\", expected %zu\n",
                        id, threads, tallied, expected_is);
                failed = 1;
            }
        }
    }
    return NULL;
}

static void *stopper(void *arg)
{
    (void)arg;
    for (int r = 0; r < rounds * 4; r++)
        wc_pool_shutdown();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        rounds = atoi(argv[1]);
    const char *words[] = {"is", "it", "this", "", "is\r", "i"};
    const char *seps[] = {" ", "\n", "\r\n", "  ", "\r"};
    size_t pos = 0;
    for (unsigned k = 0; pos + 8 < sizeof text; k = k * 1103515245u + 12345u) {
        const char *w = words[(k >> 16) % 6], *s = seps[(k >> 8) % 5];
        memcpy(text + pos, w, strlen(w));
        pos += strlen(w);
        memcpy(text + pos, s, strlen(s));
        pos += strlen(s);
    }
    memset(text + pos, 'x', sizeof text - pos);
    expected_is = count(&wc_backend_scalar, "is", 1);
    expected_empty = count(&wc_backend_scalar, "", 1);

    pthread_t threads[CALLERS + 1];
    for (size_t i = 0; i < CALLERS; i++)
        pthread_create(&threads[i], NULL, caller, (void *)i);
    pthread_create(&threads[CALLERS], NULL, stopper, NULL);
    for (size_t i = 0; i <= CALLERS; i++)
        pthread_join(threads[i], NULL);
    wc_pool_shutdown();
    printf("%s: %d callers x %d rounds x 8 thread counts, %zu words \"is\"\n",
           failed ? "FAILED" : "ok", CALLERS, rounds, expected_is);
    return failed;
}
