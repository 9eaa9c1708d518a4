/* ovsdb-load: a load generator for OVSDB servers.
 *
 * bench/ovsdb_bench.py runs it against Turnout's ovsdb-server and the
 * reference one, side by side, with a database made from
 * bench/bench.ovsschema.  It speaks plain JSON-RPC (RFC 7047) so that it
 * measures the servers and not a client library, and it keeps every
 * connection in one process around one poll loop so that hundreds of
 * clients cost one thread.
 *
 *     ovsdb-load transact N_CLIENTS DURATION_S REMOTE DB
 *     ovsdb-load fanout N_MONITORS N_TXNS REMOTE DB
 *     ovsdb-load rows N_ROWS REMOTE DB
 *
 * Each mode prints one JSON object on stdout with its measurements. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json-alloc.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/poll-loop.h"
#include "lib/stream.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/uuid.h"

/* The table of bench/bench.ovsschema that every mode writes. */
#define BENCH_TABLE "Bench"

/* Rows per transaction in "rows" mode, unless --batch says otherwise. */
#define DEFAULT_BATCH 1000

/* A fan-out that has not completed by then has lost updates: give up
 * with a message rather than hang the benchmark. */
#define FANOUT_TIMEOUT_USEC (120LL * 1000 * 1000)

static const char *remote;
static const char *db_name;
static int batch_size = DEFAULT_BATCH;
static int n_rounds = 1;

/* Fan-out: the pause between rounds. */
#define ROUND_PAUSE_MSEC 20

/* One JSON-RPC connection with at most one request outstanding. */
struct conn {
    struct jsonrpc *rpc;
    long long request_id;      /* Id of the outstanding request, or 0. */
    long long sent_usec;       /* When that request was sent. */
    unsigned long long n_sent; /* Requests sent so far, to name rows. */
    struct ds text;            /* The last message received. */
};

/* Latencies in microseconds, for percentiles. */
struct latencies {
    uint32_t *usec;
    size_t n, allocated;
};

static void
latencies_add(struct latencies *l, long long usec)
{
    if (l->n >= l->allocated) {
        l->usec = x2nrealloc(l->usec, &l->allocated, sizeof *l->usec);
    }
    l->usec[l->n++] = usec > UINT32_MAX ? UINT32_MAX : (uint32_t) usec;
}

static int
compare_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_;
    uint32_t b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

/* Returns the nearest-rank 'pct' percentile of the sorted 'l', in
 * milliseconds. */
static double
latencies_pct_ms(const struct latencies *l, double pct)
{
    if (!l->n) {
        return 0;
    }
    size_t rank = (size_t) (pct / 100.0 * l->n + 0.999999);
    size_t i = rank ? MIN(rank, l->n) - 1 : 0;
    return l->usec[i] / 1000.0;
}

/* Connects to 'remote', waiting for the server to accept: a server busy
 * with a flood of new connections may have a full listen queue, which a
 * non-blocking connect reports as EAGAIN. */
static struct conn *
conn_open(struct conn *c)
{
    long long deadline = time_msec() + 10000;
    for (;;) {
        struct stream *stream;
        int error = stream_open_block(
            stream_open(remote, &stream, DSCP_DEFAULT), 10000, &stream);
        if (!error) {
            memset(c, 0, sizeof *c);
            c->rpc = jsonrpc_open(stream);
            /* Hundreds of connections, mostly idle: waiting on them all
             * in every poll() would cost more than the work measured. */
            jsonrpc_register_poll(c->rpc);
            return c;
        }
        if (error != EAGAIN || time_msec() > deadline) {
            ovs_fatal(error, "%s: connection failed", remote);
        }
        xsleep_msec(1);
    }
}

static void
conn_close(struct conn *c)
{
    jsonrpc_close(c->rpc);
    c->rpc = NULL;
    c->request_id = 0;
    ds_destroy(&c->text);
}

/* Sends 'text' (taken), 'n' bytes of a JSON-RPC request whose "id" is
 * 'id', as the connection's one outstanding request.  Requests are
 * written as text, not built as JSON and serialised, so that the load
 * generator spends as little of the machine as it can on them. */
static void
conn_send_request(struct conn *c, long long id, char *text, size_t n)
{
    ovs_assert(!c->request_id);
    c->request_id = id;
    c->sent_usec = time_usec();
    c->n_sent++;
    int error = jsonrpc_send_text(c->rpc, text, n);
    if (error) {
        ovs_fatal(error == EOF ? 0 : error, "%s: send failed%s", remote,
                  error == EOF ? " (connection closed by server)" : "");
    }
}

/* Returns true if 'text' is the reply to a single insert with id 'id'
 * that succeeded, as both servers word it:
 *
 *     {"id":ID,"result":[{"uuid":["uuid","UUID"]}],"error":null}
 *
 * Telling it by its bytes spares the load generator parsing a reply per
 * transaction, which is most of what it does per transaction besides
 * system calls (and so of how long the server waits for its clients). */
static bool
is_insert_success(const struct ds *text, long long id)
{
    static const char start[] = "{\"id\":";
    static const char middle[] = ",\"result\":[{\"uuid\":[\"uuid\",\"";
    static const char end[] = "\"]}],\"error\":null}";
    const char *p = text->string;
    const char *limit = p + text->length;
    if (text->length < sizeof start - 1 || memcmp(p, start, sizeof start - 1)
        || !isdigit((unsigned char) p[sizeof start - 1])) {
        return false;
    }
    char *after_id;
    if (strtoll(p + sizeof start - 1, &after_id, 10) != id) {
        return false;
    }
    p = after_id;
    struct uuid uuid;
    return (limit - p
                == (ptrdiff_t) (sizeof middle - 1 + UUID_LEN + sizeof end - 1)
            && !memcmp(p, middle, sizeof middle - 1)
            && uuid_from_string_prefix(&uuid, p + sizeof middle - 1)
                   == UUID_LEN
            && !memcmp(p + sizeof middle - 1 + UUID_LEN, end, sizeof end - 1));
}

/* Returns the next message received on 'c', or NULL if none is ready.
 * Answers "echo" requests itself, so that a server with inactivity
 * probes keeps us connected.  If 'insert_done' is nonnull, a reply that
 * reports the success of the single insert that 'c' has outstanding
 * (see is_insert_success()) is not returned: it marks 'c' idle and sets
 * '*insert_done' instead. */
static struct jsonrpc_msg *
conn_recv(struct conn *c, bool *insert_done)
{
    for (;;) {
        jsonrpc_run(c->rpc);
        int error = jsonrpc_recv_text(c->rpc, &c->text);
        if (error == EAGAIN) {
            return NULL;
        } else if (error) {
            const char *why = jsonrpc_get_error_string(c->rpc);
            ovs_fatal(0, "%s: connection failed: %s", remote,
                      why            ? why
                      : error == EOF ? "closed by server"
                                     : ovs_strerror(error));
        }
        if (insert_done && c->request_id
            && is_insert_success(&c->text, c->request_id)) {
            c->request_id = 0;
            *insert_done = true;
            return NULL;
        }

        struct jsonrpc_msg *msg;
        char *msg_error =
            jsonrpc_msg_from_text(c->text.string, c->text.length, &msg);
        if (msg_error) {
            ovs_fatal(0, "%s: %s", remote, msg_error);
        }
        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            jsonrpc_send(c->rpc, jsonrpc_create_reply(json_incref(msg->params),
                                                      msg->id));
            jsonrpc_msg_destroy(msg);
            continue;
        }
        return msg;
    }
}

/* Returns true if 'msg' answers the outstanding request of 'c', and if
 * so marks 'c' idle again. */
static bool
conn_is_reply(struct conn *c, const struct jsonrpc_msg *msg)
{
    if (c->request_id
        && (msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
        && json_is_integer(msg->id)
        && json_integer_value(msg->id) == c->request_id) {
        c->request_id = 0;
        return true;
    }
    return false;
}

static void
conn_wait(struct conn *c)
{
    jsonrpc_wait(c->rpc);
    jsonrpc_recv_wait(c->rpc);
}

/* Exits with a message if 'reply' is an error or reports a failed
 * operation: a benchmark whose transactions fail measures nothing. */
static void
check_reply(const char *what, const struct jsonrpc_msg *reply)
{
    if (reply->type == JSONRPC_ERROR) {
        char *s = json_to_string_compact(reply->error, false);
        ovs_fatal(0, "%s: %s failed: %s", remote, what, s);
    }
    if (json_is_array(reply->result)) {
        size_t i;
        json_t *op;
        json_array_foreach (reply->result, i, op) {
            if (json_get_string(op, "error")) {
                char *s = json_to_string_compact(op, false);
                ovs_fatal(0, "%s: %s failed: %s", remote, what, s);
            }
        }
    }
}

/* Returns an "insert" operation for one row of the bench table. */
static json_t *
insert_op(const char *name, long long n)
{
    return json_pack("{s:s, s:s, s:{s:s, s:I}}", "op", "insert", "table",
                     BENCH_TABLE, "row", "name", name, "n", (json_int_t) n);
}

/* Sends a transaction that inserts one row named after the client:
 *
 *     {"id":ID,"method":"transact","params":[DB,{"op":"insert",
 *      "table":"Bench","row":{"name":"cCLIENT-N","n":N}}]}
 *
 * (on one line), the same bytes whichever server listens. */
static void
send_one_insert(struct conn *c, int client)
{
    static char *params_prefix; /* Everything from the method on. */
    static long long next_id = 1;
    if (!params_prefix) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, ",\"method\":\"transact\",\"params\":[");
        json_string_to_ds(db_name, strlen(db_name), &s);
        ds_put_cstr(&s, ",{\"op\":\"insert\",\"table\":\"" BENCH_TABLE
                        "\",\"row\":{\"name\":\"");
        params_prefix = ds_steal_cstr(&s);
    }

    /* Without printf(), whose handling of the long prefix cost the load
     * generator more than everything else it does per request. */
    long long id = next_id++;
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "{\"id\":");
    json_integer_to_ds(id, &s);
    ds_put_cstr(&s, params_prefix);
    ds_put_char(&s, 'c');
    json_integer_to_ds(client, &s);
    ds_put_char(&s, '-');
    json_integer_to_ds(c->n_sent, &s);
    ds_put_cstr(&s, "\",\"n\":");
    json_integer_to_ds(c->n_sent, &s);
    ds_put_cstr(&s, "}}]}");
    size_t n = s.length;
    conn_send_request(c, id, ds_steal_cstr(&s), n);
}

/* Mode "transact": 'n_clients' connections, each with one single-row
 * insert outstanding at all times, for 'duration_s' seconds.  The first
 * fifth of the run (at most half a second) warms up and is not counted,
 * so that connection set-up and the first allocations do not skew the
 * rate and the percentiles.  "max_ms" and "max_stall_ms" (the longest
 * time in which no client got a reply) cover the whole run, warm-up and
 * the replies collected after the end included, so that a server that
 * stalls cannot hide it. */
static void
run_transact(int n_clients, double duration_s)
{
    struct conn *conns = xcalloc(n_clients, sizeof *conns);
    for (int i = 0; i < n_clients; i++) {
        conn_open(&conns[i]);
    }

    long long duration_usec = duration_s * 1e6;
    long long start = time_usec();
    long long measure_start = start + MIN(500000, duration_usec / 5);
    long long end = start + duration_usec;
    struct latencies lat = {0};
    unsigned long long n_total = 0;
    long long last_reply = start; /* Any client's, to find stalls. */
    long long max_gap = 0;        /* Longest time without any reply. */
    long long max_latency = 0;    /* Over every reply, counted or not. */

    for (int i = 0; i < n_clients; i++) {
        send_one_insert(&conns[i], i);
    }
    for (;;) {
        long long now = time_usec();
        if (now >= end) {
            break;
        }
        for (int i = 0; i < n_clients; i++) {
            struct conn *c = &conns[i];
            struct jsonrpc_msg *msg;
            bool done = false;
            while ((msg = conn_recv(c, &done)) != NULL || done) {
                long long sent = c->sent_usec;
                if (done || conn_is_reply(c, msg)) {
                    if (msg) {
                        check_reply("transact", msg);
                    }
                    done = false;
                    now = time_usec();
                    n_total++;
                    max_gap = MAX(max_gap, now - last_reply);
                    max_latency = MAX(max_latency, now - sent);
                    last_reply = now;
                    if (now >= measure_start && now < end) {
                        latencies_add(&lat, now - sent);
                    }
                    if (now < end) {
                        send_one_insert(c, i);
                    }
                }
                jsonrpc_msg_destroy(msg);
            }
        }
        for (int i = 0; i < n_clients; i++) {
            conn_wait(&conns[i]);
        }
        poll_timer_wait_until(end / 1000 + 1);
        poll_block();
    }

    max_gap = MAX(max_gap, end - last_reply);

    /* Collect the replies still in flight before closing, so that the
     * server sees clean disconnections rather than resets. */
    long long drain_deadline = time_msec() + 10000;
    for (;;) {
        int n_busy = 0;
        for (int i = 0; i < n_clients; i++) {
            struct conn *c = &conns[i];
            struct jsonrpc_msg *msg;
            while (c->request_id && (msg = conn_recv(c, NULL)) != NULL) {
                long long sent = c->sent_usec;
                if (conn_is_reply(c, msg)) {
                    check_reply("transact", msg);
                    max_latency = MAX(max_latency, time_usec() - sent);
                }
                jsonrpc_msg_destroy(msg);
            }
            if (c->request_id) {
                conn_wait(c);
                n_busy++;
            }
        }
        if (!n_busy || time_msec() > drain_deadline) {
            break;
        }
        poll_timer_wait_until(drain_deadline);
        poll_block();
    }

    qsort(lat.usec, lat.n, sizeof *lat.usec, compare_u32);
    double measured_s = (end - measure_start) / 1e6;
    json_t *out = json_pack(
        "{s:s, s:i, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "mode",
        "transact", "clients", n_clients, "measured_s", measured_s, "txns",
        (json_int_t) lat.n, "txns_total", (json_int_t) n_total, "tps",
        lat.n / measured_s, "p50_ms", latencies_pct_ms(&lat, 50), "p90_ms",
        latencies_pct_ms(&lat, 90), "p99_ms", latencies_pct_ms(&lat, 99),
        "max_ms", max_latency / 1000.0, "max_stall_ms", max_gap / 1000.0);
    char *s = json_to_string_compact(out, false);
    puts(s);
    free(s);
    json_decref(out);

    for (int i = 0; i < n_clients; i++) {
        conn_close(&conns[i]);
    }
    free(conns);
    free(lat.usec);
}

/* A fan-out monitor.  It reads its connection as bytes and counts the
 * rows inserted by scanning them for the key that starts each one in an
 * "update2" notification, rather than parsing them: parsing the updates of
 * hundreds of clients in this one thread would make the time measured the
 * parser's, not the server's. */
struct monitor {
    struct stream *stream;
    unsigned int n_inserts; /* Inserted rows seen. */
    bool done;              /* Has seen every row. */
    char tail[16];          /* Last bytes read, for a key split in two. */
    size_t n_tail;
};

#define INSERT_KEY "\"insert\":"
#define INSERT_KEY_LEN (sizeof INSERT_KEY - 1)

/* Counts the inserted rows in the 'n' bytes at 'data', the next ones that
 * 'm' received. */
static void
monitor_count(struct monitor *m, const char *data, size_t n)
{
    if (m->n_tail) {
        /* Keys that start in the bytes kept from the last read. */
        char joint[2 * INSERT_KEY_LEN];
        size_t k = MIN(n, INSERT_KEY_LEN - 1);
        memcpy(joint, m->tail, m->n_tail);
        memcpy(joint + m->n_tail, data, k);
        for (size_t i = 0;
             i < m->n_tail && i + INSERT_KEY_LEN <= m->n_tail + k; i++) {
            m->n_inserts += !memcmp(joint + i, INSERT_KEY, INSERT_KEY_LEN);
        }
    }
    const char *end = data + n;
    for (const char *p = data;
         (p = memmem(p, end - p, INSERT_KEY, INSERT_KEY_LEN)) != NULL;
         p += INSERT_KEY_LEN) {
        m->n_inserts++;
    }

    /* Keeps the last INSERT_KEY_LEN - 1 bytes seen. */
    size_t keep = INSERT_KEY_LEN - 1;
    if (n >= keep) {
        memcpy(m->tail, end - keep, keep);
        m->n_tail = keep;
    } else {
        size_t old = MIN(m->n_tail, keep - n);
        memmove(m->tail, m->tail + m->n_tail - old, old);
        memcpy(m->tail + old, data, n);
        m->n_tail = old + n;
    }
}

/* Reads what 'm' received, without blocking.  Exits if the connection
 * failed.  A read that does not fill the buffer took everything there
 * was: asking again would be one more system call per monitor, for the
 * poll loop reports the connection again if more arrives. */
static void
monitor_read(struct monitor *m)
{
    char buf[65536];
    for (;;) {
        ssize_t n = stream_recv(m->stream, buf, sizeof buf);
        if (n > 0) {
            monitor_count(m, buf, n);
            if (n < (ssize_t) sizeof buf) {
                return;
            }
        } else if (n == -EAGAIN) {
            return;
        } else {
            ovs_fatal(n ? -n : 0, "%s: monitor connection %s", remote,
                      n ? "failed" : "closed by server");
        }
    }
}

/* Sends 'n' bytes at 'data' on 'stream', blocking. */
static void
stream_send_all(struct stream *stream, const char *data, size_t n)
{
    while (n) {
        ssize_t retval = stream_send(stream, data, n);
        if (retval > 0) {
            data += retval;
            n -= retval;
        } else if (retval == -EAGAIN) {
            stream_send_wait(stream);
            poll_block();
        } else {
            ovs_fatal(-retval, "%s: send failed", remote);
        }
    }
}

/* Connects 'm' and starts its monitor of the bench table (monitor_cond,
 * no initial contents). */
static void
monitor_open(struct monitor *m)
{
    memset(m, 0, sizeof *m);
    int error = stream_open_block(
        stream_open(remote, &m->stream, DSCP_DEFAULT), 10000, &m->stream);
    if (error) {
        ovs_fatal(error, "%s: connection failed", remote);
    }
    char *request = xasprintf(
        "{\"id\":1,\"method\":\"monitor_cond\",\"params\":[\"%s\",\"bench\","
        "{\"" BENCH_TABLE "\":{\"columns\":[\"name\",\"n\"],"
        "\"select\":{\"initial\":false}}}]}",
        db_name);
    stream_send_all(m->stream, request, strlen(request));
    free(request);

    struct jsonrpc_reader *reader = jsonrpc_reader_create(SIZE_MAX);
    char buf[4096];
    for (;;) {
        ssize_t n = stream_recv(m->stream, buf, sizeof buf);
        if (n == -EAGAIN) {
            stream_recv_wait(m->stream);
            poll_block();
            continue;
        } else if (n <= 0) {
            ovs_fatal(n ? -n : 0, "%s: monitor_cond failed", remote);
        }
        size_t used = jsonrpc_reader_feed(reader, buf, n);
        if (jsonrpc_reader_is_ready(reader)) {
            struct jsonrpc_msg *reply;
            char *error_msg = jsonrpc_reader_take(reader, &reply);
            if (error_msg) {
                ovs_fatal(0, "%s: monitor_cond: %s", remote, error_msg);
            }
            check_reply("monitor_cond", reply);
            jsonrpc_msg_destroy(reply);
            monitor_count(m, buf + used, n - used);
            break;
        }
    }
    jsonrpc_reader_destroy(reader);

    /* Hundreds of connections, mostly idle: the poll loop wakes for their
     * input without being told in each iteration. */
    stream_register_poll(m->stream);
}

/* One fan-out measurement, in microseconds from its start. */
struct fanout_round {
    long long total_usec;         /* Until everything was seen. */
    long long commit_usec;        /* Until the last commit was acked. */
    long long first_monitor_usec; /* Until one monitor saw every row. */
};

/* Commits 'n_txns' single-row inserts through 'writer', one after another,
 * each sent when the previous one is acknowledged, and waits until each of
 * the 'n_monitors' 'monitors' has seen every row. */
static struct fanout_round
fanout_round(struct conn *writer, struct monitor *monitors,
             const struct monitor **by_fd, size_t n_by_fd, int n_monitors,
             int n_txns)
{
    for (int i = 0; i < n_monitors; i++) {
        monitors[i].n_inserts = 0;
        monitors[i].done = false;
    }

    long long start = time_usec();
    long long deadline = start + FANOUT_TIMEOUT_USEC;
    long long writer_done = 0;
    long long last_monitor_done = 0;
    long long first_monitor_done = 0;
    int n_committed = 0;
    int n_done = 0;
    bool polled = false;
    send_one_insert(writer, -1);
    for (;;) {
        struct jsonrpc_msg *msg;
        while (!writer_done && (msg = conn_recv(writer, NULL)) != NULL) {
            if (conn_is_reply(writer, msg)) {
                check_reply("transact", msg);
                if (++n_committed < n_txns) {
                    send_one_insert(writer, -1);
                } else {
                    writer_done = time_usec();
                }
            }
            jsonrpc_msg_destroy(msg);
        }
        /* Only the monitors that the poll loop found with input, once it
         * has looked in this round: before, its list is the last round's,
         * whose monitors were read already. */
        const int *fds;
        size_t n_ready = polled ? poll_ready_registered(&fds) : 0;
        for (size_t i = 0; i < n_ready; i++) {
            struct monitor *m =
                (struct monitor *) (fds[i] < (int) n_by_fd ? by_fd[fds[i]]
                                                           : NULL);
            if (!m) {
                continue;
            }
            /* Read even when done, for the end of the last notification:
             * the poll loop would wake for it again and again. */
            monitor_read(m);
            if (!m->done && m->n_inserts >= (unsigned int) n_txns) {
                long long now = time_usec();
                m->done = true;
                if (!n_done++) {
                    first_monitor_done = now;
                }
                last_monitor_done = now;
            }
        }
        if (writer_done && n_done == n_monitors) {
            break;
        }
        if (time_usec() > deadline) {
            ovs_fatal(0,
                      "%s: fan-out incomplete after %lld s: %d of %d "
                      "transactions committed, %d of %d monitors "
                      "complete",
                      remote, FANOUT_TIMEOUT_USEC / 1000000, n_committed,
                      n_txns, n_done, n_monitors);
        }

        if (!writer_done) {
            conn_wait(writer);
        }
        poll_timer_wait_until(deadline / 1000 + 1);
        poll_block();
        polled = true;
    }
    return (struct fanout_round){
        .total_usec = MAX(writer_done, last_monitor_done) - start,
        .commit_usec = writer_done - start,
        .first_monitor_usec = first_monitor_done - start,
    };
}

static int
compare_long_long(const void *a_, const void *b_)
{
    const long long *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* Returns the median of the 'n' values at 'values' (reordering them). */
static double
median_msec(long long *values, size_t n)
{
    qsort(values, n, sizeof *values, compare_long_long);
    return values[n / 2] / 1000.0;
}

/* Mode "fanout": 'n_monitors' connections monitor the bench table (with
 * monitor_cond, no initial contents), then, 'n_rounds' times, one more
 * connection commits 'n_txns' single-row inserts (see fanout_round()).
 * Rows are counted rather than notifications, because a server may merge
 * the changes of several transactions into one notification for a client
 * that lags.  Prints the medians over the rounds. */
static void
run_fanout(int n_monitors, int n_txns)
{
    struct monitor *monitors = xcalloc(n_monitors, sizeof *monitors);
    const struct monitor **by_fd = NULL;
    size_t n_by_fd = 0;
    for (int i = 0; i < n_monitors; i++) {
        struct monitor *m = &monitors[i];
        monitor_open(m);
        size_t fd = stream_get_fd(m->stream);
        if (fd >= n_by_fd) {
            size_t n = MAX(2 * n_by_fd, fd + 1);
            by_fd = xrealloc(by_fd, n * sizeof *by_fd);
            memset(by_fd + n_by_fd, 0, (n - n_by_fd) * sizeof *by_fd);
            n_by_fd = n;
        }
        by_fd[fd] = m;
    }
    struct conn writer;
    conn_open(&writer);

    long long *total = xmalloc(n_rounds * sizeof *total);
    long long *commit = xmalloc(n_rounds * sizeof *commit);
    long long *first = xmalloc(n_rounds * sizeof *first);
    json_t *rounds = json_array();
    for (int r = 0; r < n_rounds; r++) {
        if (r) {
            /* Lets the server finish with the last round (its timers,
             * its log) before the next one starts. */
            xsleep_msec(ROUND_PAUSE_MSEC);
        }
        struct fanout_round round = fanout_round(&writer, monitors, by_fd,
                                                 n_by_fd, n_monitors, n_txns);
        total[r] = round.total_usec;
        commit[r] = round.commit_usec;
        first[r] = round.first_monitor_usec;
        json_array_append_new(rounds, json_real(total[r] / 1000.0));
    }

    double total_ms = median_msec(total, n_rounds);
    json_t *out = json_pack(
        "{s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:o}", "mode", "fanout",
        "monitors", n_monitors, "txns", n_txns, "rounds", n_rounds, "total_ms",
        total_ms, "per_txn_ms", total_ms / n_txns, "commit_ms",
        median_msec(commit, n_rounds), "first_monitor_ms",
        median_msec(first, n_rounds), "round_total_ms", rounds);
    char *s = json_to_string_compact(out, false);
    puts(s);
    free(s);
    json_decref(out);
    free(total);
    free(commit);
    free(first);

    conn_close(&writer);
    for (int i = 0; i < n_monitors; i++) {
        stream_close(monitors[i].stream);
    }
    free(monitors);
    free(by_fd);
}

/* Mode "rows": inserts 'n_rows' rows in transactions of 'batch_size'
 * rows, one transaction at a time, so that the server's memory can be
 * measured with a database of known size. */
static void
run_rows(long long n_rows)
{
    struct conn c;
    conn_open(&c);

    long long start = time_usec();
    for (long long base = 0; base < n_rows; base += batch_size) {
        json_t *params = json_pack("[s]", db_name);
        for (long long n = base; n < n_rows && n < base + batch_size; n++) {
            char name[64];
            snprintf(name, sizeof name, "row-%lld", n);
            json_array_append_new(params, insert_op(name, n));
        }
        struct jsonrpc_msg *request =
            jsonrpc_create_request("transact", params, NULL);
        struct jsonrpc_msg *reply;
        int error = jsonrpc_transact_block(c.rpc, request, &reply);
        if (error) {
            ovs_fatal(error == EOF ? 0 : error, "%s: transact failed", remote);
        }
        check_reply("transact", reply);
        jsonrpc_msg_destroy(reply);
    }
    double elapsed_s = (time_usec() - start) / 1e6;

    json_t *out =
        json_pack("{s:s, s:I, s:i, s:f, s:f}", "mode", "rows", "rows",
                  (json_int_t) n_rows, "batch", batch_size, "elapsed_s",
                  elapsed_s, "rows_per_s", n_rows / elapsed_s);
    char *s = json_to_string_compact(out, false);
    puts(s);
    free(s);
    json_decref(out);
    conn_close(&c);
}

static noreturn void
usage(void)
{
    printf("%s: load generator for OVSDB servers\n"
           "usage: %s [OPTIONS] MODE ARGS...\n"
           "\n"
           "Modes:\n"
           "  transact N_CLIENTS DURATION_S REMOTE DB\n"
           "      N_CLIENTS connections each keep one single-row insert\n"
           "      outstanding; prints transactions/s and latencies\n"
           "  fanout N_MONITORS N_TXNS REMOTE DB\n"
           "      N_MONITORS connections monitor the table, then N_TXNS\n"
           "      inserts are committed; prints the time until every\n"
           "      monitor has seen every row\n"
           "  rows N_ROWS REMOTE DB\n"
           "      inserts N_ROWS rows in batches; prints the time taken\n"
           "\n"
           "DB must have table \"" BENCH_TABLE "\" of bench/bench.ovsschema."
           "\n"
           "Options:\n"
           "  --batch=N     rows per transaction in \"rows\" mode (%d)\n"
           "  --rounds=N    fan-out rounds with the same monitors (1); the\n"
           "                times printed are the medians\n"
           "  -h, --help    display this help message\n",
           program_name, program_name, DEFAULT_BATCH);
    exit(EXIT_SUCCESS);
}

/* Parses 's' as an integer in [min, max] or exits naming 'what'. */
static long long
parse_count(const char *s, const char *what, long long min, long long max)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || *end || n < min || n > max) {
        ovs_fatal(0, "%s: \"%s\" is not an integer between %lld and %lld",
                  what, s, min, max);
    }
    return n;
}

int
main(int argc, char *argv[])
{
    json_alloc_init();
    jsonrpc_skip_drained_reads();
    set_program_name(argv[0]);

    static const struct option long_options[] = {
        {"batch", required_argument, NULL, 'b'},
        {"rounds", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'b':
            batch_size = parse_count(optarg, "--batch", 1, 1000000);
            break;
        case 'r':
            n_rounds = parse_count(optarg, "--rounds", 1, 100000);
            break;
        case 'h':
            usage();
        default:
            exit(EXIT_FAILURE);
        }
    }
    argc -= optind;
    argv += optind;
    if (argc < 1) {
        ovs_fatal(0, "missing mode; use --help for usage");
    }

    const char *mode = argv[0];
    if (!strcmp(mode, "transact") && argc == 5) {
        int n_clients = parse_count(argv[1], "N_CLIENTS", 1, 10000);
        char *end;
        double duration_s = strtod(argv[2], &end);
        if (*end || end == argv[2] || !(duration_s > 0)) {
            ovs_fatal(0, "DURATION_S: \"%s\" is not a positive number",
                      argv[2]);
        }
        remote = argv[3];
        db_name = argv[4];
        run_transact(n_clients, duration_s);
    } else if (!strcmp(mode, "fanout") && argc == 5) {
        int n_monitors = parse_count(argv[1], "N_MONITORS", 1, 10000);
        int n_txns = parse_count(argv[2], "N_TXNS", 1, 1000000);
        remote = argv[3];
        db_name = argv[4];
        run_fanout(n_monitors, n_txns);
    } else if (!strcmp(mode, "rows") && argc == 4) {
        long long n_rows = parse_count(argv[1], "N_ROWS", 1, 100000000);
        remote = argv[2];
        db_name = argv[3];
        run_rows(n_rows);
    } else {
        ovs_fatal(0,
                  "bad mode or wrong number of arguments for \"%s\"; "
                  "use --help for usage",
                  mode);
    }
    return 0;
}
