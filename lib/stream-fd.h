/* A stream class building block for connections that are one socket:
 * tcp and unix use it directly, and a TLS implementation can use its
 * passive side for the listening socket.  The TCP helpers at the end
 * serve both "ptcp" and "pssl". */
#ifndef LIB_STREAM_FD_H
#define LIB_STREAM_FD_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct pstream;
struct stream;

/* Creates a stream named 'name' (taken over) on socket 'fd' (taken over:
 * closed with the stream), which must be non-blocking.  'connect_status'
 * is as for stream_init().  'fd_type' is the socket's address family
 * (AF_INET, AF_INET6 or AF_UNIX), kept for error messages.  Stores the
 * stream in '*streamp' and returns 0. */
int new_fd_stream(char *name, int fd, int connect_status, int fd_type,
                  struct stream **streamp);

/* Called by the pstream to wrap an accepted connection 'fd' (taken over,
 * already non-blocking and close-on-exec) from peer 'ss' into a stream.
 * Returns 0 and stores the stream, or a positive errno value (and closes
 * 'fd'). */
typedef int stream_fd_accept_func(int fd, const struct sockaddr_storage *ss,
                                  size_t ss_len, struct stream **streamp);

/* Creates a pstream named 'name' (taken over) on the listening socket
 * 'fd' (taken over, non-blocking).  Each accepted connection is handed
 * to 'accept_cb'.  If 'unlink_path' is nonnull (taken over), that file
 * is unlinked when the pstream closes.  Stores the pstream in
 * '*pstreamp' and returns 0. */
int new_fd_pstream(char *name, int fd, stream_fd_accept_func *accept_cb,
                   char *unlink_path, struct pstream **pstreamp);

/* Returns the malloc'd name "PREFIX:ADDRESS:PORT" (IPv6 addresses in
 * brackets) of a TCP connection accepted from peer 'ss'. */
char *stream_fd_inet_peer_name(const char *prefix,
                               const struct sockaddr_storage *ss);

/* Listens for TCP connections on 'suffix' (as for
 * socket_inet_open_passive(), with IP DSCP 'dscp') and creates a pstream
 * on the socket, named "PREFIX:PORT:ADDRESS" by what it is bound to and
 * recording that port for pstream_get_bound_port(), so that a request for
 * port 0 shows the port that was picked.  Each accepted connection is
 * handed to 'accept_cb'.  Stores the pstream in '*pstreamp' and returns 0,
 * or returns a positive errno value. */
int stream_fd_inet_listen(const char *prefix, const char *suffix,
                          stream_fd_accept_func *accept_cb, uint8_t dscp,
                          struct pstream **pstreamp);

#endif /* lib/stream-fd.h */
