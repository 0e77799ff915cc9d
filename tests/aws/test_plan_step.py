"""The pipeline's plan: one ingestion event per configured source and kind, the rest skipped with why."""

from __future__ import annotations

import datetime as dt
import uuid

import boto3
import pytest

from cinelake.aws.events import EventError
from cinelake.aws.plan_step import plan
from cinelake.errors import ConfigError

DAY = dt.date(2026, 11, 26)


@pytest.fixture()
def bucket(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=name)
    monkeypatch.setenv("BUCKET", name)
    monkeypatch.setenv("GENRES", "Comedy,Animation")
    for var in ("SOURCES", "KINDS", "CSV", "DISCOVER_FROM", "DISCOVER_TO", "LAKE"):
        monkeypatch.delenv(var, raising=False)
    return name


def _put(endpoint: str, bucket: str, key: str) -> None:
    boto3.client("s3", endpoint_url=endpoint).put_object(Bucket=bucket, Key=key, Body=b"id,title\n")


def test_newest_csv_of_each_kind_and_discover(aws_env: str, bucket: str) -> None:
    _put(aws_env, bucket, "Raw/Local/CSV/Movies/2026/11/20/movies.csv")
    _put(aws_env, bucket, "Raw/Local/CSV/Movies/2026/11/25/movies.csv")
    _put(aws_env, bucket, "Raw/Local/CSV/Movies/2026/11/27/movies.csv")  # after the day: not this run's
    _put(aws_env, bucket, "Raw/Local/CSV/Series/2026/11/01/series.csv")
    answer = plan({"date": DAY.isoformat()})
    runs = {(e["source"], e["kind"]): e for e in answer["ingestions"]}
    assert set(runs) == {("csv", "movies"), ("discover", "movies"), ("csv", "series"), ("discover", "series")}
    assert runs["csv", "movies"]["csv"] == "Raw/Local/CSV/Movies/2026/11/25/movies.csv"
    assert runs["csv", "series"]["csv"] == "Raw/Local/CSV/Series/2026/11/01/series.csv"
    assert runs["discover", "movies"]["genres"] == ["Comedy", "Animation"]
    assert all(e["date"] == "2026-11-26" for e in answer["ingestions"])
    assert answer["weekday"] == "Thursday"  # 2026-11-26: the state machine's weekly steps read it
    assert runs["discover", "series"]["genres"] == ["Comedy", "Animation"]
    assert answer["skipped"] == []


def test_the_schedules_incremental_reaches_every_event(aws_env: str, bucket: str) -> None:
    _put(aws_env, bucket, "Raw/Local/CSV/Movies/2026/11/25/movies.csv")
    answer = plan({"date": DAY.isoformat(), "incremental": True})
    assert answer["ingestions"] and all(e["incremental"] is True for e in answer["ingestions"])


def test_no_csv_uploaded_is_skipped_and_window_reaches_discover(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINDS", "movies")
    monkeypatch.setenv("DISCOVER_FROM", "2020-01-01")
    answer = plan({}, today=DAY)
    (run,) = answer["ingestions"]
    assert run["source"] == "discover" and run["release_from"] == "2020-01-01" and run["release_to"] is None
    assert answer["skipped"] == [
        {"source": "csv", "kind": "movies", "reason": "no movies CSV under Raw/Local/CSV/"}
    ]


def test_a_key_serves_only_its_kind(aws_env: str, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES", "csv")
    monkeypatch.setenv("CSV", "Raw/Local/CSV/Series/2026/11/01/series.csv")
    answer = plan({"date": "2026-11-26"})
    assert [(e["kind"], e["csv"]) for e in answer["ingestions"]] == [
        ("series", "Raw/Local/CSV/Series/2026/11/01/series.csv")
    ]


def test_bad_settings_are_one_line(bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINDS", "films")
    with pytest.raises(
        ConfigError, match="invalid KINDS 'films': use a comma-separated list of movies, series"
    ):
        plan({})
    monkeypatch.setenv("KINDS", "movies")
    with pytest.raises(EventError, match="expected a date as YYYY-MM-DD"):
        plan({"date": "26/11/2026"})
    # other input fields go into every ingestion event, so the ingestion's own check judges them
    with pytest.raises(EventError, match="invalid event: colour: Extra inputs are not permitted"):
        plan({"colour": "blue"})
