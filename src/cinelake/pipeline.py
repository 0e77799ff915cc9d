"""The whole chain in one call: local CSV -> Raw -> catalog -> Trusted -> Refined -> answers -> report.

Each step is the library function behind its own CLI command; this module only runs them in order,
times them and reports. Every step resumes or skips what is already done, so a rerun after a crash
(or on the same day) repeats no work: the TMDB ingestion skips its finished chunks, raw-to-trusted
skips Raw days already in Trusted, the crawler adds only new partitions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinelake.config import Settings
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.store import Lake

if TYPE_CHECKING:
    from cinelake.analysis.model import Analysis
    from cinelake.ingest.tmdb import IngestProgress

STEPS: tuple[str, ...] = (
    "ingest local",
    "ingest tmdb",
    "catalog crawl",
    "raw-to-trusted",
    "trusted-to-refined",
    "analyze",
    "report",
)
# The offline demo talks to a server on this machine: no reason to throttle the client.
DEMO_CHANGES_PER_DAY = 0.05  # the share of titles the offline server's simulated feed edits a day
DEMO_TOKEN = "offline-demo"  # the offline server accepts any credential; this is not a secret


class PipelineKind(StrEnum):
    """What a pipeline run ingests and answers."""

    MOVIES = "movies"  # the titles of the CSVs (films, and the series of a series CSV)
    SERIES = "series"  # series only: the series CSVs' titles and the series TMDB lists for the genres
    BOTH = "both"  # the CSVs' titles and the series TMDB lists for the genres


@dataclass
class StepOutcome:
    name: str
    seconds: float
    summary: str


@dataclass
class PipelineResult:
    lake: str
    day: date
    steps: list[StepOutcome] = field(default_factory=list)
    analysis: Analysis | None = None
    series: Analysis | None = None
    report_path: Path | None = None

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)


class StepListener:
    """What a caller (the CLI) hears about the run; the default hears nothing."""

    def step_started(self, name: str) -> None:
        """A step begins."""

    def step_finished(self, outcome: StepOutcome) -> None:
        """A step ended well."""

    def ingest_progress(self, progress: IngestProgress) -> None:
        """The TMDB ingestion moved on."""

    def message(self, text: str) -> None:
        """A line worth showing (a job's own progress notes)."""


def demo_csv() -> Path:
    """The packaged demo CSV: real titles of the snapshot in the challenge's format."""
    return Path(str(resources.files("cinelake.data").joinpath("demo_movies.csv")))


def run_pipeline(
    lake: Lake,
    csv_paths: Sequence[str | Path],
    *,
    settings: Settings,
    day: date,
    genres: Sequence[str] = ("Comedy", "Animation"),
    top: int = 5,
    min_votes: int | None = None,
    out_dir: Path | str = "reports",
    listener: StepListener | None = None,
    incremental: bool = False,
    engine: str = "duckdb",
    kind: PipelineKind = PipelineKind.MOVIES,
) -> PipelineResult:
    """Run every step for the user's CSV files and return what each did, the answers and the report.

    ``incremental``: the TMDB ingestion fetches only new titles and those TMDB's change lists name.
    ``engine`` runs the two transformations: duckdb (in this process) or spark (needs Java 17).
    ``kind``: ``movies`` looks up the CSVs' titles and answers for the films, and for the series too
    whenever the lake holds some (from a series CSV); ``both`` also ingests the series ``/discover/tv``
    lists for ``genres``; ``series`` takes series CSVs only (none is needed), discovers the series of
    ``genres`` and answers and reports for the series alone.
    ``min_votes`` applies to every kind answered; None: 100 for films, 50 for series (as
    ``cinelake analyze``).
    """
    kind = PipelineKind(kind)
    if not csv_paths and kind is not PipelineKind.SERIES:
        raise UsageError(
            f"the pipeline with --kind {kind.value} needs at least one movies/series CSV (--csv PATH); "
            "--kind series can run on the series TMDB lists alone"
        )
    from cinelake.engines import check_engine

    chosen = check_engine(engine)  # a missing pyspark is one line before anything else
    if not settings.has_tmdb_credentials():
        raise UsageError(
            "no TMDB credentials: set TMDB_READ_ACCESS_TOKEN (preferred) or TMDB_API_KEY, "
            "or run `cinelake demo` to use the offline server"
        )
    from cinelake.analysis.answer import answer_if_held, budget_vs_revenue
    from cinelake.analysis.compute import make_definition
    from cinelake.analysis.kinds import FILMS, SERIES

    # None: each kind's own default (the analysis functions'); a number applies to films and series.
    votes: dict[str, Any] = {} if min_votes is None else {"min_votes": min_votes}
    asked = SERIES if kind is PipelineKind.SERIES else FILMS
    make_definition(asked, genres, top, min_votes or 0, "vote_average")  # bad parameters fail before any work
    if chosen == "spark":
        from cinelake.spark.session import require_java

        require_java()  # before any work: a missing Java is one line, not a half-run pipeline
    hear = listener or StepListener()
    result = PipelineResult(lake=lake.url, day=day)

    @contextmanager
    def step(name: str) -> Iterator[list[str]]:
        hear.step_started(name)
        started = time.perf_counter()
        summary: list[str] = []
        yield summary
        outcome = StepOutcome(name, time.perf_counter() - started, "; ".join(summary))
        result.steps.append(outcome)
        hear.step_finished(outcome)

    with step("ingest local") as said:
        from cinelake.ingest.local_csv import copy_summary

        only = layout.Kind.SERIES if kind is PipelineKind.SERIES else None
        local = _ingest_local(lake, csv_paths, day, only) if csv_paths else []
        copied = ", ".join(f"{item.path} ({item.rows:,} rows; {copy_summary(item)})" for item in local)
        said.append(copied or "no CSV given: the series come from the series TMDB lists for the genres")

    with step("ingest tmdb") as said:
        from cinelake.ingest.progress import held_summary, run_summary

        runs = []
        for item in local:
            ingested = _ingest_tmdb(lake, item.path, item.kind, day, genres, settings, hear, incremental)
            runs.append(ingested)
            said.append(
                f"{item.kind.value}: {run_summary(ingested)}"
                + (_selection_summary(ingested.selection) if incremental else "")
                + (f"; {held}" if (held := held_summary(ingested)) else "")
            )
            if ingested.status != "complete" or ingested.failed:
                raise UsageError(
                    f"the TMDB ingestion of {item.path} did not complete ({ingested.failed} failed): "
                    f"see {ingested.manifest}; rerun the same command to resume"
                )
        if kind is not PipelineKind.MOVIES:
            shows = _discover_series(lake, day, genres, settings, hear, incremental)
            runs.append(shows)
            said.append(
                f"series (discover {','.join(genres)}): {run_summary(shows)}"
                + (_selection_summary(shows.selection) if incremental else "")
            )
            if shows.status != "complete" or shows.failed:
                raise UsageError(
                    f"the TMDB series discover did not complete ({shows.failed} failed): "
                    f"see {shows.manifest}; rerun the same command to resume"
                )

        _require_tmdb_data(lake, runs, genres)

    with step("catalog crawl") as said:
        said.append(_crawl(lake, layout.Zone.RAW))

    spark: Any = None
    try:
        with step("raw-to-trusted") as said:
            from cinelake.engines import raw_to_trusted, trusted_to_refined

            if chosen == "spark":
                from cinelake.spark.session import get_spark

                spark = get_spark("cinelake-pipeline")
            trusted = raw_to_trusted(lake, engine=chosen, spark=spark, progress=hear.message)
            said.append(f"{chosen}: " + _partitions_summary(trusted.partitions))

        with step("trusted-to-refined") as said:
            refined = trusted_to_refined(lake, engine=chosen, spark=spark, progress=hear.message)
            said.append(f"{chosen}: " + _refined_summary(refined))
    finally:
        if spark is not None:
            spark.stop()

    from cinelake.tables.store import loads_kept

    with loads_kept():  # the tables are written: each is loaded once for the answers and the report
        with step("analyze") as said:
            if kind is PipelineKind.SERIES:
                from cinelake.analysis.answer import answer

                result.series = answer(lake, SERIES, genres=genres, top=top, **votes)
            else:
                result.analysis = budget_vs_revenue(lake, genres=genres, top=top, **votes)
                said.append(_eligible_summary(result.analysis))
                result.series, why_not = answer_if_held(lake, SERIES, genres=genres, top=top, **votes)
                if why_not:
                    said.append(f"series: {why_not}")
            if result.series is not None:
                said.append("series " + _eligible_summary(result.series))

        with step("report") as said:
            from cinelake.analysis.report import report

            result.report_path = report(lake, out_dir, result.analysis, series=result.series)
            said.append(str(result.report_path))
    return result


def run_demo(
    lake: Lake,
    *,
    day: date,
    out_dir: Path | str = "reports",
    listener: StepListener | None = None,
    server_options: dict[str, Any] | None = None,
    days: int = 1,
    engine: str = "duckdb",
) -> PipelineResult:
    """The pipeline on the packaged demo CSV, and the series of the packaged TV snapshot discovered by
    genre, against the offline TMDB server started on 127.0.0.1.

    ``days=2`` runs the day before ``day`` in full, then ``day`` incrementally after the server's
    SIMULATED edits of that day (its change feed), and returns the second day's result.
    """
    from datetime import timedelta

    from pydantic import SecretStr

    from cinelake.engines import check_engine
    from cinelake.tmdb.server.control import configure
    from cinelake.tmdb.server.run import serve_in_subprocess

    if days not in (1, 2):
        raise UsageError(f"--days must be 1 or 2, got {days}")
    if check_engine(engine) == "spark":
        from cinelake.spark.session import require_java

        require_java()  # one line before the server starts, not after the ingestion
    hear = listener or StepListener()
    first = day - timedelta(days=days - 1)
    options = dict(server_options or {})
    if days == 2:
        options.setdefault("changes_per_day", DEMO_CHANGES_PER_DAY)
        options["today"] = first.isoformat()
        # The edits begin on day 2, so day 2's run fetches the titles edited since day 1 (the change
        # lists' day of overlap then names no edit that day 1 already saw).
        options.setdefault("changes_from", day.isoformat())
    _record_snapshot_vintage(lake)
    hear.message("starting the offline TMDB server on 127.0.0.1 ...")
    with serve_in_subprocess(**options) as base_url:
        hear.message(f"offline TMDB server at {base_url}")
        # Built from these values alone: a real token in the environment must not go to the demo server.
        settings = Settings.model_validate(
            {
                "tmdb_base_url": base_url,
                "tmdb_read_access_token": SecretStr(DEMO_TOKEN),
                "tmdb_api_key": None,
                "tmdb_rate_limit": 0,
            }
        )
        csv = [demo_csv()]
        run = partial(
            run_pipeline,
            lake,
            csv,
            settings=settings,
            out_dir=out_dir,
            listener=hear,
            engine=engine,
            kind=PipelineKind.BOTH,
        )
        if days == 1:
            return run(day=day)
        result = run(day=first)
        hear.message(f"day 1 ({first}) done in {result.seconds:.0f} s")
        configure(base_url, today=day.isoformat())
        share = options["changes_per_day"]
        hear.message(
            f"day 2 ({day}): the offline server SIMULATES TMDB edits (about {share:.0%} of the titles "
            "edited since day 1; popularity, vote_count and vote_average change); an incremental run "
            "fetches the edited ones"
        )
        return run(day=day, incremental=True)


def _record_snapshot_vintage(lake: Lake) -> None:
    """Say in the lake that its TMDB data is the packaged snapshot's, and how old its values are (the
    report and ``analyze`` state it beside the day the data was collected)."""
    import orjson

    from cinelake.tmdb.snapshot import vintage

    lake.write_bytes(layout.tmdb_data_vintage(), orjson.dumps(vintage(), option=orjson.OPT_INDENT_2))


# --- the steps ---------------------------------------------------------------------------------------


def _ingest_local(
    lake: Lake, csv_paths: Sequence[str | Path], day: date, kind: layout.Kind | None
) -> list[Any]:
    """The CSVs into Raw; with ``kind``, a CSV of another kind is refused before any is copied."""
    from cinelake.ingest.local_csv import ingest_local

    return ingest_local(lake, [str(p) for p in csv_paths], day=day, kind=kind)


def _ingest_tmdb(
    lake: Lake,
    raw_csv: str,
    kind: layout.Kind,
    day: date,
    genres: Sequence[str],
    settings: Settings,
    hear: StepListener,
    incremental: bool = False,
) -> Any:
    from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb

    request = TMDBIngestRequest(
        kind=kind, day=day, source="csv", csv=raw_csv, genres=tuple(genres), incremental=incremental
    )
    return ingest_tmdb(lake, request, settings, progress=hear.ingest_progress)


def _selection_summary(selection: Any) -> str:
    if selection is None or selection.mode != "incremental":
        return f" ({selection.reason})" if selection is not None else ""
    return (
        f" (incremental: {selection.changed:,} changed, {selection.new:,} new, {selection.unchanged:,} "
        f"unchanged; the change lists named {selection.listed:,} ids)"
    )


def _discover_series(
    lake: Lake, day: date, genres: Sequence[str], settings: Settings, hear: StepListener, incremental: bool
) -> Any:
    from cinelake.ingest.runs import discover_series

    return discover_series(
        lake, genres, day=day, settings=settings, progress=hear.ingest_progress, incremental=incremental
    )


def _eligible_summary(answer: Analysis) -> str:
    return ", ".join(f"{name}: {genre.eligible:,} eligible" for name, genre in answer.genres.items())


def _require_tmdb_data(lake: Lake, runs: Sequence[Any], genres: Sequence[str]) -> None:
    """A one-line error naming why, when no TMDB data arrived now and the lake holds none from before
    (without it there is nothing to transform or answer)."""
    if any(run.written for run in runs):
        return
    zone, origin, fmt = layout.Zone.RAW, layout.Origin.TMDB, layout.Format.JSON
    if any(lake.list_files(layout.dataset_dir(zone, origin, fmt, kind.value)) for kind in layout.Kind):
        return
    asked = sum(run.requested for run in runs)
    wanted = ", ".join(genres)
    if asked == 0:
        why = f"the CSVs hold no title of the genres {wanted} (--genres chooses them)"
    else:
        missed = next((run.misses_file for run in runs if run.misses_file), None)
        why = f"TMDB knew none of the {asked:,} id(s) of the genres {wanted} the CSVs hold" + (
            f" (each miss and its reason: {missed})" if missed else ""
        )
    raise UsageError(
        f"no TMDB data arrived: {why}, and the lake holds none from earlier runs, so there is nothing to "
        "transform or answer; give a CSV whose IMDB ids TMDB has, or other --genres"
    )


def _crawl(lake: Lake, zone: layout.Zone | None) -> str:
    from cinelake.catalog.crawler import crawl

    summary = crawl(lake, zone=zone)
    return f"{summary.database}: {summary.totals}"


def _partitions_summary(partitions: Sequence[Any]) -> str:
    written = [p for p in partitions if p.status != "skipped"]
    skipped = len(partitions) - len(written)
    return f"{len(written)} partition(s) written, {skipped} already up to date"


def _refined_summary(refined: Any) -> str:
    tables: dict[str, int] = getattr(refined, "tables", {}) or {}
    facts = {name.rsplit("/", 1)[-1]: rows for name, rows in tables.items()}
    fact = facts.get("fact_movie")
    summary = f"{len(facts)} tables" + (f", fact_movie {fact:,} rows" if fact is not None else "")
    shows = facts.get("fact_series")
    return summary + (f", fact_series {shows:,} rows" if shows else "")
