"""The daily pipeline's transforms on DuckDB, in a Lambda function (``TransformEngine=lambda``).

``cinelake.aws.transform_step.handler`` with ``{"job": "raw-to-trusted" | "trusted-to-refined",
"date": "YYYY-MM-DD"}`` runs what ``cinelake transform <job> --engine duckdb --catalog none`` runs,
on the lake ``s3://$BUCKET``: the same library functions, the same files. As the Glue job,
``raw-to-trusted`` builds every Raw day not yet in Trusted (on a daily schedule: the day ``date``
just ingested; a day whose incremental ingestion found nothing new is "nothing to do", not an
error); ``date`` is checked and echoed so the execution shows which day ran. The catalog is not
touched: the pipeline's catalog step is the one writer of the Glue database, as with the Glue jobs.

DuckDB is sized for the function: its memory cap is :data:`MEMORY_SHARE` of the function's memory
(``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``; the rest is Python, boto3 and the fsspec buffers) and it
spills to ``/tmp`` (the only writable folder on Lambda). ``CINELAKE_DUCKDB_MEMORY_LIMIT`` and
``CINELAKE_DUCKDB_TEMP_DIRECTORY`` set in the function's environment win over both.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from cinelake.aws.environment import function_lake
from cinelake.aws.steps import run_step
from cinelake.errors import UsageError
from cinelake.transform.duck import MEMORY_LIMIT_ENV, TEMP_DIRECTORY_ENV

JOBS = ("raw-to-trusted", "trusted-to-refined")
MEMORY_SHARE = 0.75  # of the function's memory, for DuckDB
LAMBDA_MEMORY_ENV = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"

log = logging.getLogger("cinelake.aws.step")


def duckdb_limits(environ: Mapping[str, str]) -> tuple[str, str]:
    """(memory limit, spill folder) for DuckDB in this function, explicit settings first."""
    memory = environ.get(MEMORY_LIMIT_ENV)
    if not memory:
        try:
            function_mb = int(environ.get(LAMBDA_MEMORY_ENV, ""))
        except ValueError:
            raise UsageError(
                f"{LAMBDA_MEMORY_ENV} is not set: run in Lambda or set {MEMORY_LIMIT_ENV}"
            ) from None
        memory = f"{max(64, int(function_mb * MEMORY_SHARE))}MB"
    spill = environ.get(TEMP_DIRECTORY_ENV) or os.path.join(tempfile.gettempdir(), "cinelake-duckdb")
    return memory, spill


def _event(event: Any) -> tuple[str, dt.date | None]:
    job = event.get("job") if isinstance(event, dict) else None
    if job not in JOBS:
        raise UsageError(
            f'invalid transform step input: job {job!r}; expected {{"job": "raw-to-trusted" | '
            f'"trusted-to-refined", "date": "YYYY-MM-DD"}}'
        )
    text = event.get("date")
    if text is None:
        return job, None
    try:
        return job, dt.date.fromisoformat(str(text))
    except ValueError:
        raise UsageError(f"invalid transform step input: date {text!r} is not YYYY-MM-DD") from None


def run_job(event: Any) -> dict[str, Any]:
    """Run one transform on DuckDB over the function's lake; what it wrote."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined

    job, day = _event(event)
    memory, spill = duckdb_limits(os.environ)
    os.environ[MEMORY_LIMIT_ENV], os.environ[TEMP_DIRECTORY_ENV] = memory, spill
    lake = function_lake()

    def progress(message: str) -> None:
        log.info(message, extra={"fields": {"job": job}})

    answer: dict[str, Any] = {"job": job, "date": day.isoformat() if day else None, "memory_limit": memory}
    if job == "raw-to-trusted":
        trusted = raw_to_trusted(lake, engine="duckdb", progress=progress, catalog="none")
        answer["written"] = len(trusted.written)
        answer["skipped"] = len(trusted.skipped)
        answer["rows"] = sum(p.rows for p in trusted.written)
    else:
        refined = trusted_to_refined(lake, engine="duckdb", progress=progress, catalog="none")
        answer["tables"] = dict(refined.tables)
        answer["rows"] = sum(refined.tables.values())
    return answer


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (see the module documentation)."""
    job = event.get("job") if isinstance(event, dict) else None
    return run_step(str(job) if job in JOBS else "transform", lambda: run_job(event))
