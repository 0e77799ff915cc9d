"""Entry points of the Spark jobs for AWS Glue, EMR (spark-submit) or a plain ``python`` run.

On Glue the job arguments come through ``awsglue.utils.getResolvedOptions`` (``--lake s3://...``)
and the run is wrapped in a Glue ``Job`` (init/commit); anywhere else the same flags are read with
argparse. Each entry calls the same library function the CLI calls.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from cinelake.errors import UsageError
from cinelake.spark.session import get_spark, in_glue

TRUE = ("1", "true", "yes", "on")


def job_arguments(
    argv: Sequence[str], *, required: Sequence[str], optional: Mapping[str, str | None]
) -> dict[str, str | None]:
    """``--name value`` job arguments: Glue's resolver on Glue (``JOB_NAME`` included), argparse elsewhere.

    ``argv`` is the whole ``sys.argv`` (program name first); unknown flags are ignored, as Glue adds
    its own.
    """
    if in_glue():  # on Glue (tests: the awsglue double of tests/aws/glue_runtime)
        from awsglue.utils import getResolvedOptions

        present = [name for name in optional if f"--{name}" in argv]
        names = ["JOB_NAME", *required, *present]
        resolved = getResolvedOptions(list(argv), names)
        return {**optional, **{name: resolved[name] for name in names}}
    parser = argparse.ArgumentParser(prog=argv[0] if argv else "cinelake-job", add_help=True)
    for name in required:
        parser.add_argument(f"--{name}", required=True)
    for name, default in optional.items():
        parser.add_argument(f"--{name}", default=default)
    known, _ = parser.parse_known_args(list(argv[1:]))
    return {key: (str(value) if value is not None else None) for key, value in vars(known).items()}


@contextmanager
def glue_job(args: Mapping[str, str | None]) -> Iterator[Any]:
    """The Spark session, inside a Glue ``Job`` (init ... commit) when on Glue."""
    spark = get_spark()
    if not in_glue():
        yield spark
        return
    from awsglue.context import GlueContext
    from awsglue.job import Job

    job = Job(GlueContext(spark.sparkContext))
    job.init(args.get("JOB_NAME") or "cinelake", dict(args))
    yield spark
    job.commit()


def _log(message: str) -> None:
    print(message, flush=True)


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"invalid --date {value!r}: expected YYYY-MM-DD") from None


def _default_catalog() -> str:
    return "glue" if in_glue() else "local"


def _use_database(args: Mapping[str, str | None]) -> None:
    """``--database NAME``: the catalog database the jobs update (else CINELAKE_CATALOG_DATABASE)."""
    if args.get("database"):
        os.environ["CINELAKE_CATALOG_DATABASE"] = str(args["database"])


def raw_to_trusted_main(argv: Sequence[str] | None = None) -> None:
    """``--lake URL [--date YYYY-MM-DD] [--force true] [--catalog glue|local|none] [--database NAME]``."""
    from cinelake.lake.store import Lake
    from cinelake.spark.raw_to_trusted import raw_to_trusted

    args = job_arguments(
        argv or sys.argv,
        required=["lake"],
        optional={"date": None, "force": "false", "catalog": _default_catalog(), "database": None},
    )
    _use_database(args)
    with glue_job(args) as spark:
        result = raw_to_trusted(
            Lake(str(args["lake"])),
            day=_day(args.get("date")),
            force=str(args.get("force")).lower() in TRUE,
            spark=spark,
            progress=_log,
            catalog=str(args.get("catalog")),
        )
    for part in result.partitions:
        _log(f"{part.dataset} dt={part.day.isoformat()} {part.status} rows={part.rows}")


def trusted_to_refined_main(argv: Sequence[str] | None = None) -> None:
    """``--lake URL [--catalog glue|local|none] [--database NAME]``."""
    from cinelake.lake.store import Lake
    from cinelake.spark.trusted_to_refined import trusted_to_refined

    args = job_arguments(
        argv or sys.argv, required=["lake"], optional={"catalog": _default_catalog(), "database": None}
    )
    _use_database(args)
    with glue_job(args) as spark:
        result = trusted_to_refined(
            Lake(str(args["lake"])), spark=spark, progress=_log, catalog=str(args.get("catalog"))
        )
    for table, rows in result.tables.items():
        _log(f"{table} rows={rows}")


def wordcount_main(argv: Sequence[str] | None = None) -> None:
    """``--paths P1,P2,... --out PATH.csv|PATH.parquet [--top N]``.

    A local ``--out`` is one file; an ``s3://`` one (Glue/EMR) is a folder of part files.
    """
    from cinelake.spark.wordcount import count_words, sort_counts, write_counts

    args = job_arguments(argv or sys.argv, required=["paths", "out"], optional={"top": "20"})
    paths = [p for p in str(args["paths"]).split(",") if p]
    out = str(args["out"])
    top = int(str(args.get("top") or "20"))
    with glue_job(args) as spark:
        counts = count_words(spark, paths)
        single = "://" not in out and not in_glue()
        written = write_counts(counts, out, single_file=single)
        rows = sort_counts(counts).limit(top).collect() if top > 0 else []
    for row in rows:
        _log(f"{row['word']}\t{row['count']}")
    _log(f"all counts written to {written}")
