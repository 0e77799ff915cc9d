"""One whole day of the stack, played step by step: the state machine of template.yaml in the ASL
interpreter, its Lambda functions in awslambdaric, S3 / Glue / Secrets Manager in moto, the transforms
in the DuckDB transform function (TransformEngine=lambda) or the Glue jobs' scripts on a local Spark
(TransformEngine=glue), the offline TMDB server. Then the same day again, which does no new work."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import boto3
import pytest

from cinelake.attribution import TMDB_NOTICE
from cinelake.lake import layout
from cinelake.lake.store import Lake
from cinelake.pipeline import demo_csv
from tests.aws.asl import ExecutionFailed
from tests.aws.stack import LocalStack, local_stack, s3_objects

pytestmark = pytest.mark.integration

ROWS = 30  # CSV rows per kind: enough for every table, small for Spark on two shared cores


def small_csvs(folder: Path) -> list[Path]:
    """The packaged demo CSV cut to its first Animation rows, and a series CSV of the same ids.

    (The offline snapshot holds movies only, so the series ids end as misses: the series run still
    goes through every step.)
    """
    header, *rows = demo_csv().read_text(encoding="utf-8").splitlines()
    picked = [r for r in rows if "Animation" in r.split("|")[5]][:ROWS]
    movies = folder / "movies.csv"
    movies.write_text("\n".join([header, *picked]) + "\n", encoding="utf-8")
    columns = header.split("|")
    series = folder / "series.csv"
    series_rows = ["|".join([*r.split("|")[:4], "2001", *r.split("|")[4:]]) for r in picked]
    series.write_text("\n".join(["|".join([*columns[:4], "anoTermino", *columns[4:]]), *series_rows]) + "\n")
    return [movies, series]


def glue_tables(endpoint: str, database: str) -> dict[str, int]:
    """table name -> number of partitions."""
    import boto3

    glue = boto3.client("glue", endpoint_url=endpoint)
    names = [t["Name"] for page in glue.get_paginator("get_tables").paginate(DatabaseName=database)
             for t in page["TableList"]]  # fmt: skip
    return {
        name: sum(
            len(p["Partitions"])
            for p in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=name)
        )
        for name in names
    }


def tmdb_requests(tmdb_url: str) -> int:
    from cinelake.tmdb.server.control import fetch_stats

    return int(fetch_stats(tmdb_url)["requests"])


# The Glue jobs run on the test process's Spark session: the spark mark puts them with the other
# Spark tests (one JVM per run).
@pytest.fixture(params=["lambda", pytest.param("glue", marks=pytest.mark.spark)])
def stack(
    request: pytest.FixtureRequest, aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path
) -> Any:
    with local_stack(
        endpoint=aws_env,
        tmdb_url=tmdb_server,
        token=planted_secret,
        root=tmp_path,
        parameters={
            "Genres": "Animation",
            "DiscoverFrom": "2000-01-01",
            "DiscoverTo": "2000-12-31",
            "TransformEngine": request.param,
        },
        extra_env={"SAFETY_MARGIN_SECONDS": "5"},
    ) as deployed:
        yield deployed


@pytest.mark.slow
def test_one_day_then_the_same_day_again(
    stack: LocalStack, aws_env: str, tmdb_server: str, tmp_path: Path
) -> None:
    from cinelake.ingest.local_csv import ingest_local

    lake = Lake(f"s3://{stack.bucket}", s3_endpoint_url=aws_env)
    today = dt.datetime.now(dt.UTC).date()
    ingest_local(lake, [str(p) for p in small_csvs(tmp_path)], day=today)  # the user's one upload
    output, execution = stack.execute({"incremental": True})  # what the schedule sends
    day = output["plan"]["date"]
    assert day == today.isoformat()

    # every configured source and kind ran, or is skipped with the job's own reason
    runs = {(r["source"], r["kind"]): r for r in output["ingested"]}
    assert set(runs) == {("csv", "movies"), ("discover", "movies"), ("csv", "series"), ("discover", "series")}
    assert output["plan"]["skipped"] == []
    assert runs["csv", "movies"]["written"] > 0 and runs["discover", "movies"]["written"] > 0
    # The TV snapshot knows no IMDB ids (its source has none): the CSV's series are misses, not errors.
    series = runs["csv", "series"]
    assert series["requested"] > 0 and series["not_found"] == series["requested"]
    assert all(r["failed"] == 0 for r in runs.values())

    objects = s3_objects(aws_env, stack.bucket)
    date_path = layout.date_path(today)
    assert any(k.startswith(f"Raw/TMDB/JSON/Movies/{date_path}/") for k in objects)
    assert any(k.startswith("Trusted/TMDB/PARQUET/Movies/dt=") and k.endswith(".parquet") for k in objects)
    assert any(k.startswith("Refined/fact_movie/") and k.endswith(".parquet") for k in objects)

    # the catalog: cinelake's names and partitions, written by the catalog step only
    tables = glue_tables(aws_env, stack.database)
    assert {"raw_tmdb_movies", "raw_local_movies", "raw_local_series", "fact_movie", "dim_movie"} <= set(
        tables
    )
    assert tables["raw_tmdb_movies"] >= 1
    assert output["catalog_raw"]["zones"]["Raw"]["created"] >= 3
    # Trusted and Refined are Iceberg tables the transforms committed in Glue; the crawl leaves them be.
    assert output["catalog"]["zones"]["Refined"]["created"] == 0
    glue = boto3.client("glue", endpoint_url=aws_env)
    for name in ("trusted_tmdb_movies", "fact_movie", "dim_movie"):
        found = glue.get_table(DatabaseName=stack.database, Name=name)["Table"]
        assert found["Parameters"]["table_type"] == "ICEBERG", name

    # the answer and the report, in the lake
    folder = layout.report_dir(today)
    answer = json.loads(lake.read_bytes(f"{folder}/analysis.json"))
    assert answer["notice"] == TMDB_NOTICE
    assert "Animation" in answer["genres"]
    page = lake.read_bytes(f"{folder}/report.html").decode()
    assert TMDB_NOTICE in page
    assert output["report"]["answer"] == f"s3://{stack.bucket}/{folder}/analysis.json"
    on_lambda = stack.parameters["TransformEngine"] == "lambda"
    transforms = (
        ["RawToTrustedLambda", "TrustedToRefinedLambda"]
        if on_lambda
        else ["RawToTrusted", "TrustedToRefined"]
    )
    for step in ("Plan", "Ingest", "CatalogRaw", "Check", *transforms, "Report", "Done"):
        assert step in execution.visited, step
    if on_lambda:  # DuckDB in the transform function; there is no Glue job in this stack
        assert stack.transforms == [] and not stack.resources("AWS::Glue::Job").keys() - {"WordCountJob"}
        assert stack.functions["TransformFunction"].invocations == 2
        assert output["raw_to_trusted"]["written"] >= 3 and output["raw_to_trusted"]["rows"] > 0
        assert output["trusted_to_refined"]["tables"]["Refined/fact_movie"] > 0
        assert not {"RawToTrusted", "TrustedToRefined"} & set(execution.visited)
    else:
        assert "TransformFunction" not in stack.functions
        assert [t.script for t in stack.transforms] == ["raw_to_trusted.py", "trusted_to_refined.py"]
        assert not {"RawToTrustedLambda", "TrustedToRefinedLambda"} & set(execution.visited)

    # IAM: every S3 key, Glue, Secrets Manager and Athena call of each step is inside its role
    assert all(f.proxy.calls for f in stack.functions.values())  # every call went through a recorder
    assert {name: problems for name in stack.functions if (problems := stack.access_problems(name))} == {}

    # --- the same day again: every step resumes or skips; nothing is fetched, written or cataloged ---
    requests_before = tmdb_requests(tmdb_server)
    again, rerun = stack.execute({"date": day, "incremental": True})
    assert again["check"]["built"] is True
    assert not {*transforms, "Report"} & set(rerun.visited)
    assert len(stack.transforms) == (0 if on_lambda else 2)  # no Glue job ran
    if on_lambda:
        assert stack.functions["TransformFunction"].invocations == 2  # nor the transform function
    assert tmdb_requests(tmdb_server) == requests_before
    after = s3_objects(aws_env, stack.bucket)
    assert set(after) == set(objects)  # no object added or removed
    changed = sorted(k for k in after if after[k] != objects[k])
    # only the ingestion's run manifests are rewritten (each records the resumed run); no data changes
    assert all(re.fullmatch(r"Raw/TMDB/_runs/[^/]+/manifest\.json", k) for k in changed), changed
    assert glue_tables(aws_env, stack.database) == tables
    for zone in [*again["catalog_raw"]["zones"].values(), *again["catalog"]["zones"].values()]:
        assert (zone["created"], zone["updated"], zone["partitions_added"]) == (0, 0, 0), zone
    assert [r["run_id"] for r in again["ingested"]] == [r["run_id"] for r in output["ingested"]]
    assert {name: problems for name in stack.functions if (problems := stack.access_problems(name))} == {}


def test_a_failed_step_fails_the_execution_with_its_one_line_error(
    aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path
) -> None:
    with local_stack(
        endpoint=aws_env,
        tmdb_url=tmdb_server,
        token=planted_secret,
        root=tmp_path,
        parameters={
            "Genres": "Noir Musicals",
            "Sources": "discover",
            "Kinds": "movies",
            "NotificationEmail": "lake-owner@example.com",
        },
    ) as deployed:
        with pytest.raises(ExecutionFailed) as failed:
            deployed.execute({})
        assert failed.value.error == "IngestionRefused"
        assert failed.value.cause.startswith("the ingest step failed: unknown genre(s) Noir Musicals")
        assert "\n" not in failed.value.cause and planted_secret not in failed.value.cause
        (notice,) = deployed.notifications
        assert notice["Message"] == failed.value.cause
        assert deployed.functions["CatalogFunction"].invocations == 0  # nothing after the failed step


@pytest.fixture()
def empty_lake_stack(
    aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path
) -> Callable[..., AbstractContextManager[LocalStack]]:
    """``local_stack`` for CSV movies over a lake with no CSV uploaded (nothing to ingest); the
    caller adds parameters and the other keyword arguments of local_stack."""

    def make(parameters: dict[str, str] | None = None, **options: Any) -> AbstractContextManager[LocalStack]:
        return local_stack(
            endpoint=aws_env,
            tmdb_url=tmdb_server,
            token=planted_secret,
            root=tmp_path,
            parameters={"Sources": "csv", "Kinds": "movies", **(parameters or {})},
            **options,
        )

    return make


def test_a_raised_step_error_is_retried_then_reported_as_its_message(
    empty_lake_stack: Callable[..., AbstractContextManager[LocalStack]],
) -> None:
    """A catalog step that cannot reach Glue raises a transient error: retried, then the execution
    fails with the handler's one line (Lambda's cause is JSON; the execution's is the line from it)."""
    with (
        empty_lake_stack(
            function_env={
                "CatalogFunction": {"AWS_ENDPOINT_URL_GLUE": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
            },
        ) as deployed,
        pytest.raises(ExecutionFailed) as failed,
    ):
        deployed.execute({"date": "2026-11-26"})
    assert failed.value.error == "StepFailed"
    assert failed.value.cause.startswith("the catalog step failed: "), failed.value.cause
    assert "\n" not in failed.value.cause and "Traceback" not in failed.value.cause
    retry = deployed.definition()["States"]["CatalogRaw"]["Retry"][0]
    assert deployed.functions["CatalogFunction"].invocations == 1 + retry["MaxAttempts"]
    assert deployed.functions["CheckFunction"].invocations == 0


@pytest.mark.slow
@pytest.mark.spark
def test_a_failed_glue_job_fails_the_execution_with_the_jobs_message(
    empty_lake_stack: Callable[..., AbstractContextManager[LocalStack]],
) -> None:
    """A lake with nothing ingested yet: trusted-to-refined finds no Trusted data. Glue's JSON cause is
    reduced to the job's own line, after the one retry of a failed job run."""
    with (
        empty_lake_stack({"TransformEngine": "glue"}) as deployed,
        pytest.raises(ExecutionFailed) as failed,
    ):
        deployed.execute({"date": "2026-11-26"})
    assert failed.value.error == "States.TaskFailed"
    assert failed.value.cause.startswith("the trusted-to-refined step failed: "), failed.value.cause
    assert "\n" not in failed.value.cause and "{" not in failed.value.cause
    assert deployed.functions["ReportFunction"].invocations == 0


def test_a_refused_lambda_transform_fails_the_execution_with_its_line_unretried(
    empty_lake_stack: Callable[..., AbstractContextManager[LocalStack]],
) -> None:
    """The same empty lake with TransformEngine=lambda: trusted-to-refined refuses (nothing in
    Trusted), which no retry would change, so the execution fails at once with the step's own line."""
    with empty_lake_stack({"TransformEngine": "lambda"}) as deployed:
        with pytest.raises(ExecutionFailed) as failed:
            deployed.execute({"date": "2026-11-26"})
        transform = deployed.functions["TransformFunction"]
        assert transform.invocations == 2  # raw-to-trusted (nothing to do), trusted-to-refined once
        assert deployed.functions["ReportFunction"].invocations == 0
        assert deployed.access_problems("TransformFunction") == []
    assert failed.value.error == "StepRefused", failed.value
    assert failed.value.cause.startswith("the trusted-to-refined step failed: "), failed.value.cause
    assert "\n" not in failed.value.cause and "{" not in failed.value.cause
