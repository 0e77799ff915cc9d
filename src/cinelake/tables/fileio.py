"""pyiceberg's fsspec FileIO, taught the ``memory://`` filesystem a memory lake lives in, and to read
and write Iceberg's own files without a request it does not need.

pyiceberg maps URL schemes to filesystems itself (s3, gcs, abfs, file...) and has no entry for
``memory``; fsspec's memory filesystem is one store per process, so the instance made here sees the
files the lake wrote.

Iceberg's metadata files (``*.metadata.json``, manifest lists and manifests, ``*.avro``) are written
once under a fresh name and never changed: reading one takes a single GET of the whole (small) file
(fsspec's ``open`` first asks the object's size with a HEAD), and writing a metadata file does not
first check that no file has its new name (another HEAD). On S3 that is half the requests of a
commit's and a scan's metadata reads. Data files keep fsspec's ranged reads.
"""

from __future__ import annotations

import io
from typing import Any

from pyiceberg.io import InputStream, OutputStream
from pyiceberg.io.fsspec import FsspecFileIO, FsspecInputFile, FsspecOutputFile

METADATA_SUFFIXES = (".metadata.json", ".avro")


def _memory(_properties: Any) -> Any:
    import fsspec

    return fsspec.filesystem("memory")


def is_metadata_file(location: str) -> bool:
    """An Iceberg metadata file (table metadata, manifest list, manifest): written once, small."""
    return location.endswith(METADATA_SUFFIXES)


class MetadataInputFile(FsspecInputFile):
    """An Iceberg metadata file, read whole with one request."""

    def open(self, seekable: bool = True) -> InputStream:
        return io.BytesIO(self._fs.cat_file(self.location))


class MetadataOutputFile(FsspecOutputFile):
    """An Iceberg metadata file, written under a name no file has (pyiceberg makes each one afresh)."""

    def create(self, overwrite: bool = False) -> OutputStream:
        return super().create(overwrite=True)

    def to_input_file(self) -> FsspecInputFile:
        return MetadataInputFile(location=self.location, fs=self._fs)


class LakeFileIO(FsspecFileIO):
    """:class:`FsspecFileIO` plus ``memory://``, reading and writing metadata files in fewer requests."""

    def __init__(self, properties: Any) -> None:
        super().__init__(properties)
        self._scheme_to_fs["memory"] = _memory

    def new_input(self, location: str) -> FsspecInputFile:
        found = super().new_input(location)
        return MetadataInputFile(location, found._fs) if is_metadata_file(location) else found

    def new_output(self, location: str) -> FsspecOutputFile:
        found = super().new_output(location)
        return MetadataOutputFile(location, found._fs) if is_metadata_file(location) else found
