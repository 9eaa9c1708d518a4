/* Dispatch of connection names to stream classes, and the connection
 * state machine shared by all of them; see stream.h. */
#include "lib/stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/coverage.h"
#include "lib/fatal-signal.h"
#include "lib/poll-loop.h"
#include "lib/socket-util.h"
#include "lib/stream-provider.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream);

COVERAGE_DEFINE(stream_open);
COVERAGE_DEFINE(pstream_open);

/* Connection states of an active stream. */
enum stream_state {
    SCS_CONNECTING,  /* Connecting: class's connect() pending. */
    SCS_CONNECTED,   /* Connected. */
    SCS_DISCONNECTED /* Failed: 'error' says why. */
};

static const struct stream_class *const stream_classes[] = {
    &tcp_stream_class,
    &unix_stream_class,
    &ssl_stream_class,
};

static const struct pstream_class *const pstream_classes[] = {
    &ptcp_pstream_class,
    &punix_pstream_class,
    &pssl_pstream_class,
};

/* Returns the length of the method prefix of 'name' (the part before the
 * first colon), or 0 if there is no colon. */
static size_t
method_length(const char *name)
{
    const char *colon = strchr(name, ':');
    return colon ? (size_t) (colon - name) : 0;
}

static bool
method_matches(const char *name, const char *class_name)
{
    size_t len = method_length(name);
    return len && strlen(class_name) == len && !strncmp(name, class_name, len);
}

static const struct stream_class *
stream_lookup_class(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(stream_classes); i++) {
        if (method_matches(name, stream_classes[i]->name)) {
            return stream_classes[i];
        }
    }
    return NULL;
}

static const struct pstream_class *
pstream_lookup_class(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(pstream_classes); i++) {
        if (method_matches(name, pstream_classes[i]->name)) {
            return pstream_classes[i];
        }
    }
    return NULL;
}

void
stream_usage(const char *name, bool active, bool passive)
{
    printf("\n");
    if (active) {
        printf("Active %s connection methods:\n", name);
        printf("  tcp:HOST:PORT           "
               "PORT at remote HOST\n");
        printf("  ssl:HOST:PORT           "
               "SSL PORT at remote HOST\n");
        printf("  unix:FILE               "
               "Unix domain socket named FILE\n");
    }
    if (passive) {
        printf("Passive %s connection methods:\n", name);
        printf("  ptcp:PORT[:IP]          "
               "listen to TCP PORT on IP\n");
        printf("  pssl:PORT[:IP]          "
               "listen for SSL on PORT on IP\n");
        printf("  punix:FILE              "
               "listen on Unix domain socket FILE\n");
    }
}

/* Active streams. */

int
stream_verify_name(const char *name)
{
    return stream_lookup_class(name) ? 0 : EAFNOSUPPORT;
}

int
stream_open(const char *name, struct stream **streamp, uint8_t dscp)
{
    COVERAGE_INC(stream_open);
    *streamp = NULL;

    const struct stream_class *class = stream_lookup_class(name);
    if (!class) {
        return EAFNOSUPPORT;
    }

    char *suffix = xstrdup(name + strlen(class->name) + 1);
    struct stream *stream;
    int error = class->open(name, suffix, &stream, dscp);
    free(suffix);
    if (error) {
        return error;
    }
    *streamp = stream;
    return 0;
}

/* Returns true if the address part 'suffix' of a "tcp:" or "ssl:" name
 * already holds a port. */
static bool
suffix_has_port(const char *suffix)
{
    if (*suffix == '[') {
        const char *end = strchr(suffix, ']');
        return end && end[1] == ':';
    }
    const char *colon = strchr(suffix, ':');
    /* Two or more colons without brackets: a bare IPv6 address. */
    return colon && !strchr(colon + 1, ':');
}

int
stream_open_with_default_port(const char *name, uint16_t default_port,
                              struct stream **streamp, uint8_t dscp)
{
    if ((str_startswith(name, "tcp:") || str_startswith(name, "ssl:"))
        && !suffix_has_port(name + 4)) {
        const char *suffix = name + 4;
        bool bare_ipv6 = *suffix != '[' && strchr(suffix, ':');
        char *full = xasprintf("%.4s%s%s%s:%u", name, bare_ipv6 ? "[" : "",
                               suffix, bare_ipv6 ? "]" : "", default_port);
        int error = stream_open(full, streamp, dscp);
        free(full);
        return error;
    }
    return stream_open(name, streamp, dscp);
}

int
stream_open_block(int error, long long timeout_ms, struct stream **streamp)
{
    struct stream *stream = *streamp;
    long long deadline = timeout_ms >= 0 ? time_msec() + timeout_ms : -1;

    fatal_ignore_sigpipe();
    if (!error) {
        while ((error = stream_connect(stream)) == EAGAIN) {
            if (deadline >= 0 && time_msec() >= deadline) {
                error = ETIMEDOUT;
                break;
            }
            stream_run(stream);
            stream_run_wait(stream);
            stream_connect_wait(stream);
            if (deadline >= 0) {
                poll_timer_wait_until(deadline);
            }
            poll_block();
        }
    }
    if (error) {
        stream_close(stream);
        *streamp = NULL;
    }
    return error;
}

void
stream_init(struct stream *stream, const struct stream_class *class,
            int connect_status, char *name)
{
    memset(stream, 0, sizeof *stream);
    stream->class = class;
    stream->state = (connect_status == EAGAIN ? SCS_CONNECTING
                     : !connect_status        ? SCS_CONNECTED
                                              : SCS_DISCONNECTED);
    stream->error = connect_status == EAGAIN ? 0 : connect_status;
    stream->name = name;
}

void
stream_close(struct stream *stream)
{
    if (stream) {
        char *name = stream->name;
        char *peer_id = stream->peer_id;
        stream_unregister_poll(stream);
        stream->class->close(stream);
        free(name);
        free(peer_id);
    }
}

const char *
stream_get_name(const struct stream *stream)
{
    return stream ? stream->name : "(null)";
}

int
stream_connect(struct stream *stream)
{
    if (stream->state == SCS_CONNECTING) {
        int error =
            stream->class->connect ? stream->class->connect(stream) : 0;
        if (!error) {
            stream->state = SCS_CONNECTED;
        } else if (error != EAGAIN) {
            stream->state = SCS_DISCONNECTED;
            stream->error = error;
        }
    }

    switch ((enum stream_state) stream->state) {
    case SCS_CONNECTING:
        return EAGAIN;
    case SCS_CONNECTED:
        return 0;
    case SCS_DISCONNECTED:
    default:
        return stream->error;
    }
}

ssize_t
stream_recv(struct stream *stream, void *buffer, size_t n)
{
    int error = stream_connect(stream);
    if (error) {
        return -error;
    }
    return n ? stream->class->recv(stream, buffer, n) : 0;
}

ssize_t
stream_send(struct stream *stream, const void *buffer, size_t n)
{
    int error = stream_connect(stream);
    if (error) {
        return -error;
    }
    return n ? stream->class->send(stream, buffer, n) : 0;
}

void
stream_run(struct stream *stream)
{
    if (stream->class->run) {
        stream->class->run(stream);
    }
}

void
stream_run_wait(struct stream *stream)
{
    if (stream->class->run_wait) {
        stream->class->run_wait(stream);
    }
}

void
stream_wait(struct stream *stream, enum stream_wait_type wait)
{
    switch ((enum stream_state) stream->state) {
    case SCS_CONNECTING:
        /* Nothing but connecting can progress until the connection is
         * made, and then the caller needs to wake to try again. */
        stream->class->wait(stream, STREAM_CONNECT);
        break;

    case SCS_DISCONNECTED:
        poll_immediate_wake();
        break;

    case SCS_CONNECTED:
        if (wait == STREAM_CONNECT) {
            poll_immediate_wake();
        } else {
            stream->class->wait(stream, wait);
        }
        break;
    }
}

void
stream_connect_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_CONNECT);
}

void
stream_recv_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_RECV);
}

void
stream_send_wait(struct stream *stream)
{
    stream_wait(stream, STREAM_SEND);
}

bool
stream_recv_is_idle(const struct stream *stream)
{
    return (stream->state == SCS_CONNECTED && stream->class->recv_is_idle
            && stream->class->recv_is_idle(stream));
}

void
stream_register_poll(struct stream *stream)
{
    int fd = stream_get_fd(stream);
    if (!stream->poll_registered && fd >= 0) {
        poll_fd_register(fd, POLLIN);
        stream->poll_registered = true;
    }
}

int
stream_get_fd(const struct stream *stream)
{
    return stream->class->get_fd ? stream->class->get_fd(stream) : -1;
}

void
stream_unregister_poll(struct stream *stream)
{
    if (stream->poll_registered) {
        poll_fd_unregister(stream->class->get_fd(stream));
        stream->poll_registered = false;
    }
}

void
stream_set_peer_id(struct stream *stream, const char *peer_id)
{
    free(stream->peer_id);
    stream->peer_id = nullable_xstrdup(peer_id);
}

const char *
stream_get_peer_id(const struct stream *stream)
{
    return stream->peer_id;
}

/* Passive streams. */

int
pstream_verify_name(const char *name)
{
    return pstream_lookup_class(name) ? 0 : EAFNOSUPPORT;
}

int
pstream_open(const char *name, struct pstream **pstreamp, uint8_t dscp)
{
    COVERAGE_INC(pstream_open);
    *pstreamp = NULL;

    const struct pstream_class *class = pstream_lookup_class(name);
    if (!class) {
        return EAFNOSUPPORT;
    }

    char *suffix = xstrdup(name + strlen(class->name) + 1);
    struct pstream *pstream;
    int error = class->listen(name, suffix, &pstream, dscp);
    free(suffix);
    if (error) {
        return error;
    }
    *pstreamp = pstream;
    return 0;
}

int
pstream_open_with_default_port(const char *name, uint16_t default_port,
                               struct pstream **pstreamp, uint8_t dscp)
{
    if ((str_startswith(name, "ptcp:") || str_startswith(name, "pssl:"))
        && (name[5] == '\0' || name[5] == ':')) {
        char *full = xasprintf("%.5s%u%s", name, default_port, name + 5);
        int error = pstream_open(full, pstreamp, dscp);
        free(full);
        return error;
    }
    return pstream_open(name, pstreamp, dscp);
}

void
pstream_init(struct pstream *pstream, const struct pstream_class *class,
             char *name)
{
    memset(pstream, 0, sizeof *pstream);
    pstream->class = class;
    pstream->name = name;
}

void
pstream_set_bound_port(struct pstream *pstream, uint16_t port)
{
    pstream->bound_port = port;
}

const char *
pstream_get_name(const struct pstream *pstream)
{
    return pstream->name;
}

void
pstream_close(struct pstream *pstream)
{
    if (pstream) {
        char *name = pstream->name;
        pstream->class->close(pstream);
        free(name);
    }
}

int
pstream_accept(struct pstream *pstream, struct stream **streamp)
{
    int error = pstream->class->accept(pstream, streamp);
    if (error) {
        *streamp = NULL;
    }
    return error;
}

bool
pstream_accept_is_idle(const struct pstream *pstream)
{
    return (pstream->class->accept_is_idle
            && pstream->class->accept_is_idle(pstream));
}

int
pstream_accept_block(struct pstream *pstream, struct stream **streamp)
{
    int error;

    fatal_ignore_sigpipe();
    while ((error = pstream_accept(pstream, streamp)) == EAGAIN) {
        pstream_wait(pstream);
        poll_block();
    }
    return error;
}

void
pstream_wait(struct pstream *pstream)
{
    pstream->class->wait(pstream);
}

uint16_t
pstream_get_bound_port(const struct pstream *pstream)
{
    return pstream->bound_port;
}

/* Names. */

int
stream_or_pstream_needs_probes(const char *name)
{
    const struct stream_class *class = stream_lookup_class(name);
    if (class) {
        return class->needs_probes;
    }
    const struct pstream_class *pclass = pstream_lookup_class(name);
    if (pclass) {
        return pclass->needs_probes;
    }
    return -1;
}

bool
stream_parse_target_with_default_port(const char *target,
                                      uint16_t default_port,
                                      struct sockaddr_storage *ss)
{
    if (!str_startswith(target, "tcp:") && !str_startswith(target, "ssl:")) {
        return false;
    }
    char *error = socket_parse_inet_active(target + 4, default_port, ss);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s", error);
        free(error);
        return false;
    }
    return true;
}
