/* A connection's life cycle, as a state machine driven by its owner.
 *
 * reconnect decides *when* to connect, to give up on a connection attempt,
 * to send an inactivity probe and to drop a silent connection; the owner
 * (jsonrpc-session, the OpenFlow connection manager, ...) does the actual
 * I/O and reports what happened.  Nothing here reads a clock: every
 * function takes the current monotonic time 'now' in milliseconds, so
 * tests drive the machine with a fake clock.
 *
 * The owner's loop:
 *
 *     switch (reconnect_run(r, now)) {
 *     case RECONNECT_CONNECT:    start connecting (or listening), then
 *                                reconnect_connecting()/listening() and
 *                                later reconnect_connected() or
 *                                reconnect_connect_failed();
 *     case RECONNECT_DISCONNECT: close the connection, then
 *                                reconnect_disconnected(r, now, 0);
 *     case RECONNECT_PROBE:      send an inactivity probe (an echo);
 *     }
 *     ... on every attempt to read: reconnect_receive_attempted();
 *     ... on every message received: reconnect_activity();
 *     ... on connection loss: reconnect_disconnected(r, now, error);
 *     reconnect_wait(r, now);
 *
 * State changes are logged as OVS logs them, prefixed by the name set
 * with reconnect_set_name() ("tcp:127.0.0.1:6640: connecting..."). */
#ifndef LIB_RECONNECT_H
#define LIB_RECONNECT_H 1

#include <stdbool.h>

/* Defaults, in milliseconds. */
#define RECONNECT_DEFAULT_MIN_BACKOFF 1000
#define RECONNECT_DEFAULT_MAX_BACKOFF 8000
#define RECONNECT_DEFAULT_PROBE_INTERVAL 5000

enum reconnect_action {
    RECONNECT_NONE,       /* Nothing to do now. */
    RECONNECT_CONNECT,    /* Start connecting (active) or listening
                           * (passive). */
    RECONNECT_DISCONNECT, /* Drop the connection or abandon the
                           * attempt. */
    RECONNECT_PROBE       /* Send an inactivity probe. */
};

struct reconnect *reconnect_create(long long now);
void reconnect_destroy(struct reconnect *);

/* The name prefixes every log message.  Default: "void". */
void reconnect_set_name(struct reconnect *, const char *name);
const char *reconnect_get_name(const struct reconnect *);

/* Quiet machines log at debug level what they would log at info level
 * (warnings stay warnings), for connections nobody needs to hear about. */
void reconnect_set_quiet(struct reconnect *, bool quiet);

/* Backoff between attempts starts at 'min_backoff' and doubles after
 * each failure up to 'max_backoff' (milliseconds).  Both are at least
 * 1000; 0 for 'max_backoff' means the default; a 'max_backoff' below
 * 'min_backoff' is raised to it. */
void reconnect_set_backoff(struct reconnect *, int min_backoff,
                           int max_backoff);
int reconnect_get_min_backoff(const struct reconnect *);
int reconnect_get_max_backoff(const struct reconnect *);

/* The next 'n_tries' - 1 reconnections happen without backoff (for
 * clients that cycle through several servers). */
void reconnect_set_backoff_free_tries(struct reconnect *,
                                      unsigned int n_tries);

/* Milliseconds without receiving anything before sending a probe, and
 * again before giving up on the connection.  0 disables probing; other
 * values are raised to at least 1000. */
void reconnect_set_probe_interval(struct reconnect *, int probe_interval);
int reconnect_get_probe_interval(const struct reconnect *);

/* Limits the number of connection attempts; once they are used up the
 * machine goes to VOID and stays there.  UINT_MAX (the default) means no
 * limit.  reconnect_get_max_tries() returns the attempts left. */
void reconnect_set_max_tries(struct reconnect *, unsigned int max_tries);
unsigned int reconnect_get_max_tries(const struct reconnect *);

/* A passive machine listens for a connection instead of making one:
 * RECONNECT_CONNECT then means "start listening". */
void reconnect_set_passive(struct reconnect *, bool passive, long long now);
bool reconnect_is_passive(const struct reconnect *);

/* A new machine is disabled (state VOID); enabling it makes the next
 * reconnect_run() ask for a connection at once. */
void reconnect_enable(struct reconnect *, long long now);
void reconnect_disable(struct reconnect *, long long now);
bool reconnect_is_enabled(const struct reconnect *);

/* Asks for the current connection (or attempt) to be dropped and a new
 * one made: the next reconnect_run() returns RECONNECT_DISCONNECT. */
void reconnect_force_reconnect(struct reconnect *, long long now);

/* Forgets the accumulated backoff: a wait in progress ends at once, and
 * the next failure waits the minimum backoff. */
void reconnect_skip_backoff(struct reconnect *, long long now);

/* Events reported by the owner.  'error' is a positive errno value, EOF
 * for a connection closed by the peer, or 0 for a connection closed on
 * our own decision (e.g. after RECONNECT_DISCONNECT). */
void reconnect_connecting(struct reconnect *, long long now);
void reconnect_listening(struct reconnect *, long long now);
void reconnect_listen_error(struct reconnect *, long long now, int error);
void reconnect_connected(struct reconnect *, long long now);
void reconnect_connect_failed(struct reconnect *, long long now, int error);
void reconnect_disconnected(struct reconnect *, long long now, int error);
void reconnect_activity(struct reconnect *, long long now);
void reconnect_receive_attempted(struct reconnect *, long long now);

/* Returns what the owner must do now. */
enum reconnect_action reconnect_run(struct reconnect *, long long now);

/* Registers a poll-loop timer for the next time reconnect_run() will
 * have something to do.  'now' must be time_msec() here. */
void reconnect_wait(struct reconnect *, long long now);

/* Milliseconds until reconnect_run() will have something to do (0 if it
 * has now), or -1 if nothing is scheduled. */
int reconnect_timeout(const struct reconnect *, long long now);

bool reconnect_is_connected(const struct reconnect *);

/* Milliseconds since the last successful connection / disconnection, or
 * UINT_MAX if there has been none. */
unsigned int reconnect_get_last_connect_elapsed(const struct reconnect *,
                                                long long now);
unsigned int reconnect_get_last_disconnect_elapsed(const struct reconnect *,
                                                   long long now);

struct reconnect_stats {
    long long creation_time;     /* Time of reconnect_create(). */
    long long last_activity;     /* Last reconnect_activity(). */
    long long last_connected;    /* Last connection, LLONG_MIN if none. */
    long long last_disconnected; /* Last disconnection, LLONG_MIN if
                                  * none. */
    int backoff;                 /* Current backoff, ms. */
    unsigned int seqno;          /* Changes on each connect/disconnect. */

    bool is_connected;
    unsigned int msec_since_connect;             /* UINT_MAX if never. */
    unsigned int msec_since_disconnect;          /* UINT_MAX if never. */
    unsigned long long total_connected_duration; /* In ms. */
    unsigned int n_attempted_connections;
    unsigned int n_successful_connections;

    const char *state;          /* "VOID", "BACKOFF", "ACTIVE", ... */
    unsigned int state_elapsed; /* Milliseconds in 'state'. */
};

void reconnect_get_stats(const struct reconnect *, long long now,
                         struct reconnect_stats *);

#endif /* lib/reconnect.h */
