"""The lake lock: one holder at a time; leases on versioned objects (S3, memory) taken over once expired,
an OS lock locally; processes racing for an expired lock."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from typing import Any

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


@pytest.fixture(params=["memory", pytest.param("s3", marks=pytest.mark.integration)])
def remote_lake(request: pytest.FixtureRequest) -> Lake:
    """The stores whose locks are leases on versioned objects."""
    lake: Lake = request.getfixturevalue(f"{request.param}_lake")
    return lake


def test_an_expired_lease_is_taken_over_and_the_old_holder_knows(remote_lake: Lake) -> None:
    old = LakeLock(remote_lake, "run-b", ttl=0.2)
    old.acquire()
    time.sleep(0.3)
    new = LakeLock(remote_lake, "run-b")
    new.acquire()
    assert not old.renew()
    old.release()  # not ours any more: leaves the new holder's lock alone
    assert new.current() is not None and new.current().owner == new.owner  # type: ignore[union-attr]
    assert new.renew() and new.renew()  # each renewal swaps on the version of the last one


def test_a_live_lease_is_respected_whoever_wrote_it(remote_lake: Lake) -> None:
    lock = LakeLock(remote_lake, "run-d")
    now = time.time()
    remote_lake.write_bytes(lock.path, LockInfo("x", "other-host", 1, now, now + 3600).encode())
    with pytest.raises(LockHeldError, match="other-host pid 1"):
        lock.acquire()
    remote_lake.write_bytes(lock.path, b"garbage")
    lock.acquire()  # an unreadable lock is no lock
    assert lock.held


def _hold_in_child(lake: Lake, name: str) -> tuple[subprocess.Popen[bytes], int]:
    """A child process that takes ``name``'s lock and keeps it until killed."""
    code = (
        "import sys, time\n"
        "from cinelake.lake.lock import LakeLock\n"
        "from cinelake.lake.store import Lake\n"
        f"LakeLock(Lake({lake.url!r}), {name!r}, ttl=0.1).acquire()\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"held\n"
    return child, child.pid


def test_a_local_lock_is_held_while_its_process_lives_and_free_when_it_is_killed(local_lake: Lake) -> None:
    """Locally the OS lock is the liveness: an expired lease of a live holder is still held, and a
    SIGKILLed holder's lock is free at once, however its pid looks from here."""
    child, pid = _hold_in_child(local_lake, "run-c")
    try:
        time.sleep(0.2)  # its 0.1 s lease has expired, unrenewed
        with pytest.raises(LockHeldError, match=f"pid {pid}"):
            LakeLock(local_lake, "run-c").acquire()
    finally:
        child.kill()
        child.wait()
    lock = LakeLock(local_lake, "run-c")
    lock.acquire()
    assert lock.held and lock.current() is not None and lock.current().owner == lock.owner  # type: ignore[union-attr]
    # A lock file nobody holds an OS lock on (a stale copy, another host's pid) is no lock.
    lock.release()
    now = time.time()
    local_lake.write_bytes(lock.path, LockInfo("x", "other-host", os.getpid(), now, now + 3600).encode())
    with LakeLock(local_lake, "run-c") as again:
        assert again.held


RACE_ROUNDS = 100
RACERS = 3


def _racer(url: str, endpoint: str | None, gates: Any, results: Any) -> None:
    """One forked process, for every round: wait for the start, try the lock, report, wait until every
    racer has tried (the winner keeps its lock, its OS lock locally, until then), release."""
    lake = Lake(url, s3_endpoint_url=endpoint)  # its own filesystem object: fsspec's are not fork-safe
    start, tried, done = gates
    for _ in range(RACE_ROUNDS):
        lock = LakeLock(lake, "race")
        start.wait()
        try:
            lock.acquire()
            results.put("held")
        except LockHeldError:
            results.put("refused")
        except BaseException as exc:  # a crash: what the old check-delete-put takeover did
            results.put(f"crash: {type(exc).__name__}: {exc}")
        tried.wait()
        lock.release()
        done.wait()


@pytest.mark.parametrize(
    "store", ["local", pytest.param("s3", marks=[pytest.mark.integration, pytest.mark.slow])]
)
def test_racing_processes_take_an_expired_lock_once(store: str, request: pytest.FixtureRequest) -> None:
    """3 forked processes race for an expired lock, 100 times: exactly one holder each time, no crash."""
    lake: Lake = request.getfixturevalue(f"{store}_lake")
    endpoint = os.environ.get("CINELAKE_S3_ENDPOINT_URL") if store == "s3" else None
    context = multiprocessing.get_context("fork")
    gates = tuple(context.Barrier(RACERS + 1, timeout=30) for _ in range(3))
    start, tried, done = gates
    results = context.SimpleQueue()
    racers = [
        context.Process(target=_racer, args=(lake.url, endpoint, gates, results), daemon=True)
        for _ in range(RACERS)
    ]
    for racer in racers:
        racer.start()
    holders: list[int] = []
    crashes: list[str] = []
    path = LakeLock(lake, "race").path
    started = time.monotonic()
    try:
        for _ in range(RACE_ROUNDS):
            # The lock as a holder that died or hung left it: expired, and (locally) no OS lock on it.
            past = time.time() - 1
            lake.write_bytes(path, LockInfo("gone", "elsewhere", 1, past - 60, past).encode())
            start.wait()
            tried.wait()
            outcomes = [results.get() for _ in range(RACERS)]
            holders.append(outcomes.count("held"))
            crashes.extend(o for o in outcomes if o.startswith("crash"))
            done.wait()
    finally:
        for racer in racers:
            racer.join(10)
            if racer.is_alive():
                racer.kill()
    seconds = time.monotonic() - started
    assert crashes == []
    assert holders == [1] * RACE_ROUNDS, f"rounds with {sorted(set(holders))} holders"
    assert all(racer.exitcode == 0 for racer in racers)
    print(f"{store}: {RACE_ROUNDS} races of {RACERS} processes, one holder each, in {seconds:.1f} s")


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


@pytest.mark.integration
def test_the_moto_stand_in_refuses_all_but_one_put_on_one_etag_as_s3_does(
    s3_lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight PUTs at once, each ``If-Match`` on the same ETag: S3 lets exactly one through. moto
    checked the precondition and then wrote with nothing between the two, so with its write slowed
    (here by 50 ms) every one of them passed; ``tests/support/moto.py`` makes each write atomic with
    its check, as the S3 lock's compare-and-swap needs (two holders of one lock were seen under load)."""
    import threading

    from moto.s3.models import S3Backend

    path = "Raw/TMDB/_locks/cas.lock"
    s3_lake.write_bytes(path, b"first")
    found = s3_lake.read_versioned(path)
    assert found is not None
    etag = found[1]
    slow_put = S3Backend.put_object

    def slowed(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        return slow_put(self, *args, **kwargs)

    monkeypatch.setattr(S3Backend, "put_object", slowed)
    go = threading.Barrier(8)
    won: list[str | None] = []

    def put(n: int) -> None:
        writer = Lake(s3_lake.url, s3_endpoint_url=os.environ["CINELAKE_S3_ENDPOINT_URL"])
        go.wait()
        won.append(writer.put_versioned(path, f"writer {n}".encode(), etag))

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(won) == 8
    assert sum(version is not None for version in won) == 1, won
