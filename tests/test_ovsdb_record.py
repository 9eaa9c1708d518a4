"""Database file records (ovsdb/ovsdb-record.c) compared with what the
reference "ovsdb-tool transact" writes: the same transactions must give
the same record (tables, rows, columns, diffs for sets and maps, "_is_diff"
and "_comment"; UUIDs numbered in order of appearance, "_date" left out),
transactions that change nothing stored must give no record, and the
engine must load a file that the reference wrote."""

import json
import os
import shutil
import subprocess

import pytest

import paths
from test_ovsdb_execute import SCHEMA, UUID_RE, ZERO

REFERENCE_TOOL = "/usr/bin/ovsdb-tool"

TXNS = [
    [{"op": "insert", "table": "Scalars",
      "row": {"name": "a", "i": 0, "opt": ["set", []], "scratch": 4}},
     {"op": "comment", "comment": "c1"}, {"op": "comment", "comment": "c2"}],
    [{"op": "update", "table": "Scalars", "where": [],
      "row": {"opt": 1, "r": 1.5}}],
    [{"op": "update", "table": "Scalars", "where": [], "row": {"opt": 2}}],
    [{"op": "update", "table": "Scalars", "where": [],
      "row": {"opt": ["set", []], "i": 7}}],
    [{"op": "update", "table": "Scalars", "where": [], "row": {"i": 7}}],
    [{"op": "update", "table": "Scalars", "where": [],
      "row": {"scratch": 9}}],
    [{"op": "insert", "table": "Sets",
      "row": {"nonempty": "x", "smap": ["map", [["a", "1"], ["b", "2"]]],
              "ints": ["set", [1, 2]]}}],
    [{"op": "mutate", "table": "Sets", "where": [],
      "mutations": [["nonempty", "insert", "y"],
                    ["smap", "insert", ["map", [["c", "3"]]]],
                    ["smap", "delete", "a"], ["ints", "+=", 10]]}],
    [{"op": "update", "table": "Sets", "where": [],
      "row": {"smap": ["map", [["b", "9"]]], "nonempty": "z"}}],
    [{"op": "comment", "comment": "only a comment"}],
    [{"op": "insert", "table": "Target", "row": {"name": "t"},
      "uuid-name": "t"},
     {"op": "insert", "table": "Parent",
      "row": {"name": "p", "weak1": ["named-uuid", "t"],
              "child": ["named-uuid", "c"]}},
     {"op": "insert", "table": "Child", "row": {"name": "c"},
      "uuid-name": "c"}],
    [{"op": "delete", "table": "Scalars", "where": []}],
    [{"op": "update", "table": "Parent", "where": [],
      "row": {"child": ["set", []]}}],
]


def numbered(lines):
    mapping = {ZERO: ZERO}

    def number(m):
        return mapping.setdefault(m.group(0), "<%d>" % len(mapping))

    out = []
    for line in lines:
        value = json.loads(line)
        if isinstance(value, dict):
            value.pop("_date", None)
        out.append(UUID_RE.sub(number, json.dumps(value, sort_keys=True)))
    return out


def our_records(txns, *options):
    out = subprocess.run(
        [paths.program("test-ovsdb-execute"), "--records"] + list(options)
        + [SCHEMA] + [json.dumps(t) for t in txns],
        check=True, capture_output=True, text=True, timeout=60).stdout
    lines = out.splitlines()
    return lines[0::2], lines[1::2]


def file_records(path):
    with open(path) as f:
        lines = [line for line in f.read().splitlines()
                 if not line.startswith("OVSDB JSON ")]
    return lines[1:]                    # Without the schema.


@pytest.fixture
def reference_tool():
    if not os.access(REFERENCE_TOOL, os.X_OK):
        pytest.skip("reference ovsdb-tool is not installed")
    return REFERENCE_TOOL


def test_records_match_reference_ovsdb_tool(tmp_path, reference_tool):
    db = str(tmp_path / "db")
    subprocess.run([reference_tool, "create", db, SCHEMA], check=True)
    expected = []
    n_records = 0
    for txn in TXNS:
        subprocess.run([reference_tool, "transact", db,
                        json.dumps(["Engine"] + txn)], check=True,
                       capture_output=True)
        records = file_records(db)
        expected.append(records[-1] if len(records) > n_records else "null")
        n_records = len(records)

    _, ours = our_records(TXNS)
    assert numbered(ours) == numbered(expected)


def test_engine_loads_a_file_the_reference_wrote(tmp_path, reference_tool):
    history = str(tmp_path / "history")
    subprocess.run([reference_tool, "create", history, SCHEMA], check=True)
    for txn in TXNS:
        subprocess.run([reference_tool, "transact", history,
                        json.dumps(["Engine"] + txn)], check=True,
                       capture_output=True)
    compacted = str(tmp_path / "compacted")
    shutil.copy(history, compacted)
    subprocess.run([reference_tool, "compact", compacted], check=True)
    snapshot = json.loads(file_records(compacted)[-1])
    snapshot.pop("_date")
    snapshot.pop("_comment")
    assert snapshot["Parent"] and snapshot["Sets"]

    for path in (history, compacted):
        out = subprocess.run(
            [paths.program("test-ovsdb-execute"), "--replay=" + path,
             SCHEMA], check=True, capture_output=True, text=True).stdout
        assert json.loads(out.splitlines()[0]) == snapshot, path


def test_transaction_that_stores_nothing_gives_no_record():
    results, records = our_records([
        [{"op": "insert", "table": "Scalars", "row": {"name": "a"}}],
        [{"op": "update", "table": "Scalars", "where": [],
          "row": {"name": "a"}}],
        [{"op": "update", "table": "Scalars", "where": [],
          "row": {"scratch": 5}}],
        [{"op": "comment", "comment": "x"}],
        [{"op": "insert", "table": "Child", "row": {"name": "orphan"}}]])
    assert [json.loads(r) for r in results[1:]] == [
        [{"count": 1}], [{"count": 1}], [{}],
        [{"uuid": json.loads(results[4])[0]["uuid"]}]]
    assert records[1:] == ["null"] * 4
    assert json.loads(records[0])["Scalars"]


def test_replayed_history_gives_the_same_database(tmp_path):
    _, records = our_records(TXNS)
    path = tmp_path / "db"
    with open(path, "w") as f:
        f.write("OVSDB JSON 0 0\n{}\n")
        for r in records:
            if r != "null":
                f.write("OVSDB JSON 0 0\n%s\n" % r)
    out = subprocess.run(
        [paths.program("test-ovsdb-execute"), "--replay=" + str(path),
         SCHEMA, json.dumps([{"op": "select", "table": "Parent",
                              "where": [], "columns": ["name", "child"]},
                             {"op": "select", "table": "Sets", "where": [],
                              "columns": ["nonempty", "smap", "ints"]},
                             {"op": "select", "table": "Child",
                              "where": []}])],
        check=True, capture_output=True, text=True).stdout.splitlines()
    assert json.loads(out[1]) == [
        {"rows": [{"name": "p", "child": ["set", []]}]},
        {"rows": [{"nonempty": "z", "smap": ["map", [["b", "9"]]],
                   "ints": ["set", [11, 12]]}]},
        {"rows": []}]
