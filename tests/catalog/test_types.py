"""Type inference, merging and translation in Glue/Hive syntax."""

from __future__ import annotations

import pyarrow as pa
import pytest

from cinelake.catalog.types import (
    Inferred,
    TypeSyntaxError,
    arrow_type,
    duckdb_type,
    inferred_of,
    merge,
    observe,
    parse_type,
    text_type,
)


def fold(*values: object) -> str:
    shape = Inferred()
    for value in values:
        shape = observe(shape, value)
    return shape.glue_type()


def test_scalars_and_nulls_ignored() -> None:
    assert fold(1, None, 2) == "bigint"
    assert fold(None, "a") == "string"
    assert fold(True, False) == "boolean"
    assert fold(None) == "string"  # only nulls seen: Glue's default


def test_int_widened_to_double_when_both_occur() -> None:
    assert fold(1, 2.5) == "double"
    assert fold(2.5, 1) == "double"


def test_conflicting_kinds_become_string() -> None:
    assert fold(1, "x") == "string"
    assert fold({"a": 1}, "x") == "string"


def test_struct_fields_are_the_union_in_first_seen_order() -> None:
    assert fold({"a": 1}, {"b": "x", "a": 2.0}) == "struct<a:double,b:string>"
    # a field seen only as null keeps its place, typed string until a value shows up
    assert fold({"a": 1}, {"c": None}) == "struct<a:bigint,c:string>"
    assert fold({"c": None}, {"c": 3}) == "struct<c:bigint>"


def test_arrays_merge_elements_and_empty_arrays_default_to_string() -> None:
    assert fold([], [{"id": 1}], [{"id": 2, "name": "x"}]) == "array<struct<id:bigint,name:string>>"
    assert fold([]) == "array<string>"
    assert fold([1, 2.5]) == "array<double>"


def test_csv_text_types() -> None:
    assert [text_type(v) for v in ("1894", "-3", "5.3", "1e3", "true", "2026-11-26", "tt0000009")] == [
        "bigint",
        "bigint",
        "double",
        "double",
        "boolean",
        "date",
        "string",
    ]


def test_arrow_types() -> None:
    struct = pa.struct([("id", pa.int64()), ("name", pa.string())])
    assert arrow_type(pa.list_(struct)) == "array<struct<id:bigint,name:string>>"
    assert arrow_type(pa.int32()) == "int"
    assert arrow_type(pa.date32()) == "date"
    assert arrow_type(pa.decimal128(10, 2)) == "decimal(10,2)"
    assert arrow_type(pa.dictionary(pa.int32(), pa.string())) == "string"
    assert arrow_type(pa.map_(pa.string(), pa.int64())) == "map<string,bigint>"


def test_parse_and_duckdb_translation() -> None:
    text = "array<struct<id:bigint,name:string,tags:array<string>>>"
    assert parse_type(text).name == "array"
    assert duckdb_type(text) == 'STRUCT("id" BIGINT, "name" VARCHAR, "tags" VARCHAR[])[]'
    assert duckdb_type("map<string,int>") == "MAP(VARCHAR, INTEGER)"
    assert duckdb_type("decimal(10,2)") == "DECIMAL(10,2)"
    with pytest.raises(TypeSyntaxError):
        parse_type("struct<id:bigint")


def test_stored_types_fold_with_new_samples() -> None:
    stored = inferred_of("struct<id:bigint,name:string>")
    seen = observe(Inferred(), {"id": 1.5, "logo": "x"})
    assert merge(stored, seen).glue_type() == "struct<id:double,name:string,logo:string>"
    assert inferred_of("array<struct<a:int>>").glue_type() == "array<struct<a:int>>"
