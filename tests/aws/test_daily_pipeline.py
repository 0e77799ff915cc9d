"""One whole day of the stack, played step by step: the state machine of template.yaml in the ASL
interpreter, its Lambda functions in awslambdaric, S3 / Glue / Secrets Manager in moto, the transforms
in the DuckDB transform function (TransformEngine=lambda) or the Glue jobs' scripts on a local Spark
(TransformEngine=glue), the offline TMDB server. Then the same day again, which does no new work."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
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
from tests.aws.test_dashboard_function import open_the_dashboard

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
            # The Lambda variant deploys the dashboard too, which the one-day test then opens.
            "Dashboard": "true" if request.param == "lambda" else "false",
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
    assert "catalog" not in output  # no crawl of Trusted and Refined after the transforms
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

    if on_lambda:  # the dashboard (Dashboard=true) over this day's lake, signed and read-only
        open_the_dashboard(stack, answer)

    # IAM: every S3 key, Glue, Secrets Manager and Athena call of each step is inside its role
    # every call of each function the day invoked went through a recorder
    assert all(f.proxy.calls for f in stack.functions.values() if f.invocations)
    # the weekly upkeep runs on the stack's MaintenanceDay only
    weekly = output["plan"]["weekday"] == stack.parameters["MaintenanceDay"]
    assert ("Maintain" in execution.visited) == weekly and "Maintain?" in execution.visited
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
    for zone in again["catalog_raw"]["zones"].values():
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_csv_replaced_the_same_day_is_ingested_and_built_again(
    empty_lake_stack: Callable[..., AbstractContextManager[LocalStack]], aws_env: str, tmp_path: Path
) -> None:
    """The user uploads a CSV, the day runs; the same day they upload a version with more titles and
    the day runs again: a new ingestion run fetches only the new titles, and the check sees the
    changed Raw (same file names, new content), so the transforms and the report are built again."""
    from cinelake.ingest.local_csv import ingest_local

    day = dt.date(2026, 11, 26)
    movies, _ = small_csvs(tmp_path)
    header, *rows = movies.read_text(encoding="utf-8").splitlines()
    with empty_lake_stack({"TransformEngine": "lambda", "Genres": "Animation"}) as deployed:
        lake = Lake(f"s3://{deployed.bucket}", s3_endpoint_url=aws_env)
        movies.write_text("\n".join([header, *rows[:20]]) + "\n", encoding="utf-8")
        ingest_local(lake, [str(movies)], day=day)
        first, _ = deployed.execute({"date": day.isoformat()})
        (one,) = first["ingested"]  # a complete run (the state machine fails on any other)
        assert one["written"] > 0

        movies.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")  # 10 rows more
        (copied,) = ingest_local(lake, [str(movies)], day=day)
        assert copied.change == "changed"
        second, rerun = deployed.execute({"date": day.isoformat()})
        (two,) = second["ingested"]
        assert two["run_id"] != one["run_id"]
        added = {r.split("|")[0] for r in rows[20:]} - {r.split("|")[0] for r in rows[:20]}
        assert 0 < two["requested"] <= len(added)  # only the titles the first version did not have
        assert second["check"]["built"] is False
        assert "RawToTrustedLambda" in rerun.visited and "Report" in rerun.visited
    titles = {
        json.loads(line)["imdb_id"]
        for key in s3_objects(aws_env, deployed.bucket)
        if key.startswith("Raw/TMDB/JSON/Movies/")
        for line in lake.read_bytes(key).splitlines()
    }
    assert added & titles  # the new version's titles reached Raw


def known_movie_ids(tmdb_url: str, token: str, ids: list[str], wanted: int) -> list[str]:
    """The first ``wanted`` of ``ids`` the offline server answers with a movie."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    known = [i for i in ids if httpx.get(f"{tmdb_url}/movie/{i}", headers=headers).status_code == 200]
    return known[:wanted]


@pytest.mark.slow
def test_a_day_with_an_id_that_always_fails_ends_with_a_report_that_names_it(
    aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path
) -> None:
    """One CSV id answers 500 on every request. The ingestion's first pass fails it, the loop sends the
    run back once (IngestContinue, as the template wrote it), the second pass settles nothing new and
    ends the run as partial; the day goes on to the transforms and a report that names the id."""
    from cinelake.ingest.local_csv import ingest_local
    from cinelake.tmdb.server.control import configure

    movies, _ = small_csvs(tmp_path)
    ids = [line.split("|")[0] for line in movies.read_text(encoding="utf-8").splitlines()[1:]]
    (failing,) = known_movie_ids(tmdb_server, planted_secret, ids, 1)
    today = dt.datetime.now(dt.UTC).date()
    configure(tmdb_server, path_faults={f"/3/movie/{failing}": "500"})
    try:
        with local_stack(
            endpoint=aws_env,
            tmdb_url=tmdb_server,
            token=planted_secret,
            root=tmp_path,
            parameters={"Sources": "csv", "Kinds": "movies", "Genres": "Animation"},
            function_env={"IngestFunction": {"CINELAKE_TMDB_MAX_RETRIES": "0"}},
        ) as deployed:
            lake = Lake(f"s3://{deployed.bucket}", s3_endpoint_url=aws_env)
            ingest_local(lake, [str(movies)], day=today)
            output, execution = deployed.execute({"incremental": True})
            assert deployed.access_problems("IngestFunction") == []
    finally:
        configure(tmdb_server, path_faults={})
    (run,) = output["ingested"]
    assert run["failed"] == 1 and run["written"] > 0
    assert [f["id"] for f in run["failures"]] == [failing] and "500" in run["failures"][0]["reason"]
    assert "settled no new id" in run["ended"]
    assert execution.visited.count("IngestRun") == 2 and execution.visited.count("IngestContinue") == 1
    assert "IngestPartial" in execution.visited
    for step in ("RawToTrustedLambda", "TrustedToRefinedLambda", "Report", "Done"):
        assert step in execution.visited, step
    assert output["report"]["failed"] == 1
    page = lake.read_bytes(f"{layout.report_dir(today)}/report.html").decode()
    assert "1 id(s) failed" in page and failing in page
    manifest = json.loads(lake.read_bytes(f"Raw/TMDB/_runs/{run['run_id']}/manifest.json"))
    assert manifest["status"] == "incomplete"
    assert [f["id"] for f in manifest["failures"]] == [failing]


@pytest.mark.slow
def test_an_ingestion_over_several_invocations_loops_through_ingest_continue(
    aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path
) -> None:
    """The loop as the template wrote it: a 2-second window for new chunks (SAFETY_MARGIN_SECONDS
    898 of the 900 s timeout) at 60 requests/s lets an invocation start at most 3 chunks of 100 ids
    (no chunk can finish inside the window to make room for a fourth), and the discover has more, so
    IngestDone? sends next_event back through IngestContinue. Raw ends as one uninterrupted run's."""
    from cinelake.aws.environment import FunctionEnvironment
    from cinelake.aws.events import resolve_event
    from cinelake.aws.lambda_handler import build_request
    from cinelake.config import Settings
    from cinelake.ingest.tmdb import ingest_tmdb

    genres = "TV Movie,Western"
    with local_stack(
        endpoint=aws_env,
        tmdb_url=tmdb_server,
        token=planted_secret,
        root=tmp_path,
        parameters={"Sources": "discover", "Kinds": "movies", "Genres": genres},
        function_env={"IngestFunction": {"SAFETY_MARGIN_SECONDS": "898", "CINELAKE_TMDB_RATE_LIMIT": "60"}},
    ) as deployed:
        output, execution = deployed.execute({"incremental": True})
        chained = data_files(aws_env, deployed.bucket)
    (run,) = output["ingested"]
    passes = execution.visited.count("IngestRun")
    assert passes >= 2 and execution.visited.count("IngestContinue") == passes - 1
    assert "ended" not in run and run["failed"] == 0

    # One uninterrupted run of the same request, in its own bucket.
    import boto3

    reference = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=reference)
    lake = Lake(f"s3://{reference}", s3_endpoint_url=aws_env)
    event = resolve_event(
        {"incremental": True, "date": output["plan"]["date"]},
        FunctionEnvironment(bucket=reference, genres=genres),
    )
    settings = Settings(
        tmdb_base_url=tmdb_server, tmdb_read_access_token=planted_secret, tmdb_rate_limit=1000,
        s3_endpoint_url=aws_env,
    )  # fmt: skip
    once = ingest_tmdb(lake, build_request(event, lake), settings)
    assert once.status == "complete" and once.run_id == run["run_id"]
    assert once.chunks_total > 3  # more than one invocation's 3 chunks
    assert chained == data_files(aws_env, reference)


def data_files(endpoint: str, bucket: str) -> dict[str, bytes]:
    """The bucket's Raw/TMDB data files (bookkeeping left out), name -> bytes."""
    from tests.aws.conftest import bucket_files

    return {k: v for k, v in bucket_files(endpoint, bucket).items() if k.startswith("Raw/TMDB/JSON/")}
