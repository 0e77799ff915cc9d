"""pyiceberg's fsspec FileIO, taught the ``memory://`` filesystem a memory lake lives in, and to read
and write Iceberg's own files without a request it does not need.

pyiceberg maps URL schemes to filesystems itself (s3, gcs, abfs, file...) and has no entry for
``memory``; fsspec's memory filesystem is one store per process, so the instance made here sees the
files the lake wrote. For ``s3`` it makes the S3 filesystem from the catalog's properties as pyiceberg
does, as a :class:`~cinelake.lake.s3files.LakeS3FileSystem`, which asks S3 once what each metadata file
is.

Iceberg's metadata files (``*.metadata.json``, manifest lists and manifests, ``*.avro``) are written
once under a fresh name and never changed: reading one takes a single GET of the whole (small) file
(fsspec's ``open`` first asks the object's size with a HEAD), and writing a metadata file does not
first check that no file has its new name (another HEAD). On S3 that is half the requests of a
commit's and a scan's metadata reads. Data files keep fsspec's ranged reads.
"""

from __future__ import annotations

import io
from typing import Any

from pyiceberg.io import S3_SIGNER, InputStream, OutputStream
from pyiceberg.io.fsspec import FsspecFileIO, FsspecInputFile, FsspecOutputFile

from cinelake.lake.layout import is_iceberg_metadata


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
    """:class:`FsspecFileIO` plus ``memory://``, the lake's S3 filesystem for ``s3://``, and metadata
    files read and written in fewer requests."""

    def __init__(self, properties: Any) -> None:
        super().__init__(properties)
        self._scheme_to_fs["memory"] = _memory
        self._scheme_to_fs["s3"] = _s3
        self._scheme_to_fs["s3a"] = _s3

    def new_input(self, location: str) -> FsspecInputFile:
        found = super().new_input(location)
        return MetadataInputFile(location, found._fs) if is_iceberg_metadata(location) else found

    def new_output(self, location: str) -> FsspecOutputFile:
        found = super().new_output(location)
        return MetadataOutputFile(location, found._fs) if is_iceberg_metadata(location) else found
