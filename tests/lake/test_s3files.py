"""The lake's S3 filesystem asks S3 once what an Iceberg metadata file is, and every time for the rest."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from cinelake.lake.s3files import LakeS3FileSystem, is_iceberg_metadata
from cinelake.lake.store import Lake

pytestmark = pytest.mark.integration

METADATA = "Refined/fact_movie/metadata/00001-5f2c.metadata.json"
MANIFEST = "Refined/fact_movie/metadata/5f2c-m0.avro"
RAW = "Raw/Local/CSV/Movies/2026/11/26/movies.csv"


@pytest.mark.parametrize(
    ("path", "immutable"),
    [
        (f"bucket/{METADATA}", True),
        (f"bucket/{MANIFEST}", True),
        ("bucket/Refined/fact_movie/metadata/snap-1-0-5f2c.avro", True),
        (f"bucket/{RAW}", False),
        ("bucket/Refined/fact_movie/data.parquet", False),
        ("bucket/Raw/metadata.json", False),  # not in a table's metadata folder
        ("bucket/Refined/fact_movie/metadata/version-hint.text", False),
    ],
)
def test_which_files_are_iceberg_metadata(path: str, immutable: bool) -> None:
    assert is_iceberg_metadata(path) is immutable


def counted_heads(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """HEAD requests the lake's filesystem sends until the test ends, by lake-relative key. (fsspec
    shares the instance with every lake of the same options: the count is undone after the test.)"""
    fs = lake.fs
    assert isinstance(fs, LakeS3FileSystem)
    heads: Counter[str] = Counter()
    original = fs._call_s3

    async def call(method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "head_object":
            heads[lake.relative(f"{kwargs['Bucket']}/{kwargs['Key']}")] += 1
        return await original(method, *args, **kwargs)

    monkeypatch.setattr(fs, "_call_s3", call)
    return heads


def test_a_metadata_file_is_asked_once_any_other_file_every_time(
    s3_lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    for rel in (METADATA, MANIFEST, RAW):
        s3_lake.write_bytes(rel, b"one")
    heads = counted_heads(s3_lake, monkeypatch)
    for _ in range(3):
        for rel in (METADATA, MANIFEST, RAW):
            assert s3_lake.size(rel) == 3
            with s3_lake.open_read(rel) as handle:
                assert handle.read() == b"one"
    assert heads == {METADATA: 1, MANIFEST: 1, RAW: 6}

    s3_lake.write_bytes(RAW, b"replaced")  # a Raw file may be replaced: its size is asked again
    assert s3_lake.size(RAW) == len(b"replaced")


def test_a_deleted_metadata_file_is_gone_and_a_missing_one_is_not_remembered(s3_lake: Lake) -> None:
    s3_lake.write_bytes(METADATA, b"one")
    assert s3_lake.exists(METADATA)
    s3_lake.delete(METADATA)
    assert not s3_lake.exists(METADATA)
    s3_lake.write_bytes(METADATA, b"three")  # not something Iceberg does; still read as it is now
    assert s3_lake.size(METADATA) == 5
