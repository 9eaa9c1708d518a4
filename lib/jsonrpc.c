/* JSON-RPC 1.0 messages, framing and connections; see jsonrpc.h. */
#include "lib/jsonrpc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/coverage.h"
#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/json-syntax.h"
#include "lib/json.h"
#include "lib/list.h"
#include "lib/poll-loop.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

COVERAGE_DEFINE(jsonrpc_recv);
COVERAGE_DEFINE(jsonrpc_send);

/* Messages. */

const char *
jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST:
        return "request";
    case JSONRPC_NOTIFY:
        return "notification";
    case JSONRPC_REPLY:
        return "reply";
    case JSONRPC_ERROR:
        return "error";
    }
    return "(unknown)";
}

static struct jsonrpc_msg *
jsonrpc_msg_create(enum jsonrpc_msg_type type, const char *method,
                   json_t *params, json_t *result, json_t *error, json_t *id)
{
    struct jsonrpc_msg *msg = xzalloc(sizeof *msg);
    msg->type = type;
    msg->method = nullable_xstrdup(method);
    msg->params = params;
    msg->result = result;
    msg->error = error;
    msg->id = id;
    return msg;
}

/* Returns a new integer id, unique in this process. */
static json_t *
jsonrpc_create_id(void)
{
    static long long next_id;
    return json_integer(next_id++);
}

struct jsonrpc_msg *
jsonrpc_create_request(const char *method, json_t *params, json_t **idp)
{
    ovs_assert(json_is_array(params));
    json_t *id = jsonrpc_create_id();
    if (idp) {
        *idp = json_incref(id);
    }
    return jsonrpc_msg_create(JSONRPC_REQUEST, method, params, NULL, NULL, id);
}

struct jsonrpc_msg *
jsonrpc_create_notify(const char *method, json_t *params)
{
    ovs_assert(json_is_array(params));
    return jsonrpc_msg_create(JSONRPC_NOTIFY, method, params, NULL, NULL,
                              NULL);
}

struct jsonrpc_msg *
jsonrpc_create_reply(json_t *result, const json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_REPLY, NULL, NULL, result, NULL,
                              json_deep_copy(id));
}

struct jsonrpc_msg *
jsonrpc_create_error(json_t *error, const json_t *id)
{
    return jsonrpc_msg_create(JSONRPC_ERROR, NULL, NULL, NULL, error,
                              json_deep_copy(id));
}

struct jsonrpc_msg *
jsonrpc_msg_clone(const struct jsonrpc_msg *old)
{
    return jsonrpc_msg_create(
        old->type, old->method, json_deep_copy(old->params),
        json_deep_copy(old->result), json_deep_copy(old->error),
        json_deep_copy(old->id));
}

void
jsonrpc_msg_destroy(struct jsonrpc_msg *msg)
{
    if (msg) {
        free(msg->method);
        json_decref(msg->params);
        json_decref(msg->result);
        json_decref(msg->error);
        json_decref(msg->id);
        free(msg);
    }
}

char *
jsonrpc_msg_is_valid(const struct jsonrpc_msg *m)
{
    /* For each type, whether it must have (+) or must not have (-) each
     * member, in the order of 'members' below. */
    static const struct {
        const char *name;
        const char rules[5];
    } types[] = {
        [JSONRPC_REQUEST] = {"request", "++--+"},
        [JSONRPC_NOTIFY] = {"notification", "++---"},
        [JSONRPC_REPLY] = {"reply", "--+-+"},
        [JSONRPC_ERROR] = {"error", "---++"},
    };
    if ((unsigned int) m->type >= ARRAY_SIZE(types)) {
        return xasprintf("message has invalid type %d", (int) m->type);
    }

    /* A null "id" is no id for requests and notifications, but a reply
     * or error may answer with a null id (to a request it could not
     * parse). */
    bool has_id = m->id
                  && (!json_is_null(m->id) || m->type == JSONRPC_REPLY
                      || m->type == JSONRPC_ERROR);
    const struct {
        const char *name;
        bool present;
    } members[] = {
        {"method", m->method != NULL},
        {"params", m->params != NULL},
        {"result", m->result != NULL},
        {"error", m->error != NULL},
        {"id", has_id},
    };
    for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
        char rule = types[m->type].rules[i];
        if (rule == '+' && !members[i].present) {
            return xasprintf("%s must have \"%s\"", types[m->type].name,
                             members[i].name);
        } else if (rule == '-' && members[i].present) {
            return xasprintf("%s must not have \"%s\"", types[m->type].name,
                             members[i].name);
        }
    }
    if (m->params && !json_is_array(m->params)) {
        return xstrdup("\"params\" must be JSON array");
    }
    return NULL;
}

char *
jsonrpc_msg_from_json(json_t *json, struct jsonrpc_msg **msgp)
{
    char *error = NULL;

    *msgp = NULL;
    if (!json_is_object(json)) {
        error = xstrdup("message is not a JSON object");
        goto exit;
    }

    /* One pass over the members finds them all. */
    json_t *method = NULL, *params = NULL, *result = NULL, *err = NULL;
    json_t *id = NULL;
    const char *key;
    json_t *value;
    json_object_foreach (json, key, value) {
        json_t **slot = (!strcmp(key, "method")   ? &method
                         : !strcmp(key, "params") ? &params
                         : !strcmp(key, "result") ? &result
                         : !strcmp(key, "error")  ? &err
                         : !strcmp(key, "id")     ? &id
                                                  : NULL);
        if (!slot) {
            error = xasprintf("message has unexpected member \"%s\"", key);
            goto exit;
        }
        *slot = value;
    }

    if (method && !json_is_string(method)) {
        error = xstrdup("\"method\" must be JSON string");
        goto exit;
    }

    /* Peers spell "absent" as null in several places: a notification's
     * "id", a reply's "error", an error's "result". */
    enum jsonrpc_msg_type type;
    if (method) {
        type = !id || json_is_null(id) ? JSONRPC_NOTIFY : JSONRPC_REQUEST;
        if (type == JSONRPC_NOTIFY) {
            id = NULL;
        }
    } else if (err && !json_is_null(err)) {
        type = JSONRPC_ERROR;
        if (json_is_null(result)) {
            result = NULL;
        }
    } else if (result) {
        type = JSONRPC_REPLY;
        err = NULL;
    } else {
        error = xstrdup("message is not a request, notification, reply, "
                        "or error: it has none of \"method\", \"result\" "
                        "and \"error\"");
        goto exit;
    }

    struct jsonrpc_msg *msg = jsonrpc_msg_create(
        type, json_string_value(method), params ? json_incref(params) : NULL,
        result ? json_incref(result) : NULL, err ? json_incref(err) : NULL,
        id ? json_incref(id) : NULL);
    error = jsonrpc_msg_is_valid(msg);
    if (error) {
        jsonrpc_msg_destroy(msg);
    } else {
        *msgp = msg;
    }

exit:
    json_decref(json);
    return error;
}

char *
jsonrpc_msg_from_string(const char *s, struct jsonrpc_msg **msgp)
{
    json_t *json;
    char *error = json_from_string(s, &json);
    if (error) {
        *msgp = NULL;
        return error;
    }
    return jsonrpc_msg_from_json(json, msgp);
}

static void
set_member(json_t *object, const char *key, json_t *value)
{
    json_object_set_new(object, key, value ? value : json_null());
}

json_t *
jsonrpc_msg_to_json(struct jsonrpc_msg *m)
{
    json_t *json = json_object();

    switch (m->type) {
    case JSONRPC_REQUEST:
    case JSONRPC_NOTIFY:
        set_member(json, "method", json_string(m->method ? m->method : ""));
        set_member(json, "params", m->params);
        set_member(json, "id", m->id);
        break;

    case JSONRPC_REPLY:
        set_member(json, "result", m->result);
        set_member(json, "error", m->error);
        set_member(json, "id", m->id);
        break;

    case JSONRPC_ERROR:
        /* OVS leaves "result" out of error replies altogether. */
        set_member(json, "error", m->error);
        set_member(json, "id", m->id);
        json_decref(m->result);
        break;
    }

    /* The members now belong to 'json'. */
    m->params = m->result = m->error = m->id = NULL;
    jsonrpc_msg_destroy(m);
    return json;
}

static void
put_member(struct ds *out, const char *name, const json_t *value)
{
    ds_put_char(out, '"');
    ds_put_cstr(out, name);
    ds_put_cstr(out, "\":");
    json_to_ds(value, false, false, out);
}

/* Appends 'm' to 'out' as jsonrpc_msg_to_json() would make it and
 * json_to_ds() would write it, without building the object. */
static void
jsonrpc_msg_to_ds(const struct jsonrpc_msg *m, struct ds *out)
{
    /* The members in the order in which OVS writes them: "id" first. */
    ds_put_char(out, '{');
    put_member(out, "id", m->id);
    ds_put_char(out, ',');
    switch (m->type) {
    case JSONRPC_REQUEST:
    case JSONRPC_NOTIFY:
        ds_put_cstr(out, "\"method\":");
        json_string_to_ds(m->method ? m->method : "",
                          m->method ? strlen(m->method) : 0, out);
        ds_put_char(out, ',');
        put_member(out, "params", m->params);
        break;

    case JSONRPC_REPLY:
        put_member(out, "result", m->result);
        ds_put_char(out, ',');
        put_member(out, "error", m->error);
        break;

    case JSONRPC_ERROR:
        /* OVS leaves "result" out of error replies altogether. */
        put_member(out, "error", m->error);
        break;
    }
    ds_put_char(out, '}');
}

char *
jsonrpc_msg_to_string(const struct jsonrpc_msg *m)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    jsonrpc_msg_to_ds(m, &s);
    return ds_steal_cstr(&s);
}

void
jsonrpc_msg_format(const struct jsonrpc_msg *m, struct ds *out)
{
    ds_put_cstr(out, jsonrpc_msg_type_to_string(m->type));
    if (m->method) {
        ds_put_format(out, ", method=\"%s\"", m->method);
    }
    const struct {
        const char *name;
        const json_t *value;
    } members[] = {
        {"params", m->params},
        {"result", m->result},
        {"error", m->error},
        {"id", m->id},
    };
    for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
        if (members[i].value) {
            ds_put_format(out, ", %s=", members[i].name);
            json_to_ds(members[i].value, false, false, out);
        }
    }
}

/* Framing.
 *
 * The reader finds where each top-level value ends by tracking bracket
 * depth outside strings, and string and escape state inside them, so it
 * never needs to parse anything twice: only the bytes of a complete
 * value go to jansson. */

enum reader_state {
    READER_IDLE,  /* Between messages: skipping whitespace. */
    READER_VALUE, /* Inside a value. */
    READER_READY, /* A complete value is in 'buf'. */
    READER_FAILED /* 'error' says why; sticky. */
};

struct jsonrpc_reader {
    size_t max_msg_size;
    enum reader_state state;
    struct ds buf; /* Bytes of the current value. */
    size_t depth;  /* Open '{' and '[' outside strings. */
    bool in_string;
    bool escape;    /* Last byte was a backslash in a string. */
    bool bad_start; /* 'buf' starts with neither '{' nor '[': it can only
                     * end in the syntax error that OVS would report. */
    size_t n_space; /* Whitespace before the value in 'buf'. */
    char *error;
};

/* Incomplete messages up to this size are checked for syntax errors as
 * they arrive, so that a broken one fails at once, as in OVS, rather than
 * when its brackets balance (if ever); longer ones only when complete. */
#define READER_CHECK_PREFIX_MAX 4096

/* Whitespace kept in front of a message; see jsonrpc_reader_feed(). */
#define READER_SPACE_MAX 4096

/* Buffers larger than this are freed rather than kept between messages,
 * so that one big message does not pin its memory for the connection's
 * lifetime. */
#define READER_KEEP_BUFFER (256 * 1024)

struct jsonrpc_reader *
jsonrpc_reader_create(size_t max_msg_size)
{
    struct jsonrpc_reader *r = xzalloc(sizeof *r);
    r->max_msg_size = max_msg_size;
    r->state = READER_IDLE;
    ds_init(&r->buf);
    return r;
}

void
jsonrpc_reader_set_max_msg_size(struct jsonrpc_reader *r, size_t max_msg_size)
{
    r->max_msg_size = max_msg_size;
}

void
jsonrpc_reader_destroy(struct jsonrpc_reader *r)
{
    if (r) {
        ds_destroy(&r->buf);
        free(r->error);
        free(r);
    }
}

static void
reader_fail(struct jsonrpc_reader *r, char *error)
{
    r->state = READER_FAILED;
    r->error = error;
    ds_destroy(&r->buf);
    ds_init(&r->buf);
}

static bool
is_json_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t
jsonrpc_reader_feed(struct jsonrpc_reader *r, const void *data_, size_t n)
{
    const unsigned char *data = data_;
    size_t i = 0;

    if (r->state == READER_FAILED) {
        return n;
    } else if (r->state == READER_READY) {
        return 0;
    }

    /* The whitespace before a message stays in 'buf' (up to a limit, past
     * which only its tail is kept): OVS counts it in the positions of
     * syntax errors. */
    if (r->state == READER_IDLE) {
        while (i < n && is_json_space(data[i])) {
            i++;
        }
        ds_put_buffer(&r->buf, (const char *) data, i);
        if (r->buf.length > READER_SPACE_MAX) {
            size_t excess = r->buf.length - READER_SPACE_MAX;
            memmove(r->buf.string, r->buf.string + excess, READER_SPACE_MAX);
            ds_truncate(&r->buf, READER_SPACE_MAX);
        }
        if (i < n) {
            r->state = READER_VALUE;
            r->depth = 0;
            r->in_string = false;
            r->escape = false;
            r->bad_start = data[i] != '{' && data[i] != '[';
        }
        r->n_space = r->buf.length;
    }

    size_t start = i;
    bool complete = false;
    if (r->state != READER_VALUE || r->bad_start) {
        i = n;
    }
    for (; i < n; i++) {
        unsigned char c = data[i];
        if (r->in_string) {
            if (r->escape) {
                r->escape = false;
            } else if (c == '\\') {
                r->escape = true;
            } else if (c == '"') {
                r->in_string = false;
            }
        } else if (c == '"') {
            r->in_string = true;
        } else if (c == '{' || c == '[') {
            r->depth++;
        } else if (c == '}' || c == ']') {
            if (--r->depth == 0) {
                i++;
                complete = true;
                break;
            }
        }
    }

    if (r->buf.length - r->n_space + (i - start) > r->max_msg_size) {
        reader_fail(r, xasprintf("received bad JSON-RPC message: message "
                                 "exceeds maximum size of %zu bytes",
                                 r->max_msg_size));
        return i;
    }
    ds_put_buffer(&r->buf, (const char *) data + start, i - start);
    if (complete) {
        r->state = READER_READY;
    } else if (r->state == READER_VALUE
               && (r->bad_start || r->buf.length <= READER_CHECK_PREFIX_MAX)) {
        char *error = json_syntax_check_prefix(r->buf.string, r->buf.length);
        if (error) {
            reader_fail(r, xasprintf("error parsing stream: %s", error));
            free(error);
        }
    }
    return i;
}

bool
jsonrpc_reader_is_ready(const struct jsonrpc_reader *r)
{
    return r->state == READER_READY || r->state == READER_FAILED;
}

bool
jsonrpc_reader_is_mid_message(const struct jsonrpc_reader *r)
{
    return r->state == READER_VALUE;
}

/* Makes 'r' ready for the next message, keeping its buffer unless it
 * grew large. */
static void
reader_reset(struct jsonrpc_reader *r)
{
    if (r->buf.allocated > READER_KEEP_BUFFER) {
        ds_destroy(&r->buf);
        ds_init(&r->buf);
    } else {
        ds_clear(&r->buf);
    }
    r->state = READER_IDLE;
    r->n_space = 0;
}

char *
jsonrpc_msg_from_text(const char *text, size_t n, struct jsonrpc_msg **msgp)
{
    *msgp = NULL;
    json_t *json;
    char *syntax_error = json_from_buffer(text, n, &json);
    if (syntax_error) {
        char *error = xasprintf("error parsing stream: %s", syntax_error);
        free(syntax_error);
        return error;
    }
    char *error = jsonrpc_msg_from_json(json, msgp);
    if (error) {
        char *msg = xasprintf("received bad JSON-RPC message: %s", error);
        free(error);
        return msg;
    }
    return NULL;
}

char *
jsonrpc_reader_take(struct jsonrpc_reader *r, struct jsonrpc_msg **msgp)
{
    *msgp = NULL;
    if (r->state == READER_FAILED) {
        return xstrdup(r->error);
    } else if (r->state != READER_READY) {
        return NULL;
    }

    /* Whitespace before the value stays in the text: OVS counts it in the
     * positions of syntax errors. */
    char *error = jsonrpc_msg_from_text(r->buf.string, r->buf.length, msgp);
    reader_reset(r);
    if (error) {
        reader_fail(r, xstrdup(error));
    }
    return error;
}

bool
jsonrpc_reader_take_text(struct jsonrpc_reader *r, struct ds *text)
{
    if (r->state != READER_READY) {
        return false;
    }
    ds_clear(text);
    ds_put_buffer(text, r->buf.string + r->n_space,
                  r->buf.length - r->n_space);
    reader_reset(r);
    return true;
}

/* Connections. */

/* Bytes read from the stream at a time. */
#define JSONRPC_RX_SIZE 16384

/* One queued output message. */
struct jsonrpc_txbuf {
    struct list list_node;
    char *data;
    size_t size;
    size_t ofs; /* Bytes already sent. */
};

struct jsonrpc {
    struct stream *stream;
    char *name;
    int status;
    char *error_string; /* Last protocol error, or NULL. */

    /* Input. */
    struct jsonrpc_reader *reader;
    char *rx;              /* JSONRPC_RX_SIZE bytes. */
    size_t rx_ofs, rx_len; /* Unconsumed bytes: rx[rx_ofs..rx_len). */
    bool rx_drained;       /* A short read emptied the socket... */
    unsigned long long rx_drained_wakeup; /* ...in this loop iteration. */
    unsigned long long received_bytes;

    /* Output. */
    struct list output; /* Contains "struct jsonrpc_txbuf"s. */
    size_t backlog;     /* Bytes queued in 'output'. */
};

struct jsonrpc *
jsonrpc_open(struct stream *stream)
{
    ovs_assert(stream != NULL);

    struct jsonrpc *rpc = xzalloc(sizeof *rpc);
    rpc->stream = stream;
    rpc->name = xstrdup(stream_get_name(stream));
    rpc->reader = jsonrpc_reader_create(JSONRPC_MAX_MSG_SIZE);
    rpc->rx = xmalloc(JSONRPC_RX_SIZE);
    list_init(&rpc->output);
    return rpc;
}

static void
jsonrpc_clear_output(struct jsonrpc *rpc)
{
    struct jsonrpc_txbuf *buf;
    LIST_FOR_EACH_POP (buf, list_node, &rpc->output) {
        free(buf->data);
        free(buf);
    }
    rpc->backlog = 0;
}

void
jsonrpc_register_poll(struct jsonrpc *rpc)
{
    stream_register_poll(rpc->stream);
}

int
jsonrpc_get_fd(const struct jsonrpc *rpc)
{
    return stream_get_fd(rpc->stream);
}

void
jsonrpc_unregister_poll(struct jsonrpc *rpc)
{
    stream_unregister_poll(rpc->stream);
}

void
jsonrpc_close(struct jsonrpc *rpc)
{
    if (rpc) {
        stream_close(rpc->stream);
        jsonrpc_clear_output(rpc);
        jsonrpc_reader_destroy(rpc->reader);
        free(rpc->rx);
        free(rpc->name);
        free(rpc->error_string);
        free(rpc);
    }
}

/* Marks 'rpc' as failed with 'error' (EOF or an errno value) unless it
 * failed already. */
static void
jsonrpc_error(struct jsonrpc *rpc, int error)
{
    ovs_assert(error);
    if (!rpc->status) {
        rpc->status = error;
        jsonrpc_clear_output(rpc);
    }
}

/* Records and logs a protocol error described by 'msg' (taken). */
static void
jsonrpc_protocol_error(struct jsonrpc *rpc, char *msg)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    if (!rpc->status) {
        free(rpc->error_string);
        rpc->error_string = xasprintf("%s: %s", rpc->name, msg);
        VLOG_WARN_RL(&rl, "%s", rpc->error_string);
        jsonrpc_error(rpc, EPROTO);
    }
    free(msg);
}

void
jsonrpc_run(struct jsonrpc *rpc)
{
    if (rpc->status) {
        return;
    }

    stream_run(rpc->stream);
    while (!list_is_empty(&rpc->output)) {
        struct jsonrpc_txbuf *buf = CONTAINER_OF(
            list_front(&rpc->output), struct jsonrpc_txbuf, list_node);
        ssize_t retval = stream_send(rpc->stream, buf->data + buf->ofs,
                                     buf->size - buf->ofs);
        if (retval > 0) {
            buf->ofs += retval;
            rpc->backlog -= retval;
            if (buf->ofs >= buf->size) {
                list_remove(&buf->list_node);
                free(buf->data);
                free(buf);
            }
        } else {
            if (retval != -EAGAIN) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
                VLOG_WARN_RL(&rl, "%s: send error: %s", rpc->name,
                             ovs_strerror(-retval));
                jsonrpc_error(rpc, retval ? -retval : EPIPE);
            }
            break;
        }
    }
}

void
jsonrpc_wait(struct jsonrpc *rpc)
{
    if (!rpc->status) {
        stream_run_wait(rpc->stream);
        if (!list_is_empty(&rpc->output)) {
            stream_send_wait(rpc->stream);
        }
    }
}

int
jsonrpc_get_status(const struct jsonrpc *rpc)
{
    return rpc->status;
}

size_t
jsonrpc_get_backlog(const struct jsonrpc *rpc)
{
    return rpc->status ? 0 : rpc->backlog;
}

unsigned long long
jsonrpc_get_received_bytes(const struct jsonrpc *rpc)
{
    return rpc->received_bytes;
}

const char *
jsonrpc_get_name(const struct jsonrpc *rpc)
{
    return rpc->name;
}

struct stream *
jsonrpc_get_stream(const struct jsonrpc *rpc)
{
    return rpc->stream;
}

void
jsonrpc_set_max_msg_size(struct jsonrpc *rpc, size_t max_msg_size)
{
    jsonrpc_reader_set_max_msg_size(rpc->reader, max_msg_size);
}

const char *
jsonrpc_get_error_string(const struct jsonrpc *rpc)
{
    return rpc->error_string;
}

static void
jsonrpc_log_msg(const struct jsonrpc *rpc, const char *title,
                const struct jsonrpc_msg *msg)
{
    if (VLOG_IS_DBG_ENABLED()) {
        struct ds s = DS_EMPTY_INITIALIZER;
        jsonrpc_msg_format(msg, &s);
        VLOG_DBG("%s: %s %s", rpc->name, title, ds_cstr(&s));
        ds_destroy(&s);
    }
}

/* Sends the 'n' bytes at 'data' at once if no output is queued ahead of
 * them, and queues whatever the stream did not take.  If 'owned', 'data'
 * was malloc'd and is taken; otherwise what has to be queued is copied.
 * Returns 0 or the connection's status. */
static int
jsonrpc_send_bytes(struct jsonrpc *rpc, char *data, size_t n, bool owned)
{
    size_t ofs = 0;
    if (list_is_empty(&rpc->output)) {
        stream_run(rpc->stream);
        ssize_t retval = stream_send(rpc->stream, data, n);
        if (retval > 0) {
            ofs = retval;
        } else if (retval != -EAGAIN) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: send error: %s", rpc->name,
                         ovs_strerror(-retval));
            jsonrpc_error(rpc, retval ? -retval : EPIPE);
        }
    }
    if (ofs < n && !rpc->status) {
        struct jsonrpc_txbuf *buf = xmalloc(sizeof *buf);
        if (owned) {
            buf->data = data;
            buf->size = n;
            buf->ofs = ofs;
            owned = false;
        } else {
            buf->data = xmemdup(data + ofs, n - ofs);
            buf->size = n - ofs;
            buf->ofs = 0;
        }
        list_push_back(&rpc->output, &buf->list_node);
        rpc->backlog += buf->size - buf->ofs;
    }
    if (owned) {
        free(data);
    }
    return rpc->status;
}

/* A buffer per thread for serialising messages, freed when the thread
 * exits. */
static pthread_key_t send_buffer_key;
static pthread_once_t send_buffer_once = PTHREAD_ONCE_INIT;

static void
free_send_buffer(void *ds_)
{
    struct ds *ds = ds_;
    ds_destroy(ds);
    free(ds);
}

static void
create_send_buffer_key(void)
{
    if (pthread_key_create(&send_buffer_key, free_send_buffer)) {
        ovs_abort(0, "pthread_key_create failed");
    }
}

static struct ds *
send_buffer(void)
{
    pthread_once(&send_buffer_once, create_send_buffer_key);
    struct ds *ds = pthread_getspecific(send_buffer_key);
    if (!ds) {
        ds = xmalloc(sizeof *ds);
        ds_init(ds);
        pthread_setspecific(send_buffer_key, ds);
    }
    return ds;
}

int
jsonrpc_send(struct jsonrpc *rpc, struct jsonrpc_msg *msg)
{
    if (rpc->status) {
        jsonrpc_msg_destroy(msg);
        return rpc->status;
    }

    COVERAGE_INC(jsonrpc_send);
    jsonrpc_log_msg(rpc, "send", msg);

    /* Serialised into a buffer kept for the next message: most messages
     * go out at once and need no copy of their own. */
    struct ds *text = send_buffer();
    ds_clear(text);
    jsonrpc_msg_to_ds(msg, text);
    jsonrpc_msg_destroy(msg);
    int status = jsonrpc_send_bytes(rpc, text->string, text->length, false);
    if (text->allocated > 64 * 1024) {
        ds_destroy(text);
        ds_init(text);
    }
    return status;
}

int
jsonrpc_send_text(struct jsonrpc *rpc, char *text, size_t n)
{
    if (rpc->status) {
        free(text);
        return rpc->status;
    }

    COVERAGE_INC(jsonrpc_send);
    return jsonrpc_send_bytes(rpc, text, n, true);
}

/* See jsonrpc_skip_drained_reads(). */
static bool skip_drained_reads;

void
jsonrpc_skip_drained_reads(void)
{
    skip_drained_reads = true;
}

/* Reads until the reader has a message (or an error) ready: returns 0 if
 * it has, otherwise EAGAIN or the connection's status. */
static int
recv_until_ready(struct jsonrpc *rpc)
{
    if (rpc->status) {
        return rpc->status;
    }

    /* Bounded, so that a peer that sends fast cannot keep the main loop
     * here forever; jsonrpc_recv_wait() wakes at once if input remains. */
    for (int i = 0; i < 50; i++) {
        if (jsonrpc_reader_is_ready(rpc->reader)) {
            return 0;
        } else if (rpc->rx_ofs < rpc->rx_len) {
            rpc->rx_ofs += jsonrpc_reader_feed(
                rpc->reader, rpc->rx + rpc->rx_ofs, rpc->rx_len - rpc->rx_ofs);
            continue;
        }

        /* A read shorter than asked for took everything the socket had:
         * asking again in the same iteration of the main loop would
         * almost always be a wasted system call.  The next poll_block()
         * wakes up if more arrived meanwhile. */
        if (skip_drained_reads && rpc->rx_drained
            && rpc->rx_drained_wakeup == poll_loop_n_wakeups()) {
            return EAGAIN;
        }
        ssize_t retval = stream_recv(rpc->stream, rpc->rx, JSONRPC_RX_SIZE);
        if (retval > 0) {
            rpc->rx_ofs = 0;
            rpc->rx_len = retval;
            rpc->received_bytes += retval;
            rpc->rx_drained = retval < JSONRPC_RX_SIZE;
            rpc->rx_drained_wakeup = poll_loop_n_wakeups();
        } else if (retval == -EAGAIN) {
            return EAGAIN;
        } else if (retval == 0) {
            /* Like OVS, drop a message cut short by the end of the stream
             * without complaint. */
            VLOG_DBG("%s: connection closed by peer", rpc->name);
            jsonrpc_error(rpc, EOF);
            return rpc->status;
        } else {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: receive error: %s", rpc->name,
                         ovs_strerror(-retval));
            jsonrpc_error(rpc, -retval);
            return rpc->status;
        }
    }
    return jsonrpc_reader_is_ready(rpc->reader) ? 0 : EAGAIN;
}

int
jsonrpc_recv(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    *msgp = NULL;
    int error = recv_until_ready(rpc);
    if (error) {
        return error;
    }

    /* Ready: a message or an error. */
    struct jsonrpc_msg *msg;
    char *protocol_error = jsonrpc_reader_take(rpc->reader, &msg);
    if (protocol_error) {
        jsonrpc_protocol_error(rpc, protocol_error);
        return rpc->status;
    }
    COVERAGE_INC(jsonrpc_recv);
    jsonrpc_log_msg(rpc, "received", msg);
    *msgp = msg;
    return 0;
}

int
jsonrpc_recv_text(struct jsonrpc *rpc, struct ds *text)
{
    int error = recv_until_ready(rpc);
    if (error) {
        return error;
    }
    if (!jsonrpc_reader_take_text(rpc->reader, text)) {
        struct jsonrpc_msg *msg;
        char *protocol_error = jsonrpc_reader_take(rpc->reader, &msg);
        jsonrpc_protocol_error(rpc, protocol_error);
        return rpc->status;
    }
    COVERAGE_INC(jsonrpc_recv);
    return 0;
}

bool
jsonrpc_recv_is_idle(const struct jsonrpc *rpc)
{
    return (!rpc->status && rpc->rx_ofs >= rpc->rx_len
            && !jsonrpc_reader_is_ready(rpc->reader)
            && stream_recv_is_idle(rpc->stream));
}

void
jsonrpc_recv_wait(struct jsonrpc *rpc)
{
    if (rpc->status || rpc->rx_ofs < rpc->rx_len
        || jsonrpc_reader_is_ready(rpc->reader)) {
        poll_immediate_wake();
    } else {
        stream_recv_wait(rpc->stream);
    }
}

int
jsonrpc_send_block(struct jsonrpc *rpc, struct jsonrpc_msg *msg)
{
    fatal_ignore_sigpipe();

    int error = jsonrpc_send(rpc, msg);
    if (error) {
        return error;
    }
    for (;;) {
        jsonrpc_run(rpc);
        if (list_is_empty(&rpc->output) || rpc->status) {
            return rpc->status;
        }
        jsonrpc_wait(rpc);
        poll_block();
    }
}

int
jsonrpc_recv_block(struct jsonrpc *rpc, struct jsonrpc_msg **msgp)
{
    for (;;) {
        int error = jsonrpc_recv(rpc, msgp);
        if (error != EAGAIN) {
            return error;
        }
        jsonrpc_run(rpc);
        jsonrpc_wait(rpc);
        jsonrpc_recv_wait(rpc);
        poll_block();
    }
}

int
jsonrpc_transact_block(struct jsonrpc *rpc, struct jsonrpc_msg *request,
                       struct jsonrpc_msg **replyp)
{
    *replyp = NULL;
    ovs_assert(request->type == JSONRPC_REQUEST);

    json_t *id = json_incref(request->id);
    int error = jsonrpc_send_block(rpc, request);
    while (!error) {
        struct jsonrpc_msg *msg;
        error = jsonrpc_recv_block(rpc, &msg);
        if (error) {
            break;
        }
        if ((msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)
            && json_equal(msg->id, id)) {
            *replyp = msg;
            break;
        }
        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            /* Keep the peer's inactivity probe satisfied while we wait. */
            error = jsonrpc_send(
                rpc, jsonrpc_create_reply(json_incref(msg->params), msg->id));
        }
        jsonrpc_msg_destroy(msg);
    }
    json_decref(id);
    return error;
}
