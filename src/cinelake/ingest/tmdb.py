"""The TMDB ingestion job: ids from the challenge's CSV (or from discover) to Raw/TMDB/JSON.

    request = TMDBIngestRequest(kind=Kind.MOVIES, day=date(2026, 11, 26), source="csv", csv="movies.csv",
                                genres=("Comedy", "Animation"))
    result = ingest_tmdb(lake, request, settings, should_stop=None, progress=None)

How a run goes:

1. **Plan.** The run id comes from the request (date, source, CSV, genres, window, append), so the same
   request on the same day is the same run. The first attempt works out the ids (the CSV's IMDB ids
   of the genres, or the TMDB ids that ``/discover/movie`` or ``/discover/tv`` lists, see
   :mod:`cinelake.ingest.discover`; an ``incremental`` run keeps the new titles and those TMDB's change
   lists name, see :mod:`cinelake.ingest.changes`) and freezes them, sorted, in the run's plan; later
   attempts reuse that plan, so chunk ``k`` always means the same 100 ids.
   A discover listing saves its steps as it goes (:mod:`cinelake.ingest.listing`) and watches
   ``should_stop`` too: an attempt stopped while listing returns ``incomplete`` with no plan yet, and
   the next attempt resumes the listing where it stopped, then freezes the plan.
2. **Chunks.** Chunk ``k`` (ids ``100(k-1)..100k-1``) is fetched (one request a movie where it can,
   see :mod:`cinelake.ingest.lookup`), written as file ``k`` by
   :class:`~cinelake.lake.batch.RawBatchWriter`, and
   then checkpointed. Several chunks are in flight at once, their requests sharing one bounded pool,
   so the client's connections stay busy; only those chunks' records are ever in memory.
3. **Resume.** A chunk whose checkpoint is there and whose files still match their sha256 is skipped;
   any other chunk is redone (same file names: a redo overwrites, never duplicates). ``refresh``
   starts a new generation of the plan, which makes every earlier checkpoint stale.
4. **Stop.** When ``should_stop()`` turns true, no new chunk starts; chunks in flight finish and are
   checkpointed, and the result says ``incomplete``. Calling again with the same request continues.
5. **Finish.** The summary manifest lists every file and failure, and the run's ``misses.jsonl``
   every miss (the manifest shows the first 100). A complete run also deletes this run's files that
   the manifest does not list (leftovers of an earlier attempt).

Memory stays flat however long the run: records live only while their chunk is in flight, and
misses go to a local spool (:class:`~cinelake.lake.manifest.MissSpool`), never into a list.

Misses (a 404, or no TMDB title for an IMDB id) are recorded with their reason and are final.
Failures (still failing after the client's retries) are recorded and counted; their chunk is redone
on the next attempt, and the run is ``incomplete`` until none is left.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import orjson

from cinelake.errors import LakeError, UsageError, clip_text, first_error
from cinelake.ingest.changes import CHANGES_STEP, Increment, held_today, lake_history, plan_increment
from cinelake.ingest.discover import Listing, list_ids
from cinelake.ingest.listing import RunSteps
from cinelake.ingest.local_csv import csv_sha256, parse_genres, parse_kind, read_imdb_ids
from cinelake.ingest.lookup import Lookup
from cinelake.ingest.tmdb_runs import Selection, TmdbRunBook, TmdbRunManifest, TmdbRunPlan
from cinelake.ingest.unknown import load_unknown, record_asked
from cinelake.lake.batch import CHUNK_SIZE, RawBatchWriter, RecordTooLargeError, encode_record
from cinelake.lake.layout import Kind, Origin
from cinelake.lake.lock import LakeLock
from cinelake.lake.manifest import (
    ChunkCheckpoint,
    Counts,
    Failure,
    FileEntry,
    Miss,
    MissSpool,
    RunStatus,
    new_generation,
    summarize,
    utc_now,
)
from cinelake.lake.store import Lake
from cinelake.tmdb.errors import TMDBAuthError, TMDBError

if TYPE_CHECKING:
    from cinelake.config import Settings
    from cinelake.tmdb.client import TMDBClient

log = logging.getLogger(__name__)

DEFAULT_GENRES = ("Comedy", "Animation")
DEFAULT_APPEND = ("credits", "keywords", "external_ids", "release_dates")
# release_dates is a movie append; a series' certifications are its content_ratings.
DEFAULT_SERIES_APPEND = ("credits", "keywords", "external_ids", "content_ratings")
KNOWN_APPEND = frozenset(
    {
        "credits",
        "keywords",
        "external_ids",
        "release_dates",
        "images",
        "videos",
        "translations",
        "alternative_titles",
        "recommendations",
        "similar",
        "reviews",
        "watch/providers",
        "content_ratings",
        "aggregate_credits",
        "lists",
    }
)
# Chunks fetched at once: enough that a chunk's slow tail never leaves the connections idle.
CHUNKS_IN_FLIGHT = 3
LOCK_TTL = 120.0  # seconds a run's lease lasts without renewal (renewed every 30 s)

Source = Literal["csv", "discover"]


@dataclass(frozen=True)
class TMDBIngestRequest:
    """What to ingest. The same request on the same day is the same run (it resumes)."""

    kind: Kind = Kind.MOVIES
    day: date = field(default_factory=lambda: datetime.now(UTC).date())  # the processing date (UTC)
    source: Source = "csv"
    csv: str | None = None  # a local path, a URL, or a path relative to the lake
    genres: tuple[str, ...] = DEFAULT_GENRES  # ("all",) for every row / every genre
    release_from: date | None = None  # discover: the window of release dates (series: first air dates)
    release_to: date | None = None
    append: tuple[str, ...] | None = None  # None: DEFAULT_APPEND for movies, DEFAULT_SERIES_APPEND for series
    refresh: bool = False  # fetch everything again (a new generation of the run)
    # Fetch only titles new to the lake and the lake's titles TMDB's change lists name (ingest/changes.py).
    incremental: bool = False
    concurrency: int | None = None  # requests in flight; default: the settings' max connections
    # The CSV's content (sha256), part of the run's identity: a changed CSV is a new run. Set by
    # :meth:`pinned`; None for discover.
    csv_sha256: str | None = None

    def normalized(self) -> TMDBIngestRequest:
        """The request validated, with its genres and append list in canonical form."""
        kind = parse_kind(self.kind)
        assert kind is not None
        if self.source not in ("csv", "discover"):
            raise UsageError(f"unknown source {self.source!r}: use csv or discover")
        if self.source == "csv" and not self.csv:
            raise UsageError("a CSV ingest needs the CSV: give --from-csv PATH_OR_URL")
        if self.source == "discover":
            if self.csv:
                raise UsageError("give either --from-csv or --discover, not both")
        elif self.release_from or self.release_to:
            raise UsageError("--from/--to select a release window for --discover only")
        if self.release_from and self.release_to and self.release_from > self.release_to:
            raise UsageError(f"--from {self.release_from} is after --to {self.release_to}")
        genres = parse_genres(self.genres)
        append = tuple(dict.fromkeys(a.strip() for a in self.append_for(kind) if a.strip()))
        unknown = [a for a in append if a not in KNOWN_APPEND]
        if unknown:
            known = ", ".join(sorted(KNOWN_APPEND))
            raise UsageError(f"unknown --append item(s) {', '.join(unknown)}: known are {known}")
        if self.concurrency is not None and not 1 <= self.concurrency <= 20:
            raise UsageError(f"--concurrency must be between 1 and 20, got {self.concurrency}")
        return TMDBIngestRequest(
            kind=kind,
            day=self.day,
            source=self.source,
            csv=self.csv,
            genres=genres,
            release_from=self.release_from,
            release_to=self.release_to,
            append=append if self.append is not None else None,  # None: the kind's default, kept per kind
            refresh=self.refresh,
            concurrency=self.concurrency,
            incremental=self.incremental,
            csv_sha256=self.csv_sha256,
        )

    def pinned(self, lake: Lake) -> TMDBIngestRequest:
        """The request with its CSV's content hash (read once), so the run id names this version."""
        if self.source != "csv" or self.csv is None or self.csv_sha256 is not None:
            return self
        return replace(self, csv_sha256=csv_sha256(self.csv, lake=lake))

    def append_for(self, kind: Kind) -> tuple[str, ...]:
        """The ``append_to_response`` items of a ``kind`` run: the request's, or the kind's default."""
        if self.append is not None:
            return self.append
        return DEFAULT_SERIES_APPEND if kind is Kind.SERIES else DEFAULT_APPEND

    def parameters(self) -> dict[str, Any]:
        """What defines the run (the manifest's parameters; never a secret)."""
        parameters: dict[str, Any] = {
            "kind": self.kind.value,
            "day": self.day.isoformat(),
            "source": self.source,
            "csv": self.csv,
            "genres": list(self.genres),
            "release_from": self.release_from.isoformat() if self.release_from else None,
            "release_to": self.release_to.isoformat() if self.release_to else None,
            "append": list(self.append_for(self.kind)),
        }
        if self.incremental:  # only then, so a full run keeps the id it always had
            parameters["incremental"] = True
        if self.csv_sha256 is not None:
            parameters["csv_sha256"] = self.csv_sha256
        return parameters

    @property
    def run_id(self) -> str:
        """``<yyyymmdd>-<source>-<hash>``: the same request (and CSV content) on a day gives the same id."""
        digest = hashlib.sha256(orjson.dumps(self.parameters(), option=orjson.OPT_SORT_KEYS)).hexdigest()
        return f"{self.day:%Y%m%d}-{self.source}-{digest[:10]}"


@dataclass(frozen=True)
class IngestProgress:
    """Where a run is: ``done`` of ``total`` ids handled in this attempt (skipped chunks count as done)."""

    phase: Literal["plan", "fetch", "finish"]
    done: int
    total: int
    written: int
    not_found: int
    failed: int


@dataclass
class IngestResult:
    run_id: str
    status: RunStatus
    requested: int
    written: int
    not_found: int
    failed: int
    files: list[str]
    manifest: str
    chunks_total: int = 0
    chunks_done: int = 0
    chunks_skipped: int = 0  # already done by an earlier attempt
    written_before: int = 0  # of ``written``, those in the chunks an earlier attempt did
    not_found_before: int = 0  # of ``not_found``, likewise
    first_misses: list[Miss] = field(default_factory=list)  # the first 100; all are in misses_file
    misses_file: str | None = None
    failures: list[Failure] = field(default_factory=list)
    requests: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    selection: Selection | None = None  # how an incremental run chose its ids
    held_today: int = 0  # the source's ids an earlier complete run of the day already handled
    unknown_waiting: int = 0  # ids TMDB did not know, left out until their next try (ingest/unknown.py)
    csv_changed_since: str | None = None  # that run, when it read another version of the same CSV
    lookup: dict[str, Any] = field(default_factory=dict)  # how this attempt found them
    # A discover run's listing in this attempt: pages fetched, steps reused / done, ids so far, complete.
    listing: dict[str, Any] = field(default_factory=dict)


ProgressCallback = Callable[[IngestProgress], None]
StopCheck = Callable[[], bool]


def ingest_tmdb(
    lake: Lake,
    request: TMDBIngestRequest,
    settings: Settings | None = None,
    should_stop: StopCheck | None = None,
    progress: ProgressCallback | None = None,
) -> IngestResult:
    """Run (or resume) the ingestion ``request`` describes; see the module's notes."""
    return asyncio.run(ingest_tmdb_async(lake, request, settings, should_stop=should_stop, progress=progress))


async def ingest_tmdb_async(
    lake: Lake,
    request: TMDBIngestRequest,
    settings: Settings | None = None,
    *,
    should_stop: StopCheck | None = None,
    progress: ProgressCallback | None = None,
    client: TMDBClient | None = None,
) -> IngestResult:
    """:func:`ingest_tmdb` for a caller that already runs an event loop (``client``: an unopened client)."""
    from cinelake.tmdb.client import TMDBClient

    request = request.normalized().pinned(lake)
    if client is None:
        if settings is None:
            from cinelake.config import get_settings

            settings = get_settings()
        rate = settings.tmdb_rate_limit
        connections = min(request.concurrency or settings.tmdb_max_connections, 20)
        client = TMDBClient.from_settings(
            settings, rate_limit=rate if rate and rate > 0 else None, max_connections=connections
        )
    # One attempt of a run at a time: a lease in the lake, renewed while the run goes on.
    lock = LakeLock(lake, f"tmdb-{request.run_id}", ttl=LOCK_TTL)
    await asyncio.to_thread(lock.acquire)
    lost = asyncio.Event()
    asked = should_stop or (lambda: False)
    job = _Job(lake, request, client, lambda: lost.is_set() or asked(), progress)
    heartbeat = asyncio.create_task(_keep(lock, lost))
    try:
        async with client:
            return await job.run()
    finally:
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)
        await asyncio.to_thread(lock.release)


async def _keep(lock: LakeLock, lost: asyncio.Event) -> None:
    """Renew the run's lease until cancelled; if another attempt took it over, stop taking chunks."""
    while True:
        await asyncio.sleep(lock.ttl / 4)
        try:
            still_ours = await asyncio.to_thread(lock.renew)
        except LakeError as exc:  # a hiccup of the store: try again at the next beat
            log.warning("could not renew the run's lock: %s", exc)
            continue
        if not still_ours:
            log.warning("another attempt took over this run; stopping after the chunks in flight")
            lost.set()
            return


class _Job:
    def __init__(
        self,
        lake: Lake,
        request: TMDBIngestRequest,
        client: TMDBClient,
        should_stop: StopCheck,
        progress: ProgressCallback | None,
    ) -> None:
        self.lake = lake
        self.request = request
        self.client = client
        self.should_stop = should_stop
        self.progress = progress
        self.run_id = request.run_id
        self.book = TmdbRunBook(lake, self.run_id)
        self.writer = RawBatchWriter(lake, Origin.TMDB, request.kind.value, request.day, self.run_id)
        self.in_flight = asyncio.Semaphore(request.concurrency or client.max_connections)
        self.done_ids = 0
        self.total_ids = 0
        self.counts = {"written": 0, "not_found": 0, "failed": 0}
        self.started = time.monotonic()
        self.plan_ids: frozenset[str] = frozenset()
        self.misses = MissSpool()
        append = request.append_for(request.kind)
        self.lookup = Lookup(client, request.kind, append, by_imdb=request.source == "csv")
        self.listing: dict[str, Any] = {}

    # --- the run ------------------------------------------------------------------------------------

    async def run(self) -> IngestResult:
        try:
            return await self._run()
        finally:
            self.misses.close()

    async def _run(self) -> IngestResult:
        attempt_started_at = started_at = utc_now()
        plan = await self._plan()
        if plan is None:
            return await self._listing_stopped(started_at)
        previous = await asyncio.to_thread(self.book.load_manifest)
        attempts = 1
        if previous is not None and previous.generation == plan.generation:
            started_at, attempts = previous.started_at, previous.attempts + 1

        def summary(
            status: RunStatus,
            ended_at: datetime | None,
            stats: dict[str, Any],
            misses_file: str | None = None,
        ) -> TmdbRunManifest:
            return summarize(
                plan,
                checkpoints,
                self.misses,
                model=TmdbRunManifest,
                status=status,
                misses_file=misses_file,
                started_at=started_at,
                ended_at=ended_at,
                stats=stats,
                attempts=attempts,
                attempt_started_at=attempt_started_at,
                selection=plan.selection,
                lookup=self.lookup.summary(),
            )

        self.plan_ids = frozenset(plan.ids) if self.request.source == "csv" else frozenset()
        every = await asyncio.to_thread(self._load_checkpoints, plan)
        current = {k: c for k, c in every.items() if c.generation == plan.generation and k <= plan.chunks}
        intact = await asyncio.to_thread(self._intact, current)
        for k in set(current) - intact:
            self.misses.drop(k)
        skipped = {k for k in intact if current[k].done}
        checkpoints = {k: current[k] for k in intact}
        self.total_ids = len(plan.ids)
        self.done_ids = sum(len(plan.chunk_ids(k)) for k in skipped)
        for checkpoint in checkpoints.values():
            if checkpoint.done:
                self._count(checkpoint)
        before = dict(self.counts)
        await asyncio.to_thread(
            self.book.save_manifest,
            summary("running", None, {}),
        )
        self._report("fetch")
        todo = [k for k in range(1, plan.chunks + 1) if k not in skipped]
        stopped = False
        try:
            stopped = await self._fetch_chunks(plan, todo, checkpoints, every)
        finally:
            # Whatever happened (done, stopped, an error, a cancel), the summary tells the truth.
            status: RunStatus = "complete"
            if stopped or len(checkpoints) < plan.chunks or any(not c.done for c in checkpoints.values()):
                status = "incomplete"
            stats = self.client.stats.as_dict()
            misses_file = await asyncio.to_thread(self.book.save_misses, self.misses)
            manifest = summary(status, utc_now(), stats, misses_file)
            if status == "complete" and self.request.source == "csv":
                # The misses streamed from the spool (a run may have tens of thousands).
                missed = (m.id for m in self.book.iter_misses())
                await asyncio.to_thread(
                    record_asked, self.lake, self.request.kind, plan.ids, missed, self.request.day
                )
            if status == "complete":
                removed = await asyncio.to_thread(self.writer.sweep, [f.path for f in manifest.files])
                removed += await asyncio.to_thread(self.book.sweep_temp_files)
                if removed:
                    log.info("removed %d file(s) left by earlier attempts", len(removed))
            await asyncio.to_thread(self.book.save_manifest, manifest)
        self._report("finish")
        return IngestResult(
            run_id=self.run_id,
            status=status,
            requested=manifest.counts.requested,
            written=manifest.counts.written,
            not_found=manifest.counts.not_found,
            failed=manifest.counts.failed,
            files=[f.path for f in manifest.files],
            manifest=self.book.manifest_path,
            chunks_total=manifest.chunks_total,
            chunks_done=manifest.chunks_done,
            chunks_skipped=len(skipped),
            written_before=before["written"],
            not_found_before=before["not_found"],
            first_misses=manifest.first_misses,
            misses_file=manifest.misses_file,
            failures=manifest.failures,
            requests=int(stats.get("requests", 0)),
            stats=stats,
            seconds=time.monotonic() - self.started,
            selection=manifest.selection,
            held_today=plan.held_today,
            unknown_waiting=plan.unknown_waiting,
            csv_changed_since=plan.csv_changed_since,
            lookup=manifest.lookup,
            listing=dict(self.listing),
        )

    def _load_checkpoints(self, plan: TmdbRunPlan) -> dict[int, ChunkCheckpoint]:
        """The run's checkpoints without their misses; those of the plan's generation go to the spool."""
        every: dict[int, ChunkCheckpoint] = {}
        for checkpoint in self.book.iter_checkpoints():
            if checkpoint.generation == plan.generation and checkpoint.chunk <= plan.chunks:
                self.misses.put(checkpoint.chunk, checkpoint.misses)
            every[checkpoint.chunk] = checkpoint.without_misses()
        return every

    def _intact(self, checkpoints: dict[int, ChunkCheckpoint]) -> set[int]:
        good = set()
        for k, checkpoint in checkpoints.items():
            if self.book.files_intact(checkpoint):
                good.add(k)
            else:
                log.warning("chunk %d: a file is missing or altered; it will be fetched again", k)
        return good

    async def _plan(self) -> TmdbRunPlan | None:
        """The run's frozen plan, made first if need be; None if ``should_stop`` cut its listing short."""
        plan = None if self.request.refresh else await asyncio.to_thread(self.book.load_plan)
        if plan is not None and plan.parameters == self.request.parameters():
            return plan
        self._report("plan")
        held_count, changed_since, unknown_waiting = 0, None, 0
        if self.request.source == "csv":
            assert self.request.csv is not None
            ids = await asyncio.to_thread(
                read_imdb_ids, self.request.csv, self.request.genres, lake=self.lake, kind=self.request.kind
            )
            if not self.request.refresh:  # what the day's earlier runs handled is in the day's Raw
                held = await asyncio.to_thread(
                    held_today, self.lake, self.request.parameters(), self.run_id, self.request.day
                )
                kept = [i for i in ids if i not in held.ids]
                held_count, changed_since, ids = len(ids) - len(kept), held.csv_changed_since, kept
                unknown = await asyncio.to_thread(load_unknown, self.lake, self.request.kind)
                waiting = unknown.waiting(ids, self.request.day)
                ids, unknown_waiting = [i for i in ids if i not in waiting], len(waiting)
        else:
            listing = await self._list()
            if not listing.complete:
                return None
            ids = [str(i) for i in sorted(listing.ids)]
        known: dict[str, int] = {}
        selection = None
        if self.request.incremental:
            try:
                increment = await self._increment(ids)
            except TMDBAuthError:
                raise
            except TMDBError as exc:  # a change list TMDB would not serve: no plan this attempt
                reason = clip_text(str(exc))
                log.warning("incremental planning: the change lists failed: %s", reason)
                failed = {**self.listing.get("failed_steps", {}), CHANGES_STEP: reason}
                self.listing = {**self.listing, "complete": False, "failed_steps": failed}
                return None
            ids, known, selection = increment.ids, increment.known, increment.selection
        plan = TmdbRunPlan(
            run=self.run_id,
            generation=new_generation(),
            created_at=utc_now(),
            parameters=self.request.parameters(),
            chunk_size=CHUNK_SIZE,
            ids=ids,
            known=known,
            selection=selection,
            held_today=held_count,
            csv_changed_since=changed_since,
            unknown_waiting=unknown_waiting,
        )
        await asyncio.to_thread(self.book.save_plan, plan)
        return plan

    async def _increment(self, asked: list[str]) -> Increment:
        parameters = self.request.parameters()
        history = await asyncio.to_thread(lake_history, self.lake, parameters, self.run_id, self.request.day)
        series = self.request.kind is Kind.SERIES
        return await plan_increment(self.client, history, asked, day=self.request.day, series=series)

    async def _list(self) -> Listing:
        """The discover listing, resumed from the steps earlier attempts saved (a refresh starts over)."""
        if self.request.refresh:
            # The old plan goes too: a refresh cut while listing resumes this listing, not that plan.
            await asyncio.to_thread(self.lake.delete, self.book.plan_path)
            steps = await asyncio.to_thread(RunSteps.fresh, self.book)
        else:
            steps = await asyncio.to_thread(RunSteps.load, self.book)
        listing = await list_ids(
            self.client,
            self.request.kind,
            self.request.genres,
            self.request.release_from,
            self.request.release_to,
            today=self.request.day,
            in_flight=self.in_flight,
            steps=steps,
            should_stop=self.should_stop,
        )
        self.listing = {
            "complete": listing.complete,
            "ids": len(listing.ids),
            "pages_fetched": listing.pages_fetched,
            "steps_done": listing.steps_done,
            "steps_reused": listing.steps_reused,
            "failed_steps": dict(listing.failed),
        }
        log.info(
            "discover listing %s: %d id(s), %d page(s) fetched, %d step(s) saved, %d reused",
            "complete" if listing.complete else "stopped",
            len(listing.ids),
            listing.pages_fetched,
            listing.steps_done,
            listing.steps_reused,
        )
        return listing

    async def _listing_stopped(self, started_at: datetime) -> IngestResult:
        """The result (and summary manifest) of an attempt stopped while listing: no plan yet."""
        stats = self.client.stats.as_dict()
        manifest = TmdbRunManifest(
            run=self.run_id,
            status="incomplete",
            generation="",  # none until the plan is frozen
            parameters=self.request.parameters(),
            started_at=started_at,
            ended_at=utc_now(),
            attempt_started_at=started_at,
            counts=Counts(),
            chunks_total=0,
            chunks_done=0,
            stats={**stats, "listing": self.listing},
        )
        await asyncio.to_thread(self.book.save_manifest, manifest)
        self._report("finish")
        return IngestResult(
            run_id=self.run_id,
            status="incomplete",
            requested=0,
            written=0,
            not_found=0,
            failed=0,
            files=[],
            manifest=self.book.manifest_path,
            requests=int(stats.get("requests", 0)),
            stats=stats,
            seconds=time.monotonic() - self.started,
            listing=dict(self.listing),
        )

    async def _fetch_chunks(
        self,
        plan: TmdbRunPlan,
        todo: Sequence[int],
        checkpoints: dict[int, ChunkCheckpoint],
        every: dict[int, ChunkCheckpoint],
    ) -> bool:
        """Fetch the chunks in ``todo``, a few at a time; True if ``should_stop`` cut the run short."""
        pending = list(todo)
        taken = 0
        stopped = False

        async def worker() -> None:
            nonlocal stopped, taken
            while True:
                # No chunk left is a complete run, even when the deadline arrives at the same moment.
                if stopped or taken >= len(pending):
                    return
                if self.should_stop():
                    stopped = True
                    return
                k = pending[taken]
                taken += 1
                previous = every.get(k)
                stale = [f.path for f in previous.files] if previous else []
                await self._chunk(plan, k, stale, checkpoints)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(CHUNKS_IN_FLIGHT, len(todo))):
                    group.create_task(worker())
        except BaseExceptionGroup as errors:
            raise first_error(errors) from None
        return stopped

    async def _chunk(
        self, plan: TmdbRunPlan, k: int, stale: list[str], checkpoints: dict[int, ChunkCheckpoint]
    ) -> None:
        """Fetch chunk ``k``, then write its files and its checkpoint (into ``checkpoints`` too)."""
        ids = plan.chunk_ids(k)
        outcomes = await asyncio.gather(*(self._one(i, plan.known.get(i)) for i in ids))
        lines: list[bytes] = []
        misses: list[Miss] = []
        failures: list[Failure] = []
        seen: dict[int, str] = {}  # TMDB id -> the id of the plan it was written for
        for key, outcome in zip(ids, outcomes, strict=True):
            if isinstance(outcome, Miss):
                misses.append(outcome)
            elif isinstance(outcome, Failure):
                failures.append(outcome)
            else:
                tmdb_id, line = outcome
                if tmdb_id in seen:
                    misses.append(Miss(id=key, reason=f"same TMDB title {tmdb_id} as {seen[tmdb_id]}"))
                    continue
                seen[tmdb_id] = key
                lines.append(line)
        # Once fetched, a chunk is written and checkpointed even if the run is cancelled meanwhile (an
        # auth error in another chunk, Ctrl-C): no file then exists without the manifest listing it.
        titles = {key: tmdb_id for tmdb_id, key in seen.items()}
        persist = asyncio.ensure_future(
            self._persist(plan, k, lines, misses, failures, stale, checkpoints, titles)
        )
        try:
            await asyncio.shield(persist)
        except asyncio.CancelledError:
            await persist
            raise

    async def _persist(
        self,
        plan: TmdbRunPlan,
        k: int,
        lines: list[bytes],
        misses: list[Miss],
        failures: list[Failure],
        stale: list[str],
        checkpoints: dict[int, ChunkCheckpoint],
        titles: dict[str, int],
    ) -> None:
        files = await asyncio.to_thread(self.writer.write_chunk, k, lines, stale=stale)
        checkpoint = ChunkCheckpoint(
            chunk=k,
            generation=plan.generation,
            requested=len(plan.chunk_ids(k)),
            files=[FileEntry.of(f) for f in files],
            misses=misses,
            failures=failures,
            completed_at=utc_now(),
            titles=titles,
        )
        await asyncio.to_thread(self._record, checkpoint)
        checkpoints[k] = checkpoint.without_misses()
        self._count(checkpoint)
        if failures:
            log.warning("chunk %d: %d id(s) failed; the next attempt fetches it again", k, len(failures))

    def _record(self, checkpoint: ChunkCheckpoint) -> None:
        self.book.save_checkpoint(checkpoint)
        self.misses.put(checkpoint.chunk, checkpoint.misses)

    async def _one(self, key: str, known: int | None) -> Miss | Failure | tuple[int, bytes]:
        """Fetch one id: a record line, a miss or a failure (auth errors stop the run)."""
        from cinelake.tmdb.errors import TMDBNotFound

        try:
            async with self.in_flight:
                found = await self.lookup.record(key, known)
        except TMDBAuthError:
            raise
        except TMDBNotFound as exc:
            return self._done(Miss(id=key, reason=f"not found ({exc.status or 404})"))
        except TMDBError as exc:
            return self._done(Failure(id=key, error=str(exc)))
        if isinstance(found, Miss):
            return self._done(found)
        record = found
        if type(record.get("id")) is not int:
            # Not a TMDB title: every reader of Raw keys records on their integer id.
            return self._done(Failure(id=key, error="TMDB answered with an object that has no integer id"))
        alias = self._alias_of(key, record)
        if alias:
            return self._done(Miss(id=key, reason=f"same TMDB title as {alias}"))
        try:
            line = encode_record(record)
        except (TypeError, orjson.JSONEncodeError) as exc:
            return self._done(Failure(id=key, error=f"the record cannot be encoded: {exc}"))
        if len(line) > self.writer.max_bytes:
            error = RecordTooLargeError(f"the record has {len(line):,} bytes, over the file limit")
            return self._done(Failure(id=key, error=str(error)))
        return self._done((record["id"], line))

    def _alias_of(self, key: str, record: dict[str, Any]) -> str | None:
        """In a CSV run, the plan's other IMDB id this record belongs to (so a title is stored once)."""
        if not self.plan_ids:
            return None
        canonical = record.get("imdb_id") or (record.get("external_ids") or {}).get("imdb_id")
        if isinstance(canonical, str) and canonical != key and canonical in self.plan_ids:
            return canonical
        return None

    # --- progress -----------------------------------------------------------------------------------

    def _done(self, outcome: Any) -> Any:
        self.done_ids += 1
        if self.progress is not None:
            self._report("fetch")
        return outcome

    def _count(self, checkpoint: ChunkCheckpoint) -> None:
        self.counts["written"] += checkpoint.written
        self.counts["not_found"] += self.misses.count_of(checkpoint.chunk)
        self.counts["failed"] += len(checkpoint.failures)

    def _report(self, phase: Literal["plan", "fetch", "finish"]) -> None:
        if self.progress is not None:
            self.progress(IngestProgress(phase, self.done_ids, self.total_ids, **self.counts))
