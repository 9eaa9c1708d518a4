/* What the IDL runtime (ovsdb/idl.c, ovsdb/idl-txn.c, ovsdb/idl-row.c)
 * shares with the code that ovsdb/idl-gen.py generates from a schema.
 *
 * A generated table row is a C struct whose first member is a 'struct
 * idl_row' and whose other members hold the columns in C types.  The
 * generator describes each table with a 'struct idl_table_class' and each
 * column with a 'struct idl_column' that says where its members are, so
 * that the runtime fills them in generically; the generated accessors are
 * thin wrappers around the functions declared here and in ovsdb/idl.h.
 *
 * How a column appears in the row struct ('offset' and friends):
 *
 *   - scalar (min = max = 1):       one member of the C type
 *   - string-to-string map:         a 'struct smap'
 *   - anything else (optional, set, map):
 *                                   'TYPE *x' at 'offset', 'size_t n_x' at
 *                                   'n_offset' and for maps 'VTYPE *' values
 *                                   at 'value_offset'
 *
 * with C types int64_t (integer), double (real), bool (boolean), char *
 * (string, pointing into the row's datum), struct uuid (uuid), and a
 * pointer to the referenced table's row struct (uuid with refTable).  A
 * reference to a row that is not in the replica is left out of arrays
 * (and is NULL for a scalar).
 *
 * The private state of the runtime (struct idl, struct idl_table) lives
 * here too, so that idl.c and idl-txn.c, which are one module split in
 * two, can both reach it; nothing outside ovsdb/idl*.c touches it. */
#ifndef OVSDB_IDL_PROVIDER_H
#define OVSDB_IDL_PROVIDER_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/uuid.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-types.h"

struct idl;
struct idl_db;
struct idl_table;
struct idl_txn;
struct jsonrpc_msg;
struct jsonrpc_session;
struct smap;

/* 'offset' of a column that has no typed member (the runtime's own
 * classes, such as the _Server database's). */
#define IDL_NO_MEMBER SIZE_MAX

struct idl_column {
    const char *name;
    struct ovsdb_type type;
    bool is_mutable;
    bool is_smap;             /* String-to-string map as a struct smap. */
    size_t offset;            /* Value, keys, smap, or IDL_NO_MEMBER. */
    size_t n_offset;          /* Count member, or IDL_NO_MEMBER. */
    size_t value_offset;      /* Map values member, or IDL_NO_MEMBER. */
    unsigned int index;       /* Position in the table's columns. */
    unsigned int table_index; /* Position of the table in the class. */
};

struct idl_table_class {
    const char *name;
    bool is_root;
    const struct idl_column *columns;
    size_t n_columns;
    size_t row_size;    /* Size of the generated row struct. */
    unsigned int index; /* Position in the class's tables. */
};

struct idl_class {
    const char *database;
    const struct idl_table_class *tables;
    size_t n_tables;
};

/* Kinds of change that change tracking records (ovsdb/idl.h). */
enum idl_change {
    IDL_CHANGE_INSERT,
    IDL_CHANGE_MODIFY,
    IDL_CHANGE_DELETE,
    IDL_N_CHANGES
};

/* The generic part of every replicated row.  Members are private to the
 * runtime except 'uuid' and 'table_class', which callers may read. */
struct idl_row {
    struct hmap_node hmap_node; /* In the table's 'rows', by UUID. */
    struct uuid uuid;
    const struct idl_table_class *table_class;
    struct idl_table *table;

    /* Values in the replica, one per column, or NULL if the row is not in
     * the replica (an "orphan" that only stands for the target of
     * references, or a row a transaction inserts). */
    struct ovsdb_datum *old_datum;

    /* Transaction state: 'new_datum' (one per column, valid where
     * 'written' is set) is what the open transaction writes; for a column
     * with partial updates (in 'partials'), what the row shows meanwhile.
     */
    struct ovsdb_datum *new_datum;
    unsigned long *written;
    unsigned long *verified;   /* Columns to verify at commit. */
    struct list partials;      /* "struct idl_partial"s. */
    struct hmap_node txn_node; /* In the transaction's 'rows'. */
    bool in_txn;
    bool txn_new;      /* Inserted by the transaction. */
    bool txn_deleted;  /* Deleted by the transaction. */
    bool persist_uuid; /* Insert with this very UUID. */

    /* References: arcs to rows this row's columns point to, and from rows
     * that point here. */
    struct list src_arcs;
    struct list dst_arcs;

    /* Change tracking since the last idl_track_clear(). */
    unsigned int change_seqno[IDL_N_CHANGES];
    unsigned long *updated; /* Columns modified, or NULL. */
    struct list track_node; /* In the table's 'track_list'. */
    bool tracked;
    bool deleted; /* Gone from the replica. */

    unsigned int resync_gen; /* Marks rows a snapshot carried. */
    bool parsed;             /* Typed members are filled in. */
    bool reparse;            /* Queued for idl_row_reparse(). */
    struct list reparse_node;
};

/* Column modes (idl.h's idl_add_column() and friends). */
enum {
    IDL_MODE_MONITOR = 1 << 0, /* Replicate the column. */
    IDL_MODE_ALERT = 1 << 1,   /* Its changes bump the seqno. */
    IDL_MODE_TRACK = 1 << 2,   /* Its changes are tracked. */
};

struct idl_table {
    const struct idl_table_class *class;
    struct idl_db *db;
    unsigned char *modes; /* IDL_MODE_* per column. */
    bool monitored;       /* The table is replicated. */
    bool track;           /* Some column is tracked. */
    bool in_server_schema;
    bool *column_in_server_schema;
    struct hmap rows;       /* "struct idl_row"s by UUID. */
    struct list track_list; /* Rows with tracked changes. */
    unsigned int change_seqno[IDL_N_CHANGES];

    /* Monitor condition: NULL for every row, otherwise a JSON array of
     * clauses.  'cond' is what the server applies, 'req_cond' what was
     * sent and awaits a reply, 'new_cond' what the user set since. */
    json_t *cond;
    json_t *req_cond;
    json_t *new_cond;
    bool cond_set; /* The user ever set a condition. */
};

/* Transaction partial updates of one column ("mutate" operations). */
struct idl_partial {
    struct list node; /* In the row's 'partials'. */
    const struct idl_column *column;
    struct ovsdb_datum to_delete; /* Set elements, or map keys. */
    struct ovsdb_datum to_insert; /* Set elements, or map pairs. */
};

/* An arc from 'src', whose columns refer to 'dst'. */
struct idl_arc {
    struct list src_node; /* In src->src_arcs. */
    struct list dst_node; /* In dst->dst_arcs. */
    struct idl_row *src;
    struct idl_row *dst;
};

/* One database the IDL replicates: the user's, and the server's own
 * "_Server" database that says whether the user's is there and what its
 * schema is. */
struct idl_db {
    struct idl *idl;
    const struct idl_class *class;
    struct idl_table *tables; /* One per table of 'class'. */
    json_t *monitor_id;       /* ["monid", <database>]. */
    struct uuid last_id;      /* Last transaction seen (update3). */
    bool monitoring;          /* The monitor's reply arrived. */
    unsigned int resync_gen;
    struct list reparse_list; /* Rows queued for reparsing. */
};

/* Monitor methods, best first. */
enum idl_monitor_method {
    IDL_MONITOR_COND_SINCE,
    IDL_MONITOR_COND,
    IDL_MONITOR,
};

struct idl {
    struct jsonrpc_session *session; /* NULL for an offline replica. */
    unsigned int session_seqno;
    int state;          /* enum idl_state, in idl.c. */
    json_t *request_id; /* The state machine's request. */
    enum idl_monitor_method method;

    struct idl_db server;  /* "_Server". */
    struct idl_db data;    /* The user's database. */
    json_t *server_schema; /* The user's database's schema. */

    unsigned int change_seqno;
    unsigned int cond_seqno; /* Counts acknowledged conditions. */
    json_t *cond_request_id; /* monitor_cond_change in flight. */
    bool has_ever_connected;
    bool db_change_aware;
    bool database_missing; /* _Server lacks our database. */
    bool tracking;         /* Some column is tracked. */

    /* Lock. */
    char *lock_name;
    bool lock_steal; /* Take it by "steal". */
    bool has_lock;
    bool is_lock_contended;
    json_t *lock_request_id;

    struct idl_txn *txn;          /* Open transaction, or NULL. */
    struct hmap outstanding_txns; /* Committed, awaiting replies. */
};

/* Returns the class's table called 'name', or NULL. */
const struct idl_table_class *idl_class_find_table(const struct idl_class *,
                                                   const char *name);
/* Returns 'table''s column called 'name', or NULL. */
const struct idl_column *
idl_table_class_find_column(const struct idl_table_class *, const char *name);

/* Rows (idl-row.c). */

/* True if the open transaction has partial updates of 'column' of 'row'
 * to send as mutations (the row then shows their effect in 'new_datum',
 * without 'written' set). */
bool idl_row_has_partial(const struct idl_row *, const struct idl_column *);
/* Returns the current value of 'column' in 'row': what the open
 * transaction wrote (or its partial updates applied to the replica's
 * value), otherwise the replica's value, otherwise the column's
 * default. */
const struct ovsdb_datum *idl_row_read(const struct idl_row *,
                                       const struct idl_column *);
/* True if the row exists for readers: in the replica and not deleted by
 * the open transaction, or inserted by it. */
bool idl_row_exists(const struct idl_row *);
/* Fills in the typed members from the current values and rebuilds the
 * row's outgoing arcs. */
void idl_row_parse(struct idl_row *);
/* Frees the typed members and the row's outgoing arcs. */
void idl_row_unparse(struct idl_row *);
/* Unparses and parses again. */
void idl_row_reparse(struct idl_row *);
/* Removes the arcs from 'row' (but keeps its typed members). */
void idl_row_clear_arcs(struct idl_row *);
/* Returns a new row of 'table' (of its class's row size, zeroed). */
struct idl_row *idl_row_create(struct idl_table *, const struct uuid *);
/* Frees 'row', which must be unparsed and in no table or list. */
void idl_row_free(struct idl_row *);
/* Frees the orphan 'row' if nothing refers to it any more. */
void idl_row_gc_orphan(struct idl_row *);

/* Converts C values to a datum of 'column''s type: 'n' keys at 'keys'
 * (and values at 'values' for maps) in the member types listed above.
 * Strings are copied; the result is sorted, with duplicates dropped.
 * With 'values' NULL the result is a set of keys, even for a map. */
void idl_datum_from_c(struct ovsdb_datum *, const struct idl_column *,
                      const void *keys, const void *values, size_t n);
/* Converts 'smap' to a datum of the string-to-string map 'column'. */
void idl_datum_from_smap(struct ovsdb_datum *, const struct idl_column *,
                         const struct smap *);

/* Database plumbing shared by idl.c and idl-txn.c. */
struct idl_table *idl_get_table(const struct idl *,
                                const struct idl_table_class *);
struct idl_row *idl_table_find_row(const struct idl_table *,
                                   const struct uuid *);
struct idl_txn *idl_get_open_txn(const struct idl *);
/* Transactions awaiting replies (idl-txn.c): returns true if 'msg' was
 * the reply to one and processed it. */
bool idl_txn_process_msg__(struct idl *, const struct jsonrpc_msg *);
/* Completes every outstanding transaction with IDL_TXN_TRY_AGAIN (the
 * connection dropped). */
void idl_txn_fail_outstanding__(struct idl *);

/* Applies RFC 7047 <table-updates> ('version' 1: "update" notifications
 * and monitor replies) or <table-updates2> ('version' 2: update2,
 * update3, monitor_cond and monitor_cond_since replies) to the replica.
 * With 'snapshot', 'updates' holds the whole monitored database: rows it
 * does not mention are deleted and rows it carries unchanged produce no
 * change.  Used by the monitor protocol and by unit tests. */
struct ovsdb_error *idl_apply_updates(struct idl *, const json_t *updates,
                                      int version,
                                      bool snapshot) OVS_WARN_UNUSED_RESULT;

/* Builds the "transact" params that committing 'txn' sends (the database
 * name, then the operations), without sending anything; NULL if the
 * transaction changes nothing.  For unit tests and for idl_txn_commit(). */
json_t *idl_txn_build_ops(struct idl_txn *);
/* Processes the result of the "transact" that 'txn' sent: 'result' the
 * reply's result, or NULL with 'error' the JSON-RPC error. */
void idl_txn_process_reply(struct idl_txn *, const json_t *result,
                           const json_t *error);

#endif /* ovsdb/idl-provider.h */
