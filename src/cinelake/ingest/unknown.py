"""The ids TMDB did not know, asked again after 1, 2, 4, ... days (at most 30), not every day.

``Raw/TMDB/_unknown/<Kind>.json`` holds, per id a CSV run asked for and TMDB did not know (a 404, or
no title for an IMDB id), how many days it was asked in vain and the last of them. A CSV run leaves out
the ids whose next try is not due yet (its summary counts them) and, once complete, records what it
asked: a miss again doubles the wait, a find forgets the id. A ``refresh`` asks for every id.
Two CSV runs of one kind finishing at the same moment may each record only their own ids (the later
write wins); the ids the other asked are then asked again the next day, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import orjson

from cinelake.errors import LakeError
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

MAX_WAIT_DAYS = 30


class UnknownId(NamedTuple):
    """A tuple, not a model: a big CSV may leave tens of thousands of them, and the run's memory must
    stay flat however many ids miss (RELIABILITY.md, the 40,000-id load)."""

    misses: int  # the days it was asked in vain, one at least
    last_asked: date

    @property
    def due(self) -> date:
        """The first day it is asked again: 1, 2, 4, ... days after the last miss, 30 at most."""
        return self.last_asked + timedelta(days=min(2 ** (self.misses - 1), MAX_WAIT_DAYS))


@dataclass
class UnknownIds:
    ids: dict[str, UnknownId] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: bytes) -> UnknownIds:
        """The record as stored: ``{"ids": {id: [misses, "YYYY-MM-DD"]}}``."""
        parsed = orjson.loads(data)
        return cls({k: UnknownId(int(n), date.fromisoformat(d)) for k, (n, d) in parsed["ids"].items()})

    def to_json(self) -> bytes:
        return orjson.dumps({"ids": {k: [u.misses, u.last_asked.isoformat()] for k, u in self.ids.items()}})

    def waiting(self, asked: Iterable[str], day: date) -> set[str]:
        """Of the ``asked`` ids, those whose next try comes after ``day``."""
        return {i for i in asked if i in self.ids and self.ids[i].due > day}

    def record(self, asked: Iterable[str], missed: set[str], day: date) -> None:
        """What a complete run asked on ``day``: misses wait longer, finds are forgotten. Asking again
        the same day (a rerun) changes nothing."""
        for key in asked:
            known = self.ids.get(key)
            if key not in missed:
                self.ids.pop(key, None)
            elif known is None:
                self.ids[key] = UnknownId(misses=1, last_asked=day)
            elif known.last_asked < day:
                self.ids[key] = UnknownId(misses=known.misses + 1, last_asked=day)


def load_unknown(lake: Lake, kind: Kind) -> UnknownIds:
    """The kind's record (empty if there is none, or it cannot be read: then every id is asked)."""
    try:
        return UnknownIds.from_json(lake.read_bytes(layout.unknown_ids(kind)))
    except (LakeError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return UnknownIds()


def record_asked(lake: Lake, kind: Kind, asked: Iterable[str], missed: set[str], day: date) -> None:
    """Update the kind's record with a complete run's ids and misses."""
    unknown = load_unknown(lake, kind)
    unknown.record(asked, missed, day)
    lake.write_bytes(layout.unknown_ids(kind), unknown.to_json())
