"""A lease on a piece of work, kept in the lake (``Raw/TMDB/_locks/<name>.lock``), so a run is not
done twice at once.

The lock object says who holds it (a random owner id, host and pid) and until when. It is created with
:meth:`Lake.put_if_absent` (exclusive locally and on S3) and renewed by its holder while the work goes
on. Another attempt takes it over when the lease has expired, or at once when the holder was a process
on the same host that no longer exists (a crash, a SIGKILL). Taking over an expired lease is best effort:
two attempts doing so at the very same moment could both proceed; the work it guards must stay correct
then (an ingestion run is: it writes the same names with the same content).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import orjson

from cinelake.errors import CinelakeError, LakeError
from cinelake.lake import layout
from cinelake.lake.store import Lake

DEFAULT_TTL = 120.0

log = logging.getLogger(__name__)


class LockHeldError(CinelakeError):
    """Another live attempt holds the lock; try again later."""


@dataclass(frozen=True)
class LockInfo:
    owner: str
    host: str
    pid: int
    acquired_at: float
    expires_at: float

    def encode(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def decode(cls, data: bytes) -> LockInfo | None:
        try:
            raw = orjson.loads(data)
            return cls(
                owner=str(raw["owner"]),
                host=str(raw["host"]),
                pid=int(raw["pid"]),
                acquired_at=float(raw["acquired_at"]),
                expires_at=float(raw["expires_at"]),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LakeLock:
    """``with LakeLock(lake, name): ...``; call :meth:`renew` at least every ``ttl`` seconds."""

    def __init__(self, lake: Lake, name: str, *, ttl: float = DEFAULT_TTL, path: str | None = None) -> None:
        self.lake = lake
        self.name = name
        self.path = path or layout.lock_file(name)
        self.ttl = ttl
        self.owner = uuid.uuid4().hex
        self.host = socket.gethostname()
        self.held = False

    def _info(self) -> LockInfo:
        now = time.time()
        return LockInfo(self.owner, self.host, os.getpid(), now, now + self.ttl)

    def current(self) -> LockInfo | None:
        """The lock as stored (None when absent or unreadable)."""
        try:
            data = self.lake.read_bytes(self.path)
        except LakeError:
            return None
        return LockInfo.decode(data)

    def _stale(self, info: LockInfo | None) -> bool:
        if info is None:
            return True  # unreadable: a write cut short, or not ours to understand
        if info.expires_at < time.time():
            return True
        return info.host == self.host and info.pid != os.getpid() and not _process_alive(info.pid)

    def acquire(self) -> None:
        if self.lake.put_if_absent(self.path, self._info().encode()):
            self.held = True
            return
        info = self.current()
        if self._stale(info) and self.current() == info:
            self.lake.delete(self.path)
            if self.lake.put_if_absent(self.path, self._info().encode()):
                self.held = True
                return
            info = self.current()
        where = f"{info.host} pid {info.pid}" if info else "another process"
        left = f", for up to {max(0.0, info.expires_at - time.time()):.0f} s more" if info else ""
        raise LockHeldError(f"{self.name} is being worked on by {where}{left}; try again later")

    def renew(self) -> bool:
        """Extend the lease; False when it is no longer ours (another attempt took it over)."""
        info = self.current()
        if info is None or info.owner != self.owner:
            self.held = False
            return False
        self.lake.write_bytes(self.path, self._info().encode())
        return True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        info = self.current()
        if info is not None and info.owner == self.owner:
            with contextlib.suppress(LakeError):
                self.lake.delete(self.path)

    def __enter__(self) -> LakeLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def held(
    lake: Lake, name: str, *, path: str | None = None, ttl: float = DEFAULT_TTL, wait: float = 0.0
) -> Iterator[LakeLock]:
    """Hold ``name``'s lock for the block, renewed by a background thread every ``ttl / 4`` seconds.

    For blocking work that cannot renew the lease itself (a Spark job, a crawl). When a live holder
    has it, wait up to ``wait`` seconds for it, then raise :class:`LockHeldError`.
    """
    lock = LakeLock(lake, name, ttl=ttl, path=path)
    deadline = time.monotonic() + wait
    while True:
        try:
            lock.acquire()
            break
        except LockHeldError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            time.sleep(min(0.25, left))
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(lock.ttl / 4):
            try:
                if not lock.renew():
                    log.warning("%s: another process took the lock over", name)
                    return
            except LakeError as exc:  # a hiccup of the store: try again at the next beat
                log.warning("%s: could not renew the lock: %s", name, exc)

    beat = threading.Thread(target=keep, name=f"lock-{name}", daemon=True)
    beat.start()
    try:
        yield lock
    finally:
        stop.set()
        beat.join()
        lock.release()
