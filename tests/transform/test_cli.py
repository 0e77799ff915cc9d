"""`cinelake transform ...`, and `--engine` on `pipeline` and `demo`, through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinelake.cli import main
from cinelake.lake import layout
from cinelake.lake.store import Lake
from tests.spark.lakes import DAY1, jsonl

pytestmark = pytest.mark.integration


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        main(args)
    return int(done.value.code or 0)


def test_help_names_both_jobs_and_both_engines(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["transform", "--help"]) == 0
    out = capsys.readouterr().out
    assert "raw-to-trusted" in out and "trusted-to-refined" in out
    assert _run(["transform", "raw-to-trusted", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--engine" in out and "duckdb" in out and "Java 17" in out
    for command in ("demo", "pipeline"):
        assert _run([command, "--help"]) == 0
        assert "--engine" in capsys.readouterr().out


def test_both_jobs_on_duckdb_print_their_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = Lake(str(tmp_path))
    lake.write_bytes(
        layout.raw_tmdb_file("Movies", DAY1, "run-a", 1),
        jsonl([{"id": 5, "title": "Four Rooms", "budget": 4000000, "revenue": 4300000}]),
    )
    assert _run(["transform", "raw-to-trusted", "--lake", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "TMDB/Movies" in out and "2026-11-25" in out and "written" in out
    assert _run(["transform", "trusted-to-refined", "--lake", str(tmp_path), "--catalog", "none"]) == 0
    out = capsys.readouterr().out
    assert "fact_movie_history" in out
    assert _run(["transform", "raw-to-trusted", "--lake", str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["transform", "raw-to-trusted", "--engine", "pandas"],
            "unknown --engine 'pandas': use duckdb or spark",
        ),
        (["transform", "trusted-to-refined", "--catalog", "hive"], "unknown --catalog 'hive'"),
        (["transform", "trusted-to-refined"], "run `cinelake transform raw-to-trusted` first"),
        (["transform", "raw-to-trusted", "--date", "2026-13-01"], "invalid --date"),
    ],
)
def test_bad_flags_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run([*args, "--lake", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_missing_lake_is_one_line_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo"
    assert _run(["transform", "raw-to-trusted", "--lake", str(missing)]) == 2
    assert "no lake at" in capsys.readouterr().err
    assert not missing.exists()


def test_the_spark_engine_without_java_says_it_needs_java_17(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    lake = tmp_path / "lake"
    # Work for Spark to do: without it the job has nothing to start a session for.
    Lake(str(lake)).write_bytes(layout.raw_tmdb_file("Movies", DAY1, "run-a", 1), jsonl([{"id": 5}]))
    for args in (["demo", "--engine", "spark"], ["transform", "raw-to-trusted", "--engine", "spark"]):
        assert _run([*args, "--lake", str(lake)]) == 2, args
        err = capsys.readouterr().err
        assert "needs Java 17" in err and len(err.strip().splitlines()) == 1, err
