/* Clean-up on fatal signals (SIGTERM, SIGINT, SIGHUP, SIGALRM) and at
 * exit: hooks run once, files registered here are unlinked (pidfiles,
 * unix sockets), then the process dies of the same signal so its parent
 * sees why. */
#ifndef LIB_FATAL_SIGNAL_H
#define LIB_FATAL_SIGNAL_H 1

#include <stdbool.h>

/* Installs the signal handlers; safe to call more than once. */
void fatal_signal_init(void);

/* Calls 'hook(aux)' when a fatal signal arrives (from fatal_signal_run(),
 * not from the handler, so it may do anything) and, if 'run_at_exit', at
 * exit().  'cancel(aux)', if nonnull, runs in a forked child that must not
 * run the hook. */
void fatal_signal_add_hook(void (*hook)(void *aux), void (*cancel)(void *aux),
                           void *aux, bool run_at_exit);

/* Files to unlink on a fatal signal or at exit. */
void fatal_signal_add_file_to_unlink(const char *file);
void fatal_signal_remove_file_to_unlink(const char *file);
/* Unlinks 'file' now and forgets it; returns 0 or an errno value. */
int fatal_signal_unlink_file_now(const char *file);

/* Handles a pending fatal signal: runs the hooks, then re-raises it.
 * poll_block() calls these two, so a blocked daemon dies promptly. */
void fatal_signal_run(void);
void fatal_signal_wait(void);

/* Forgets the hooks and files in a forked child that will not use them
 * (the parent keeps ownership). */
void fatal_signal_fork(void);

/* Ignores SIGPIPE, so that writing to a closed socket or pipe returns
 * EPIPE instead of killing the process. */
void fatal_ignore_sigpipe(void);

#endif /* lib/fatal-signal.h */
