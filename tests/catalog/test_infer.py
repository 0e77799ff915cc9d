"""Schema inference on real files: TMDB detail responses, the Compass UOL CSV samples, Parquet footers."""

from __future__ import annotations

from pathlib import Path

from cinelake.catalog.infer import csv_schema, json_lines_schema, parquet_schema
from cinelake.lake.store import Lake
from tests.catalog.lakes import detail_records, json_lines, parquet_bytes, trusted_rows, trusted_schema


def types(schema_columns: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {name: shape.glue_type() for name, shape in schema_columns.items()}


def test_tmdb_details_nested_structs_and_arrays(real_data: Path) -> None:
    schema = json_lines_schema(json_lines(detail_records(real_data)))
    found = types(schema.columns)
    assert schema.records == 2
    assert found["genres"] == "array<struct<id:bigint,name:string>>"
    assert found["production_countries"] == "array<struct<iso_3166_1:string,name:string>>"
    assert found["budget"] == "bigint" and found["popularity"] == "double" and found["adult"] == "boolean"
    # null in one response, an object in the other: the object's struct
    assert found["belongs_to_collection"].startswith("struct<id:bigint,name:string")
    # a field only the newer response has is still a column
    assert found["origin_country"] == "array<string>"
    cast = found["credits"]
    assert cast.startswith("struct<cast:array<struct<adult:boolean,gender:bigint,id:bigint,")
    assert "character:string" in cast and "order:bigint" in cast
    assert "crew:array<struct<" in cast and "job:string" in cast
    assert found["external_ids"] == "struct<imdb_id:string>"


def test_bad_lines_are_counted_not_fatal() -> None:
    schema = json_lines_schema(b'{"a": 1}\n\nnot json\n[1]\n{"a": 2.5}\n')
    assert schema.records == 2 and schema.bad_records == 2
    assert types(schema.columns) == {"a": "double"}


def test_compass_movies_csv(real_data: Path) -> None:
    data = (real_data / "compass_uol_sample" / "movies_subset_1.csv").read_bytes()
    schema = csv_schema(data)
    assert schema.records == 50 and schema.bad_records == 0
    assert schema.dialect is not None and schema.dialect.delimiter == "|" and not schema.dialect.quoted
    found = types(schema.columns)
    assert list(found)[:3] == ["id", "titulopincipal", "titulooriginal"]  # lower case, original spelling
    assert len(found) == 15
    assert found["id"] == "string"
    assert found["anolancamento"] == "bigint"
    assert found["notamedia"] == "double"
    assert found["numerovotos"] == "bigint"
    assert found["anofalecimento"] == "bigint"  # \N cells are nulls, not strings
    assert found["genero"] == "string"


def test_compass_series_csv_has_the_extra_column(real_data: Path) -> None:
    schema = csv_schema((real_data / "compass_uol_sample" / "series_subset.csv").read_bytes())
    found = types(schema.columns)
    assert schema.records == 100 and len(found) == 16
    assert found["anotermino"] == "bigint"


def test_comma_csv_with_quotes() -> None:
    schema = csv_schema(b'id,name,score\n1,"Smith, J",2.5\n2,\\N,3\n')
    assert schema.dialect is not None and schema.dialect.delimiter == "," and schema.dialect.quoted
    assert types(schema.columns) == {"id": "bigint", "name": "string", "score": "double"}
    assert schema.records == 2


def test_parquet_footer(tmp_path: Path, real_data: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes("t.parquet", parquet_bytes(trusted_rows(detail_records(real_data)), trusted_schema()))
    schema = parquet_schema(lake, "t.parquet")
    assert schema.records == 2
    assert types(schema.columns) == {
        "id": "bigint",
        "title": "string",
        "budget": "bigint",
        "release_date": "date",
        "vote_average": "double",
        "runtime": "int",
        "genres": "array<struct<id:bigint,name:string>>",
    }
