/* Unit tests of the in-memory database and its transactions: rows,
 * tables, conditions, mutations, commit and abort, reference counting,
 * garbage collection, weak references and the change iteration.  The
 * error texts are those of the reference ovsdb-server (see
 * tests/test_ovsdb_execute.py for the systematic comparison). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/json.h"
#include "ovsdb/ovsdb-condition.h"
#include "ovsdb/ovsdb-error.h"
#include "ovsdb/ovsdb-mutation.h"
#include "ovsdb/ovsdb-record.h"
#include "ovsdb/ovsdb-row.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/ovsdb-table.h"
#include "ovsdb/ovsdb-txn.h"
#include "ovsdb/ovsdb.h"

/* Root table "R" refers strongly to non-root "C" (which chains to
 * itself) and weakly to root "T". */
static const char SCHEMA[] =
    "{\"name\":\"db\",\"tables\":{"
    "\"R\":{\"isRoot\":true,\"columns\":{"
    "  \"name\":{\"type\":\"string\"},"
    "  \"n\":{\"type\":\"integer\"},"
    "  \"c\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"C\"},"
    "                  \"min\":0,\"max\":\"unlimited\"}},"
    "  \"w\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"T\","
    "                          \"refType\":\"weak\"},"
    "                  \"min\":0,\"max\":\"unlimited\"}},"
    "  \"s\":{\"type\":{\"key\":\"integer\",\"min\":0,\"max\":3}}},"
    "  \"indexes\":[[\"name\"]]},"
    "\"C\":{\"columns\":{\"next\":{\"type\":{\"key\":{\"type\":\"uuid\","
    "  \"refTable\":\"C\"},\"min\":0,\"max\":1}}}},"
    "\"T\":{\"isRoot\":true,\"columns\":{\"x\":{\"type\":\"integer\"}}}}}";

static json_t *
parse_json(const char *s)
{
    json_t *json;
    char *msg = json_from_string_any(s, &json);
    if (msg) {
        fail_msg("bad JSON in test: %s: %s", s, msg);
    }
    return json;
}

static struct ovsdb *
create_db(void)
{
    json_t *json = parse_json(SCHEMA);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    if (error) {
        fail_msg("%s", ovsdb_error_to_string_free(error));
    }
    return ovsdb_create(schema);
}

/* Inserts into 'table' a row with 'uuid' (or a random one) and the
 * values of the JSON object 'values'. */
static struct ovsdb_row *
insert(struct ovsdb_txn *txn, const char *table_name, const char *values,
       struct uuid *uuidp)
{
    struct ovsdb_table *table =
        ovsdb_get_table(ovsdb_txn_get_db(txn), table_name);
    struct ovsdb_row *row = ovsdb_row_create(table);
    json_t *json = parse_json(values);
    struct ovsdb_error *error = ovsdb_row_from_json(row, json, NULL, NULL);
    json_decref(json);
    assert_null(error);
    uuid_generate(ovsdb_row_get_uuid_rw(row));
    if (uuidp) {
        *uuidp = *ovsdb_row_get_uuid(row);
    }
    ovsdb_txn_row_insert(txn, row);
    return row;
}

/* Returns the index of column 'name' of 'table'. */
static unsigned int
col(const struct ovsdb_table *table, const char *name)
{
    const struct ovsdb_column *column =
        ovsdb_table_schema_get_column(table->schema, name);
    assert_non_null(column);
    return column->index;
}

static char *
ref(const struct uuid *uuid)
{
    return xasprintf("[\"uuid\",\"" UUID_FMT "\"]", UUID_ARGS(uuid));
}

static void
assert_commit_error(struct ovsdb_txn *txn, const char *tag,
                    const char *details)
{
    struct ovsdb_error *error = ovsdb_txn_commit(txn);
    assert_non_null(error);
    assert_string_equal(ovsdb_error_get_tag(error), tag);
    assert_string_equal(ovsdb_error_get_details(error), details);
    ovsdb_error_destroy(error);
    ovsdb_txn_abort(txn);
}

static void
commit(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = ovsdb_txn_commit(txn);
    if (error) {
        fail_msg("%s", ovsdb_error_to_string_free(error));
    }
    ovsdb_txn_destroy(txn);
}

static void
test_abort_leaves_the_database_unchanged(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct ovsdb_table *r = ovsdb_get_table(db, "R");
    struct uuid u;

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    insert(txn, "R", "{\"name\":\"a\",\"n\":1}", &u);
    commit(txn);

    txn = ovsdb_txn_create(db);
    const struct ovsdb_row *row = ovsdb_table_get_row(r, &u);
    struct ovsdb_row *new = ovsdb_txn_row_modify(txn, row);
    new->fields[col(r, "n")].keys[0].integer = 99;
    insert(txn, "R", "{\"name\":\"b\"}", NULL);
    assert_int_equal(
        ovsdb_txn_get_row(txn, r, &u)->fields[col(r, "n")].keys[0].integer,
        99);
    ovsdb_txn_abort(txn);

    assert_int_equal(ovsdb_table_n_rows(r), 1);
    row = ovsdb_table_get_row(r, &u);
    assert_int_equal(row->fields[col(r, "n")].keys[0].integer, 1);
    assert_null(row->txn_row);
    ovsdb_destroy(db);
}

/* Counts the changes that ovsdb_txn_for_each_change() reports. */
struct change_counts {
    int inserted, deleted, modified;
    bool n_changed, name_changed;
};

static bool
count_change(const struct ovsdb_table *table, const struct ovsdb_row *old,
             const struct ovsdb_row *new, const unsigned long *changed,
             void *counts_)
{
    struct change_counts *counts = counts_;
    if (!old) {
        counts->inserted++;
    } else if (!new) {
        counts->deleted++;
    } else {
        counts->modified++;
        counts->name_changed = bitmap_is_set(changed, col(table, "name"));
        counts->n_changed = bitmap_is_set(changed, col(table, "n"));
    }
    return true;
}

static void
test_change_iteration_reports_only_real_changes(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct ovsdb_table *r = ovsdb_get_table(db, "R");
    struct uuid a, b;

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    insert(txn, "R", "{\"name\":\"a\"}", &a);
    insert(txn, "R", "{\"name\":\"b\"}", &b);
    commit(txn);
    struct uuid version = *ovsdb_row_get_version(ovsdb_table_get_row(r, &a));

    txn = ovsdb_txn_create(db);
    struct ovsdb_row *new =
        ovsdb_txn_row_modify(txn, ovsdb_table_get_row(r, &a));
    new->fields[col(r, "n")].keys[0].integer = 5;
    ovsdb_txn_row_modify(txn, ovsdb_table_get_row(r, &b)); /* No-op. */
    ovsdb_txn_row_delete(txn, insert(txn, "R", "{\"name\":\"c\"}", NULL));
    struct ovsdb_error *error = ovsdb_txn_commit(txn);
    assert_null(error);

    struct change_counts counts = {0};
    ovsdb_txn_for_each_change(txn, count_change, &counts);
    assert_int_equal(counts.modified, 1);
    assert_int_equal(counts.inserted, 0);
    assert_int_equal(counts.deleted, 0);
    assert_true(counts.n_changed);
    assert_false(counts.name_changed);
    ovsdb_txn_destroy(txn);

    /* The changed row got a new "_version"; the other kept its own. */
    assert_false(uuid_equals(
        &version, ovsdb_row_get_version(ovsdb_table_get_row(r, &a))));
    assert_int_equal(ovsdb_table_n_rows(r), 2);
    ovsdb_destroy(db);
}

static void
test_strong_references_are_counted_and_collected(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct ovsdb_table *c = ovsdb_get_table(db, "C");
    struct ovsdb_table *r = ovsdb_get_table(db, "R");
    struct uuid c1, c2, root;

    /* R -> c1 -> c2: both children live. */
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    insert(txn, "C", "{}", &c2);
    char *c2_ref = ref(&c2);
    char *values = xasprintf("{\"next\":%s}", c2_ref);
    insert(txn, "C", values, &c1);
    free(values);
    char *c1_ref = ref(&c1);
    values = xasprintf("{\"name\":\"r\",\"c\":%s}", c1_ref);
    insert(txn, "R", values, &root);
    free(values);
    commit(txn);
    assert_int_equal(ovsdb_table_n_rows(c), 2);
    assert_int_equal(ovsdb_table_get_row(c, &c1)->n_refs, 1);
    assert_int_equal(ovsdb_table_get_row(c, &c2)->n_refs, 1);

    /* A referenced row cannot be deleted. */
    txn = ovsdb_txn_create(db);
    ovsdb_txn_row_delete(txn, ovsdb_table_get_row(c, &c1));
    char *details = xasprintf("cannot delete C row " UUID_FMT " because "
                              "of 1 remaining reference(s)",
                              UUID_ARGS(&c1));
    assert_commit_error(txn, "referential integrity violation", details);
    free(details);

    /* Dropping the root's reference collects the whole chain. */
    txn = ovsdb_txn_create(db);
    struct ovsdb_row *new =
        ovsdb_txn_row_modify(txn, ovsdb_table_get_row(r, &root));
    unsigned int c_col = col(r, "c");
    ovsdb_datum_destroy(&new->fields[c_col], &r->schema->columns[c_col]->type);
    ovsdb_datum_init_empty(&new->fields[c_col]);
    commit(txn);
    assert_int_equal(ovsdb_table_n_rows(c), 0);

    free(c1_ref);
    free(c2_ref);
    ovsdb_destroy(db);
}

static void
test_weak_references_follow_deletions(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct ovsdb_table *t = ovsdb_get_table(db, "T");
    struct ovsdb_table *r = ovsdb_get_table(db, "R");
    struct uuid t1, t2, root;

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    insert(txn, "T", "{\"x\":1}", &t1);
    insert(txn, "T", "{\"x\":2}", &t2);
    char *r1 = ref(&t1), *r2 = ref(&t2);
    char *values =
        xasprintf("{\"name\":\"r\",\"w\":[\"set\",[%s,%s]]}", r1, r2);
    insert(txn, "R", values, &root);
    free(values);
    commit(txn);
    assert_int_equal(ovsdb_table_n_weak_refs(t), 2);

    txn = ovsdb_txn_create(db);
    ovsdb_txn_row_delete(txn, ovsdb_table_get_row(t, &t1));
    commit(txn);

    const struct ovsdb_row *row = ovsdb_table_get_row(r, &root);
    assert_int_equal(row->fields[col(r, "w")].n, 1);
    assert_true(uuid_equals(&row->fields[col(r, "w")].keys[0].uuid, &t2));
    assert_int_equal(ovsdb_table_n_weak_refs(t), 1);

    free(r1);
    free(r2);
    ovsdb_destroy(db);
}

static void
test_unique_index_violation_names_both_rows(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct uuid a, b;

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    insert(txn, "R", "{\"name\":\"x\"}", &a);
    commit(txn);

    txn = ovsdb_txn_create(db);
    insert(txn, "R", "{\"name\":\"x\"}", &b);
    char *details = xasprintf(
        "Transaction causes multiple rows in \"R\" table to have identical "
        "values (x) for index on column \"name\".  First row, with "
        "UUID " UUID_FMT
        ", existed in the database before this transaction and "
        "was not modified by the transaction.  Second row, with UUID " UUID_FMT
        ", was inserted by this transaction.",
        UUID_ARGS(&a), UUID_ARGS(&b));
    assert_commit_error(txn, "constraint violation", details);
    free(details);
    ovsdb_destroy(db);
}

static void
test_conditions_and_mutations(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct ovsdb_table *r = ovsdb_get_table(db, "R");
    struct ovsdb_row *row = ovsdb_row_create(r);
    json_t *json = parse_json("{\"n\":5,\"s\":[\"set\",[1,2]]}");
    assert_null(ovsdb_row_from_json(row, json, NULL, NULL));
    json_decref(json);

    static const struct {
        const char *cond;
        bool expected;
    } cases[] = {
        {"[[\"n\",\"<\",6]]", true},
        {"[[\"n\",\"<=\",4]]", false},
        {"[[\"n\",\"==\",5]]", true},
        {"[[\"n\",\"!=\",5]]", false},
        {"[[\"n\",\">=\",5]]", true},
        {"[[\"n\",\">\",5]]", false},
        {"[[\"s\",\"includes\",1]]", true},
        {"[[\"s\",\"includes\",[\"set\",[1,3]]]]", false},
        {"[[\"s\",\"excludes\",3]]", true},
        {"[[\"s\",\"excludes\",[\"set\",[2,3]]]]", false},
        {"[true]", true},
        {"[false]", false},
        {"[]", true},
        {"[[\"n\",\">\",1],false]", false},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ovsdb_condition cond;
        json = parse_json(cases[i].cond);
        struct ovsdb_error *error =
            ovsdb_condition_from_json(r->schema, json, NULL, &cond);
        assert_null(error);
        if (ovsdb_condition_evaluate(&cond, row) != cases[i].expected) {
            fail_msg("%s: expected %d", cases[i].cond, cases[i].expected);
        }
        ovsdb_condition_destroy(&cond);
        json_decref(json);
    }

    struct ovsdb_mutation_set set;
    json = parse_json("[[\"n\",\"*=\",3],[\"s\",\"insert\",[\"set\",[3]]],"
                      "[\"s\",\"+=\",10]]");
    assert_null(ovsdb_mutation_set_from_json(r->schema, json, NULL, &set));
    json_decref(json);
    assert_null(ovsdb_mutation_set_execute(row, &set));
    ovsdb_mutation_set_destroy(&set);
    json = ovsdb_row_to_json(row, NULL);
    assert_int_equal(json_integer_value(json_object_get(json, "n")), 15);
    char *s = json_to_string_compact(json_object_get(json, "s"), true);
    assert_string_equal(s, "[\"set\",[11,12,13]]");
    free(s);
    json_decref(json);

    json = parse_json("[[\"s\",\"insert\",4]]");
    assert_null(ovsdb_mutation_set_from_json(r->schema, json, NULL, &set));
    json_decref(json);
    struct ovsdb_error *error = ovsdb_mutation_set_execute(row, &set);
    assert_non_null(error);
    assert_string_equal(ovsdb_error_get_details(error),
                        "Attempted to store 4 elements in set of up to 3 "
                        "integers.");
    ovsdb_error_destroy(error);
    ovsdb_mutation_set_destroy(&set);

    json = parse_json("[[\"n\",\"/=\",0]]");
    assert_null(ovsdb_mutation_set_from_json(r->schema, json, NULL, &set));
    json_decref(json);
    error = ovsdb_mutation_set_execute(row, &set);
    assert_string_equal(ovsdb_error_get_tag(error), "domain error");
    ovsdb_error_destroy(error);
    ovsdb_mutation_set_destroy(&set);

    ovsdb_row_destroy(row);
    ovsdb_destroy(db);
}

static void
test_snapshot_reloads_into_an_equal_database(void **state OVS_UNUSED)
{
    struct ovsdb *db = create_db();
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct uuid c1;
    insert(txn, "C", "{}", &c1);
    char *c1_ref = ref(&c1);
    char *values = xasprintf("{\"name\":\"r\",\"n\":3,\"c\":%s}", c1_ref);
    insert(txn, "R", values, NULL);
    free(values);
    free(c1_ref);
    commit(txn);

    json_t *snapshot = ovsdb_record_snapshot(db, "hi", 5);
    struct ovsdb *copy = create_db();
    assert_null(ovsdb_record_apply(copy, snapshot));
    json_t *again = ovsdb_record_snapshot(copy, "hi", 5);
    assert_true(json_equal(snapshot, again));
    assert_int_equal(
        ovsdb_table_get_row(ovsdb_get_table(copy, "C"), &c1)->n_refs, 1);
    json_decref(snapshot);
    json_decref(again);
    ovsdb_destroy(copy);
    ovsdb_destroy(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abort_leaves_the_database_unchanged),
        cmocka_unit_test(test_change_iteration_reports_only_real_changes),
        cmocka_unit_test(test_strong_references_are_counted_and_collected),
        cmocka_unit_test(test_weak_references_follow_deletions),
        cmocka_unit_test(test_unique_index_violation_names_both_rows),
        cmocka_unit_test(test_conditions_and_mutations),
        cmocka_unit_test(test_snapshot_reloads_into_an_equal_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
