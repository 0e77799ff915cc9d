"""Incremental planning: which of the ids a source asks for a run fetches again.

An incremental run (``cinelake ingest tmdb ... --incremental``) reads the lake's bookkeeping:

- **the lake's titles**: every title written by a complete earlier run of the same kind (its checkpoints
  record the source id of each record written, and the record's TMDB id);
- **the last complete run of the same source**: same kind, same source (CSV or discover), the same CSV
  file name (the daily copy in the lake changes folder, not name), genres, release window and appends.

Then it fetches the asked titles that are new to the lake in full, and the lake's asked titles only when
TMDB's change lists (``/movie/changes`` or ``/tv/changes``) name them from one day before that run
started (a day of overlap, so edits near midnight are not missed) to the run's day, asked in windows of
at most 14 days, every page read. Ids the lists name that the lake does not hold are ignored (the lists
cover all of TMDB). With no complete earlier run of the same source, the run is a full one and its
:class:`~cinelake.lake.manifest.Selection` says why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from cinelake.errors import LakeError
from cinelake.lake.manifest import RunBook, RunManifest, Selection
from cinelake.lake.store import Lake

if TYPE_CHECKING:
    from cinelake.tmdb.client import TMDBClient

log = logging.getLogger(__name__)

OVERLAP = timedelta(days=1)
# The step name under which an attempt records change lists TMDB would not serve (no plan is made).
CHANGES_STEP = "changes"
WINDOW_DAYS = 14  # TMDB answers a start_date..end_date range of at most 14 days
READERS = 16  # bookkeeping objects read at once (S3 round trips)


def source_key(parameters: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two runs' requests the same source (the day and the incremental flag aside)."""
    csv = parameters.get("csv")
    name = str(csv).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] if csv else None
    return (
        parameters.get("kind"),
        parameters.get("source"),
        name,
        tuple(parameters.get("genres") or ()),
        parameters.get("release_from"),
        parameters.get("release_to"),
        tuple(parameters.get("append") or ()),
    )


def windows(start: date, end: date, days: int = WINDOW_DAYS) -> list[tuple[date, date]]:
    """``start``..``end`` (inclusive) cut into consecutive windows of at most ``days`` calendar days."""
    found = []
    while start <= end:
        last = min(end, start + timedelta(days=days - 1))
        found.append((start, last))
        start = last + timedelta(days=1)
    return found


@dataclass
class LakeHistory:
    """What the complete earlier runs of a kind left: their titles, and the last run of the source."""

    titles: dict[str, int] = field(default_factory=dict)  # the source's id -> TMDB id
    last: RunManifest | None = None


def lake_history(lake: Lake, parameters: dict[str, Any], run_id: str, day: date) -> LakeHistory:
    """Read the manifests (and the checkpoints of the complete runs) of the runs before this one."""
    kind, source = parameters.get("kind"), parameters.get("source")
    key = source_key(parameters)
    books = [RunBook(lake, r) for r in RunBook.run_ids(lake) if r != run_id]
    with ThreadPoolExecutor(READERS) as pool:
        manifests = list(pool.map(lambda book: book.load_manifest(), books))
        complete = [
            (book, m)
            for book, m in zip(books, manifests, strict=True)
            if m is not None
            and m.status == "complete"
            and m.parameters.get("kind") == kind
            and m.parameters.get("source") == source
            and _day(m) <= day
        ]
        history = LakeHistory()
        for titles in pool.map(lambda item: _run_titles(lake, *item), complete):
            history.titles.update(titles)
    same = [m for _, m in complete if source_key(m.parameters) == key]
    if same:
        history.last = max(same, key=lambda m: (_day(m), m.started_at))
    return history


@dataclass
class HeldToday:
    """What the day's complete earlier CSV runs of the same kind and appends already handled."""

    ids: set[str] = field(default_factory=set)  # written or not found: either way final for the day
    csv_changed_since: str | None = None  # the last such run of the same CSV name, read in another version


def held_today(lake: Lake, parameters: dict[str, Any], run_id: str, day: date) -> HeldToday:
    """The ids of the day's Raw a CSV run need not fetch again (a same-day run of a changed CSV)."""
    prefix = f"{day:%Y%m%d}-csv-"
    books = [RunBook(lake, r) for r in RunBook.run_ids(lake) if r.startswith(prefix) and r != run_id]
    held = HeldToday()
    name = source_key(parameters)[2]
    same_name: list[RunManifest] = []
    for book in books:
        manifest = book.load_manifest()
        if (
            manifest is None
            or manifest.status != "complete"
            or manifest.parameters.get("kind") != parameters.get("kind")
            or manifest.parameters.get("append") != parameters.get("append")
        ):
            continue
        plan = book.load_plan()
        if plan is None or plan.generation != manifest.generation:
            continue
        held.ids.update(plan.ids)
        if source_key(manifest.parameters)[2] == name:
            same_name.append(manifest)
    if same_name:
        last = max(same_name, key=lambda m: m.started_at)
        if last.parameters.get("csv_sha256") != parameters.get("csv_sha256"):
            held.csv_changed_since = last.run
    return held


def _day(manifest: RunManifest) -> date:
    return date.fromisoformat(str(manifest.parameters.get("day")))


def _run_titles(lake: Lake, book: RunBook, manifest: RunManifest) -> dict[str, int]:
    """The source id -> TMDB id of every record a complete run wrote."""
    titles: dict[str, int] = {}
    csv = manifest.parameters.get("source") == "csv"
    for checkpoint in book.load_checkpoints(manifest.generation).values():
        if checkpoint.titles or not checkpoint.files:
            titles.update(checkpoint.titles)
            continue
        # A checkpoint written before they recorded their titles: read its records.
        for entry in checkpoint.files:
            try:
                lines = lake.read_bytes(entry.path).splitlines()
            except LakeError:
                continue
            for line in lines:
                record = orjson.loads(line)
                tmdb_id = record.get("id")
                imdb = record.get("imdb_id") or (record.get("external_ids") or {}).get("imdb_id")
                source_id = imdb if csv else str(tmdb_id)
                if isinstance(tmdb_id, int) and isinstance(source_id, str):
                    titles[source_id] = tmdb_id
    return titles


@dataclass
class Increment:
    """The ids an incremental run fetches, the TMDB ids it already knows, and how it chose them."""

    ids: list[str]
    known: dict[str, int]
    selection: Selection


async def changed_ids(
    client: TMDBClient, series: bool, spans: Sequence[tuple[date, date]]
) -> set[int]:
    """Every id TMDB's change lists name in ``spans`` (each window's every page)."""
    listed: set[int] = set()
    for start, end in spans:
        if series:
            listed.update(await client.tv_changes(start, end))
        else:
            listed.update(await client.movie_changes(start, end))
    return listed


async def plan_increment(
    client: TMDBClient,
    history: LakeHistory,
    asked: Iterable[str],
    *,
    day: date,
    series: bool,
) -> Increment:
    """Choose, from the ``asked`` ids, the new titles and the lake's titles the change lists name."""
    wanted = list(dict.fromkeys(asked))
    last = history.last
    if last is None:
        reason = (
            "full run: no complete earlier run of the same source "
            "(kind, CSV file name or discover, genres, release window, appends)"
        )
        selection = Selection(mode="full", reason=reason, asked=len(wanted), new=len(wanted))
        return Increment(ids=wanted, known={}, selection=selection)
    started: datetime = last.started_at
    since = min(started.date(), _day(last)) - OVERLAP
    spans = windows(since, day)
    listed = await changed_ids(client, series, spans)
    lake_ids = set(history.titles.values())
    in_lake = listed & lake_ids
    new = [k for k in wanted if k not in history.titles]
    changed = [k for k in wanted if k in history.titles and history.titles[k] in listed]
    unchanged = len(wanted) - len(new) - len(changed)
    selection = Selection(
        mode="incremental",
        reason=f"changes since run {last.run} started ({started:%Y-%m-%d %H:%M} UTC), with a day of overlap",
        since_run=last.run,
        since=started,
        windows=spans,
        listed=len(listed),
        in_lake=len(in_lake),
        asked=len(wanted),
        new=len(new),
        changed=len(changed),
        unchanged=unchanged,
    )
    log.info(
        "incremental: %d new, %d changed, %d unchanged; the change lists named %d ids, %d of them the lake's",
        len(new),
        len(changed),
        unchanged,
        len(listed),
        len(in_lake),
    )
    known = {k: history.titles[k] for k in changed}
    chosen = {*new, *changed}
    return Increment(ids=[k for k in wanted if k in chosen], known=known, selection=selection)
