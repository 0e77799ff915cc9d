"""pyiceberg's fsspec FileIO, taught the ``memory://`` filesystem a memory lake lives in.

pyiceberg maps URL schemes to filesystems itself (s3, gcs, abfs, file...) and has no entry for
``memory``; fsspec's memory filesystem is one store per process, so the instance made here sees the
files the lake wrote.
"""

from __future__ import annotations

from typing import Any

from pyiceberg.io.fsspec import FsspecFileIO


def _memory(_properties: Any) -> Any:
    import fsspec

    return fsspec.filesystem("memory")


class LakeFileIO(FsspecFileIO):
    """:class:`FsspecFileIO` plus ``memory://``."""

    def __init__(self, properties: Any) -> None:
        super().__init__(properties)
        self._scheme_to_fs["memory"] = _memory
