"""`cinelake ingest tmdb`: flags, output, exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cinelake.cli import main
from cinelake.config import get_settings
from tests.ingest.conftest import TOKEN


@pytest.fixture()
def token_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The TMDB token in the environment, read afresh by the CLI's settings (and forgotten after)."""
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--from-csv", "m.csv", "--date", "2026-02-30"], "invalid --date"),
        (["--from-csv", "m.csv", "--kind", "films"], "unknown kind 'films'"),
        (["--from-csv", "m.csv", "--genres", " , "], "--genres is empty"),
        (["--from-csv", "m.csv", "--discover"], "not both"),
        ([], "--from-csv PATH_OR_URL or --discover"),
        (["--discover", "--from", "2020-01-01", "--to", "yesterday"], "invalid --to"),
        (["--discover", "--kind", "films"], "use movies, series or both"),
        (["--from-csv", "m.csv", "--kind", "both"], "--kind both needs --discover"),
        (["--from-csv", "m.csv", "--rate-limit", "-1"], "--rate-limit"),
        (["--from-csv", "m.csv", "--concurrency", "0"], "between 1 and 20"),
    ],
)
def test_bad_flags_give_one_line_and_exit_2(
    flags: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["ingest", "tmdb", "--lake", str(tmp_path / "lake"), *flags], capsys)
    assert code == 2
    # One message (the console may fold it at its width when stderr is not a terminal).
    assert err.count("error:") == 1
    assert message in " ".join(err.split())
    assert not (tmp_path / "lake").exists()


def test_missing_csv_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], server: str, token_env: None
) -> None:
    code, _, err = run_cli(
        [
            "ingest",
            "tmdb",
            "--lake",
            str(tmp_path / "lake"),
            "--from-csv",
            str(tmp_path / "nope.csv"),
            "--base-url",
            server,
        ],
        capsys,
    )
    assert code == 2 and "nope.csv: no such file" in err


@pytest.mark.integration
def test_a_run_prints_its_summary_and_the_notice(
    tmp_path: Path,
    small_csv: Path,
    server: str,
    capsys: pytest.CaptureFixture[str],
    token_env: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="cinelake.ingest")
    args = ["ingest", "tmdb", "--lake", str(tmp_path / "lake"), "--date", "2026-11-26"]
    args += ["--from-csv", str(small_csv), "--genres", "comedy", "--base-url", server, "--rate-limit", "0"]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    assert "complete" in out and "224" in out
    assert "misses.jsonl" in out  # 3 ids TMDB does not have: where their reasons are
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in out
    assert "227/227 ids (100%)" in caplog.text  # plain log lines when not on a terminal
    assert TOKEN not in out + err


@pytest.mark.integration
def test_the_token_can_come_from_secrets_manager(
    tmp_path: Path,
    small_csv: Path,
    server: str,
    aws_env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import boto3

    name = f"cinelake/ingest-{tmp_path.name[-12:]}"
    stored = f'{{"read_access_token": "{TOKEN}"}}'
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=stored)
    monkeypatch.setenv("TMDB_SECRET_ID", name)
    get_settings.cache_clear()
    caplog.set_level("DEBUG")
    args = ["ingest", "tmdb", "--lake", str(tmp_path / "lake"), "--date", "2026-11-26"]
    args += ["--from-csv", str(small_csv), "--genres", "comedy", "--base-url", server, "--rate-limit", "0"]
    try:
        code, out, err = run_cli(args, capsys)
        monkeypatch.setenv("TMDB_SECRET_ID", "cinelake/not-there")
        get_settings.cache_clear()
        missing, _, missing_err = run_cli(args, capsys)
    finally:
        get_settings.cache_clear()
    assert code == 0, err
    assert "complete" in out and "224" in out
    assert missing == 2
    assert "TMDB secret secretsmanager:cinelake/not-there: ResourceNotFoundException" in missing_err
    assert TOKEN not in out + err + missing_err + caplog.text


@pytest.mark.integration
def test_the_kind_comes_from_the_csv_header(
    tmp_path: Path,
    real_data: Path,
    server: str,
    capsys: pytest.CaptureFixture[str],
    token_env: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="cinelake.ingest")
    series = real_data / "compass_uol_sample" / "series_subset.csv"
    args = ["ingest", "tmdb", "--lake", str(tmp_path / "lake"), "--from-csv", str(series), "--genres", "all"]
    code, out, err = run_cli([*args, "--base-url", server], capsys)
    assert code == 0, err
    assert "TMDB Series" in caplog.text
    assert "requested │ 16" in out  # the snapshot holds movies only: all 16 series are misses


def test_help_explains_every_option() -> None:
    from typer.testing import CliRunner

    from cinelake.cli import app

    result = CliRunner().invoke(app, ["ingest", "tmdb", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for text in (
        "from the CSV header",
        "CINELAKE_TMDB_RATE_LIMIT",
        "CINELAKE_TMDB_CONCURRENCY",
        "TMDB_BASE_URL",
        "TMDB_SECRET_ID",
        "TMDB_SSM_PARAMETER",
    ):
        assert text in result.output


def test_incremental_days_say_what_they_chose(
    tmp_path: Path, small_csv: Path, capsys: pytest.CaptureFixture[str], server: str, token_env: None
) -> None:
    from cinelake.tmdb.server import configure

    configure(server, changes_per_day=0.05, today="2026-11-26")
    common = ["ingest", "tmdb", "--lake", str(tmp_path / "lake"), "--from-csv", str(small_csv)]
    common += ["--genres", "Comedy", "--base-url", server, "--rate-limit", "0", "--incremental"]
    code, out, _ = run_cli([*common, "--date", "2026-11-26"], capsys)
    text = " ".join(out.replace("│", " ").split())  # the table's cells fold at the console's width
    assert code == 0 and "full run: no complete earlier run of the same source" in text
    configure(server, today="2026-11-27")
    code, out, _ = run_cli([*common, "--date", "2026-11-27"], capsys)
    text = " ".join(out.replace("│", " ").split())
    assert code == 0 and "3 new" in text and "of 227 asked; the change lists (2026-11-25..2026-11-27)" in text
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in text
