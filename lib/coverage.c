#include "lib/coverage.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/poll-loop.h"
#include "lib/timeval.h"
#include "lib/unixctl.h"
#include "lib/util.h"

/* Rates are computed from samples of every counter's total taken every
 * COVERAGE_RUN_INTERVAL ms: the last 12 deltas give the last minute, and
 * each completed minute goes into a ring of 60 that gives the last
 * hour. */
#define COVERAGE_RUN_INTERVAL 5000
#define MIN_AVG_LEN 12
#define HR_AVG_LEN 60

struct coverage_history {
    unsigned long long last_total;       /* Total at the last sample. */
    unsigned long long min[MIN_AVG_LEN]; /* Per-sample deltas. */
    unsigned long long hr[HR_AVG_LEN];   /* Per-minute sums. */
};

static struct coverage_counter **counters;
static size_t n_counters, allocated_counters;

/* Sampling state, protected by 'coverage_mutex' (coverage/show may run
 * while another thread calls coverage_run()). */
static pthread_mutex_t coverage_mutex = PTHREAD_MUTEX_INITIALIZER;
static long long next_sample = LLONG_MIN;
static unsigned int min_idx; /* Next slot in 'min'. */
static unsigned int hr_idx;  /* Next slot in 'hr'. */

void
coverage_counter_register(struct coverage_counter *counter)
{
    if (n_counters >= allocated_counters) {
        counters = x2nrealloc(counters, &allocated_counters, sizeof *counters);
    }
    counter->history = xzalloc(sizeof *counter->history);
    counters[n_counters++] = counter;
}

static unsigned long long
counter_total(const struct coverage_counter *counter)
{
    return atomic_load_explicit(&counter->count, memory_order_relaxed);
}

long long
coverage_get_total(const char *name)
{
    for (size_t i = 0; i < n_counters; i++) {
        if (!strcmp(counters[i]->name, name)) {
            return counter_total(counters[i]);
        }
    }
    return -1;
}

static void
coverage_sample(void)
{
    for (size_t i = 0; i < n_counters; i++) {
        struct coverage_history *h = counters[i]->history;
        unsigned long long total = counter_total(counters[i]);
        h->min[min_idx] = total - h->last_total;
        h->last_total = total;
    }
    min_idx = (min_idx + 1) % MIN_AVG_LEN;

    if (!min_idx) {
        for (size_t i = 0; i < n_counters; i++) {
            struct coverage_history *h = counters[i]->history;
            unsigned long long sum = 0;
            for (int j = 0; j < MIN_AVG_LEN; j++) {
                sum += h->min[j];
            }
            h->hr[hr_idx] = sum;
        }
        hr_idx = (hr_idx + 1) % HR_AVG_LEN;
    }
}

void
coverage_run(void)
{
    long long now = time_msec();

    pthread_mutex_lock(&coverage_mutex);
    if (next_sample == LLONG_MIN) {
        next_sample = now + COVERAGE_RUN_INTERVAL;
    }
    /* After a long stall, samples that were missed count as empty
     * intervals rather than crediting the whole stall to one. */
    while (now >= next_sample) {
        coverage_sample();
        next_sample += COVERAGE_RUN_INTERVAL;
    }
    pthread_mutex_unlock(&coverage_mutex);
}

void
coverage_wait(void)
{
    pthread_mutex_lock(&coverage_mutex);
    long long when = next_sample;
    pthread_mutex_unlock(&coverage_mutex);
    if (when == LLONG_MIN) {
        poll_immediate_wake();
    } else {
        poll_timer_wait_until(when);
    }
}

void
coverage_format(struct ds *out)
{
    pthread_mutex_lock(&coverage_mutex);

    /* A hash of which counters have been hit, so that two reports can be
     * told apart at a glance. */
    uint32_t hash = 0;
    for (size_t i = 0; i < n_counters; i++) {
        if (counter_total(counters[i])) {
            hash = hash_string(counters[i]->name, hash);
        }
    }

    ds_put_format(out,
                  "Event coverage, avg rate over last: %d seconds, "
                  "last minute, last hour,  hash=%08" PRIx32 ":\n",
                  COVERAGE_RUN_INTERVAL / 1000, hash);

    unsigned int last_min = (min_idx + MIN_AVG_LEN - 1) % MIN_AVG_LEN;
    size_t n_never_hit = 0;
    for (size_t i = 0; i < n_counters; i++) {
        const struct coverage_history *h = counters[i]->history;
        unsigned long long total = counter_total(counters[i]);
        if (!total) {
            n_never_hit++;
            continue;
        }

        /* The hour also includes the samples of the minute that is not
         * complete yet. */
        unsigned long long min_sum = 0, hr_sum = 0, cur_min_sum = 0;
        for (unsigned int j = 0; j < MIN_AVG_LEN; j++) {
            min_sum += h->min[j];
            if (j < min_idx) {
                cur_min_sum += h->min[j];
            }
        }
        for (int j = 0; j < HR_AVG_LEN; j++) {
            hr_sum += h->hr[j];
        }
        hr_sum += cur_min_sum;

        ds_put_format(out,
                      "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   "
                      "total: %llu\n",
                      counters[i]->name,
                      h->min[last_min] * 1000.0 / COVERAGE_RUN_INTERVAL,
                      min_sum / 60.0, hr_sum / 3600.0, total);
    }
    ds_put_format(out, "%zu events never hit\n", n_never_hit);

    pthread_mutex_unlock(&coverage_mutex);
}

static void
coverage_unixctl_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    coverage_format(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
coverage_unixctl_read_counter(struct unixctl_conn *conn, int argc OVS_UNUSED,
                              const char *argv[], void *aux OVS_UNUSED)
{
    long long total = coverage_get_total(argv[1]);
    if (total < 0) {
        unixctl_command_reply_error(conn, "No such counter");
        return;
    }
    char *reply = xasprintf("%lld\n", total);
    unixctl_command_reply(conn, reply);
    free(reply);
}

void
coverage_init(void)
{
    static bool inited;
    if (inited) {
        return;
    }
    inited = true;
    unixctl_command_register("coverage/show", "", 0, 0, coverage_unixctl_show,
                             NULL);
    unixctl_command_register("coverage/read-counter", "COUNTER", 1, 1,
                             coverage_unixctl_read_counter, NULL);
}
