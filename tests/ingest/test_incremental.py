"""Incremental runs against the offline server's simulated change feed: day 1 full, later days by changes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from cinelake.config import Settings
from cinelake.ingest.changes import windows
from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.layout import Kind, raw_tmdb_dir
from cinelake.lake.store import Lake
from cinelake.tmdb.server import configure
from cinelake.tmdb.server.changes import ChangeFeed
from cinelake.tmdb.snapshot import load_snapshot
from tests.ingest.conftest import TOKEN, write_movies_csv

pytestmark = pytest.mark.integration

DAY1 = date(2026, 11, 26)
DAY2 = DAY1 + timedelta(days=1)
FRACTION = 0.05


def request(csv: Path, day: date, **changes: Any) -> TMDBIngestRequest:
    fields: dict[str, Any] = {"kind": Kind.MOVIES, "day": day, "source": "csv", "csv": str(csv)}
    return TMDBIngestRequest(**{**fields, "genres": ("Comedy",), "incremental": True, **changes})


def day_records(lake: Lake, day: date) -> list[dict[str, Any]]:
    files = lake.list_files(raw_tmdb_dir("Movies", day))
    return [orjson.loads(line) for rel in files for line in lake.read_bytes(rel).splitlines()]


def served(server: str, movie_id: int) -> dict[str, Any]:
    answer = httpx.get(f"{server}/movie/{movie_id}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    data: dict[str, Any] = answer.json()
    return data


def test_day_two_fetches_exactly_the_lakes_edited_titles_with_their_new_values(
    tmp_path: Path, small_csv: Path, settings: Settings, server: str
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    configure(server, changes_per_day=FRACTION, today=DAY1.isoformat())
    first = ingest_tmdb(lake, request(small_csv, DAY1), settings)
    assert first.status == "complete" and first.written == 224
    assert first.selection is not None and first.selection.mode == "full"
    assert "no complete earlier run of the same source" in first.selection.reason
    # One request per found movie; the 3 unknown ids cost a direct miss and a /find each.
    assert first.requests == 224 + 2 * 3
    lake_ids = {r["id"] for r in day_records(lake, DAY1)}

    configure(server, today=DAY2.isoformat())
    second = ingest_tmdb(lake, request(small_csv, DAY2), settings)
    feed = ChangeFeed("movie", load_snapshot().movies)
    named = set(feed.changed(DAY1 - timedelta(days=1), DAY2, FRACTION, DAY2))
    edited = named & lake_ids
    assert edited and len(edited) < len(lake_ids) / 4
    records = day_records(lake, DAY2)
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(edited)  # exactly the lake's edited titles, each once
    for record in records:
        now = served(server, record["id"])
        assert (record["popularity"], record["vote_count"]) == (now["popularity"], now["vote_count"])
    today = {r["id"]: r for r in records}
    yesterday = {r["id"]: r for r in day_records(lake, DAY1) if r["id"] in today}
    assert any(today[i]["vote_count"] != yesterday[i]["vote_count"] for i in today)
    # The manifest says what was asked and what the lists named.
    manifest = TmdbRunBook(lake, second.run_id).load_manifest()
    assert manifest is not None and manifest.selection is not None
    selection = manifest.selection
    assert selection.mode == "incremental" and selection.since_run == first.run_id
    assert selection.windows == [(DAY1 - timedelta(days=1), DAY2)]
    assert (selection.listed, selection.in_lake) == (len(named), len(edited))
    assert (selection.new, selection.changed, selection.unchanged) == (3, len(edited), 224 - len(edited))
    # The change list pages, one request per edited title, and the 3 unknown ids again.
    pages = -(-len(named) // 100)
    assert second.requests == pages + len(edited) + 2 * 3
    assert second.written == len(edited) and second.not_found == 3


def test_a_long_gap_asks_14_day_windows_and_new_titles_are_fetched_in_full(
    tmp_path: Path, small_csv: Path, settings: Settings, server: str, known_ids: list[str]
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    configure(server, changes_per_day=FRACTION, today=DAY1.isoformat())
    ingest_tmdb(lake, request(small_csv, DAY1), settings)
    later = DAY1 + timedelta(days=30)
    configure(server, today=later.isoformat())
    (tmp_path / "grown").mkdir()
    grown = write_movies_csv(tmp_path / "grown" / "movies.csv", known_ids[:224] + known_ids[300:310], [])
    result = ingest_tmdb(lake, request(grown, later), settings)
    assert result.selection is not None and result.selection.mode == "incremental"
    spans = result.selection.windows
    assert spans == windows(DAY1 - timedelta(days=1), later)
    assert len(spans) == 3 and all((b - a).days <= 13 for a, b in spans)
    assert result.selection.new == 10
    # Over 31 days every title of the lake was edited at least once (one edit every 20 days).
    assert result.selection.changed == 224 and result.written == 234


def test_windows_cover_the_span_without_gaps() -> None:
    start, end = date(2026, 1, 1), date(2026, 2, 20)
    spans = windows(start, end)
    assert spans[0][0] == start and spans[-1][1] == end
    assert all(spans[i + 1][0] == spans[i][1] + timedelta(days=1) for i in range(len(spans) - 1))
    assert [(b - a).days + 1 for a, b in spans] == [14, 14, 14, 9]
    assert windows(end, start) == []


def test_a_series_run_without_an_earlier_one_is_full(tmp_path: Path, settings: Settings) -> None:
    csv = tmp_path / "series.csv"
    header = (
        "id|tituloPincipal|tituloOriginal|anoLancamento|anoTermino|tempoMinutos|genero|notaMedia|"
        "numeroVotos|generoArtista|personagem|nomeArtista|anoNascimento|anoFalecimento|profissao|"
        "titulosMaisConhecidos"
    )
    csv.write_text(header + "\ntt0903747|B|B|2008|2013|49|Comedy|9.5|100|actor|\\N|A|1956|\\N|actor|x\n")
    result = ingest_tmdb(Lake(str(tmp_path / "lake")), request(csv, DAY1, kind=Kind.SERIES), settings)
    assert result.selection is not None and result.selection.mode == "full"


def test_checkpoints_without_titles_are_read_from_their_records(
    tmp_path: Path, small_csv: Path, settings: Settings, server: str
) -> None:
    """Runs written before checkpoints recorded their titles still tell which titles the lake holds."""
    from cinelake.ingest.changes import lake_history

    lake = Lake(str(tmp_path / "lake"))
    configure(server, changes_per_day=FRACTION, today=DAY1.isoformat())
    first = ingest_tmdb(lake, request(small_csv, DAY1), settings)
    book = TmdbRunBook(lake, first.run_id)
    parameters = request(small_csv, DAY2).normalized().parameters()
    recorded = lake_history(lake, parameters, "another-run", DAY2)
    for checkpoint in book.load_checkpoints().values():
        book.save_checkpoint(checkpoint.model_copy(update={"titles": {}}))
    read_back = lake_history(lake, parameters, "another-run", DAY2)
    assert read_back.titles == recorded.titles and len(recorded.titles) == 224
    assert read_back.last is not None and read_back.last.run == first.run_id


def test_another_source_is_not_the_last_run_but_its_titles_are_the_lakes(
    tmp_path: Path, small_csv: Path, settings: Settings, server: str
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    configure(server, changes_per_day=FRACTION, today=DAY1.isoformat())
    ingest_tmdb(lake, request(small_csv, DAY1, genres=("Drama",)), settings)
    configure(server, today=DAY2.isoformat())
    result = ingest_tmdb(lake, request(small_csv, DAY2), settings)
    assert result.selection is not None and result.selection.mode == "full"


def test_incremental_days_on_s3(aws_env: str, small_csv: Path, settings: Settings, server: str) -> None:
    from tests.lake.conftest import make_s3_lake

    lake = make_s3_lake(aws_env)
    configure(server, changes_per_day=FRACTION, today=DAY1.isoformat())
    first = ingest_tmdb(lake, request(small_csv, DAY1), settings)
    configure(server, today=DAY2.isoformat())
    second = ingest_tmdb(lake, request(small_csv, DAY2), settings)
    assert second.selection is not None and second.selection.since_run == first.run_id
    day1_ids = {r["id"] for r in day_records(lake, DAY1)}
    feed = ChangeFeed("movie", load_snapshot().movies)
    named = set(feed.changed(DAY1 - timedelta(days=1), DAY2, FRACTION, DAY2))
    assert sorted(r["id"] for r in day_records(lake, DAY2)) == sorted(named & day1_ids)
