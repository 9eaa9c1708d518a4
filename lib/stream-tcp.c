/* The "tcp" and "ptcp" connection methods. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ds.h"
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
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) < 0) {
        VLOG_WARN("%s: setsockopt(TCP_NODELAY): %s", name,
                  ovs_strerror(errno));
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
    struct ds name = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&name, "tcp:");
    socket_ss_format_address(ss, true, &name);
    ds_put_format(&name, ":%u", socket_ss_get_port(ss));
    tcp_set_nodelay(fd, ds_cstr(&name));
    return new_fd_stream(ds_steal_cstr(&name), fd, 0, ss->ss_family, streamp);
}

static int
ptcp_listen(const char *name, char *suffix, struct pstream **pstreamp,
            uint8_t dscp)
{
    struct sockaddr_storage ss;
    int fd = socket_inet_open_passive(suffix, -1, &ss, dscp);
    if (fd < 0) {
        return -fd;
    }

    /* Name the pstream by what it is bound to, so that "ptcp:0" shows
     * the port that was picked. */
    struct ds bound = DS_EMPTY_INITIALIZER;
    uint16_t port = socket_ss_get_port(&ss);
    ds_put_format(&bound, "ptcp:%u:", port);
    socket_ss_format_address(&ss, true, &bound);

    int error =
        new_fd_pstream(ds_steal_cstr(&bound), fd, ptcp_accept, NULL, pstreamp);
    if (!error) {
        pstream_set_bound_port(*pstreamp, port);
    }
    return error;
}

const struct pstream_class ptcp_pstream_class = {
    .name = "ptcp",
    .needs_probes = true,
    .listen = ptcp_listen,
};
