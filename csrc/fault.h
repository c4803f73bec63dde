/* Surviving a memory-mapped file that shrinks while it is read.
 *
 * Reading a page of a mapping that lies past the file's end raises SIGBUS,
 * which kills the process: log rotation by copytruncate does this to any
 * reader that maps the log, and so does a storage error. A read that runs
 * under wc_fault_guard_run instead returns false:
 *
 *     wc_fault_handler_install();                    // once per count
 *     if (!wc_fault_guard_run(map, map_len, count_task, &task))
 *         ... the file shrank: report it, unmap, go on
 *
 * Only a SIGBUS raised by the guarding thread, at an address inside the
 * guarded range, while the guard runs, is taken; any other is handed to the
 * handler that was installed before (or the default action: death). `fn` must
 * hold no lock and own no resource that a jump out of it would leak: the
 * kernel's range counters only read memory and add.
 */
#ifndef WORD_COUNT_FAULT_H
#define WORD_COUNT_FAULT_H

#include <stdbool.h>
#include <stddef.h>

/* Puts the SIGBUS handler in place, on top of whatever handler is there now
 * (faulthandler, a sanitizer, or one installed after ours); cheap when ours
 * is already there. Safe to call from any thread. */
void wc_fault_handler_install(void);

/* Runs fn(ctx); returns false if it was cut short by a SIGBUS at an address
 * in [lo, lo + len), true when it returned. Guards may not nest. */
bool wc_fault_guard_run(const void *lo, size_t len, void (*fn)(void *ctx), void *ctx);

#endif
