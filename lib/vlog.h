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
 * with -v/--verbose and the vlog/... unixctl commands.
 *
 * Logging is thread-safe: any thread may log, and each message is written
 * to each destination in one piece. */
#ifndef LIB_VLOG_H
#define LIB_VLOG_H 1

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

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

/* Returns "OFF", "EMER", "ERR", "WARN", "INFO" or "DBG" (the spelling of
 * vlog/list and of the %p escape). */
const char *vlog_get_level_name(enum vlog_level);
/* Returns the level named 'name' (case does not matter), or VLL_N_LEVELS
 * if there is none. */
enum vlog_level vlog_get_level_val(const char *name);

/* Destinations, in the order OVS prints them in vlog/list. */
enum vlog_destination {
    VLF_CONSOLE,
    VLF_SYSLOG,
    VLF_FILE,
    VLF_N_DESTINATIONS,
    VLF_ANY_DESTINATION = -1
};

/* Returns "console", "syslog" or "file". */
const char *vlog_get_destination_name(enum vlog_destination);
/* Returns the destination named 'name' (case does not matter),
 * VLF_ANY_DESTINATION for "any", or VLF_N_DESTINATIONS if there is
 * none. */
enum vlog_destination vlog_get_destination_val(const char *name);

struct vlog_module {
    struct list list_node;
    const char *name;
    enum vlog_level levels[VLF_N_DESTINATIONS];
    enum vlog_level min_level; /* Most verbose level over the
                                * destinations in use. */
    bool honor_rate_limits;
};

void vlog_insert_module(struct vlog_module *);
/* Returns the module called 'name' (case does not matter), or NULL. */
struct vlog_module *vlog_module_from_name(const char *name);
const char *vlog_get_module_name(const struct vlog_module *);

#define VLOG_DEFINE_MODULE__(MODULE)                                          \
    struct vlog_module VLM_##MODULE = {                                       \
        .list_node = {NULL, NULL},                                            \
        .name = #MODULE,                                                      \
        .levels = {VLL_INFO, VLL_INFO, VLL_INFO},                             \
        .min_level = VLL_INFO,                                                \
        .honor_rate_limits = true,                                            \
    };                                                                        \
    static void vlog_register_##MODULE(void) __attribute__((constructor));    \
    static void vlog_register_##MODULE(void)                                  \
    {                                                                         \
        vlog_insert_module(&VLM_##MODULE);                                    \
    }

/* Declares this file's module.  Every module starts at OVS's default
 * level, INFO, for every destination. */
#define VLOG_DEFINE_THIS_MODULE(MODULE)                                       \
    VLOG_DEFINE_MODULE__(MODULE)                                              \
    static struct vlog_module *const THIS_MODULE = &VLM_##MODULE

/* Rate limiting: a token bucket that admits 'rate' messages per minute
 * on average and bursts of up to 'burst' messages (never more than
 * 'rate').  Messages beyond it are counted, and the next admitted message
 * is preceded by one summary line ("Dropped N log messages in last S
 * seconds (most recently, T seconds ago) due to excessive rate").
 *
 * Tokens are counted in 1/60000ths of a message, so that the bucket
 * gains exactly 'rate' tokens per millisecond. */
#define VLOG_MSG_TOKENS (60 * 1000)

struct vlog_rate_limit {
    unsigned int rate;         /* Messages per minute. */
    unsigned long long burst;  /* Bucket size, in tokens. */
    unsigned long long tokens; /* Tokens in the bucket. */
    long long last_fill;       /* time_msec() of last refill. */
    time_t first_dropped;      /* time_now() of first drop since the
                                * last summary. */
    time_t last_dropped;       /* time_now() of latest drop. */
    unsigned int n_dropped;    /* Drops since the last summary. */
    pthread_mutex_t mutex;
};

#define VLOG_RATE_LIMIT_INIT(RATE, BURST)                                     \
    {                                                                         \
        .rate = (RATE),                                                       \
        .burst = (unsigned long long) MIN(RATE, BURST) * VLOG_MSG_TOKENS,     \
        .tokens = 0, .last_fill = LLONG_MIN, .first_dropped = 0,              \
        .last_dropped = 0, .n_dropped = 0, .mutex = PTHREAD_MUTEX_INITIALIZER \
    }

bool vlog_is_enabled(const struct vlog_module *, enum vlog_level);
/* Returns true if a message at 'level' for 'module' must not be logged,
 * either because its level is disabled or because 'rl' has no token left
 * (in which case the drop is counted). */
bool vlog_should_drop(const struct vlog_module *, enum vlog_level,
                      struct vlog_rate_limit *);

void vlog(const struct vlog_module *, enum vlog_level, const char *format, ...)
    PRINTF_FORMAT(3, 4);
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

#define VLOG(LEVEL, ...)                                                      \
    do {                                                                      \
        enum vlog_level level__ = (LEVEL);                                    \
        if (THIS_MODULE->min_level >= level__) {                              \
            vlog(THIS_MODULE, level__, __VA_ARGS__);                          \
        }                                                                     \
    } while (0)

#define VLOG_RL(RL, LEVEL, ...)                                               \
    do {                                                                      \
        enum vlog_level level__ = (LEVEL);                                    \
        if (THIS_MODULE->min_level >= level__) {                              \
            vlog_rate_limit(THIS_MODULE, level__, RL, __VA_ARGS__);           \
        }                                                                     \
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

/* Sets the level of 'module' (NULL: every module) for 'destination'
 * (VLF_ANY_DESTINATION: every destination). */
void vlog_set_levels(struct vlog_module *, enum vlog_destination,
                     enum vlog_level);
/* Returns the level of 'module' for 'destination'. */
enum vlog_level vlog_get_level(const struct vlog_module *,
                               enum vlog_destination);

/* Parses and applies one spec as -v and vlog/set accept it:
 *
 *   - words separated by spaces, commas or colons, at most one of each of
 *     module name, destination ("console", "syslog", "file") and level
 *     ("off" ... "dbg"), in any order; "any" is accepted and ignored;
 *     what is missing means every module, every destination, "dbg";
 *   - "PATTERN:DESTINATION:PATTERN" sets a destination's pattern
 *     (DESTINATION may be "any");
 *   - "FACILITY:NAME" sets the syslog facility.
 *
 * Returns NULL on success, otherwise a malloc'd error message (OVS's
 * texts, e.g. 'no destination, level, or module "foo"'); on error
 * nothing is changed. */
char *vlog_set_levels_from_string(const char *) OVS_WARN_UNUSED_RESULT;
void vlog_set_levels_from_string_assert(const char *);

/* Handles -v/--verbose[=SPEC]: with no SPEC, sets every module and
 * destination to DBG; with a bad SPEC, exits with OVS's message
 * ('processing "SPEC": ...'). */
void vlog_set_verbosity(const char *arg);

/* Sets the pattern of 'destination' (VLF_ANY_DESTINATION: all). */
void vlog_set_pattern(enum vlog_destination, const char *pattern);
/* Returns the pattern of 'destination' (valid until the next change). */
const char *vlog_get_pattern(enum vlog_destination);

/* Sets the log file ('file_name' NULL means the default,
 * $OVS_LOGDIR/<program>.log; a relative name is made absolute now) and
 * opens it, closing any previous one.  Logs "opened log file NAME" on
 * success; on failure logs a warning and returns an errno value. */
int vlog_set_log_file(const char *file_name);
/* Returns the configured log file name, or NULL if there is none. */
const char *vlog_get_log_file(void);
/* Closes and reopens the configured log file (for log rotation).  Returns
 * 0 (also if no file is configured) or an errno value. */
int vlog_reopen_log_file(void);
/* Closes the log file, if open; vlog_reopen_log_file() opens it again. */
void vlog_close_log_file(void);

/* Parses a syslog facility name ("daemon", "local0", ...; case does not
 * matter) into '*facility' (LOG_* value).  Returns true on success. */
bool vlog_facility_from_name(const char *name, int *facility);
/* Sets the syslog facility by name; returns 0 or EINVAL. */
int vlog_set_syslog_facility(const char *name);
/* Selects how syslog messages are sent: "libc" (syslog(3), the default),
 * "unix:FILE" (datagrams to a Unix socket) or "udp:IP:PORT".  Exits with
 * OVS's error message if 'method' is none of them. */
void vlog_set_syslog_method(const char *method);
/* Also sends every syslog message, in RFC 5424 format, by UDP to
 * 'target' ("IP:PORT").  Deprecated in OVS in favour of
 * --syslog-method, and warned about as OVS does. */
void vlog_set_syslog_target(const char *target);

/* Names the calling thread or process in log messages (the %t and %T
 * escapes): "monitor" for the --monitor process, thread names for
 * worker threads.  NULL or "" restores the default ("main"). */
void vlog_set_subprogram_name(const char *name);

/* Appends the "vlog/list" table to 'out'. */
void vlog_get_levels(struct ds *out);
/* Appends the "vlog/list-pattern" table to 'out'. */
void vlog_get_patterns(struct ds *out);

/* Formats 'message' as 'pattern' says, as if logged now by 'module' at
 * 'level' with serial number 'msg_num', and appends it to 'out'. */
void vlog_format_message(const char *pattern, const struct vlog_module *,
                         enum vlog_level level, unsigned int msg_num,
                         const char *message, struct ds *out);

/* Registers the vlog/... unixctl commands (unixctl_server_create() does
 * this).  Safe to call more than once. */
void vlog_init(void);

/* Turns logging to the console off for every module (for --detach, once
 * standard error no longer goes anywhere useful). */
void vlog_disable_console(void);

/* Prints the help text for the logging options. */
void vlog_usage(void);

/* getopt_long() glue shared by every daemon and tool:
 *
 *     enum { ..., VLOG_OPTION_ENUMS };
 *     static struct option long_options[] = { ..., VLOG_LONG_OPTIONS };
 *     switch (c) { ... VLOG_OPTION_HANDLERS }
 */
#define VLOG_OPTION_ENUMS OPT_LOG_FILE, OPT_SYSLOG_IMPL, OPT_SYSLOG_TARGET

#define VLOG_LONG_OPTIONS                                                     \
    {"verbose", optional_argument, NULL, 'v'},                                \
        {"log-file", optional_argument, NULL, OPT_LOG_FILE},                  \
        {"syslog-method", required_argument, NULL, OPT_SYSLOG_IMPL},          \
    {                                                                         \
        "syslog-target", required_argument, NULL, OPT_SYSLOG_TARGET           \
    }

#define VLOG_OPTION_HANDLERS                                                  \
    case 'v':                                                                 \
        vlog_set_verbosity(optarg);                                           \
        break;                                                                \
    case OPT_LOG_FILE:                                                        \
        if (vlog_set_log_file(optarg)) {                                      \
            exit(EXIT_FAILURE);                                               \
        }                                                                     \
        break;                                                                \
    case OPT_SYSLOG_IMPL:                                                     \
        vlog_set_syslog_method(optarg);                                       \
        break;                                                                \
    case OPT_SYSLOG_TARGET:                                                   \
        vlog_set_syslog_target(optarg);                                       \
        break;

#endif /* lib/vlog.h */
