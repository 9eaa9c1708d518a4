/* First version: registration and totals.  The coverage/show report with
 * rates is being completed in this file. */
#include "lib/coverage.h"

#include <string.h>

#include "lib/util.h"

static struct coverage_counter **counters;
static size_t n_counters, allocated_counters;

void
coverage_counter_register(struct coverage_counter *counter)
{
    if (n_counters >= allocated_counters) {
        counters = x2nrealloc(counters, &allocated_counters,
                              sizeof *counters);
    }
    counters[n_counters++] = counter;
}

long long
coverage_get_total(const char *name)
{
    for (size_t i = 0; i < n_counters; i++) {
        if (!strcmp(counters[i]->name, name)) {
            return atomic_load_explicit(&counters[i]->count,
                                        memory_order_relaxed);
        }
    }
    return -1;
}
