/* JSON-RPC 1.0 as OVSDB uses it (RFC 7047, section 4), over a stream.
 *
 * Messages are JSON objects of four kinds:
 *
 *     request        {"method": M, "params": [...], "id": ID}
 *     notification   {"method": M, "params": [...], "id": null}
 *     reply          {"result": R, "error": null, "id": ID}
 *     error          {"result": null, "error": E, "id": ID}
 *
 * On the byte stream, messages follow one another with optional
 * whitespace in between and no other framing.
 *
 * A message longer than the connection's maximum size (JSONRPC_MAX_MSG_SIZE
 * unless changed with jsonrpc_set_max_msg_size()), malformed JSON, or a
 * JSON value that is not a valid message is a protocol error: it is
 * logged (rate-limited), the connection's status becomes EPROTO, and the
 * connection stops sending and receiving, so that the caller closes it. */
#ifndef LIB_JSONRPC_H
#define LIB_JSONRPC_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct ds;
struct stream;

/* Default limit on the size of one received message, in bytes.  Large
 * enough for the initial monitor reply of a big database, small enough
 * that a peer cannot make us buffer without bound. */
#define JSONRPC_MAX_MSG_SIZE (64 * 1024 * 1024)

/* Messages. */

enum jsonrpc_msg_type {
    JSONRPC_REQUEST, /* Request: expects a reply or error. */
    JSONRPC_NOTIFY,  /* Notification: no reply. */
    JSONRPC_REPLY,   /* Successful reply to a request. */
    JSONRPC_ERROR    /* Error reply to a request. */
};

/* Returns "request", "notification", "reply" or "error". */
const char *jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type);

/* A message.  The members that its type does not use are NULL; each
 * non-NULL json_t member holds one reference owned by the message. */
struct jsonrpc_msg {
    enum jsonrpc_msg_type type;
    char *method;   /* Request, notification. */
    json_t *params; /* Request, notification: an array. */
    json_t *result; /* Reply. */
    json_t *error;  /* Error. */
    json_t *id;     /* Request, reply, error. */
};

/* Creates a request for 'method' with 'params' (taken; must be an array)
 * and a new id, unique within the process (an integer counting up from
 * 0).  If 'idp' is nonnull, stores a new reference to the id there for
 * matching the reply. */
struct jsonrpc_msg *jsonrpc_create_request(const char *method, json_t *params,
                                           json_t **idp);

/* Creates a notification for 'method' with 'params' (taken; an array). */
struct jsonrpc_msg *jsonrpc_create_notify(const char *method, json_t *params);

/* Creates a reply with 'result' (taken) to the request with id 'id'
 * (borrowed). */
struct jsonrpc_msg *jsonrpc_create_reply(json_t *result, const json_t *id);

/* Creates an error reply with 'error' (taken) to the request with id
 * 'id' (borrowed). */
struct jsonrpc_msg *jsonrpc_create_error(json_t *error, const json_t *id);

/* Returns a deep copy of 'msg'. */
struct jsonrpc_msg *jsonrpc_msg_clone(const struct jsonrpc_msg *msg);

/* Frees 'msg' and its members (NULL is a no-op). */
void jsonrpc_msg_destroy(struct jsonrpc_msg *msg);

/* Returns NULL if 'msg' has exactly the members its type requires, with
 * the right types, otherwise a malloc'd message saying what is wrong. */
char *
jsonrpc_msg_is_valid(const struct jsonrpc_msg *msg) OVS_WARN_UNUSED_RESULT;

/* Converts 'json' into a message.  Takes 'json'.  On success stores the
 * message in '*msgp' and returns NULL; otherwise stores NULL and returns
 * a malloc'd message, for example 'message has unexpected member "foo"'
 * or '"params" must be JSON array'. */
char *jsonrpc_msg_from_json(json_t *json,
                            struct jsonrpc_msg **msgp) OVS_WARN_UNUSED_RESULT;

/* Parses the JSON text 's' into a message, as jsonrpc_msg_from_json(). */
char *jsonrpc_msg_from_string(const char *s, struct jsonrpc_msg **msgp)
    OVS_WARN_UNUSED_RESULT;

/* Returns 'msg' as a new JSON object; frees 'msg'. */
json_t *jsonrpc_msg_to_json(struct jsonrpc_msg *msg);

/* Returns the wire form of 'msg' (compact JSON), malloc'd; 'msg' is
 * unchanged. */
char *jsonrpc_msg_to_string(const struct jsonrpc_msg *msg);

/* Appends a description of 'msg' for logs, such as
 * 'request, method="echo", params=[], id=0'. */
void jsonrpc_msg_format(const struct jsonrpc_msg *msg, struct ds *out);

/* Framing: splits a byte stream into messages, incrementally, without
 * any I/O, so that it can be driven by a connection, a test or a fuzzer
 * alike.  jsonrpc.c uses it for every connection. */

struct jsonrpc_reader;

/* Creates a reader that accepts messages of up to 'max_msg_size' bytes
 * (counted from the first byte of the value to its last). */
struct jsonrpc_reader *jsonrpc_reader_create(size_t max_msg_size);
void jsonrpc_reader_destroy(struct jsonrpc_reader *reader);

/* Changes the limit; a message being read is held to the new one. */
void jsonrpc_reader_set_max_msg_size(struct jsonrpc_reader *reader,
                                     size_t max_msg_size);

/* Consumes bytes from the 'n' at 'data' until one message is complete,
 * an error is found, or the data runs out, and returns how many bytes it
 * consumed.  Afterwards:
 *
 *   - If a message is complete (or an error was found), the caller
 *     collects it with jsonrpc_reader_take() before feeding the rest.
 *
 *   - Otherwise all 'n' bytes were consumed and the reader waits for
 *     more.  */
size_t jsonrpc_reader_feed(struct jsonrpc_reader *reader, const void *data,
                           size_t n);

/* Returns true if a message or an error is ready for
 * jsonrpc_reader_take(). */
bool jsonrpc_reader_is_ready(const struct jsonrpc_reader *reader);

/* Collects the result of the last jsonrpc_reader_feed(): returns NULL and
 * stores the message in '*msgp', or returns a malloc'd error message and
 * stores NULL.  If nothing was ready, returns NULL and stores NULL.
 *
 * After an error the reader stays failed: further input is ignored and
 * later calls report the same error again, because a byte stream whose
 * framing is lost cannot be resynchronised. */
char *jsonrpc_reader_take(struct jsonrpc_reader *reader,
                          struct jsonrpc_msg **msgp) OVS_WARN_UNUSED_RESULT;

/* Collects the text of the message that is ready, unparsed: returns true
 * and stores it in 'text' (replacing what it held; whitespace that came
 * before the message is left out).  Returns false if nothing is ready or
 * the reader failed (jsonrpc_reader_take() then reports the error). */
bool jsonrpc_reader_take_text(struct jsonrpc_reader *reader, struct ds *text);

/* Returns true if the reader holds part of a message (bytes after the
 * end of the last complete message other than whitespace), so that end
 * of stream now would truncate a message. */
bool jsonrpc_reader_is_mid_message(const struct jsonrpc_reader *reader);

/* Connections. */

/* Creates a JSON-RPC connection over 'stream' (taken; it may still be
 * connecting). */
struct jsonrpc *jsonrpc_open(struct stream *stream);

/* Closes 'rpc' and its stream (NULL is a no-op).  Queued output that
 * could not be sent is dropped. */
void jsonrpc_close(struct jsonrpc *rpc);

/* Sends queued output; call from the main loop. */
void jsonrpc_run(struct jsonrpc *rpc);

/* Registers what jsonrpc_run() waits for (the stream becoming writable
 * while output is queued). */
void jsonrpc_wait(struct jsonrpc *rpc);

/* Returns 0 while the connection is healthy, EOF if the peer closed it
 * cleanly, EPROTO after a protocol error, or another errno value after
 * an I/O error.  Once nonzero it stays so. */
int jsonrpc_get_status(const struct jsonrpc *rpc);

/* Returns the number of bytes queued for sending. */
size_t jsonrpc_get_backlog(const struct jsonrpc *rpc);

/* Returns the number of bytes received so far. */
unsigned long long jsonrpc_get_received_bytes(const struct jsonrpc *rpc);

/* Returns the stream's name. */
const char *jsonrpc_get_name(const struct jsonrpc *rpc);

/* Returns the underlying stream (still owned by 'rpc'). */
struct stream *jsonrpc_get_stream(const struct jsonrpc *rpc);

/* Sets the maximum size of a received message (JSONRPC_MAX_MSG_SIZE by
 * default).  Applies to the message being read, too. */
void jsonrpc_set_max_msg_size(struct jsonrpc *rpc, size_t max_msg_size);

/* Returns the text of the last protocol error (for example
 * "tcp:127.0.0.1:6640: received bad JSON-RPC message: ..."), or NULL. */
const char *jsonrpc_get_error_string(const struct jsonrpc *rpc);

/* Queues 'msg' (taken) for sending and starts sending it.  Returns 0, or
 * the connection's status if it has failed (then 'msg' is dropped). */
int jsonrpc_send(struct jsonrpc *rpc, struct jsonrpc_msg *msg);

/* Queues 'n' bytes of 'text' (taken; malloc'd), which must be one
 * complete message already serialised, for sending.  This lets a server
 * serialise a message shared by many clients once.  Returns 0, or the
 * connection's status if it has failed (then 'text' is freed). */
int jsonrpc_send_text(struct jsonrpc *rpc, char *text, size_t n);

/* Receives one message: returns 0 and stores it in '*msgp' (the caller
 * destroys it), or returns EAGAIN if no complete message is available
 * yet, or the connection's status (EOF, EPROTO, an errno value) with
 * '*msgp' set to NULL. */
int jsonrpc_recv(struct jsonrpc *rpc, struct jsonrpc_msg **msgp);

/* Receives one message as jsonrpc_recv() does, but as its text, which it
 * neither parses nor checks beyond the framing: returns 0 and stores the
 * text in 'text', or returns EAGAIN or the connection's status.  For a
 * client that can tell the messages it expects by their bytes, and parses
 * only the others (jsonrpc_msg_from_text()). */
int jsonrpc_recv_text(struct jsonrpc *rpc, struct ds *text);

/* Parses the 'n' bytes at 'text' as one JSON-RPC message: returns NULL and
 * stores it in '*msgp', or returns a malloc'd error and stores NULL. */
char *jsonrpc_msg_from_text(const char *text, size_t n,
                            struct jsonrpc_msg **msgp) OVS_WARN_UNUSED_RESULT;

/* Declares, for the whole process, that every thread that receives runs
 * a strict main loop, with a poll_block() between two passes over its
 * connections.  Then jsonrpc_recv() does not read a socket again in the
 * iteration in which a read emptied it, which on a busy server would
 * almost always be a wasted system call: input that arrives meanwhile is
 * read in the next iteration (jsonrpc_recv_wait() wakes it).  A program
 * that may call jsonrpc_recv() twice without poll_block() in between and
 * expect new input must not call this. */
void jsonrpc_skip_drained_reads(void);

/* Registers the connection's fd with the poll loop as long-lived until
 * jsonrpc_close() or jsonrpc_unregister_poll() (see
 * stream_register_poll()). */
void jsonrpc_register_poll(struct jsonrpc *rpc);
void jsonrpc_unregister_poll(struct jsonrpc *rpc);

/* Returns the fd of the connection (see stream_get_fd()). */
int jsonrpc_get_fd(const struct jsonrpc *rpc);

/* Registers with the poll loop to wake when jsonrpc_recv() can make
 * progress. */
void jsonrpc_recv_wait(struct jsonrpc *rpc);
/* Returns true if jsonrpc_recv() would surely return EAGAIN now: nothing
 * is buffered and the last poll_block() found the stream with nothing to
 * receive (see stream_recv_is_idle()). */
bool jsonrpc_recv_is_idle(const struct jsonrpc *rpc);

/* Sends 'msg' (taken) and waits until all queued output is sent.
 * Returns 0 or the connection's status. */
int jsonrpc_send_block(struct jsonrpc *rpc, struct jsonrpc_msg *msg);

/* Waits for and receives one message, as jsonrpc_recv(), but never
 * returns EAGAIN. */
int jsonrpc_recv_block(struct jsonrpc *rpc, struct jsonrpc_msg **msgp);

/* Sends 'request' (taken; a request) and waits for the reply or error
 * with its id, which it stores in '*replyp'.  Other messages received
 * meanwhile are dropped, except that "echo" requests are answered.
 * Returns 0 or the connection's status (with '*replyp' NULL). */
int jsonrpc_transact_block(struct jsonrpc *rpc, struct jsonrpc_msg *request,
                           struct jsonrpc_msg **replyp);

#endif /* lib/jsonrpc.h */
