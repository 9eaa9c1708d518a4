/* Byte streams named with OVS's connection-name syntax.
 *
 * An active stream ("struct stream") is one connection:
 *
 *     unix:FILE          a Unix domain socket (relative names are resolved
 *                        against the current directory at open time)
 *     tcp:HOST[:PORT]    TCP; HOST is an IPv4 address, an IPv6 address in
 *                        brackets ("tcp:[::1]:6640") or a host name
 *     ssl:HOST[:PORT]    TLS over TCP (lib/stream-ssl.c)
 *
 * A passive stream ("struct pstream") listens and accepts active streams:
 *
 *     punix:FILE         listens on a Unix domain socket; a stale socket
 *                        file is removed first, and the file is unlinked
 *                        when the pstream closes or the process dies
 *     ptcp:[PORT][:HOST] listens on TCP; port 0 picks a free port
 *                        (see pstream_get_bound_port()); HOST defaults to
 *                        0.0.0.0, "ptcp:0:[::1]" listens on IPv6
 *     pssl:[PORT][:HOST] TLS over TCP
 *
 * A PORT that is omitted takes the default the caller passes to the
 * *_with_default_port() functions (6640 for OVSDB, 6653 for OpenFlow);
 * without a default it is an error.
 *
 * Everything is non-blocking: functions return EAGAIN instead of
 * waiting, and the *_wait() functions register with the poll loop what
 * would let them make progress.  The *_block() functions are for tools
 * that have nothing else to do. */
#ifndef LIB_STREAM_H
#define LIB_STREAM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct pstream;
struct stream;

/* DSCP value to mark outgoing packets with when the caller has no
 * preference ("internetwork control", as OVS uses). */
#define DSCP_DEFAULT (0xc0 >> 2)

/* Default ports, for callers' convenience. */
#define OVSDB_PORT 6640
#define OFP_PORT 6653

enum stream_wait_type { STREAM_CONNECT, STREAM_RECV, STREAM_SEND };

/* Checks that 'name' starts with the prefix of a known active method,
 * without opening anything.  Returns 0 or EAFNOSUPPORT.  (Arguments are
 * checked when the stream is opened.) */
int stream_verify_name(const char *name);

/* Starts connecting to 'name'.  On success stores the new stream in
 * '*streamp' and returns 0; the connection may still be in progress
 * (see stream_connect()).  On failure stores NULL and returns a positive
 * errno value.  'dscp' (0..63) marks IP traffic (ignored for unix). */
int stream_open(const char *name, struct stream **streamp, uint8_t dscp);

/* Like stream_open(), but a "tcp:" or "ssl:" name without a port gets
 * 'default_port'. */
int stream_open_with_default_port(const char *name, uint16_t default_port,
                                  struct stream **streamp, uint8_t dscp);

/* Finishes stream_open() by waiting until the connection completes or
 * fails or 'timeout_ms' passes (no limit if negative):
 *
 *     error = stream_open_block(stream_open(name, &stream, dscp), -1,
 *                               &stream);
 *
 * 'error' is stream_open()'s result.  Returns 0, with '*streamp'
 * connected, or an errno value (ETIMEDOUT on timeout), with '*streamp'
 * closed and set to NULL. */
int stream_open_block(int error, long long timeout_ms,
                      struct stream **streamp);

/* Closes 'stream' (NULL is a no-op). */
void stream_close(struct stream *stream);

/* Returns the name the stream was opened with (for accepted streams, a
 * name describing the peer, such as "tcp:127.0.0.1:40312" or
 * "unix#3"). */
const char *stream_get_name(const struct stream *stream);

/* Returns 0 once connected, EAGAIN while connecting, or the errno value
 * of a failed connection. */
int stream_connect(struct stream *stream);

/* Receives up to 'n' bytes.  Returns the number received (> 0), 0 at end
 * of stream, or a negative errno value (-EAGAIN if nothing is ready yet,
 * including while still connecting). */
ssize_t stream_recv(struct stream *stream, void *buffer, size_t n);

/* Sends up to 'n' bytes.  Returns the number sent (> 0, possibly fewer
 * than 'n') or a negative errno value (-EAGAIN if none could be sent
 * now).  Never raises SIGPIPE. */
ssize_t stream_send(struct stream *stream, const void *buffer, size_t n);

/* Does background work (TLS handshakes and buffered writes) and
 * registers it with the poll loop. */
void stream_run(struct stream *stream);
void stream_run_wait(struct stream *stream);

/* Registers with the poll loop to wake when the operation 'wait' would
 * make progress. */
void stream_wait(struct stream *stream, enum stream_wait_type wait);
void stream_connect_wait(struct stream *stream);
void stream_recv_wait(struct stream *stream);
void stream_send_wait(struct stream *stream);

/* Returns true if the last poll_block() found 'stream' connected with
 * nothing to receive, so that stream_recv() now would almost certainly
 * return -EAGAIN; false if that is not known. */
bool stream_recv_is_idle(const struct stream *stream);

/* Registers the fd of 'stream' with the poll loop as long-lived (see
 * poll_fd_register()) until stream_close() or stream_unregister_poll(),
 * which must be called from the same thread.  For connections that stay
 * open for many iterations of a loop that serves many of them.  The loop
 * then wakes for input on 'stream' in every iteration, without
 * stream_recv_wait(): the owner must be ready to read it then (or
 * unregister it). */
void stream_register_poll(struct stream *stream);
void stream_unregister_poll(struct stream *stream);

/* Returns the fd that 'stream' waits on, or -1 if there is none (or it is
 * not known). */
int stream_get_fd(const struct stream *stream);

/* The identity of the peer, if known (TLS: the certificate's subject
 * common name); NULL otherwise.  The stream keeps a copy. */
void stream_set_peer_id(struct stream *stream, const char *peer_id);
const char *stream_get_peer_id(const struct stream *stream);

/* Checks that 'name' starts with the prefix of a known passive method.
 * Returns 0 or EAFNOSUPPORT. */
int pstream_verify_name(const char *name);

/* Starts listening on 'name'.  Returns 0 and stores the pstream in
 * '*pstreamp', or a positive errno value and stores NULL. */
int pstream_open(const char *name, struct pstream **pstreamp, uint8_t dscp);

/* Like pstream_open(), but "ptcp:" or "pssl:" with no port listens on
 * 'default_port'. */
int pstream_open_with_default_port(const char *name, uint16_t default_port,
                                   struct pstream **pstreamp, uint8_t dscp);

/* Returns the name the pstream was opened with.  For ptcp/pssl opened
 * with port 0 the name is rewritten to carry the bound port
 * ("ptcp:41234:127.0.0.1"), so it can be shown to users. */
const char *pstream_get_name(const struct pstream *pstream);

/* Closes 'pstream' (NULL is a no-op); punix unlinks its socket file. */
void pstream_close(struct pstream *pstream);

/* Accepts one pending connection.  Returns 0 and stores the new stream
 * in '*streamp', or a positive errno value (EAGAIN if none is pending)
 * and stores NULL. */
int pstream_accept(struct pstream *pstream, struct stream **streamp);

/* Returns true if the last poll_block() found no connection waiting on
 * 'pstream', so that pstream_accept() now would almost certainly return
 * EAGAIN; false if that is not known.  A loop that accepts in every
 * iteration can skip the system call then (the next poll_block() returns
 * at once for a connection that arrived since, as long as the loop calls
 * pstream_wait() again). */
bool pstream_accept_is_idle(const struct pstream *pstream);

/* Like pstream_accept() but waits for a connection. */
int pstream_accept_block(struct pstream *pstream, struct stream **streamp);

void pstream_wait(struct pstream *pstream);

/* Returns the TCP port a ptcp/pssl pstream listens on (in host byte
 * order), or 0 for other kinds. */
uint16_t pstream_get_bound_port(const struct pstream *pstream);

/* Returns 1 if connections of the method named by 'name' (active or
 * passive) need inactivity probes (tcp, ssl), 0 if not (unix), -1 if the
 * method is unknown. */
int stream_or_pstream_needs_probes(const char *name);

/* Parses "tcp:HOST[:PORT]" or "ssl:HOST[:PORT]" into '*ss' without
 * connecting (HOST must be a numeric address).  Returns true on success,
 * false (logging why) on failure. */
bool stream_parse_target_with_default_port(const char *target,
                                           uint16_t default_port,
                                           struct sockaddr_storage *ss);

/* Prints the connection-name syntax to stdout for a program's --help,
 * describing active and/or passive methods, in OVS's words ("Active
 * 'name' connection methods:" ...).  The PKI and SSL option lines that
 * OVS prints after them belong to lib/stream-ssl.c. */
void stream_usage(const char *name, bool active, bool passive);

#endif /* lib/stream.h */
