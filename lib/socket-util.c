/* Socket helpers; see socket-util.h. */
#include "lib/socket-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/fatal-signal.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(socket_util);

/* Adds 'flag' to the flags of 'fd' that fcntl() reads with 'get_cmd' and
 * writes with 'set_cmd'.  Returns 0 or an errno value. */
static int
add_fcntl_flag(int fd, int get_cmd, int set_cmd, int flag)
{
    int flags = fcntl(fd, get_cmd, 0);
    if (flags < 0 || fcntl(fd, set_cmd, flags | flag) < 0) {
        return errno;
    }
    return 0;
}

int
socket_set_nonblocking(int fd)
{
    return add_fcntl_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK);
}

int
socket_set_cloexec(int fd)
{
    return add_fcntl_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC);
}

int
socket_set_nodelay(int fd)
{
    int on = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) ? errno
                                                                    : 0;
}

int
socket_set_dscp(int fd, int family, uint8_t dscp)
{
    if (dscp > 63) {
        return EINVAL;
    }
    int tos = dscp << 2;
    switch (family) {
    case AF_INET:
        return setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) ? errno
                                                                    : 0;
    case AF_INET6:
        return setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos)
                   ? errno
                   : 0;
    default:
        return 0;
    }
}

int
socket_get_error(int fd)
{
    int error;
    socklen_t len = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
        return errno;
    }
    return error;
}

int
socket_check_connection_completion(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int n;
    SOCKET_RETRY(n, poll(&pfd, 1, 0));
    if (n < 0) {
        return errno;
    } else if (n == 0) {
        return EAGAIN;
    }
    int error = socket_get_error(fd);
    if (!error && pfd.revents & (POLLERR | POLLHUP)
        && !(pfd.revents & POLLOUT)) {
        /* Failed without a pending error to say why: the best guess. */
        error = ECONNREFUSED;
    }
    return error;
}

/* Parses 'port_s', the port part of 'target', into '*port'; an omitted
 * port ('port_s' null or empty) is 'default_port', or an error if that is
 * negative.  Returns NULL or a malloc'd error message. */
static char *
parse_port(const char *target, const char *port_s, int default_port,
           uint16_t *port)
{
    if (!port_s || !*port_s) {
        if (default_port < 0) {
            return xasprintf("%s: port must be specified", target);
        }
        *port = default_port;
        return NULL;
    }

    unsigned int value;
    if (strspn(port_s, "0123456789") != strlen(port_s)
        || !str_to_uint(port_s, 10, &value) || value > 65535) {
        return xasprintf("%s: bad port number \"%s\"", target, port_s);
    }
    *port = value;
    return NULL;
}

/* Resolves 'host' (numeric or a name) into '*ss' with 'port'.  A
 * 'bracketed' host must be a numeric IPv6 address.  'passive' means an
 * empty host is the IPv4 wildcard address.  Returns NULL or a
 * malloc'd error message. */
static char *
resolve_host(const char *target, const char *host, bool bracketed,
             uint16_t port, bool passive, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);

    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
    if (passive && !*host) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
        return NULL;
    }
    if (!bracketed && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        return NULL;
    }
    if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        return NULL;
    }
    if (bracketed) {
        return xasprintf("%s: bad IPv6 address \"%s\"", target, host);
    }
    if (!*host) {
        return xasprintf("%s: missing host name or address", target);
    }

    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_ADDRCONFIG | (passive ? AI_PASSIVE : 0),
    };
    struct addrinfo *result;
    int error = getaddrinfo(host, NULL, &hints, &result);
    if (error) {
        return xasprintf("%s: could not resolve host \"%s\" (%s)", target,
                         host, gai_strerror(error));
    }
    for (const struct addrinfo *ai = result; ai; ai = ai->ai_next) {
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
            && ai->ai_addrlen <= sizeof *ss) {
            memcpy(ss, ai->ai_addr, ai->ai_addrlen);
            if (ai->ai_family == AF_INET) {
                sin->sin_port = htons(port);
            } else {
                sin6->sin6_port = htons(port);
            }
            freeaddrinfo(result);
            return NULL;
        }
    }
    freeaddrinfo(result);
    return xasprintf("%s: host \"%s\" has no IP address", target, host);
}

/* Splits "[V6]" or "[V6]:REST" or "HOST" or "HOST:REST" at 's' into a
 * malloc'd host in '*hostp' and a pointer to REST (or NULL if there is no
 * colon after the host) in '*restp', and sets '*bracketedp' to whether the
 * host was in brackets.  A host without brackets that holds more than one
 * colon is taken whole as an IPv6 address.  Returns NULL or a malloc'd
 * error message. */
static char *
split_host(const char *target, const char *s, char **hostp, const char **restp,
           bool *bracketedp)
{
    *bracketedp = *s == '[';
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (!end) {
            return xasprintf("%s: missing ']' after IPv6 address", target);
        }
        if (end[1] != '\0' && end[1] != ':') {
            return xasprintf("%s: unexpected \"%s\" after IPv6 address",
                             target, end + 1);
        }
        *hostp = xmemdup0(s + 1, end - s - 1);
        *restp = end[1] == ':' ? end + 2 : NULL;
        return NULL;
    }

    const char *colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':')) {
        *hostp = xstrdup(s);
        *restp = NULL;
    } else if (colon) {
        *hostp = xmemdup0(s, colon - s);
        *restp = colon + 1;
    } else {
        *hostp = xstrdup(s);
        *restp = NULL;
    }
    return NULL;
}

char *
socket_parse_inet_active(const char *target, int default_port,
                         struct sockaddr_storage *ss)
{
    char *host;
    const char *port_s;
    bool bracketed;
    char *error = split_host(target, target, &host, &port_s, &bracketed);
    if (error) {
        return error;
    }

    uint16_t port;
    error = parse_port(target, port_s, default_port, &port);
    if (!error) {
        error = resolve_host(target, host, bracketed, port, false, ss);
    }
    free(host);
    return error;
}

char *
socket_parse_inet_passive(const char *target, int default_port,
                          struct sockaddr_storage *ss)
{
    const char *colon = strchr(target, ':');
    char *port_s = colon ? xmemdup0(target, colon - target) : xstrdup(target);
    char *host = NULL;
    bool bracketed = false;

    uint16_t port;
    char *error = parse_port(target, port_s, default_port, &port);
    if (error) {
        goto exit;
    }

    if (colon) {
        const char *rest;
        error = split_host(target, colon + 1, &host, &rest, &bracketed);
        if (error) {
            goto exit;
        }
        if (rest) {
            error =
                xasprintf("%s: unexpected \":%s\" after host", target, rest);
            goto exit;
        }
    } else {
        host = xstrdup("");
    }
    error = resolve_host(target, host, bracketed, port, true, ss);

exit:
    free(port_s);
    free(host);
    return error;
}

static socklen_t
ss_length(const struct sockaddr_storage *ss)
{
    return (ss->ss_family == AF_INET    ? sizeof(struct sockaddr_in)
            : ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                        : sizeof *ss);
}

int
socket_inet_open_active(const char *target, int default_port,
                        struct sockaddr_storage *ssp, int *fdp, uint8_t dscp)
{
    struct sockaddr_storage ss;
    *fdp = -1;

    char *msg = socket_parse_inet_active(target, default_port, &ss);
    if (msg) {
        VLOG_ERR("%s", msg);
        free(msg);
        return EINVAL;
    }
    if (ssp) {
        *ssp = ss;
    }

    int fd =
        socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int error = errno;
        VLOG_ERR("%s: socket: %s", target, ovs_strerror(error));
        return error;
    }
    int error = socket_set_dscp(fd, ss.ss_family, dscp);
    if (error) {
        VLOG_ERR("%s: set_dscp: %s", target, ovs_strerror(error));
        close(fd);
        return error;
    }

    int retval;
    SOCKET_RETRY(retval, connect(fd, (struct sockaddr *) &ss, ss_length(&ss)));
    error = retval < 0 ? errno : 0;
    if (error == EINPROGRESS) {
        error = EAGAIN;
    }
    if (error && error != EAGAIN) {
        close(fd);
        return error;
    }
    *fdp = fd;
    return error;
}

int
socket_inet_open_passive(const char *target, int default_port,
                         struct sockaddr_storage *ssp, uint8_t dscp)
{
    struct sockaddr_storage ss;
    char *msg = socket_parse_inet_passive(target, default_port, &ss);
    if (msg) {
        VLOG_ERR("%s", msg);
        free(msg);
        return -EINVAL;
    }

    int fd =
        socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int error = errno;
        VLOG_ERR("%s: socket: %s", target, ovs_strerror(error));
        return -error;
    }

    int yes = 1;
    int error = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0) {
        error = errno;
        VLOG_ERR("%s: setsockopt(SO_REUSEADDR): %s", target,
                 ovs_strerror(error));
        goto error;
    }
    error = socket_set_dscp(fd, ss.ss_family, dscp);
    if (error) {
        VLOG_ERR("%s: set_dscp: %s", target, ovs_strerror(error));
        goto error;
    }
    if (bind(fd, (struct sockaddr *) &ss, ss_length(&ss)) < 0) {
        error = errno;
        VLOG_ERR("%s: bind: %s", target, ovs_strerror(error));
        goto error;
    }
    if (listen(fd, 64) < 0) {
        error = errno;
        VLOG_ERR("%s: listen: %s", target, ovs_strerror(error));
        goto error;
    }
    if (ssp || !socket_ss_get_port(&ss)) {
        struct sockaddr_storage bound;
        error = socket_get_sockname(fd, &bound);
        if (error) {
            VLOG_ERR("%s: getsockname: %s", target, ovs_strerror(error));
            goto error;
        }
        /* A kernel-chosen port is logged, as OVS does, so that users (and
         * tests) can find out where to connect. */
        if (!socket_ss_get_port(&ss)) {
            VLOG_INFO("%s: listening on port %" PRIu16, target,
                      socket_ss_get_port(&bound));
        }
        if (ssp) {
            *ssp = bound;
        }
    }
    return fd;

error:
    close(fd);
    return -error;
}

uint16_t
socket_ss_get_port(const struct sockaddr_storage *ss)
{
    switch (ss->ss_family) {
    case AF_INET:
        return ntohs(((const struct sockaddr_in *) ss)->sin_port);
    case AF_INET6:
        return ntohs(((const struct sockaddr_in6 *) ss)->sin6_port);
    default:
        return 0;
    }
}

void
socket_ss_format_address(const struct sockaddr_storage *ss, bool brackets,
                         struct ds *ds)
{
    char buf[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) ss;
        ds_put_cstr(ds, inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
        ds_put_format(ds, brackets ? "[%s]" : "%s", buf);
    } else {
        ds_put_format(ds, "(address family %d)", ss->ss_family);
    }
}

int
socket_get_sockname(int fd, struct sockaddr_storage *ss)
{
    socklen_t len = sizeof *ss;
    memset(ss, 0, sizeof *ss);
    return getsockname(fd, (struct sockaddr *) ss, &len) < 0 ? errno : 0;
}

/* Fills '*un' with an address for 'path'.  Paths too long for sun_path
 * are reached through their directory: the directory is opened (its fd
 * stored in '*dirfdp', to be closed by the caller once the address has
 * been used) and the address names "/proc/self/fd/<dirfd>/<basename>".
 * Returns 0 or an errno value. */
static int
make_unix_addr(const char *path, struct sockaddr_un *un, socklen_t *lenp,
               int *dirfdp)
{
    *dirfdp = -1;
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;

    size_t len = strlen(path);
    if (len < sizeof un->sun_path) {
        memcpy(un->sun_path, path, len);
    } else {
        char *dir = dir_name(path);
        char *base = base_name(path);
        int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int error = dirfd < 0 ? errno : 0;
        if (!error) {
            int n = snprintf(un->sun_path, sizeof un->sun_path,
                             "/proc/self/fd/%d/%s", dirfd, base);
            if (n < 0 || (size_t) n >= sizeof un->sun_path) {
                close(dirfd);
                error = ENAMETOOLONG;
            } else {
                *dirfdp = dirfd;
                len = n;
            }
        }
        free(dir);
        free(base);
        if (error) {
            return error;
        }
    }
    *lenp = offsetof(struct sockaddr_un, sun_path) + len + 1;
    return 0;
}

int
socket_make_unix(int style, bool nonblock, const char *bind_path,
                 const char *connect_path)
{
    int fd = socket(AF_UNIX, style | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }

    int error = 0;
    bool bound = false;
    if (bind_path) {
        struct sockaddr_un un;
        socklen_t len;
        int dirfd;

        /* A socket file left behind by a process that died would make
         * bind() fail with EADDRINUSE. */
        if (unlink(bind_path) && errno != ENOENT) {
            VLOG_WARN("%s: could not remove stale socket (%s)", bind_path,
                      ovs_strerror(errno));
        }
        error = make_unix_addr(bind_path, &un, &len, &dirfd);
        if (!error) {
            fatal_signal_add_file_to_unlink(bind_path);
            if (bind(fd, (struct sockaddr *) &un, len) < 0) {
                error = errno;
                fatal_signal_remove_file_to_unlink(bind_path);
            } else {
                bound = true;
            }
            if (dirfd >= 0) {
                close(dirfd);
            }
        }
        if (error) {
            goto error;
        }
    }

    if (connect_path) {
        struct sockaddr_un un;
        socklen_t len;
        int dirfd;

        error = make_unix_addr(connect_path, &un, &len, &dirfd);
        if (!error) {
            int retval;
            SOCKET_RETRY(retval, connect(fd, (struct sockaddr *) &un, len));
            error = retval < 0 ? errno : 0;
            if (dirfd >= 0) {
                close(dirfd);
            }
        }
        if (error) {
            goto error;
        }
    }

    if (nonblock) {
        error = socket_set_nonblocking(fd);
        if (error) {
            goto error;
        }
    }
    return fd;

error:
    if (bound) {
        fatal_signal_unlink_file_now(bind_path);
    }
    close(fd);
    return -error;
}
