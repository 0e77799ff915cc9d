"""The ids TMDB did not know, asked again after 1, 2, 4, ... days (at most 30), not every day.

``Raw/TMDB/_unknown/<Kind>.json`` holds, per id a CSV run asked for and TMDB did not know (a 404, or
no title for an IMDB id), how many days it was asked in vain and the last of them. A CSV run leaves out
the ids whose next try is not due yet (its summary counts them) and, once complete, records what it
asked: a miss again doubles the wait, a find forgets the id. A ``refresh`` asks for every id.
Two CSV runs of one kind finishing at the same moment may each record only their own ids (the later
write wins); the ids the other asked are then asked again the next day, never lost.

A big CSV can leave tens of thousands of unknown ids, and a run's memory must stay flat however many
ids miss (RELIABILITY.md, the 40,000-id load). So each id's state is one integer, on disk and in
memory alike: ``misses * 10**8 + YYYYMMDD`` of the last miss (``{"ids": {"tt0000001": 320261126}}``
is three misses, the last on 2026-11-26), and a run's misses are streamed from its spool, never held.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import NamedTuple

import orjson

from cinelake.errors import LakeError
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

MAX_WAIT_DAYS = 30
_DAY_DIGITS = 10**8


class UnknownId(NamedTuple):
    misses: int  # the days it was asked in vain, one at least
    last_asked: date

    @property
    def due(self) -> date:
        """The first day it is asked again: 1, 2, 4, ... days after the last miss, 30 at most."""
        return self.last_asked + timedelta(days=min(2 ** (self.misses - 1), MAX_WAIT_DAYS))

    @classmethod
    def unpack(cls, packed: int) -> UnknownId:
        misses, ymd = divmod(abs(packed), _DAY_DIGITS)
        return cls(misses, date(ymd // 10_000, ymd // 100 % 100, ymd % 100))

    def pack(self) -> int:
        day = self.last_asked
        return self.misses * _DAY_DIGITS + day.year * 10_000 + day.month * 100 + day.day


class UnknownIds:
    """One kind's unknown ids: id -> packed state (see the module's docstring)."""

    def __init__(self, packed: dict[str, int] | None = None) -> None:
        self._packed: dict[str, int] = packed if packed is not None else {}

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def __len__(self) -> int:
        return len(self._packed)

    def get(self, key: str) -> UnknownId | None:
        packed = self._packed.get(key)
        return None if packed is None else UnknownId.unpack(packed)

    def items(self) -> Iterator[tuple[str, UnknownId]]:
        for key, packed in self._packed.items():
            yield key, UnknownId.unpack(packed)

    def waiting(self, asked: Iterable[str], day: date) -> set[str]:
        """Of the ``asked`` ids, those whose next try comes after ``day``."""
        return {i for i in asked if i in self._packed and UnknownId.unpack(self._packed[i]).due > day}

    def record(self, asked: Iterable[str], missed: Iterable[str], day: date) -> None:
        """What a complete run asked on ``day``: misses wait longer, finds are forgotten. Asking again
        the same day (a rerun) changes nothing. ``missed`` is read once, as a stream: each miss is
        marked by negating its entry, then the asked ids left unmarked (found) are forgotten."""
        packed = self._packed
        for key in missed:
            old = packed.get(key)
            if old is None:
                packed[key] = -UnknownId(1, day).pack()
            elif old > 0:
                known = UnknownId.unpack(old)
                bumped = UnknownId(known.misses + 1, day) if known.last_asked < day else known
                packed[key] = -bumped.pack()
        for key in asked:
            old = packed.get(key)
            if old is not None and old > 0:
                del packed[key]  # asked and not missed: TMDB knows it now
        for key, old in packed.items():
            if old < 0:
                packed[key] = -old

    def to_json(self) -> bytes:
        return orjson.dumps({"ids": self._packed})


def load_unknown(lake: Lake, kind: Kind) -> UnknownIds:
    """The kind's record (empty if there is none, or it cannot be read: then every id is asked)."""
    try:
        ids = orjson.loads(lake.read_bytes(layout.unknown_ids(kind)))["ids"]
    except (LakeError, orjson.JSONDecodeError, KeyError, TypeError):
        return UnknownIds()
    if not isinstance(ids, dict) or not all(isinstance(v, int) and v > 0 for v in ids.values()):
        return UnknownIds()
    return UnknownIds(ids)


def record_asked(lake: Lake, kind: Kind, asked: Iterable[str], missed: Iterable[str], day: date) -> None:
    """Update the kind's record with a complete run's ids and (streamed) misses."""
    unknown = load_unknown(lake, kind)
    unknown.record(asked, missed, day)
    lake.write_bytes(layout.unknown_ids(kind), unknown.to_json())
