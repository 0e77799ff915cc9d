"""A CSV replaced on the same day: a new run fetches only its new titles, and nothing is lost."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from cinelake.ingest.copies import load_ledger
from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake
from tests.ingest.conftest import write_movies_csv
from tests.ingest.test_cli_tmdb import run_cli, token_env  # noqa: F401 (a fixture)

DAY = "2026-11-26"
RAW_CSV = "Raw/Local/CSV/Movies/2026/11/26/movies.csv"


def tmdb_titles(lake: Lake) -> set[str]:
    found = set()
    for rel in lake.list_files("Raw/TMDB/JSON/Movies"):
        for line in lake.read_bytes(rel).splitlines():
            found.add(orjson.loads(line)["imdb_id"])
    return found


def ingest_day(lake: Lake, csv: Path, server: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, local_out, err = run_cli(["ingest", "local", "--lake", lake.url, "--date", DAY, str(csv)], capsys)
    assert code == 0, err
    args = ["ingest", "tmdb", "--lake", lake.url, "--date", DAY, "--from-csv", RAW_CSV]
    args += ["--genres", "Comedy", "--base-url", server, "--rate-limit", "0"]
    code, tmdb_out, err = run_cli(args, capsys)
    assert code == 0, err
    return flat(local_out + tmdb_out)


def flat(text: str) -> str:
    """Printed text without spaces and table borders, so a phrase a table folded still matches."""
    return re.sub(r"[\s│┃]+", "", text)


@pytest.mark.integration
@pytest.mark.usefixtures("token_env")
def test_a_csv_changed_on_the_same_day_loses_no_title(
    tmp_path: Path, known_ids: list[str], server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    csv = write_movies_csv(tmp_path / "movies.csv", known_ids[:120], [])
    first = ingest_day(lake, csv, server, capsys)
    assert flat("new, copied") in first
    assert tmdb_titles(lake) == set(known_ids[:120])

    write_movies_csv(csv, known_ids[:150], [])  # the same file, 30 titles more, the same day
    second = ingest_day(lake, csv, server, capsys)
    assert flat("changed since the last copy") in second
    assert flat("the CSV changed since run") in second
    assert flat("120 of its ids already in the day's Raw") in second
    assert tmdb_titles(lake) == set(known_ids[:150])  # the 30 new titles are there too

    runs = sorted(TmdbRunBook.run_ids(lake))
    assert len(runs) == 2  # one run per version of the CSV
    plans = [TmdbRunBook(lake, run).load_plan() for run in runs]
    assert sorted(len(p.ids) for p in plans if p is not None) == [30, 120]  # the new run fetched only 30

    ledger = load_ledger(lake, Kind.MOVIES, "movies.csv")
    assert [c.change for c in ledger.copies] == ["new", "changed"]  # both versions' provenance kept
    assert len({c.sha256 for c in ledger.copies}) == 2 and {c.path for c in ledger.copies} == {RAW_CSV}


def test_an_unchanged_csv_is_not_copied_again_unless_forced(
    tmp_path: Path, known_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    csv = write_movies_csv(tmp_path / "movies.csv", known_ids[:3], [])
    base = ["ingest", "local", "--lake", lake.url, str(csv)]
    assert run_cli([*base, "--date", "2026-11-26"], capsys)[0] == 0
    code, out, _ = run_cli([*base, "--date", "2026-11-27"], capsys)
    assert code == 0 and "unchanged since the last copy" in " ".join(out.split())
    assert not lake.exists("Raw/Local/CSV/Movies/2026/11/27/movies.csv")
    code, out, _ = run_cli([*base, "--date", "2026-11-27", "--force"], capsys)
    assert code == 0 and "copied again (--force)" in " ".join(out.split())
    assert lake.exists("Raw/Local/CSV/Movies/2026/11/27/movies.csv")
    assert [c.change for c in load_ledger(lake, Kind.MOVIES, "movies.csv").copies] == ["new", "forced"]
