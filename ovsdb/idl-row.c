/* IDL rows: the typed members of generated row structs, filled in from
 * datums, and the arcs that record which rows refer to which. */
#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/smap.h"
#include "ovsdb/idl-provider.h"
#include "ovsdb/idl.h"

/* The size of one element of a typed member array for 'base'. */
static size_t
c_size(const struct ovsdb_base_type *base)
{
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        return sizeof(int64_t);
    case OVSDB_TYPE_REAL:
        return sizeof(double);
    case OVSDB_TYPE_BOOLEAN:
        return sizeof(bool);
    case OVSDB_TYPE_STRING:
        return sizeof(char *);
    case OVSDB_TYPE_UUID:
        return (ovsdb_base_type_is_ref(base) ? sizeof(struct idl_row *)
                                             : sizeof(struct uuid));
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return 0;
    }
}

bool
idl_row_has_partial(const struct idl_row *row, const struct idl_column *column)
{
    const struct idl_partial *p;
    LIST_FOR_EACH (p, node, &row->partials) {
        if (p->column == column) {
            return true;
        }
    }
    return false;
}

const struct ovsdb_datum *
idl_row_read(const struct idl_row *row, const struct idl_column *column)
{
    size_t i = column->index;

    if (row->new_datum
        && (row->txn_new || bitmap_is_set(row->written, i)
            || idl_row_has_partial(row, column))) {
        return &row->new_datum[i];
    } else if (row->old_datum) {
        return &row->old_datum[i];
    } else {
        return ovsdb_datum_default(&column->type);
    }
}

bool
idl_row_exists(const struct idl_row *row)
{
    return (row->txn_new
            || (row->old_datum && !row->deleted && !row->txn_deleted));
}

struct idl_row *
idl_row_create(struct idl_table *table, const struct uuid *uuid)
{
    struct idl_row *row = xzalloc(table->class->row_size);

    row->uuid = *uuid;
    row->table_class = table->class;
    row->table = table;
    list_init(&row->partials);
    list_init(&row->src_arcs);
    list_init(&row->dst_arcs);
    list_init(&row->track_node);
    list_init(&row->reparse_node);
    return row;
}

void
idl_row_free(struct idl_row *row)
{
    if (!row) {
        return;
    }
    const struct idl_table_class *class = row->table_class;
    if (row->old_datum) {
        for (size_t i = 0; i < class->n_columns; i++) {
            ovsdb_datum_destroy(&row->old_datum[i], &class->columns[i].type);
        }
        free(row->old_datum);
    }
    bitmap_free(row->updated);
    free(row);
}

/* Returns the row 'uuid' of 'dst_table' for a reference to point to,
 * creating an orphan if it is not there. */
static struct idl_row *
find_or_make_dst(struct idl_table *dst_table, const struct uuid *uuid)
{
    struct idl_row *dst = idl_table_find_row(dst_table, uuid);
    if (!dst) {
        dst = idl_row_create(dst_table, uuid);
        hmap_insert(&dst_table->rows, &dst->hmap_node, uuid_hash(uuid));
    }
    return dst;
}

static void
add_arc(struct idl_row *src, struct idl_row *dst)
{
    struct idl_arc *arc = xmalloc(sizeof *arc);
    arc->src = src;
    arc->dst = dst;
    list_push_back(&src->src_arcs, &arc->src_node);
    list_push_back(&dst->dst_arcs, &arc->dst_node);
}

/* Converts 'atom' of 'base' to the C value at 'dst'.  Returns false for a
 * reference to a row that does not exist (the element is left out). */
static bool
atom_to_c(struct idl_row *row, struct idl_table *ref_table, void *dst,
          const struct ovsdb_base_type *base, const union ovsdb_atom *atom)
{
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        memcpy(dst, &atom->integer, sizeof atom->integer);
        return true;
    case OVSDB_TYPE_REAL:
        memcpy(dst, &atom->real, sizeof atom->real);
        return true;
    case OVSDB_TYPE_BOOLEAN:
        memcpy(dst, &atom->boolean, sizeof atom->boolean);
        return true;
    case OVSDB_TYPE_STRING:
        memcpy(dst, &atom->string, sizeof atom->string);
        return true;
    case OVSDB_TYPE_UUID:
        if (!ovsdb_base_type_is_ref(base)) {
            memcpy(dst, &atom->uuid, sizeof atom->uuid);
            return true;
        } else if (ref_table) {
            struct idl_row *target = find_or_make_dst(ref_table, &atom->uuid);
            add_arc(row, target);
            if (idl_row_exists(target)) {
                memcpy(dst, &target, sizeof target);
                return true;
            }
        }
        return false;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

/* Returns the replicated table that 'base' refers to, or NULL. */
static struct idl_table *
ref_table_of(const struct idl_row *row, const struct ovsdb_base_type *base)
{
    if (!ovsdb_base_type_is_ref(base)) {
        return NULL;
    }
    struct idl_db *db = row->table->db;
    const struct idl_table_class *tc =
        idl_class_find_table(db->class, base->u.uuid.ref_table_name);
    if (!tc) {
        return NULL;
    }
    struct idl_table *t = &db->tables[tc->index];
    return t->monitored ? t : NULL;
}

static void
parse_column(struct idl_row *row, const struct idl_column *column)
{
    const struct ovsdb_type *type = &column->type;
    const struct ovsdb_datum *datum = idl_row_read(row, column);
    char *base = (char *) row;

    if (column->offset == IDL_NO_MEMBER) {
        return;
    }
    if (column->is_smap) {
        struct smap *smap = (struct smap *) (base + column->offset);
        smap_init(smap);
        for (size_t i = 0; i < datum->n; i++) {
            smap_add(smap, datum->keys[i].string, datum->values[i].string);
        }
        return;
    }

    struct idl_table *key_ref = ref_table_of(row, &type->key);
    if (ovsdb_type_is_scalar(type)) {
        void *dst = base + column->offset;
        memset(dst, 0, c_size(&type->key));
        if (datum->n) {
            atom_to_c(row, key_ref, dst, &type->key, &datum->keys[0]);
        }
        return;
    }

    struct idl_table *value_ref = ref_table_of(row, &type->value);
    bool is_map = ovsdb_type_is_map(type);
    size_t key_size = c_size(&type->key);
    size_t value_size = is_map ? c_size(&type->value) : 0;
    char *keys = datum->n ? xmalloc(datum->n * key_size) : NULL;
    char *values = datum->n && is_map ? xmalloc(datum->n * value_size) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < datum->n; i++) {
        if (atom_to_c(row, key_ref, keys + n * key_size, &type->key,
                      &datum->keys[i])
            && (!is_map
                || atom_to_c(row, value_ref, values + n * value_size,
                             &type->value, &datum->values[i]))) {
            n++;
        }
    }
    if (!n) {
        free(keys);
        free(values);
        keys = values = NULL;
    }
    memcpy(base + column->offset, &keys, sizeof keys);
    memcpy(base + column->n_offset, &n, sizeof n);
    if (is_map) {
        memcpy(base + column->value_offset, &values, sizeof values);
    }
}

static void
unparse_column(struct idl_row *row, const struct idl_column *column)
{
    char *base = (char *) row;

    if (column->offset == IDL_NO_MEMBER) {
        return;
    }
    if (column->is_smap) {
        smap_destroy((struct smap *) (base + column->offset));
    } else if (!ovsdb_type_is_scalar(&column->type)) {
        void *p;
        memcpy(&p, base + column->offset, sizeof p);
        free(p);
        memset(base + column->offset, 0, sizeof p);
        memset(base + column->n_offset, 0, sizeof(size_t));
        if (ovsdb_type_is_map(&column->type)) {
            memcpy(&p, base + column->value_offset, sizeof p);
            free(p);
            memset(base + column->value_offset, 0, sizeof p);
        }
    }
}

/* Removes the arcs from 'row', freeing targets that were only there as
 * targets. */
void
idl_row_clear_arcs(struct idl_row *row)
{
    struct idl_arc *arc;
    LIST_FOR_EACH_POP (arc, src_node, &row->src_arcs) {
        struct idl_row *dst = arc->dst;
        list_remove(&arc->dst_node);
        free(arc);
        if (dst != row) {
            idl_row_gc_orphan(dst);
        }
    }
}

void
idl_row_parse(struct idl_row *row)
{
    const struct idl_table_class *class = row->table_class;

    if (row->parsed) {
        return;
    }
    for (size_t i = 0; i < class->n_columns; i++) {
        parse_column(row, &class->columns[i]);
    }
    row->parsed = true;
}

void
idl_row_unparse(struct idl_row *row)
{
    const struct idl_table_class *class = row->table_class;

    if (row->parsed) {
        for (size_t i = 0; i < class->n_columns; i++) {
            unparse_column(row, &class->columns[i]);
        }
        row->parsed = false;
    }
    idl_row_clear_arcs(row);
}

void
idl_row_reparse(struct idl_row *row)
{
    idl_row_unparse(row);
    idl_row_parse(row);
}

void
idl_row_gc_orphan(struct idl_row *row)
{
    if (!row->old_datum && !row->txn_new && !row->in_txn && !row->tracked
        && !row->deleted && list_is_empty(&row->dst_arcs)
        && list_is_empty(&row->src_arcs)) {
        if (row->reparse) {
            list_remove(&row->reparse_node);
        }
        hmap_remove(&row->table->rows, &row->hmap_node);
        idl_row_free(row);
    }
}

/* Converts the C value at 'src' to 'atom' of 'base'. */
static void
c_to_atom(union ovsdb_atom *atom, const struct ovsdb_base_type *base,
          const void *src)
{
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        memcpy(&atom->integer, src, sizeof atom->integer);
        break;
    case OVSDB_TYPE_REAL:
        memcpy(&atom->real, src, sizeof atom->real);
        break;
    case OVSDB_TYPE_BOOLEAN:
        memcpy(&atom->boolean, src, sizeof atom->boolean);
        break;
    case OVSDB_TYPE_STRING: {
        const char *s;
        memcpy(&s, src, sizeof s);
        atom->string = xstrdup(s ? s : "");
        break;
    }
    case OVSDB_TYPE_UUID:
        if (ovsdb_base_type_is_ref(base)) {
            const struct idl_row *r;
            memcpy(&r, src, sizeof r);
            atom->uuid = r->uuid;
        } else {
            memcpy(&atom->uuid, src, sizeof atom->uuid);
        }
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        break;
    }
}

void
idl_datum_from_c(struct ovsdb_datum *datum, const struct idl_column *column,
                 const void *keys, const void *values, size_t n)
{
    struct ovsdb_type type_ = column->type;
    const struct ovsdb_type *type = &type_;
    if (!values) {
        /* Keys only: a set of them, even for a map column. */
        type_.value.type = OVSDB_TYPE_VOID;
    }
    bool is_map = ovsdb_type_is_map(type);
    size_t key_size = c_size(&type->key);
    size_t value_size = is_map ? c_size(&type->value) : 0;

    datum->n = n;
    datum->keys = n ? xmalloc(n * sizeof *datum->keys) : NULL;
    datum->values = n && is_map ? xmalloc(n * sizeof *datum->values) : NULL;
    for (size_t i = 0; i < n; i++) {
        c_to_atom(&datum->keys[i], &type->key,
                  (const char *) keys + i * key_size);
        if (is_map) {
            c_to_atom(&datum->values[i], &type->value,
                      (const char *) values + i * value_size);
        }
    }
    ovsdb_datum_sort_unique(datum, type);
}

void
idl_datum_from_smap(struct ovsdb_datum *datum, const struct idl_column *column,
                    const struct smap *smap)
{
    const struct smap_node *node;

    ovsdb_datum_init_empty(datum);
    HMAP_FOR_EACH (node, hmap_node, &smap->map) {
        union ovsdb_atom k = {.string = node->key};
        union ovsdb_atom v = {.string = node->value};
        ovsdb_datum_add_unsorted(datum, &k, &v, &column->type);
    }
    ovsdb_datum_sort_unique(datum, &column->type);
}
