/* Reconnecting JSON-RPC sessions.  See lib/jsonrpc-session.h. */
#include "lib/jsonrpc-session.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/reconnect.h"
#include "lib/stream.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc_session);

/* The id of our inactivity probes.  OVS uses the string "echo", which
 * lets any peer tell probe replies from replies to real requests (whose
 * ids are numbers). */
#define PROBE_ID "echo"

struct jsonrpc_session {
    char **remotes; /* Connection names to try, in turn. */
    size_t n_remotes;
    size_t current; /* Index into 'remotes' of the one in use. */

    struct reconnect *reconnect;
    struct jsonrpc *rpc;     /* The connection, once established. */
    struct stream *stream;   /* Active: connection in progress. */
    struct pstream *pstream; /* Passive: the listener. */
    int last_error;
    unsigned int seqno;
    uint8_t dscp;
    bool register_poll; /* See jsonrpc_session_register_poll(). */
    long long run_msec; /* time_msec() of the last jsonrpc_session_run(). */
};

static void session_disconnect(struct jsonrpc_session *);

static struct jsonrpc_session *
session_create(char **remotes, size_t n_remotes)
{
    struct jsonrpc_session *s = xzalloc(sizeof *s);
    s->remotes = remotes;
    s->n_remotes = n_remotes;
    s->reconnect = reconnect_create(time_msec());
    s->dscp = DSCP_DEFAULT;
    return s;
}

static const char *
current_remote(const struct jsonrpc_session *s)
{
    return s->remotes[s->current];
}

/* Points the reconnect machine at the remote to use next: its name (for
 * logging), passivity and whether it needs probes. */
static void
select_remote(struct jsonrpc_session *s)
{
    const char *name = current_remote(s);
    long long now = time_msec();

    reconnect_set_name(s->reconnect, name);
    reconnect_set_passive(s->reconnect, !pstream_verify_name(name), now);
}

struct jsonrpc_session *
jsonrpc_session_open_multiple(const char *const *names, size_t n_names,
                              bool retry)
{
    ovs_assert(n_names > 0);
    char **remotes = xmalloc(n_names * sizeof *remotes);
    for (size_t i = 0; i < n_names; i++) {
        remotes[i] = xstrdup(names[i]);
    }

    struct jsonrpc_session *s = session_create(remotes, n_names);
    select_remote(s);
    if (!retry) {
        reconnect_set_max_tries(s->reconnect, 1);
    }
    /* Probes go by the first remote's method; a set of remotes mixes
     * methods rarely, and the caller can override it. */
    if (!stream_or_pstream_needs_probes(names[0])) {
        reconnect_set_probe_interval(s->reconnect, 0);
    }
    if (n_names > 1) {
        reconnect_set_backoff_free_tries(s->reconnect, n_names);
    }
    reconnect_enable(s->reconnect, time_msec());
    return s;
}

struct jsonrpc_session *
jsonrpc_session_open(const char *name, bool retry)
{
    return jsonrpc_session_open_multiple(&name, 1, retry);
}

struct jsonrpc_session *
jsonrpc_session_open_unreliably(struct jsonrpc *rpc, uint8_t dscp)
{
    char **remotes = xmalloc(sizeof *remotes);
    remotes[0] = xstrdup(jsonrpc_get_name(rpc));

    struct jsonrpc_session *s = session_create(remotes, 1);
    long long now = time_msec();

    reconnect_set_quiet(s->reconnect, true);
    reconnect_set_name(s->reconnect, remotes[0]);
    reconnect_set_max_tries(s->reconnect, 0);
    if (stream_or_pstream_needs_probes(remotes[0]) <= 0) {
        reconnect_set_probe_interval(s->reconnect, 0);
    }
    reconnect_connected(s->reconnect, now);
    s->rpc = rpc;
    s->dscp = dscp;
    s->seqno = 1;
    return s;
}

void
jsonrpc_session_close(struct jsonrpc_session *s)
{
    if (s) {
        jsonrpc_close(s->rpc);
        stream_close(s->stream);
        pstream_close(s->pstream);
        reconnect_destroy(s->reconnect);
        for (size_t i = 0; i < s->n_remotes; i++) {
            free(s->remotes[i]);
        }
        free(s->remotes);
        free(s);
    }
}

struct jsonrpc *
jsonrpc_session_steal(struct jsonrpc_session *s)
{
    struct jsonrpc *rpc = s->rpc;
    s->rpc = NULL;
    jsonrpc_session_close(s);
    return rpc;
}

/* Drops the connection or the connection attempt (not the listener). */
static void
session_disconnect(struct jsonrpc_session *s)
{
    if (s->rpc) {
        jsonrpc_close(s->rpc);
        s->rpc = NULL;
        s->seqno++;
    } else if (s->stream) {
        stream_close(s->stream);
        s->stream = NULL;
    }
}

/* Starts connecting to (or listening on) the next remote. */
static void
session_connect(struct jsonrpc_session *s)
{
    long long now = time_msec();
    int error;

    session_disconnect(s);

    /* With several remotes, each attempt goes to the next one (the first
     * attempt to the first one). */
    if (s->n_remotes > 1 && !s->pstream) {
        struct reconnect_stats stats;
        reconnect_get_stats(s->reconnect, now, &stats);
        if (stats.n_attempted_connections > 0) {
            s->current = (s->current + 1) % s->n_remotes;
            select_remote(s);
        }
    }

    const char *name = current_remote(s);
    if (!reconnect_is_passive(s->reconnect)) {
        error = stream_open_with_default_port(name, OVSDB_PORT, &s->stream,
                                              s->dscp);
        if (!error) {
            reconnect_connecting(s->reconnect, now);
        }
    } else {
        error = (s->pstream ? 0
                            : pstream_open_with_default_port(
                                name, OVSDB_PORT, &s->pstream, s->dscp));
        if (!error) {
            reconnect_listening(s->reconnect, now);
        }
    }

    if (error) {
        s->last_error = error;
        reconnect_connect_failed(s->reconnect, now, error);
    }
}

/* Sends an inactivity probe. */
static void
session_send_probe(struct jsonrpc_session *s)
{
    struct jsonrpc_msg *probe =
        jsonrpc_create_request("echo", json_array(), NULL);
    json_decref(probe->id);
    probe->id = json_string(PROBE_ID);
    jsonrpc_send(s->rpc, probe);
}

void
jsonrpc_session_run(struct jsonrpc_session *s)
{
    long long now = time_msec();
    s->run_msec = now;

    if (s->pstream && !pstream_accept_is_idle(s->pstream)) {
        struct stream *stream;
        int error = pstream_accept(s->pstream, &stream);
        if (!error) {
            if (s->rpc || s->stream) {
                VLOG_INFO("%s: new connection replacing active connection",
                          reconnect_get_name(s->reconnect));
                reconnect_disconnected(s->reconnect, now, 0);
                session_disconnect(s);
            }
            reconnect_connected(s->reconnect, now);
            s->rpc = jsonrpc_open(stream);
            if (s->register_poll) {
                jsonrpc_register_poll(s->rpc);
            }
            s->seqno++;
        } else if (error != EAGAIN) {
            reconnect_listen_error(s->reconnect, now, error);
            pstream_close(s->pstream);
            s->pstream = NULL;
            s->last_error = error;
        }
    }

    if (s->rpc) {
        jsonrpc_run(s->rpc);
        int error = jsonrpc_get_status(s->rpc);
        if (error) {
            reconnect_disconnected(s->reconnect, now, error);
            session_disconnect(s);
            s->last_error = error;
        }
    } else if (s->stream) {
        stream_run(s->stream);
        int error = stream_connect(s->stream);
        if (!error) {
            reconnect_connected(s->reconnect, now);
            s->rpc = jsonrpc_open(s->stream);
            s->stream = NULL;
            if (s->register_poll) {
                jsonrpc_register_poll(s->rpc);
            }
            s->seqno++;
        } else if (error != EAGAIN) {
            reconnect_connect_failed(s->reconnect, now, error);
            stream_close(s->stream);
            s->stream = NULL;
            s->last_error = error;
        }
    }

    switch (reconnect_run(s->reconnect, now)) {
    case RECONNECT_CONNECT:
        session_connect(s);
        break;

    case RECONNECT_DISCONNECT:
        reconnect_disconnected(s->reconnect, now, 0);
        session_disconnect(s);
        break;

    case RECONNECT_PROBE:
        if (s->rpc) {
            session_send_probe(s);
        }
        break;

    case RECONNECT_NONE:
    default:
        break;
    }
}

void
jsonrpc_session_wait(struct jsonrpc_session *s)
{
    if (s->rpc) {
        jsonrpc_wait(s->rpc);
    } else if (s->stream) {
        stream_run_wait(s->stream);
        stream_connect_wait(s->stream);
    }
    if (s->pstream) {
        pstream_wait(s->pstream);
    }
    /* The time of the last run is recent enough to compute timers from,
     * and one clock read per session per iteration is enough: a daemon
     * may serve thousands of sessions. */
    reconnect_wait(s->reconnect, s->run_msec ? s->run_msec : time_msec());
}

size_t
jsonrpc_session_get_backlog(const struct jsonrpc_session *s)
{
    return s->rpc ? jsonrpc_get_backlog(s->rpc) : 0;
}

const char *
jsonrpc_session_get_name(const struct jsonrpc_session *s)
{
    return current_remote(s);
}

size_t
jsonrpc_session_get_n_remotes(const struct jsonrpc_session *s)
{
    return s->n_remotes;
}

int
jsonrpc_session_send(struct jsonrpc_session *s, struct jsonrpc_msg *msg)
{
    if (s->rpc) {
        return jsonrpc_send(s->rpc, msg);
    }
    jsonrpc_msg_destroy(msg);
    return ENOTCONN;
}

int
jsonrpc_session_send_text(struct jsonrpc_session *s, char *text, size_t n)
{
    if (s->rpc) {
        return jsonrpc_send_text(s->rpc, text, n);
    }
    free(text);
    return ENOTCONN;
}

/* Returns true if 'msg' is the reply to one of our probes. */
static bool
is_probe_reply(const struct jsonrpc_msg *msg)
{
    return ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
            && msg->id && json_is_string(msg->id)
            && !strcmp(json_string_value(msg->id), PROBE_ID));
}

struct jsonrpc_msg *
jsonrpc_session_recv(struct jsonrpc_session *s)
{
    if (!s->rpc) {
        return NULL;
    }

    long long now = time_msec();
    reconnect_receive_attempted(s->reconnect, now);

    for (;;) {
        /* Any bytes count as a sign of life, even the first part of a
         * long message that is still arriving. */
        unsigned long long received = jsonrpc_get_received_bytes(s->rpc);
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(s->rpc, &msg);
        if (jsonrpc_get_received_bytes(s->rpc) != received) {
            reconnect_activity(s->reconnect, now);
        }
        if (error) {
            return NULL;
        }

        reconnect_activity(s->reconnect, now);
        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            /* The peer's probe: answer with its own parameters. */
            struct jsonrpc_msg *reply =
                jsonrpc_create_reply(json_incref(msg->params), msg->id);
            jsonrpc_session_send(s, reply);
        } else if (!is_probe_reply(msg)) {
            return msg;
        }
        /* Handled here (the answer to our probe needed only to arrive):
         * on to the next message, so that the caller does not take NULL
         * for "nothing more to read". */
        jsonrpc_msg_destroy(msg);
    }
}

bool
jsonrpc_session_recv_is_idle(struct jsonrpc_session *s)
{
    if (!s->rpc || !jsonrpc_recv_is_idle(s->rpc)) {
        return false;
    }
    /* Looking at the poll loop's results is as good as trying to read,
     * as of the last jsonrpc_session_run() (or now, if there was
     * none). */
    reconnect_receive_attempted(s->reconnect,
                                s->run_msec ? s->run_msec : time_msec());
    return true;
}

void
jsonrpc_session_recv_wait(struct jsonrpc_session *s)
{
    if (s->rpc) {
        jsonrpc_recv_wait(s->rpc);
    }
}

bool
jsonrpc_session_is_alive(const struct jsonrpc_session *s)
{
    return (s->rpc || s->stream || s->pstream
            || reconnect_is_enabled(s->reconnect));
}

bool
jsonrpc_session_is_connected(const struct jsonrpc_session *s)
{
    return s->rpc != NULL;
}

unsigned int
jsonrpc_session_get_seqno(const struct jsonrpc_session *s)
{
    return s->seqno;
}

int
jsonrpc_session_get_status(const struct jsonrpc_session *s)
{
    return s && s->rpc ? jsonrpc_get_status(s->rpc) : 0;
}

int
jsonrpc_session_get_last_error(const struct jsonrpc_session *s)
{
    return s->last_error;
}

const char *
jsonrpc_session_get_id(const struct jsonrpc_session *s)
{
    return s->rpc ? stream_get_peer_id(jsonrpc_get_stream(s->rpc)) : NULL;
}

void
jsonrpc_session_get_reconnect_stats(const struct jsonrpc_session *s,
                                    struct reconnect_stats *stats)
{
    reconnect_get_stats(s->reconnect, time_msec(), stats);
}

void
jsonrpc_session_enable_reconnect(struct jsonrpc_session *s)
{
    reconnect_set_max_tries(s->reconnect, UINT_MAX);
    reconnect_enable(s->reconnect, time_msec());
}

void
jsonrpc_session_force_reconnect(struct jsonrpc_session *s)
{
    reconnect_force_reconnect(s->reconnect, time_msec());
}

void
jsonrpc_session_reset_backoff(struct jsonrpc_session *s)
{
    reconnect_skip_backoff(s->reconnect, time_msec());
}

void
jsonrpc_session_set_max_backoff(struct jsonrpc_session *s, int max_backoff)
{
    reconnect_set_backoff(
        s->reconnect, reconnect_get_min_backoff(s->reconnect), max_backoff);
}

void
jsonrpc_session_set_probe_interval(struct jsonrpc_session *s,
                                   int probe_interval)
{
    reconnect_set_probe_interval(s->reconnect, probe_interval);
}

void
jsonrpc_session_register_poll(struct jsonrpc_session *s)
{
    s->register_poll = true;
    if (s->rpc) {
        jsonrpc_register_poll(s->rpc);
    }
}

void
jsonrpc_session_unregister_poll(struct jsonrpc_session *s)
{
    s->register_poll = false;
    if (s->rpc) {
        jsonrpc_unregister_poll(s->rpc);
    }
}

bool
jsonrpc_session_is_quiet(struct jsonrpc_session *s, long long now,
                         long long *deadline)
{
    if (!s->register_poll || !s->rpc || s->pstream || s->stream
        || jsonrpc_get_status(s->rpc) || jsonrpc_get_backlog(s->rpc)
        || !jsonrpc_recv_is_idle(s->rpc)) {
        return false;
    }
    int timeout = reconnect_timeout(s->reconnect, now);
    if (!timeout) {
        return false;
    }
    /* As jsonrpc_session_recv_is_idle(): the poll loop looked. */
    reconnect_receive_attempted(s->reconnect, now);
    *deadline = timeout < 0 ? LLONG_MAX : now + timeout;
    return true;
}

int
jsonrpc_session_get_fd(const struct jsonrpc_session *s)
{
    return s->rpc ? jsonrpc_get_fd(s->rpc) : -1;
}

void
jsonrpc_session_set_dscp(struct jsonrpc_session *s, uint8_t dscp)
{
    if (s->dscp != dscp) {
        s->dscp = dscp;
        if (s->pstream) {
            pstream_close(s->pstream);
            s->pstream = NULL;
            if (!s->rpc) {
                /* Listening: listen again at once, with the new value. */
                session_connect(s);
            }
        }
        jsonrpc_session_force_reconnect(s);
    }
}
