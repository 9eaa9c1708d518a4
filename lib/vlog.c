#include "lib/vlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "lib/dirs.h"
#include "lib/timeval.h"
#include "lib/unixctl.h"

VLOG_DEFINE_THIS_MODULE(vlog);

static struct list vlog_modules = LIST_INITIALIZER(&vlog_modules);

static const char *const level_names[VLL_N_LEVELS] = {
    "OFF", "EMER", "ERR", "WARN", "INFO", "DBG",
};

/* The syslog severity (RFC 5424) of each level: OVS logs INFO as
 * "notice" and EMER as "alert". */
static const int syslog_levels[VLL_N_LEVELS] = {
    0, LOG_ALERT, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_DEBUG,
};

static const char *const destination_names[VLF_N_DESTINATIONS] = {
    "console",
    "syslog",
    "file",
};

static const char *const default_patterns[VLF_N_DESTINATIONS] = {
    "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m",
    "ovs|%05N|%c%T|%p|%m",
    "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m",
};

/* What a syslog daemon puts in front of a message it receives through
 * syslog(3); shown by vlog/list-pattern as OVS shows it. */
#define SYSLOG_PREFIX "<%B> %D{%h %e %T} %E %A:"

/* RFC 5424 format of the messages sent to --syslog-target. */
#define RFC5424_PATTERN                                                       \
    "<%B>1 %D{%Y-%m-%dT%H:%M:%S.###Z} %E %A %P %c - \xef\xbb\xbf%m"

struct facility {
    const char *name;
    int value; /* LOG_* value (code << 3). */
};

static const struct facility facilities[] = {
    {"kern", 0 << 3},    {"user", 1 << 3},    {"mail", 2 << 3},
    {"daemon", 3 << 3},  {"auth", 4 << 3},    {"syslog", 5 << 3},
    {"lpr", 6 << 3},     {"news", 7 << 3},    {"uucp", 8 << 3},
    {"clock", 9 << 3},   {"ftp", 11 << 3},    {"ntp", 12 << 3},
    {"audit", 13 << 3},  {"alert", 14 << 3},  {"clock2", 15 << 3},
    {"local0", 16 << 3}, {"local1", 17 << 3}, {"local2", 18 << 3},
    {"local3", 19 << 3}, {"local4", 20 << 3}, {"local5", 21 << 3},
    {"local6", 22 << 3}, {"local7", 23 << 3},
};

/* How syslog messages leave the process. */
enum syslog_method {
    SYSLOG_LIBC,   /* syslog(3). */
    SYSLOG_DIRECT, /* "<PRI>message" datagrams to a socket. */
};

/* Everything below is protected by 'log_mutex', except the module levels,
 * which are plain words written only by the configuration functions
 * (normally from the main thread) and read racily but harmlessly by
 * the logging macros. */
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static char *patterns[VLF_N_DESTINATIONS];
static unsigned int msg_num;

static char *log_file_name; /* Configured log file, or NULL. */
static int log_fd = -1;     /* Open log file, or -1. */

/* 0 means "not set": %B then uses local0 and direct syslog uses daemon,
 * as OVS does. */
static int syslog_facility;
static enum syslog_method syslog_method = SYSLOG_LIBC;
static int syslog_fd = -1; /* SYSLOG_DIRECT socket. */
static struct sockaddr_storage syslog_addr;
static socklen_t syslog_addr_len;
static bool syslog_opened; /* openlog() called. */

#define MAX_SYSLOG_TARGETS 8
struct syslog_target {
    int fd;
    struct sockaddr_storage addr;
    socklen_t addr_len;
};
static struct syslog_target syslog_targets[MAX_SYSLOG_TARGETS];
static size_t n_syslog_targets;

static _Thread_local char subprogram_name[32];

static void vlog_update_min_levels(void);

const char *
vlog_get_level_name(enum vlog_level level)
{
    return level < VLL_N_LEVELS ? level_names[level] : "?";
}

enum vlog_level
vlog_get_level_val(const char *name)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(name, level_names[i])) {
            return i;
        }
    }
    return VLL_N_LEVELS;
}

const char *
vlog_get_destination_name(enum vlog_destination dest)
{
    return (dest >= 0 && dest < VLF_N_DESTINATIONS ? destination_names[dest]
                                                   : "?");
}

enum vlog_destination
vlog_get_destination_val(const char *name)
{
    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        if (!strcasecmp(name, destination_names[i])) {
            return i;
        }
    }
    return (!strcasecmp(name, "any") ? VLF_ANY_DESTINATION
                                     : VLF_N_DESTINATIONS);
}

void
vlog_insert_module(struct vlog_module *module)
{
    list_push_back(&vlog_modules, &module->list_node);
}

struct vlog_module *
vlog_module_from_name(const char *name)
{
    struct vlog_module *module;
    LIST_FOR_EACH (module, list_node, &vlog_modules) {
        if (!strcasecmp(name, module->name)) {
            return module;
        }
    }
    return NULL;
}

const char *
vlog_get_module_name(const struct vlog_module *module)
{
    return module->name;
}

/* Levels. */

static bool
destination_in_use(enum vlog_destination dest)
{
    return dest != VLF_FILE || log_fd >= 0;
}

static void
update_min_level(struct vlog_module *module)
{
    enum vlog_level min_level = VLL_OFF;
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        if (destination_in_use(d) && module->levels[d] > min_level) {
            min_level = module->levels[d];
        }
    }
    module->min_level = min_level;
}

static void
vlog_update_min_levels(void)
{
    struct vlog_module *module;
    LIST_FOR_EACH (module, list_node, &vlog_modules) {
        update_min_level(module);
    }
}

static void
set_module_levels(struct vlog_module *module, enum vlog_destination dest,
                  enum vlog_level level)
{
    if (dest == VLF_ANY_DESTINATION) {
        for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
            module->levels[d] = level;
        }
    } else {
        module->levels[dest] = level;
    }
    update_min_level(module);
}

void
vlog_set_levels(struct vlog_module *module, enum vlog_destination dest,
                enum vlog_level level)
{
    ovs_assert(dest == VLF_ANY_DESTINATION
               || (dest >= 0 && dest < VLF_N_DESTINATIONS));
    ovs_assert(level < VLL_N_LEVELS);
    if (module) {
        set_module_levels(module, dest, level);
    } else {
        LIST_FOR_EACH (module, list_node, &vlog_modules) {
            set_module_levels(module, dest, level);
        }
    }
}

enum vlog_level
vlog_get_level(const struct vlog_module *module, enum vlog_destination dest)
{
    ovs_assert(dest >= 0 && dest < VLF_N_DESTINATIONS);
    return module->levels[dest];
}

bool
vlog_is_enabled(const struct vlog_module *module, enum vlog_level level)
{
    return module->min_level >= level;
}

void
vlog_disable_console(void)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
}

/* Patterns. */

static const char *
pattern_of(enum vlog_destination dest)
{
    return patterns[dest] ? patterns[dest] : default_patterns[dest];
}

void
vlog_set_pattern(enum vlog_destination dest, const char *pattern)
{
    ovs_assert(dest == VLF_ANY_DESTINATION
               || (dest >= 0 && dest < VLF_N_DESTINATIONS));
    pthread_mutex_lock(&log_mutex);
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        if (dest == VLF_ANY_DESTINATION || dest == (int) d) {
            free(patterns[d]);
            patterns[d] = xstrdup(pattern);
        }
    }
    pthread_mutex_unlock(&log_mutex);
}

const char *
vlog_get_pattern(enum vlog_destination dest)
{
    ovs_assert(dest >= 0 && dest < VLF_N_DESTINATIONS);
    return pattern_of(dest);
}

/* Facilities and syslog. */

bool
vlog_facility_from_name(const char *name, int *facility)
{
    for (size_t i = 0; i < ARRAY_SIZE(facilities); i++) {
        if (!strcasecmp(name, facilities[i].name)) {
            *facility = facilities[i].value;
            return true;
        }
    }
    return false;
}

int
vlog_set_syslog_facility(const char *name)
{
    int facility;
    if (!vlog_facility_from_name(name, &facility)) {
        return EINVAL;
    }
    pthread_mutex_lock(&log_mutex);
    syslog_facility = facility;
    if (syslog_opened) {
        closelog();
        syslog_opened = false;
    }
    pthread_mutex_unlock(&log_mutex);
    return 0;
}

/* Parses "IP:PORT" (IPv4, or IPv6 in brackets) into '*ss'.  Returns true
 * on success. */
static bool
parse_udp_address(const char *s, struct sockaddr_storage *ss, socklen_t *lenp)
{
    char *copy = xstrdup(s);
    char *host = copy;
    char *port = NULL;

    if (host[0] == '[') {
        char *end = strchr(host, ']');
        if (end && end[1] == ':') {
            *end = '\0';
            port = end + 2;
            host++;
        }
    } else {
        char *colon = strrchr(host, ':');
        if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
    }

    bool ok = false;
    if (port && port[0]) {
        struct addrinfo hints = {
            .ai_family = AF_UNSPEC,
            .ai_socktype = SOCK_DGRAM,
            .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
        };
        struct addrinfo *ai;
        if (!getaddrinfo(host, port, &hints, &ai)) {
            memcpy(ss, ai->ai_addr, ai->ai_addrlen);
            *lenp = ai->ai_addrlen;
            freeaddrinfo(ai);
            ok = true;
        }
    }
    free(copy);
    return ok;
}

static int
open_datagram_socket(int family)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    return fd;
}

void
vlog_set_syslog_method(const char *method)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    if (!strcmp(method, "libc")) {
        fd = -1;
        len = 0;
        memset(&ss, 0, sizeof ss);
    } else if (str_startswith(method, "unix:")) {
        const char *path = method + 5;
        struct sockaddr_un *sun = (struct sockaddr_un *) &ss;
        if (!path[0] || strlen(path) >= sizeof sun->sun_path) {
            ovs_fatal(0, "unsupported syslog method '%s'", method);
        }
        memset(&ss, 0, sizeof ss);
        sun->sun_family = AF_UNIX;
        memcpy(sun->sun_path, path, strlen(path));
        len = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
        fd = open_datagram_socket(AF_UNIX);
    } else if (str_startswith(method, "udp:")) {
        if (!parse_udp_address(method + 4, &ss, &len)) {
            ovs_fatal(0, "unsupported syslog method '%s'", method);
        }
        fd = open_datagram_socket(ss.ss_family);
    } else {
        ovs_fatal(0, "unsupported syslog method '%s'", method);
    }
    if (fd < 0 && strcmp(method, "libc")) {
        ovs_fatal(errno, "%s: could not create syslog socket", method);
    }

    pthread_mutex_lock(&log_mutex);
    if (syslog_fd >= 0) {
        close(syslog_fd);
    }
    syslog_method = fd >= 0 ? SYSLOG_DIRECT : SYSLOG_LIBC;
    syslog_fd = fd;
    syslog_addr = ss;
    syslog_addr_len = len;
    pthread_mutex_unlock(&log_mutex);
}

void
vlog_set_syslog_target(const char *target)
{
    struct syslog_target t;

    VLOG_WARN("--syslog-target flag is deprecated, use --syslog-method "
              "instead");
    if (!parse_udp_address(target, &t.addr, &t.addr_len)) {
        ovs_fatal(0, "%s: bad syslog target (expected IP:PORT)", target);
    }
    t.fd = open_datagram_socket(t.addr.ss_family);
    if (t.fd < 0) {
        ovs_fatal(errno, "%s: could not create syslog socket", target);
    }
    pthread_mutex_lock(&log_mutex);
    if (n_syslog_targets < MAX_SYSLOG_TARGETS) {
        syslog_targets[n_syslog_targets++] = t;
    } else {
        close(t.fd);
    }
    pthread_mutex_unlock(&log_mutex);
}

void
vlog_set_subprogram_name(const char *name)
{
    ovs_strlcpy(subprogram_name, name ? name : "", sizeof subprogram_name);
}

/* Log file. */

const char *
vlog_get_log_file(void)
{
    return log_file_name;
}

static int
open_log_file(const char *name, int *fdp)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0660);
    *fdp = fd;
    return fd < 0 ? errno : 0;
}

int
vlog_set_log_file(const char *file_name)
{
    char *new_name;
    if (file_name) {
        char cwd[PATH_MAX];
        new_name =
            abs_file_name(getcwd(cwd, sizeof cwd) ? cwd : NULL, file_name);
    } else {
        new_name = xasprintf("%s/%s.log", ovs_logdir(), program_name);
    }

    int new_fd;
    int error = open_log_file(new_name, &new_fd);
    if (error) {
        VLOG_WARN("failed to open %s for logging: %s",
                  file_name ? file_name : new_name, ovs_strerror(error));
        free(new_name);
        return error;
    }

    /* The old file gets a last line saying why it ends. */
    if (log_fd >= 0) {
        VLOG_INFO("closing log file");
    }

    pthread_mutex_lock(&log_mutex);
    int old_fd = log_fd;
    char *old_name = log_file_name;
    log_fd = new_fd;
    log_file_name = new_name;
    pthread_mutex_unlock(&log_mutex);

    if (old_fd >= 0) {
        close(old_fd);
    }
    free(old_name);
    vlog_update_min_levels();

    /* OVS names the file as it was given. */
    VLOG_INFO("opened log file %s", file_name ? file_name : new_name);
    return 0;
}

int
vlog_reopen_log_file(void)
{
    if (!log_file_name) {
        return 0;
    }
    char *name = xstrdup(log_file_name);
    int error = vlog_set_log_file(name);
    free(name);
    return error;
}

void
vlog_close_log_file(void)
{
    pthread_mutex_lock(&log_mutex);
    int fd = log_fd;
    log_fd = -1;
    pthread_mutex_unlock(&log_mutex);

    if (fd >= 0) {
        close(fd);
    }
    vlog_update_min_levels();
}

/* Parsing of -v and vlog/set specs. */

static char *
parse_pattern_spec(char *rest)
{
    /* 'rest' is "DESTINATION:PATTERN"; the pattern may contain colons and
     * may be empty. */
    while (*rest == ':') {
        rest++;
    }
    if (!*rest) {
        return xstrdup("missing destination");
    }
    char *colon = strchr(rest, ':');
    const char *pattern = "";
    if (colon) {
        *colon = '\0';
        pattern = colon + 1;
    }

    enum vlog_destination dest = vlog_get_destination_val(rest);
    if (dest == VLF_N_DESTINATIONS) {
        return xasprintf("unknown destination \"%s\"", rest);
    }
    vlog_set_pattern(dest, pattern);
    return NULL;
}

static char *
parse_facility_spec(char *rest)
{
    char *save_ptr = NULL;
    char *name = strtok_r(rest, " ,:\t", &save_ptr);
    if (!name || vlog_set_syslog_facility(name)) {
        return xstrdup("invalid facility");
    }
    return NULL;
}

static char *
parse_level_spec(char *s)
{
    struct vlog_module *module = NULL;
    enum vlog_destination dest = VLF_ANY_DESTINATION;
    enum vlog_level level = VLL_DBG;
    bool have_module = false, have_dest = false, have_level = false;

    char *save_ptr = NULL;
    for (char *word = strtok_r(s, " ,:\t", &save_ptr); word;
         word = strtok_r(NULL, " ,:\t", &save_ptr)) {
        if (!strcasecmp(word, "any")) {
            continue;
        }

        enum vlog_destination d = vlog_get_destination_val(word);
        if (d != VLF_N_DESTINATIONS) {
            if (have_dest) {
                return xstrdup("cannot specify multiple destinations");
            }
            have_dest = true;
            dest = d;
            continue;
        }

        enum vlog_level l = vlog_get_level_val(word);
        if (l != VLL_N_LEVELS) {
            if (have_level) {
                return xstrdup("cannot specify multiple levels");
            }
            have_level = true;
            level = l;
            continue;
        }

        struct vlog_module *m = vlog_module_from_name(word);
        if (m) {
            if (have_module) {
                return xstrdup("cannot specify multiple modules");
            }
            have_module = true;
            module = m;
            continue;
        }

        return xasprintf("no destination, level, or module \"%s\"", word);
    }

    vlog_set_levels(module, dest, level);
    return NULL;
}

char *
vlog_set_levels_from_string(const char *s_)
{
    char *s = xstrdup(s_);
    size_t word_len = strcspn(s, " ,:\t");
    char *error;

    if (word_len == 7 && !strncasecmp(s, "PATTERN", 7)) {
        error = parse_pattern_spec(s[7] ? s + 8 : s + 7);
    } else if (word_len == 8 && !strncasecmp(s, "FACILITY", 8)) {
        error = parse_facility_spec(s[8] ? s + 9 : s + 8);
    } else {
        error = parse_level_spec(s);
    }
    free(s);
    return error;
}

void
vlog_set_levels_from_string_assert(const char *s)
{
    char *error = vlog_set_levels_from_string(s);
    if (error) {
        ovs_abort(0, "%s", error);
    }
}

void
vlog_set_verbosity(const char *arg)
{
    if (arg) {
        char *error = vlog_set_levels_from_string(arg);
        if (error) {
            ovs_fatal(0, "processing \"%s\": %s", arg, error);
        }
    } else {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_DBG);
    }
}

/* Formatting. */

static char hostname[256];

static void
init_hostname(void)
{
    if (gethostname(hostname, sizeof hostname - 1)) {
        ovs_strlcpy(hostname, "localhost", sizeof hostname);
    }
    hostname[sizeof hostname - 1] = '\0';
}

static const char *
get_hostname(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_hostname);
    return hostname;
}

/* Appends the time 'now_msec' formatted with strftime() 'format', with
 * each run of '#' replaced by the fractional seconds (milliseconds, then
 * zeros). */
static void
format_time(struct ds *out, const char *format, long long now_msec, bool utc)
{
    size_t start = out->length;
    ds_put_strftime(out, format, now_msec / 1000, utc);

    int msec = now_msec % 1000;
    for (size_t i = start; i < out->length; i++) {
        if (out->string[i] != '#') {
            continue;
        }
        char digits[16];
        snprintf(digits, sizeof digits, "%03d", msec);
        for (int j = 0; i < out->length && out->string[i] == '#'; i++, j++) {
            out->string[i] = j < 3 ? digits[j] : '0';
        }
        i--;
    }
}

/* Parses "{...}" at '*p', if present, for %d and %D; returns the format
 * (malloc'd) and advances '*p' past it, else returns NULL. */
static char *
parse_brace_arg(const char **p)
{
    if (**p != '{') {
        return NULL;
    }
    const char *start = *p + 1;
    const char *end = strchr(start, '}');
    if (!end) {
        end = start + strlen(start);
        *p = end;
    } else {
        *p = end + 1;
    }
    return xmemdup0(start, end - start);
}

static int
syslog_pri(enum vlog_level level, int default_facility)
{
    int facility = syslog_facility ? syslog_facility : default_facility;
    return facility + syslog_levels[level];
}

void
vlog_format_message(const char *pattern, const struct vlog_module *module,
                    enum vlog_level level, unsigned int num,
                    const char *message, struct ds *out)
{
    for (const char *p = pattern; *p;) {
        if (*p != '%') {
            ds_put_char(out, *p++);
            continue;
        }
        p++;

        bool left_justify = false;
        char pad = ' ';
        size_t width = 0;
        if (*p == '-') {
            left_justify = true;
            p++;
        }
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (*p++ - '0');
        }

        size_t start = out->length;
        char *arg;
        char c = *p ? *p++ : '%';
        switch (c) {
        case 'A':
            ds_put_cstr(out, program_name);
            break;
        case 'B':
            ds_put_format(out, "%d", syslog_pri(level, LOG_LOCAL0));
            break;
        case 'c':
            ds_put_cstr(out, module->name);
            break;
        case 'd':
        case 'D':
            arg = parse_brace_arg(&p);
            format_time(out, arg ? arg : "%Y-%m-%d %H:%M:%S.###",
                        time_wall_msec(), c == 'D');
            free(arg);
            break;
        case 'E':
            ds_put_cstr(out, get_hostname());
            break;
        case 'm':
            ds_put_cstr(out, message);
            break;
        case 'N':
            ds_put_format(out, "%u", num);
            break;
        case 'n':
            ds_put_char(out, '\n');
            break;
        case 'p':
            ds_put_cstr(out, vlog_get_level_name(level));
            break;
        case 'P':
            ds_put_format(out, "%ld", (long) getpid());
            break;
        case 'r':
            ds_put_format(out, "%lld", time_msec() - time_boot_msec());
            break;
        case 't':
            ds_put_cstr(out, subprogram_name[0] ? subprogram_name : "main");
            break;
        case 'T':
            if (subprogram_name[0]) {
                ds_put_format(out, "(%s)", subprogram_name);
            }
            break;
        default:
            /* "%%" and unknown escapes stand for the character itself. */
            ds_put_char(out, c);
            break;
        }

        size_t len = out->length - start;
        if (len < width) {
            size_t n_pad = width - len;
            if (left_justify) {
                ds_put_char_multiple(out, pad, n_pad);
            } else {
                ds_put_uninit(out, n_pad);
                memmove(&out->string[start + n_pad], &out->string[start], len);
                memset(&out->string[start], pad, n_pad);
            }
        }
    }
}

/* Output. */

static void
send_syslog(const struct vlog_module *module, enum vlog_level level,
            const char *line, const char *message)
{
    if (syslog_method == SYSLOG_LIBC) {
        if (!syslog_opened) {
            openlog(program_name, LOG_NDELAY,
                    syslog_facility ? syslog_facility : LOG_DAEMON);
            syslog_opened = true;
        }
        syslog(syslog_pri(level, LOG_DAEMON), "%s", line);
    } else {
        char *datagram =
            xasprintf("<%d>%s", syslog_pri(level, LOG_DAEMON), line);
        ssize_t retval OVS_UNUSED =
            sendto(syslog_fd, datagram, strlen(datagram), MSG_DONTWAIT,
                   (struct sockaddr *) &syslog_addr, syslog_addr_len);
        free(datagram);
    }

    if (n_syslog_targets) {
        struct ds s = DS_EMPTY_INITIALIZER;
        vlog_format_message(RFC5424_PATTERN, module, level, msg_num, message,
                            &s);
        for (size_t i = 0; i < n_syslog_targets; i++) {
            const struct syslog_target *t = &syslog_targets[i];
            ssize_t retval OVS_UNUSED =
                sendto(t->fd, s.string, s.length, MSG_DONTWAIT,
                       (const struct sockaddr *) &t->addr, t->addr_len);
        }
        ds_destroy(&s);
    }
}

void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    if (level == VLL_OFF || level >= VLL_N_LEVELS) {
        return;
    }
    bool to_console = module->levels[VLF_CONSOLE] >= level;
    bool to_syslog = module->levels[VLF_SYSLOG] >= level;
    bool to_file = module->levels[VLF_FILE] >= level && log_fd >= 0;
    if (!to_console && !to_syslog && !to_file) {
        return;
    }

    int save_errno = errno;
    char *message = xvasprintf(format, args);
    struct ds line = DS_EMPTY_INITIALIZER;

    pthread_mutex_lock(&log_mutex);
    unsigned int num = ++msg_num;
    if (to_console) {
        ds_clear(&line);
        vlog_format_message(pattern_of(VLF_CONSOLE), module, level, num,
                            message, &line);
        ds_put_char(&line, '\n');
        write_fully_at(STDERR_FILENO, line.string, line.length, -1);
    }
    if (to_syslog) {
        ds_clear(&line);
        vlog_format_message(pattern_of(VLF_SYSLOG), module, level, num,
                            message, &line);
        send_syslog(module, level, ds_cstr(&line), message);
    }
    if (to_file && log_fd >= 0) {
        ds_clear(&line);
        vlog_format_message(pattern_of(VLF_FILE), module, level, num, message,
                            &line);
        ds_put_char(&line, '\n');
        write_fully_at(log_fd, line.string, line.length, -1);
    }
    pthread_mutex_unlock(&log_mutex);

    ds_destroy(&line);
    free(message);
    errno = save_errno;
}

void
vlog(const struct vlog_module *module, enum vlog_level level,
     const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
}

void
vlog_fatal(const struct vlog_module *module, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, VLL_EMER, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

void
vlog_abort(const struct vlog_module *module, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, VLL_EMER, format, args);
    va_end(args);
    abort();
}

/* Rate limiting. */

bool
vlog_should_drop(const struct vlog_module *module, enum vlog_level level,
                 struct vlog_rate_limit *rl)
{
    if (!vlog_is_enabled(module, level)) {
        return true;
    }
    if (!module->honor_rate_limits) {
        return false;
    }

    long long now_msec = time_msec();
    time_t now = now_msec / 1000;
    unsigned int n_dropped = 0;
    time_t first_dropped = 0, last_dropped = 0;
    bool drop;

    pthread_mutex_lock(&rl->mutex);
    if (rl->last_fill == LLONG_MIN) {
        rl->tokens = rl->burst;
    } else if (now_msec > rl->last_fill) {
        unsigned long long add =
            ((unsigned long long) (now_msec - rl->last_fill) * rl->rate);
        rl->tokens =
            (add >= rl->burst - MIN(rl->tokens, rl->burst) ? rl->burst
                                                           : rl->tokens + add);
    }
    rl->last_fill = now_msec;

    if (rl->tokens >= VLOG_MSG_TOKENS) {
        rl->tokens -= VLOG_MSG_TOKENS;
        drop = false;
        if (rl->n_dropped) {
            n_dropped = rl->n_dropped;
            first_dropped = rl->first_dropped;
            last_dropped = rl->last_dropped;
            rl->n_dropped = 0;
        }
    } else {
        drop = true;
        if (!rl->n_dropped) {
            rl->first_dropped = now;
        }
        rl->last_dropped = now;
        rl->n_dropped++;
    }
    pthread_mutex_unlock(&rl->mutex);

    if (n_dropped) {
        vlog(module, level,
             "Dropped %u log messages in last %lld seconds (most recently, "
             "%lld seconds ago) due to excessive rate",
             n_dropped, (long long) (now - first_dropped),
             (long long) (now - last_dropped));
    }
    return drop;
}

void
vlog_rate_limit(const struct vlog_module *module, enum vlog_level level,
                struct vlog_rate_limit *rl, const char *format, ...)
{
    if (!vlog_should_drop(module, level, rl)) {
        va_list args;
        va_start(args, format);
        vlog_valist(module, level, format, args);
        va_end(args);
    }
}

/* Reports. */

static int
compare_modules(const void *a_, const void *b_)
{
    const struct vlog_module *const *a = a_;
    const struct vlog_module *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

void
vlog_get_levels(struct ds *out)
{
    size_t n = 0, allocated = 0;
    struct vlog_module **modules = NULL;
    struct vlog_module *module;

    LIST_FOR_EACH (module, list_node, &vlog_modules) {
        if (n >= allocated) {
            modules = x2nrealloc(modules, &allocated, sizeof *modules);
        }
        modules[n++] = module;
    }
    if (n) {
        qsort(modules, n, sizeof *modules, compare_modules);
    }

    ds_put_cstr(out, "                 console    syslog    file\n");
    ds_put_cstr(out, "                 -------    ------    ------\n");
    for (size_t i = 0; i < n; i++) {
        module = modules[i];
        ds_put_format(out, "%-16s  %4s       %4s       %4s\n", module->name,
                      vlog_get_level_name(module->levels[VLF_CONSOLE]),
                      vlog_get_level_name(module->levels[VLF_SYSLOG]),
                      vlog_get_level_name(module->levels[VLF_FILE]));
    }
    free(modules);
}

void
vlog_get_patterns(struct ds *out)
{
    static const struct {
        enum vlog_destination dest;
        const char *label;
        const char *prefix;
    } rows[] = {
        {VLF_SYSLOG, "SYSLOG", SYSLOG_PREFIX},
        {VLF_CONSOLE, "CONSOLE", "none"},
        {VLF_FILE, "FILE", "none"},
    };

    ds_put_cstr(out, "         prefix                            format\n");
    ds_put_cstr(out, "         ------                            ------\n");
    pthread_mutex_lock(&log_mutex);
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        ds_put_format(out, "%-9s%-34s%s\n", rows[i].label, rows[i].prefix,
                      pattern_of(rows[i].dest));
    }
    pthread_mutex_unlock(&log_mutex);
}

void
vlog_usage(void)
{
    printf("\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC   set logging levels\n"
           "  -v, --verbose            set maximum verbosity level\n"
           "  --log-file[=FILE]        enable logging to specified FILE\n"
           "                           (default: %s/%s.log)\n"
           "  --syslog-method=(libc|unix:file|udp:ip:port)\n"
           "                           specify how to send messages to "
           "syslog daemon\n"
           "  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT "
           "via UDP\n",
           ovs_logdir(), program_name);
}

/* unixctl commands. */

static void
vlog_unixctl_set(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux OVS_UNUSED)
{
    if (argc == 1) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_DBG);
    }
    for (int i = 1; i < argc; i++) {
        char *error = vlog_set_levels_from_string(argv[i]);
        if (error) {
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
    }
    unixctl_command_reply(conn, NULL);
}

static void
vlog_unixctl_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    vlog_get_levels(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
vlog_unixctl_list_pattern(struct unixctl_conn *conn, int argc OVS_UNUSED,
                          const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    vlog_get_patterns(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
vlog_unixctl_reopen(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    if (!log_file_name) {
        unixctl_command_reply_error(conn, "Logging to file not configured");
        return;
    }
    int error = vlog_reopen_log_file();
    if (error) {
        unixctl_command_reply_error(conn, ovs_strerror(error));
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

static void
vlog_unixctl_close(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    vlog_close_log_file();
    unixctl_command_reply(conn, NULL);
}

/* Sets 'honor_rate_limits' to 'aux' (true or false) for the modules named
 * in argv[1...], or for all of them if there are none. */
static void
vlog_unixctl_set_rate_limit(struct unixctl_conn *conn, int argc,
                            const char *argv[], void *aux)
{
    bool honor = aux != NULL;
    if (argc == 1) {
        struct vlog_module *module;
        LIST_FOR_EACH (module, list_node, &vlog_modules) {
            module->honor_rate_limits = honor;
        }
    } else {
        for (int i = 1; i < argc; i++) {
            if (!vlog_module_from_name(argv[i])) {
                unixctl_command_reply_error(conn, "unknown module");
                return;
            }
        }
        for (int i = 1; i < argc; i++) {
            vlog_module_from_name(argv[i])->honor_rate_limits = honor;
        }
    }
    unixctl_command_reply(conn, NULL);
}

void
vlog_init(void)
{
    static bool inited;
    if (inited) {
        return;
    }
    inited = true;

    unixctl_command_register("vlog/set",
                             "{spec | PATTERN:destination:pattern}", 0,
                             INT_MAX, vlog_unixctl_set, NULL);
    unixctl_command_register("vlog/list", "", 0, 0, vlog_unixctl_list, NULL);
    unixctl_command_register("vlog/list-pattern", "", 0, 0,
                             vlog_unixctl_list_pattern, NULL);
    unixctl_command_register("vlog/enable-rate-limit", "[module]...", 0,
                             INT_MAX, vlog_unixctl_set_rate_limit, (void *) 1);
    unixctl_command_register("vlog/disable-rate-limit", "[module]...", 0,
                             INT_MAX, vlog_unixctl_set_rate_limit, NULL);
    unixctl_command_register("vlog/reopen", "", 0, 0, vlog_unixctl_reopen,
                             NULL);
    unixctl_command_register("vlog/close", "", 0, 0, vlog_unixctl_close, NULL);
}
