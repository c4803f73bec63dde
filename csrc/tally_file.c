/* wc_tally_fd of tally_file.h. */
#define _GNU_SOURCE
#include "tally_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static bool out_of_memory(const wc_table *tables, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (tables[k].out_of_memory)
            return true;
    return false;
}

static wc_file_status tally_mapped(const wc_tally_file_query *q, const wc_mapping *m,
                                   wc_table *tables)
{
    wc_fault_handler_install();
    return wc_tally_all(tables, q->threads, q->finder, m->text, m->len, 1, true, 0)
        ? WC_FILE_COUNTED : WC_FILE_SHRANK;
}

/* After the last separator of buf[from .. len), or 0 if it holds none. (A
 * UTF-8 space cut by the block's end is not one yet: it is carried, and
 * seen whole in the next block.) */
static size_t after_last_separator(const wc_rule *rule, const char *buf, size_t from, size_t len)
{
    for (size_t i = len; i > from; i--)
        if (wc_separator_at(rule, buf, len, i - 1, 1))
            return i;
    return 0;
}

/* Where the words begin again after the word being skipped: just past the
 * first run of separators in buf[0 .. len) (len, if the run reaches it), or
 * SIZE_MAX if it holds none. */
static size_t after_first_separators(const wc_rule *rule, const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && !wc_separator_at(rule, buf, len, i, 1))
        i++;
    if (i == len)
        return SIZE_MAX;
    while (i < len && wc_separator_at(rule, buf, len, i, 1))
        i++;
    return i;
}

static wc_file_status tally_stream(const wc_tally_file_query *q, int fd, wc_table *tables,
                                   int *error)
{
    const wc_word_filter *filter = q->finder->filter;
    /* With a filter (a folded search), a word longer than it lets by is
     * dropped as it is read, but for the bytes a UTF-8 space cut by the
     * block's end needs: memory stays at a block even for an endless word
     * (`word-count -i x /dev/zero`). */
    bool skipping = false;
    size_t cap = q->block ? q->block : WC_FILE_BLOCK;
    char *buf = malloc(cap);
    if (!buf) {
        *error = ENOMEM;
        return WC_FILE_OS_ERROR;
    }
    size_t len = 0;         /* bytes in buf: the carried word, then new ones */
    uint64_t base = 0;      /* buf[0]'s offset in the input */
    bool eof = false;
    char last = 0;          /* the input's last byte so far */
    wc_file_status status;
    for (;;) {
        size_t carried = len;
        status = wc_file_fill(fd, buf, cap, &len, &eof, q->interrupted, q->ctx, error);
        if (status != WC_FILE_COUNTED)
            break;
        if (len > carried)
            last = buf[len - 1];
        if (skipping) {
            size_t start = after_first_separators(q->finder->rule, buf, len);
            if (start == SIZE_MAX && !eof) {    /* still inside the long word */
                size_t kept = len < RULE_REACH ? len : RULE_REACH;
                memmove(buf, buf + len - kept, kept);
                base += len - kept;
                len = kept;
                if (q->interrupted && q->interrupted(q->ctx)) {
                    status = WC_FILE_INTERRUPTED;
                    break;
                }
                continue;
            }
            /* (At the end, a last word that is still the long one passes no
             * filter: nothing is left to count.) */
            if (start == SIZE_MAX)
                start = len;
            memmove(buf, buf + start, len - start);
            base += start;
            len -= start;
            carried = 0;
            skipping = false;
        }
        /* The carried bytes hold no separator: look at the new ones only
         * (and, for a UTF-8 space cut by the last block's end, the two
         * carried bytes before them). */
        size_t from = carried > RULE_REACH ? carried - RULE_REACH : 0;
        size_t end = after_last_separator(q->finder->rule, buf, from, len);
        wc_tally_text(tables, q->threads, q->finder, buf, len, 1, end, base, false, 0);
        if (eof) {
            wc_tally_tail(&tables[0], q->finder, buf, end, len, base + len > 0,
                          (unsigned char)last, base);
            break;
        }
        memmove(buf, buf + end, len - end);
        len -= end;
        base += end;
        if (filter && len > filter->max_len + RULE_REACH) {
            memmove(buf, buf + len - RULE_REACH, RULE_REACH);
            base += len - RULE_REACH;
            len = RULE_REACH;
            skipping = true;
        }
        if (len == cap) {   /* one word fills the block: make room for more */
            char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, 2 * cap) : NULL;
            if (!bigger) {
                *error = ENOMEM;
                status = WC_FILE_OS_ERROR;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        if (out_of_memory(tables, q->threads))
            break;
        if (q->interrupted && q->interrupted(q->ctx)) {
            status = WC_FILE_INTERRUPTED;
            break;
        }
    }
    free(buf);
    return status;
}

wc_file_status wc_tally_fd(const wc_tally_file_query *q, int fd, wc_table *tables, int *error)
{
    wc_mapping m;
    wc_file_status status = WC_FILE_COUNTED;
    switch (wc_file_plan(fd, &m, error)) {
    case WC_FD_FAILED:
        return WC_FILE_OS_ERROR;
    case WC_FD_AT_END:
        break;
    case WC_FD_MAPPED:
        status = tally_mapped(q, &m, tables);
        wc_file_unmap(fd, &m, status == WC_FILE_COUNTED);
        break;
    case WC_FD_READ:
        status = tally_stream(q, fd, tables, error);
        break;
    }
    if (status == WC_FILE_COUNTED && out_of_memory(tables, q->threads)) {
        *error = ENOMEM;
        status = WC_FILE_OS_ERROR;
    }
    return status;
}
