"""Amazon Athena through boto3: start the query, poll until it ends, page through the results."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cinelake.catalog.glue import aws_errors, region
from cinelake.errors import CinelakeError, UsageError, needs_aws
from cinelake.query.result import QueryResult

DEFAULT_WORKGROUP = "primary"
_DONE = ("SUCCEEDED", "FAILED", "CANCELLED")


class AthenaQueryFailed(UsageError):
    """Athena ran the query and it failed (a SQL error, a missing table, a permission...)."""


class AthenaError(CinelakeError):
    """Athena refused a call (unknown workgroup, no output location, throttling...)."""


def _convert(kind: str, text: str | None) -> Any:
    """Athena returns every cell as text; give numbers and booleans back their type."""
    if text is None:
        return None
    kind = kind.lower()
    try:
        if kind in ("tinyint", "smallint", "integer", "int", "bigint"):
            return int(text)
        if kind in ("double", "float", "real"):
            return float(text)
        if kind == "boolean":
            return text.lower() == "true"
    except ValueError:
        return text
    return text


def run_athena(
    sql: str,
    *,
    database: str,
    workgroup: str | None = None,
    output_location: str | None = None,
    client: Any = None,
    poll_interval: float = 0.5,
    timeout: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> QueryResult:
    """Run ``sql`` in Athena against the Glue database ``database`` and return every result row.

    Polls ``GetQueryExecution`` every ``poll_interval`` seconds (backing off to 5 s) and stops the
    query when ``timeout`` passes; results are paged with ``GetQueryResults``.
    """
    if client is None:
        with needs_aws("Athena"):
            import boto3

        client = boto3.client("athena", region_name=region())
    started = time.perf_counter()
    workgroup = workgroup or DEFAULT_WORKGROUP
    request: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": database},
        "WorkGroup": workgroup,
    }
    if output_location:
        request["ResultConfiguration"] = {"OutputLocation": output_location}
    with aws_errors("Athena StartQueryExecution", AthenaError):
        query_id = client.start_query_execution(**request)["QueryExecutionId"]
    status = _wait(client, query_id, poll_interval, timeout, sleep)
    state = status.get("State", "")
    if state != "SUCCEEDED":
        reason = status.get("StateChangeReason") or state
        raise AthenaQueryFailed(f"Athena query {state.lower()}: {reason.splitlines()[0]}")
    columns, rows = _results(client, query_id)
    details = {"query_execution_id": query_id, "workgroup": workgroup}
    return QueryResult(columns, rows, "athena", time.perf_counter() - started, details)


def _wait(
    client: Any, query_id: str, poll_interval: float, timeout: float, sleep: Callable[[float], None]
) -> dict[str, Any]:
    waited, delay = 0.0, poll_interval
    while True:
        with aws_errors("Athena GetQueryExecution", AthenaError):
            execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        status: dict[str, Any] = execution.get("Status", {})
        if status.get("State") in _DONE:
            return status
        if waited >= timeout:
            with aws_errors("Athena StopQueryExecution", AthenaError):
                client.stop_query_execution(QueryExecutionId=query_id)
            raise AthenaQueryFailed(
                f"Athena query {query_id} did not finish in {timeout:.0f}s; it was stopped"
            )
        sleep(delay)
        waited += delay
        delay = min(delay * 1.5, 5.0)


def _results(client: Any, query_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns: list[str] = []
    kinds: list[str] = []
    rows: list[tuple[Any, ...]] = []
    first_page = True
    with aws_errors("Athena GetQueryResults", AthenaError):
        for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
            result = page.get("ResultSet", {})
            if not columns:
                info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                columns = [c.get("Label") or c.get("Name", "") for c in info]
                kinds = [c.get("Type", "varchar") for c in info]
            page_rows = result.get("Rows", [])
            for index, row in enumerate(page_rows):
                cells = [d.get("VarCharValue") for d in row.get("Data", [])]
                # The first row of a SELECT's first page repeats the column names.
                if first_page and index == 0 and cells == columns:
                    continue
                rows.append(tuple(_convert(k, v) for k, v in zip(kinds, cells, strict=False)))
            first_page = False
    return columns, rows
