/* Schema conversion: the contents of a database as another schema sees
 * them, for "ovsdb-tool convert" (offline, record by record) and the
 * "convert" method of ovsdb-server (online, from a snapshot).
 *
 * Conversion keeps every row and every value whose table and column the
 * new schema still has; columns it adds get their defaults; tables and
 * columns it lacks are dropped.  Every value kept must be valid for its
 * new type and the result must satisfy the new schema's constraints
 * (references, indexes, maxRows), or the conversion fails. */
#ifndef OVSDB_CONVERT_H
#define OVSDB_CONVERT_H 1

#include <jansson.h>

#include "lib/util.h"

struct ovsdb;
struct ovsdb_error;
struct ovsdb_schema;

/* Returns a copy (a new reference) of the transaction record or snapshot
 * 'record' without the tables and columns that 'schema' does not have,
 * so that applying it (ovsdb_record_apply()) to a database with 'schema'
 * reads it as if it had been written for 'schema'.  Anything malformed
 * is copied as it is, for ovsdb_record_apply() to report. */
json_t *ovsdb_convert_filter_record(const json_t *record,
                                    const struct ovsdb_schema *schema);

/* Converts 'src' to 'new_schema' (not taken): on success stores in
 * '*dstp' a new database, with a copy of 'new_schema', holding the
 * contents of 'src' converted, and returns NULL.  On failure stores NULL
 * and returns the error (with OVS's texts, e.g. "constraint violation").
 * 'src' is not changed. */
struct ovsdb_error *ovsdb_convert(const struct ovsdb *src,
                                  const struct ovsdb_schema *new_schema,
                                  struct ovsdb **dstp) OVS_WARN_UNUSED_RESULT;

#endif /* ovsdb/convert.h */
