"""The lease lock: one holder at a time, takeover of expired leases and of crashed local holders."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cinelake.lake.lock import LakeLock, LockHeldError, LockInfo
from cinelake.lake.store import Lake


def test_one_holder_at_a_time(any_lake: Lake) -> None:
    first = LakeLock(any_lake, "run-a")
    first.acquire()
    second = LakeLock(any_lake, "run-a")
    with pytest.raises(LockHeldError, match="run-a is being worked on by"):
        second.acquire()
    assert first.renew()
    first.release()
    with second:
        assert second.current() is not None and second.current().owner == second.owner  # type: ignore[union-attr]
    assert not any_lake.exists(second.path)
    assert any_lake.list_files("") == []  # _locks is hidden


def test_an_expired_lease_is_taken_over_and_the_old_holder_knows(any_lake: Lake) -> None:
    old = LakeLock(any_lake, "run-b", ttl=0.2)
    old.acquire()
    time.sleep(0.3)
    new = LakeLock(any_lake, "run-b")
    new.acquire()
    assert not old.renew()
    old.release()  # not ours any more: leaves the new holder's lock alone
    assert new.current() is not None and new.current().owner == new.owner  # type: ignore[union-attr]


def test_a_crashed_local_holder_is_taken_over_at_once(local_lake: Lake) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(child.stdout)
    lock = LakeLock(local_lake, "run-c")
    now = time.time()
    local_lake.write_bytes(lock.path, LockInfo("x", lock.host, dead_pid, now, now + 3600).encode())
    lock.acquire()
    assert lock.held


def test_a_live_holder_elsewhere_is_respected(local_lake: Lake) -> None:
    lock = LakeLock(local_lake, "run-d")
    now = time.time()
    local_lake.write_bytes(lock.path, LockInfo("x", "other-host", os.getpid(), now, now + 3600).encode())
    with pytest.raises(LockHeldError, match="other-host"):
        lock.acquire()
    local_lake.write_bytes(lock.path, b"garbage")
    lock.acquire()  # an unreadable lock is no lock
    assert lock.held


def test_held_renews_the_lease_while_the_block_runs_and_releases_it(local_lake: Lake) -> None:
    from cinelake.lake.lock import held

    with held(local_lake, "job-e", path="Trusted/_locks/job-e.lock", ttl=0.4) as lock:
        first = lock.current()
        time.sleep(1.0)  # over two leases long: only the renewals keep it
        later = lock.current()
        assert first is not None and later is not None and later.owner == lock.owner
        assert later.expires_at > first.expires_at and later.expires_at > time.time()
        with pytest.raises(LockHeldError, match="job-e is being worked on by"):
            LakeLock(local_lake, "job-e", path="Trusted/_locks/job-e.lock").acquire()
    assert not local_lake.exists("Trusted/_locks/job-e.lock")
    assert local_lake.list_files("Trusted") == []  # _locks is hidden
