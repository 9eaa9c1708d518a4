/* OVSDB monitors, shared between the clients that ask for the same thing,
 * and the history of recent transactions. */
#include "ovsdb/monitor.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/ds.h"
#include "lib/hash-order.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/list.h"
#include "lib/util.h"
#include "ovsdb/ovsdb-column.h"
#include "ovsdb/ovsdb-condition.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-parser.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

/* Changes. */

/* One changed row: 'old' and 'new' are private copies (NULL for an
 * insertion or a deletion); 'changed' has a bit per column of the table
 * whose value differs. */
struct change_row {
    const struct ovsdb_table *table;
    struct uuid uuid;
    struct ovsdb_row *old;
    struct ovsdb_row *new;
    unsigned long *changed;
};

struct ovsdb_monitor_changes {
    int refcount;
    uint64_t serial; /* Unique among all changes ever made. */
    struct uuid txn_id;
    struct change_row *rows;
    size_t n_rows, allocated_rows;
};

static uint64_t next_changes_serial = 1;

static struct ovsdb_monitor_changes *
changes_alloc(const struct uuid *txn_id)
{
    struct ovsdb_monitor_changes *c = xzalloc(sizeof *c);
    c->refcount = 1;
    c->serial = next_changes_serial++;
    if (txn_id) {
        c->txn_id = *txn_id;
    }
    return c;
}

static struct change_row *
changes_add(struct ovsdb_monitor_changes *c)
{
    if (c->n_rows >= c->allocated_rows) {
        c->rows = x2nrealloc(c->rows, &c->allocated_rows, sizeof *c->rows);
    }
    struct change_row *cr = &c->rows[c->n_rows++];
    memset(cr, 0, sizeof *cr);
    return cr;
}

static bool
collect_change(const struct ovsdb_table *table, const struct ovsdb_row *old,
               const struct ovsdb_row *new, const unsigned long *changed,
               void *c_)
{
    struct ovsdb_monitor_changes *c = c_;
    struct change_row *cr = changes_add(c);
    cr->table = table;
    cr->uuid = *ovsdb_row_get_uuid(old ? old : new);
    cr->old = old ? ovsdb_row_clone(old) : NULL;
    cr->new = new ? ovsdb_row_clone(new) : NULL;
    cr->changed = bitmap_clone(changed, table->schema->n_columns);
    return true;
}

struct ovsdb_monitor_changes *
ovsdb_monitor_changes_create(const struct ovsdb_txn *txn,
                             const struct uuid *txn_id)
{
    struct ovsdb_monitor_changes *c = changes_alloc(txn_id);
    ovsdb_txn_for_each_change(txn, collect_change, c);
    if (!c->n_rows) {
        ovsdb_monitor_changes_unref(c);
        return NULL;
    }
    return c;
}

struct ovsdb_monitor_changes *
ovsdb_monitor_changes_ref(struct ovsdb_monitor_changes *c)
{
    c->refcount++;
    return c;
}

void
ovsdb_monitor_changes_unref(struct ovsdb_monitor_changes *c)
{
    if (c && !--c->refcount) {
        for (size_t i = 0; i < c->n_rows; i++) {
            ovsdb_row_destroy(c->rows[i].old);
            ovsdb_row_destroy(c->rows[i].new);
            bitmap_free(c->rows[i].changed);
        }
        free(c->rows);
        free(c);
    }
}

const struct uuid *
ovsdb_monitor_changes_get_txn_id(const struct ovsdb_monitor_changes *c)
{
    return &c->txn_id;
}

size_t
ovsdb_monitor_changes_count(const struct ovsdb_monitor_changes *c)
{
    return c->n_rows;
}

/* A row changed by several transactions in a row, while merging them. */
struct merged_row {
    struct hmap_node node; /* By UUID. */
    size_t idx;            /* In the merged changes. */
};

/* Returns the changes that take the database from before the first of
 * the 'n' changes in 'list' to after the last one, row by row: the first
 * old version and the last new version of each row. */
static struct ovsdb_monitor_changes *
changes_merge(struct ovsdb_monitor_changes *const *list, size_t n)
{
    struct ovsdb_monitor_changes *m = changes_alloc(NULL);
    struct hmap by_uuid = HMAP_INITIALIZER(&by_uuid);

    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < list[i]->n_rows; j++) {
            const struct change_row *cr = &list[i]->rows[j];
            uint32_t hash = uuid_hash(&cr->uuid);
            struct merged_row *mr = NULL, *iter;
            HMAP_FOR_EACH_WITH_HASH (iter, node, hash, &by_uuid) {
                struct change_row *prev = &m->rows[iter->idx];
                if (prev->table == cr->table
                    && uuid_equals(&prev->uuid, &cr->uuid)) {
                    mr = iter;
                    break;
                }
            }
            if (!mr) {
                mr = xmalloc(sizeof *mr);
                mr->idx = m->n_rows;
                hmap_insert(&by_uuid, &mr->node, hash);
                struct change_row *new = changes_add(m);
                new->table = cr->table;
                new->uuid = cr->uuid;
                new->old = cr->old ? ovsdb_row_clone(cr->old) : NULL;
            }
            struct change_row *mcr = &m->rows[mr->idx];
            ovsdb_row_destroy(mcr->new);
            mcr->new = cr->new ? ovsdb_row_clone(cr->new) : NULL;
        }
    }

    /* Recompute what differs between the first and the last version; a
     * row inserted and deleted again leaves no trace. */
    size_t n_kept = 0;
    for (size_t i = 0; i < m->n_rows; i++) {
        struct change_row *cr = &m->rows[i];
        if (!cr->old && !cr->new) {
            continue;
        }
        const struct ovsdb_table_schema *ts = cr->table->schema;
        cr->changed = bitmap_allocate(ts->n_columns);
        for (size_t col = 0; col < ts->n_columns; col++) {
            bool differs = !cr->old || !cr->new
                           || !ovsdb_datum_equals(&cr->old->fields[col],
                                                  &cr->new->fields[col],
                                                  &ts->columns[col]->type);
            bitmap_set(cr->changed, col, differs);
        }
        m->rows[n_kept++] = *cr;
    }
    m->n_rows = n_kept;

    struct merged_row *mr;
    HMAP_FOR_EACH_POP (mr, node, &by_uuid) {
        free(mr);
    }
    hmap_destroy(&by_uuid);
    return m;
}

/* History. */

struct history_entry {
    struct list node;
    struct ovsdb_monitor_changes *changes;
};

struct ovsdb_monitor_history {
    struct list entries; /* Oldest first. */
    size_t n_entries;
    size_t n_rows; /* Changed rows in all entries. */
    size_t max_txns;
    size_t max_rows;
    struct uuid base_id; /* State before the oldest entry. */
};

struct ovsdb_monitor_history *
ovsdb_monitor_history_create(size_t max_txns, size_t max_rows)
{
    struct ovsdb_monitor_history *h = xzalloc(sizeof *h);
    list_init(&h->entries);
    h->max_txns = max_txns ? max_txns : 1;
    h->max_rows = max_rows;
    uuid_generate(&h->base_id);
    return h;
}

static void
history_pop_oldest(struct ovsdb_monitor_history *h)
{
    struct history_entry *e =
        CONTAINER_OF(list_pop_front(&h->entries), struct history_entry, node);
    h->base_id = e->changes->txn_id;
    h->n_entries--;
    h->n_rows -= e->changes->n_rows;
    ovsdb_monitor_changes_unref(e->changes);
    free(e);
}

void
ovsdb_monitor_history_reset(struct ovsdb_monitor_history *h)
{
    while (!list_is_empty(&h->entries)) {
        history_pop_oldest(h);
    }
    uuid_generate(&h->base_id);
}

void
ovsdb_monitor_history_destroy(struct ovsdb_monitor_history *h)
{
    if (h) {
        ovsdb_monitor_history_reset(h);
        free(h);
    }
}

void
ovsdb_monitor_history_add(struct ovsdb_monitor_history *h,
                          struct ovsdb_monitor_changes *changes)
{
    struct history_entry *e = xmalloc(sizeof *e);
    e->changes = ovsdb_monitor_changes_ref(changes);
    list_push_back(&h->entries, &e->node);
    h->n_entries++;
    h->n_rows += changes->n_rows;

    /* Keep the newest entry even if it alone is over the row limit, so
     * that the last id is always known. */
    while (h->n_entries > 1
           && (h->n_entries > h->max_txns || h->n_rows > h->max_rows)) {
        history_pop_oldest(h);
    }
}

const struct uuid *
ovsdb_monitor_history_get_last_id(const struct ovsdb_monitor_history *h)
{
    if (list_is_empty(&h->entries)) {
        return &h->base_id;
    }
    const struct history_entry *e =
        CONTAINER_OF(list_back(&h->entries), struct history_entry, node);
    return &e->changes->txn_id;
}

size_t
ovsdb_monitor_history_count(const struct ovsdb_monitor_history *h)
{
    return h->n_entries;
}

/* Queue. */

struct ovsdb_monitor_queue {
    uint64_t *seqnos; /* Increasing. */
    struct ovsdb_monitor_changes **changes;
    size_t start, n, allocated; /* Entries are [start, n). */
};

struct ovsdb_monitor_queue *
ovsdb_monitor_queue_create(void)
{
    return xzalloc(sizeof(struct ovsdb_monitor_queue));
}

void
ovsdb_monitor_queue_destroy(struct ovsdb_monitor_queue *q)
{
    if (q) {
        ovsdb_monitor_queue_trim(q, UINT64_MAX);
        free(q->seqnos);
        free(q->changes);
        free(q);
    }
}

void
ovsdb_monitor_queue_push(struct ovsdb_monitor_queue *q, uint64_t seqno,
                         struct ovsdb_monitor_changes *changes)
{
    ovs_assert(q->start == q->n || seqno > q->seqnos[q->n - 1]);
    if (q->n >= q->allocated) {
        if (q->start) {
            /* Reuse the room that trimming left at the front. */
            size_t n = q->n - q->start;
            memmove(q->seqnos, q->seqnos + q->start, n * sizeof *q->seqnos);
            memmove(q->changes, q->changes + q->start, n * sizeof *q->changes);
            q->start = 0;
            q->n = n;
        }
        if (q->n >= q->allocated) {
            size_t allocated = q->allocated;
            q->seqnos = x2nrealloc(q->seqnos, &allocated, sizeof *q->seqnos);
            q->changes = xrealloc(q->changes, allocated * sizeof *q->changes);
            q->allocated = allocated;
        }
    }
    q->seqnos[q->n] = seqno;
    q->changes[q->n] = ovsdb_monitor_changes_ref(changes);
    q->n++;
}

size_t
ovsdb_monitor_queue_get_since(const struct ovsdb_monitor_queue *q,
                              uint64_t after,
                              struct ovsdb_monitor_changes *const **listp)
{
    /* Binary search for the first entry after 'after'. */
    size_t lo = q->start, hi = q->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q->seqnos[mid] <= after) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *listp = q->changes + lo;
    return q->n - lo;
}

void
ovsdb_monitor_queue_trim(struct ovsdb_monitor_queue *q, uint64_t seqno)
{
    while (q->start < q->n && q->seqnos[q->start] <= seqno) {
        ovsdb_monitor_changes_unref(q->changes[q->start++]);
    }
    if (q->start == q->n) {
        q->start = q->n = 0;
    }
}

size_t
ovsdb_monitor_queue_count(const struct ovsdb_monitor_queue *q)
{
    return q->n - q->start;
}

/* Monitors. */

/* Kinds of row updates a <monitor-select> asks for. */
enum monitor_select {
    SELECT_INITIAL = 1 << 0,
    SELECT_INSERT = 1 << 1,
    SELECT_DELETE = 1 << 2,
    SELECT_MODIFY = 1 << 3,
    SELECT_ALL = SELECT_INITIAL | SELECT_INSERT | SELECT_DELETE | SELECT_MODIFY
};

/* The serialised update of a run of consecutive changes, identified by
 * the serials of the first and last (serials never repeat, and a run of a
 * database's changes is the same whoever asks for it). */
struct cached_update {
    uint64_t first_serial; /* 0: slot unused. */
    uint64_t last_serial;
    size_t n;
    char *text; /* NULL if the update was empty. */
    size_t len; /* Of 'text'. */
};

/* Clients of one monitor that lag by different amounts ask for different
 * runs at the same time, e.g. those served before and after a commit. */
#define N_CACHED_UPDATES 4

struct monitored_table {
    const struct ovsdb_table *table;
    struct ovsdb_column_set columns; /* In column index order. */
    /* Each column is reported only in the kinds of updates that its own
     * request selected: 'column_select' has the 'enum monitor_select' bits
     * of each column, by column index; 'select' is their union. */
    unsigned int select;
    unsigned char *column_select;
    /* A row matches if it meets any clause; no clause matches every
     * row. */
    struct ovsdb_condition cond;
};

struct ovsdb_monitor {
    struct hmap_node node; /* In the set's 'monitors', by key. */
    struct ovsdb_monitor_set *set;
    char *key; /* Canonical description of the request. */
    int refcount;
    struct ovsdb *db;
    enum ovsdb_monitor_version version; /* V1 or V2 (V3 shares V2's). */

    struct monitored_table *tables; /* Sorted by table name. */
    size_t n_tables;

    /* Shared results (see monitor.h). */
    bool has_initial;
    uint64_t initial_seqno;
    struct ds initial; /* Serialised initial contents. */
    struct cached_update updates[N_CACHED_UPDATES];
    size_t next_update; /* Slot in 'updates' to replace next. */
};

struct ovsdb_monitor_set {
    struct hmap monitors;
};

struct ovsdb_monitor_set *
ovsdb_monitor_set_create(void)
{
    struct ovsdb_monitor_set *set = xmalloc(sizeof *set);
    hmap_init(&set->monitors);
    return set;
}

void
ovsdb_monitor_set_destroy(struct ovsdb_monitor_set *set)
{
    if (set) {
        ovs_assert(hmap_is_empty(&set->monitors));
        hmap_destroy(&set->monitors);
        free(set);
    }
}

size_t
ovsdb_monitor_set_count(const struct ovsdb_monitor_set *set)
{
    return hmap_count(&set->monitors);
}

static void
monitor_free_tables(struct monitored_table *tables, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ovsdb_column_set_destroy(&tables[i].columns);
        free(tables[i].column_select);
        ovsdb_condition_destroy(&tables[i].cond);
    }
    free(tables);
}

struct ovsdb_monitor *
ovsdb_monitor_ref(struct ovsdb_monitor *m)
{
    m->refcount++;
    return m;
}

void
ovsdb_monitor_unref(struct ovsdb_monitor *m)
{
    if (m && !--m->refcount) {
        hmap_remove(&m->set->monitors, &m->node);
        monitor_free_tables(m->tables, m->n_tables);
        ds_destroy(&m->initial);
        for (size_t i = 0; i < N_CACHED_UPDATES; i++) {
            free(m->updates[i].text);
        }
        free(m->key);
        free(m);
    }
}

struct ovsdb *
ovsdb_monitor_get_db(const struct ovsdb_monitor *m)
{
    return m->db;
}

enum ovsdb_monitor_version
ovsdb_monitor_get_version(const struct ovsdb_monitor *m)
{
    return m->version;
}

/* Returns a canonical text for what 'tables' monitor, so that equal
 * requests written differently (members in another order, columns listed
 * in another order) find the same monitor. */
static char *
monitor_key(const struct ovsdb *db, enum ovsdb_monitor_version version,
            const struct monitored_table *tables, size_t n)
{
    struct ds key = DS_EMPTY_INITIALIZER;
    ds_put_format(&key, "%p %d", (const void *) db, (int) version);
    for (size_t i = 0; i < n; i++) {
        const struct monitored_table *mt = &tables[i];
        ds_put_format(&key, " %s[", mt->table->schema->name);
        for (size_t j = 0; j < mt->columns.n_columns; j++) {
            const struct ovsdb_column *column = mt->columns.columns[j];
            ds_put_format(&key, "%s%s:%u", j ? "," : "", column->name,
                          mt->column_select[column->index]);
        }
        ds_put_cstr(&key, "]");
        json_t *cond = ovsdb_condition_to_json(&mt->cond);
        json_to_ds(cond, true, false, &key);
        json_decref(cond);
    }
    return ds_steal_cstr(&key);
}

/* Finds or creates the monitor for 'tables' (taken). */
static struct ovsdb_monitor *
monitor_intern(struct ovsdb_monitor_set *set, struct ovsdb *db,
               enum ovsdb_monitor_version version,
               struct monitored_table *tables, size_t n)
{
    char *key = monitor_key(db, version, tables, n);
    uint32_t hash = hash_string(key, 0);
    struct ovsdb_monitor *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash, &set->monitors) {
        if (!strcmp(m->key, key)) {
            free(key);
            monitor_free_tables(tables, n);
            return ovsdb_monitor_ref(m);
        }
    }

    m = xzalloc(sizeof *m);
    m->set = set;
    m->key = key;
    m->refcount = 1;
    m->db = db;
    m->version = version;
    m->tables = tables;
    m->n_tables = n;
    ds_init(&m->initial);
    hmap_insert(&set->monitors, &m->node, hash);
    return m;
}

static int
compare_monitored_tables(const void *a_, const void *b_)
{
    const struct monitored_table *a = a_;
    const struct monitored_table *b = b_;
    return strcmp(a->table->schema->name, b->table->schema->name);
}

static int
compare_columns_by_index(const void *a_, const void *b_)
{
    const struct ovsdb_column *const *a = a_;
    const struct ovsdb_column *const *b = b_;
    return (*a)->index < (*b)->index ? -1 : (*a)->index > (*b)->index;
}

/* Parses the <monitor-select> 'json' (NULL selects everything) into
 * '*select', a set of 'enum monitor_select' bits. */
static struct ovsdb_error *
parse_select(const json_t *json, const char *table_name, unsigned int *select)
{
    *select = SELECT_ALL;
    if (!json) {
        return NULL;
    }

    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "table %s select", table_name);
    static const struct {
        const char *name;
        unsigned int bit;
    } kinds[] = {
        {"initial", SELECT_INITIAL},
        {"insert", SELECT_INSERT},
        {"delete", SELECT_DELETE},
        {"modify", SELECT_MODIFY},
    };
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        const json_t *v = ovsdb_parser_member(&parser, kinds[i].name,
                                              OP_BOOLEAN | OP_OPTIONAL);
        if (v && !json_is_true(v)) {
            *select &= ~kinds[i].bit;
        }
    }
    return ovsdb_parser_finish(&parser);
}

/* Parses one <monitor-request> or <monitor-cond-request> 'json' for
 * table 'mt' and adds its columns to 'mt->columns'. */
static struct ovsdb_error *
parse_monitor_request(const json_t *json, enum ovsdb_monitor_version version,
                      struct monitored_table *mt, bool *first)
{
    const struct ovsdb_table_schema *ts = mt->table->schema;
    struct ovsdb_parser parser;
    ovsdb_parser_init(&parser, json, "table %s", ts->name);
    const json_t *columns =
        ovsdb_parser_member(&parser, "columns", OP_ARRAY | OP_OPTIONAL);
    const json_t *select =
        ovsdb_parser_member(&parser, "select", OP_OBJECT | OP_OPTIONAL);
    const json_t *where = NULL;
    if (version != OVSDB_MONITOR_V1) {
        where = ovsdb_parser_member(&parser, "where", OP_ARRAY | OP_OPTIONAL);
    }
    struct ovsdb_error *error = ovsdb_parser_finish(&parser);
    if (error) {
        return error;
    }

    unsigned int req_select;
    error = parse_select(select, ts->name, &req_select);
    if (error) {
        return error;
    }
    mt->select |= req_select;

    if (columns) {
        size_t n = json_array_size(columns);
        for (size_t i = 0; i < n; i++) {
            const char *name = json_string_value(json_array_get(columns, i));
            const struct ovsdb_column *column =
                name ? ovsdb_table_schema_get_column(ts, name) : NULL;
            if (!column) {
                return ovsdb_syntax_error(columns, NULL,
                                          "%s is not a valid column name",
                                          name ? name : "<non-string>");
            }
            if (ovsdb_column_set_contains(&mt->columns, column->index)) {
                return ovsdb_syntax_error(
                    columns, NULL, "column name mentioned more than once");
            }
            ovsdb_column_set_add(&mt->columns, column);
            mt->column_select[column->index] = req_select;
        }
    } else {
        for (size_t i = 0; i < ts->n_columns; i++) {
            const struct ovsdb_column *column = ts->columns[i];
            if (column->index == OVSDB_COL_UUID) {
                continue;
            }
            if (ovsdb_column_set_contains(&mt->columns, column->index)) {
                return ovsdb_syntax_error(
                    json, NULL, "column name mentioned more than once");
            }
            ovsdb_column_set_add(&mt->columns, column);
            mt->column_select[column->index] = req_select;
        }
    }

    if (where && *first) {
        error = ovsdb_condition_from_json(ts, where, NULL, &mt->cond);
        if (error) {
            return error;
        }
    }
    *first = false;
    return NULL;
}

struct ovsdb_error *
ovsdb_monitor_get(struct ovsdb_monitor_set *set, struct ovsdb *db,
                  enum ovsdb_monitor_version version, const json_t *requests,
                  struct ovsdb_monitor **monitorp)
{
    *monitorp = NULL;
    if (!json_is_object(requests)) {
        return ovsdb_syntax_error(requests, NULL,
                                  "monitor-requests must be object");
    }
    if (version == OVSDB_MONITOR_V3) {
        version = OVSDB_MONITOR_V2;
    }

    size_t n = json_object_size(requests);
    struct monitored_table *tables = xcalloc(n ? n : 1, sizeof *tables);
    size_t n_tables = 0;
    struct ovsdb_error *error = NULL;
    const char *name;
    json_t *value;
    json_object_foreach ((json_t *) requests, name, value) {
        const struct ovsdb_table *table = ovsdb_get_table(db, name);
        if (!table) {
            error = ovsdb_syntax_error(NULL, NULL, "no table named %s", name);
            break;
        }
        struct monitored_table *mt = &tables[n_tables++];
        mt->table = table;
        ovsdb_column_set_init(&mt->columns);
        mt->column_select = xcalloc(table->schema->n_columns, 1);
        ovsdb_condition_init(&mt->cond);

        bool first = true;
        if (json_is_array(value)) {
            for (size_t i = 0; !error && i < json_array_size(value); i++) {
                error = parse_monitor_request(json_array_get(value, i),
                                              version, mt, &first);
            }
        } else {
            error = parse_monitor_request(value, version, mt, &first);
        }
        if (error) {
            break;
        }
        if (mt->columns.n_columns > 1) {
            qsort(mt->columns.columns, mt->columns.n_columns,
                  sizeof *mt->columns.columns, compare_columns_by_index);
        }
    }
    if (error) {
        monitor_free_tables(tables, n_tables);
        return error;
    }

    if (n_tables > 1) {
        qsort(tables, n_tables, sizeof *tables, compare_monitored_tables);
    }
    *monitorp = monitor_intern(set, db, version, tables, n_tables);
    return NULL;
}

/* Computing updates. */

static bool
monitored_table_matches(const struct monitored_table *mt,
                        const struct ovsdb_row *row)
{
    if (!row) {
        return false;
    }
    if (!mt->cond.n_clauses) {
        return true;
    }
    for (size_t i = 0; i < mt->cond.n_clauses; i++) {
        if (ovsdb_clause_evaluate(&mt->cond.clauses[i], row)) {
            return true;
        }
    }
    return false;
}

/* Returns the values of the columns of 'row' monitored for updates of
 * kind 'select' (one 'enum monitor_select' bit), all of them or (for
 * update2) only those that differ from the column's default. */
static json_t *
row_to_json(const struct monitored_table *mt, const struct ovsdb_row *row,
            unsigned int select, bool skip_defaults,
            const unsigned long *only_changed)
{
    json_t *json = json_object();
    for (size_t i = 0; i < mt->columns.n_columns; i++) {
        const struct ovsdb_column *column = mt->columns.columns[i];
        const struct ovsdb_datum *datum = &row->fields[column->index];
        if (!(mt->column_select[column->index] & select)) {
            continue;
        }
        if (only_changed && !bitmap_is_set(only_changed, column->index)) {
            continue;
        }
        if (skip_defaults && ovsdb_datum_is_default(datum, &column->type)) {
            continue;
        }
        json_object_set_new(json, column->name,
                            ovsdb_datum_to_json(datum, &column->type));
    }
    return json;
}

/* Returns the update2 "modify" object for the columns monitored for
 * modifications that changed from 'old' to 'new' (empty if none did): the
 * symmetric difference for sets and maps that may hold more than one
 * element, the new value for every other column. */
static json_t *
row_diff_to_json(const struct monitored_table *mt, const struct ovsdb_row *old,
                 const struct ovsdb_row *new, const unsigned long *changed)
{
    json_t *json = json_object();
    for (size_t i = 0; i < mt->columns.n_columns; i++) {
        const struct ovsdb_column *column = mt->columns.columns[i];
        unsigned int idx = column->index;
        if (!bitmap_is_set(changed, idx)
            || !(mt->column_select[idx] & SELECT_MODIFY)) {
            continue;
        }
        json_t *value;
        if (column->type.n_max == 1) {
            /* A column of at most one value (or pair) gets its new value,
             * an empty set when cleared, as OVS's clients expect: they
             * replace such values instead of applying a difference. */
            value = ovsdb_datum_to_json(&new->fields[idx], &column->type);
        } else {
            struct ovsdb_datum diff;
            ovsdb_datum_diff(&diff, &old->fields[idx], &new->fields[idx],
                             &column->type);
            value = ovsdb_datum_to_json(&diff, &column->type);
            ovsdb_datum_destroy(&diff, &column->type);
        }
        json_object_set_new(json, column->name, value);
    }
    return json;
}

static bool
columns_changed(const struct monitored_table *mt, const unsigned long *changed)
{
    for (size_t i = 0; i < mt->columns.n_columns; i++) {
        if (bitmap_is_set(changed, mt->columns.columns[i]->index)) {
            return true;
        }
    }
    return false;
}

/* Returns the <row-update> (or <row-update2>) of one changed row for 'mt',
 * or NULL if the monitor does not report it. */
static json_t *
row_update(const struct ovsdb_monitor *m, const struct monitored_table *mt,
           const struct change_row *cr)
{
    bool old_in = monitored_table_matches(mt, cr->old);
    bool new_in = monitored_table_matches(mt, cr->new);

    if (!old_in && !new_in) {
        return NULL;
    } else if (!old_in) {
        if (!(mt->select & SELECT_INSERT)) {
            return NULL;
        }
        if (m->version == OVSDB_MONITOR_V1) {
            return json_pack(
                "{s:o}", "new",
                row_to_json(mt, cr->new, SELECT_INSERT, false, NULL));
        }
        return json_pack("{s:o}", "insert",
                         row_to_json(mt, cr->new, SELECT_INSERT, true, NULL));
    } else if (!new_in) {
        if (!(mt->select & SELECT_DELETE)) {
            return NULL;
        }
        if (m->version == OVSDB_MONITOR_V1) {
            return json_pack(
                "{s:o}", "old",
                row_to_json(mt, cr->old, SELECT_DELETE, false, NULL));
        }
        return json_pack("{s:n}", "delete");
    } else {
        /* A change to any monitored column is reported, even if none of
         * the changed columns was selected for modifications: the update
         * then has no values of them (as OVS's server does). */
        if (!(mt->select & SELECT_MODIFY)
            || !columns_changed(mt, cr->changed)) {
            return NULL;
        }
        if (m->version == OVSDB_MONITOR_V1) {
            return json_pack(
                "{s:o,s:o}", "old",
                row_to_json(mt, cr->old, SELECT_MODIFY, false, cr->changed),
                "new", row_to_json(mt, cr->new, SELECT_MODIFY, false, NULL));
        }
        return json_pack("{s:o}", "modify",
                         row_diff_to_json(mt, cr->old, cr->new, cr->changed));
    }
}

static const struct monitored_table *
monitor_find_table(const struct ovsdb_monitor *m,
                   const struct ovsdb_table *table)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        if (m->tables[i].table == table) {
            return &m->tables[i];
        }
    }
    return NULL;
}

static void
add_row_update(json_t *updates, const struct monitored_table *mt,
               const struct uuid *uuid, json_t *row_update_json)
{
    const char *table_name = mt->table->schema->name;
    json_t *table_updates = json_object_get(updates, table_name);
    if (!table_updates) {
        table_updates = json_object();
        json_object_set_new(updates, table_name, table_updates);
    }
    char buf[UUID_LEN + 1];
    json_object_set_new(table_updates, uuid_to_string(uuid, buf),
                        row_update_json);
}

static int
compare_uuids_as_text(const void *a_, const void *b_)
{
    const struct uuid *a = a_;
    const struct uuid *b = b_;
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}

/* Returns true if 'mt''s condition selects every row whatever it holds:
 * it has no clause, or one of its clauses is the constant true. */
static bool
monitored_table_selects_all(const struct monitored_table *mt)
{
    for (size_t i = 0; i < mt->cond.n_clauses; i++) {
        if (mt->cond.clauses[i].function == OVSDB_F_TRUE) {
            return true;
        }
    }
    return !mt->cond.n_clauses;
}

/* Returns true if OVS's server writes the updates for a monitor of
 * 'version' on 'tables' with members sorted by name (see
 * order_rows_as_ovs()): for update2 when no table has a condition that
 * could leave rows out. */
static bool
monitor_sorts_members(enum ovsdb_monitor_version version,
                      const struct monitored_table *tables, size_t n)
{
    if (version == OVSDB_MONITOR_V1) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!monitored_table_selects_all(&tables[i])) {
            return false;
        }
    }
    return true;
}

/* Puts the 'n' rows of one table with UUIDs 'uuids' (in the order in
 * which the monitor finds them) into the order in which OVS's server
 * writes them in a <table-update> (or <table-update2>), storing in
 * 'order' their indexes in that order.
 *
 * A client reads a <table-update> into a hash table by the UUID's text,
 * where rows whose texts share a bucket come in the order in which they
 * came on the wire, so that the order of the rows on the wire shows in
 * what a client like ovsdb-client prints.
 *
 * If 'sorted' (see monitor_sorts_members()), OVS writes the rows in the
 * order of their UUIDs' text.  Otherwise it adds them to a JSON object,
 * which it writes in the order of its own hash table, by the UUID's
 * text, in the order in which it finds them: for the initial contents,
 * the order of its table of rows, which 'uuids' has then; for changes
 * ('by_change'), the order of a hash table of the changed rows by the
 * first 32 bits of the UUID, which they entered in the order of 'uuids'.
 * The order of rows that share a bucket in both tables depends on the
 * history of OVS's table of rows, which this cannot know. */
static void
order_rows_as_ovs(bool sorted, bool by_change, const struct uuid *uuids,
                  size_t n, size_t *order)
{
    if (sorted) {
        struct uuid *by_text = xmemdup(uuids, n * sizeof *uuids);
        qsort(by_text, n, sizeof *by_text, compare_uuids_as_text);
        for (size_t i = 0; i < n; i++) {
            /* UUIDs in one table are unique. */
            const struct uuid *u = bsearch(
                &uuids[i], by_text, n, sizeof *by_text, compare_uuids_as_text);
            order[u - by_text] = i;
        }
        free(by_text);
        return;
    }
    if (n < 2) {
        if (n) {
            order[0] = 0;
        }
        return;
    }
    uint32_t *hashes = xmalloc(n * sizeof *hashes);
    for (size_t i = 0; i < n; i++) {
        hashes[i] = uuids[i].parts[0];
    }
    size_t *by_hash = xmalloc(n * sizeof *by_hash);
    if (by_change) {
        hash_order_hashes(hashes, n, by_hash);
    } else {
        for (size_t i = 0; i < n; i++) {
            by_hash[i] = i;
        }
    }

    char(*texts)[UUID_LEN + 1] = xmalloc(n * sizeof *texts);
    const char **names = xmalloc(n * sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = uuid_to_string(&uuids[by_hash[i]], texts[i]);
    }
    hash_order_strings(names, n);
    for (size_t i = 0; i < n; i++) {
        size_t k = (names[i] - texts[0]) / (UUID_LEN + 1);
        order[i] = by_hash[k];
    }

    free(names);
    free(texts);
    free(by_hash);
    free(hashes);
}

/* Puts the rows of each table in 'updates' (a <table-updates> or
 * <table-updates2> built with the rows in the order in which the monitor
 * found them) in the order in which OVS writes them (see
 * order_rows_as_ovs()), and if 'sorted' the tables too. */
static void
reorder_table_updates(json_t *updates, bool sorted)
{
    size_t n_tables = json_object_size(updates);
    if (sorted && n_tables > 1) {
        const char **names = xmalloc(n_tables * sizeof *names);
        json_t **tables = xmalloc(n_tables * sizeof *tables);
        size_t i = 0;
        const char *name;
        json_t *table;
        json_object_foreach (updates, name, table) {
            names[i++] = xstrdup(name);
        }
        qsort(names, n_tables, sizeof *names, str_compare_ptrs);
        for (i = 0; i < n_tables; i++) {
            tables[i] = json_incref(json_object_get(updates, names[i]));
        }
        json_object_clear(updates);
        for (i = 0; i < n_tables; i++) {
            json_object_set_new(updates, names[i], tables[i]);
            free((char *) names[i]);
        }
        free(tables);
        free(names);
    }

    const char *table_name;
    json_t *rows;
    json_object_foreach (updates, table_name, rows) {
        size_t n = json_object_size(rows);
        if (n < 2) {
            continue;
        }
        struct uuid *uuids = xmalloc(n * sizeof *uuids);
        json_t **values = xmalloc(n * sizeof *values);
        size_t i = 0;
        const char *uuid_text;
        json_t *value;
        json_object_foreach (rows, uuid_text, value) {
            uuid_from_string(&uuids[i], uuid_text);
            values[i++] = json_incref(value);
        }
        size_t *order = xmalloc(n * sizeof *order);
        order_rows_as_ovs(sorted, true, uuids, n, order);

        /* jansson keeps members in insertion order: rebuild. */
        json_object_clear(rows);
        for (i = 0; i < n; i++) {
            char buf[UUID_LEN + 1];
            json_object_set_new(rows, uuid_to_string(&uuids[order[i]], buf),
                                values[order[i]]);
        }
        free(order);
        free(values);
        free(uuids);
    }
}

/* Returns the <table-updates> (or <table-updates2>) that 'c' produces
 * for 'm', or NULL if it is empty. */
static json_t *
monitor_compute_update(const struct ovsdb_monitor *m,
                       const struct ovsdb_monitor_changes *c)
{
    json_t *updates = NULL;
    for (size_t i = 0; i < c->n_rows; i++) {
        const struct change_row *cr = &c->rows[i];
        const struct monitored_table *mt = monitor_find_table(m, cr->table);
        if (!mt) {
            continue;
        }
        json_t *ru = row_update(m, mt, cr);
        if (ru) {
            if (!updates) {
                updates = json_object();
            }
            add_row_update(updates, mt, &cr->uuid, ru);
        }
    }
    if (updates) {
        reorder_table_updates(
            updates,
            monitor_sorts_members(m->version, m->tables, m->n_tables));
    }
    return updates;
}

const char *
ovsdb_monitor_get_update_text(struct ovsdb_monitor *m,
                              struct ovsdb_monitor_changes *const *list,
                              size_t n, size_t *lenp)
{
    ovs_assert(n > 0);
    uint64_t first = list[0]->serial;
    uint64_t last = list[n - 1]->serial;
    for (size_t i = 0; i < N_CACHED_UPDATES; i++) {
        const struct cached_update *cu = &m->updates[i];
        if (cu->first_serial == first && cu->last_serial == last
            && cu->n == n) {
            *lenp = cu->len;
            return cu->text;
        }
    }

    json_t *updates;
    if (n == 1) {
        updates = monitor_compute_update(m, list[0]);
    } else {
        struct ovsdb_monitor_changes *merged = changes_merge(list, n);
        updates = monitor_compute_update(m, merged);
        ovsdb_monitor_changes_unref(merged);
    }

    struct cached_update *cu = &m->updates[m->next_update];
    m->next_update = (m->next_update + 1) % N_CACHED_UPDATES;
    free(cu->text);
    cu->first_serial = first;
    cu->last_serial = last;
    cu->n = n;
    cu->text = updates ? json_to_string_compact(updates, false) : NULL;
    cu->len = cu->text ? strlen(cu->text) : 0;
    json_decref(updates);
    *lenp = cu->len;
    return cu->text;
}

/* If each clause of 'mt''s condition gives one value to _uuid or to a
 * column that alone makes an index (as a client that follows a few rows
 * by name asks), sets '*rowsp' to a null-terminated array of the
 * committed rows the clauses name (the caller frees it) and returns
 * true, so that the initial contents need not search the whole table. */
static bool
initial_rows_by_index(const struct monitored_table *mt,
                      const struct ovsdb_row ***rowsp)
{
    const struct ovsdb_condition *cond = &mt->cond;
    if (!cond->n_clauses) {
        return false;
    }
    const struct ovsdb_row **rows =
        xmalloc((cond->n_clauses + 1) * sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *clause = &cond->clauses[i];
        bool indexed = false;
        const struct ovsdb_row *row =
            (clause->function == OVSDB_F_EQ && clause->arg.n == 1
                 ? ovsdb_table_index_lookup(mt->table, clause->column,
                                            &clause->arg, &indexed)
                 : NULL);
        if (!indexed) {
            free(rows);
            return false;
        }
        if (row) {
            rows[n++] = row;
        }
    }
    rows[n] = NULL;
    *rowsp = rows;
    return true;
}

/* Appends to 'out' what row_to_json() returns, as json_to_ds() would
 * write it, without building it. */
static void
row_to_ds(const struct monitored_table *mt, const struct ovsdb_row *row,
          unsigned int select, bool skip_defaults, struct ds *out)
{
    bool first = true;
    ds_put_char(out, '{');
    for (size_t i = 0; i < mt->columns.n_columns; i++) {
        const struct ovsdb_column *column = mt->columns.columns[i];
        const struct ovsdb_datum *datum = &row->fields[column->index];
        if (!(mt->column_select[column->index] & select)
            || (skip_defaults
                && ovsdb_datum_is_default(datum, &column->type))) {
            continue;
        }
        if (!first) {
            ds_put_char(out, ',');
        }
        first = false;
        json_string_to_ds(column->name, strlen(column->name), out);
        ds_put_char(out, ':');
        ovsdb_datum_to_json_ds(datum, &column->type, out);
    }
    ds_put_char(out, '}');
}

/* The rows of a table that go into an update, while collecting them. */
struct row_list {
    const struct ovsdb_row **rows;
    size_t n, allocated;
};

static void
row_list_add(struct row_list *list, const struct ovsdb_row *row)
{
    if (list->n >= list->allocated) {
        list->rows =
            x2nrealloc(list->rows, &list->allocated, sizeof *list->rows);
    }
    list->rows[list->n++] = row;
}

struct row_in_bucket {
    const struct ovsdb_row *row;
    size_t bucket, idx;
};

static int
compare_rows_in_buckets(const void *a_, const void *b_)
{
    const struct row_in_bucket *a = a_;
    const struct row_in_bucket *b = b_;
    return (a->bucket != b->bucket ? (a->bucket < b->bucket ? -1 : 1)
            : a->idx < b->idx      ? -1
                                   : a->idx > b->idx);
}

/* Sorts the 'n' 'rows' by the bucket that the first 32 bits of their UUIDs
 * choose among 'mask' + 1, keeping the order of rows in one bucket. */
static void
sort_rows_by_bucket(const struct ovsdb_row **rows, size_t n, size_t mask)
{
    struct row_in_bucket *rb = xmalloc(MAX(n, 1) * sizeof *rb);
    for (size_t i = 0; i < n; i++) {
        rb[i].row = rows[i];
        rb[i].bucket = ovsdb_row_get_uuid(rows[i])->parts[0] & mask;
        rb[i].idx = i;
    }
    qsort(rb, n, sizeof *rb, compare_rows_in_buckets);
    for (size_t i = 0; i < n; i++) {
        rows[i] = rb[i].row;
    }
    free(rb);
}

/* Appends to 'out' the <row-update> (or <row-update2>) of 'row' in the
 * initial contents, as a member named by its UUID. */
static void
initial_row_to_ds(const struct ovsdb_monitor *m,
                  const struct monitored_table *mt,
                  const struct ovsdb_row *row, struct ds *out)
{
    char buf[UUID_LEN + 1];
    ds_put_char(out, '"');
    ds_put_buffer(out, uuid_to_string(ovsdb_row_get_uuid(row), buf), UUID_LEN);
    if (m->version == OVSDB_MONITOR_V1) {
        ds_put_cstr(out, "\":{\"new\":");
        row_to_ds(mt, row, SELECT_INITIAL, false, out);
    } else {
        ds_put_cstr(out, "\":{\"initial\":");
        row_to_ds(mt, row, SELECT_INITIAL, true, out);
    }
    ds_put_char(out, '}');
}

/* Stores in 'list' the rows of 'mt' that meet its condition, in the order
 * in which the table holds them. */
static void
initial_rows(const struct monitored_table *mt, struct row_list *list)
{
    const struct ovsdb_row **rows;
    if (initial_rows_by_index(mt, &rows)) {
        for (size_t j = 0; rows[j]; j++) {
            /* Two clauses may name the same row: it goes once. */
            bool dup = false;
            for (size_t k = 0; k < j && !dup; k++) {
                dup = rows[k] == rows[j];
            }
            if (!dup && monitored_table_matches(mt, rows[j])) {
                row_list_add(list, rows[j]);
            }
        }
        free(rows);
    } else {
        const struct ovsdb_row *row;
        HMAP_FOR_EACH (row, hmap_node, &mt->table->rows) {
            if (monitored_table_matches(mt, row)) {
                row_list_add(list, row);
            }
        }
    }
}

/* Writes the initial contents into 'out': tables in name order, each with
 * its rows (if any match) in OVS's order (see order_rows_as_ovs()). */
static void
monitor_initial_to_ds(const struct ovsdb_monitor *m, struct ds *out)
{
    struct row_list list = {NULL, 0, 0};
    struct uuid *uuids = NULL;
    size_t *order = NULL;
    size_t n_tables = 0;
    bool sorted = monitor_sorts_members(m->version, m->tables, m->n_tables);

    ds_put_char(out, '{');
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitored_table *mt = &m->tables[i];
        if (!(mt->select & SELECT_INITIAL)) {
            continue;
        }
        list.n = 0;
        initial_rows(mt, &list);
        if (!list.n) {
            continue;
        }

        if (!sorted) {
            /* OVS finds the rows in its table's bucket order. */
            size_t mask = hash_order_mask(hmap_count(&mt->table->rows));
            sort_rows_by_bucket(list.rows, list.n, mask);
        }
        uuids = xrealloc(uuids, list.n * sizeof *uuids);
        order = xrealloc(order, list.n * sizeof *order);
        for (size_t j = 0; j < list.n; j++) {
            uuids[j] = *ovsdb_row_get_uuid(list.rows[j]);
        }
        order_rows_as_ovs(sorted, false, uuids, list.n, order);

        if (n_tables++) {
            ds_put_char(out, ',');
        }
        const char *name = mt->table->schema->name;
        json_string_to_ds(name, strlen(name), out);
        ds_put_cstr(out, ":{");
        for (size_t j = 0; j < list.n; j++) {
            if (j) {
                ds_put_char(out, ',');
            }
            initial_row_to_ds(m, mt, list.rows[order[j]], out);
        }
        ds_put_char(out, '}');
    }
    ds_put_char(out, '}');

    free(order);
    free(uuids);
    free(list.rows);
}

const char *
ovsdb_monitor_get_initial(struct ovsdb_monitor *m, uint64_t db_seqno,
                          size_t *lenp)
{
    if (!m->has_initial || m->initial_seqno != db_seqno) {
        ds_clear(&m->initial);
        monitor_initial_to_ds(m, &m->initial);
        m->initial_seqno = db_seqno;
        m->has_initial = true;
    }
    *lenp = m->initial.length;
    return ds_cstr(&m->initial);
}

json_t *
ovsdb_monitor_get_updates_since(struct ovsdb_monitor *m,
                                const struct ovsdb_monitor_history *h,
                                const struct uuid *last_id, bool *found)
{
    size_t n = 0;
    struct ovsdb_monitor_changes **list =
        xmalloc((h->n_entries ? h->n_entries : 1) * sizeof *list);

    *found = uuid_equals(last_id, &h->base_id);
    const struct history_entry *e;
    LIST_FOR_EACH (e, node, &h->entries) {
        if (*found) {
            list[n++] = e->changes;
        } else if (uuid_equals(last_id, &e->changes->txn_id)) {
            *found = true;
        }
    }

    json_t *updates = NULL;
    if (*found && n) {
        struct ovsdb_monitor_changes *merged = changes_merge(list, n);
        updates = monitor_compute_update(m, merged);
        ovsdb_monitor_changes_unref(merged);
    }
    free(list);
    return updates;
}

/* Condition changes. */

struct ovsdb_error *
ovsdb_monitor_change_condition(struct ovsdb_monitor *m, const json_t *changes,
                               struct ovsdb_monitor **new_monitorp,
                               json_t **updatesp)
{
    *new_monitorp = NULL;
    *updatesp = NULL;
    if (!json_is_object(changes)) {
        return ovsdb_syntax_error(changes, NULL,
                                  "monitor-cond-change-requests must be "
                                  "object");
    }

    /* Start from a copy of the current tables. */
    struct monitored_table *tables =
        xcalloc(m->n_tables ? m->n_tables : 1, sizeof *tables);
    for (size_t i = 0; i < m->n_tables; i++) {
        tables[i] = m->tables[i];
        ovsdb_column_set_clone(&tables[i].columns, &m->tables[i].columns);
        tables[i].column_select = xmemdup(
            m->tables[i].column_select, m->tables[i].table->schema->n_columns);
        ovsdb_condition_clone(&tables[i].cond, &m->tables[i].cond);
    }

    struct ovsdb_error *error = NULL;
    const char *name;
    json_t *value;
    json_object_foreach ((json_t *) changes, name, value) {
        struct monitored_table *mt = NULL;
        for (size_t i = 0; i < m->n_tables; i++) {
            if (!strcmp(tables[i].table->schema->name, name)) {
                mt = &tables[i];
                break;
            }
        }
        if (!mt) {
            error = ovsdb_syntax_error(NULL, NULL,
                                       "no table named %s in monitor "
                                       "session",
                                       name);
            break;
        }
        if (!json_is_array(value)) {
            error = ovsdb_syntax_error(NULL, NULL,
                                       "table %s no monitor-cond-change JSON "
                                       "array",
                                       name);
            break;
        }
        for (size_t i = 0; !error && i < json_array_size(value); i++) {
            const json_t *req = json_array_get(value, i);
            struct ovsdb_parser parser;
            ovsdb_parser_init(&parser, req, "table %s", name);
            const json_t *columns = ovsdb_parser_member(
                &parser, "columns", OP_ARRAY | OP_OPTIONAL);
            const json_t *where =
                ovsdb_parser_member(&parser, "where", OP_ARRAY | OP_OPTIONAL);
            error = ovsdb_parser_finish(&parser);
            if (!error && columns) {
                error = ovsdb_syntax_error(req, NULL,
                                           "changing columns is unsupported");
            }
            if (!error && where) {
                struct ovsdb_condition cond;
                error = ovsdb_condition_from_json(mt->table->schema, where,
                                                  NULL, &cond);
                if (!error) {
                    ovsdb_condition_destroy(&mt->cond);
                    mt->cond = cond;
                }
            }
        }
        if (error) {
            break;
        }
    }
    if (error) {
        monitor_free_tables(tables, m->n_tables);
        return error;
    }

    /* Rows that enter the new conditions are inserted, rows that leave
     * them are deleted, each if the client selected that. */
    json_t *updates = NULL;
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitored_table *old_mt = &m->tables[i];
        const struct monitored_table *new_mt = &tables[i];
        if (ovsdb_condition_equal(&old_mt->cond, &new_mt->cond)) {
            continue;
        }
        const struct ovsdb_row *row;
        HMAP_FOR_EACH (row, hmap_node, &old_mt->table->rows) {
            bool was_in = monitored_table_matches(old_mt, row);
            bool is_in = monitored_table_matches(new_mt, row);
            json_t *ru = NULL;
            if (!was_in && is_in && (new_mt->select & SELECT_INSERT)) {
                ru = json_pack(
                    "{s:o}", "insert",
                    row_to_json(new_mt, row, SELECT_INSERT, true, NULL));
            } else if (was_in && !is_in && (new_mt->select & SELECT_DELETE)) {
                ru = json_pack("{s:n}", "delete");
            }
            if (ru) {
                if (!updates) {
                    updates = json_object();
                }
                add_row_update(updates, new_mt, ovsdb_row_get_uuid(row), ru);
            }
        }
    }

    if (updates) {
        reorder_table_updates(
            updates, monitor_sorts_members(m->version, tables, m->n_tables));
    }
    *new_monitorp =
        monitor_intern(m->set, m->db, m->version, tables, m->n_tables);
    *updatesp = updates;
    return NULL;
}
