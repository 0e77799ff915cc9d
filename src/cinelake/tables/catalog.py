"""The Iceberg catalog of a lake: where its Trusted and Refined tables' current snapshots are recorded.

- A folder lake: a pyiceberg SQL catalog in the lake itself, ``<lake>/_catalog/iceberg.db`` (SQLite),
  so any Iceberg client opens the lake by that path.
- An ``s3://`` lake: the AWS Glue Data Catalog (pyiceberg's Glue catalog), which Athena reads natively;
  the endpoint and credentials come from the environment as for every AWS call (``AWS_ENDPOINT_URL``
  points it at moto in the tests).
- A ``memory://`` lake (tests, throw-away work in one process): a SQL catalog in an in-memory SQLite
  database, kept for the life of the process beside the memory filesystem it describes.

The namespace is the catalog database of the settings (``cinelake``), the same name the Raw tables
of the crawler's catalog live under.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cinelake.errors import UsageError, needs_aws
from cinelake.lake.layout import CATALOG_FOLDER
from cinelake.lake.store import Lake

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.catalog.sql import SqlCatalog

ICEBERG_DB = f"{CATALOG_FOLDER}/iceberg.db"
"""The SQLite file of a folder lake's Iceberg catalog, lake-relative."""

CATALOG_NAME = "cinelake"
BACKEND_ENV = "CINELAKE_ICEBERG_CATALOG"
"""``sql`` or ``glue``: overrides the catalog a lake's URL implies (a folder lake kept in sync with Glue)."""

_OPEN: dict[tuple[str, ...], Catalog] = {}
_LOCK = threading.Lock()
_HELD: contextvars.ContextVar[dict[str, Catalog] | None] = contextvars.ContextVar("held", default=None)


def namespace() -> str:
    """The Iceberg namespace of the tables: the settings' catalog database (``cinelake``)."""
    from cinelake.config import get_settings

    return get_settings().catalog_database


def backend_for(lake: Lake, backend: str | None = None) -> str:
    """``sql`` or ``glue``: the catalog kind a lake uses (``glue`` for s3://, else ``sql``)."""
    chosen = (backend or os.environ.get(BACKEND_ENV) or "").strip().lower()
    if chosen in ("", "local", "none"):
        return "glue" if lake.location.scheme == "s3" else "sql"
    if chosen not in ("sql", "glue"):
        raise UsageError(f"unknown Iceberg catalog {chosen!r}: use sql or glue")
    return chosen


def open_catalog(lake: Lake, backend: str | None = None) -> Catalog:
    """The lake's Iceberg catalog with its namespace created.

    Kept for the process: a memory lake's (its SQLite database lives in that instance) and a Glue one
    (it holds only a boto3 client, whose making costs far more than a table's load: measured with
    pyinstrument, opening a Glue catalog per table was three quarters of an S3 lake's transforms and
    reads), keyed by everything the client was made from. A folder lake's SQLite catalog is opened
    afresh, so a lake folder deleted and made again is never served a stale connection, except
    inside :func:`held_open`."""
    kind = backend_for(lake, backend)
    if kind != "glue" and lake.location.scheme != "memory":
        held = _HELD.get()
        if held is not None and lake.url in held:
            return held[lake.url]
        found = _sql(lake)
        _ensure_namespace(found)
        if held is not None:
            held[lake.url] = found
        return found
    key: tuple[str, ...] = (lake.url, kind)
    if kind == "glue":
        endpoint = str(lake.storage_options.get("endpoint_url") or "")
        key = (*key, namespace(), endpoint, *_client_environment())
    with _LOCK:
        kept = _OPEN.get(key)
        if kept is None:
            kept = _glue(lake) if kind == "glue" else _sql(lake)
            _ensure_namespace(kept)
            _OPEN[key] = kept
    return kept


@contextlib.contextmanager
def shared_within(var: contextvars.ContextVar[Any]) -> Iterator[None]:
    """A block in which ``var`` holds one dict of things kept for the block (made by the outermost
    block, shared by nested ones, gone when the outermost ends)."""
    if var.get() is not None:
        yield
        return
    token = var.set({})
    try:
        yield
    finally:
        var.reset(token)


@contextlib.contextmanager
def held_open() -> Iterator[None]:
    """Within the block, a folder lake's SQLite catalog is opened once and reused (one SQLAlchemy
    engine and one namespace check, where a commit opened it four times: a second of the 23 commits
    of trusted-to-refined on the demo lake, measured with pyinstrument). Nested blocks share it."""
    with shared_within(_HELD):
        yield


def _client_environment() -> tuple[str, ...]:
    """What a Glue catalog's boto3 client is made from (endpoint, region, credentials' key id)."""
    names = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_GLUE", "AWS_REGION", "AWS_DEFAULT_REGION")
    return (*(os.environ.get(n, "") for n in names), os.environ.get("AWS_ACCESS_KEY_ID", ""))


def _ensure_namespace(catalog: Catalog) -> None:
    """Create the namespace if missing (asked first: a deployed Glue database exists, and the
    transforms' role may read it but not create databases)."""
    if not catalog.namespace_exists(namespace()):
        catalog.create_namespace_if_not_exists(namespace())


def forget(lake: Lake) -> None:
    """Drop this process's open catalog of ``lake`` (its memory catalog with it)."""
    with _LOCK:
        for key in [k for k in _OPEN if k[0] == lake.url]:
            _OPEN.pop(key)


def _io_properties(lake: Lake) -> dict[str, Any]:
    """FileIO settings: fsspec for every lake (the same filesystems the lake uses).

    pyiceberg's default FileIO for local paths is its pyarrow one, whose module imports
    ``pyarrow.dataset`` and with it pandas: about a second of a command that only reads a table's
    metadata (``cinelake sql``, ``analyze``, ``catalog tables``), measured with ``python -X importtime``.
    The commits and ``scan().to_arrow()`` still load pyarrow when they need it."""
    props: dict[str, Any] = {"py-io-impl": "cinelake.tables.fileio.LakeFileIO"}
    if lake.is_local:
        return props
    endpoint = lake.storage_options.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL")
    if lake.location.scheme == "s3":
        if endpoint:
            props["s3.endpoint"] = endpoint
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            props["s3.region"] = region
    return props


def _sql(lake: Lake) -> SqlCatalog:
    from pyiceberg.catalog.sql import SqlCatalog

    if lake.is_local:
        if not lake.exists(""):
            raise UsageError(f"no lake at {lake.url}: check --lake (or CINELAKE_LAKE)")
        uri = f"sqlite:///{lake.local_path(ICEBERG_DB)}"
    else:
        uri = "sqlite://"  # in memory, for this process: the lake's own store is not a file SQLite can open
    found = SqlCatalog(CATALOG_NAME, uri=uri, warehouse=lake.uri(), **_io_properties(lake))
    if lake.is_local:
        _write_ahead_log(found)
    return found


def _write_ahead_log(catalog: SqlCatalog) -> None:
    """Put the catalog's SQLite file in write-ahead-log mode (kept in the file; a no-op once set).

    A commit then costs one fsync of the log, not the rollback journal's several: 1 ms a commit
    against 20 ms on this project's machines, half a second of trusted-to-refined's 23 commits. Readers
    and writers of other processes follow SQLite's usual rules (one writer at a time, readers never
    blocked); like any SQLite database in WAL mode, the lake's folder must be on a local disk and
    writable (``iceberg.db-wal`` and ``iceberg.db-shm`` live beside the file while it is open).
    A file another process holds keeps its mode until a later open."""
    import sqlite3

    connection = catalog.engine.raw_connection()
    try:
        connection.cursor().execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:
        pass  # locked by another writer at this moment: the next open sets it
    finally:
        connection.close()


def _glue(lake: Lake) -> Catalog:
    with needs_aws("the Glue Iceberg catalog"):
        from pyiceberg.catalog.glue import GlueCatalog

    props = _io_properties(lake)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        props["glue.region"] = region
    return GlueCatalog(CATALOG_NAME, **props)
