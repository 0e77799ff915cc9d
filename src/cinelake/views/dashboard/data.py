"""What the dashboard reads: each kind's rows once (through the analysis' loader, so a change of
storage reaches the dashboard unchanged) and their table, then every view is the analysis over them.

A view is therefore computed exactly as ``cinelake analyze`` computes it (``analyze`` of the view's
kind over the rows ``load_with`` reads, as a :class:`cinelake.analysis.table.TitleTable`); only the
read and the table are shared between views, and the rows are read again after ``refresh_seconds`` so
a lake updated by the daily run shows its new day.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cinelake.analysis.compute import analyze
from cinelake.analysis.freshness import Freshness, freshness
from cinelake.analysis.kinds import kind_of
from cinelake.analysis.loader import NoAnalysisData, check_engine, load_with
from cinelake.analysis.model import Analysis, Source
from cinelake.analysis.table import TitleTable
from cinelake.analysis.titles import TitleDetails, title_details
from cinelake.attribution import TMDB_NOTICE
from cinelake.errors import CinelakeError, LakeError
from cinelake.lake.store import Lake
from cinelake.views.dashboard.params import ViewParams

T = TypeVar("T")
REFRESH_SECONDS = 300.0


@dataclass
class _Cached(Generic[T]):
    value: T
    at: float


class _Memo(Generic[T]):
    """One value per key, computed once under a lock and again when older than ``max_age`` seconds;
    at most ``max_items`` kept (the least recently used leave first).

    Written here rather than taken from cachetools: it is the one cache the app needs, and it must
    compute under the lock so two first requests do not read the lake twice."""

    def __init__(self, max_age: float, max_items: int = 256) -> None:
        self._max_age = max_age
        self._max_items = max_items
        self._lock = threading.Lock()
        self._found: OrderedDict[Any, _Cached[T]] = OrderedDict()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            cached = self._found.get(key)
            if cached is None or time.monotonic() - cached.at > self._max_age:
                cached = _Cached(compute(), time.monotonic())
                self._found[key] = cached
            self._found.move_to_end(key)
            while len(self._found) > self._max_items:
                self._found.popitem(last=False)
            return cached.value

    def age(self, key: Any) -> float | None:
        """When the value of ``key`` was computed (a monotonic clock), None when it is not kept."""
        cached = self._found.get(key)
        return None if cached is None else cached.at


@dataclass(frozen=True)
class _Read:
    """One read of a kind's rows, kept as what the views need: the rows' table (the titles in DuckDB),
    the genre names the lake knows and where the rows came from. The rows themselves are dropped once
    the table holds them: on a million films they were about a gigabyte of Python objects kept for
    nothing between reads."""

    table: TitleTable
    known_genres: list[str]
    source: Source


class LakeAnswers:
    """The answers of one lake through one engine, for any view."""

    def __init__(self, lake: Lake, *, engine: str = "duckdb", refresh_seconds: float = REFRESH_SECONDS):
        check_engine(engine)
        self.lake = lake
        self.engine = engine
        self._reads: _Memo[_Read] = _Memo(refresh_seconds)
        self._titles: _Memo[TitleDetails] = _Memo(refresh_seconds)
        self._freshness: _Memo[Freshness] = _Memo(refresh_seconds)
        self._views: _Memo[Any] = _Memo(refresh_seconds, max_items=64)  # a view with charts: up to 1 MB

    def _read(self, kind: str) -> _Read:
        def read() -> _Read:
            loaded = _lake_read(lambda: load_with(self.lake, kind_of(kind), engine=self.engine))
            return _Read(TitleTable.of(kind_of(kind), loaded.rows), loaded.known_genres, loaded.source)

        return self._reads.get(kind, read)

    def source(self, kind: str) -> Source:
        """Where the titles of ``kind`` were read from (zone, files or tables, snapshot)."""
        return self._read(kind).source

    def table(self, kind: str) -> TitleTable:
        """The titles of ``kind`` as the analysis' table, built once a read of the rows."""
        return self._read(kind).table

    def genres(self, kind: str) -> list[str]:
        """The genres the lake's titles of ``kind`` carry, sorted."""
        return list(self.table(kind).genre_names)

    def rank_keys(self, kind: str) -> tuple[str, ...]:
        """What the titles of ``kind`` may rank on in this lake: the kind's keys, less a value the lake
        lacks altogether (IMDB's rating where no CSV title TMDB knows carries one)."""
        declared, table = kind_of(kind), self.table(kind)
        return tuple(key for key in declared.rank_keys if key not in declared.own_votes or table.has(key))

    def answer(self, view: ViewParams, *, chart_points: int | None = None) -> Analysis:
        """The analysis of ``view``: one group of the view's genres, combined by its match; with
        ``chart_points``, each group's titles for the charts are at most that many."""
        read = self._read(view.kind)
        common: dict[str, Any] = {
            "genres": view.genres,
            "top": view.n,
            "min_votes": view.min_votes,
            "rank_by": view.rank_by,
            "match": view.match,
            "year_from": view.year_from,
            "year_to": view.year_to,
            "known_genres": read.known_genres,
            "source": read.source,
            "notice": TMDB_NOTICE,
            "chart_points": chart_points,
        }
        return analyze(kind_of(view.kind), read.table, **common)

    def rendered(
        self, view: ViewParams, render: Callable[[Analysis], T], *, chart_points: int | None = None
    ) -> T:
        """``render(answer)`` of ``view`` (its charts' titles at most ``chart_points``), kept for the
        next request of the same view (the controls go back and forth between a few views) until the
        rows are read again."""
        self._read(view.kind)  # a refresh of the rows drops the views rendered from the old ones
        return self._views.get(
            (view.query(), self._reads.age(view.kind)),
            lambda: render(self.answer(view, chart_points=chart_points)),
        )

    def title(self, kind: str, tmdb_id: int) -> TitleDetails:
        which = kind_of(kind).kind
        return self._titles.get(
            (kind, tmdb_id), lambda: _lake_read(lambda: title_details(self.lake, which, tmdb_id))
        )

    def freshness(self) -> Freshness:
        return self._freshness.get("lake", lambda: _lake_read(lambda: freshness(self.lake)))


def _lake_read(read: Callable[[], T]) -> T:
    """``read()``, where any failure but "no data yet" is the lake's (a :class:`LakeError`), never the
    request's: a file that is not Parquet is not a bad parameter."""
    try:
        return read()
    except NoAnalysisData:
        raise
    except CinelakeError as exc:
        text = str(exc).strip()
        raise LakeError(text.splitlines()[0] if text else type(exc).__name__) from None
