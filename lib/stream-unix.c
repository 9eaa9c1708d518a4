/* The "unix" and "punix" connection methods. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/fatal-signal.h"
#include "lib/socket-util.h"
#include "lib/stream-fd.h"
#include "lib/stream-provider.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_unix);

static int
unix_open(const char *name, char *suffix, struct stream **streamp,
          uint8_t dscp OVS_UNUSED)
{
    if (!*suffix) {
        VLOG_ERR("%s: missing socket file name", name);
        return EINVAL;
    }
    int fd = socket_make_unix(SOCK_STREAM, true, NULL, suffix);
    if (fd < 0) {
        VLOG_DBG("%s: connection failed (%s)", name, ovs_strerror(-fd));
        return -fd;
    }
    return new_fd_stream(xstrdup(name), fd, 0, AF_UNIX, streamp);
}

const struct stream_class unix_stream_class = {
    .name = "unix",
    .needs_probes = false,
    .open = unix_open,
};

static int
punix_accept(int fd, const struct sockaddr_storage *ss, size_t ss_len,
             struct stream **streamp)
{
    /* Clients rarely bind their end, so most peers have no name: number
     * them instead. */
    static unsigned int n_unnamed;
    const struct sockaddr_un *un = (const struct sockaddr_un *) ss;
    size_t path_len = ss_len > offsetof(struct sockaddr_un, sun_path)
                          ? ss_len - offsetof(struct sockaddr_un, sun_path)
                          : 0;
    char *name;
    if (path_len && un->sun_path[0]) {
        name = xasprintf("unix:%.*s", (int) strnlen(un->sun_path, path_len),
                         un->sun_path);
    } else {
        name = xasprintf("unix#%u", n_unnamed++);
    }
    return new_fd_stream(name, fd, 0, AF_UNIX, streamp);
}

static int
punix_listen(const char *name, char *suffix, struct pstream **pstreamp,
             uint8_t dscp OVS_UNUSED)
{
    if (!*suffix) {
        VLOG_ERR("%s: missing socket file name", name);
        return EINVAL;
    }

    /* The path is made absolute now so that the file can still be
     * unlinked after the daemon changes directory. */
    char *cwd = suffix[0] == '/' ? NULL : getcwd(NULL, 0);
    char *path = abs_file_name(cwd, suffix);
    free(cwd);

    int fd = socket_make_unix(SOCK_STREAM, true, path, NULL);
    if (fd < 0) {
        int error = -fd;
        VLOG_ERR("%s: binding failed: %s", path, ovs_strerror(error));
        free(path);
        return error;
    }
    if (listen(fd, 64) < 0) {
        int error = errno;
        VLOG_ERR("%s: listen: %s", name, ovs_strerror(error));
        close(fd);
        fatal_signal_unlink_file_now(path);
        free(path);
        return error;
    }
    return new_fd_pstream(xstrdup(name), fd, punix_accept, path, pstreamp);
}

const struct pstream_class punix_pstream_class = {
    .name = "punix",
    .needs_probes = false,
    .listen = punix_listen,
};
