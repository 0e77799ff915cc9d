"""`--query-engine athena`: moto's Athena for the whole round trip, botocore's Stubber for polling and paging.

moto runs no SQL: it answers GetQueryResults with rows queued through its moto-api, and it never
pages; the Stubber tests feed the client the pages and states Athena itself returns.
"""

from __future__ import annotations

from typing import Any

import boto3
import httpx
import orjson
import pytest
from botocore.stub import Stubber

from cinelake.cli import main
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.query import AthenaQueryFailed, ReadOnlyError, run_athena, run_sql
from cinelake.query.athena import AthenaError

COLUMNS = [
    {"Name": "title", "Label": "title", "Type": "varchar"},
    {"Name": "n", "Label": "n", "Type": "bigint"},
    {"Name": "avg", "Label": "avg", "Type": "double"},
]


def row(*cells: str | None) -> dict[str, Any]:
    return {"Data": [{"VarCharValue": c} if c is not None else {} for c in cells]}


def queue_moto_results(endpoint: str, rows: list[dict[str, Any]]) -> None:
    reply = httpx.post(
        f"{endpoint}/moto-api/static/athena/query-results",
        json={"region": "us-east-1", "results": [{"rows": rows, "column_info": COLUMNS}]},
    )
    reply.raise_for_status()


@pytest.mark.integration
def test_run_sql_on_moto_athena(aws_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    queue_moto_results(
        aws_env, [row("title", "n", "avg"), row("Fight Club", "2", "8.4"), row("Up", None, "7.9")]
    )
    result = run_sql(
        Lake("memory://unused"),
        "SELECT title, count(*) AS n, avg(vote_average) AS avg FROM raw_tmdb_movies GROUP BY title",
        engine="athena",
        database="cinelake",
        output_location="s3://results-bucket/athena/",
    )
    assert result.engine == "athena" and result.columns == ["title", "n", "avg"]
    assert result.rows == [("Fight Club", 2, 8.4), ("Up", None, 7.9)]
    execution = boto3.client("athena", region_name="us-east-1").get_query_execution(
        QueryExecutionId=result.details["query_execution_id"]
    )["QueryExecution"]
    assert execution["QueryExecutionContext"]["Database"] == "cinelake"
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://results-bucket/athena/")

    queue_moto_results(aws_env, [row("title", "n", "avg"), row("Fight Club", "2", "8.4")])
    with pytest.raises(SystemExit):
        main(
            [
                "sql",
                "SELECT 1",
                "--query-engine",
                "athena",
                "--format",
                "json",
                "--output-location",
                "s3://r/",
            ]
        )
    assert orjson.loads(capsys.readouterr().out) == [{"title": "Fight Club", "n": 2, "avg": 8.4}]


def test_athena_is_read_only_too() -> None:
    with pytest.raises(ReadOnlyError):
        run_sql(Lake("memory://unused"), "DROP TABLE raw_tmdb_movies", engine="athena")


def stubbed() -> tuple[Any, Stubber]:
    client = boto3.client(
        "athena",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url="http://127.0.0.1:9",
    )
    return client, Stubber(client)


def execution(state: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status}}


def test_polls_until_done_and_pages_through_results() -> None:
    client, stub = stubbed()
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {
            "QueryString": "SELECT 1",
            "QueryExecutionContext": {"Database": "movies"},
            "WorkGroup": "analytics",
        },
    )
    for state in ("QUEUED", "RUNNING", "SUCCEEDED"):
        stub.add_response("get_query_execution", execution(state), {"QueryExecutionId": "q-1"})
    meta = {"ColumnInfo": COLUMNS}
    stub.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": [row("title", "n", "avg"), row("A", "1", "1.5")], "ResultSetMetadata": meta},
         "NextToken": "page-2"},
        {"QueryExecutionId": "q-1"},
    )  # fmt: skip
    stub.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": [row("title", "2", "2.5"), row("C", "3", None)], "ResultSetMetadata": meta}},
        {"QueryExecutionId": "q-1", "NextToken": "page-2"},
    )
    sleeps: list[float] = []
    with stub:
        result = run_athena(
            "SELECT 1", database="movies", workgroup="analytics", client=client, sleep=sleeps.append
        )
    stub.assert_no_pending_responses()
    assert sleeps == [0.5, 0.75]  # polled with back-off until SUCCEEDED
    # the header row is dropped from the first page only: a data row equal to it on page 2 is kept
    assert result.rows == [("A", 1, 1.5), ("title", 2, 2.5), ("C", 3, None)]


def test_a_failed_query_is_one_line() -> None:
    client, stub = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    reason = "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved\nmore detail"
    stub.add_response("get_query_execution", execution("FAILED", reason))
    with stub, pytest.raises(AthenaQueryFailed) as error:
        run_athena("SELECT nope", database="movies", client=client, sleep=lambda _: None)
    assert (
        str(error.value)
        == "Athena query failed: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"
    )
    assert isinstance(error.value, UsageError)


def test_a_query_past_its_timeout_is_stopped() -> None:
    client, stub = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    for _ in range(3):
        stub.add_response("get_query_execution", execution("RUNNING"))
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    with stub, pytest.raises(AthenaQueryFailed, match="did not finish"):
        run_athena("SELECT 1", database="movies", client=client, timeout=1.0, sleep=lambda _: None)
    stub.assert_no_pending_responses()


def test_aws_errors_are_one_line() -> None:
    client, stub = stubbed()
    stub.add_client_error("start_query_execution", "InvalidRequestException", "WorkGroup nope is not found.")
    with stub, pytest.raises(AthenaError, match="InvalidRequestException: WorkGroup nope is not found"):
        run_athena("SELECT 1", database="movies", workgroup="nope", client=client)


@pytest.mark.integration
def test_the_workgroup_comes_from_the_environment_and_is_said(
    aws_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cinelake.config import get_settings

    athena = boto3.client("athena", region_name="us-east-1")
    athena.create_work_group(
        Name="cinelake-stack", Configuration={"ResultConfiguration": {"OutputLocation": "s3://r/_athena/"}}
    )

    def ran_in(result_details: dict[str, Any]) -> str:
        execution = athena.get_query_execution(QueryExecutionId=result_details["query_execution_id"])
        return str(execution["QueryExecution"]["WorkGroup"])

    def cli(*flags: str) -> str:
        queue_moto_results(aws_env, [row("title", "n", "avg"), row("Up", "1", "7.9")])
        with pytest.raises(SystemExit) as exited:
            main(["sql", "SELECT 1", "--query-engine", "athena", "--format", "json", *flags])
        out, err = capsys.readouterr()
        assert exited.value.code == 0, err
        assert orjson.loads(out) == [{"title": "Up", "n": 1, "avg": 7.9}]  # stdout is the rows alone
        return err

    monkeypatch.delenv("CINELAKE_ATHENA_WORKGROUP", raising=False)
    get_settings.cache_clear()
    try:
        queue_moto_results(aws_env, [row("title", "n", "avg")])
        default = run_sql(Lake("memory://unused"), "SELECT 1", engine="athena", output_location="s3://r/")
        assert default.details["workgroup"] == "primary" == ran_in(default.details)
        assert "Athena workgroup: primary" in cli("--output-location", "s3://r/")

        monkeypatch.setenv("CINELAKE_ATHENA_WORKGROUP", "cinelake-stack")
        get_settings.cache_clear()
        queue_moto_results(aws_env, [row("title", "n", "avg")])
        stack = run_sql(Lake("memory://unused"), "SELECT 1", engine="athena")
        assert stack.details["workgroup"] == "cinelake-stack" == ran_in(stack.details)
        assert "Athena workgroup: cinelake-stack" in cli()
        assert "Athena workgroup: primary" in cli("--workgroup", "primary", "--output-location", "s3://r/")
    finally:
        get_settings.cache_clear()
