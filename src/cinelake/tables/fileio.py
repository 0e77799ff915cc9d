"""pyiceberg's fsspec FileIO, taught the ``memory://`` filesystem a memory lake lives in, and reading
``s3://`` through the lake's own S3 filesystem.

pyiceberg maps URL schemes to filesystems itself (s3, gcs, abfs, file...) and has no entry for
``memory``; fsspec's memory filesystem is one store per process, so the instance made here sees the
files the lake wrote. For ``s3`` it makes the S3 filesystem from the catalog's properties as pyiceberg
does, as a :class:`~cinelake.lake.s3files.LakeS3FileSystem`: each metadata file (read at every table
load) is then asked for its size once, not at every read.
"""

from __future__ import annotations

from typing import Any

from pyiceberg.io import S3_SIGNER
from pyiceberg.io.fsspec import FsspecFileIO


def _memory(_properties: Any) -> Any:
    import fsspec

    return fsspec.filesystem("memory")


def _s3(properties: Any) -> Any:
    from pyiceberg.io.fsspec import _s3 as pyiceberg_s3

    made = pyiceberg_s3(properties)
    if properties.get(S3_SIGNER):  # a signer is hooked on pyiceberg's own client: keep that one
        return made
    from cinelake.lake.s3files import LakeS3FileSystem

    return LakeS3FileSystem(*made.storage_args, **made.storage_options)


class LakeFileIO(FsspecFileIO):
    """:class:`FsspecFileIO` plus ``memory://``, and the lake's S3 filesystem for ``s3://``."""

    def __init__(self, properties: Any) -> None:
        super().__init__(properties)
        self._scheme_to_fs["memory"] = _memory
        self._scheme_to_fs["s3"] = _s3
        self._scheme_to_fs["s3a"] = _s3
