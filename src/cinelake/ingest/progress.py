"""How an ingestion run shows itself: a rich progress bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from cinelake.ingest.tmdb import IngestProgress, IngestResult
    from cinelake.lake.layout import Kind

log = logging.getLogger("cinelake.ingest")
LOG_EVERY = 5.0  # seconds between two plain progress lines


class ProgressReport:
    """A context manager whose :meth:`update` is the ``progress`` callback of an ingestion run."""

    def __init__(
        self, title: str, *, interactive: bool | None = None, console: Console | None = None
    ) -> None:
        self.title = title
        self.console = console or Console(stderr=True)
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self._bar: Any = None
        self._task: Any = None
        self._last_log = 0.0
        self._started = time.monotonic()
        self._first_done: int | None = None

    def __enter__(self) -> ProgressReport:
        # One line per retry is useful; one line per request is not.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if self.interactive:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.title, total=None, rate="", counts="")
        else:
            if not logging.getLogger().handlers:
                logging.basicConfig(
                    level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
                )
            log.setLevel(logging.INFO)
            log.info("%s: started", self.title)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def _rate(self, done: int) -> float:
        if self._first_done is None:
            self._first_done = done
            self._started = time.monotonic()
        elapsed = time.monotonic() - self._started
        return (done - self._first_done) / elapsed if elapsed > 0 else 0.0

    def update(self, event: IngestProgress) -> None:
        counts = f"written {event.written:,} · not found {event.not_found:,} · failed {event.failed:,}"
        if event.phase == "plan":
            if self._bar is not None:
                self._bar.update(self._task, description=f"{self.title}: listing ids")
            else:
                log.info("%s: listing the ids", self.title)
            return
        rate = self._rate(event.done)
        if self._bar is not None:
            self._bar.update(
                self._task,
                description=self.title,
                total=event.total,
                completed=event.done,
                rate=f"{rate:,.0f} ids/s",
                counts=counts,
            )
            return
        now = time.monotonic()
        if event.phase == "finish" or now - self._last_log >= LOG_EVERY:
            self._last_log = now
            share = 100.0 * event.done / event.total if event.total else 100.0
            log.info(
                "%s: %s/%s ids (%.0f%%), %.0f ids/s, %s",
                self.title,
                f"{event.done:,}",
                f"{event.total:,}",
                share,
                rate,
                counts,
            )


def run_summary(result: IngestResult) -> str:
    """One line of what a run did in this attempt, then what earlier attempts had done:
    ``0 written, 0 not found, 0 failed; 43/43 chunks already done (4,229 written, 10 not found)``."""
    line = (
        f"{result.written - result.written_before:,} written, "
        f"{result.not_found - result.not_found_before:,} not found, {result.failed:,} failed"
    )
    if result.chunks_skipped:
        line += (
            f"; {result.chunks_skipped:,}/{result.chunks_total:,} chunks already done "
            f"({result.written_before:,} written, {result.not_found_before:,} not found)"
        )
    line += f", {result.requests:,} requests" if result.requests else ""
    if result.unknown_waiting:
        line += f"; {result.unknown_waiting:,} ids TMDB did not know left out until their next try"
    return line


def held_summary(result: IngestResult) -> str | None:
    """What the day's earlier runs had already handled, when they had: a changed CSV's rerun says so."""
    if not result.held_today and not result.csv_changed_since:
        return None
    held = f"{result.held_today:,} of its ids already in the day's Raw, not fetched again"
    if result.csv_changed_since:
        return f"the CSV changed since run {result.csv_changed_since}; {held}"
    return f"{held} (an earlier run of the day)"


def summary_table(result: IngestResult, kind: Kind | None = None) -> Table:
    """The end-of-run table (``kind`` named in its title when a command ingests more than one)."""
    what = f"TMDB {kind.value.lower()} ingest" if kind is not None else "TMDB ingest"
    title = f"{what} {result.run_id}: {result.status}"
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    rows = [
        ("requested", f"{result.requested:,}"),
        ("written", f"{result.written:,}"),
        ("not found", f"{result.not_found:,}"),
        ("failed", f"{result.failed:,}"),
        ("files", f"{len(result.files):,}"),
        ("chunks", f"{result.chunks_done:,}/{result.chunks_total:,} done ({result.chunks_skipped:,} before)"),
        ("requests", f"{result.requests:,} ({result.stats.get('retries', 0):,} retries)"),
        ("seconds", f"{result.seconds:,.1f}"),
        ("manifest", result.manifest),
    ]
    if result.not_found and result.misses_file:
        rows.append(("misses", result.misses_file))
    held = held_summary(result)
    if held:
        rows.append(("same day", held))
    if result.unknown_waiting:
        rows.append(("not asked", f"{result.unknown_waiting:,} ids TMDB did not know, until their next try"))
    selection = result.selection
    if selection is not None and selection.mode == "incremental":
        spans = ", ".join(f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in selection.windows)
        rows.append(
            (
                "incremental",
                f"{selection.new:,} new, {selection.changed:,} changed, {selection.unchanged:,} unchanged "
                f"of {selection.asked:,} asked; the change lists ({spans}) named {selection.listed:,} ids, "
                f"{selection.in_lake:,} of them the lake's",
            )
        )
    elif selection is not None:
        rows.append(("incremental", selection.reason))
    if result.lookup.get("note"):
        rows.append(("look-up", str(result.lookup["note"])))
    if result.listing:
        listing = result.listing
        state = "complete" if listing.get("complete") else "stopped (the next attempt resumes it)"
        rows.insert(
            0,
            (
                "listing",
                f"{state}: {listing.get('ids', 0):,} ids, {listing.get('pages_fetched', 0):,} pages fetched, "
                f"{listing.get('steps_reused', 0):,} steps saved before",
            ),
        )
        for step, reason in (listing.get("failed_steps") or {}).items():
            rows.insert(1, ("listing step failed", f"{step}: {reason}"))
    for name, value in rows:
        table.add_row(name, value)
    return table
