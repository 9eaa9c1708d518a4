/* Memory usage reports: "memory/show" and the periodic log lines.
 *
 * Modules that hold many objects register a reporter, which adds
 * "name:count" pairs describing what they hold:
 *
 *     static void
 *     ports_report(struct memory_usage *usage, void *aux)
 *     {
 *         memory_usage_add(usage, "ports", n_ports);
 *     }
 *     ...
 *     memory_register_reporter(ports_report, NULL);
 *
 * "memory/show" prints every pair, sorted by name, on one line
 * ("handlers:2 ports:3").  The daemon's main loop calls memory_run() and
 * memory_wait(); after the first 10 seconds, and again whenever the peak
 * resident set size grows by half, the peak and the report are logged,
 * as OVS does. */
#ifndef LIB_MEMORY_H
#define LIB_MEMORY_H 1

#include <stddef.h>

struct ds;
struct memory_usage;

typedef void memory_report_func(struct memory_usage *, void *aux);

/* Registers 'cb(usage, aux)' to be called whenever a report is made. */
void memory_register_reporter(memory_report_func *cb, void *aux);

/* Adds 'count' to the pair called 'name' (creating it at 0). */
void memory_usage_add(struct memory_usage *, const char *name,
                      unsigned long long count);

/* Appends the current report ("a:1 b:2", no new-line; empty if nothing
 * is reported) to 'out'. */
void memory_format(struct ds *out);

void memory_run(void);
void memory_wait(void);

/* Registers "memory/show" (unixctl_server_create() does this).  Safe to
 * call more than once. */
void memory_init(void);

#endif /* lib/memory.h */
