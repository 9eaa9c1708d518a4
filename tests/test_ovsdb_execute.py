"""The "transact" engine (ovsdb/ovsdb-execution.c and the modules below
it) compared with the reference ovsdb-server.

Each scenario is a list of transactions run in order on a fresh database
made from tests/data/engine.ovsschema (a schema with every type and
constraint): once through Turnout's test-ovsdb-execute, once through a
reference ovsdb-server started for the scenario.  The two lists of result
arrays must be identical once UUIDs are numbered in order of appearance
and the rows of "select" results are sorted (both servers return rows in
hash order).  The reference names the two rows of a unique-index
violation in hash order too, so that pair is compared as a set.

Some scenarios also carry expectations of their own, so that the engine
is tested where the reference is not installed."""

import json
import os
import re
import socket
import subprocess
import time

import pytest

import paths

SCHEMA = os.path.join(paths.TOP, "tests", "data", "engine.ovsschema")
REFERENCE_SERVER = "/usr/sbin/ovsdb-server"
REFERENCE_TOOL = "/usr/bin/ovsdb-tool"
ZERO = "00000000-0000-0000-0000-000000000000"
U1 = "11111111-2222-3333-4444-555555555555"
U2 = "22222222-2222-3333-4444-555555555555"
UUID_RE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INDEX_RE = re.compile(r"First row, with UUID (<\d+>), (.*?)  "
                      r"Second row, with UUID (<\d+>), (.*)$")


def ins(table, row, **extra):
    op = {"op": "insert", "table": table, "row": row}
    op.update({k.replace("_", "-"): v for k, v in extra.items()})
    return op


def sel(table, where=(), columns=None):
    op = {"op": "select", "table": table, "where": list(where)}
    if columns is not None:
        op["columns"] = columns
    return op


def upd(table, where, row):
    return {"op": "update", "table": table, "where": where, "row": row}


def mut(table, where, mutations):
    return {"op": "mutate", "table": table, "where": where,
            "mutations": mutations}


def dele(table, where=()):
    return {"op": "delete", "table": table, "where": list(where)}


def wait(table, until, rows, columns=None, where=(), timeout=0):
    op = {"op": "wait", "table": table, "where": list(where),
          "until": until, "rows": rows}
    if columns is not None:
        op["columns"] = columns
    if timeout is not None:
        op["timeout"] = timeout
    return op


def mut1(table, column, mutator, value):
    """A transaction of one mutation on every row of 'table'."""
    return [mut(table, [], [[column, mutator, value]])]


SETS_ROW = {"nonempty": "x", "ints": ["set", [1, 2, 3]],
            "reals": ["set", [1.5, 2]], "strs": ["set", ["a", "b"]],
            "smap": ["map", [["a", "1"], ["b", "2"]]],
            "imap": ["map", [[1, 1.5]]], "emap": ["map", [["a", 1]]],
            "bounded": ["set", [5]]}
SETS_ALL = ["ints", "reals", "strs", "nonempty", "bounded", "smap", "imap",
            "emap"]
SCALARS_ROW = {"name": "m", "i": 10, "r": 2.5, "small": 3, "ratio": 0.5}

# name -> list of transactions.  Names say what the scenario proves.
SCENARIOS = {
    # "name" is a unique index of Scalars: a search for one name finds the
    # committed row through the index, and must still see what earlier
    # operations of the same transaction did to the table.
    "search_by_indexed_column_sees_the_transaction_s_changes": [
        [ins("Scalars", {"name": "x1", "i": 1}),
         ins("Scalars", {"name": "x2", "i": 2})],
        [upd("Scalars", [["name", "==", "x1"]], {"name": "x9"}),
         sel("Scalars", [["name", "==", "x1"]], ["name", "i"]),
         sel("Scalars", [["name", "==", "x9"]], ["name", "i"]),
         ins("Scalars", {"name": "x3", "i": 3}),
         sel("Scalars", [["name", "==", "x3"]], ["name", "i"]),
         dele("Scalars", [["name", "==", "x2"]]),
         sel("Scalars", [["name", "==", "x2"]], ["name"]),
         sel("Scalars", [["name", "==", "x9"], ["i", "==", 2]], ["name"]),
         wait("Scalars", "==", [], ["name"], [["name", "==", "x1"]]),
         mut("Scalars", [["name", "==", "x3"]], [["i", "+=", 10]]),
         sel("Scalars", [["name", "==", "x3"]], ["i"]),
         sel("Scalars", [["name", "==", "nosuch"]], ["name"])],
        [sel("Scalars", [["name", "==", "x9"]], ["name", "i"]),
         sel("Scalars", [["name", "==", "x2"]], ["name"]),
         sel("Scalars", [["name", "!=", "x9"]], ["name"])],
    ],
    "insert_then_select_returns_every_column_with_defaults": [
        [ins("Scalars", {"name": "a", "i": 1})],
        [sel("Scalars")],
    ],
    "failed_operation_takes_its_slot_and_later_slots_are_null": [
        [ins("Scalars", {"name": "b"}), ins("Nope", {}),
         ins("Scalars", {})],
        [sel("Scalars", columns=["name"])],
    ],
    "operation_parse_errors_name_the_operation_and_member": [
        [{"op": "bogus"}], [{}], [1], [], [{"op": "insert"}],
        [{"op": "insert", "table": "Scalars", "extra": 1}],
        [ins("Scalars", {"name": "e1"}, extra=1)],
        [ins("Scalars", {"name": "e2", "i": "x"}, extra=1)],
        [{"op": "insert", "table": 7}],
        [{"op": "insert", "table": "Scalars", "row": []}],
        [ins("Scalars", {}, uuid_name="1x")],
        [{"op": 5}],
    ],
    "default_value_that_violates_a_constraint_fails_insert": [
        [ins("Strict", {})],
        [ins("Strict", {"word": "ok"}), sel("Strict", columns=["word"])],
    ],
    "row_errors_unknown_column_and_type_mismatch": [
        [ins("Scalars", {"name": "q", "nope": 1})],
        [ins("Scalars", {"name": "q", "i": "x"})],
        [ins("Scalars", {"name": ["set", []]})],
        [ins("Sets", {"strs": ["set", ["a", "b", "c", "d"]]})],
        [ins("Scalars", {"color": "pink"})],
        [ins("Scalars", {"small": 11})],
        [ins("Scalars", {"word": "abcdef"})],
    ],
    "uuid_and_version_in_an_inserted_row_are_ignored": [
        [ins("Scalars", {"name": "v", "_uuid": ["uuid", U1],
                         "_version": ["uuid", U1]})],
        [sel("Scalars", [["_uuid", "==", ["uuid", U1]]])],
        [sel("Scalars", [["name", "==", "v"]], ["name"])],
    ],
    "named_uuids_resolve_forward_and_duplicates_fail": [
        [ins("Scalars", {"name": "n1", "u": ["named-uuid", "later"]}),
         ins("Scalars", {"name": "n2"}, uuid_name="later"),
         sel("Scalars", [["name", "==", "n1"]], ["u"]),
         sel("Scalars", [["name", "==", "n2"]], ["_uuid"])],
        [ins("Scalars", {}, uuid_name="x"),
         ins("Scalars", {"name": "z"}, uuid_name="x")],
        [ins("Scalars", {"name": "z1", "u": ["named-uuid", "nothing"]})],
    ],
    "insert_with_chosen_uuid_and_duplicate_uuid": [
        [ins("Target", {"name": "fixed"}, uuid=U1)],
        [ins("Target", {}, uuid=U1)],
        [ins("Scalars", {}, uuid=U1)],
        [ins("Target", {}, uuid="xyz")],
        [ins("Target", {}, uuid=["uuid", U1])],
        [ins("Target", {}, uuid=U2), ins("Target", {}, uuid=U2)],
        [dele("Target", [["_uuid", "==", ["uuid", U1]]]),
         ins("Target", {}, uuid=U1)],
        [ins("Parent", {"target": ["named-uuid", "x"]}),
         ins("Target", {}, uuid=U2.replace("2222", "3333", 1),
             uuid_name="x"),
         {"op": "abort"}],
        [ins("Target", {}, uuid=U2.replace("2222", "3333", 1),
             uuid_name="x"),
         ins("Parent", {"target": ["named-uuid", "x"]}),
         sel("Parent", columns=["target"]), {"op": "abort"}],
    ],
    "strong_references_must_exist_and_block_deletion": [
        [ins("Parent", {"child": ["named-uuid", "nope"]})],
        [ins("Parent", {"child": ["uuid", U1]})],
        [ins("Parent", {"name": "gp", "child": ["named-uuid", "c"]}),
         ins("Child", {"name": "c1"}, uuid_name="c")],
        [dele("Child", [["name", "==", "c1"]])],
        [dele("Parent"), dele("Child", [["name", "==", "c1"]])],
        [sel("Child", columns=["name"])],
    ],
    "unreferenced_rows_of_non_root_tables_are_collected": [
        [ins("Child", {"name": "orphan"})],
        [sel("Child")],
        [ins("Child", {"name": "c3", "next": ["named-uuid", "c2"]},
             uuid_name="c1"),
         ins("Child", {"name": "c2"}, uuid_name="c2"),
         ins("Parent", {"name": "p", "children": ["set", [
             ["named-uuid", "c1"]]]})],
        [sel("Child", columns=["name"])],
        [upd("Parent", [], {"children": ["set", []]})],
        [sel("Child", columns=["name"])],
    ],
    "weak_references_to_missing_rows_are_removed": [
        [ins("Target", {"name": "t1"}, uuid_name="t"),
         ins("Parent", {"name": "p", "weak": ["set", [
             ["named-uuid", "t"], ["uuid", U1]]],
             "weak1": ["named-uuid", "t"]})],
        [sel("Parent", columns=["weak", "weak1"])],
        [ins("Target", {"name": "t2"}, uuid_name="t2"),
         mut("Parent", [], [["weak", "insert", ["named-uuid", "t2"]]])],
        [dele("Target", [["name", "==", "t2"]])],
        [sel("Parent", columns=["weak"])],
    ],
    "losing_weak_references_below_the_minimum_fails": [
        [ins("Parent", {"weak": ["named-uuid", "nope"]})],
        [ins("Parent", {"name": "p2", "weak1": ["uuid", U1]})],
        [ins("Parent", {"name": "p6", "weak1": ["set", [
            ["uuid", ZERO], ["uuid", U1]]]})],
        [ins("Parent", {"name": "p1", "weak1": ["named-uuid", "t"]}),
         ins("Target", {"name": "t1"}, uuid_name="t")],
        [dele("Target")],
        [upd("Parent", [], {"weak1": ["uuid", U1]})],
        [upd("Parent", [], {"weak1": ["uuid", ZERO]})],
    ],
    "weak_map_key_removal_drops_the_strong_value": [
        [ins("Target", {"name": "t"}, uuid_name="t"),
         ins("Child", {"name": "c"}, uuid_name="c"),
         ins("Parent", {"name": "p", "wmap": ["map", [
             [["named-uuid", "t"], ["named-uuid", "c"]]]]})],
        [dele("Target")],
        [sel("Parent", columns=["wmap"]), sel("Child", columns=["name"])],
    ],
    "max_rows_and_unique_indexes": [
        [ins("Pair", {"a": "x", "b": 1, "c": "1"}),
         ins("Pair", {"a": "x", "b": 2, "c": "2"}),
         ins("Pair", {"a": "y", "b": 1, "c": "3"}),
         ins("Pair", {"a": "y", "b": 2, "c": "4"})],
        [ins("Pair", {"a": "x", "b": 1, "c": "1"}),
         ins("Pair", {"a": "x", "b": 1, "c": "2"})],
        [ins("Pair", {"a": "x", "b": 1, "c": "1"})],
        [ins("Pair", {"a": "x", "b": 1, "c": "9"})],
        [ins("Pair", {"a": "z", "b": 1, "c": "1"})],
        [ins("Pair", {"a": "q", "b": 1, "c": "5"}),
         upd("Pair", [["c", "==", "1"]], {"c": "5"})],
        [upd("Pair", [["c", "==", "1"]], {"c": "7"}),
         ins("Pair", {"a": "x", "b": 1, "c": "8"})],
        [ins("Pair", {"a": "k", "b": 1, "c": "2"}),
         ins("Pair", {"a": "k", "b": 2, "c": "3"})],
        [ins("Parent", {"child": ["uuid", U1]}),
         ins("Pair", {"c": "a"}), ins("Pair", {"c": "b"}),
         ins("Pair", {"c": "c"})],
    ],
    "index_swap_within_one_transaction_is_allowed": [
        [ins("Scalars", {"name": "a"}), ins("Scalars", {"name": "b"})],
        [upd("Scalars", [["name", "==", "a"]], {"name": "tmp"}),
         upd("Scalars", [["name", "==", "b"]], {"name": "a"}),
         upd("Scalars", [["name", "==", "tmp"]], {"name": "b"})],
        [ins("Scalars", {"name": "n2"}),
         upd("Scalars", [["name", "==", "a"]], {"name": "n2"})],
        [sel("Scalars", columns=["name"])],
    ],
    "immutable_columns_cannot_be_updated_or_mutated": [
        [ins("Scalars", {"name": "a", "fixed": "f"})],
        [upd("Scalars", [["name", "==", "a"]], {"fixed": "x"})],
        [upd("Scalars", [["name", "==", "a"]], {"_uuid": ["uuid", ZERO]})],
        [upd("Scalars", [["name", "==", "a"]],
             {"_version": ["uuid", ZERO]})],
        mut1("Scalars", "fixed", "insert", "x"),
        mut1("Scalars", "fixed", "frob", 1),
        mut1("Scalars", "_uuid", "insert", 1),
    ],
    "conditions_every_function_and_error": [
        [ins("Scalars", {"name": "a", "i": 1, "r": 1.5, "opt": 3,
                         "color": "red"}),
         ins("Scalars", {"name": "b", "i": 5, "r": -2}),
         ins("Sets", {"nonempty": "x", "ints": ["set", [1, 2]],
                      "smap": ["map", [["k", "v"], ["j", "w"]]]})],
        [sel("Scalars", [["i", "<", 5]], ["name"]),
         sel("Scalars", [["i", "<=", 5]], ["name"]),
         sel("Scalars", [["i", "==", 5]], ["name"]),
         sel("Scalars", [["i", "!=", 5]], ["name"]),
         sel("Scalars", [["i", ">=", 1]], ["name"]),
         sel("Scalars", [["i", ">", 1]], ["name"]),
         sel("Scalars", [["r", "<", 1]], ["name"]),
         sel("Scalars", [["r", ">", 1]], ["name"]),
         sel("Scalars", [["opt", "<", 4]], ["name"]),
         sel("Scalars", [["opt", ">=", ["set", []]]], ["name"]),
         sel("Scalars", [["color", "==", ["set", []]]], ["name"]),
         sel("Scalars", [["color", "includes", "red"]], ["name"]),
         sel("Scalars", [["color", "excludes", "red"]], ["name"]),
         sel("Scalars", [["name", "includes", "a"]], ["name"]),
         sel("Scalars", [["name", "excludes", "a"]], ["name"]),
         sel("Scalars", [["i", ">", 0], ["r", "<", 0]], ["name"]),
         sel("Scalars", [True], ["name"]),
         sel("Scalars", [False], ["name"]),
         sel("Scalars", [True, ["i", "==", 1]], ["name"])],
        [sel("Sets", [["ints", "includes", ["set", [1]]]], ["ints"]),
         sel("Sets", [["ints", "includes", ["set", [1, 3]]]], ["ints"]),
         sel("Sets", [["ints", "excludes", ["set", [3, 4]]]], ["ints"]),
         sel("Sets", [["ints", "excludes", ["set", [2]]]], ["ints"]),
         sel("Sets", [["ints", "==", ["set", [2, 1]]]], ["ints"]),
         sel("Sets", [["nonempty", "includes", ["set", []]]], ["ints"]),
         sel("Sets", [["smap", "includes", ["map", [["k", "v"]]]]],
             ["smap"]),
         sel("Sets", [["smap", "includes", ["map", [["k", "x"]]]]],
             ["smap"]),
         sel("Sets", [["smap", "excludes", ["map", [["k", "x"]]]]],
             ["smap"])],
        [sel("Scalars", [["i", "<", "x"]])],
        [sel("Scalars", [["s", "<", "x"]])],
        [sel("Scalars", [["b", "<", True]])],
        [sel("Scalars", [["u", "<", ["uuid", ZERO]]])],
        [sel("Sets", [["ints", "<", 1]])],
        [sel("Sets", [["smap", "<", 1]])],
        [sel("Sets", [["imap", ">", 1]])],
        [sel("Scalars", [["nope", "==", 1]])],
        [sel("Scalars", [["nope", "~", 1]])],
        [sel("Scalars", [["i", "~", 1]])],
        [sel("Scalars", [["i", "==", 1, 2]])],
        [sel("Scalars", [True, False, 3])],
        [sel("Scalars", [["name", 1, 1]])],
        [sel("Scalars", [[1, "==", 1]])],
        [sel("Scalars", ["x"])],
        [sel("Scalars", [["name", "=="]])],
        [{"op": "select", "table": "Scalars", "where": {}}],
        [{"op": "select", "table": "Scalars"}],
        [sel("Scalars", [["small", "==", 11]])],
        [sel("Scalars", [["color", "includes", "pink"]])],
        [sel("Sets", [["strs", "includes", ["set", list("abcd")]]])],
        [sel("Sets", [["nonempty", "==", ["set", []]]])],
        [sel("Scalars", [["name", "includes", ["set", []]]])],
    ],
    "select_columns_and_distinct_rows": [
        [ins("Scalars", {"name": "a"}), ins("Scalars", {"name": "b"})],
        [sel("Scalars", columns=["b"])],
        [sel("Scalars", columns=["b", "name"])],
        [sel("Scalars", columns=[])],
        [sel("Scalars", columns=["nope"])],
        [sel("Scalars", columns=["name", "name"])],
        [sel("Scalars", columns=[1])],
        [sel("Scalars", [["_uuid", "==", ["uuid", ZERO]]])],
    ],
    "update_and_delete_count_rows": [
        [ins("Target", {"name": "a"}), ins("Target", {"name": "b"})],
        [upd("Target", [["name", "==", "a"]], {"name": "c"}),
         upd("Target", [], {}),
         upd("Target", [["name", "==", "zz"]], {"name": "d"}),
         sel("Target", columns=["name"])],
        [dele("Target", [["name", "==", "zz"]]),
         dele("Target", [["name", "==", "c"]]),
         sel("Target", columns=["name"])],
        [upd("Target", [], {"nope": 1})],
        [dele("Target", [["nope", "==", 1]])],
    ],
    "scalar_mutations_and_arithmetic_errors": [
        [ins("Scalars", SCALARS_ROW)],
        mut1("Scalars", "i", "+=", 5), mut1("Scalars", "i", "-=", 5),
        mut1("Scalars", "i", "*=", 3), mut1("Scalars", "i", "/=", 4),
        mut1("Scalars", "i", "%=", 4), mut1("Scalars", "i", "/=", 0),
        mut1("Scalars", "i", "%=", 0),
        mut1("Scalars", "i", "+=", 9223372036854775807),
        mut1("Scalars", "i", "*=", 9223372036854775807),
        mut1("Scalars", "i", "-=", -9223372036854775807),
        mut1("Scalars", "r", "+=", 1), mut1("Scalars", "r", "/=", 0),
        mut1("Scalars", "r", "*=", 1e308), mut1("Scalars", "r", "%=", 2),
        mut1("Scalars", "r", "*=", 0.5),
        mut1("Scalars", "small", "+=", 100),
        mut1("Scalars", "small", "*=", -1),
        mut1("Scalars", "ratio", "+=", 1),
        mut1("Scalars", "s", "+=", "x"), mut1("Scalars", "b", "+=", 1),
        mut1("Scalars", "nope", "+=", 1), mut1("Scalars", "i", "insert", 1),
        mut1("Scalars", "i", "frob", 1), mut1("Scalars", "i", "+=", "x"),
        [mut("Scalars", [], [["i", "+="]])],
        [mut("Scalars", [], {})],
        [mut("Scalars", [], [])],
        mut1("Scalars", "opt", "+=", 1), mut1("Scalars", "opt", "insert", 1),
        mut1("Scalars", "opt", "insert", 2),
        mut1("Scalars", "opt", "delete", ["set", [1, 2]]),
        [sel("Scalars", columns=["i", "r", "small", "opt", "ratio"])],
        [upd("Scalars", [], {"i": -9223372036854775808})],
        mut1("Scalars", "i", "/=", -1), mut1("Scalars", "i", "%=", -1),
        mut1("Scalars", "i", "-=", 1),
        [mut("Scalars", [], [["i", "+=", 1], ["i", "*=", 2]]),
         sel("Scalars", columns=["i"])],
    ],
    "set_and_map_mutations": [
        [ins("Sets", SETS_ROW)],
        mut1("Sets", "ints", "+=", 1), mut1("Sets", "ints", "*=", 0),
        mut1("Sets", "ints", "insert", ["set", [7, 8]]),
        mut1("Sets", "ints", "delete", 7),
        mut1("Sets", "bounded", "insert", 101),
        mut1("Sets", "bounded", "+=", 100),
        mut1("Sets", "bounded", "-=", 1000),
        mut1("Sets", "bounded", "delete", 1000),
        mut1("Sets", "strs", "insert", ["set", ["c", "d"]]),
        mut1("Sets", "strs", "insert", ["set", list("abcde")]),
        mut1("Sets", "nonempty", "delete", "x"),
        mut1("Sets", "nonempty", "delete", "y"),
        mut1("Sets", "smap", "insert", ["map", [["a", "9"], ["c", "3"]]]),
        mut1("Sets", "smap", "delete", ["set", ["a"]]),
        mut1("Sets", "smap", "delete", ["map", [["b", "9"]]]),
        [sel("Sets", columns=["smap"])],
        mut1("Sets", "smap", "delete", ["map", [["b", "2"]]]),
        mut1("Sets", "smap", "delete", "x"),
        mut1("Sets", "smap", "delete", 1),
        mut1("Sets", "imap", "insert", ["map", [[2, 2], [3, 3]]]),
        mut1("Sets", "imap", "delete", ["set", [1, 2, 3]]),
        mut1("Sets", "emap", "insert", ["map", [["d", 1]]]),
        mut1("Sets", "emap", "insert", ["map", [["b", 10]]]),
        mut1("Sets", "emap", "delete", ["set", ["zz"]]),
        mut1("Sets", "emap", "delete", ["map", [["zz", 99]]]),
        mut1("Sets", "smap", "+=", 1), mut1("Sets", "reals", "*=", 2),
        mut1("Sets", "reals", "%=", 2), mut1("Sets", "reals", "/=", 0),
        [mut("Sets", [], [["smap", "delete", ["map", [["a", "b"]]], 1]])],
        [sel("Sets", columns=SETS_ALL)],
    ],
    "wait_compares_rows_and_times_out": [
        [ins("Scalars", {"name": "a", "i": 3}),
         ins("Scalars", {"name": "b", "i": 3})],
        [wait("Scalars", "==", [{"i": 3}], ["i"])],
        [wait("Scalars", "==", [{"i": 4}], ["i"])],
        [wait("Scalars", "!=", [{"i": 3}], ["i"])],
        [wait("Scalars", "!=", [{"i": 4}], ["i"])],
        [wait("Scalars", "==", [{"i": 3}, {"i": 3}], ["i"])],
        [wait("Scalars", "==", [{"i": 3}, {"i": 4}], ["i"])],
        [wait("Scalars", "==", [], ["i"])],
        [wait("Scalars", "==", [], ["i"], [["i", "==", 100]])],
        [wait("Scalars", "==", [{"name": "a"}])],
        [wait("Scalars", "~", [{"i": 4}], ["i"])],
        [wait("Scalars", "==", [{"i": 4}], ["i"], timeout=-1)],
        [wait("Scalars", "==", [{"i": 4}], ["i"], timeout=1.5)],
        [wait("Scalars", "==", [{"nope": 4}], ["i"])],
        [wait("Scalars", "~", [{"nope": "w"}], ["nope"], timeout=-1)],
        [wait("Scalars", "~", [{"nope": "w"}], ["name"], timeout=None)],
        [wait("Scalars", "~", [{"nope": "w"}], timeout=-1)],
        [ins("Scalars", {"name": "c"}),
         wait("Scalars", "==", [{"name": "c"}], ["name"],
              [["name", "==", "c"]]),
         dele("Scalars", [["name", "==", "c"]]),
         wait("Scalars", "==", [], ["name"], [["name", "==", "c"]])],
    ],
    "commit_abort_comment_assert": [
        [{"op": "comment", "comment": "hello"}],
        [{"op": "comment"}],
        [{"op": "abort"}],
        [ins("Target", {}), {"op": "abort"},
         {"op": "comment", "comment": "x"}],
        [sel("Target", columns=["name"])],
        [{"op": "commit", "durable": False}],
        [{"op": "commit", "durable": True}],
        [{"op": "commit"}],
        [{"op": "commit", "durable": 1}],
        [{"op": "assert", "lock": "foo"}],
        [{"op": "assert"}],
        [{"op": "assert", "lock": 1}],
        [{"op": "abort", "x": 1}],
    ],
}


def canonical(results):
    """Returns 'results' (a list of result arrays) as text in which UUIDs
    are numbered in order of appearance and "select" rows are sorted."""
    def sort_rows(value):
        if isinstance(value, list):
            return [sort_rows(v) for v in value]
        if isinstance(value, dict):
            out = {k: sort_rows(v) for k, v in value.items()}
            if isinstance(out.get("rows"), list):
                out["rows"] = sorted(
                    out["rows"],
                    key=lambda r: UUID_RE.sub("U", json.dumps(
                        r, sort_keys=True)))
            return out
        return value

    mapping = {ZERO: ZERO}

    def number(m):
        return mapping.setdefault(m.group(0), "<%d>" % len(mapping))

    lines = []
    for result in results:
        text = UUID_RE.sub(number, json.dumps(sort_rows(result),
                                              sort_keys=True))
        value = json.loads(text)
        if isinstance(value, list):
            for elem in value:
                details = elem.get("details") if isinstance(elem, dict) \
                    else None
                m = INDEX_RE.search(details or "")
                if m:
                    pair = sorted([(m.group(1), m.group(2)),
                                   (m.group(3), m.group(4))])
                    elem["details"] = details[:m.start()] + repr(pair)
        lines.append(json.dumps(value, sort_keys=True))
    return lines


def run_ours(txns, *options):
    out = subprocess.run(
        [paths.program("test-ovsdb-execute")] + list(options) + [SCHEMA]
        + [json.dumps(t) for t in txns],
        check=True, capture_output=True, text=True, timeout=60).stdout
    return [json.loads(line) for line in out.splitlines()]


class ReferenceServer:
    """The reference ovsdb-server on a fresh database in 'tmp'."""

    def __init__(self, tmp):
        self.dir = str(tmp)
        db = os.path.join(self.dir, "db")
        self.sock_path = os.path.join(self.dir, "sock")
        subprocess.run([REFERENCE_TOOL, "create", db, SCHEMA], check=True)
        env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                   OVS_DBDIR=self.dir)
        self.proc = subprocess.Popen(
            [REFERENCE_SERVER, db, "--remote=punix:" + self.sock_path,
             "--unixctl=" + os.path.join(self.dir, "ctl"),
             "--log-file=" + os.path.join(self.dir, "log")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(self.sock_path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    self.close()
                    raise
                time.sleep(0.02)
        self.sock.settimeout(10)
        self.next_id = 0

    def transact(self, ops):
        self.next_id += 1
        params = ops if ops and isinstance(ops[0], str) else \
            ["Engine"] + ops
        self.sock.sendall(json.dumps({"method": "transact",
                                      "params": params,
                                      "id": self.next_id}).encode())
        decoder = json.JSONDecoder()
        buf = ""
        while True:
            chunk = self.sock.recv(65536)
            assert chunk, "reference server closed the connection"
            buf += chunk.decode()
            try:
                reply, _ = decoder.raw_decode(buf)
            except ValueError:
                continue
            assert reply["error"] is None, reply
            return reply["result"]

    def close(self):
        self.sock.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_results_match_reference_server(name, tmp_path):
    if not (os.access(REFERENCE_SERVER, os.X_OK)
            and os.access(REFERENCE_TOOL, os.X_OK)):
        pytest.skip("reference ovsdb-server is not installed")
    txns = SCENARIOS[name]
    ours = run_ours(txns)
    server = ReferenceServer(tmp_path)
    try:
        theirs = [server.transact(t) for t in txns]
    finally:
        server.close()
    for i, (a, b) in enumerate(zip(canonical(ours), canonical(theirs))):
        assert a == b, "transaction %d: %s" % (i, json.dumps(txns[i]))
    assert len(ours) == len(theirs)


# Expectations of our own, which hold without the reference.

def test_failed_transaction_changes_nothing():
    results = run_ours([
        [ins("Target", {"name": "keep"})],
        [ins("Target", {"name": "gone"}), dele("Target"),
         upd("Target", [], {"nope": 1})],
        [sel("Target", columns=["name"])]])
    assert results[1][2]["error"] == "unknown column"
    assert results[1][:2] == [results[1][0], {"count": 2}]
    assert results[2] == [{"rows": [{"name": "keep"}]}]


def test_wait_without_timeout_blocks_until_retried():
    results = run_ours([
        [wait("Target", "==", [{"name": "x"}], ["name"], timeout=None)],
        [wait("Target", "==", [{"name": "x"}], ["name"], timeout=5000)],
        [ins("Target", {"name": "a"}),
         wait("Target", "==", [{"name": "x"}], ["name"], timeout=5000)],
        [sel("Target")]])
    assert results[:3] == [{"blocked": -1}, {"blocked": 5000},
                           {"blocked": 5000}]
    assert results[3] == [{"rows": []}]


def test_read_only_session_refuses_writes_and_commit():
    results = run_ours([
        [ins("Target", {})],
        [sel("Target", columns=["name"]), dele("Target")],
        [upd("Target", [], {})], [mut("Target", [], [])],
        [{"op": "comment", "comment": "x"},
         wait("Target", "==", [], ["name"]),
         {"op": "commit", "durable": False},
         {"op": "assert", "lock": "x"}, {"op": "abort"}]], "--read-only")
    msg = "%s operation not allowed when database server is in read only mode"
    err = [{"error": "not allowed", "details": msg % op}
           for op in ("insert", "delete", "update", "mutate", "commit")]
    assert results == [[err[0]], [{"rows": []}, err[1]], [err[2]], [err[3]],
                       [{}, {}, err[4], None, None]]


def test_assert_succeeds_for_a_held_lock():
    results = run_ours([[{"op": "assert", "lock": "mine"}],
                        [{"op": "assert", "lock": "other"}]],
                       "--lock=mine")
    assert results == [[{}], [{"error": "not owner",
                               "details": "Asserted lock other not held."}]]


def test_canonical_form_tells_different_results_apart():
    a = [[{"uuid": ["uuid", U1]}], [{"rows": [{"_uuid": ["uuid", U1]}]}]]
    b = [[{"uuid": ["uuid", U1]}], [{"rows": [{"_uuid": ["uuid", U2]}]}]]
    assert canonical(a) != canonical(b)
    c = [[{"uuid": ["uuid", U2]}], [{"rows": [{"_uuid": ["uuid", U2]}]}]]
    assert canonical(a) == canonical(c)
