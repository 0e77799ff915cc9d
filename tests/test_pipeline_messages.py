"""What the pipeline tells its user: the real cause when no TMDB data arrived, what a rerun did now,
what the crawl changed, and ingestion progress that starts from the real total."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cinelake.config import Settings
from cinelake.errors import UsageError
from cinelake.ingest.local_csv import MOVIES_COLUMNS
from cinelake.ingest.tmdb import IngestProgress
from cinelake.lake.store import Lake
from cinelake.pipeline import demo_csv, run_pipeline
from cinelake.tmdb.server import serve_in_thread

TOKEN = "pipeline-messages-token"
DAY = date(2026, 11, 26)
SAMPLE = Path(__file__).parent / "data" / "compass_uol_sample"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_in_thread(token=TOKEN) as url:
        yield url


def settings(url: str) -> Settings:
    values = {"tmdb_base_url": url, "tmdb_read_access_token": TOKEN, "tmdb_rate_limit": 0}
    return Settings.model_validate(values)


def small_csv(folder: Path, titles: int = 60) -> Path:
    """The first ``titles`` Comedy titles of the packaged demo CSV (all their rows)."""
    header, *rows = demo_csv().read_text(encoding="utf-8").splitlines()
    assert header.split("|") == list(MOVIES_COLUMNS)
    picked: list[str] = []
    kept = []
    for row in rows:
        fields = row.split("|")
        if "Comedy" in fields[5].split(",") and (fields[0] in picked or len(picked) < titles):
            picked.append(fields[0]) if fields[0] not in picked else None
            kept.append(row)
    path = folder / "movies.csv"
    path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    return path


@pytest.mark.integration
def test_no_tmdb_data_names_the_real_cause(server: str, tmp_path: Path) -> None:
    """The challenge's sample CSVs: TMDB (the offline snapshot) knows none of their Comedy/Animation ids."""
    csvs = [SAMPLE / "movies_subset_1.csv", SAMPLE / "series_subset.csv"]
    with pytest.raises(UsageError) as refused:
        run_pipeline(Lake(str(tmp_path / "lake")), csvs, settings=settings(server), day=DAY, out_dir=tmp_path)
    message = str(refused.value)
    assert message.startswith("no TMDB data arrived: TMDB knew none of the ")
    assert "misses.jsonl" in message and "raw-to-trusted" not in message and "\n" not in message
    assert not (tmp_path / "lake" / "Trusted").exists()  # stopped before the transforms


@pytest.mark.integration
def test_a_rerun_counts_what_it_did_now_and_the_crawl_what_changed(server: str, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    csv = [small_csv(tmp_path)]
    first = run_pipeline(lake, csv, settings=settings(server), day=DAY, genres=["Comedy"], out_dir=tmp_path)
    again = run_pipeline(lake, csv, settings=settings(server), day=DAY, genres=["Comedy"], out_dir=tmp_path)
    said = {step.name: step.summary for step in first.steps}
    said_again = {step.name: step.summary for step in again.steps}
    done = re.match(r"Movies: (\d+) written, (\d+) not found, 0 failed, \d+ requests", said["ingest tmdb"])
    assert done is not None and int(done[1]) > 0, said["ingest tmdb"]
    assert said_again["ingest tmdb"] == (
        f"Movies: 0 written, 0 not found, 0 failed; 1/1 chunks already done ({done[1]} written, "
        f"{done[2]} not found)"
    )
    assert said["catalog crawl"].startswith("cinelake: 2 table(s) created, 0 updated, 0 unchanged")
    assert said_again["catalog crawl"].startswith("cinelake: 0 table(s) created, 0 updated, 2 unchanged")
    assert "unchanged since the last copy" in said_again["ingest local"]


def test_ingest_progress_starts_from_the_real_total_and_ends_with_the_written_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cinelake.commands.pipeline import _listener

    listener = _listener()
    for phase, done, written in [("plan", 0, 0), ("fetch", 0, 0), ("fetch", 42, 0), ("finish", 42, 42)]:
        listener.ingest_progress(IngestProgress(phase, done, 0 if phase == "plan" else 42, written, 0, 0))  # type: ignore[attr-defined,arg-type]
    listener.ingest_progress(IngestProgress("fetch", 0, 0, 0, 0, 0))  # type: ignore[attr-defined]
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "  tmdb: 0/42 ids looked up, 0 written",
        "  tmdb: 42/42 ids looked up, 0 written",
        "  tmdb: 42/42 ids looked up, 42 written",
    ]


@pytest.mark.integration
def test_pipeline_kind_both_discovers_series_and_min_votes_applies_to_both(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from cinelake.cli import main
    from cinelake.config import get_settings

    monkeypatch.setenv("TMDB_BASE_URL", server)
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
    get_settings.cache_clear()
    csv = small_csv(tmp_path)
    argv = ["pipeline", "--csv", str(csv), "--lake", str(tmp_path / "lake"), "--out", str(tmp_path / "out")]
    try:
        with pytest.raises(SystemExit) as exited:
            main(
                [*argv, "--date", DAY.isoformat(), "--kind", "both", "--min-votes", "7", "--genres", "Comedy"]
            )
    finally:
        get_settings.cache_clear()
    assert exited.value.code in (0, None)
    answer = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert answer["definition"]["min_votes"] == 7
    assert answer["series"] is not None and answer["series"]["definition"]["min_votes"] == 7
    assert answer["series"]["source"]["series"] > 0  # the discovered Comedy series


def run_cli(argv: list[str], server: str, monkeypatch: pytest.MonkeyPatch) -> int | str | None:
    """``cinelake`` with ``argv`` against the offline server; its exit code."""
    from cinelake.cli import main
    from cinelake.config import get_settings

    monkeypatch.setenv("TMDB_BASE_URL", server)
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            main(argv)
    finally:
        get_settings.cache_clear()
    return exited.value.code


@pytest.mark.integration
@pytest.mark.parametrize(
    "csv", [["--csv", str(SAMPLE / "series_subset.csv")], []], ids=["a series CSV", "discovery alone"]
)
def test_pipeline_kind_series_answers_and_reports_the_series_alone(
    csv: list[str],
    server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The challenge's series CSV (ids the snapshot does not know) and the Comedy series TMDB lists; or
    the lists alone, without --csv: discovery is enough data."""
    import json

    from cinelake.attribution import TMDB_NOTICE

    out, lake = tmp_path / "out", tmp_path / "lake"
    argv = ["pipeline", "--kind", "series", "--lake", str(lake), "--out", str(out), "--date", DAY.isoformat()]
    argv += ["--genres", "Comedy", "--min-votes", "7"]
    code = run_cli([*argv, *csv], server, monkeypatch)
    assert code in (0, None)
    answer = json.loads((out / "analysis.json").read_text())
    assert answer["definition"]["min_votes"] == 7 and answer["definition"]["genres"] == ["Comedy"]
    assert answer["source"]["series"] > 0 and "films" not in answer["source"] and "series" not in answer
    assert answer["genres"]["Comedy"]["eligible"] > 0
    assert not list((lake / "Raw" / "TMDB").glob("JSON/Movies/**/*.jsonl"))  # nothing asked for films
    page = (out / "report.html").read_text(encoding="utf-8")
    assert TMDB_NOTICE in page
    assert "<h1>The best and worst Comedy series by vote_average, and popularity</h1>" in page
    assert 'id="series"' in page and 'id="series-comedy"' in page
    assert "Budget vs revenue" not in page and 'id="genre-' not in page and 'id="definition"' not in page
    printed, said = capsys.readouterr()
    assert printed.count(TMDB_NOTICE) == 1 and "Budget vs revenue" not in printed
    if not csv:
        assert not (lake / "Raw" / "Local").exists()  # no CSV was copied
        expected = "s: no CSV given: the series come from the series TMDB lists for the genres"
        assert expected in " ".join(said.split())

    code = run_cli([*argv, "--csv", str(SAMPLE / "movies_subset_1.csv")], server, monkeypatch)
    last = capsys.readouterr().err.splitlines()[-1]
    assert code == 2 and last.startswith("error: ")
    assert last.endswith("the header is the movies format but --kind series was given")


@pytest.mark.integration
def test_the_films_still_need_a_csv(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line says so, before any work."""
    code = run_cli(["pipeline", "--lake", str(tmp_path / "lake")], server, monkeypatch)
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "--kind movies needs at least one movies/series CSV (--csv PATH)" in err
    assert not (tmp_path / "lake").exists()
