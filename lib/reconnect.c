/* Connection life-cycle state machine.  See lib/reconnect.h. */
#include "lib/reconnect.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/poll-loop.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(reconnect);

enum reconnect_state {
    S_VOID,       /* Disabled, or out of tries. */
    S_BACKOFF,    /* Waiting before the next attempt. */
    S_CONNECTING, /* Attempt in progress. */
    S_ACTIVE,     /* Connected, heard from recently. */
    S_IDLE,       /* Connected, probe sent, no answer yet. */
    S_RECONNECT,  /* Asked to drop the connection. */
    S_LISTENING   /* Passive: waiting for a peer. */
};

struct reconnect {
    char *name;
    int min_backoff;
    int max_backoff;
    int probe_interval;
    bool passive;
    bool quiet;

    enum reconnect_state state;
    long long state_entered;
    int backoff;
    long long last_activity;
    long long last_connected;    /* LLONG_MIN if never. */
    long long last_disconnected; /* LLONG_MIN if never. */
    long long last_receive_attempt;
    unsigned int max_tries; /* UINT_MAX: unlimited. */
    unsigned int backoff_free_tries;

    /* Whether S_RECONNECT was entered from a connected state, so that
     * the disconnection that follows counts as the end of a connection. */
    bool reconnect_was_connected;

    /* Statistics. */
    long long creation_time;
    unsigned int seqno;
    unsigned int n_attempted_connections;
    unsigned int n_successful_connections;
    unsigned long long total_connected_duration;
};

static const char *
state_name(enum reconnect_state state)
{
    switch (state) {
    case S_VOID:
        return "VOID";
    case S_BACKOFF:
        return "BACKOFF";
    case S_CONNECTING:
        return "CONNECTING";
    case S_ACTIVE:
        return "ACTIVE";
    case S_IDLE:
        return "IDLE";
    case S_RECONNECT:
        return "RECONNECT";
    case S_LISTENING:
        return "LISTENING";
    }
    return "***ERROR***";
}

static bool
is_connected_state(enum reconnect_state state)
{
    return state == S_ACTIVE || state == S_IDLE;
}

/* Level for routine messages: debug when the machine is quiet. */
static enum vlog_level
info_level(const struct reconnect *r)
{
    return r->quiet ? VLL_DBG : VLL_INFO;
}

/* Whether to log the routine progress of connection attempts: once
 * backoff has reached its maximum we announced that further attempts go
 * unlogged, and OVS then omits them even at debug level. */
static bool
attempts_are_logged(const struct reconnect *r)
{
    return r->backoff < r->max_backoff;
}

struct reconnect *
reconnect_create(long long now)
{
    struct reconnect *r = xzalloc(sizeof *r);

    r->name = xstrdup("void");
    r->min_backoff = RECONNECT_DEFAULT_MIN_BACKOFF;
    r->max_backoff = RECONNECT_DEFAULT_MAX_BACKOFF;
    r->probe_interval = RECONNECT_DEFAULT_PROBE_INTERVAL;
    r->state = S_VOID;
    r->state_entered = now;
    r->last_activity = now;
    r->last_connected = LLONG_MIN;
    r->last_disconnected = LLONG_MIN;
    r->last_receive_attempt = now;
    r->max_tries = UINT_MAX;
    r->creation_time = now;
    return r;
}

void
reconnect_destroy(struct reconnect *r)
{
    if (r) {
        free(r->name);
        free(r);
    }
}

void
reconnect_set_name(struct reconnect *r, const char *name)
{
    free(r->name);
    r->name = xstrdup(name ? name : "void");
}

const char *
reconnect_get_name(const struct reconnect *r)
{
    return r->name;
}

void
reconnect_set_quiet(struct reconnect *r, bool quiet)
{
    r->quiet = quiet;
}

void
reconnect_set_backoff(struct reconnect *r, int min_backoff, int max_backoff)
{
    r->min_backoff = MAX(min_backoff, 1000);
    r->max_backoff = (max_backoff > 0 ? MAX(max_backoff, 1000)
                                      : RECONNECT_DEFAULT_MAX_BACKOFF);
    if (r->min_backoff > r->max_backoff) {
        r->max_backoff = r->min_backoff;
    }
    if (r->state == S_BACKOFF && r->backoff > r->max_backoff) {
        r->backoff = r->max_backoff;
    }
}

int
reconnect_get_min_backoff(const struct reconnect *r)
{
    return r->min_backoff;
}

int
reconnect_get_max_backoff(const struct reconnect *r)
{
    return r->max_backoff;
}

void
reconnect_set_backoff_free_tries(struct reconnect *r, unsigned int n_tries)
{
    r->backoff_free_tries = n_tries;
}

void
reconnect_set_probe_interval(struct reconnect *r, int probe_interval)
{
    r->probe_interval = probe_interval > 0 ? MAX(probe_interval, 1000) : 0;
}

int
reconnect_get_probe_interval(const struct reconnect *r)
{
    return r->probe_interval;
}

void
reconnect_set_max_tries(struct reconnect *r, unsigned int max_tries)
{
    r->max_tries = max_tries;
}

unsigned int
reconnect_get_max_tries(const struct reconnect *r)
{
    return r->max_tries;
}

static void
transition(struct reconnect *r, long long now, enum reconnect_state state)
{
    if (state == S_CONNECTING) {
        r->n_attempted_connections++;
    } else if (state == S_ACTIVE && !is_connected_state(r->state)) {
        r->n_successful_connections++;
    }
    if (is_connected_state(r->state) != is_connected_state(state)) {
        if (is_connected_state(r->state)) {
            r->total_connected_duration += now - r->last_connected;
        }
        r->seqno++;
    }
    if (state == S_RECONNECT) {
        r->reconnect_was_connected = is_connected_state(r->state);
    }

    VLOG_DBG("%s: entering %s", r->name, state_name(state));
    r->state = state;
    r->state_entered = now;
}

/* Consumes one of the allowed tries; returns false when none is left. */
static bool
may_retry(struct reconnect *r)
{
    if (r->max_tries == UINT_MAX) {
        return true;
    } else if (r->max_tries > 0) {
        r->max_tries--;
        return true;
    }
    return false;
}

void
reconnect_set_passive(struct reconnect *r, bool passive, long long now)
{
    if (r->passive == passive) {
        return;
    }
    r->passive = passive;
    /* A state that only makes sense in the other mode restarts the cycle
     * in the new one. */
    if (passive ? r->state == S_CONNECTING || r->state == S_RECONNECT
                : r->state == S_LISTENING) {
        transition(r, now, S_BACKOFF);
        r->backoff = 0;
    }
}

bool
reconnect_is_passive(const struct reconnect *r)
{
    return r->passive;
}

void
reconnect_enable(struct reconnect *r, long long now)
{
    if (r->state == S_VOID && may_retry(r)) {
        transition(r, now, S_BACKOFF);
        r->backoff = 0;
    }
}

void
reconnect_disable(struct reconnect *r, long long now)
{
    if (r->state != S_VOID) {
        transition(r, now, S_VOID);
    }
}

bool
reconnect_is_enabled(const struct reconnect *r)
{
    return r->state != S_VOID;
}

void
reconnect_force_reconnect(struct reconnect *r, long long now)
{
    if (r->state == S_CONNECTING || is_connected_state(r->state)) {
        transition(r, now, S_RECONNECT);
    }
}

void
reconnect_skip_backoff(struct reconnect *r, long long now)
{
    r->backoff = 0;
}

/* Chooses the wait before the next attempt after a connection (or an
 * attempt) in state 'from' ended. */
static void
update_backoff(struct reconnect *r, enum reconnect_state from)
{
    if (r->backoff_free_tries > 1) {
        r->backoff_free_tries--;
        r->backoff = 0;
    } else if (is_connected_state(from)
               && r->last_activity - r->last_connected >= r->backoff) {
        /* The connection worked for at least as long as we had backed
         * off: the peer is healthy, so start over from the minimum. */
        r->backoff = r->min_backoff;
    } else if (r->backoff < r->min_backoff) {
        r->backoff = r->min_backoff;
    } else if (r->backoff < r->max_backoff / 2) {
        r->backoff *= 2;
        VLOG(info_level(r), "%s: waiting %.3g seconds before reconnect",
             r->name, r->backoff / 1000.0);
    } else {
        if (r->backoff < r->max_backoff) {
            VLOG(info_level(r),
                 "%s: continuing to reconnect in the "
                 "background but suppressing further logging",
                 r->name);
        }
        r->backoff = r->max_backoff;
    }
}

void
reconnect_disconnected(struct reconnect *r, long long now, int error)
{
    if (r->state == S_BACKOFF || r->state == S_VOID) {
        return;
    }

    enum reconnect_state from = r->state;
    bool was_connected =
        (is_connected_state(from)
         || (from == S_RECONNECT && r->reconnect_was_connected));
    if (from == S_RECONNECT) {
        VLOG(info_level(r), "%s: connection closed by client", r->name);
    } else if (is_connected_state(from)) {
        if (error > 0) {
            VLOG_WARN("%s: connection dropped (%s)", r->name,
                      ovs_strerror(error));
        } else if (error == EOF) {
            VLOG(info_level(r), "%s: connection closed by peer", r->name);
        } else {
            VLOG(info_level(r), "%s: connection dropped", r->name);
        }
    } else if (from == S_LISTENING) {
        VLOG_WARN("%s: error listening for connections (%s)", r->name,
                  ovs_strerror(error > 0 ? error : EPROTO));
    } else if (!attempts_are_logged(r)) {
        /* Suppressed. */
    } else if (error > 0) {
        VLOG(info_level(r), "%s: connection attempt failed (%s)", r->name,
             ovs_strerror(error));
    } else {
        VLOG(info_level(r), "%s: connection attempt timed out", r->name);
    }

    if (was_connected) {
        r->last_disconnected = now;
    }

    if (!may_retry(r)) {
        transition(r, now, S_VOID);
        return;
    }
    update_backoff(r, was_connected ? S_ACTIVE : from);
    transition(r, now, S_BACKOFF);
}

void
reconnect_connecting(struct reconnect *r, long long now)
{
    if (r->state != S_CONNECTING) {
        if (attempts_are_logged(r)) {
            VLOG(info_level(r), "%s: connecting...", r->name);
        }
        transition(r, now, S_CONNECTING);
    }
}

void
reconnect_listening(struct reconnect *r, long long now)
{
    if (r->state != S_LISTENING) {
        VLOG(info_level(r), "%s: listening...", r->name);
        transition(r, now, S_LISTENING);
    }
}

void
reconnect_listen_error(struct reconnect *r, long long now, int error)
{
    if (r->state == S_LISTENING) {
        reconnect_disconnected(r, now, error);
    }
}

void
reconnect_connected(struct reconnect *r, long long now)
{
    if (!is_connected_state(r->state)) {
        reconnect_connecting(r, now);
        VLOG(info_level(r), "%s: connected", r->name);
        r->last_connected = now;
        transition(r, now, S_ACTIVE);
    }
}

void
reconnect_connect_failed(struct reconnect *r, long long now, int error)
{
    reconnect_connecting(r, now);
    reconnect_disconnected(r, now, error);
}

void
reconnect_activity(struct reconnect *r, long long now)
{
    if (r->state == S_IDLE) {
        transition(r, now, S_ACTIVE);
    }
    r->last_activity = now;
}

void
reconnect_receive_attempted(struct reconnect *r, long long now)
{
    r->last_receive_attempt = now;
}

/* Returns when reconnect_run() will next have something to do, or
 * LLONG_MAX if never (without an event). */
static long long
deadline(const struct reconnect *r, long long now)
{
    long long expiration;

    switch (r->state) {
    case S_VOID:
    case S_LISTENING:
        return LLONG_MAX;

    case S_BACKOFF:
        return r->state_entered + r->backoff;

    case S_CONNECTING:
        return r->state_entered + MAX(1000, r->backoff);

    case S_ACTIVE:
        if (!r->probe_interval) {
            return LLONG_MAX;
        }
        expiration =
            MAX(r->last_activity, r->state_entered) + r->probe_interval;
        break;

    case S_IDLE:
        if (!r->probe_interval) {
            return LLONG_MAX;
        }
        expiration = r->state_entered + r->probe_interval;
        break;

    case S_RECONNECT:
        return r->state_entered;

    default:
        return LLONG_MAX;
    }

    /* Silence only counts if the owner has tried to read since the
     * interval expired: a busy process that has not looked at its socket
     * must not blame the peer. */
    if (now < expiration || r->last_receive_attempt >= expiration) {
        return expiration;
    }
    return now + 1;
}

enum reconnect_action
reconnect_run(struct reconnect *r, long long now)
{
    if (now < deadline(r, now)) {
        return RECONNECT_NONE;
    }

    switch (r->state) {
    case S_BACKOFF:
        return RECONNECT_CONNECT;

    case S_CONNECTING:
    case S_RECONNECT:
        return RECONNECT_DISCONNECT;

    case S_ACTIVE:
        VLOG_DBG("%s: idle %lld ms, sending inactivity probe", r->name,
                 now - MAX(r->last_activity, r->state_entered));
        transition(r, now, S_IDLE);
        return RECONNECT_PROBE;

    case S_IDLE:
        VLOG_ERR("%s: no response to inactivity probe after %.3g seconds, "
                 "disconnecting",
                 r->name, r->probe_interval / 1000.0);
        return RECONNECT_DISCONNECT;

    case S_VOID:
    case S_LISTENING:
    default:
        return RECONNECT_NONE;
    }
}

int
reconnect_timeout(const struct reconnect *r, long long now)
{
    long long when = deadline(r, now);
    if (when == LLONG_MAX) {
        return -1;
    } else if (when <= now) {
        return 0;
    }
    return when - now > INT_MAX ? INT_MAX : (int) (when - now);
}

void
reconnect_wait(struct reconnect *r, long long now)
{
    int timeout = reconnect_timeout(r, now);
    if (timeout >= 0) {
        poll_timer_wait(timeout);
    }
}

bool
reconnect_is_connected(const struct reconnect *r)
{
    return is_connected_state(r->state);
}

static unsigned int
elapsed(long long then, long long now)
{
    if (then == LLONG_MIN) {
        return UINT_MAX;
    }
    long long ms = now - then;
    return ms < 0 ? 0 : ms >= UINT_MAX ? UINT_MAX - 1 : (unsigned int) ms;
}

unsigned int
reconnect_get_last_connect_elapsed(const struct reconnect *r, long long now)
{
    return elapsed(r->last_connected, now);
}

unsigned int
reconnect_get_last_disconnect_elapsed(const struct reconnect *r, long long now)
{
    return elapsed(r->last_disconnected, now);
}

void
reconnect_get_stats(const struct reconnect *r, long long now,
                    struct reconnect_stats *stats)
{
    stats->creation_time = r->creation_time;
    stats->last_activity = r->last_activity;
    stats->last_connected = r->last_connected;
    stats->last_disconnected = r->last_disconnected;
    stats->backoff = r->backoff;
    stats->seqno = r->seqno;
    stats->is_connected = reconnect_is_connected(r);
    stats->msec_since_connect = elapsed(r->last_connected, now);
    stats->msec_since_disconnect = elapsed(r->last_disconnected, now);
    stats->total_connected_duration = r->total_connected_duration;
    if (is_connected_state(r->state)) {
        stats->total_connected_duration += now - r->last_connected;
    }
    stats->n_attempted_connections = r->n_attempted_connections;
    stats->n_successful_connections = r->n_successful_connections;
    stats->state = state_name(r->state);
    stats->state_elapsed = elapsed(r->state_entered, now);
}
