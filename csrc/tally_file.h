/* Word frequencies of what an open file descriptor holds, from its position
 * to its end, as file.h counts one word:
 *
 *     if regular file with a size, and mmap works:
 *         wc_tally_all(map(fd, position .. size))   # SIGBUS guarded
 *         seek to size
 *     else:                                         # pipes, ttys, /proc, /sys
 *         for block in reads(fd):                   # blocks of WC_FILE_BLOCK
 *             count the words that end in the block
 *             keep the bytes after its last separator for the next one
 *         count the last word by the rule
 *
 * A block that holds no separator at all grows, to hold the word: memory is
 * bounded by a block and the longest word, which the table holds anyway.
 * With a word filter (a folded search), a word longer than the filter lets
 * by is dropped as it is read instead: memory is one block.
 * Offsets (wc_word.first) count from the position where the count began.
 */
#ifndef WORD_COUNT_TALLY_FILE_H
#define WORD_COUNT_TALLY_FILE_H

#include "file.h"
#include "tally.h"

typedef struct {
    const wc_word_finder *finder;   /* the rule (for 1-byte units), ... */
    size_t threads;         /* tables[0 .. threads), each wc_table_init'ed */
    size_t block;           /* bytes read at a time: WC_FILE_BLOCK (tests: less) */
    bool (*interrupted)(void *ctx);
    void *ctx;
} wc_tally_file_query;

/* WC_FILE_OS_ERROR with *error ENOMEM also when a table ran out of memory. */
wc_file_status wc_tally_fd(const wc_tally_file_query *q, int fd, wc_table *tables, int *error);

#endif
