/* Logging ("vlog"), compatible with OVS's interface.
 *
 * Every source file that logs names its module once:
 *
 *     VLOG_DEFINE_THIS_MODULE(stream);
 *
 * and then logs with VLOG_ERR(...), VLOG_WARN(...), VLOG_INFO(...),
 * VLOG_DBG(...), or the rate-limited VLOG_*_RL(&rl, ...) forms.  Each
 * module has a level per destination (console, syslog, file); a message
 * goes to each destination whose level admits it, formatted by that
 * destination's pattern.  Levels and patterns are changed at run time
 * with -v/--verbose and the vlog/... unixctl commands. */
#ifndef LIB_VLOG_H
#define LIB_VLOG_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/ds.h"
#include "lib/list.h"
#include "lib/util.h"

enum vlog_level {
    VLL_OFF,
    VLL_EMER,
    VLL_ERR,
    VLL_WARN,
    VLL_INFO,
    VLL_DBG,
    VLL_N_LEVELS
};

/* Returns "off", "emer", "err", "warn", "info", "dbg". */
const char *vlog_get_level_name(enum vlog_level);
/* Returns the level named 'name', or VLL_N_LEVELS if there is none. */
enum vlog_level vlog_get_level_val(const char *name);

/* Destinations, in the order OVS prints them in vlog/list. */
enum vlog_destination {
    VLF_CONSOLE,
    VLF_SYSLOG,
    VLF_FILE,
    VLF_N_DESTINATIONS,
    VLF_ANY_DESTINATION = -1
};

const char *vlog_get_destination_name(enum vlog_destination);
enum vlog_destination vlog_get_destination_val(const char *name);

struct vlog_module {
    struct list list_node;
    const char *name;
    enum vlog_level levels[VLF_N_DESTINATIONS];
    enum vlog_level min_level;      /* Most verbose level over all dests. */
    bool honor_rate_limits;
};

void vlog_insert_module(struct vlog_module *);
struct vlog_module *vlog_module_from_name(const char *name);
const char *vlog_get_module_name(const struct vlog_module *);

#define VLOG_DEFINE_MODULE__(MODULE)                                    \
    struct vlog_module VLM_##MODULE = {                                 \
        .list_node = { NULL, NULL },                                    \
        .name = #MODULE,                                                \
        .levels = { VLL_INFO, VLL_INFO, VLL_INFO },                     \
        .min_level = VLL_INFO,                                          \
        .honor_rate_limits = true,                                      \
    };                                                                  \
    static void vlog_register_##MODULE(void) __attribute__((constructor)); \
    static void vlog_register_##MODULE(void)                            \
    {                                                                   \
        vlog_insert_module(&VLM_##MODULE);                              \
    }

/* Declares this file's module; the module's levels start at OVS's
 * defaults (console and syslog and file "info" are adjusted by vlog.c to
 * OVS's defaults: console INFO, syslog INFO, file INFO). */
#define VLOG_DEFINE_THIS_MODULE(MODULE)                                 \
    VLOG_DEFINE_MODULE__(MODULE)                                        \
    static struct vlog_module *const THIS_MODULE = &VLM_##MODULE

/* Rate limiting: a token bucket that refills 'rate' messages per minute
 * up to 'burst'.  Messages beyond it are counted and reported later in
 * one line ("Dropped N log messages in last S seconds ..."). */
struct vlog_rate_limit {
    unsigned int rate;          /* Tokens per minute. */
    unsigned int burst;         /* Max tokens, in thousandths of messages. */
    unsigned long long tokens;
    long long last_fill;        /* time_msec() of last refill. */
    long long first_dropped;
    long long last_dropped;
    unsigned int n_dropped;
};

#define VLOG_RATE_LIMIT_INIT(RATE, BURST)                                \
    { .rate = (RATE), .burst = (BURST), .tokens = 0, .last_fill = 0,     \
      .first_dropped = 0, .last_dropped = 0, .n_dropped = 0 }

bool vlog_is_enabled(const struct vlog_module *, enum vlog_level);
bool vlog_should_drop(const struct vlog_module *, enum vlog_level,
                      struct vlog_rate_limit *);

void vlog(const struct vlog_module *, enum vlog_level, const char *format,
          ...) PRINTF_FORMAT(3, 4);
void vlog_valist(const struct vlog_module *, enum vlog_level,
                 const char *format, va_list) PRINTF_FORMAT(3, 0);
void vlog_rate_limit(const struct vlog_module *, enum vlog_level,
                     struct vlog_rate_limit *, const char *format, ...)
    PRINTF_FORMAT(4, 5);

/* Logs at EMER and exits with status 1 (vlog_fatal) or aborts. */
noreturn void vlog_fatal(const struct vlog_module *, const char *format, ...)
    PRINTF_FORMAT(2, 3);
noreturn void vlog_abort(const struct vlog_module *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

#define VLOG(LEVEL, ...)                                                \
    do {                                                                \
        enum vlog_level level__ = (LEVEL);                              \
        if (THIS_MODULE->min_level >= level__) {                        \
            vlog(THIS_MODULE, level__, __VA_ARGS__);                    \
        }                                                               \
    } while (0)

#define VLOG_RL(RL, LEVEL, ...)                                         \
    do {                                                                \
        enum vlog_level level__ = (LEVEL);                              \
        if (THIS_MODULE->min_level >= level__) {                        \
            vlog_rate_limit(THIS_MODULE, level__, RL, __VA_ARGS__);     \
        }                                                               \
    } while (0)

#define VLOG_FATAL(...) vlog_fatal(THIS_MODULE, __VA_ARGS__)
#define VLOG_ABORT(...) vlog_abort(THIS_MODULE, __VA_ARGS__)
#define VLOG_EMER(...) VLOG(VLL_EMER, __VA_ARGS__)
#define VLOG_ERR(...) VLOG(VLL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) VLOG(VLL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) VLOG(VLL_INFO, __VA_ARGS__)
#define VLOG_DBG(...) VLOG(VLL_DBG, __VA_ARGS__)

#define VLOG_ERR_RL(RL, ...) VLOG_RL(RL, VLL_ERR, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) VLOG_RL(RL, VLL_WARN, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) VLOG_RL(RL, VLL_INFO, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) VLOG_RL(RL, VLL_DBG, __VA_ARGS__)

#define VLOG_IS_ERR_ENABLED() (THIS_MODULE->min_level >= VLL_ERR)
#define VLOG_IS_WARN_ENABLED() (THIS_MODULE->min_level >= VLL_WARN)
#define VLOG_IS_INFO_ENABLED() (THIS_MODULE->min_level >= VLL_INFO)
#define VLOG_IS_DBG_ENABLED() (THIS_MODULE->min_level >= VLL_DBG)

/* Configuration. */
void vlog_set_levels(struct vlog_module *, enum vlog_destination,
                     enum vlog_level);
/* Parses a "module:destination:level" spec (any order, any subset, words
 * separated by ':' or spaces, plus "pattern:dest:PATTERN" and
 * "FACILITY:name") as OVS's -v and vlog/set accept it.  Returns NULL on
 * success, otherwise a malloc'd error message. */
char *vlog_set_levels_from_string(const char *) OVS_WARN_UNUSED_RESULT;
void vlog_set_levels_from_string_assert(const char *);
/* Handles -v/--verbose[=SPEC]; with no SPEC, sets every module's console
 * and file levels to dbg (and syslog too, as OVS does). */
void vlog_set_verbosity(const char *arg);
void vlog_set_pattern(enum vlog_destination, const char *pattern);
/* Sets the log file ('NULL' means the default,
 * $OVS_LOGDIR/<program>.log) and opens it; returns 0 or an errno value. */
int vlog_set_log_file(const char *file_name);
int vlog_reopen_log_file(void);
void vlog_close_log_file(void);
/* Sets the syslog facility by name ("daemon", "local0", ...). */
int vlog_set_syslog_facility(const char *name);
void vlog_set_syslog_method(const char *method);

/* Appends the "vlog/list" table to 'out'. */
void vlog_get_levels(struct ds *out);
/* Appends the "vlog/list-pattern" text to 'out'. */
void vlog_get_patterns(struct ds *out);

/* Registers the vlog/... unixctl commands.  Call once, after parsing
 * options. */
void vlog_init(void);

/* Disables logging to the console (for --detach, after the parent
 * exits). */
void vlog_disable_console(void);

/* Prints the help text for the logging options. */
void vlog_usage(void);

/* getopt_long() glue shared by every daemon and tool:
 *
 *     enum { ..., VLOG_OPTION_ENUMS };
 *     static struct option long_options[] = { ..., VLOG_LONG_OPTIONS };
 *     switch (c) { ... VLOG_OPTION_HANDLERS }
 */
#define VLOG_OPTION_ENUMS                                               \
    OPT_LOG_FILE,                                                       \
    OPT_SYSLOG_IMPL,                                                    \
    OPT_SYSLOG_FACILITY

#define VLOG_LONG_OPTIONS                                               \
    {"verbose", optional_argument, NULL, 'v'},                          \
    {"log-file", optional_argument, NULL, OPT_LOG_FILE},                \
    {"syslog-method", required_argument, NULL, OPT_SYSLOG_IMPL},        \
    {"syslog-target", required_argument, NULL, OPT_SYSLOG_IMPL},        \
    {"syslog-facility", required_argument, NULL, OPT_SYSLOG_FACILITY}

#define VLOG_OPTION_HANDLERS                                            \
    case 'v':                                                           \
        vlog_set_verbosity(optarg);                                     \
        break;                                                          \
    case OPT_LOG_FILE:                                                  \
        vlog_set_log_file(optarg);                                      \
        break;                                                          \
    case OPT_SYSLOG_IMPL:                                               \
        vlog_set_syslog_method(optarg);                                 \
        break;                                                          \
    case OPT_SYSLOG_FACILITY:                                           \
        if (vlog_set_syslog_facility(optarg)) {                         \
            ovs_fatal(0, "unknown syslog facility %s", optarg);         \
        }                                                               \
        break;

#endif /* lib/vlog.h */
