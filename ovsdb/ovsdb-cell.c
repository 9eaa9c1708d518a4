#include "ovsdb/ovsdb-cell.h"

static void
ovsdb_cell_put_bare_atom(const union ovsdb_atom *atom,
                         enum ovsdb_atomic_type type, struct ds *out)
{
    if (type == OVSDB_TYPE_STRING) {
        ds_put_cstr(out, atom->string);
    } else {
        ovsdb_atom_to_string(atom, type, out);
    }
}

void
ovsdb_cell_put_bare(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type, struct ds *out)
{
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_char(out, ' ');
        }
        ovsdb_cell_put_bare_atom(&datum->keys[i], type->key.type, out);
        if (ovsdb_type_is_map(type)) {
            ds_put_char(out, '=');
            ovsdb_cell_put_bare_atom(&datum->values[i], type->value.type, out);
        }
    }
}

void
ovsdb_cell_set_datum(struct table_cell *cell, const struct ovsdb_datum *datum,
                     const struct ovsdb_type *type,
                     const struct table_style *style)
{
    struct ds text = DS_EMPTY_INITIALIZER;

    table_cell_set_json(cell, ovsdb_datum_to_json(datum, type));
    switch (style->cell_format) {
    case CF_STRING:
        ovsdb_datum_to_string(datum, type, &text);
        table_cell_set_text(cell, ds_steal_cstr(&text));
        break;
    case CF_BARE:
        ovsdb_cell_put_bare(datum, type, &text);
        table_cell_set_text(cell, ds_steal_cstr(&text));
        break;
    case CF_JSON:
    default:
        table_cell_set_text(cell, NULL);
        break;
    }
    ds_destroy(&text);
}
