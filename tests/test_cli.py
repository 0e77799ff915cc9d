"""The command line as a whole: every command's --help works, errors are one line without a traceback."""

from __future__ import annotations

import itertools
import re

import pytest
import typer
from typer.testing import CliRunner

from cinelake.cli import app, main


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(command: object, prefix: list[str]) -> None:
        # typer ships its own click; a group is whatever has sub-commands.
        commands = getattr(command, "commands", None)
        if isinstance(commands, dict):
            for name, sub in commands.items():
                paths.append([*prefix, name])
                walk(sub, [*prefix, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "cinelake")
def test_every_help_page_renders(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_main_commands_are_all_there() -> None:
    names = {" ".join(p) for p in _command_paths()}
    for expected in ("demo", "pipeline", "ingest local", "ingest tmdb", "tmdb serve", "tmdb check", "sql"):
        assert expected in names


def test_a_bad_date_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["ingest", "local", "--date", "2026-13-40", "--lake", "memory://cli", "x.csv"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "invalid --date" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("path", "settings"),
    [
        (["ingest", "tmdb"], ("TMDB_SECRET_ID", "TMDB_SSM_PARAMETER")),
        (["pipeline"], ("TMDB_SECRET_ID", "TMDB_SSM_PARAMETER")),
        (["tmdb", "check"], ("TMDB_SECRET_ID", "TMDB_SSM_PARAMETER")),
        (["sql"], ("CINELAKE_ATHENA_WORKGROUP",)),
        (["analyze"], ("CINELAKE_ATHENA_WORKGROUP",)),
    ],
)
def test_help_names_the_settings_the_command_reads(path: list[str], settings: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("│", " ").split())
    for name in settings:
        assert name in text, (path, name)


def test_the_help_says_the_change_feed_and_the_demos_second_day_are_simulated() -> None:
    serve = CliRunner().invoke(app, ["tmdb", "serve", "--help"], env={"COLUMNS": "200"})
    demo = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert "SIMULATED edits" in serve.output and "--changes-per-day" in serve.output
    assert "SIMULATED edits" in demo.output and "--days" in demo.output


def test_the_demo_runs_one_or_two_days() -> None:
    from datetime import date

    from cinelake.errors import UsageError
    from cinelake.lake.store import Lake
    from cinelake.pipeline import run_demo

    with pytest.raises(UsageError, match="--days must be 1 or 2"):
        run_demo(Lake("memory://demo-days"), day=date(2026, 11, 27), days=3)


def _broken_sentences(page: str, width: int) -> list[str]:
    """Lines of a help page's prose that end before the terminal's edge although the next line goes
    on with the same paragraph: a break the source put there, not the terminal ("smaller / is / ...")."""
    prose = [
        line.strip() for line in page.splitlines() if not line.lstrip().startswith(("│", "╭", "╰", "Usage:"))
    ]
    broken = []
    for line, following in itertools.pairwise(prose):
        if not line or not following or re.match(r"(?:[-*•]|\d+\.)\s", following):
            continue
        if len(line) + 1 + len(following.split()[0]) <= width - 2:  # its next word would have fitted
            broken.append(f"{line!r} / {following!r}")
    return broken


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "cinelake")
def test_help_reads_in_whole_sentences_at_80_columns(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert _broken_sentences(result.output, 80) == []
    assert "<bool>" not in result.output  # a flag takes no value


def test_the_sentence_check_sees_a_break_the_source_put_there() -> None:
    page = " Eligible: budget >= 1,000 and revenue >= 1,000 (smaller\n is\n TMDB's 'unknown').\n"
    assert len(_broken_sentences(page, 80)) == 2  # "(smaller" / "is", and "is" / "TMDB's"
    assert _broken_sentences(" A whole sentence the terminal wrapped\n at its edge.\n", 40) == []


def test_a_command_process_exits_without_the_last_collection() -> None:
    """``main`` registers :func:`gc.freeze` as the process's last exit handler (it ran after every
    handler registered after it, and the interpreter's final collection then skips the frozen
    objects); a handler registered before ``main`` runs after it and sees the objects frozen."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import atexit, gc, sys

        atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0, flush=True))
        from cinelake.cli import main

        try:
            main(["--version"])
        except SystemExit:
            pass
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "frozen True", done.stdout
