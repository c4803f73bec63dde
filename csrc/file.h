/* Counting what an open file descriptor holds, from its position to its end.
 *
 *     count = 0
 *     if regular file with a size, and mmap works:   # the fast way, no copy
 *         count = wc_count_words_guarded(map(fd, position .. size))
 *         seek to size                               # consumed, as a read would
 *     else:                                          # pipes, ttys, /proc, /sys
 *         for block in reads(fd):                    # blocks of WC_FILE_BLOCK
 *             count += starts in block whose word ends inside it
 *             keep the bytes the rule looks at around the starts left
 *             (needle_len + 2 * RULE_REACH + 1) for the next one
 *
 * Both run without the GIL. A read that fails with EINTR, and the end of each
 * block, call `interrupted` (which may run Python's signal handlers), and the
 * count stops if it returns true: a read that never blocks (/dev/zero, a
 * fast pipe) gets no EINTR, and Ctrl-C must still reach it.
 */
#ifndef WORD_COUNT_FILE_H
#define WORD_COUNT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kernel.h"

/* Bytes read at a time where the file is not mapped: past a few MiB, larger
 * blocks save nothing on the reads and cost memory. */
#define WC_FILE_BLOCK ((size_t)8 * 1024 * 1024)

typedef enum {
    WC_FILE_COUNTED,        /* *count holds the count */
    WC_FILE_OS_ERROR,       /* a system call failed: *error holds its errno */
    WC_FILE_SHRANK,         /* the mapped file shrank (SIGBUS) while counted */
    WC_FILE_INTERRUPTED,    /* `interrupted` returned true */
} wc_file_status;

typedef struct {
    const wc_backend *backend;
    const wc_rule *rule;    /* for 1-byte units */
    const void *needle;     /* bytes */
    size_t needle_len;
    size_t threads;
    size_t parallel_min_bytes;
    size_t block;           /* bytes read at a time: WC_FILE_BLOCK (tests: less) */
    bool (*interrupted)(void *ctx);
    void *ctx;
} wc_file_query;

wc_file_status wc_count_fd(const wc_file_query *fq, int fd, size_t *count, int *error);

/* The pieces, shared with tally_file.c. */

/* What is left of a regular file, mapped: text[0 .. len), ending at the
 * file offset `end`. */
typedef struct {
    void *map;
    size_t map_len;
    const char *text;
    size_t len;
    off_t end;
} wc_mapping;

typedef enum {
    WC_FD_FAILED,   /* fstat failed: *error holds its errno */
    WC_FD_AT_END,   /* a regular file already at its end: nothing to count */
    WC_FD_MAPPED,   /* *m maps the rest of the file, from its position */
    WC_FD_READ,     /* anything else, or a file that refused mmap: read it */
} wc_fd_plan;

/* How the fd is to be counted from its position, mapped where it can be. */
wc_fd_plan wc_file_plan(int fd, wc_mapping *m, int *error);

/* Unmaps a WC_FD_MAPPED plan's file; `consumed` (the count went through)
 * also moves the fd past it, as reading it would have. */
void wc_file_unmap(int fd, wc_mapping *m, bool consumed);

/* Reads into buf[*len, cap) until it is full or the file ends (*eof); an
 * EINTR calls interrupted(ctx), and a true answer stops the read. */
wc_file_status wc_file_fill(int fd, char *buf, size_t cap, size_t *len, bool *eof,
                            bool (*interrupted)(void *ctx), void *ctx, int *error);

#endif
