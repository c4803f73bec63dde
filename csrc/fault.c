/* The SIGBUS guard of fault.h.
 *
 * A guard is a sigjmp_buf and an address range, pointed to by a thread-local
 * variable while fn runs. SIGBUS is synchronous: it is delivered to the thread
 * whose load faulted, so the handler reads that thread's guard and, if the
 * faulting address lies in its range, jumps back to wc_fault_guard_run.
 *
 * Why each detail:
 * - SA_NODEFER: SIGBUS stays unblocked while the handler runs, so the jump
 *   out of it can skip restoring the signal mask (sigsetjmp(env, 0): no
 *   system call per guard), and the next SIGBUS on this thread is not a
 *   blocked synchronous signal, which the kernel would answer with death.
 * - initial-exec TLS: reading it is one load from the thread pointer, with no
 *   call that might allocate, as a signal handler needs.
 * - A SIGBUS that is not ours: the previous handler is put back and the
 *   handler returns, so the faulting load runs again and faults into it (a
 *   signal sent by kill() is raised again instead: it would not repeat).
 */
#define _GNU_SOURCE
#include "fault.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>

typedef struct {
    sigjmp_buf env;
    uintptr_t lo, hi;
} fault_guard;

static _Thread_local fault_guard *volatile current_guard
    __attribute__((tls_model("initial-exec")));

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction previous_action;

static void on_sigbus(int signum, siginfo_t *info, void *context)
{
    (void)context;
    fault_guard *guard = current_guard;
    uintptr_t address = (uintptr_t)info->si_addr;
    if (guard && info->si_code > 0 && address >= guard->lo && address < guard->hi)
        siglongjmp(guard->env, 1);
    sigaction(signum, &previous_action, NULL);
    if (info->si_code <= 0)
        raise(signum);
}

void wc_fault_handler_install(void)
{
    pthread_mutex_lock(&install_lock);
    struct sigaction now;
    if (sigaction(SIGBUS, NULL, &now) == 0
        && !((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_sigbus)) {
        struct sigaction ours = {.sa_sigaction = on_sigbus,
                                 .sa_flags = SA_SIGINFO | SA_NODEFER};
        sigemptyset(&ours.sa_mask);
        sigaction(SIGBUS, &ours, &previous_action);
    }
    pthread_mutex_unlock(&install_lock);
}

bool wc_fault_guard_run(const void *lo, size_t len, void (*fn)(void *ctx), void *ctx)
{
    fault_guard guard = {.lo = (uintptr_t)lo, .hi = (uintptr_t)lo + len};
    if (sigsetjmp(guard.env, 0)) {
        current_guard = NULL;
        return false;
    }
    current_guard = &guard;
    fn(ctx);
    current_guard = NULL;
    return true;
}
