"""Event validation: defaults from the function's environment, one clear line for a bad event."""

from __future__ import annotations

from datetime import date

import pytest

from cinelake.aws.environment import ContinuationMode, FunctionEnvironment, load_environment
from cinelake.aws.events import EventError, resolve_event
from cinelake.errors import ConfigError

DAY = date(2026, 11, 26)
CSV_URL = "s3://lake-bucket/Raw/Local/CSV/Movies/2026/11/26/movies.csv"


def env(**values: str) -> FunctionEnvironment:
    return FunctionEnvironment(**{"BUCKET": "lake-bucket", **values})  # type: ignore[arg-type]


def test_empty_event_takes_every_default_from_the_environment() -> None:
    event = resolve_event({}, env(GENRES="Comedy, Animation", KIND="series"), today=DAY)
    assert event.source == "discover"
    assert event.genres == ("Comedy", "Animation")
    assert event.kind == "series"
    assert event.date == DAY
    assert event.invocation == 1 and event.run_id is None


def test_csv_event_becomes_lake_relative() -> None:
    event = resolve_event({"source": "csv", "csv": CSV_URL, "kind": "movies", "date": "2026-11-26"}, env())
    assert event.csv == "Raw/Local/CSV/Movies/2026/11/26/movies.csv"
    assert event.date == DAY


def test_payload_round_trips_through_a_continuation() -> None:
    first = resolve_event({"source": "csv", "csv": CSV_URL}, env(), today=DAY)
    following = first.next_invocation("run-abc", "chain-1")
    again = resolve_event(following.payload(), env(), today=date(2030, 1, 1))
    assert again == following
    assert again.date == DAY  # the date is fixed by the first invocation, not by the clock
    assert (again.invocation, again.run_id, again.chain) == (2, "run-abc", "chain-1")


def test_scheduled_event_envelope_means_all_defaults() -> None:
    envelope = {"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    event = resolve_event(envelope, env(GENRES="Comedy"), today=DAY)
    assert event.source == "discover" and event.genres == ("Comedy",)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"kind": "films", "genres": ["Comedy"]}, "kind: Input should be 'movies' or 'series'"),
        ({"date": "2026-13-01", "genres": ["Comedy"]}, "date: "),
        ({"genres": ["Comedy"], "bucket": "x"}, "bucket: Extra inputs are not permitted"),
        ({"source": "csv"}, "source 'csv' needs a csv"),
        ({"source": "discover"}, "source 'discover' needs genres"),
        ({"source": "csv", "csv": "s3://elsewhere/movies.csv"}, "is not inside the lake s3://lake-bucket"),
        ({"invocation": 0, "genres": ["Comedy"]}, "invocation: Input should be greater than or equal to 1"),
        ({"run_id": "../../etc", "genres": ["Comedy"]}, "run_id: String should match pattern"),
        (["not", "an", "object"], "expected a JSON object, got list"),
    ],
)
def test_bad_events_say_what_is_wrong_in_one_line(raw: object, expected: str) -> None:
    with pytest.raises(EventError) as caught:
        resolve_event(raw, env(), today=DAY)
    message = str(caught.value)
    assert message.startswith("invalid event")
    assert expected in message
    assert "\n" not in message and "Traceback" not in message
    assert caught.value.exit_code == 2


def test_environment_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUCKET", "lake-bucket")
    monkeypatch.setenv("GENRES", "Comedy,Animation")
    monkeypatch.setenv("CONTINUATION_MODE", "StepFunctions")
    monkeypatch.setenv("MAX_CHAIN", "7")
    loaded = load_environment()
    assert loaded.lake_url == "s3://lake-bucket"
    assert loaded.genres == ("Comedy", "Animation")
    assert loaded.continuation_mode is ContinuationMode.STEPFUNCTIONS
    assert loaded.max_chain == 7
    monkeypatch.setenv("MAX_CHAIN", "0")
    with pytest.raises(ConfigError, match="MAX_CHAIN"):
        load_environment()


def test_missing_bucket_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="BUCKET"):
        _ = FunctionEnvironment().lake_url


def test_incremental_is_off_unless_asked_and_rides_the_continuation() -> None:
    assert resolve_event({"genres": ["Comedy"]}, env(), today=DAY).incremental is False
    event = resolve_event({"source": "csv", "csv": CSV_URL, "incremental": True}, env(), today=DAY)
    assert event.incremental is True
    assert resolve_event(event.next_invocation("run-abc", "chain-1").payload(), env()).incremental is True
    with pytest.raises(EventError, match="incremental: Input should be a valid boolean"):
        resolve_event({"genres": ["Comedy"], "incremental": "sometimes"}, env())


def test_the_incremental_event_builds_an_incremental_request() -> None:
    from cinelake.aws.lambda_handler import build_request
    from cinelake.lake.store import Lake

    event = resolve_event(
        {"source": "csv", "csv": CSV_URL, "genres": ["Comedy"], "incremental": True}, env(), today=DAY
    )
    request = build_request(event, Lake("memory://lake-bucket"))
    assert request.incremental and request.parameters()["incremental"] is True


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "20261126", "2026-11-26T00:00"])
def test_an_event_date_follows_the_commands_rule(date: str) -> None:
    """The Lambda's ``date`` is a processing date as ``--date`` is: YYYY-MM-DD, 1990 to tomorrow."""
    with pytest.raises(EventError, match="invalid event"):
        resolve_event({"source": "discover", "date": date}, FunctionEnvironment())


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "20261126"])
def test_the_plan_step_refuses_a_date_outside_the_processing_days(date: str) -> None:
    from cinelake.aws.plan_step import plan

    with pytest.raises(EventError, match=r"a processing date is from|expected a date as YYYY-MM-DD"):
        plan({"date": date})
