"""schemas/vswitch.ovsschema: the Open_vSwitch database schema of OVS 3.1.

The schema is an interface: it must mean exactly what the reference
package's schema means (same tables, columns, types, constraints, flags,
indexes, version and checksum), whatever its layout.  The comparison
normalises both files (tests/lib/schema_compare.py) and reports every
difference as "table.column: ours X, reference Y".  The comparison itself
is tested against deliberately altered copies, so that it cannot pass by
accident."""

import copy
import json
import os
import subprocess

import pytest

import paths
import schema_compare as sc

OURS = os.path.join(paths.TOP, "schemas", "vswitch.ovsschema")
REFERENCE = "/usr/share/openvswitch/vswitch.ovsschema"

NAME = "Open_vSwitch"
VERSION = "8.3.1"
CKSUM = "3012963480 26720"


@pytest.fixture(scope="module")
def ours():
    return sc.load(OURS)


@pytest.fixture(scope="module")
def reference():
    if not os.path.exists(REFERENCE):
        pytest.skip("reference schema %s is not installed" % REFERENCE)
    return sc.load(REFERENCE)


# ---------------------------------------------------------------------------
# Our file on its own.

def test_ours_is_valid():
    with open(OURS) as f:
        text = f.read()
    schema = json.loads(text)        # valid JSON
    assert schema["name"] == NAME
    assert schema["version"] == VERSION
    assert schema["cksum"] == CKSUM

    # Every refTable names a table of the schema.
    for tname, table in schema["tables"].items():
        for cname, col in table["columns"].items():
            typ = col["type"]
            if not isinstance(typ, dict):
                continue
            for part in ("key", "value"):
                base = typ.get(part)
                if isinstance(base, dict) and "refTable" in base:
                    assert base["refTable"] in schema["tables"], \
                        "%s.%s refers to missing table %s" % (
                            tname, cname, base["refTable"])

    # Every rule of the schema language (unknown members, constraints that
    # do not fit the type, bounds, index columns, ...).
    norm = sc.normalize_schema(schema)
    assert norm["name"] == NAME
    assert norm["tables"]["Open_vSwitch"]["maxRows"] == 1
    assert norm["tables"]["Open_vSwitch"]["isRoot"]

    # Layout: 2-space indentation, no tabs, no trailing blanks.
    for n, line in enumerate(text.splitlines(), 1):
        assert "\t" not in line, "line %d has a tab" % n
        assert line == line.rstrip(), "line %d has trailing blanks" % n
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0 or line.lstrip().startswith('"'), \
            "line %d: odd indentation" % n


def test_reference_ovsdb_tool_reads_ours(tmp_path):
    """Debian's ovsdb-tool parses our schema (it checks it completely) and
    creates a database with it."""
    tool = paths.reference("ovsdb-tool")

    def run(*args):
        return subprocess.run([tool] + list(args), check=True,
                              capture_output=True, text=True).stdout

    assert run("schema-name", OURS) == NAME + "\n"
    assert run("schema-version", OURS) == VERSION + "\n"
    assert run("schema-cksum", OURS) == CKSUM + "\n"
    db = str(tmp_path / "conf.db")
    run("create", db, OURS)
    assert run("db-version", db) == VERSION + "\n"
    assert run("db-cksum", db) == CKSUM + "\n"


# ---------------------------------------------------------------------------
# Ours against the reference.

def test_matches_reference(ours, reference):
    diffs = sc.diff_schemas(ours, reference)
    assert not diffs, "%d difference(s) from %s:\n%s" % (
        len(diffs), REFERENCE, "\n".join(diffs))


def test_reference_in_long_form_matches(ours, reference):
    """Spelling the reference out in the longest form changes nothing."""
    assert sc.diff_schemas(ours, longest_form(reference)) == []
    assert sc.diff_schemas(shortest_form(ours), reference) == []


# ---------------------------------------------------------------------------
# The comparison catches every kind of alteration.

def _col(schema, table, column):
    return schema["tables"][table]["columns"][column]


def _base(schema, table, column, part="key"):
    typ = _col(schema, table, column)["type"]
    base = typ[part]
    if isinstance(base, str):
        base = typ[part] = {"type": base}
    return base


def _set(d, k, v):
    d[k] = v


def _rename_ref(s, t, c, new):
    _base(s, t, c)["refTable"] = new


ALTERATIONS = [
    ("set max", lambda s: _set(_col(s, "Bridge", "flood_vlans")["type"],
                               "max", 4095),
     ["Bridge.flood_vlans: type.max: ours 4095, reference 4096"]),
    ("max unlimited to 1",
     lambda s: _set(_col(s, "Bridge", "ports")["type"], "max", 1),
     ['Bridge.ports: type.max: ours 1, reference "unlimited"']),
    ("set min", lambda s: _set(_col(s, "Port", "interfaces")["type"],
                               "min", 0),
     ["Port.interfaces: type.min: ours 0, reference 1"]),
    ("immutable dropped",
     lambda s: _col(s, "Bridge", "name").pop("mutable"),
     ["Bridge.name: mutable: ours true, reference false"]),
    ("ephemeral dropped",
     lambda s: _col(s, "Interface", "status").pop("ephemeral"),
     ["Interface.status: ephemeral: ours false, reference true"]),
    ("ephemeral added",
     lambda s: _set(_col(s, "Interface", "options"), "ephemeral", True),
     ["Interface.options: ephemeral: ours true, reference false"]),
    ("enum member dropped",
     lambda s: _base(s, "Port", "vlan_mode")["enum"][1].remove(
         "dot1q-tunnel"),
     ['Port.vlan_mode: type.key.enum: ours ["access", "native-tagged", '
      '"native-untagged", "trunk"], reference ["access", "dot1q-tunnel", '
      '"native-tagged", "native-untagged", "trunk"]']),
    ("maxInteger", lambda s: _set(_base(s, "Port", "tag"), "maxInteger",
                                  4096),
     ["Port.tag: type.key.maxInteger: ours 4096, reference 4095"]),
    ("minInteger dropped",
     lambda s: _base(s, "Interface", "ingress_policing_rate").pop(
         "minInteger"),
     ["Interface.ingress_policing_rate: type.key.minInteger: "
      "ours (absent), reference 0"]),
    ("value bound",
     lambda s: _set(_base(s, "AutoAttach", "mappings", "value"),
                    "maxInteger", 4094),
     ["AutoAttach.mappings: type.value.maxInteger: ours 4094, "
      "reference 4095"]),
    ("weak to strong",
     lambda s: _base(s, "Mirror", "output_port").pop("refType"),
     ['Mirror.output_port: type.key.refType: ours "strong", '
      'reference "weak"']),
    ("refTable", lambda s: _rename_ref(s, "Bridge", "ports", "Interface"),
     ['Bridge.ports: type.key.refTable: ours "Interface", '
      'reference "Port"']),
    ("key type",
     lambda s: _set(_col(s, "Interface", "ofport")["type"], "key",
                    "string"),
     ['Interface.ofport: type.key.type: ours "string", '
      'reference "integer"']),
    ("map value type",
     lambda s: _set(_col(s, "Port", "statistics")["type"], "value",
                    "string"),
     ['Port.statistics: type.value.type: ours "string", '
      'reference "integer"']),
    ("map to set",
     lambda s: _col(s, "Interface", "options")["type"].pop("value"),
     ["Interface.options: type.value: ours (absent), reference present"]),
    ("index dropped", lambda s: s["tables"]["Manager"].pop("indexes"),
     ['Manager: indexes: ours [], reference [["target"]]']),
    ("index narrowed",
     lambda s: _set(s["tables"]["Flow_Sample_Collector_Set"], "indexes",
                    [["id"]]),
     ['Flow_Sample_Collector_Set: indexes: ours [["id"]], '
      'reference [["bridge", "id"]]']),
    ("maxRows dropped", lambda s: s["tables"]["Open_vSwitch"].pop("maxRows"),
     ["Open_vSwitch: maxRows: ours (absent), reference 1"]),
    ("isRoot dropped", lambda s: s["tables"]["QoS"].pop("isRoot"),
     ["QoS: isRoot: ours false, reference true"]),
    ("isRoot added", lambda s: _set(s["tables"]["Port"], "isRoot", True),
     ["Port: isRoot: ours true, reference false"]),
    ("column dropped",
     lambda s: s["tables"]["Bridge"]["columns"].pop("protocols"),
     ["Bridge.protocols: column missing from ours"]),
    ("column added",
     lambda s: _set(s["tables"]["Bridge"]["columns"], "colour",
                    {"type": "string"}),
     ["Bridge.colour: column not in the reference"]),
    ("table dropped",
     lambda s: s["tables"].pop("Flow_Sample_Collector_Set"),
     ["table Flow_Sample_Collector_Set: missing from ours"]),
    ("version", lambda s: _set(s, "version", "8.3.0"),
     ['schema version: ours "8.3.0", reference "8.3.1"']),
    ("cksum", lambda s: _set(s, "cksum", "1 2"),
     ['schema cksum: ours "1 2", reference "3012963480 26720"']),
    ("name", lambda s: _set(s, "name", "Open_vSwitch2"),
     ['schema name: ours "Open_vSwitch2", reference "Open_vSwitch"']),
]


@pytest.mark.parametrize("alter,expected",
                         [(a, e) for _, a, e in ALTERATIONS],
                         ids=[n for n, _, _ in ALTERATIONS])
def test_comparison_catches_alteration(ours, alter, expected):
    altered = copy.deepcopy(ours)
    alter(altered)
    assert altered != ours
    assert sc.diff_schemas(altered, ours) == expected


def test_comparison_reports_every_difference(ours):
    altered = copy.deepcopy(ours)
    for _, alter, _ in ALTERATIONS[:10]:
        alter(altered)
    diffs = sc.diff_schemas(altered, ours)
    assert sorted(diffs) == sorted(
        line for _, _, e in ALTERATIONS[:10] for line in e)


# ---------------------------------------------------------------------------
# Equivalent spellings compare equal.

def _long_base(base):
    if isinstance(base, str):
        base = {"type": base}
    base = dict(base)
    if "refTable" in base:
        base.setdefault("refType", "strong")
    if base["type"] == "string":
        base.setdefault("minLength", 0)
    if base["type"] == "integer":
        base.setdefault("minInteger", sc.INT64_MIN)
        base.setdefault("maxInteger", sc.INT64_MAX)
    enum = base.get("enum")
    if enum is not None:
        if isinstance(enum, list) and enum and enum[0] == "set":
            base["enum"] = ["set", list(reversed(enum[1]))]
        else:
            base["enum"] = ["set", [enum]]
    return dict(reversed(list(base.items())))


def longest_form(schema):
    """The same schema with every default spelled out, every type in its
    longest form, and every order that does not matter reversed."""
    out = copy.deepcopy(schema)
    tables = {}
    for tname, table in reversed(list(out["tables"].items())):
        table.setdefault("isRoot", False)
        table["indexes"] = [list(reversed(i))
                            for i in reversed(table.get("indexes", []))]
        cols = {}
        for cname, col in reversed(list(table["columns"].items())):
            typ = col["type"]
            if isinstance(typ, str):
                typ = {"key": typ}
            typ = dict(typ)
            typ["key"] = _long_base(typ["key"])
            if "value" in typ:
                typ["value"] = _long_base(typ["value"])
            typ.setdefault("min", 1)
            typ.setdefault("max", 1)
            col["type"] = typ
            col.setdefault("mutable", True)
            col.setdefault("ephemeral", False)
            cols[cname] = col
        table["columns"] = cols
        tables[tname] = table
    out["tables"] = tables
    return out


def _short_base(base):
    if isinstance(base, dict):
        base = dict(base)
        for member, default in (("refType", "strong"), ("minLength", 0),
                                ("minInteger", sc.INT64_MIN),
                                ("maxInteger", sc.INT64_MAX)):
            if base.get(member) == default:
                del base[member]
        enum = base.get("enum")
        if isinstance(enum, list) and enum[0] == "set" and len(enum[1]) == 1:
            base["enum"] = enum[1][0]
        if list(base) == ["type"]:
            return base["type"]
    return base


def shortest_form(schema):
    """The same schema with every default left out and every type in its
    shortest form."""
    out = copy.deepcopy(schema)
    for table in out["tables"].values():
        if table.get("isRoot") is False:
            del table["isRoot"]
        if table.get("indexes") == []:
            del table["indexes"]
        for col in table["columns"].values():
            typ = col["type"]
            if isinstance(typ, dict):
                typ = dict(typ)
                typ["key"] = _short_base(typ["key"])
                if "value" in typ:
                    typ["value"] = _short_base(typ["value"])
                for m in ("min", "max"):
                    if typ.get(m) == 1:
                        del typ[m]
                if list(typ) == ["key"] and isinstance(typ["key"], str):
                    typ = typ["key"]
            col["type"] = typ
            if col.get("mutable") is True:
                del col["mutable"]
            if col.get("ephemeral") is False:
                del col["ephemeral"]
    return out


def test_equivalent_forms_compare_equal(ours):
    long_ = longest_form(ours)
    short = shortest_form(long_)
    assert long_ != ours and short != long_
    assert sc.diff_schemas(long_, ours) == []
    assert sc.diff_schemas(ours, long_) == []
    assert sc.diff_schemas(short, long_) == []
    assert sc.normalize_schema(short) == sc.normalize_schema(ours)


SMALL = {
    "name": "Small", "version": "1.0.0",
    "tables": {
        "A": {"columns": {"s": {"type": "string"},
                          "e": {"type": {"key": {"type": "string",
                                                 "enum": "x"}}},
                          "r": {"type": {"key": {"type": "uuid",
                                                 "refTable": "B"},
                                         "min": 0, "max": "unlimited"}}}},
        "B": {"columns": {"n": {"type": "integer"}}},
    },
}


def test_single_atom_enum_and_isroot_compatibility():
    variant = copy.deepcopy(SMALL)
    variant["tables"]["A"]["columns"]["e"]["type"] = {
        "key": {"type": "string", "enum": ["set", ["x"]]}, "min": 1,
        "max": 1}
    variant["tables"]["A"]["columns"]["s"]["type"] = {
        "key": {"type": "string"}}
    assert sc.diff_schemas(variant, SMALL) == []

    # No table says isRoot: every table is a root table (as in
    # ovsdb-server); as soon as one says so, the others are not.
    norm = sc.normalize_schema(SMALL)
    assert norm["tables"]["A"]["isRoot"] and norm["tables"]["B"]["isRoot"]
    variant["tables"]["A"]["isRoot"] = True
    assert sc.diff_schemas(variant, SMALL) == [
        "B: isRoot: ours false, reference true"]


# ---------------------------------------------------------------------------
# The normaliser rejects what the schema language does not allow, rather
# than hiding it.

def _small_col(s, c="s"):
    return s["tables"]["A"]["columns"][c]


MALFORMED = [
    ("typo in a constraint",
     lambda s: _set(_small_col(s), "type",
                    {"key": {"type": "integer", "minInterger": 0}}),
     "unknown member(s) minInterger"),
    ("constraint for another type",
     lambda s: _set(_small_col(s), "type",
                    {"key": {"type": "integer", "minLength": 1}}),
     "minLength does not apply to type integer"),
    ("unknown atomic type",
     lambda s: _set(_small_col(s), "type", "int"),
     'unknown atomic type "int"'),
    ("enum of the wrong type",
     lambda s: _set(_small_col(s, "e")["type"]["key"], "enum",
                    ["set", ["x", 1]]),
     "1 is not a string"),
    ("min greater than max",
     lambda s: _set(_small_col(s), "type", {"key": "string", "min": 2}),
     "min 2 is greater than max 1"),
    ("max zero",
     lambda s: _set(_small_col(s), "type", {"key": "string", "max": 0}),
     "max: 0 is neither"),
    ("boolean as a count",
     lambda s: _set(_small_col(s), "type", {"key": "string", "min": False}),
     "min: false is not a non-negative integer"),
    ("string as a flag",
     lambda s: _set(_small_col(s), "mutable", "false"),
     'mutable: "false" is not a boolean'),
    ("unknown column member",
     lambda s: _set(_small_col(s), "immutable", True),
     "unknown member(s) immutable"),
    ("unknown table member",
     lambda s: _set(s["tables"]["A"], "isroot", True),
     "unknown member(s) isroot"),
    ("dangling refTable",
     lambda s: _set(_small_col(s, "r")["type"]["key"], "refTable", "C"),
     "no table named C"),
    ("bad refType",
     lambda s: _set(_small_col(s, "r")["type"]["key"], "refType", "soft"),
     '"soft" is neither strong nor weak'),
    ("index of a missing column",
     lambda s: _set(s["tables"]["A"], "indexes", [["s"], ["t"]]),
     '"t" is not a column of the table'),
    ("inverted bounds",
     lambda s: _set(_small_col(s), "type",
                    {"key": {"type": "integer", "minInteger": 5,
                             "maxInteger": 4}}),
     "minInteger 5 is greater than maxInteger 4"),
    ("bad version",
     lambda s: _set(s, "version", "8.3"),
     '"8.3" is not x.y.z'),
]


@pytest.mark.parametrize("alter,message",
                         [(a, m) for _, a, m in MALFORMED],
                         ids=[n for n, _, _ in MALFORMED])
def test_normaliser_rejects_malformed(alter, message):
    bad = copy.deepcopy(SMALL)
    alter(bad)
    with pytest.raises(sc.SchemaError) as e:
        sc.diff_schemas(bad, SMALL)
    assert message in str(e.value)
    assert str(e.value).startswith("ours: ")
