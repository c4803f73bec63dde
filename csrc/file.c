/* wc_count_fd of file.h: a regular file mapped and counted in place, anything
 * else read in blocks.
 *
 * Why map: on a 1 GiB file in the page cache, two threads count a mapping in
 * 73-82 ms and pread() into per-thread buffers in 117-126 ms (AMD EPYC
 * 7001, 2 vCPUs: docs/performance.md): the copy costs more than the count.
 * The price of mapping, SIGBUS when the file shrinks, is paid by fault.h.
 *
 * Blocks cut the text anywhere, even inside a word: a start i is counted in
 * the block that holds text[i-1-R .. i+m+R], everything the rule looks at
 * (R = RULE_REACH, rule.h). So a block counts the starts whose word ends
 * inside it, and its last bytes (the R + 1 before the first uncounted start,
 * and the starts themselves) begin the next block. Memory stays at one block
 * whatever the line lengths.
 */
#define _GNU_SOURCE
#include "file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"

/* Maps the regular file from `position` to `size`; false when the file
 * system refuses (sysfs, some FUSE ones). */
static bool map_file(int fd, off_t position, off_t size, wc_mapping *m)
{
    long page = sysconf(_SC_PAGESIZE);
    off_t start = position - position % (page > 0 ? page : 4096);
    m->map_len = (size_t)(size - start);
    m->map = mmap(NULL, m->map_len, PROT_READ, MAP_SHARED, fd, start);
    if (m->map == MAP_FAILED)
        return false;
    (void)madvise(m->map, m->map_len, MADV_SEQUENTIAL);  /* a hint: may fail */
    m->text = (const char *)m->map + (position - start);
    m->len = (size_t)(size - position);
    m->end = size;
    return true;
}

wc_fd_plan wc_file_plan(int fd, wc_mapping *m, int *error)
{
    struct stat info;
    if (fstat(fd, &info) < 0) {
        *error = errno;
        return WC_FD_FAILED;
    }
    /* Files that say they are empty are read: /proc's report size 0. */
    if (!S_ISREG(info.st_mode) || info.st_size == 0)
        return WC_FD_READ;
    off_t position = lseek(fd, 0, SEEK_CUR);
    if (position >= info.st_size)
        return WC_FD_AT_END;
    return position >= 0 && map_file(fd, position, info.st_size, m) ? WC_FD_MAPPED : WC_FD_READ;
}

void wc_file_unmap(int fd, wc_mapping *m, bool consumed)
{
    munmap(m->map, m->map_len);
    if (consumed)
        (void)lseek(fd, m->end, SEEK_SET);  /* what was counted is consumed, as read */
}

static wc_file_status count_mapped(const wc_file_query *fq, const wc_mapping *m, size_t *count)
{
    wc_query q = {
        .text = m->text,
        .text_len = m->len,
        .needle = fq->needle,
        .needle_len = fq->needle_len,
        .width = 1,
        .rule = fq->rule,
    };
    wc_fault_handler_install();
    return wc_count_words_guarded(fq->backend, &q, fq->threads, fq->parallel_min_bytes, count)
        ? WC_FILE_COUNTED : WC_FILE_SHRANK;
}

wc_file_status wc_file_fill(int fd, char *buf, size_t cap, size_t *len, bool *eof,
                            bool (*interrupted)(void *ctx), void *ctx, int *error)
{
    while (*len < cap) {
        ssize_t got = read(fd, buf + *len, cap - *len);
        if (got > 0) {
            *len += (size_t)got;
        }
        else if (got == 0) {
            *eof = true;
            break;
        }
        else if (errno != EINTR) {
            *error = errno;
            return WC_FILE_OS_ERROR;
        }
        else if (interrupted && interrupted(ctx)) {
            return WC_FILE_INTERRUPTED;
        }
    }
    return WC_FILE_COUNTED;
}

static wc_file_status count_stream(const wc_file_query *fq, int fd, size_t *count,
                                   int *error)
{
    const size_t m = fq->needle_len, before = RULE_REACH + 1, after = m + RULE_REACH;
    const size_t cap = (fq->block ? fq->block : WC_FILE_BLOCK) + before + after;
    char *buf = malloc(cap);
    if (!buf) {
        *error = ENOMEM;
        return WC_FILE_OS_ERROR;
    }
    size_t len = 0;        /* bytes in buf */
    size_t first = 0;      /* the first start not yet counted: `before` once buf
                              begins with the bytes before it */
    bool eof = false;
    size_t total = 0;
    wc_file_status status;
    while ((status = wc_file_fill(fd, buf, cap, &len, &eof, fq->interrupted, fq->ctx, error))
           == WC_FILE_COUNTED) {
        wc_query q = {.text = buf, .text_len = len, .needle = fq->needle,
                      .needle_len = m, .width = 1, .rule = fq->rule};
        if (eof) {
            total += wc_count_starts(fq->backend, &q, first, len, fq->threads,
                                     fq->parallel_min_bytes);
            /* The rule's one exception at the text's end (kernel.h). */
            total += fq->rule->split == WC_LINES && m == 0 && len > 0 && buf[len - 1] == ' ';
            break;
        }
        size_t end = len - after;  /* what these starts look at lies in buf */
        total += wc_count_starts(fq->backend, &q, first, end, fq->threads,
                                 fq->parallel_min_bytes);
        memmove(buf, buf + end - before, len - (end - before));
        len -= end - before;
        first = before;
        if (fq->interrupted && fq->interrupted(fq->ctx)) {
            status = WC_FILE_INTERRUPTED;
            break;
        }
    }
    free(buf);
    *count = total;
    return status;
}

wc_file_status wc_count_fd(const wc_file_query *fq, int fd, size_t *count, int *error)
{
    wc_query needle = {.needle = fq->needle, .needle_len = fq->needle_len, .width = 1,
                       .rule = fq->rule};
    wc_mapping m;
    wc_fd_plan plan = wc_file_plan(fd, &m, error);
    if (plan == WC_FD_FAILED)
        return WC_FILE_OS_ERROR;
    *count = 0;
    if (plan == WC_FD_AT_END || !wc_needle_can_match(&needle)) {
        if (plan == WC_FD_MAPPED)
            wc_file_unmap(fd, &m, false);
        return WC_FILE_COUNTED;  /* nothing to read for */
    }
    if (plan == WC_FD_READ)
        return count_stream(fq, fd, count, error);
    wc_file_status status = count_mapped(fq, &m, count);
    wc_file_unmap(fd, &m, status == WC_FILE_COUNTED);
    return status;
}
