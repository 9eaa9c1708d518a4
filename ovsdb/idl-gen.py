#!/usr/bin/env python3
"""Generates the typed C binding of the IDL (ovsdb/idl.h) for one OVSDB
schema.

    idl-gen.py SCHEMA PREFIX HEADER_PATH OUT_H OUT_C

writes OUT_H and OUT_C for the schema file SCHEMA.  Every external name
starts with PREFIX ("ovsrec_" for vswitch.ovsschema, as OVS's C code
names them, so that code written against that layout reads naturally);
HEADER_PATH is how OUT_C includes OUT_H ("ovsdb/vswitch-idl.h").

For each table T the header declares 'struct PREFIXt' (lower case) whose
first member 'header_' is a 'struct idl_row' and whose other members hold
the columns in C types (see ovsdb/idl-provider.h for the layout), and the
functions:

    PREFIXt_first(idl), PREFIXt_next(row), PREFIXT_FOR_EACH(row, idl),
    PREFIXT_FOR_EACH_SAFE(row, next, idl), PREFIXt_get_for_uuid(idl, uuid),
    PREFIXt_insert(txn), PREFIXt_insert_persist_uuid(txn, uuid),
    PREFIXt_delete(row), PREFIXt_set_C(row, ...), PREFIXt_verify_C(row),
    PREFIXt_update_C_addvalue/_delvalue(row, elem)   (sets)
    PREFIXt_update_C_setkey(row, key, value)/_delkey(row, key)   (maps)
    PREFIXt_track_get_first(idl), PREFIXt_track_get_next(row),
    PREFIXT_FOR_EACH_TRACKED(row, idl), PREFIXt_row_get_seqno(row, kind),
    PREFIXt_is_new(row), PREFIXt_is_deleted(row), PREFIXt_is_updated(row, C),
    PREFIXt_add_clause_C(cond, function, ...), PREFIXt_set_condition(idl,
    cond)

and the descriptors PREFIXt_col_C, PREFIXtable_t and PREFIXidl_class.
Only the Python 3 standard library is used."""

import json
import sys

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "bool", "true", "false",
}

ATOMIC = {
    "integer": "OVSDB_TYPE_INTEGER",
    "real": "OVSDB_TYPE_REAL",
    "boolean": "OVSDB_TYPE_BOOLEAN",
    "string": "OVSDB_TYPE_STRING",
    "uuid": "OVSDB_TYPE_UUID",
}


class BaseType:
    def __init__(self, json_):
        if isinstance(json_, str):
            json_ = {"type": json_}
        self.type = json_["type"]
        if self.type not in ATOMIC:
            raise ValueError("unknown atomic type %r" % self.type)
        self.enum = None
        if "enum" in json_:
            e = json_["enum"]
            if isinstance(e, list) and len(e) == 2 and e[0] == "set":
                e = e[1]
            elif not isinstance(e, list):
                e = [e]
            self.enum = sorted(set(e) if self.type != "uuid" else e)
        self.min_int = json_.get("minInteger")
        self.max_int = json_.get("maxInteger")
        self.min_real = json_.get("minReal")
        self.max_real = json_.get("maxReal")
        self.min_len = json_.get("minLength", 0)
        self.max_len = json_.get("maxLength")
        self.ref_table = json_.get("refTable")
        self.ref_type = json_.get("refType", "strong")

    def is_ref(self):
        return self.type == "uuid" and self.ref_table is not None


class Type:
    def __init__(self, json_):
        if isinstance(json_, str) or "key" not in json_:
            self.key = BaseType(json_)
            self.value = None
            self.n_min = self.n_max = 1
            return
        self.key = BaseType(json_["key"])
        self.value = BaseType(json_["value"]) if "value" in json_ else None
        self.n_min = json_.get("min", 1)
        n_max = json_.get("max", 1)
        self.n_max = None if n_max == "unlimited" else n_max

    def is_scalar(self):
        return self.value is None and self.n_min == 1 and self.n_max == 1

    def is_map(self):
        return self.value is not None

    def is_smap(self):
        return (self.is_map() and self.key.type == "string"
                and self.value.type == "string")

    def is_set(self):
        return not self.is_scalar() and not self.is_map()


def split_top(text, sep=","):
    """Splits 'text' at 'sep' outside parentheses and braces."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [x.strip() for x in parts]


def wrap(line, width=79):
    """Wraps a long C line (a declaration, call or initializer) at the
    commas of its first parenthesis or brace, so generated code keeps to
    79 columns like the rest of the tree."""
    if len(line) <= width:
        return line
    if line.startswith("#define "):
        name, body = line.split(" ", 2)[1:]
        return "#define %s \\\n    %s" % (name, body)
    indent = len(line) - len(line.lstrip())
    opens = [i for i in (line.find("("), line.find("{")) if i >= 0]
    if not opens:
        return line
    start = min(opens)
    close = {"(": ")", "{": "}"}[line[start]]
    end = line.rfind(close)
    if end < start:
        return line
    head, inner, tail = line[:start + 1], line[start + 1:end], line[end:]
    args = split_top(inner)
    pad = " " * (len(head) if len(head) < width // 2 else indent + 4)
    if pad != " " * len(head):
        head = head + "\n" + pad.rstrip("\n")
        first = pad
    else:
        first = ""
    out, cur = [], head
    line_len = len(head.split("\n")[-1])
    for i, arg in enumerate(args):
        piece = arg + ("," if i < len(args) - 1 else "")
        extra = len(tail) if i == len(args) - 1 else 0
        if (line_len + len(piece) + 1 + extra > width
                and line_len > len(pad)):
            out.append(cur.rstrip())
            cur, line_len = pad, len(pad)
        sep = "" if cur.endswith(("(", "{", "\n" + pad)) or line_len == len(
            pad) else " "
        cur += sep + piece
        line_len += len(sep) + len(piece)
    out.append(cur + tail)
    return "\n".join(out)


class Wrapper:
    """A file-like object that wraps each line written to it."""

    def __init__(self, f):
        self.f = f
        self.buf = ""
        self.continued = False

    def write(self, text):
        self.buf += text
        while "\n" in self.buf:
            line, self.buf = self.buf.split("\n", 1)
            # Lines of multi-line macros stay as written.
            in_macro = line.endswith("\\") or self.continued
            self.continued = line.endswith("\\")
            self.f.write((line if in_macro else wrap(line)) + "\n")

    def close(self):
        if self.buf:
            self.f.write(wrap(self.buf))


def ptr(ctype):
    """The C type of a pointer to 'ctype'."""
    return ctype + ("*" if ctype.endswith("*") else " *")


def addr(base, var):
    """The address of the C value of 'base' in argument 'var': plain UUIDs
    are passed by pointer already."""
    if base.type == "uuid" and not base.is_ref():
        return var
    return "&" + var


class Generator:
    def __init__(self, schema, prefix, header_path):
        self.schema = schema
        self.prefix = prefix
        self.header_path = header_path
        self.tables = sorted(schema["tables"].keys())
        self.table_index = {t: i for i, t in enumerate(self.tables)}

    # Names.
    def struct(self, table):
        return self.prefix + table.lower()

    def macro(self, table):
        return (self.prefix + table).upper()

    def columns(self, table):
        cols = self.schema["tables"][table]["columns"]
        return [(name, Type(cols[name]["type"]), cols[name])
                for name in sorted(cols)]

    @staticmethod
    def member(name):
        return name + "_" if name in C_KEYWORDS else name

    def c_type(self, base):
        """The C type of one element of 'base' in a row struct."""
        if base.type == "integer":
            return "int64_t"
        if base.type == "real":
            return "double"
        if base.type == "boolean":
            return "bool"
        if base.type == "string":
            return "char *"
        if base.is_ref():
            return "struct %s *" % self.struct(base.ref_table)
        return "struct uuid"

    def arg_type(self, base):
        """The C type of one element passed as an argument."""
        if base.type == "string":
            return "const char *"
        if base.is_ref():
            return "const struct %s *" % self.struct(base.ref_table)
        if base.type == "uuid":
            return "const struct uuid *"
        return self.c_type(base)

    def array_type(self, base):
        """The C type of an array of elements passed as an argument."""
        if base.type == "string":
            return "const char **"
        if base.is_ref():
            return "struct %s **" % self.struct(base.ref_table)
        return "const %s *" % self.c_type(base)

    @staticmethod
    def decl(ctype, name):
        sep = "" if ctype.endswith("*") else " "
        return ctype + sep + name

    # Header.
    def gen_header(self, out):
        guard = self.header_path.upper().replace("/", "_").replace(
            "-", "_").replace(".", "_")
        p = self.prefix
        w = out.write
        w("/* Generated by ovsdb/idl-gen.py from the %s schema: do not edit.\n"
          " * The typed IDL binding of database %s (see ovsdb/idl.h). */\n"
          % (self.schema["name"], self.schema["name"]))
        w("#ifndef %s\n#define %s 1\n\n" % (guard, guard))
        w("#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n")
        w('#include "lib/smap.h"\n#include "lib/uuid.h"\n'
          '#include "ovsdb/idl-provider.h"\n#include "ovsdb/idl-txn.h"\n'
          '#include "ovsdb/idl.h"\n\n')
        w("enum {\n")
        for t in self.tables:
            w("    %sTABLE_%s,\n" % (p.upper(), t.upper()))
        w("    %sN_TABLES\n};\n\n" % p.upper())
        w("extern const struct idl_table_class %stable_classes[];\n" % p)
        w("extern const struct idl_class %sidl_class;\n\n" % p)
        for t in self.tables:
            w("#define %stable_%s (&%stable_classes[%sTABLE_%s])\n"
              % (p, t.lower(), p, p.upper(), t.upper()))
        w("\n")
        for t in self.tables:
            w("struct %s;\n" % self.struct(t))
        for t in self.tables:
            self.gen_table_header(out, t)
        w("#endif /* %s */\n" % self.header_path)

    def gen_table_header(self, out, table):
        s = self.struct(table)
        m = self.macro(table)
        w = out.write
        cols = self.columns(table)

        w("\n/* Table %s. */\n\n" % table)
        w("struct %s {\n    struct idl_row header_;\n" % s)
        for name, type_, _ in cols:
            mem = self.member(name)
            if type_.is_scalar():
                w("    %s;\n" % self.decl(self.c_type(type_.key), mem))
            elif type_.is_smap():
                w("    struct smap %s;\n" % mem)
            elif type_.is_map():
                w("    %s;\n" % self.decl(ptr(self.c_type(type_.key)),
                                          "key_" + name))
                w("    %s;\n" % self.decl(ptr(self.c_type(type_.value)),
                                          "value_" + name))
                w("    size_t n_%s;\n" % name)
            else:
                w("    %s;\n" % self.decl(ptr(self.c_type(type_.key)), mem))
                w("    size_t n_%s;\n" % name)
        w("};\n\n")

        w("enum {\n")
        for name, _, _ in cols:
            w("    %s_COL_%s,\n" % (m, name.upper()))
        w("    %s_N_COLUMNS\n};\n\n" % m)
        w("extern const struct idl_column %s_columns[];\n" % s)
        for i, (name, _, _) in enumerate(cols):
            index = "%s_COL_%s" % (m, name.upper())
            if len("    (&%s_columns[%s])" % (s, index)) > 79:
                index = "%d /* %s */" % (i, name)
            w("#define %s_col_%s (&%s_columns[%s])\n" % (s, name, s, index))
        w("\n")

        w("static inline const struct %s *\n%s_cast(const struct idl_row *row)"
          "\n{\n    return row ? CONTAINER_OF(row, struct %s, header_) "
          ": NULL;\n}\n\n" % (s, s, s))
        w("static inline const struct %s *\n%s_first(const struct idl *idl)\n"
          "{\n    return %s_cast(\n        idl_first_row(idl, %stable_%s));\n}\n\n"
          % (s, s, s, self.prefix, table.lower()))
        w("static inline const struct %s *\n%s_next(const struct %s *row)\n"
          "{\n    return %s_cast(idl_next_row(&row->header_));\n}\n\n"
          % (s, s, s, s))
        w("#define %s_FOR_EACH(ROW, IDL) \\\n"
          "    for ((ROW) = %s_first(IDL); (ROW); \\\n"
          "         (ROW) = %s_next(ROW))\n" % (m, s, s))
        w("#define %s_FOR_EACH_SAFE(ROW, NEXT, IDL) \\\n"
          "    for ((ROW) = %s_first(IDL); \\\n"
          "         (ROW) ? ((NEXT) = %s_next(ROW), 1) : 0; (ROW) = (NEXT))\n\n"
          % (m, s, s))
        w("static inline const struct %s *\n%s_get_for_uuid(const struct idl "
          "*idl, const struct uuid *uuid)\n{\n    return %s_cast(\n"
          "        idl_get_row_for_uuid(idl, %stable_%s, uuid));\n}\n\n"
          % (s, s, s, self.prefix, table.lower()))
        w("static inline const struct %s *\n%s_track_get_first(const struct "
          "idl *idl)\n{\n    return %s_cast(\n        idl_track_get_first(idl, "
          "%stable_%s));\n}\n\n" % (s, s, s, self.prefix, table.lower()))
        w("static inline const struct %s *\n%s_track_get_next(const struct "
          "%s *row)\n{\n    return %s_cast(idl_track_get_next("
          "&row->header_));\n}\n\n" % (s, s, s, s))
        w("#define %s_FOR_EACH_TRACKED(ROW, IDL) \\\n"
          "    for ((ROW) = %s_track_get_first(IDL); (ROW); \\\n"
          "         (ROW) = %s_track_get_next(ROW))\n\n" % (m, s, s))
        w("static inline unsigned int\n%s_row_get_seqno(const struct %s *row, "
          "enum idl_change kind)\n{\n    return idl_row_get_seqno("
          "&row->header_, kind);\n}\n\n" % (s, s))
        w("static inline bool\n%s_is_new(const struct %s *row)\n{\n"
          "    return idl_row_is_new(&row->header_);\n}\n\n" % (s, s))
        w("static inline bool\n%s_is_deleted(const struct %s *row)\n{\n"
          "    return idl_row_is_deleted(&row->header_);\n}\n\n" % (s, s))
        w("static inline bool\n%s_is_updated(const struct %s *row, "
          "unsigned int column)\n{\n    return idl_track_is_updated("
          "&row->header_, &%s_columns[column]);\n}\n\n" % (s, s, s))
        w("static inline void\n%s_delete(const struct %s *row)\n{\n"
          "    idl_txn_delete(&row->header_);\n}\n\n" % (s, s))

        w("struct %s *%s_insert(struct idl_txn *);\n" % (s, s))
        w("struct %s *%s_insert_persist_uuid(struct idl_txn *,\n"
          "    const struct uuid *);\n" % (s, s))
        w("unsigned int %s_set_condition(struct idl *, "
          "const struct idl_condition *);\n" % s)
        for name, type_, _ in cols:
            for proto in self.column_protos(table, name, type_):
                w(proto + ";\n")

    def setter_params(self, type_):
        """(params, keys expr, values expr, n expr) for a setter."""
        if type_.is_scalar():
            return ([self.decl(self.arg_type(type_.key), "value")],
                    addr(type_.key, "value"), "NULL", "1")
        if type_.is_smap():
            return (["const struct smap *value"], None, None, None)
        if type_.is_map():
            return ([self.decl(self.array_type(type_.key), "keys"),
                     self.decl(self.array_type(type_.value), "values"),
                     "size_t n"], "keys", "values", "n")
        return ([self.decl(self.array_type(type_.key), "values"),
                 "size_t n"], "values", "NULL", "n")

    def column_protos(self, table, name, type_):
        s = self.struct(table)
        row = "const struct %s *row" % s
        params, _, _, _ = self.setter_params(type_)
        protos = [
            "void %s_verify_%s(%s)" % (s, name, row),
            "void %s_set_%s(%s)" % (s, name, ", ".join([row] + params)),
            "void %s_add_clause_%s(%s)" % (
                s, name, ", ".join(["struct idl_condition *cond",
                                    "enum idl_function function"] + params)),
        ]
        if type_.is_map():
            kt = "const char *" if type_.is_smap() else self.arg_type(
                type_.key)
            vt = "const char *" if type_.is_smap() else self.arg_type(
                type_.value)
            protos.append("void %s_update_%s_setkey(%s, %s, %s)" % (
                s, name, row, self.decl(kt, "key"), self.decl(vt, "value")))
            protos.append("void %s_update_%s_delkey(%s, %s)" % (
                s, name, row, self.decl(kt, "key")))
        elif not type_.is_scalar():
            et = self.arg_type(type_.key)
            protos.append("void %s_update_%s_addvalue(%s, %s)" % (
                s, name, row, self.decl(et, "value")))
            protos.append("void %s_update_%s_delvalue(%s, %s)" % (
                s, name, row, self.decl(et, "value")))
        return protos

    # Source.
    def base_init(self, out, var, base):
        """Returns a C initializer for 'base', writing any enum it needs
        as static data named after 'var'."""
        enum = "NULL"
        if base.enum is not None:
            atoms = []
            for v in base.enum:
                if base.type == "string":
                    atoms.append("{.string = (char *) %s}" % json.dumps(v))
                elif base.type == "integer":
                    atoms.append("{.integer = INT64_C(%d)}" % v)
                elif base.type == "real":
                    atoms.append("{.real = %r}" % float(v))
                elif base.type == "boolean":
                    atoms.append("{.boolean = %s}" % ("true" if v else "false"))
                else:
                    raise ValueError("uuid enums are not supported")
            out.write("static union ovsdb_atom %s_atoms[] = {\n    %s,\n};\n"
                      % (var, ",\n    ".join(atoms)))
            out.write("static struct ovsdb_datum %s = {%d, %s_atoms, NULL};\n"
                      % (var, len(atoms), var))
            enum = "&" + var
        t = base.type
        if t == "integer":
            lo = ("INT64_C(%d)" % base.min_int if base.min_int is not None
                  else "INT64_MIN")
            hi = ("INT64_C(%d)" % base.max_int if base.max_int is not None
                  else "INT64_MAX")
            u = ".u.integer = {%s,\n                           %s}" % (lo, hi)
        elif t == "real":
            lo = (repr(float(base.min_real)) if base.min_real is not None
                  else "-DBL_MAX")
            hi = (repr(float(base.max_real)) if base.max_real is not None
                  else "DBL_MAX")
            u = ".u.real = {%s, %s}" % (lo, hi)
        elif t == "string":
            hi = ("%du" % base.max_len if base.max_len is not None
                  else "UINT_MAX")
            u = ".u.string = {%du, %s}" % (base.min_len, hi)
        elif base.is_ref():
            u = (".u.uuid = {.ref_table_name = (char *) \"%s\", "
                 ".ref_type = OVSDB_REF_%s}"
                 % (base.ref_table, base.ref_type.upper()))
        else:
            u = None
        init = "{\n            .type = %s,\n            .enum_ = %s," % (
            ATOMIC[t], enum)
        if u:
            init += "\n            " + u + ","
        return init + "\n        }"

    def gen_source(self, out):
        p = self.prefix
        w = out.write
        w("/* Generated by ovsdb/idl-gen.py from the %s schema: do not edit. "
          "*/\n" % self.schema["name"])
        w('#include "%s"\n\n' % self.header_path)
        w("#include <float.h>\n#include <limits.h>\n#include <stdlib.h>\n\n"
          '#include "ovsdb/ovsdb-data.h"\n\n')
        for t in self.tables:
            self.gen_table_source(out, t)
        w("const struct idl_table_class %stable_classes[] = {\n" % p)
        for t in self.tables:
            tj = self.schema["tables"][t]
            s = self.struct(t)
            w("    [%sTABLE_%s] = {\n" % (p.upper(), t.upper()))
            w("        .name = \"%s\",\n" % t)
            w("        .is_root = %s,\n"
              % ("true" if tj.get("isRoot", False) or not any(
                  self.schema["tables"][x].get("isRoot", False)
                  for x in self.tables) else "false"))
            w("        .columns = %s_columns,\n" % s)
            w("        .n_columns = %s_N_COLUMNS,\n" % self.macro(t))
            w("        .row_size = sizeof(struct %s),\n" % s)
            w("        .index = %sTABLE_%s,\n    },\n" % (p.upper(), t.upper()))
        w("};\n\n")
        w("const struct idl_class %sidl_class = {\n"
          "    .database = \"%s\",\n    .tables = %stable_classes,\n"
          "    .n_tables = %sN_TABLES,\n};\n"
          % (p, self.schema["name"], p, p.upper()))

    def gen_table_source(self, out, table):
        s = self.struct(table)
        m = self.macro(table)
        w = out.write
        cols = self.columns(table)
        p = self.prefix

        w("/* Table %s. */\n\n" % table)
        inits = []
        for name, type_, cj in cols:
            key = self.base_init(out, "%s_%s_key_enum" % (s, name), type_.key)
            value = (self.base_init(out, "%s_%s_value_enum" % (s, name),
                                    type_.value)
                     if type_.value else "{.type = OVSDB_TYPE_VOID}")
            mem = self.member(name)
            if type_.is_scalar() or type_.is_smap():
                offset = "offsetof(struct %s, %s)" % (s, mem)
                n_offset = value_offset = "IDL_NO_MEMBER"
            elif type_.is_map():
                offset = "offsetof(struct %s, key_%s)" % (s, name)
                value_offset = "offsetof(struct %s, value_%s)" % (s, name)
                n_offset = "offsetof(struct %s, n_%s)" % (s, name)
            else:
                offset = "offsetof(struct %s, %s)" % (s, mem)
                n_offset = "offsetof(struct %s, n_%s)" % (s, name)
                value_offset = "IDL_NO_MEMBER"
            n_max = ("OVSDB_TYPE_UNLIMITED" if type_.n_max is None
                     else "%du" % type_.n_max)
            inits.append(
                "    [%s_COL_%s] = {\n"
                "        .name = \"%s\",\n"
                "        .type.key = %s,\n"
                "        .type.value = %s,\n"
                "        .type.n_min = %du,\n"
                "        .type.n_max = %s,\n"
                "        .is_mutable = %s,\n"
                "        .is_smap = %s,\n"
                "        .offset = %s,\n"
                "        .n_offset = %s,\n"
                "        .value_offset = %s,\n"
                "        .index = %s_COL_%s,\n"
                "        .table_index = %sTABLE_%s,\n"
                "    },\n"
                % (m, name.upper(), name, key, value, type_.n_min, n_max,
                   "true" if cj.get("mutable", True) else "false",
                   "true" if type_.is_smap() else "false",
                   offset, n_offset, value_offset, m, name.upper(),
                   p.upper(), table.upper()))
        w("const struct idl_column %s_columns[] = {\n" % s)
        for i in inits:
            w(i)
        w("};\n\n")

        tc = "%stable_%s" % (p, table.lower())
        w("struct %s *\n%s_insert(struct idl_txn *txn)\n{\n"
          "    return (struct %s *) idl_txn_insert(txn, %s, NULL);\n}\n\n"
          % (s, s, s, tc))
        w("struct %s *\n%s_insert_persist_uuid(struct idl_txn *txn,\n"
          "    const struct uuid *uuid)\n{\n"
          "    return (struct %s *) idl_txn_insert(txn, %s, uuid);\n}\n\n"
          % (s, s, s, tc))
        w("unsigned int\n%s_set_condition(struct idl *idl, "
          "const struct idl_condition *cond)\n{\n"
          "    return idl_set_condition(idl, %s, cond);\n}\n\n" % (s, tc))

        for name, type_, _ in cols:
            col = "%s_col_%s" % (s, name)
            protos = self.column_protos(table, name, type_)
            _, keys, values, n = self.setter_params(type_)
            # verify
            w("%s\n{\n    idl_txn_verify(&row->header_, %s);\n}\n\n"
              % (protos[0], col))
            # set
            if type_.is_smap():
                w("%s\n{\n    idl_txn_write_smap(&row->header_, %s, value);"
                  "\n}\n\n" % (protos[1], col))
                build = "idl_datum_from_smap(&datum, %s, value);" % col
            else:
                w("%s\n{\n    idl_txn_write_c(&row->header_, %s, %s, %s, %s);"
                  "\n}\n\n" % (protos[1], col, keys, values, n))
                build = "idl_datum_from_c(&datum, %s, %s, %s, %s);" % (
                    col, keys, values, n)
            # clause
            w("%s\n{\n    struct ovsdb_datum datum;\n\n    %s\n"
              "    idl_condition_add_clause(cond, function, %s, &datum);\n"
              "    ovsdb_datum_destroy(&datum, &%s->type);\n}\n\n"
              % (protos[2], build, col, col))
            if type_.is_map():
                kexpr = addr(type_.key, "key")
                vexpr = addr(type_.value, "value")
                w("%s\n{\n    idl_txn_map_set_c(&row->header_, %s, %s, "
                  "%s);\n}\n\n" % (protos[3], col, kexpr, vexpr))
                w("%s\n{\n    idl_txn_map_delete_c(&row->header_, %s, %s);"
                  "\n}\n\n" % (protos[4], col, kexpr))
            elif not type_.is_scalar():
                vexpr = addr(type_.key, "value")
                w("%s\n{\n    idl_txn_set_add_c(&row->header_, %s, %s);"
                  "\n}\n\n" % (protos[3], col, vexpr))
                w("%s\n{\n    idl_txn_set_remove_c(&row->header_, %s, %s);"
                  "\n}\n\n" % (protos[4], col, vexpr))


def main(argv):
    if len(argv) != 6:
        sys.stderr.write("usage: %s SCHEMA PREFIX HEADER_PATH OUT_H OUT_C\n"
                         % argv[0])
        return 1
    schema_file, prefix, header_path, out_h, out_c = argv[1:]
    with open(schema_file) as f:
        schema = json.load(f)
    gen = Generator(schema, prefix, header_path)
    with open(out_h, "w") as f:
        w = Wrapper(f)
        gen.gen_header(w)
        w.close()
    with open(out_c, "w") as f:
        w = Wrapper(f)
        gen.gen_source(w)
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
