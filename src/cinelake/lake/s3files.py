"""The lake's S3 filesystem: s3fs, asking S3 once for what an Iceberg metadata file is.

An Iceberg table's metadata files (``<table>/metadata/*.metadata.json``, the manifest lists and the
manifests, ``*.avro``) are written once under a new unique name and never rewritten. Yet each open of
one through fsspec asks S3 for its size (a HEAD) before reading it, and readers open them again and
again: DuckDB's ``iceberg_scan`` binds a view at every query, pyiceberg reads a table's metadata at every
load. On the daily pipeline's report step that was 403 HEADs of metadata files among 810 S3 and Glue
calls (counted through the test stack's recording proxy). :class:`LakeS3FileSystem` keeps what S3's
HEAD said of each such file and answers later asks from it; every other object (Raw files, which a
same-day upload may replace; locks; manifests of runs) is asked afresh as before. A delete through
this filesystem drops the kept entry.

s3fs's own listings cache cannot do this: it keeps whole folder listings, which the lake turns off
(``use_listings_cache=False``) because other processes write the same folders.
"""

from __future__ import annotations

import threading
from typing import Any

from s3fs import S3FileSystem

from cinelake.lake.layout import is_iceberg_metadata

KEPT_MAX = 20_000
"""At most this many metadata files are remembered (a few hundred bytes each); then it starts over."""


class LakeS3FileSystem(S3FileSystem):
    """:class:`s3fs.S3FileSystem` that asks S3 only once what an Iceberg metadata file is (see the
    module documentation)."""

    # fsspec keeps one instance per set of options and class: the remembered files are shared by every
    # Lake of the same bucket endpoint in the process, as the S3 client is.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[str, dict[str, Any]] = {}
        self._kept_lock = threading.Lock()

    async def _info(self, path: str, bucket: Any = None, key: Any = None, refresh: bool = False,
                    version_id: Any = None) -> dict[str, Any]:  # fmt: skip
        stripped = self._strip_protocol(path)
        immutable = version_id is None and is_iceberg_metadata(stripped)
        if immutable and not refresh:
            kept = self._kept.get(stripped)
            if kept is not None:
                return dict(kept)
        found: dict[str, Any] = await super()._info(
            path, bucket=bucket, key=key, refresh=refresh, version_id=version_id
        )
        if immutable and found.get("type") == "file":
            self._keep(stripped, found)
        return found

    def _keep(self, path: str, info: dict[str, Any]) -> None:
        with self._kept_lock:
            if len(self._kept) >= KEPT_MAX:
                self._kept.clear()
            self._kept[path] = dict(info)

    def invalidate_cache(self, path: str | None = None) -> None:
        super().invalidate_cache(path)
        kept = getattr(self, "_kept", None)  # s3fs calls this from its own __init__ too
        if kept is None:
            return
        with self._kept_lock:
            if path is None:
                kept.clear()
            else:
                kept.pop(self._strip_protocol(path), None)
