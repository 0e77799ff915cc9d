"""The challenge's local CSV files (movies.csv, series.csv): validate, copy into Raw, read ids back.

The format: UTF-8 (a BOM is accepted), ``|``-separated with no quoting (a ``"`` is an ordinary
character), LF or CRLF line ends, ``\\N`` for null, one row per (title, artist) so ids repeat. The header
has 15 columns for movies and 16 for series (which adds ``anoTermino``); ``id`` holds IMDB ids
(``tt`` and digits).

Validation reads a file once, streamed, so a multi-GB file needs no more memory than a line, and a line
is at most :data:`MAX_LINE_BYTES` (a longer one is an error naming it, found without holding it whole;
the real files' longest line is under 1 KB). Lines ended by CR alone (old Mac files) are named as such.
:func:`ingest_local` validates every file before it copies any, so a bad file means nothing is written.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, cast

from cinelake.errors import InputFileError, UsageError
from cinelake.ingest.copies import Change, CopyRecord, load_ledger, record_copy
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.manifest import utc_now
from cinelake.lake.store import Lake

DELIMITER = "|"
NULL = "\\N"
MOVIES_COLUMNS = (
    "id",
    "tituloPincipal",  # sic: the challenge's own spelling
    "tituloOriginal",
    "anoLancamento",
    "tempoMinutos",
    "genero",
    "notaMedia",
    "numeroVotos",
    "generoArtista",
    "personagem",
    "nomeArtista",
    "anoNascimento",
    "anoFalecimento",
    "profissao",
    "titulosMaisConhecidos",
)
SERIES_COLUMNS = (*MOVIES_COLUMNS[:4], "anoTermino", *MOVIES_COLUMNS[4:])
COLUMNS = {Kind.MOVIES: MOVIES_COLUMNS, Kind.SERIES: SERIES_COLUMNS}
IMDB_ID = re.compile(r"^tt\d{1,12}$")
_IMDB_ID_BYTES = re.compile(rb"tt[0-9]{1,12}\Z")
ALL_GENRES = "all"
MAX_LINE_BYTES = 1024 * 1024
_CR_ONLY = "lines end with CR alone (old Mac): convert them to LF or CRLF"
_OTHER_DELIMITERS = (",", ";", "\t")
_BINARY_MAGIC = {
    b"\x1f\x8b": "a gzip file, not a CSV (decompress it first)",
    b"PK\x03\x04": "a zip file, not a CSV (extract it first)",
    b"BZh": "a bzip2 file, not a CSV (decompress it first)",
    b"\xfd7zXZ": "an xz file, not a CSV (decompress it first)",
    b"(\xb5/\xfd": "a zstd file, not a CSV (decompress it first)",
    b"PAR1": "a Parquet file, not a CSV",
}


@dataclass(frozen=True)
class CsvInfo:
    """What validation learnt about a file."""

    source: str
    kind: Kind
    rows: int
    bytes: int


@dataclass(frozen=True)
class LocalIngested:
    """A file copied into Raw."""

    source: str
    kind: Kind
    path: str  # lake-relative
    rows: int
    bytes: int
    sha256: str
    # new, changed (since the last copy), unchanged (not copied: ``path`` is the last copy) or forced.
    change: Change = "new"
    previous: str | None = None  # the last copy's sha256, when there was one


def parse_kind(value: str | Kind | None) -> Kind | None:
    """``movies`` / ``series`` (any case) as a :class:`Kind`; None stays None."""
    if value is None or isinstance(value, Kind):
        return value
    text = value.strip().lower()
    for kind in Kind:
        if kind.value.lower() == text:
            return kind
    raise UsageError(f"unknown kind {value!r}: use movies or series")


def kind_of_header(columns: Sequence[str], name: str) -> Kind:
    """Movies or Series from a header's column names (case-insensitive), or an InputFileError."""
    lowered = tuple(c.strip().lower() for c in columns)
    for kind, expected in COLUMNS.items():
        if lowered == tuple(c.lower() for c in expected):
            return kind
    if len(columns) == 1:
        text = columns[0]
        for other in _OTHER_DELIMITERS:
            if other in text:
                shown = "TAB" if other == "\t" else repr(other)
                raise InputFileError(name, f"wrong delimiter: the header is separated by {shown}, not '|'")
        raise InputFileError(name, "the header has a single column: not a '|'-separated file")
    if "id" not in lowered:
        raise InputFileError(name, "no id column in the header")
    raise InputFileError(
        name,
        f"the header ({len(columns)} columns) matches neither the movies format ({len(MOVIES_COLUMNS)} "
        f"columns) nor the series format ({len(SERIES_COLUMNS)} columns, with anoTermino)",
    )


class _Rows:
    """A validating, streaming reader of one CSV: the header, then each row.

    It works on bytes and decodes only what it must: a line that is all ASCII is valid UTF-8 as it is,
    and validation only needs the field count and the id (about 3x faster than splitting every line).
    """

    def __init__(self, handle: IO[bytes], name: str) -> None:
        # readline(limit) bounds a line's memory; an fsspec file (S3) has readline() alone: buffer it.
        raw = cast(io.RawIOBase, handle)
        self.handle: IO[bytes] = handle if isinstance(handle, io.BufferedIOBase) else io.BufferedReader(raw)
        self.name = name
        self.kind: Kind
        self.columns: list[str]
        self.bytes = 0
        self.rows = 0

    def _read_lines(self) -> Iterator[tuple[int, bytes]]:
        """Each line with its number, read at most :data:`MAX_LINE_BYTES` at a time."""
        number = 0
        while raw := self.handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                if b"\r" in raw:
                    raise InputFileError(self.name, _CR_ONLY)
                raise InputFileError(self.name, f"line {number}: longer than {MAX_LINE_BYTES:,} bytes")
            yield number, raw

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        for number, raw in self._read_lines():
            self.bytes += len(raw)
            if number == 1:
                for magic, what in _BINARY_MAGIC.items():
                    if raw.startswith(magic):
                        raise InputFileError(self.name, what)
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
            if b"\x00" in raw:
                raise InputFileError(self.name, f"line {number}: a NUL byte: binary data, not a text CSV")
            if not raw.isascii():
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise InputFileError(self.name, f"line {number}: not UTF-8 text") from None
            yield number, raw.rstrip(b"\r\n")

    def header(self) -> Iterator[tuple[int, bytes]]:
        """Read the header (sets ``columns`` and ``kind``); return the iterator of the other lines."""
        lines = self._lines()
        first = next(lines, None)
        if first is None:
            raise InputFileError(self.name, "the file is empty")
        if b"\r" in first[1]:
            raise InputFileError(self.name, _CR_ONLY)
        text = first[1].decode("utf-8")
        if not text.strip():
            raise InputFileError(self.name, "the first line is blank: expected the header")
        self.columns = text.split(DELIMITER)
        self.kind = kind_of_header(self.columns, self.name)
        return lines

    def _rows(self) -> Iterator[bytes]:
        lines = self.header()
        width = len(self.columns)
        for number, line in lines:
            if not line:
                continue  # a trailing blank line
            fields = line.count(b"|") + 1
            if fields != width:
                problem = f"line {number}: {fields} fields where the header has {width}"
                raise InputFileError(self.name, problem)
            cut = line.find(b"|")
            first = line[:cut] if cut >= 0 else line
            if not _IMDB_ID_BYTES.match(first):
                shown = first[:40].decode("utf-8", errors="replace")
                raise InputFileError(self.name, f"line {number}: invalid IMDB id {shown!r}")
            self.rows += 1
            yield line
        if self.rows == 0:
            raise InputFileError(self.name, "a header but no rows")

    def check(self) -> None:
        """Validate every row."""
        for _ in self._rows():
            pass

    def __iter__(self) -> Iterator[list[str]]:
        """Each row's fields, validated."""
        for line in self._rows():
            yield line.decode("utf-8").split(DELIMITER)


def _open_local(path: str | os.PathLike[str]) -> IO[bytes]:
    name = os.fspath(path)
    try:
        if os.path.isdir(name):
            raise InputFileError(name, "a folder, not a file")
        return open(name, "rb", buffering=1024 * 1024)
    except FileNotFoundError:
        raise InputFileError(name, "no such file") from None
    except PermissionError:
        raise InputFileError(name, "permission denied") from None
    except OSError as exc:
        raise InputFileError(name, f"cannot be read: {exc.strerror or exc}") from None


def validate_csv(path: str | os.PathLike[str], kind: Kind | str | None = None) -> CsvInfo:
    """Read ``path`` once, streamed; return what it is or raise :class:`InputFileError`."""
    wanted = parse_kind(kind)
    name = os.fspath(path)
    with _open_local(path) as handle:
        rows = _Rows(handle, name)
        rows.check()
    if wanted is not None and wanted != rows.kind:
        raise InputFileError(
            name,
            f"the header is the {rows.kind.value.lower()} format but --kind {wanted.value.lower()} was given",
        )
    return CsvInfo(name, rows.kind, rows.rows, rows.bytes)


def ingest_local(
    lake: Lake,
    paths: Sequence[str | os.PathLike[str]],
    *,
    day: date,
    kind: Kind | str | None = None,
    on_file: Callable[[LocalIngested], None] | None = None,
    force: bool = False,
) -> list[LocalIngested]:
    """Copy the challenge's CSV files into ``Raw/Local/CSV/<Kind>/YYYY/MM/DD/<file name>`` byte for byte.

    Every file is validated first; if any is invalid nothing is written. A file whose content (sha256)
    is that of its last copy (same name and kind, this day or before) is not copied again unless
    ``force``: its result is ``unchanged`` and names that copy. Each copy is streamed, its sha256
    verified on the stored copy and recorded in the file's ledger (:mod:`cinelake.ingest.copies`).
    """
    if not paths:
        raise UsageError("no file given: name at least one movies or series CSV")
    checked = [validate_csv(p, kind) for p in paths]
    targets: dict[str, str] = {}
    for info in checked:
        rel = layout.raw_local_csv_file(info.kind, day, Path(info.source).name)
        if rel in targets:
            raise InputFileError(info.source, f"has the same name and kind as {targets[rel]}")
        targets[rel] = info.source
    results: list[LocalIngested] = []
    for info, rel in zip(checked, targets, strict=True):
        done = _copy_if_changed(lake, info, rel, day, force)
        results.append(done)
        if on_file is not None:
            on_file(done)
    return results


def _copy_if_changed(lake: Lake, info: CsvInfo, rel: str, day: date, force: bool) -> LocalIngested:
    name = Path(info.source).name
    digest = csv_sha256(info.source)
    last = load_ledger(lake, info.kind, name).last_before(day)
    if last is not None and last.sha256 == digest and not force and lake.exists(last.path):
        return LocalIngested(
            info.source, info.kind, last.path, info.rows, info.bytes, digest, "unchanged", last.sha256
        )
    copied = lake.copy_in(info.source, rel)
    change: Change = "new" if last is None else "forced" if last.sha256 == copied else "changed"
    record = CopyRecord(
        day=day,
        path=rel,
        source=info.source,
        sha256=copied,
        bytes=info.bytes,
        rows=info.rows,
        copied_at=utc_now(),
        change=change,
    )
    record_copy(lake, info.kind, name, record)
    previous = last.sha256 if last is not None else None
    return LocalIngested(info.source, info.kind, rel, info.rows, info.bytes, copied, change, previous)


def copy_summary(item: LocalIngested) -> str:
    """What became of a file, in a few words: ``changed since the last copy (sha256 1a2b3c4d5e6f)``."""
    if item.change == "unchanged":
        return "unchanged since the last copy: not copied again"
    if item.change == "forced":
        return "unchanged, copied again (--force)"
    if item.change == "changed":
        return f"changed since the last copy (sha256 {(item.previous or '')[:12]}), copied"
    return "new, copied"


def parse_genres(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"Comedy,Animation"`` or a sequence as a tuple of names; ``("all",)`` for every row."""
    if value is None:
        raise UsageError("no genres given: name at least one (e.g. Comedy,Animation) or 'all'")
    items = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(dict.fromkeys(g.strip() for g in items if g.strip()))
    if not names:
        raise UsageError("--genres is empty: name at least one genre (e.g. Comedy,Animation) or 'all'")
    if any(n.lower() == ALL_GENRES for n in names):
        return (ALL_GENRES,)
    return names


def _open_source(source: str, lake: Lake | None) -> tuple[IO[bytes], str]:
    """A local file, a URL (file://, s3://, memory://) or a path relative to ``lake``."""
    if "://" in source:
        parent, _, name = source.rstrip("/").rpartition("/")
        if lake is not None and source.startswith(lake.url.rstrip("/") + "/"):
            rel = source[len(lake.url.rstrip("/")) + 1 :]
            return _open_lake(lake, rel, source), source
        return _open_lake(Lake(parent), name, source), source
    if os.path.exists(source) or lake is None:
        return _open_local(source), source
    return _open_lake(lake, source, lake.uri(source)), lake.uri(source)


def _open_lake(lake: Lake, rel: str, shown: str) -> IO[bytes]:
    if not lake.exists(rel):
        raise InputFileError(shown, "no such file")
    return lake.open_read(rel)


def csv_sha256(source: str | os.PathLike[str], *, lake: Lake | None = None) -> str:
    """The sha256 of a CSV's bytes (a local file, a URL or a path in ``lake``)."""
    digest = hashlib.sha256()
    handle, _ = _open_source(os.fspath(source), lake)
    with handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_kind(source: str | os.PathLike[str], *, lake: Lake | None = None) -> Kind:
    """Movies or Series from a CSV's header alone (a local file, a URL or a path in ``lake``)."""
    handle, name = _open_source(os.fspath(source), lake)
    with handle:
        rows = _Rows(handle, name)
        rows.header()
        return rows.kind


def read_imdb_ids(
    source: str | os.PathLike[str],
    genres: str | Iterable[str] = ("Comedy", "Animation"),
    *,
    lake: Lake | None = None,
    kind: Kind | str | None = None,
) -> list[str]:
    """The sorted distinct IMDB ids of the rows whose ``genero`` holds any of ``genres``.

    Genre names compare case-insensitively; ``"all"`` takes every row. ``source`` is a local file, a URL,
    or a path relative to ``lake`` (e.g. a ``Raw/Local/CSV/...`` object).
    """
    wanted = {g.lower() for g in parse_genres(genres)}
    take_all = ALL_GENRES in wanted
    handle, name = _open_source(os.fspath(source), lake)
    found: set[str] = set()
    with handle:
        rows = _Rows(handle, name)
        genre_at = -1
        for fields in rows:
            if genre_at < 0:
                genre_at = [c.strip().lower() for c in rows.columns].index("genero")
            if take_all:
                found.add(fields[0])
                continue
            value = fields[genre_at]
            if value != NULL and any(g.strip().lower() in wanted for g in value.split(",")):
                found.add(fields[0])
    expected = parse_kind(kind)
    if expected is not None and expected != rows.kind:
        found_kind, run_kind = rows.kind.value.lower(), expected.value.lower()
        raise InputFileError(name, f"the header is the {found_kind} format but the run is for {run_kind}")
    return sorted(found)
