"""The Raw batch writer: a run's records as JSON Lines files of at most 100 records and 10 MB.

A run sorts its ids and cuts them into fixed chunks of 100; chunk ``k`` becomes file ``k``
(:func:`cinelake.lake.layout.raw_json_file`), holding the records of the ids that were found, in the
chunk's id order. A file is one compact JSON object per line, UTF-8, ``.json``, written atomically.

When a chunk's records add up to more than 10 MB, the chunk *spills*: its records are packed greedily,
in order, into part 1 (the chunk's own file name), then part 2 (``...-<chunk>-p02.json``), part 3...;
a record goes into the current part if the part stays within 100 records and 10 MB, else it opens the
next part. The packing depends only on the records and their order, so a rerun with the same records
writes the same files. A single record larger than 10 MB cannot be stored and raises
:class:`RecordTooLargeError`.

The writer is bound to one spec (Movies, Series...): one structure per folder, never mixed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from cinelake.errors import LakeError
from cinelake.lake import layout
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake

MAX_RECORDS_PER_FILE = 100
MAX_FILE_BYTES = 10 * 1024 * 1024
CHUNK_SIZE = 100
MAX_PARTS = 99


class RecordTooLargeError(LakeError):
    """One record alone is larger than the file size limit."""


@dataclass(frozen=True)
class WrittenFile:
    """A Raw file as written: what the run manifest lists for it."""

    path: str  # lake-relative
    records: int
    bytes: int
    sha256: str
    chunk: int
    part: int = 1


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One JSON Lines line: a compact UTF-8 object and ``\\n``."""
    if not isinstance(record, Mapping):
        raise TypeError(f"a Raw record must be a JSON object, not {type(record).__name__}")
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


def chunk_count(n_ids: int, size: int = CHUNK_SIZE) -> int:
    return -(-n_ids // size)


def chunk_bounds(chunk: int, n_ids: int, size: int = CHUNK_SIZE) -> tuple[int, int]:
    """The slice ``[start, stop)`` of the sorted ids that chunk ``chunk`` (from 1) covers."""
    start = (chunk - 1) * size
    return start, min(start + size, n_ids)


def pack_lines(
    lines: Sequence[bytes], *, max_records: int = MAX_RECORDS_PER_FILE, max_bytes: int = MAX_FILE_BYTES
) -> list[list[bytes]]:
    """Greedy, order-preserving packing of encoded lines into parts within both limits."""
    parts: list[list[bytes]] = []
    current: list[bytes] = []
    size = 0
    for line in lines:
        if len(line) > max_bytes:
            raise RecordTooLargeError(
                f"a record of {len(line):,} bytes exceeds the {max_bytes:,}-byte file limit"
            )
        if current and (len(current) >= max_records or size + len(line) > max_bytes):
            parts.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line)
    if current:
        parts.append(current)
    return parts


class RawBatchWriter:
    """Writes the chunks of one run of one spec on one day."""

    def __init__(
        self,
        lake: Lake,
        origin: Origin,
        spec: str,
        day: date,
        run: str,
        *,
        max_records: int = MAX_RECORDS_PER_FILE,
        max_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.lake = lake
        self.origin = origin
        self.spec = spec
        self.day = day
        self.run = layout.run_id(run)
        self.max_records = max_records
        self.max_bytes = max_bytes
        layout.raw_json_file(origin, spec, day, run, 1)  # validate spec and run once, up front

    def path(self, chunk: int, part: int = 1) -> str:
        return layout.raw_json_file(self.origin, self.spec, self.day, self.run, chunk, part)

    @property
    def folder(self) -> str:
        return layout.raw_json_dir(self.origin, self.spec, self.day)

    @property
    def file_prefix(self) -> str:
        """The name prefix every file of this run shares."""
        return self.path(1).rsplit("/", 1)[1].removesuffix("00001.json")

    def write_chunk(
        self,
        chunk: int,
        records: Iterable[Mapping[str, Any] | bytes],
        *,
        stale: Iterable[str] = (),
    ) -> list[WrittenFile]:
        """Write chunk ``chunk``'s records (objects, or lines from :func:`encode_record`).

        Returns the files written (none when no record was found). Files named in ``stale`` (a previous
        attempt's files of this chunk) that this attempt did not rewrite are deleted.
        """
        lines = [r if isinstance(r, bytes) else encode_record(r) for r in records]
        parts = pack_lines(lines, max_records=self.max_records, max_bytes=self.max_bytes)
        if len(parts) > MAX_PARTS:
            raise LakeError(f"chunk {chunk} needs {len(parts)} files, more than {MAX_PARTS}")
        written: list[WrittenFile] = []
        for number, part in enumerate(parts, start=1):
            data = b"".join(part)
            path = self.path(chunk, number)
            self.lake.write_bytes(path, data)
            digest = hashlib.sha256(data).hexdigest()
            written.append(WrittenFile(path, len(part), len(data), digest, chunk, number))
        kept = {f.path for f in written}
        for old in stale:
            if old not in kept:
                self.lake.delete(old)
        return written

    def sweep(self, keep: Iterable[str]) -> list[str]:
        """Delete this run's files (and leftover temp files) in its folder that are not in ``keep``.

        Run at the end of a complete run: it removes spill parts of an earlier attempt that packed
        differently and temp files of an interrupted write. Returns what it deleted.
        """
        keep_set = set(keep)
        ours = re.compile(rf"^\.?{re.escape(self.file_prefix)}\d{{5}}(-p\d{{2}})?\.json($|\.tmp-)")
        removed: list[str] = []
        for rel in self.lake.list_files(self.folder, include_hidden=True):
            if ours.match(rel.rsplit("/", 1)[1]) and rel not in keep_set:
                self.lake.delete(rel)
                removed.append(rel)
        return removed


def read_records(lake: Lake, path: str) -> list[dict[str, Any]]:
    """The records of one Raw JSON Lines file."""
    return [orjson.loads(line) for line in lake.read_bytes(path).splitlines() if line.strip()]
