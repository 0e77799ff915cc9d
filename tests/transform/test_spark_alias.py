"""`cinelake spark raw-to-trusted|trusted-to-refined` are `cinelake transform ... --engine spark`: the
same function, the same options but --engine, and help that says so."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from cinelake.cli import app, main
from cinelake.lake import Lake
from cinelake.tables.results import RawToTrustedResult, RefinedResult

JOBS = ("raw-to-trusted", "trusted-to-refined")


def _command(*path: str) -> Any:
    """The click command typer builds for ``cinelake <path>``."""
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


def _options(command: Any) -> dict[str, tuple[Any, ...]]:
    return {
        param.name or "": (tuple(param.opts), getattr(param, "help", None), param.default)
        for param in command.params
    }


@pytest.mark.parametrize("job", JOBS)
def test_the_alias_has_the_long_forms_options_but_engine(job: str) -> None:
    long_form = _options(_command("transform", job))
    alias = _options(_command("spark", job))
    assert "engine" in long_form and "engine" not in alias
    assert alias == {name: option for name, option in long_form.items() if name != "engine"}


@pytest.mark.parametrize("job", JOBS)
def test_the_alias_help_says_what_it_is(job: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["spark", job, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"The same as `cinelake transform {job} --engine spark`." in help_text
    assert "--engine" not in help_text.replace(f"{job} --engine spark", "")


def test_the_alias_and_the_long_form_run_the_same_job(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import cinelake.engines

    calls: list[tuple[str, dict[str, Any]]] = []

    def recorded(job: str, result: object) -> Any:
        def run(lake: Lake, **options: Any) -> object:
            options.pop("progress")
            calls.append((job, {"lake": lake.url, **options}))
            return result

        return run

    monkeypatch.setattr(cinelake.engines, "raw_to_trusted", recorded("raw", RawToTrustedResult()))
    monkeypatch.setattr(cinelake.engines, "trusted_to_refined", recorded("refined", RefinedResult({"t": 1})))
    lake = str(tmp_path)
    outputs = []
    options = ["--lake", lake, "--date", "2026-11-25", "--force", "--catalog", "none"]
    for args in (
        ["spark", "raw-to-trusted", *options],
        ["transform", "raw-to-trusted", *options, "--engine", "spark"],
        ["spark", "trusted-to-refined", "--lake", lake],
        ["transform", "trusted-to-refined", "--lake", lake, "--engine", "spark"],
    ):
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code in (0, None)
        outputs.append(capsys.readouterr().out)
    assert calls[0] == calls[1] and calls[2] == calls[3]
    assert calls[0][1]["engine"] == calls[2][1]["engine"] == "spark"
    assert calls[0][1]["force"] is True and str(calls[0][1]["day"]) == "2026-11-25"
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
