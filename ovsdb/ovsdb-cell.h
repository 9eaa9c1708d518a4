/* OVSDB values in tables printed by lib/table: the glue that formats a
 * datum into a table cell the way OVS's tools do for --data=string, bare
 * and json. */
#ifndef OVSDB_OVSDB_CELL_H
#define OVSDB_OVSDB_CELL_H 1

#include "lib/ds.h"
#include "lib/table.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/ovsdb-types.h"

/* Sets 'cell' to 'datum' of 'type': its JSON (for the json table format)
 * and, unless 'style' asks for JSON cells, its text in the style's cell
 * format. */
void ovsdb_cell_set_datum(struct table_cell *, const struct ovsdb_datum *,
                          const struct ovsdb_type *,
                          const struct table_style *);

/* Appends the "bare" form of 'datum' to 'out': like the string form but
 * with strings never quoted, no brackets or braces, and elements
 * separated by single spaces ("a b", "k=v k2=v2", "" when empty). */
void ovsdb_cell_put_bare(const struct ovsdb_datum *, const struct ovsdb_type *,
                         struct ds *out);

#endif /* ovsdb/ovsdb-cell.h */
