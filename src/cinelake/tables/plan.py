"""Which Raw days each Trusted table still needs: both engines' raw-to-trusted plan."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import date

from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake
from cinelake.tables.datasets import DATASETS, RawDay, TrustedDataset, raw_days
from cinelake.tables.registry import trusted_table
from cinelake.tables.results import PartitionResult, RawToTrustedResult
from cinelake.tables.store import BackgroundCommits, recorded_sources

DayCommit = Callable[[TrustedDataset, list[RawDay], list[str], dict[date, int]], None]


def plan(
    lake: Lake, dataset: TrustedDataset, *, day: date | None, force: bool
) -> tuple[list[RawDay], list[RawDay]]:
    """(days to process, days already up to date) of one dataset: a day is up to date when the
    table's current snapshot records exactly its Raw files (names and sizes)."""
    recorded = recorded_sources(lake, trusted_table(dataset)) if not force else {}
    todo: list[RawDay] = []
    done: list[RawDay] = []
    for raw in raw_days(lake, dataset.raw_dir, dataset.suffix):
        if day is not None and raw.day != day:
            continue
        if recorded.get(raw.day.isoformat()) == raw.digest:
            done.append(raw)
        else:
            todo.append(raw)
    return todo, done


_RUN_FILE = re.compile(r"^[a-z0-9_-]+?-(?P<run>[A-Za-z0-9][A-Za-z0-9_-]*)-\d{5}(-p\d{2})?\.json$")


def unfinished_run(lake: Lake, raw: RawDay) -> str | None:
    """An ingest run that wrote into this Raw day and has not finished (its manifest is missing or
    not ``complete`` while its plan exists), or None. A run that went through every chunk and left
    only failed ids has finished (its day goes on without them). Files no run's bookkeeping knows
    (copied in by hand) belong to no unfinished run."""
    from cinelake.ingest.tmdb_runs import TmdbRunBook

    runs = sorted({m["run"] for name, _ in raw.files if (m := _RUN_FILE.match(name))})
    for run in runs:
        book = TmdbRunBook(lake, run)
        manifest = book.load_manifest()
        if manifest is not None and manifest.status != "complete" and not manifest.only_failures_left:
            return run
        if manifest is None and lake.exists(book.plan_path):
            return run
    return None


def plan_all(
    lake: Lake, *, day: date | None, force: bool, say: Callable[[str], None]
) -> tuple[RawToTrustedResult, list[tuple[TrustedDataset, list[RawDay]]]]:
    """Both engines' raw-to-trusted plan: the result with its up-to-date days already listed as
    skipped, and the (dataset, days to process) pairs left to do (none: said so)."""
    plans = [(dataset, *plan(lake, dataset, day=day, force=force)) for dataset in DATASETS]
    if day is not None and not any(todo or done for _, todo, done in plans):
        raise UsageError(f"no Raw data for {day.isoformat()} in {lake.url}")
    result = RawToTrustedResult()
    for index, (dataset, todo, done) in enumerate(plans):
        ready = []
        for raw in todo:
            run = unfinished_run(lake, raw) if dataset.origin is Origin.TMDB else None
            if run is None:
                ready.append(raw)
            else:  # only complete days: the next transform picks this one up
                say(f"{dataset.name} {raw.day.isoformat()}: skipped, ingest run {run} has not finished")
        plans[index] = (dataset, ready, done)
    for dataset, _todo, done in plans:
        for raw in done:
            path = layout.trusted_partition(dataset.origin, dataset.spec, raw.day)
            result.partitions.append(PartitionResult(dataset.name, raw.day, "skipped", path=path))
    pending = [(dataset, todo) for dataset, todo, _ in plans if todo]
    if not pending:
        say("nothing to do: every Raw day is already in Trusted (the tables' snapshots record its files)")
    return result, pending


def commit_days(
    lake: Lake, dataset: TrustedDataset, todo: list[RawDay], files: list[str], input_rows: dict[date, int]
) -> list[PartitionResult]:
    """Commit one dataset's newly written days (its files placed in the table folder) as one snapshot
    that replaces those days' partitions; the partition results, in ``todo``'s order."""
    from cinelake.tables.store import FILES_PROPERTY, commit_files

    table = trusted_table(dataset)
    done = commit_files(
        lake,
        table,
        files,
        replace=[raw.day.isoformat() for raw in todo],
        sources={raw.day.isoformat(): raw.digest for raw in todo},
        properties={f"{FILES_PROPERTY}{raw.day.isoformat()}": raw.files_json() for raw in todo},
        day=max(raw.day for raw in todo),
    )
    return [
        PartitionResult(
            dataset.name,
            raw.day,
            "written",
            done.rows.get(raw.day.isoformat(), 0),
            input_rows.get(raw.day, 0),
            layout.trusted_partition(dataset.origin, dataset.spec, raw.day),
        )
        for raw in todo
    ]


@contextlib.contextmanager
def committing_days(
    lake: Lake, result: RawToTrustedResult, say: Callable[[str], None]
) -> Iterator[DayCommit]:
    """A raw-to-trusted job's commits: ``submit(dataset, todo, files, input_rows)`` runs
    :func:`commit_days` in the background while the engine writes the next dataset; each commit adds
    its partitions to ``result`` and says what it committed, in the order submitted."""

    def committed(done: tuple[TrustedDataset, list[PartitionResult]]) -> None:
        dataset, written = done
        result.partitions.extend(written)
        rows = sum(p.rows for p in written)
        say(f"{dataset.name}: {rows:,} rows committed to {trusted_table(dataset).name}")

    with BackgroundCommits(lake, committed) as commits:

        def submit(
            dataset: TrustedDataset, todo: list[RawDay], files: list[str], rows: dict[date, int]
        ) -> None:
            commits.submit(lambda: (dataset, commit_days(lake, dataset, todo, files, rows)))

        yield submit
