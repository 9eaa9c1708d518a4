/* Coverage counters: cheap named event counters that 'coverage/show'
 * reports with their recent rates, for debugging what a daemon is busy
 * doing.
 *
 *     COVERAGE_DEFINE(stream_open);       at file scope, once
 *     COVERAGE_INC(stream_open);          wherever the event happens
 *
 * Counters are process-wide and may be incremented from any thread. */
#ifndef LIB_COVERAGE_H
#define LIB_COVERAGE_H 1

#include <stdatomic.h>

#include "lib/ds.h"

struct coverage_counter {
    const char *name;
    atomic_ullong count;              /* Events since start. */
    struct coverage_history *history; /* Owned by coverage.c. */
};

void coverage_counter_register(struct coverage_counter *);

#define COVERAGE_DEFINE(COUNTER)                                              \
    static struct coverage_counter counter_##COUNTER = {#COUNTER, 0, NULL};   \
    static void coverage_register_##COUNTER(void)                             \
        __attribute__((constructor));                                         \
    static void coverage_register_##COUNTER(void)                             \
    {                                                                         \
        coverage_counter_register(&counter_##COUNTER);                        \
    }

#define COVERAGE_ADD(COUNTER, AMOUNT)                                         \
    atomic_fetch_add_explicit(&counter_##COUNTER.count, (AMOUNT),             \
                              memory_order_relaxed)
#define COVERAGE_INC(COUNTER) COVERAGE_ADD(COUNTER, 1)

/* Registers the "coverage/show" and "coverage/read-counter" unixctl
 * commands (unixctl_server_create() does this).  Safe to call more than
 * once. */
void coverage_init(void);

/* Samples the counters for the per-second/minute/hour rates; call from
 * the main loop (it does work at most every 5 seconds). */
void coverage_run(void);
void coverage_wait(void);

/* Appends the "coverage/show" report to 'out'. */
void coverage_format(struct ds *out);

/* Returns the current total of the counter called 'name', or -1 if there
 * is no such counter (for tests). */
long long coverage_get_total(const char *name);

#endif /* lib/coverage.h */
