/* Socket helpers shared by the stream classes: file descriptor flags,
 * parsing of "HOST:PORT" strings (IPv4, IPv6 in brackets, host names),
 * non-blocking TCP connect and listen, and Unix domain sockets whose
 * paths may be longer than sockaddr_un's sun_path. */
#ifndef LIB_SOCKET_UTIL_H
#define LIB_SOCKET_UTIL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/ds.h"

/* Set O_NONBLOCK / FD_CLOEXEC on 'fd'.  Return 0 or an errno value. */
int socket_set_nonblocking(int fd);
int socket_set_cloexec(int fd);

/* Turns off Nagle's algorithm on TCP socket 'fd', so that small messages
 * leave at once.  Returns 0 or an errno value. */
int socket_set_nodelay(int fd);

/* Sets the IP DSCP bits of 'fd' (of address 'family') to 'dscp' (0..63).
 * Returns 0 or an errno value.  Does nothing for non-IP families. */
int socket_set_dscp(int fd, int family, uint8_t dscp);

/* Returns the pending error of socket 'fd' (SO_ERROR), or an errno value
 * if that cannot be read. */
int socket_get_error(int fd);

/* For a socket with a non-blocking connect() in progress: returns 0 if
 * the connection completed, EAGAIN if it is still in progress, or the
 * errno value of its failure.  Never blocks. */
int socket_check_connection_completion(int fd);

/* Parses 'target' as an active address "HOST[:PORT]".  HOST is an IPv4
 * address, an IPv6 address in brackets, or a host name (resolved with
 * getaddrinfo(); a bare IPv6 address without brackets is accepted when it
 * has no port).  If PORT is omitted, 'default_port' is used; a negative
 * 'default_port' makes the port mandatory.  Stores the address in '*ss'.
 * Returns NULL on success, otherwise a malloc'd message saying what is
 * wrong with 'target'. */
char *
socket_parse_inet_active(const char *target, int default_port,
                         struct sockaddr_storage *ss) OVS_WARN_UNUSED_RESULT;

/* Parses 'target' as a passive address "[PORT][:HOST]" (HOST defaults to
 * 0.0.0.0; an IPv6 HOST is in brackets).  An omitted PORT means
 * 'default_port', or is an error if 'default_port' is negative.  Returns
 * NULL on success, otherwise a malloc'd message. */
char *
socket_parse_inet_passive(const char *target, int default_port,
                          struct sockaddr_storage *ss) OVS_WARN_UNUSED_RESULT;

/* Opens a non-blocking, close-on-exec TCP socket and starts connecting
 * it to 'target' (as for socket_parse_inet_active()).  Returns 0 with the
 * socket in '*fdp' if connected at once, EAGAIN (with the socket in
 * '*fdp') if the connection is in progress, or another errno value (with
 * '*fdp' set to -1) on failure.  If 'ss' is nonnull the peer address is
 * stored there. */
int socket_inet_open_active(const char *target, int default_port,
                            struct sockaddr_storage *ss, int *fdp,
                            uint8_t dscp);

/* Opens a non-blocking, close-on-exec TCP socket listening on 'target'
 * (as for socket_parse_inet_passive()), with SO_REUSEADDR.  Returns the
 * socket (>= 0) or a negative errno value.  If 'ss' is nonnull the bound
 * address (with the actual port when 0 was asked for) is stored there. */
int socket_inet_open_passive(const char *target, int default_port,
                             struct sockaddr_storage *ss, uint8_t dscp);

/* Returns the port of 'ss' (AF_INET or AF_INET6) in host byte order, or 0
 * for other families. */
uint16_t socket_ss_get_port(const struct sockaddr_storage *ss);

/* Appends the address of 'ss' to 'ds': "1.2.3.4" or "[::1]" (brackets
 * for IPv6 only if 'brackets'). */
void socket_ss_format_address(const struct sockaddr_storage *ss, bool brackets,
                              struct ds *ds);

/* Returns the locally bound address of 'fd' in '*ss'; 0 or errno. */
int socket_get_sockname(int fd, struct sockaddr_storage *ss);

/* Creates a Unix domain socket of 'style' (SOCK_STREAM...), optionally
 * non-blocking, close-on-exec.  If 'bind_path' is nonnull, binds it
 * there (unlinking a stale socket file first, and registering the file
 * with fatal_signal_add_file_to_unlink()).  If 'connect_path' is
 * nonnull, connects to it; the connect itself is done in blocking mode
 * (a Unix connect completes at once unless the listener's backlog is
 * full, and a non-blocking one would then fail instead of progressing)
 * and 'nonblock' applies afterwards.  Paths longer than sun_path work.
 * Returns the socket (>= 0) or a negative errno value; on failure
 * nothing is left bound. */
int socket_make_unix(int style, bool nonblock, const char *bind_path,
                     const char *connect_path);

/* Retries 'EXPR' (an expression setting errno and returning < 0 on
 * failure) while it fails with EINTR. */
#define SOCKET_RETRY(RESULT, EXPR)                                            \
    do {                                                                      \
        (RESULT) = (EXPR);                                                    \
    } while ((RESULT) < 0 && errno == EINTR)

#endif /* lib/socket-util.h */
