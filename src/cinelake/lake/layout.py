"""The lake layout: the one place that knows how paths inside the lake are built.

``<Zone>/<Origin>/<Format>/<Spec>/<YYYY>/<MM>/<DD>/<file>`` for Raw, ``dt=YYYY-MM-DD`` partitions for
Trusted, ``Refined/<table>`` for the dimensional model. Paths here are *relative to the lake root*,
always with ``/`` separators; :mod:`cinelake.lake.store` turns them into URLs. Nothing else in the
code builds a lake path by hand.

Folders whose name starts with ``_`` (bookkeeping) or ``.`` (temp files) are invisible to readers and
the crawler: see :func:`is_hidden`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cinelake.errors import LakePathError


class Zone(StrEnum):
    RAW = "Raw"
    TRUSTED = "Trusted"
    REFINED = "Refined"


class Origin(StrEnum):
    LOCAL = "Local"
    TMDB = "TMDB"


class Format(StrEnum):
    CSV = "CSV"
    JSON = "JSON"
    PARQUET = "PARQUET"


class Kind(StrEnum):
    """What a dataset holds; the ``<Spec>`` folder of movies and series."""

    MOVIES = "Movies"
    SERIES = "Series"


_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
_DATE_PARTS = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_DT_FOLDER = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")

RUNS_FOLDER = "_runs"
CATALOG_FOLDER = "_catalog"
LOCKS_FOLDER = "_locks"
REPORTS_FOLDER = "_reports"


def is_iceberg_metadata(path: str) -> bool:
    """An Iceberg metadata file (table metadata, manifest list or manifest, in a table's ``metadata``
    folder): written once under a fresh name and never changed."""
    folder, _, name = path.rpartition("/")
    return folder.endswith("/metadata") and (name.endswith(".metadata.json") or name.endswith(".avro"))


def _segment(value: str, what: str) -> str:
    if not _SEGMENT.match(value):
        raise LakePathError(f"invalid {what} {value!r}: letters, digits, '_' or '-', starting with a letter")
    return value


def file_name(name: str) -> str:
    """Validate a file name taken from input: a plain name, never a path, never hidden."""
    if not _FILE_NAME.match(name) or ".." in name:
        raise LakePathError(
            f"invalid file name {name!r}: a plain name of letters, digits, '.', '_' or '-' is required"
        )
    return name


def run_id(value: str) -> str:
    if not _RUN_ID.match(value):
        raise LakePathError(f"invalid run id {value!r}")
    return value


def date_path(day: date) -> str:
    """``YYYY/MM/DD`` of a processing date."""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


# A processing date is the day the lake's data was (or is being) fetched, the ``YYYY/MM/DD`` of its folders.
# None can be before 1990 (the oldest source the lake reads, IMDb, began in 1990; TMDB in 2008), and none
# after tomorrow in UTC (a machine whose clock runs ahead of UTC is already in tomorrow; a later date is a
# typo, and would file the data under a day the daily runs have not reached).
FIRST_PROCESSING_DAY = date(1990, 1, 1)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(text: str) -> date:
    """``YYYY-MM-DD`` exactly (not ``20261126``, which ``date.fromisoformat`` also takes); ValueError else."""
    text = text.strip()
    if not _ISO_DAY.fullmatch(text):
        raise ValueError("expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None


def processing_day(text: str, *, today: date) -> date:
    """A processing date given as text: ``YYYY-MM-DD`` from 1990-01-01 to the day after ``today`` (UTC);
    a ValueError says why not. One rule for the commands' ``--date`` and the Lambda events' ``date``."""
    day = iso_day(text)
    last = today + timedelta(days=1)
    if not FIRST_PROCESSING_DAY <= day <= last:
        raise ValueError(f"a processing date is from {FIRST_PROCESSING_DAY} to tomorrow ({last}, UTC)")
    return day


def parse_date_path(text: str) -> date:
    match = _DATE_PARTS.match(text)
    if not match:
        raise LakePathError(f"not a YYYY/MM/DD folder: {text!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise LakePathError(f"not a valid date folder {text!r}: {exc}") from None


def dataset_dir(zone: Zone, origin: Origin, fmt: Format, spec: str) -> str:
    """``<Zone>/<Origin>/<Format>/<Spec>``: one dataset (one table in the catalog)."""
    return f"{zone.value}/{origin.value}/{fmt.value}/{_segment(spec, 'spec')}"


# --- Raw -----------------------------------------------------------------------------------------


def raw_local_csv_dir(kind: Kind, day: date) -> str:
    return f"{dataset_dir(Zone.RAW, Origin.LOCAL, Format.CSV, kind.value)}/{date_path(day)}"


def raw_local_csv_file(kind: Kind, day: date, name: str) -> str:
    """``Raw/Local/CSV/<Kind>/YYYY/MM/DD/<name>``: where a local CSV lands, byte for byte."""
    return f"{raw_local_csv_dir(kind, day)}/{file_name(name)}"


def raw_json_dir(origin: Origin, spec: str, day: date) -> str:
    return f"{dataset_dir(Zone.RAW, origin, Format.JSON, spec)}/{date_path(day)}"


def raw_json_file(origin: Origin, spec: str, day: date, run: str, chunk: int, part: int = 1) -> str:
    """``Raw/<Origin>/JSON/<Spec>/YYYY/MM/DD/<spec>-<run>-<chunk:05d>.json`` (chunk counts from 1).

    The name depends only on the run and the chunk number, so a resumed or repeated run rewrites the
    same files instead of adding copies. A chunk too large for one file spills into parts 2, 3...
    named ``<spec>-<run>-<chunk:05d>-p<part:02d>.json``.
    """
    if chunk < 1 or chunk > 99_999:
        raise LakePathError(f"chunk number out of range: {chunk}")
    if part < 1 or part > 99:
        raise LakePathError(f"part number out of range: {part}")
    suffix = "" if part == 1 else f"-p{part:02d}"
    stem = f"{_segment(spec, 'spec').lower()}-{run_id(run)}-{chunk:05d}{suffix}"
    return f"{raw_json_dir(origin, spec, day)}/{stem}.json"


def raw_tmdb_dir(spec: str, day: date) -> str:
    """``Raw/TMDB/JSON/<Spec>/YYYY/MM/DD``: where a TMDB run's records of one day land."""
    return raw_json_dir(Origin.TMDB, spec, day)


def raw_tmdb_file(spec: str, day: date, run: str, chunk: int, part: int = 1) -> str:
    """File ``chunk`` (part ``part``) of a TMDB run: :func:`raw_json_file` under ``Raw/TMDB``."""
    return raw_json_file(Origin.TMDB, spec, day, run, chunk, part)


def runs_dir(origin: Origin = Origin.TMDB) -> str:
    """Bookkeeping of ingestion runs: ``Raw/<Origin>/_runs``."""
    return f"{Zone.RAW.value}/{origin.value}/{RUNS_FOLDER}"


def run_dir(run: str, origin: Origin = Origin.TMDB) -> str:
    return f"{runs_dir(origin)}/{run_id(run)}"


def run_manifest(run: str, origin: Origin = Origin.TMDB) -> str:
    return f"{run_dir(run, origin)}/manifest.json"


def run_misses(run: str, origin: Origin = Origin.TMDB) -> str:
    """Every miss of a run, one JSON object a line, in chunk order (``_runs/<run>/misses.jsonl``)."""
    return f"{run_dir(run, origin)}/misses.jsonl"


def run_continuation(run: str, chain: str, invocation: int, origin: Origin = Origin.TMDB) -> str:
    """The claim that invocation ``invocation`` of a Lambda chain has been started (one per hand-off)."""
    if invocation < 1:
        raise LakePathError(f"invocation number out of range: {invocation}")
    return f"{run_dir(run, origin)}/continuations/{run_id(chain)}-{invocation:05d}.json"


def run_plan(run: str, origin: Origin = Origin.TMDB) -> str:
    """The frozen list of ids a run works through (``_runs/<run>/plan.json``)."""
    return f"{run_dir(run, origin)}/plan.json"


def run_checkpoint(run: str, chunk: int, origin: Origin = Origin.TMDB) -> str:
    """One completed chunk of a run (``_runs/<run>/chunks/<chunk:05d>.json``)."""
    if chunk < 1 or chunk > 99_999:
        raise LakePathError(f"chunk number out of range: {chunk}")
    return f"{run_checkpoints_dir(run, origin)}/{chunk:05d}.json"


def run_checkpoints_dir(run: str, origin: Origin = Origin.TMDB) -> str:
    return f"{run_dir(run, origin)}/chunks"


def run_listing_part(run: str, name: str, origin: Origin = Origin.TMDB) -> str:
    """One saved step of a run's listing, before its plan is frozen (``_runs/<run>/listing/<name>.json``)."""
    return f"{run_listing_dir(run, origin)}/{file_name(name)}.json"


def run_listing_dir(run: str, origin: Origin = Origin.TMDB) -> str:
    return f"{run_dir(run, origin)}/listing"


def tmdb_data_vintage() -> str:
    """Where a lake whose TMDB data came from a packaged snapshot says how old that data is."""
    return f"{Zone.RAW.value}/{Origin.TMDB.value}/_vintage.json"


def unknown_ids(kind: Kind) -> str:
    """The ids TMDB did not know, with when to ask again: ``Raw/TMDB/_unknown/<Kind>.json``."""
    return f"{Zone.RAW.value}/{Origin.TMDB.value}/_unknown/{kind.value}.json"


def local_copies(kind: Kind, name: str) -> str:
    """Every copy of a local CSV into Raw, oldest first: ``Raw/Local/_runs/copies/<Kind>/<name>.json``."""
    return f"{runs_dir(Origin.LOCAL)}/copies/{kind.value}/{file_name(name)}.json"


def lock_file(name: str, origin: Origin = Origin.TMDB) -> str:
    """A lock object for work that must not run twice at once: ``Raw/<Origin>/_locks/<name>.lock``.

    It lives beside the bookkeeping of the origin it guards, so the ingestion's narrow write
    permission (``Raw/TMDB/*`` on AWS) covers it.
    """
    return f"{Zone.RAW.value}/{origin.value}/{LOCKS_FOLDER}/{file_name(name)}.lock"


def zone_lock_file(zone: Zone, name: str) -> str:
    """A lock for a job that writes a whole zone (a Spark job): ``<Zone>/_locks/<name>.lock``."""
    return f"{zone.value}/{LOCKS_FOLDER}/{file_name(name)}.lock"


# --- Trusted / Refined / catalog -------------------------------------------------------------------


def trusted_dir(origin: Origin, spec: str) -> str:
    return dataset_dir(Zone.TRUSTED, origin, Format.PARQUET, spec)


def trusted_partition(origin: Origin, spec: str, day: date) -> str:
    """``Trusted/<Origin>/PARQUET/<Spec>/dt=YYYY-MM-DD``: partitioned by the Raw folder's date."""
    return f"{trusted_dir(origin, spec)}/dt={day.isoformat()}"


def partition_day(path: str) -> str | None:
    """The ``YYYY-MM-DD`` of the ``dt=`` folder (a Trusted partition) a file's path or URL is in, or
    None."""
    found = _DT_FOLDER.search("/" + path)
    return found[1] if found else None


def refined_dir() -> str:
    return Zone.REFINED.value


def refined_table(table: str) -> str:
    if not re.match(r"^[a-z][a-z0-9_]{0,63}$", table):
        raise LakePathError(f"invalid refined table name {table!r}")
    return f"{Zone.REFINED.value}/{table}"


def report_dir(day: date) -> str:
    """``Refined/_reports/YYYY/MM/DD``: the day's answer (JSON) and HTML report, invisible to readers."""
    return f"{Zone.REFINED.value}/{REPORTS_FOLDER}/{date_path(day)}"


def catalog_dir() -> str:
    return CATALOG_FOLDER


def catalog_lock_file(database: str) -> str:
    """The lock of a catalog kept in the lake: ``_catalog/<database>/_locks/crawl.lock``."""
    return f"{CATALOG_FOLDER}/{_segment(database, 'database')}/{LOCKS_FOLDER}/crawl.lock"


# --- reading paths back ------------------------------------------------------------------------------


def is_hidden(segment: str) -> bool:
    """Bookkeeping (``_runs``, ``_catalog``) and temp files (``.name.tmp``) that readers skip."""
    return segment.startswith(("_", "."))


def has_hidden_part(path: str) -> bool:
    return any(is_hidden(part) for part in path.split("/") if part)


@dataclass(frozen=True)
class RawFile:
    """What a Raw path says about its file."""

    origin: Origin
    fmt: Format
    spec: str
    day: date
    name: str

    @property
    def path(self) -> str:
        base = dataset_dir(Zone.RAW, self.origin, self.fmt, self.spec)
        return f"{base}/{date_path(self.day)}/{self.name}"


def parse_raw_file(path: str) -> RawFile:
    """Parse ``Raw/<Origin>/<Format>/<Spec>/YYYY/MM/DD/<name>`` (relative to the lake root)."""
    parts = path.strip("/").split("/")
    if len(parts) != 8 or parts[0] != Zone.RAW.value:
        raise LakePathError(f"not a Raw file path: {path!r}")
    try:
        origin, fmt = Origin(parts[1]), Format(parts[2])
    except ValueError:
        raise LakePathError(f"unknown origin or format in {path!r}") from None
    spec = _segment(parts[3], "spec")
    day = parse_date_path("/".join(parts[4:7]))
    return RawFile(origin, fmt, spec, day, file_name(parts[7]))


def relative_path(path: str) -> str:
    """Normalise a lake-relative path and refuse anything that could leave the lake root."""
    if "\\" in path or "\x00" in path:
        raise LakePathError(f"invalid lake path {path!r}")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise LakePathError(f"lake path {path!r} would escape the lake root")
    return "/".join(parts)
