"""Athena DDL of each kind of table, checked against Athena's documented CREATE EXTERNAL TABLE syntax."""

from __future__ import annotations

import re

from cinelake.catalog import crawl
from cinelake.catalog.api import ddl
from cinelake.catalog.ddl import ddl_type, quote_string
from cinelake.lake.store import Lake

Lakes = tuple[Lake, dict[str, int]]

# CREATE EXTERNAL TABLE [IF NOT EXISTS] db.table (cols) [PARTITIONED BY (...)] ROW FORMAT SERDE '...'
# [WITH SERDEPROPERTIES (...)] STORED AS INPUTFORMAT '...' OUTPUTFORMAT '...' LOCATION '...'
# TBLPROPERTIES (...)
SHAPE = re.compile(
    r"^CREATE EXTERNAL TABLE IF NOT EXISTS `\w+`\.`\w+` \(\n(  `\w+` [a-z<>:,_0-9()`]+,?\n)+\)\n"
    r"(PARTITIONED BY \((`\w+` string(, )?)+\)\n)?"
    r"ROW FORMAT SERDE '[\w.]+'\n"
    r"(WITH SERDEPROPERTIES \(\n(  '[^']+'='(\\.|[^'\\])*',?\n)+\)\n)?"
    r"STORED AS INPUTFORMAT '[\w.]+'\nOUTPUTFORMAT '[\w.]+'\n"
    r"LOCATION '[^']+/'\n"
    r"TBLPROPERTIES \(\n(  '[^']+'='[^']*',?\n)+\);$"
)


def props(text: str) -> dict[str, str]:
    return dict(re.findall(r"'([^']+)'='((?:\\.|[^'\\])*)'", text))


def test_raw_json_uses_the_openx_serde_and_projection(full_lake: Lakes) -> None:
    lake, _ = full_lake
    crawl(lake)
    text = ddl(lake, "raw_tmdb_movies", location_root="s3://cine-bucket/lake")
    assert SHAPE.match(text), text
    assert "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'" in text
    assert "PARTITIONED BY (`year` string, `month` string, `day` string)" in text
    assert "  `genres` array<struct<id:bigint,name:string>>," in text
    assert "LOCATION 's3://cine-bucket/lake/Raw/TMDB/JSON/Movies/'" in text
    found = props(text)
    assert found["projection.enabled"] == "true"
    assert found["projection.year.type"] == "integer" and found["projection.year.range"].startswith("2026,")
    assert found["projection.month.range"] == "1,12" and found["projection.month.digits"] == "2"
    assert found["projection.day.range"] == "1,31" and found["projection.day.digits"] == "2"
    assert (
        found["storage.location.template"]
        == "s3://cine-bucket/lake/Raw/TMDB/JSON/Movies/${year}/${month}/${day}/"
    )
    assert found["classification"] == "json"


def test_pipe_csv_uses_lazy_simple_serde_with_null_format_and_header_skip(full_lake: Lakes) -> None:
    lake, _ = full_lake
    crawl(lake)
    text = ddl(lake, "raw_local_movies", location_root="s3://cine-bucket")
    assert SHAPE.match(text), text
    assert "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'" in text
    assert "  'field.delim'='|'," in text
    assert "  'serialization.null.format'='\\\\N'" in text  # the DDL literal '\\N' is the two characters \N
    assert "  'skip.header.line.count'='1'," in text
    assert "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'" in text
    assert "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'" in text
    assert "  `anolancamento` bigint," in text and "  `notamedia` double," in text


def test_parquet_tables(full_lake: Lakes) -> None:
    lake, _ = full_lake
    crawl(lake)
    trusted = ddl(lake, "trusted_tmdb_movies", location_root="s3://b")
    assert SHAPE.match(trusted), trusted
    assert "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'" in trusted
    assert "STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'" in trusted
    assert "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'" in trusted
    assert "PARTITIONED BY (`dt` string)" in trusted
    found = props(trusted)
    assert found["projection.dt.type"] == "date" and found["projection.dt.format"] == "yyyy-MM-dd"
    assert found["projection.dt.range"] == "2026-11-25,NOW" and found["projection.dt.interval.unit"] == "DAYS"
    assert found["storage.location.template"] == "s3://b/Trusted/TMDB/PARQUET/Movies/dt=${dt}/"
    refined = ddl(lake, "fact_movie", location_root="s3://b")
    assert SHAPE.match(refined), refined
    assert "PARTITIONED BY" not in refined and "projection." not in refined
    assert "LOCATION 's3://b/Refined/fact_movie/'" in refined


def test_string_literals_are_escaped() -> None:
    assert quote_string("\\N") == "'\\\\N'"
    assert quote_string("it's") == "'it\\'s'"


def test_reserved_words_in_struct_fields_get_backticks(lake: Lake) -> None:
    # The snapshot's credits.cast items carry "order", a reserved word in Athena DDL.
    lake.write_bytes(
        "Raw/TMDB/JSON/Movies/2026/11/26/m.json",
        b'{"id": 5, "credits": {"cast": [{"name": "Tim Roth", "order": 0}]}, "date": "x"}\n',
    )
    crawl(lake)
    text = ddl(lake, "raw_tmdb_movies")
    assert "  `credits` struct<`cast`:array<struct<name:string,`order`:bigint>>>," in text
    assert "  `date` string" in text
    assert ddl_type("map<string,struct<from:int>>") == "map<string,struct<`from`:int>>"
