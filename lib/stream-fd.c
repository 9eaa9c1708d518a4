/* Streams that are one socket; see stream-fd.h. */
#include "lib/stream-fd.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/poll-loop.h"
#include "lib/socket-util.h"
#include "lib/stream-provider.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_fd);

/* Active side. */

struct stream_fd {
    struct stream stream;
    int fd;
    int fd_type; /* AF_INET, AF_INET6, AF_UNIX. */
};

static const struct stream_class stream_fd_class;

static struct stream_fd *
stream_fd_cast(struct stream *stream)
{
    return CONTAINER_OF(stream, struct stream_fd, stream);
}

int
new_fd_stream(char *name, int fd, int connect_status, int fd_type,
              struct stream **streamp)
{
    struct stream_fd *s = xmalloc(sizeof *s);
    stream_init(&s->stream, &stream_fd_class, connect_status, name);
    s->fd = fd;
    s->fd_type = fd_type;
    *streamp = &s->stream;
    return 0;
}

static void
stream_fd_close(struct stream *stream)
{
    struct stream_fd *s = stream_fd_cast(stream);
    close(s->fd);
    free(s);
}

static int
stream_fd_connect(struct stream *stream)
{
    struct stream_fd *s = stream_fd_cast(stream);
    return socket_check_connection_completion(s->fd);
}

/* Returns 'retval', what the socket call 'function' on 'stream' returned,
 * as the stream class's recv() and send() must: the byte count, or the
 * negative errno value of a failure (logged unless it is EAGAIN). */
static ssize_t
stream_fd_io_result(struct stream *stream, const char *function,
                    ssize_t retval)
{
    if (retval < 0) {
        int error = errno == EWOULDBLOCK ? EAGAIN : errno;
        if (error != EAGAIN) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_DBG_RL(&rl, "%s: %s: %s", stream_get_name(stream), function,
                        ovs_strerror(error));
        }
        return -error;
    }
    return retval;
}

static ssize_t
stream_fd_recv(struct stream *stream, void *buffer, size_t n)
{
    struct stream_fd *s = stream_fd_cast(stream);
    ssize_t retval;
    SOCKET_RETRY(retval, recv(s->fd, buffer, n, 0));
    return stream_fd_io_result(stream, "recv", retval);
}

static ssize_t
stream_fd_send(struct stream *stream, const void *buffer, size_t n)
{
    struct stream_fd *s = stream_fd_cast(stream);
    ssize_t retval;
    /* MSG_NOSIGNAL: a peer that went away must give EPIPE, not kill the
     * process. */
    SOCKET_RETRY(retval, send(s->fd, buffer, n, MSG_NOSIGNAL));
    return stream_fd_io_result(stream, "send", retval);
}

static void
stream_fd_wait(struct stream *stream, enum stream_wait_type wait)
{
    struct stream_fd *s = stream_fd_cast(stream);
    switch (wait) {
    case STREAM_CONNECT:
    case STREAM_SEND:
        poll_fd_wait(s->fd, POLLOUT);
        break;
    case STREAM_RECV:
        poll_fd_wait(s->fd, POLLIN);
        break;
    }
}

static bool
stream_fd_recv_is_idle(const struct stream *stream)
{
    const struct stream_fd *s = CONTAINER_OF(stream, struct stream_fd, stream);
    return poll_fd_is_idle(s->fd, POLLIN);
}

static int
stream_fd_get_fd(const struct stream *stream)
{
    return CONTAINER_OF(stream, struct stream_fd, stream)->fd;
}

static const struct stream_class stream_fd_class = {
    .name = "fd",
    .needs_probes = false,
    .open = NULL,
    .close = stream_fd_close,
    .connect = stream_fd_connect,
    .recv = stream_fd_recv,
    .send = stream_fd_send,
    .run = NULL,
    .run_wait = NULL,
    .wait = stream_fd_wait,
    .recv_is_idle = stream_fd_recv_is_idle,
    .get_fd = stream_fd_get_fd,
};

/* Passive side. */

struct pstream_fd {
    struct pstream pstream;
    int fd;
    stream_fd_accept_func *accept_cb;
    char *unlink_path;
};

static const struct pstream_class pstream_fd_class;

static struct pstream_fd *
pstream_fd_cast(struct pstream *pstream)
{
    return CONTAINER_OF(pstream, struct pstream_fd, pstream);
}

int
new_fd_pstream(char *name, int fd, stream_fd_accept_func *accept_cb,
               char *unlink_path, struct pstream **pstreamp)
{
    struct pstream_fd *ps = xmalloc(sizeof *ps);
    pstream_init(&ps->pstream, &pstream_fd_class, name);
    ps->fd = fd;
    ps->accept_cb = accept_cb;
    ps->unlink_path = unlink_path;
    *pstreamp = &ps->pstream;
    return 0;
}

static void
pstream_fd_close(struct pstream *pstream)
{
    struct pstream_fd *ps = pstream_fd_cast(pstream);
    close(ps->fd);
    if (ps->unlink_path) {
        fatal_signal_unlink_file_now(ps->unlink_path);
        free(ps->unlink_path);
    }
    free(ps);
}

static int
pstream_fd_accept(struct pstream *pstream, struct stream **streamp)
{
    struct pstream_fd *ps = pstream_fd_cast(pstream);
    struct sockaddr_storage ss;
    socklen_t ss_len = sizeof ss;

    memset(&ss, 0, sizeof ss);
    int fd;
    SOCKET_RETRY(fd, accept4(ps->fd, (struct sockaddr *) &ss, &ss_len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd < 0) {
        int error = errno == EWOULDBLOCK ? EAGAIN : errno;
        if (error != EAGAIN) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: accept failed: %s",
                         pstream_get_name(pstream), ovs_strerror(error));
        }
        return error;
    }
    return ps->accept_cb(fd, &ss, ss_len, streamp);
}

static void
pstream_fd_wait(struct pstream *pstream)
{
    struct pstream_fd *ps = pstream_fd_cast(pstream);
    poll_fd_wait(ps->fd, POLLIN);
}

static bool
pstream_fd_accept_is_idle(const struct pstream *pstream)
{
    const struct pstream_fd *ps =
        CONTAINER_OF(pstream, struct pstream_fd, pstream);
    return poll_fd_is_idle(ps->fd, POLLIN);
}

static const struct pstream_class pstream_fd_class = {
    .name = "pfd",
    .needs_probes = false,
    .listen = NULL,
    .close = pstream_fd_close,
    .accept = pstream_fd_accept,
    .wait = pstream_fd_wait,
    .accept_is_idle = pstream_fd_accept_is_idle,
};

/* TCP. */

char *
stream_fd_inet_peer_name(const char *prefix, const struct sockaddr_storage *ss)
{
    struct ds name = DS_EMPTY_INITIALIZER;
    ds_put_format(&name, "%s:", prefix);
    socket_ss_format_address(ss, true, &name);
    ds_put_format(&name, ":%u", socket_ss_get_port(ss));
    return ds_steal_cstr(&name);
}

int
stream_fd_inet_listen(const char *prefix, const char *suffix,
                      stream_fd_accept_func *accept_cb, uint8_t dscp,
                      struct pstream **pstreamp)
{
    struct sockaddr_storage ss;
    int fd = socket_inet_open_passive(suffix, -1, &ss, dscp);
    if (fd < 0) {
        return -fd;
    }

    /* Name the pstream by what it is bound to, so that port 0 shows the
     * port that was picked. */
    struct ds bound = DS_EMPTY_INITIALIZER;
    uint16_t port = socket_ss_get_port(&ss);
    ds_put_format(&bound, "%s:%u:", prefix, port);
    socket_ss_format_address(&ss, true, &bound);

    int error =
        new_fd_pstream(ds_steal_cstr(&bound), fd, accept_cb, NULL, pstreamp);
    if (!error) {
        pstream_set_bound_port(*pstreamp, port);
    }
    return error;
}
