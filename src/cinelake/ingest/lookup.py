"""The per-id look-up of a TMDB ingestion: one id of the plan -> its TMDB record, or a miss.

- A movie from the CSV (an IMDB id) is asked **directly**: ``/movie/{imdb_id}?append_to_response=...``,
  one request, accepted only if the answer's ``imdb_id`` is the id asked for. On a 404 or another id it
  falls back to ``/find/{imdb_id}`` then ``/movie/{tmdb_id}`` (a miss keeps its reason).
- If the first :data:`SWITCH_AFTER` direct misses are all found by ``/find`` (a server that does not
  take IMDB ids on ``/movie``), the run switches to ``/find`` first for the rest, and says so.
- A series from the CSV takes ``/find`` then ``/tv/{id}`` (TMDB's ``/tv/{id}`` takes no IMDB id).
- A discover id, or an id whose TMDB id the plan already knows (an incremental run's changed
  title), is fetched by its TMDB id: one request.

TMDB errors propagate (the job turns a 404 into a miss and any other error into a failure).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from cinelake.lake.layout import Kind
from cinelake.lake.manifest import Miss

if TYPE_CHECKING:
    from cinelake.tmdb.client import FindResult, TMDBClient

SWITCH_AFTER = 20  # direct misses that /find all finds before the run turns to /find first

Mode = Literal["direct", "find", "switched"]


@dataclass
class LookupCounts:
    direct_hits: int = 0  # answered by /movie/{imdb_id} alone
    direct_misses: int = 0  # a 404 or another title from /movie/{imdb_id}
    found_after_miss: int = 0  # of those, found by /find
    by_find: int = 0  # looked up with /find (fallbacks, series, after a switch)
    by_tmdb_id: int = 0  # fetched by a TMDB id already known (discover, incremental)


class Lookup:
    """How one attempt of a run finds its ids' records; :meth:`summary` goes into the manifest."""

    def __init__(
        self,
        client: TMDBClient,
        kind: Kind,
        append: Sequence[str],
        *,
        by_imdb: bool,
        switch_after: int = SWITCH_AFTER,
    ) -> None:
        self.client = client
        self.movies = kind is Kind.MOVIES
        self.append = tuple(append)
        self.by_imdb = by_imdb  # the plan's ids are IMDB ids (a CSV run)
        self.mode: Mode = "direct" if by_imdb and self.movies else "find"
        self.switch_after = switch_after
        self.counts = LookupCounts()
        self._judged = 0  # direct misses whose /find answer is in
        self._decided = not (by_imdb and self.movies)

    async def record(self, key: str, tmdb_id: int | None = None) -> dict[str, Any] | Miss:
        """The TMDB record for ``key`` (the plan's id), or a miss with its reason."""
        if tmdb_id is not None or not self.by_imdb:
            self.counts.by_tmdb_id += 1
            return await self._details(tmdb_id if tmdb_id is not None else int(key))
        if self.mode != "direct":
            return await self._by_find(key)
        from cinelake.tmdb.errors import TMDBNotFound

        answered: dict[str, Any] | None = None
        with contextlib.suppress(TMDBNotFound):  # TMDB has no movie under that IMDB id: ask /find
            answered = await self.client.movie_details_by_imdb(key, append=self.append)
        if answered is not None and answered.get("imdb_id") == key:
            self.counts.direct_hits += 1
            return answered
        self.counts.direct_misses += 1
        found = await self.client.find_by_imdb(key)
        self._judge(bool(found.movie_ids))
        return await self._after_find(key, found, answered)

    async def _by_find(self, key: str) -> dict[str, Any] | Miss:
        found = await self.client.find_by_imdb(key)
        return await self._after_find(key, found, None)

    async def _after_find(
        self, key: str, found: FindResult, answered: dict[str, Any] | None
    ) -> dict[str, Any] | Miss:
        self.counts.by_find += 1
        matches = found.movie_ids if self.movies else found.tv_ids
        if not matches:
            other = "a series" if found.tv_ids else "a movie" if found.movie_ids else ""
            return Miss(id=key, reason=f"TMDB lists this IMDB id as {other}" if other else "no TMDB title")
        if answered is not None and answered.get("id") == matches[0]:
            return answered  # /find names the title the direct answer already holds
        return await self._details(matches[0])

    async def _details(self, tmdb_id: int) -> dict[str, Any]:
        if self.movies:
            return await self.client.movie_details(tmdb_id, append=self.append)
        return await self.client.tv_details(tmdb_id, append=self.append)

    def _judge(self, found_by_find: bool) -> None:
        """Count a direct miss; switch to /find once the first ``switch_after`` were all found by it."""
        if found_by_find:
            self.counts.found_after_miss += 1
        if self._decided:
            return
        if not found_by_find:
            self._decided = True  # a real miss: direct look-ups work, the ids are just unknown
            return
        self._judged += 1
        if self._judged >= self.switch_after:
            self._decided = True
            self.mode = "switched"

    @property
    def switched(self) -> bool:
        return self.mode == "switched"

    def summary(self) -> dict[str, Any]:
        """What the manifest records: the mode, the counts, and a sentence when the run switched."""
        data: dict[str, Any] = {"mode": self.mode, **vars(self.counts)}
        if self.switched:
            data["note"] = (
                f"switched to /find first: the first {self.switch_after} direct /movie/{{imdb_id}} misses "
                "were all found by /find"
            )
        return data
