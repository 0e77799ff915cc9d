"""The store: the same behaviour on a local folder, memory:// and s3:// (moto server)."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cinelake.errors import LakeError, LakePathError
from cinelake.lake.store import Lake, parse_lake_url


def test_write_read_and_replace(any_lake: Lake) -> None:
    any_lake.write_bytes("Raw/A/one.json", b"first")
    any_lake.write_bytes("Raw/A/one.json", b"second")
    assert any_lake.read_bytes("Raw/A/one.json") == b"second"
    assert any_lake.exists("Raw/A/one.json")
    assert any_lake.size("Raw/A/one.json") == 6
    assert any_lake.sha256("Raw/A/one.json") == hashlib.sha256(b"second").hexdigest()


def test_put_if_absent_creates_once(any_lake: Lake) -> None:
    assert any_lake.put_if_absent("_locks/x.lock", b"owner-1") is True
    assert any_lake.put_if_absent("_locks/x.lock", b"owner-2") is False
    assert any_lake.read_bytes("_locks/x.lock") == b"owner-1"


def test_put_if_absent_races_have_one_winner(any_lake: Lake) -> None:
    wins: list[int] = []
    barrier = threading.Barrier(6)

    def attempt(i: int) -> None:
        barrier.wait()
        if any_lake.put_if_absent("_locks/race.lock", str(i).encode()):
            wins.append(i)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert any_lake.read_bytes("_locks/race.lock") == str(wins[0]).encode()


def test_listing_skips_hidden_folders_and_temp_files(any_lake: Lake) -> None:
    any_lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/26/a.json", b"{}")
    any_lake.write_bytes("Raw/TMDB/_runs/r1/manifest.json", b"{}")
    any_lake.write_bytes("Raw/TMDB/JSON/Movies/2026/11/26/.a.json.tmp-1", b"partial")
    assert any_lake.list_files("Raw") == ["Raw/TMDB/JSON/Movies/2026/11/26/a.json"]
    hidden = any_lake.list_files("Raw", include_hidden=True)
    assert "Raw/TMDB/_runs/r1/manifest.json" in hidden
    assert any_lake.list_dirs("Raw/TMDB") == ["JSON"]
    assert any_lake.list_files("Nothing/here") == []


def test_copy_in_streams_and_verifies(any_lake: Lake, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    data = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(data)
    digest = any_lake.copy_in(source, "Raw/Local/CSV/Movies/2026/11/26/big.csv")
    assert digest == hashlib.sha256(data).hexdigest()
    assert any_lake.read_bytes("Raw/Local/CSV/Movies/2026/11/26/big.csv") == data


def test_file_sizes_lists_visible_files_with_their_sizes(any_lake: Lake) -> None:
    any_lake.write_bytes("Raw/A/one.json", b"12345")
    any_lake.write_bytes("Raw/A/b/two.json", b"12")
    any_lake.write_bytes("Raw/A/_runs/r1/plan.json", b"{}")
    any_lake.write_bytes("Raw/A/.one.json.tmp-1", b"partial")
    assert any_lake.file_sizes("Raw/A") == {"Raw/A/b/two.json": 2, "Raw/A/one.json": 5}
    assert any_lake.file_sizes("Raw/None") == {}


def test_modified_at_is_when_the_file_was_written(any_lake: Lake) -> None:
    before = datetime.now(UTC) - timedelta(minutes=5)
    any_lake.write_bytes("Raw/A/one.json", b"1")
    stamp = any_lake.modified_at("Raw/A/one.json")
    assert stamp is not None and stamp.tzinfo is not None
    assert before <= stamp <= datetime.now(UTC) + timedelta(minutes=5)
    with pytest.raises(LakeError, match="not found in the lake"):
        any_lake.modified_at("Raw/A/none.json")


def test_move_in_takes_a_local_file_into_the_lake(any_lake: Lake, tmp_path: Path) -> None:
    source = tmp_path / "part-0.parquet"
    source.write_bytes(b"PAR1")
    any_lake.move_in(source, "Trusted/T/dt=2026-11-26/part-0.parquet")
    assert any_lake.read_bytes("Trusted/T/dt=2026-11-26/part-0.parquet") == b"PAR1"
    assert not source.exists()


def test_move_renames_inside_the_lake(any_lake: Lake) -> None:
    any_lake.write_bytes("Trusted/T/.write-1/a.parquet", b"PAR1")
    any_lake.move("Trusted/T/.write-1/a.parquet", "Trusted/T/dt=2026-11-26/a.parquet")
    assert any_lake.read_bytes("Trusted/T/dt=2026-11-26/a.parquet") == b"PAR1"
    assert not any_lake.exists("Trusted/T/.write-1/a.parquet")


def test_local_path_is_only_for_a_local_lake(any_lake: Lake) -> None:
    if not any_lake.is_local:
        assert any_lake.engine_filesystem() is not None
        with pytest.raises(LakeError, match="not on this machine's disk"):
            any_lake.local_path("_catalog/iceberg.db")
        return
    assert any_lake.engine_filesystem() is None
    path = Path(any_lake.local_path("_catalog/iceberg.db"))
    assert path.parent.is_dir() and not path.exists()
    assert path == Path(any_lake.uri("_catalog/iceberg.db"))


def test_delete_is_recursive_and_idempotent(any_lake: Lake) -> None:
    any_lake.write_bytes("Raw/X/a.json", b"1")
    any_lake.write_bytes("Raw/X/b/c.json", b"2")
    any_lake.delete("Raw/X")
    any_lake.delete("Raw/X")
    assert any_lake.list_files("Raw", include_hidden=True) == []


@pytest.mark.parametrize("bad", ["../outside", "a/../../b", "a\\b", "x\x00y"])
def test_paths_that_escape_are_refused(any_lake: Lake, bad: str) -> None:
    with pytest.raises(LakePathError):
        any_lake.write_bytes(bad, b"no")


def test_reading_a_missing_file_is_a_lake_error(any_lake: Lake) -> None:
    with pytest.raises(LakeError, match="not found"):
        any_lake.read_bytes("Raw/none.json")


def test_local_write_leaves_no_temp_file_when_the_write_fails(
    local_lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_lake.write_bytes("Raw/a.json", b"old")

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(LakeError, match="no space left"):
        local_lake.write_bytes("Raw/a.json", b"new")
    monkeypatch.undo()
    assert local_lake.read_bytes("Raw/a.json") == b"old"
    assert local_lake.list_files("Raw", include_hidden=True) == ["Raw/a.json"]


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("./lake", "file"), ("file:///tmp/lake", "file"), ("s3://bucket/p", "s3"), ("memory://x", "memory")],
)
def test_lake_urls(url: str, scheme: str) -> None:
    assert parse_lake_url(url).scheme == scheme


@pytest.mark.parametrize("url", ["", "ftp://host/x", "s3://", "/tmp/../etc", "s3://bucket/../x"])
def test_bad_lake_urls(url: str) -> None:
    with pytest.raises(LakePathError):
        parse_lake_url(url)
