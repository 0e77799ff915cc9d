"""Column types in Glue/Hive syntax: inference from values, merging, parsing and DuckDB translation.

A type is kept as its Glue string (``bigint``, ``array<struct<id:bigint,name:string>>``), which is what
the Glue API, Athena DDL and the local catalog all store. Inference works on a small tree
(:class:`Inferred`) so that JSON records can be folded into one schema: the union of the fields seen,
``bigint`` widened to ``double`` when both occur, nulls ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cinelake.errors import CinelakeError

BIGINT, DOUBLE, STRING, BOOLEAN, DATE = "bigint", "double", "string", "boolean", "date"
_NUMERIC_RANK = {"tinyint": 1, "smallint": 2, "int": 3, BIGINT: 4, "float": 5, DOUBLE: 6}


class TypeSyntaxError(CinelakeError):
    """A Glue/Hive type string that cannot be parsed."""


@dataclass
class Inferred:
    """What has been seen at one place in the records: a scalar, a struct or an array (or nothing)."""

    kind: str = "null"  # "null" | "scalar" | "struct" | "array"
    scalar: str = ""
    fields: dict[str, Inferred] = field(default_factory=dict)
    element: Inferred | None = None

    def glue_type(self) -> str:
        """The Glue type string; what was only ever null (or an empty array) becomes ``string``."""
        if self.kind == "scalar":
            return self.scalar
        if self.kind == "struct":
            inner = ",".join(f"{name}:{child.glue_type()}" for name, child in self.fields.items())
            return f"struct<{inner}>" if inner else STRING
        if self.kind == "array":
            element = self.element.glue_type() if self.element is not None else STRING
            return f"array<{element}>"
        return STRING


def merge_scalars(left: str, right: str) -> str:
    """The narrowest type that holds both: numbers widen (int to double), anything else becomes string."""
    if left == right:
        return left
    if left in _NUMERIC_RANK and right in _NUMERIC_RANK:
        if _NUMERIC_RANK[left] <= _NUMERIC_RANK[BIGINT] and _NUMERIC_RANK[right] <= _NUMERIC_RANK[BIGINT]:
            return left if _NUMERIC_RANK[left] >= _NUMERIC_RANK[right] else right
        return DOUBLE
    return STRING


_SCALAR_OF: dict[type, str] = {str: STRING, int: BIGINT, float: DOUBLE, bool: BOOLEAN}


def observe(target: Inferred, value: Any) -> Inferred:
    """Fold one JSON value into ``target`` and return the result (``target`` itself when it can be
    updated in place: a file of a million records must not build a million trees)."""
    if value is None:
        return target
    kind = _SCALAR_OF.get(type(value))
    if kind is not None:
        if target.kind == "scalar" and target.scalar == kind:
            return target
        return _scalar(target, kind)
    if isinstance(value, dict):
        if target.kind == "null":
            target = Inferred("struct")
        elif target.kind != "struct":
            return Inferred("scalar", STRING)
        fields = target.fields
        for key, child in value.items():
            name = str(key)
            seen = fields.get(name)
            if seen is None:
                fields[name] = observe(Inferred(), child)
            else:
                folded = observe(seen, child)
                if folded is not seen:
                    fields[name] = folded
        return target
    if isinstance(value, list):
        if target.kind == "null":
            target = Inferred("array")
        elif target.kind != "array":
            return Inferred("scalar", STRING)
        element = target.element or Inferred()
        for item in value:
            element = observe(element, item)
        target.element = element if element.kind != "null" else target.element
        return target
    return _scalar(target, STRING)


def _scalar(target: Inferred, kind: str) -> Inferred:
    if target.kind == "scalar":
        return target if target.scalar == kind else Inferred("scalar", merge_scalars(target.scalar, kind))
    if target.kind == "null":
        return Inferred("scalar", kind)
    return Inferred("scalar", STRING)


def merge(left: Inferred, right: Inferred) -> Inferred:
    """The union of two inferred shapes."""
    if left.kind == "null":
        return right
    if right.kind == "null":
        return left
    if left.kind != right.kind:
        return Inferred("scalar", STRING)
    if left.kind == "scalar":
        return Inferred("scalar", merge_scalars(left.scalar, right.scalar))
    if left.kind == "struct":
        fields = dict(left.fields)
        for name, child in right.fields.items():
            fields[name] = merge(fields[name], child) if name in fields else child
        return Inferred("struct", fields=fields)
    if left.element is None:
        return Inferred("array", element=right.element)
    if right.element is None:
        return Inferred("array", element=left.element)
    return Inferred("array", element=merge(left.element, right.element))


# --- CSV text values -----------------------------------------------------------------------------

_INT = re.compile(r"^[+-]?\d{1,18}$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def text_type(value: str) -> str:
    """The type a CSV cell looks like (Glue's CSV classifier does the same kind of guess)."""
    if _INT.match(value):
        return BIGINT
    if _FLOAT.match(value):
        return DOUBLE
    if value.lower() in ("true", "false"):
        return BOOLEAN
    if _DATE.match(value):
        return DATE
    return STRING


def merge_text_types(left: str | None, right: str) -> str:
    if left is None:
        return right
    if left == right:
        return left
    if {left, right} <= {BIGINT, DOUBLE}:
        return DOUBLE
    return STRING


# --- Arrow (Parquet footers) ------------------------------------------------------------------------


def arrow_type(arrow: Any) -> str:
    """The Glue type of a pyarrow DataType."""
    import pyarrow as pa
    import pyarrow.types as pat

    if pat.is_dictionary(arrow):
        return arrow_type(arrow.value_type)
    if pat.is_boolean(arrow):
        return BOOLEAN
    if pat.is_int8(arrow):
        return "tinyint"
    if pat.is_int16(arrow) or pat.is_uint8(arrow):
        return "smallint"
    if pat.is_int32(arrow) or pat.is_uint16(arrow):
        return "int"
    if pat.is_integer(arrow):
        return BIGINT
    if pat.is_float16(arrow) or pat.is_float32(arrow):
        return "float"
    if pat.is_floating(arrow):
        return DOUBLE
    if pat.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if pat.is_date(arrow):
        return DATE
    if pat.is_timestamp(arrow):
        return "timestamp"
    if pat.is_binary(arrow) or pat.is_large_binary(arrow) or pat.is_fixed_size_binary(arrow):
        return "binary"
    if pat.is_list(arrow) or pat.is_large_list(arrow) or pat.is_fixed_size_list(arrow):
        return f"array<{arrow_type(arrow.value_type)}>"
    if pat.is_map(arrow):
        return f"map<{arrow_type(arrow.key_type)},{arrow_type(arrow.item_type)}>"
    if pat.is_struct(arrow):
        inner = ",".join(
            f"{f.name}:{arrow_type(f.type)}" for f in (arrow.field(i) for i in range(arrow.num_fields))
        )
        return f"struct<{inner}>"
    if arrow == pa.null():
        return STRING
    return STRING


# --- parsing Glue type strings -----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeNode:
    """A parsed Glue type: ``name`` plus children (struct fields carry names)."""

    name: str
    children: tuple[tuple[str, TypeNode], ...] = ()
    args: str = ""  # decimal(10,2) -> "10,2"


def parse_type(text: str) -> TypeNode:
    node, rest = _parse(text.strip(), text)
    if rest.strip():
        raise TypeSyntaxError(f"unexpected {rest!r} in type {text!r}")
    return node


def _parse(text: str, whole: str) -> tuple[TypeNode, str]:
    match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", text)
    if not match:
        raise TypeSyntaxError(f"cannot parse type {whole!r}")
    name = match[1].lower()
    rest = text[match.end() :]
    if name in ("array", "struct", "map"):
        if not rest.startswith("<"):
            raise TypeSyntaxError(f"{name} without <...> in type {whole!r}")
        rest = rest[1:]
        children: list[tuple[str, TypeNode]] = []
        while True:
            if name == "struct":
                fmatch = re.match(r"\s*([^:<>,]+?)\s*:", rest)
                if not fmatch:
                    raise TypeSyntaxError(f"struct field without a name in type {whole!r}")
                fname, rest = fmatch[1], rest[fmatch.end() :]
            else:
                fname = ""
            child, rest = _parse(rest, whole)
            children.append((fname, child))
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
                continue
            if rest.startswith(">"):
                return TypeNode(name, tuple(children)), rest[1:]
            raise TypeSyntaxError(f"unbalanced <...> in type {whole!r}")
    if rest.startswith("("):
        end = rest.find(")")
        if end < 0:
            raise TypeSyntaxError(f"unbalanced (...) in type {whole!r}")
        return TypeNode(name, args=rest[1:end].replace(" ", "")), rest[end + 1 :]
    return TypeNode(name), rest


_DUCKDB_SCALARS = {
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "binary": "BLOB",
}


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier (DuckDB, Presto/Trino)."""
    return '"' + name.replace('"', '""') + '"'


def duckdb_type(glue: str | TypeNode) -> str:
    """The DuckDB type of a Glue type string (``struct<a:bigint>`` -> ``STRUCT("a" BIGINT)``)."""
    node = parse_type(glue) if isinstance(glue, str) else glue
    if node.name == "array":
        return f"{duckdb_type(node.children[0][1])}[]"
    if node.name == "struct":
        inner = ", ".join(f"{quote_ident(n)} {duckdb_type(c)}" for n, c in node.children)
        return f"STRUCT({inner})"
    if node.name == "map":
        return f"MAP({duckdb_type(node.children[0][1])}, {duckdb_type(node.children[1][1])})"
    if node.name == "decimal":
        return f"DECIMAL({node.args})" if node.args else "DECIMAL(18,3)"
    return _DUCKDB_SCALARS.get(node.name, "VARCHAR")


def inferred_of(glue: str | TypeNode) -> Inferred:
    """The inference tree of a Glue type string, so a stored schema folds with a new sample."""
    node = parse_type(glue) if isinstance(glue, str) else glue
    if node.name == "struct":
        return Inferred("struct", fields={n: inferred_of(c) for n, c in node.children})
    if node.name == "array":
        return Inferred("array", element=inferred_of(node.children[0][1]))
    if node.name == "map":
        return Inferred("scalar", f"map<{_glue_text(node.children[0][1])},{_glue_text(node.children[1][1])}>")
    return Inferred("scalar", _glue_text(node))


def _glue_text(node: TypeNode) -> str:
    if node.name == "struct":
        return "struct<" + ",".join(f"{n}:{_glue_text(c)}" for n, c in node.children) + ">"
    if node.name == "array":
        return f"array<{_glue_text(node.children[0][1])}>"
    if node.name == "map":
        return f"map<{_glue_text(node.children[0][1])},{_glue_text(node.children[1][1])}>"
    return f"{node.name}({node.args})" if node.args else node.name
