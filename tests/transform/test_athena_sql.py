"""Every SQL text cinelake sends to Athena, checked under Athena's grammar and against the catalog.

moto runs no SQL, so the Athena tests elsewhere check the wiring on canned rows. Here the texts are
collected where they leave: the analysis's Athena loader runs against moto's Athena, and what moto
received (``GetQueryExecution``'s ``Query``) is read back; the DDL is what ``cinelake catalog ddl``
prints for each table of the catalog of a lake the transforms built. Each text must parse under
sqlglot's ``athena`` dialect (Trino for queries, Hive for DDL), call only functions the dialect
knows, and name only tables and columns the catalog holds (the crawler's schemas).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from cinelake.catalog.model import Table
from cinelake.lake.store import Lake
from cinelake.tables.describe import lake_tables, table_ddl
from tests.transform.conftest import Pipeline

DIALECT = "athena"


def catalog_schema(found: list[Table]) -> dict[str, dict[str, str]]:
    """table -> column -> type, partition keys included, as Athena sees the Glue tables."""
    return {t.name: {c.name: c.type for c in [*t.columns, *t.partition_keys]} for t in found}


def query_problems(sql: str, schema: dict[str, dict[str, str]]) -> list[str]:
    """Why Athena would refuse ``sql`` over these tables (empty when it would not)."""
    try:
        tree = sqlglot.parse_one(sql, read=DIALECT)
    except ParseError as exc:
        return [f"does not parse as Athena SQL: {str(exc).splitlines()[0]}"]
    problems = [
        f"calls {f.name}(), which Athena does not have" for f in tree.find_all(exp.Anonymous)
    ]  # a name sqlglot knows for no dialect function: a DuckDB-only one (list_sort...) lands here
    try:
        qualify(tree, schema=schema, dialect=DIALECT, validate_qualify_columns=True)
    except OptimizeError as exc:
        problems.append(f"names what the catalog does not hold: {exc}")
    missing = {t.name for t in tree.find_all(exp.Table)} - set(schema)
    problems += [f"reads the table {name}, which the catalog does not hold" for name in sorted(missing)]
    return problems


def sent_to_athena(aws_env: str) -> list[str]:
    """The analysis's Athena queries for every kind, as moto's Athena received them."""
    import boto3

    from cinelake.analysis import FILMS, SERIES
    from cinelake.analysis.loader import load_athena

    athena = boto3.client("athena", region_name="us-east-1")
    workgroup = f"cinelake-{uuid.uuid4().hex[:8]}"
    athena.create_work_group(
        Name=workgroup, Configuration={"ResultConfiguration": {"OutputLocation": "s3://r/_athena/"}}
    )
    lake = Lake("memory://athena-sql")  # only its URL is used: Athena reads the Glue tables
    for kind in (FILMS, SERIES):
        load_athena(lake, kind, database="cinelake", workgroup=workgroup)
    ids = athena.list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids]


@pytest.fixture(scope="module")
def schema(pipeline: Pipeline) -> dict[str, dict[str, str]]:
    return catalog_schema(lake_tables(pipeline.lake))


@pytest.mark.integration
def test_every_query_the_analysis_sends_to_athena_parses_and_names_the_catalogs_columns(
    aws_env: str, schema: dict[str, dict[str, str]]
) -> None:
    queries = sent_to_athena(aws_env)
    # Films and series each send their rows, their genres and the known genres.
    assert len(set(queries)) == 6, queries
    read = {t.name for q in queries for t in sqlglot.parse_one(q, read=DIALECT).find_all(exp.Table)}
    assert {"fact_movie", "dim_movie", "fact_series", "dim_series", "dim_genre"} <= read
    # Both kinds' rows carry IMDB's rating and votes from the facts (--rank-by imdb_rating through Athena).
    rows = [q for q in queries if "snapshot_date" in q]
    assert len(rows) == 2 and all("f.imdb_rating" in q and "f.imdb_votes" in q for q in rows)
    assert {q.split()[1]: query_problems(q, schema) for q in queries if query_problems(q, schema)} == {}


def test_the_check_refuses_what_athena_would(schema: dict[str, dict[str, str]]) -> None:
    from cinelake.analysis import FILMS

    REFINED_FILMS_SQL = FILMS.queries.refined_sql

    assert query_problems(REFINED_FILMS_SQL, schema) == []
    typo = REFINED_FILMS_SQL.replace("f.budget,", "f.budjet,")
    assert any("budjet" in p for p in query_problems(typo, schema))
    unknown = REFINED_FILMS_SQL.replace("JOIN dim_movie d", "JOIN dim_film d")
    assert any("dim_film" in p for p in query_problems(unknown, schema))
    assert query_problems(REFINED_FILMS_SQL.replace("WHERE f.newest = 1", "WHERE f.newest = = 1"), schema)
    # The Raw fallback's select list is DuckDB's own SQL (its lambda syntax, list_sort...).
    assert query_problems(f"SELECT {FILMS.queries.raw_select} FROM raw_tmdb_movies", schema)
    duckdb_only = "SELECT list_sort(genres) FROM trusted_tmdb_movies"
    assert query_problems(duckdb_only, schema) == ["calls list_sort(), which Athena does not have"]


def test_every_tables_ddl_parses_as_athena_ddl(pipeline: Pipeline) -> None:
    """`cinelake catalog ddl` of each table: Athena's Hive DDL, with the table's own columns."""
    found = lake_tables(pipeline.lake)
    assert {"fact_movie", "fact_series", "raw_tmdb_movies", "trusted_tmdb_series"} <= {t.name for t in found}
    problems: dict[str, Any] = {}
    for table in found:
        text = table_ddl(pipeline.lake, table.name, location_root="s3://lake")
        try:
            tree = sqlglot.parse_one(text, read=DIALECT)
        except ParseError as exc:
            problems[table.name] = str(exc).splitlines()[0]
            continue
        assert isinstance(tree, exp.Create) and tree.kind == "TABLE", table.name
        columns = [c.name for c in tree.this.expressions]
        partitions = tree.find(exp.PartitionedByProperty)
        keys = [c.name for c in partitions.this.expressions] if partitions else []
        expected = ([c.name for c in table.columns], [k.name for k in table.partition_keys])
        if (columns, keys) != expected:
            problems[table.name] = ("columns", columns, keys)
        location = tree.find(exp.LocationProperty)
        if location is None or not location.this.name.startswith("s3://lake/"):
            problems[table.name] = "no s3:// LOCATION"
    assert problems == {}
