"""One name per meaning: ``--engine`` is a transform engine (duckdb or spark); where SQL runs is
``--query-engine`` (duckdb or athena) on every command that runs SQL."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cinelake.cli import app, main

# The dashboard's port is out of range: were --engine accepted, it would fail there, never serve.
QUERY_COMMANDS = (["analyze"], ["sql", "SELECT 1"], ["dashboard"])
AFTER = {"dashboard": ["--port", "70000"]}


@pytest.mark.parametrize("command", QUERY_COMMANDS, ids=lambda c: c[0])
def test_query_commands_offer_query_engine_and_not_engine(command: list[str]) -> None:
    result = CliRunner().invoke(app, [command[0], "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "--query-engine" in result.output and "athena" in result.output
    assert "--engine " not in result.output.replace("--query-engine", "")


@pytest.mark.parametrize("command", QUERY_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("value", ["athena", "duckdb"])
def test_the_old_spelling_fails_in_one_line_naming_the_new_flag(
    command: list[str], value: str, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--lake", str(tmp_path), "--engine", value, *AFTER.get(command[0], [])])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert f"use --query-engine {value}" in lines[0] and "transform engine" in lines[0]


def test_query_engine_runs_the_sql_where_it_says(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    asked = ["sql", "SELECT 41 + 1 AS answer", "--lake", str(tmp_path), "--format", "json"]
    with pytest.raises(SystemExit) as done:
        main([*asked, "--query-engine", "duckdb"])
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out) == [{"answer": 42}]
    with pytest.raises(SystemExit) as refused:
        main([*asked, "--query-engine", "spark"])
    assert refused.value.code == 2  # a transform engine is not a query engine


def test_transforms_keep_engine() -> None:
    result = CliRunner().invoke(app, ["transform", "raw-to-trusted", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0 and "--engine" in result.output and "--query-engine" not in result.output
