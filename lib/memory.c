#include "lib/memory.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/ds.h"
#include "lib/poll-loop.h"
#include "lib/timeval.h"
#include "lib/unixctl.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(memory);

/* The first report comes after the daemon has settled; later ones only
 * when the peak grew by at least half since the last report. */
#define MEMORY_FIRST_REPORT_MSEC (10 * 1000)
#define MEMORY_CHECK_INTERVAL_MSEC 1000

struct memory_pair {
    char *name;
    unsigned long long count;
};

struct memory_usage {
    struct memory_pair *pairs;
    size_t n, allocated;
};

struct memory_reporter {
    memory_report_func *cb;
    void *aux;
};

static struct memory_reporter *reporters;
static size_t n_reporters, allocated_reporters;

static long long next_check = LLONG_MIN;
static long long last_report_kb; /* 0 until the first report. */
static long long last_report_msec;

void
memory_register_reporter(memory_report_func *cb, void *aux)
{
    if (n_reporters >= allocated_reporters) {
        reporters =
            x2nrealloc(reporters, &allocated_reporters, sizeof *reporters);
    }
    reporters[n_reporters++] = (struct memory_reporter){cb, aux};
}

void
memory_usage_add(struct memory_usage *usage, const char *name,
                 unsigned long long count)
{
    for (size_t i = 0; i < usage->n; i++) {
        if (!strcmp(usage->pairs[i].name, name)) {
            usage->pairs[i].count += count;
            return;
        }
    }
    if (usage->n >= usage->allocated) {
        usage->pairs =
            x2nrealloc(usage->pairs, &usage->allocated, sizeof *usage->pairs);
    }
    usage->pairs[usage->n++] = (struct memory_pair){xstrdup(name), count};
}

static int
compare_pairs(const void *a_, const void *b_)
{
    const struct memory_pair *a = a_;
    const struct memory_pair *b = b_;
    return strcmp(a->name, b->name);
}

void
memory_format(struct ds *out)
{
    struct memory_usage usage = {NULL, 0, 0};
    for (size_t i = 0; i < n_reporters; i++) {
        reporters[i].cb(&usage, reporters[i].aux);
    }
    if (usage.n) {
        qsort(usage.pairs, usage.n, sizeof *usage.pairs, compare_pairs);
    }
    for (size_t i = 0; i < usage.n; i++) {
        ds_put_format(out, "%s%s:%llu", i ? " " : "", usage.pairs[i].name,
                      usage.pairs[i].count);
        free(usage.pairs[i].name);
    }
    free(usage.pairs);
}

static long long
peak_rss_kb(void)
{
    struct rusage usage;
    return getrusage(RUSAGE_SELF, &usage) ? 0 : usage.ru_maxrss;
}

static void
log_report(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    memory_format(&s);
    if (s.length) {
        VLOG_INFO("%s", ds_cstr(&s));
    }
    ds_destroy(&s);
}

void
memory_run(void)
{
    long long now = time_msec();
    if (next_check == LLONG_MIN) {
        next_check = time_boot_msec() + MEMORY_FIRST_REPORT_MSEC;
    }
    if (now < next_check) {
        return;
    }
    next_check = now + MEMORY_CHECK_INTERVAL_MSEC;

    long long rss = peak_rss_kb();
    if (!last_report_kb) {
        VLOG_INFO("%lld kB peak resident set size after %.1f seconds", rss,
                  (now - time_boot_msec()) / 1000.0);
    } else if (rss >= last_report_kb * 3 / 2) {
        VLOG_INFO("peak resident set size grew %lld%% in last %.1f "
                  "seconds, from %lld kB to %lld kB",
                  (rss - last_report_kb) * 100 / last_report_kb,
                  (now - last_report_msec) / 1000.0, last_report_kb, rss);
    } else {
        return;
    }
    last_report_kb = rss ? rss : 1;
    last_report_msec = now;
    log_report();
}

void
memory_wait(void)
{
    if (next_check == LLONG_MIN) {
        poll_immediate_wake();
    } else {
        poll_timer_wait_until(next_check);
    }
}

static void
memory_unixctl_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    memory_format(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
memory_init(void)
{
    static bool inited;
    if (inited) {
        return;
    }
    inited = true;
    unixctl_command_register("memory/show", "", 0, 0, memory_unixctl_show,
                             NULL);
}
