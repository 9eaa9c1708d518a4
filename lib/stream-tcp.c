/* The "tcp" and "ptcp" connection methods. */
#include <errno.h>
#include <stdlib.h>

#include "lib/socket-util.h"
#include "lib/stream-fd.h"
#include "lib/stream-provider.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_tcp);

/* JSON-RPC and OpenFlow exchange small messages that should leave at
 * once rather than wait for Nagle's algorithm to coalesce them. */
static void
tcp_set_nodelay(int fd, const char *name)
{
    int error = socket_set_nodelay(fd);
    if (error) {
        VLOG_WARN("%s: setsockopt(TCP_NODELAY): %s", name,
                  ovs_strerror(error));
    }
}

static int
tcp_open(const char *name, char *suffix, struct stream **streamp, uint8_t dscp)
{
    struct sockaddr_storage ss;
    int fd;
    int error = socket_inet_open_active(suffix, -1, &ss, &fd, dscp);
    if (fd < 0) {
        return error;
    }
    tcp_set_nodelay(fd, name);
    return new_fd_stream(xstrdup(name), fd, error, ss.ss_family, streamp);
}

const struct stream_class tcp_stream_class = {
    .name = "tcp",
    .needs_probes = true,
    .open = tcp_open,
};

static int
ptcp_accept(int fd, const struct sockaddr_storage *ss, size_t ss_len,
            struct stream **streamp)
{
    char *name = stream_fd_inet_peer_name("tcp", ss);
    tcp_set_nodelay(fd, name);
    return new_fd_stream(name, fd, 0, ss->ss_family, streamp);
}

static int
ptcp_listen(const char *name, char *suffix, struct pstream **pstreamp,
            uint8_t dscp)
{
    return stream_fd_inet_listen("ptcp", suffix, ptcp_accept, dscp, pstreamp);
}

const struct pstream_class ptcp_pstream_class = {
    .name = "ptcp",
    .needs_probes = true,
    .listen = ptcp_listen,
};
