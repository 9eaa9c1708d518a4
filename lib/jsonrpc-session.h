/* A JSON-RPC connection that survives its connections: it reconnects with
 * backoff when the connection drops, sends inactivity probes ("echo"
 * requests) to detect dead peers, and answers the peer's probes.
 *
 * Clients open a session on a connection name and drive it from their
 * main loop:
 *
 *     s = jsonrpc_session_open("tcp:127.0.0.1:6640", true);
 *     for (;;) {
 *         jsonrpc_session_run(s);
 *         if (jsonrpc_session_get_seqno(s) != seqno) {
 *             seqno = jsonrpc_session_get_seqno(s);
 *             ... connection changed: if connected, resend state ...
 *         }
 *         while ((msg = jsonrpc_session_recv(s)) != NULL) { ... }
 *         jsonrpc_session_wait(s);
 *         jsonrpc_session_recv_wait(s);
 *         poll_block();
 *     }
 *
 * A passive name ("ptcp:6640", "punix:FILE", "pssl:...") makes the session
 * listen and serve one peer at a time, a new peer replacing the current
 * one.  Servers that accept connections themselves wrap each accepted
 * connection with jsonrpc_session_open_unreliably(): such a session never
 * reconnects and dies with its connection. */
#ifndef LIB_JSONRPC_SESSION_H
#define LIB_JSONRPC_SESSION_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jsonrpc;
struct jsonrpc_msg;
struct reconnect_stats;

/* Opens a session to 'name', connecting (or, for a passive name,
 * listening) right away.  A "tcp:"/"ssl:" name without a port uses 6640.
 * With 'retry', the session reconnects forever with backoff; without it,
 * it makes a single connection attempt and its connection is not
 * re-established when it drops (jsonrpc_session_is_alive() tells). */
struct jsonrpc_session *jsonrpc_session_open(const char *name, bool retry);

/* Like jsonrpc_session_open() with several remotes (at least one), tried
 * in turn: a failed or dropped connection moves on to the next remote at
 * once, and backoff starts only after all of them failed. */
struct jsonrpc_session *jsonrpc_session_open_multiple(const char *const *names,
                                                      size_t n_names,
                                                      bool retry);

/* Wraps 'jsonrpc' (taken), a connection a server accepted, in a session
 * that sends probes and answers echoes but never reconnects.  Its state
 * changes are logged at debug level only. */
struct jsonrpc_session *jsonrpc_session_open_unreliably(struct jsonrpc *,
                                                        uint8_t dscp);

/* Closes the session and its connection (NULL is a no-op). */
void jsonrpc_session_close(struct jsonrpc_session *);

/* Returns the session's connection (or NULL if it has none) and frees the
 * session, for servers that hand a connection over. */
struct jsonrpc *jsonrpc_session_steal(struct jsonrpc_session *);

void jsonrpc_session_run(struct jsonrpc_session *);
void jsonrpc_session_wait(struct jsonrpc_session *);

/* Bytes queued for sending on the current connection. */
size_t jsonrpc_session_get_backlog(const struct jsonrpc_session *);

/* The name of the remote in use (for an unreliable session, the peer's
 * name, e.g. "tcp:127.0.0.1:52114"). */
const char *jsonrpc_session_get_name(const struct jsonrpc_session *);
size_t jsonrpc_session_get_n_remotes(const struct jsonrpc_session *);

/* Sends 'msg' (taken) on the current connection.  Returns 0, or ENOTCONN
 * (dropping 'msg') if there is no connection, or the connection's error
 * status. */
int jsonrpc_session_send(struct jsonrpc_session *, struct jsonrpc_msg *);

/* Like jsonrpc_session_send() for a message already serialised (see
 * jsonrpc_send_text()); takes 'text'. */
int jsonrpc_session_send_text(struct jsonrpc_session *, char *text, size_t n);

/* Returns the next message received (the caller destroys it) or NULL.
 * "echo" requests are answered here and replies to our own probes are
 * consumed here: neither reaches the caller. */
struct jsonrpc_msg *jsonrpc_session_recv(struct jsonrpc_session *);
void jsonrpc_session_recv_wait(struct jsonrpc_session *);
/* Returns true if jsonrpc_session_recv() would surely return NULL now
 * (see jsonrpc_recv_is_idle()), which then counts as an attempt to
 * receive, so that a daemon serving many mostly idle sessions need not
 * try each one in every iteration of its loop. */
bool jsonrpc_session_recv_is_idle(struct jsonrpc_session *);

/* True while the session has a connection, is making one, or may make
 * one later. */
bool jsonrpc_session_is_alive(const struct jsonrpc_session *);

/* True while the session has an established connection. */
bool jsonrpc_session_is_connected(const struct jsonrpc_session *);

/* A number that changes whenever the session connects or disconnects, so
 * that clients know when to resynchronise with the peer. */
unsigned int jsonrpc_session_get_seqno(const struct jsonrpc_session *);

/* The current connection's status (jsonrpc_get_status()), or 0 without a
 * connection. */
int jsonrpc_session_get_status(const struct jsonrpc_session *);

/* The error that ended the last connection or connection attempt (a
 * positive errno value or EOF), or 0. */
int jsonrpc_session_get_last_error(const struct jsonrpc_session *);

/* The peer's identity (TLS certificate common name), or NULL. */
const char *jsonrpc_session_get_id(const struct jsonrpc_session *);

void jsonrpc_session_get_reconnect_stats(const struct jsonrpc_session *,
                                         struct reconnect_stats *);

/* Makes an unreliable session reconnect like a regular one (for clients
 * that were handed a connection but know where it came from). */
void jsonrpc_session_enable_reconnect(struct jsonrpc_session *);

/* Drops the current connection and makes a new one. */
void jsonrpc_session_force_reconnect(struct jsonrpc_session *);

/* Forgets the accumulated backoff: a wait in progress ends at once and
 * the next failure waits only the minimum. */
void jsonrpc_session_reset_backoff(struct jsonrpc_session *);

/* Maximum backoff between connection attempts, in ms (at least 1000;
 * 0 restores the default of 8000). */
void jsonrpc_session_set_max_backoff(struct jsonrpc_session *,
                                     int max_backoff);

/* Inactivity probe interval in ms; 0 disables probes.  Sessions on names
 * whose method does not need probes (unix sockets) start with 0, others
 * with 5000. */
void jsonrpc_session_set_probe_interval(struct jsonrpc_session *,
                                        int probe_interval);

/* Registers each connection of 's', now and after reconnecting, with the
 * poll loop as long-lived (see stream_register_poll()), which then
 * costs nothing per iteration while the connection is idle.  For servers
 * with many sessions; the session must then be run, waited on and closed
 * in the calling thread only.  jsonrpc_session_unregister_poll() undoes
 * it, for a session whose input is to be left unread. */
void jsonrpc_session_register_poll(struct jsonrpc_session *);
void jsonrpc_session_unregister_poll(struct jsonrpc_session *);

/* Returns true if jsonrpc_session_run(), jsonrpc_session_recv() and
 * jsonrpc_session_wait() would have nothing to do for 's' at 'now' (a
 * time_msec() value): its connection is registered with the poll loop,
 * and has nothing to send, nothing received as of the last poll_block(),
 * and no timer due.  The caller may then leave 's' alone in this
 * iteration, as long as it wakes at '*deadline' (LLONG_MAX: never), the
 * time of its next timer. */
bool jsonrpc_session_is_quiet(struct jsonrpc_session *, long long now,
                              long long *deadline);

/* Returns the fd of the connection of 's', -1 if there is none (see
 * stream_get_fd()). */
int jsonrpc_session_get_fd(const struct jsonrpc_session *);

/* IP DSCP value for the connections; changing it reconnects. */
void jsonrpc_session_set_dscp(struct jsonrpc_session *, uint8_t dscp);

#endif /* lib/jsonrpc-session.h */
