/* The interface between lib/stream.c and the implementations of each
 * connection method ("tcp", "unix", "ssl", ...).
 *
 * An implementation embeds 'struct stream' (or 'struct pstream') at the
 * start of its own structure, initialises it with stream_init() (or
 * pstream_init()), and recovers its structure in the callbacks with
 * CONTAINER_OF.  lib/stream.c owns the class table and dispatches by the
 * prefix of the connection name. */
#ifndef LIB_STREAM_PROVIDER_H
#define LIB_STREAM_PROVIDER_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/stream.h"

/* An active stream.  Members are for lib/stream.c; implementations only
 * pass the structure to stream_init(). */
struct stream {
    const struct stream_class *class;
    int state; /* Private to stream.c. */
    int error; /* Connection error, once failed. */
    char *name;
    char *peer_id;
    bool poll_registered; /* See stream_register_poll(). */
};

/* Initialises 'stream' as being of 'class' with the given 'name' (which
 * the stream takes ownership of).  'connect_status' is 0 if the stream
 * is connected already, EAGAIN if connecting is in progress (the class's
 * connect() will be called until it finishes), or an errno value if the
 * connection failed already. */
void stream_init(struct stream *stream, const struct stream_class *class,
                 int connect_status, char *name);

struct stream_class {
    /* Prefix of the connection name, without the colon: "tcp". */
    const char *name;

    /* True if connections of this kind can silently die (the peer's host
     * goes away), so that JSON-RPC sessions should send inactivity
     * probes. */
    bool needs_probes;

    /* Opens the stream named 'name', whose part after the prefix and its
     * colon is 'suffix' (the class may modify 'suffix' in place).  On
     * success, stores a new stream in '*streamp' and returns 0; on
     * failure returns a positive errno value.  'dscp' is the IP DSCP
     * value to use. */
    int (*open)(const char *name, char *suffix, struct stream **streamp,
                uint8_t dscp);

    /* Closes 'stream' and frees it. */
    void (*close)(struct stream *stream);

    /* Continues a connection in progress.  Returns 0 when connected,
     * EAGAIN if still in progress, or an errno value on failure.  Called
     * only while stream_init()'s 'connect_status' was EAGAIN.  May be
     * NULL if the class always connects at once. */
    int (*connect)(struct stream *stream);

    /* Receives up to 'n' bytes (n > 0).  Returns the number received,
     * 0 at end of stream, or a negative errno value (-EAGAIN if nothing
     * is ready).  Called only when connected. */
    ssize_t (*recv)(struct stream *stream, void *buffer, size_t n);

    /* Sends up to 'n' bytes (n > 0).  Returns the number sent (> 0) or a
     * negative errno value (-EAGAIN if nothing could be sent).  Called
     * only when connected.  Must not raise SIGPIPE. */
    ssize_t (*send)(struct stream *stream, const void *buffer, size_t n);

    /* Background work and its poll-loop registration (may be NULL). */
    void (*run)(struct stream *stream);
    void (*run_wait)(struct stream *stream);

    /* Registers with the poll loop to wake when 'wait' can progress. */
    void (*wait)(struct stream *stream, enum stream_wait_type wait);

    /* Returns true if recv() would surely find nothing now, judging by
     * the last poll_block() (see poll_fd_is_idle()).  May be NULL: not
     * known. */
    bool (*recv_is_idle)(const struct stream *stream);

    /* Returns the fd on which every wait() of the stream waits, or -1 if
     * there is none.  May be NULL: none. */
    int (*get_fd)(const struct stream *stream);
};

/* A passive stream.  Members are for lib/stream.c. */
struct pstream {
    const struct pstream_class *class;
    char *name;
    uint16_t bound_port; /* TCP port in host byte order, or 0. */
};

/* Initialises 'pstream' as being of 'class' with the given 'name' (which
 * the pstream takes ownership of). */
void pstream_init(struct pstream *pstream, const struct pstream_class *class,
                  char *name);

/* Records the port a TCP-based pstream listens on, for
 * pstream_get_bound_port(). */
void pstream_set_bound_port(struct pstream *pstream, uint16_t port);

struct pstream_class {
    /* Prefix of the connection name, without the colon: "ptcp". */
    const char *name;

    /* As in struct stream_class, for the accepted streams. */
    bool needs_probes;

    /* Starts listening on 'name', whose part after the prefix and colon
     * is 'suffix' (modifiable).  Stores a new pstream in '*pstreamp' and
     * returns 0, or returns a positive errno value. */
    int (*listen)(const char *name, char *suffix, struct pstream **pstreamp,
                  uint8_t dscp);

    /* Stops listening and frees 'pstream'. */
    void (*close)(struct pstream *pstream);

    /* Accepts one connection: stores it in '*streamp' and returns 0, or
     * returns EAGAIN if none is pending, or another errno value. */
    int (*accept)(struct pstream *pstream, struct stream **streamp);

    /* Registers with the poll loop to wake when accept() can progress. */
    void (*wait)(struct pstream *pstream);

    /* Returns true if accept() would surely return EAGAIN now, judging by
     * the last poll_block() (see poll_fd_is_idle()).  May be NULL: not
     * known. */
    bool (*accept_is_idle)(const struct pstream *pstream);
};

/* The built-in classes. */
extern const struct stream_class tcp_stream_class;
extern const struct pstream_class ptcp_pstream_class;
extern const struct stream_class unix_stream_class;
extern const struct pstream_class punix_pstream_class;

/* TLS, provided by lib/stream-ssl.c. */
extern const struct stream_class ssl_stream_class;
extern const struct pstream_class pssl_pstream_class;

#endif /* lib/stream-provider.h */
