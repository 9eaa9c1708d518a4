"""Normalises OVSDB schemas (RFC 7047 section 3.2, ovsdb(7)) so that two
schemas can be compared for meaning rather than for spelling, and reports
every difference between them.

Normalisation removes only what the schema language itself says is
equivalent:

  - an atomic type written as "string", {"key": "string"} or
    {"key": {"type": "string"}};
  - "min" and "max" omitted versus 1, "mutable" omitted versus true,
    "ephemeral" omitted versus false, "isRoot" omitted versus false (and,
    as ovsdb-server does, every table is a root table when no table of the
    schema sets "isRoot" to true), "maxRows" omitted (no limit);
  - "refType" omitted versus "strong";
  - bounds equal to the natural limits of the type (minInteger
    -2**63, maxInteger 2**63-1, minLength 0, maxLength 2**32-1) versus
    omitted;
  - an "enum" written as a single atom versus ["set", [atoms]], in any
    order;
  - the order of indexes and of the columns inside an index.

Anything else is kept, and anything the schema language does not allow is
rejected with SchemaError naming where it is (a typo such as "minInterger"
must not disappear in the normalisation and make two schemas look equal).
"""

import json
import math
import re

ATOMIC_TYPES = ("integer", "real", "boolean", "string", "uuid")
UNLIMITED = "unlimited"

INT64_MIN = -2 ** 63
INT64_MAX = 2 ** 63 - 1
UINT_MAX = 2 ** 32 - 1
DBL_MAX = 1.7976931348623157e308

ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
VERSION_RE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")

# The members each kind of object may have, and which base types each
# constraint applies to.
SCHEMA_MEMBERS = {"name", "version", "cksum", "tables"}
TABLE_MEMBERS = {"columns", "maxRows", "isRoot", "indexes"}
COLUMN_MEMBERS = {"type", "ephemeral", "mutable"}
TYPE_MEMBERS = {"key", "value", "min", "max"}
BASE_CONSTRAINTS = {
    "integer": ("minInteger", "maxInteger"),
    "real": ("minReal", "maxReal"),
    "boolean": (),
    "string": ("minLength", "maxLength"),
    "uuid": ("refTable", "refType"),
}
BASE_MEMBERS = {"type", "enum"} | {
    m for ms in BASE_CONSTRAINTS.values() for m in ms}


class SchemaError(Exception):
    """A schema that the OVSDB schema language does not allow."""


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x):
    return (isinstance(x, (int, float)) and not isinstance(x, bool)
            and math.isfinite(x))


def _check_members(obj, allowed, where):
    if not isinstance(obj, dict):
        raise SchemaError("%s: expected a JSON object, got %s"
                          % (where, json.dumps(obj)))
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise SchemaError("%s: unknown member(s) %s"
                          % (where, ", ".join(unknown)))


def _atom(atomic, value, where):
    """Checks that 'value' is an atom of type 'atomic' in JSON form and
    returns a hashable, canonical representation of it."""
    if atomic == "integer":
        if not _is_int(value):
            raise SchemaError("%s: %s is not an integer"
                              % (where, json.dumps(value)))
        return value
    if atomic == "real":
        if not _is_number(value):
            raise SchemaError("%s: %s is not a real"
                              % (where, json.dumps(value)))
        return float(value)
    if atomic == "boolean":
        if not isinstance(value, bool):
            raise SchemaError("%s: %s is not a boolean"
                              % (where, json.dumps(value)))
        return value
    if atomic == "string":
        if not isinstance(value, str):
            raise SchemaError("%s: %s is not a string"
                              % (where, json.dumps(value)))
        return value
    # uuid: ["uuid", "<uuid>"]
    if (not isinstance(value, list) or len(value) != 2
            or value[0] != "uuid" or not isinstance(value[1], str)
            or not re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                            r"[0-9a-f]{4}-[0-9a-f]{12}$", value[1])):
        raise SchemaError("%s: %s is not a uuid"
                          % (where, json.dumps(value)))
    return ("uuid", value[1])


def _enum(atomic, value, where):
    """An "enum" is one atom or ["set", [atoms]]; returns a frozenset."""
    if (isinstance(value, list) and len(value) == 2 and value[0] == "set"
            and isinstance(value[1], list)):
        atoms = [_atom(atomic, v, where) for v in value[1]]
        if len(set(atoms)) != len(atoms):
            raise SchemaError("%s: duplicate value in enum" % where)
    else:
        atoms = [_atom(atomic, value, where)]
    if not atoms:
        raise SchemaError("%s: empty enum" % where)
    return frozenset(atoms)


def normalize_base(base, where):
    """Returns a <base-type> as a dict with every member that applies to its
    atomic type present (None meaning "no constraint")."""
    if isinstance(base, str):
        base = {"type": base}
    _check_members(base, BASE_MEMBERS, where)
    atomic = base.get("type")
    if atomic not in ATOMIC_TYPES:
        raise SchemaError("%s: unknown atomic type %s"
                          % (where, json.dumps(atomic)))
    for member in base:
        if member in ("type", "enum"):
            continue
        if member not in BASE_CONSTRAINTS[atomic]:
            raise SchemaError("%s: %s does not apply to type %s"
                              % (where, member, atomic))

    out = {"type": atomic,
           "enum": (_enum(atomic, base["enum"], where + ".enum")
                    if "enum" in base else None)}
    if atomic == "integer":
        lo, hi = base.get("minInteger"), base.get("maxInteger")
        for name, v in (("minInteger", lo), ("maxInteger", hi)):
            if v is not None and not _is_int(v):
                raise SchemaError("%s.%s: %s is not an integer"
                                  % (where, name, json.dumps(v)))
            if v is not None and not INT64_MIN <= v <= INT64_MAX:
                raise SchemaError("%s.%s: %d is out of the 64-bit range"
                                  % (where, name, v))
        out["minInteger"] = None if lo in (None, INT64_MIN) else lo
        out["maxInteger"] = None if hi in (None, INT64_MAX) else hi
    elif atomic == "real":
        lo, hi = base.get("minReal"), base.get("maxReal")
        for name, v in (("minReal", lo), ("maxReal", hi)):
            if v is not None and not _is_number(v):
                raise SchemaError("%s.%s: %s is not a real"
                                  % (where, name, json.dumps(v)))
        out["minReal"] = None if lo in (None, -DBL_MAX) else float(lo)
        out["maxReal"] = None if hi in (None, DBL_MAX) else float(hi)
    elif atomic == "string":
        lo, hi = base.get("minLength"), base.get("maxLength")
        for name, v in (("minLength", lo), ("maxLength", hi)):
            if v is not None and (not _is_int(v) or not 0 <= v <= UINT_MAX):
                raise SchemaError("%s.%s: %s is not a length"
                                  % (where, name, json.dumps(v)))
        out["minLength"] = None if lo in (None, 0) else lo
        out["maxLength"] = None if hi in (None, UINT_MAX) else hi
    elif atomic == "uuid":
        table = base.get("refTable")
        ref_type = base.get("refType")
        if table is not None and (not isinstance(table, str)
                                  or not ID_RE.match(table)):
            raise SchemaError("%s.refTable: %s is not a table name"
                              % (where, json.dumps(table)))
        if ref_type is not None:
            if table is None:
                raise SchemaError("%s: refType without refTable" % where)
            if ref_type not in ("strong", "weak"):
                raise SchemaError("%s.refType: %s is neither strong nor weak"
                                  % (where, json.dumps(ref_type)))
        out["refTable"] = table
        out["refType"] = (ref_type or "strong") if table else None

    for lo_name, hi_name in (("minInteger", "maxInteger"),
                             ("minReal", "maxReal"),
                             ("minLength", "maxLength")):
        lo, hi = out.get(lo_name), out.get(hi_name)
        if lo is not None and hi is not None and lo > hi:
            raise SchemaError("%s: %s %s is greater than %s %s"
                              % (where, lo_name, lo, hi_name, hi))
    return out


def normalize_type(typ, where):
    """Returns a <type> as {"key": base, "value": base or None,
    "min": int, "max": int or "unlimited"}."""
    if isinstance(typ, str):
        typ = {"key": typ}
    _check_members(typ, TYPE_MEMBERS, where)
    if "key" not in typ:
        raise SchemaError("%s: missing key" % where)
    key = normalize_base(typ["key"], where + ".key")
    value = (normalize_base(typ["value"], where + ".value")
             if "value" in typ else None)
    n_min = typ.get("min", 1)
    n_max = typ.get("max", 1)
    if not _is_int(n_min) or n_min < 0:
        raise SchemaError("%s.min: %s is not a non-negative integer"
                          % (where, json.dumps(n_min)))
    if n_max != UNLIMITED and (not _is_int(n_max) or n_max < 1):
        raise SchemaError("%s.max: %s is neither a positive integer nor "
                          "\"unlimited\"" % (where, json.dumps(n_max)))
    if n_max != UNLIMITED and n_min > n_max:
        raise SchemaError("%s: min %d is greater than max %d"
                          % (where, n_min, n_max))
    return {"key": key, "value": value, "min": n_min, "max": n_max}


def normalize_column(col, where):
    _check_members(col, COLUMN_MEMBERS, where)
    if "type" not in col:
        raise SchemaError("%s: missing type" % where)
    out = {"type": normalize_type(col["type"], where + ".type")}
    for member, default in (("mutable", True), ("ephemeral", False)):
        v = col.get(member, default)
        if not isinstance(v, bool):
            raise SchemaError("%s.%s: %s is not a boolean"
                              % (where, member, json.dumps(v)))
        out[member] = v
    return out


def normalize_table(table, where):
    _check_members(table, TABLE_MEMBERS, where)
    columns = table.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise SchemaError("%s: columns must be a non-empty object" % where)
    out_cols = {}
    for name, col in columns.items():
        if not ID_RE.match(name) or name.startswith("_"):
            raise SchemaError("%s: %s is not a valid column name"
                              % (where, json.dumps(name)))
        out_cols[name] = normalize_column(col, "%s.%s" % (where, name))

    is_root = table.get("isRoot", False)
    if not isinstance(is_root, bool):
        raise SchemaError("%s.isRoot: %s is not a boolean"
                          % (where, json.dumps(is_root)))
    max_rows = table.get("maxRows")
    if max_rows is not None and (not _is_int(max_rows) or max_rows < 1):
        raise SchemaError("%s.maxRows: %s is not a positive integer"
                          % (where, json.dumps(max_rows)))

    indexes = table.get("indexes", [])
    if not isinstance(indexes, list):
        raise SchemaError("%s.indexes: not an array" % where)
    out_idx = set()
    for i, index in enumerate(indexes):
        iw = "%s.indexes[%d]" % (where, i)
        if not isinstance(index, list) or not index:
            raise SchemaError("%s: an index is a non-empty array of column "
                              "names" % iw)
        for c in index:
            if not isinstance(c, str) or c not in out_cols:
                raise SchemaError("%s: %s is not a column of the table"
                                  % (iw, json.dumps(c)))
            if out_cols[c]["ephemeral"]:
                raise SchemaError("%s: ephemeral column %s in an index"
                                  % (iw, c))
        if len(set(index)) != len(index):
            raise SchemaError("%s: duplicate column" % iw)
        out_idx.add(frozenset(index))
    return {"columns": out_cols, "isRoot": is_root, "maxRows": max_rows,
            "indexes": frozenset(out_idx)}


def normalize_schema(schema, where="schema"):
    """Returns the normalised form of a parsed schema (a dict)."""
    _check_members(schema, SCHEMA_MEMBERS, where)
    name = schema.get("name")
    if not isinstance(name, str) or not ID_RE.match(name):
        raise SchemaError("%s.name: %s is not a database name"
                          % (where, json.dumps(name)))
    version = schema.get("version")
    if version is not None and (not isinstance(version, str)
                                or not VERSION_RE.match(version)):
        raise SchemaError("%s.version: %s is not x.y.z"
                          % (where, json.dumps(version)))
    cksum = schema.get("cksum")
    if cksum is not None and not isinstance(cksum, str):
        raise SchemaError("%s.cksum: %s is not a string"
                          % (where, json.dumps(cksum)))
    tables = schema.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise SchemaError("%s.tables: must be a non-empty object" % where)
    out = {}
    for tname, table in tables.items():
        if not ID_RE.match(tname) or tname.startswith("_"):
            raise SchemaError("%s.tables: %s is not a valid table name"
                              % (where, json.dumps(tname)))
        out[tname] = normalize_table(table, tname)

    # Schemas written before "isRoot" existed: all tables are roots.
    if not any(t["isRoot"] for t in out.values()):
        for t in out.values():
            t["isRoot"] = True

    for tname, table in out.items():
        for cname, col in table["columns"].items():
            for part in ("key", "value"):
                base = col["type"][part]
                if base and base.get("refTable") is not None \
                        and base["refTable"] not in out:
                    raise SchemaError("%s.%s.type.%s.refTable: no table "
                                      "named %s" % (tname, cname, part,
                                                    base["refTable"]))
    return {"name": name, "version": version, "cksum": cksum,
            "tables": out}


def load(path):
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------------------
# Comparison.

def _show(v):
    if v is None:
        return "(absent)"
    if isinstance(v, frozenset):
        items = sorted(v, key=lambda x: (str(type(x)), x))
        if items and isinstance(items[0], frozenset):
            return json.dumps([sorted(i) for i in
                               sorted(items, key=lambda s: sorted(s))])
        return json.dumps(items)
    return json.dumps(v)


def _diff_base(ours, ref, where, out):
    if ours is None or ref is None:
        if ours is not ref:
            out.append("%s: ours %s, reference %s"
                       % (where, "(absent)" if ours is None else "present",
                          "(absent)" if ref is None else "present"))
        return
    if ours["type"] != ref["type"]:
        out.append("%s.type: ours %s, reference %s"
                   % (where, _show(ours["type"]), _show(ref["type"])))
        return
    for member in ["enum"] + list(BASE_CONSTRAINTS[ours["type"]]):
        if ours.get(member) != ref.get(member):
            out.append("%s.%s: ours %s, reference %s"
                       % (where, member, _show(ours.get(member)),
                          _show(ref.get(member))))


def diff_columns(ours, ref, where):
    out = []
    for member in ("mutable", "ephemeral"):
        if ours[member] != ref[member]:
            out.append("%s: %s: ours %s, reference %s"
                       % (where, member, _show(ours[member]),
                          _show(ref[member])))
    ot, rt = ours["type"], ref["type"]
    for part in ("key", "value"):
        sub = []
        _diff_base(ot[part], rt[part], "type." + part, sub)
        out.extend("%s: %s" % (where, s) for s in sub)
    for member in ("min", "max"):
        if ot[member] != rt[member]:
            out.append("%s: type.%s: ours %s, reference %s"
                       % (where, member, _show(ot[member]),
                          _show(rt[member])))
    return out


def diff_normalized(ours, ref):
    """Returns a list of human-readable differences between two normalised
    schemas, one line per difference, empty when they are equivalent."""
    out = []
    for member in ("name", "version", "cksum"):
        if ours[member] != ref[member]:
            out.append("schema %s: ours %s, reference %s"
                       % (member, _show(ours[member]), _show(ref[member])))
    ot, rt = ours["tables"], ref["tables"]
    for t in sorted(set(rt) - set(ot)):
        out.append("table %s: missing from ours" % t)
    for t in sorted(set(ot) - set(rt)):
        out.append("table %s: not in the reference" % t)
    for t in sorted(set(ot) & set(rt)):
        a, b = ot[t], rt[t]
        for member in ("isRoot", "maxRows", "indexes"):
            if a[member] != b[member]:
                out.append("%s: %s: ours %s, reference %s"
                           % (t, member, _show(a[member]), _show(b[member])))
        ac, bc = a["columns"], b["columns"]
        for c in sorted(set(bc) - set(ac)):
            out.append("%s.%s: column missing from ours" % (t, c))
        for c in sorted(set(ac) - set(bc)):
            out.append("%s.%s: column not in the reference" % (t, c))
        for c in sorted(set(ac) & set(bc)):
            out.extend(diff_columns(ac[c], bc[c], "%s.%s" % (t, c)))
    return out


def diff_schemas(ours, ref):
    """Normalises two parsed schemas and returns their differences."""
    normalized = []
    for label, schema in (("ours", ours), ("reference", ref)):
        try:
            normalized.append(normalize_schema(schema))
        except SchemaError as e:
            raise SchemaError("%s: %s" % (label, e)) from None
    return diff_normalized(*normalized)
