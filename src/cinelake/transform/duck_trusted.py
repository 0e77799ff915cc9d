"""The Raw -> Trusted job on DuckDB: the same Trusted tables as the Spark job
(:mod:`cinelake.spark.raw_to_trusted`), without a JVM.

A dataset's pending days are read day by day (one query each, so memory follows the largest day,
not the backlog) and written as ``dt=`` Parquet folders to a staging folder; :mod:`cinelake.tables`
moves them into the table's folder and commits them as one Iceberg snapshot replacing those days,
so a kill leaves the previous snapshot and the next run redoes the days.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from cinelake.errors import InputFileError, UsageError
from cinelake.lake.layout import Format, Zone
from cinelake.lake.store import Lake
from cinelake.tables import store as tables
from cinelake.tables.datasets import RawDay, TrustedDataset
from cinelake.tables.plan import committing_days, plan_all
from cinelake.tables.raw_schemas import (
    LOCAL_MOVIES_COLUMNS,
    LOCAL_SERIES_COLUMNS,
    TMDB_MOVIE_DDL,
    TMDB_SERIES_DDL,
)
from cinelake.tables.registry import trusted_table
from cinelake.tables.results import RawToTrustedResult
from cinelake.transform import trusted_sql
from cinelake.transform.duck import connect, duck_errors, sql_list, sql_string

if TYPE_CHECKING:
    import duckdb

Progress = Callable[[str], None]


def _lineage(lake: Lake) -> str:
    """``source_file`` of a Raw file: the URL Spark records for it (``file:/...`` on a local lake)."""
    return "'file:' || filename" if lake.is_local else "filename"


def _raw_json(lake: Lake, files: list[str], ddl: str) -> str:
    columns = trusted_sql.columns_arg(trusted_sql.ddl_columns(ddl))
    return (
        f"SELECT * EXCLUDE (filename), {_lineage(lake)} AS source_file, "
        f"{trusted_sql.dt_from_path('filename')} AS dt "
        f"FROM read_json({sql_list(files)}, format = 'newline_delimited', columns = {columns}, "
        "filename = true, ignore_errors = true)"
    )


def _raw_csv(lake: Lake, files: list[str], series: bool) -> str:
    """The CSV files, each read on its own: one file's line ends (CRLF or LF) say nothing of the next's."""
    expected = LOCAL_SERIES_COLUMNS if series else LOCAL_MOVIES_COLUMNS
    columns = "{" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in expected) + "}"
    reads = [
        f"SELECT * FROM read_csv({sql_string(file)}, delim = '|', header = true, quote = '', escape = '', "
        f"nullstr = '\\N', columns = {columns}, null_padding = true, ignore_errors = true, "
        "filename = true, encoding = 'utf-8')"
        for file in files
    ]
    return (
        f"SELECT * EXCLUDE (filename), {_lineage(lake)} AS source_file, "
        f"{trusted_sql.dt_from_path('filename')} AS dt FROM ({' UNION ALL '.join(reads)})"
    )


def _check_csv_headers(lake: Lake, rels: Sequence[str], series: bool) -> None:
    """A CSV that is not the challenge's format is refused before anything is written."""
    expected = LOCAL_SERIES_COLUMNS if series else LOCAL_MOVIES_COLUMNS
    for rel in rels:
        with lake.open_read(rel) as handle:
            first = handle.read(1 << 16).split(b"\n", 1)[0].decode("utf-8", errors="replace")
        header = first.lstrip("\ufeff").rstrip("\r\n").split("|")
        missing = [c for c in expected if c not in header]
        if missing:
            raise InputFileError(
                lake.uri(rel),
                f"not the challenge's {'series' if series else 'movies'} CSV: "
                f"missing columns {', '.join(missing)}",
            )


def _line_counts(
    con: duckdb.DuckDBPyConnection, files: list[str], *, csv: bool
) -> tuple[dict[str, int], dict[str, int]]:
    """(non-blank record lines, lines that are a JSON object) per file; a CSV's header is left out."""
    import duckdb

    keep = "trim(rtrim(l, chr(13)), ' ') <> ''" + (" AND NOT starts_with(l, 'id|')" if csv else "")
    is_object = "CASE WHEN json_valid(l) THEN json_type(l::JSON) = 'OBJECT' ELSE false END"
    try:
        rows = con.execute(
            f"SELECT filename, list_count(lines), list_count(list_filter(lines, lambda l: {is_object})) "
            f"FROM (SELECT filename, list_filter(string_split(content, chr(10)), lambda l: {keep}) AS lines "
            f"FROM read_text({sql_list(files)}))"
        ).fetchall()
    except duckdb.InvalidInputException as exc:
        bad = re.search(r"could not read content of file '(.+?)' as valid UTF-8", str(exc))
        if bad is None:
            raise
        raise InputFileError(bad[1], "not UTF-8 text") from None
    return {str(r[0]): int(r[1]) for r in rows}, {str(r[0]): int(r[2]) for r in rows}


def _check_json_lines(files: list[str], lines: dict[str, int], objects: dict[str, int]) -> None:
    """A file none of whose lines is a JSON object is not JSON Lines: refuse it with its name (one
    cut-short line in a file of good ones is read as Spark reads it: a record that is skipped)."""
    for name in files:
        if lines.get(name, 0) > 0 and not objects.get(name):
            raise InputFileError(name, "not JSON Lines: no line holds a JSON object")


def _select(con: duckdb.DuckDBPyConnection, lake: Lake, dataset: TrustedDataset, files: list[str]) -> str:
    series = dataset.spec == "Series"
    if dataset.raw_format == Format.JSON:
        raw = _raw_json(lake, files, TMDB_SERIES_DDL if series else TMDB_MOVIE_DDL)
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS {raw}")
        return trusted_sql.trusted_series() if series else trusted_sql.trusted_movies()
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS {_raw_csv(lake, files, series)}")
    return trusted_sql.trusted_local(series=series)


def transform_dataset(
    con: duckdb.DuckDBPyConnection, lake: Lake, dataset: TrustedDataset, todo: Sequence[RawDay]
) -> tuple[dict[date, int], str]:
    """Read the Raw days ``todo`` and write their Trusted ``dt=`` folders to a staging folder (the
    ``dt`` column kept in the files, as Iceberg wants). Returns the input rows per day and the staging
    folder (a local path: inside the table's folder on a folder lake, a temp folder otherwise)."""
    rels = [f"{raw.folder}/{name}" for raw in todo for name, _size in raw.files]
    if dataset.raw_format == Format.CSV:
        _check_csv_headers(lake, rels, series=dataset.spec == "Series")
    files = [lake.uri(rel) for rel in rels]
    lines, objects = _line_counts(con, files, csv=dataset.raw_format == Format.CSV)
    if dataset.raw_format == Format.JSON:
        _check_json_lines(files, lines, objects)
    by_file = {lake.uri(rel): raw.day for raw in todo for rel in [f"{raw.folder}/{n}" for n, _ in raw.files]}
    input_rows: dict[date, int] = {}
    for name, count in lines.items():
        day = by_file.get(name)
        if day is not None:
            input_rows[day] = input_rows.get(day, 0) + count
    if lake.is_local:
        staged = lake.fs_path(tables.staging_dir(lake, trusted_table(dataset), "duckdb"))
        os.makedirs(staged, exist_ok=True)
    else:
        staged = tempfile.mkdtemp(prefix="cinelake-trusted-")
    # One COPY per Raw day: a Trusted row is picked among the rows of its own day (the window is
    # partitioned by dt), so the days are independent and the output is the same. One COPY of every
    # day at once held the wide rows of all of them in the window and in the PARTITION_BY writer's
    # buffers together, which ran the 1M-record lake out of a 1 GB (and a 1.5 GB) memory limit.
    for raw in todo:
        query = _select(con, lake, dataset, [lake.uri(f"{raw.folder}/{name}") for name, _size in raw.files])
        con.execute(
            # No ORDER BY: row order carries no meaning in Trusted; not sorting wide rows spares a spill.
            f"COPY ({query}) TO {sql_string(staged)} "
            f"(FORMAT parquet, PARTITION_BY (dt), WRITE_PARTITION_COLUMNS true, "
            f"FILENAME_PATTERN 'part-{tables.new_token()}-{{i}}', OVERWRITE_OR_IGNORE true)"
        )
    return input_rows, staged


def run(
    store: Lake,
    *,
    day: date | None,
    force: bool,
    progress: Progress | None,
    catalog: str,
) -> RawToTrustedResult:
    """Raw -> Trusted for every pending day (or only ``day``): one Iceberg commit per dataset."""
    say = progress or (lambda _message: None)
    if not store.is_there(Zone.TRUSTED.value):  # a typo in --lake creates no lake of its own
        raise UsageError(f"no lake at {store.url}: check --lake (or CINELAKE_LAKE)")
    result, pending = plan_all(store, day=day, force=force, say=say)
    if not pending:
        return result

    con = connect(store)
    try:
        with committing_days(store, result, say) as commit:
            for dataset, todo in pending:
                days = ", ".join(r.day.isoformat() for r in todo)
                say(f"{dataset.name}: {len(todo)} day(s) ({days})")
                with duck_errors(f"raw-to-trusted ({dataset.name})"):
                    input_rows, staged = transform_dataset(con, store, dataset, todo)
                commit(dataset, todo, tables.place(store, trusted_table(dataset), staged), input_rows)
    finally:
        con.close()
    result.catalog_updated = True
    return result
