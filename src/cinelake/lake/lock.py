"""A lease on a piece of work, kept in the lake (``Raw/<Origin>/_locks/<name>.lock``), so a run is not
done twice at once.

The lock object says who holds it (a random owner id; host and pid for messages only) and until when.

- **On S3 (and in memory)** every change is a compare-and-swap on the object's version: it is created
  with ``If-None-Match: *``; an expired lease is taken over with ``If-Match`` on the ETag read with it;
  the holder renews with ``If-Match`` on the ETag of its own last write and releases with a conditional
  delete. Of rival writers exactly one gets through; the others see a live lease and give up. Liveness is
  the lease alone (renewed every ``ttl / 4``): a holder that stops renewing is taken over once it expires.
- **On a local lake** the holder keeps an OS lock (``fcntl.flock``) on the lock file for as long as it
  holds it. The kernel frees it when the process ends, however it ends (SIGKILL included), so a crashed
  holder is taken over at once and a live one never, whatever its PID looks like from elsewhere (PID
  namespaces). The lease in the file is information for messages. (``flock`` is per host: a lake folder
  shared over NFS between machines is not locked across them.)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import NoReturn

import orjson

from cinelake.errors import CinelakeError, LakeError
from cinelake.lake import layout
from cinelake.lake.store import Lake

DEFAULT_TTL = 120.0
# Rival takeovers retried before giving up: each one lost means another attempt won a fresh lease.
_ATTEMPTS = 3

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
        self._version: str | None = None  # the version of our last write (S3, memory)
        self._fd: int | None = None  # the open, flock-ed lock file (local)

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

    def acquire(self) -> None:
        if self.lake.is_local:
            self._acquire_local()
        else:
            self._acquire_versioned()
        self.held = True

    def _acquire_versioned(self) -> None:
        info: LockInfo | None = None
        for _ in range(_ATTEMPTS):
            version = self.lake.put_versioned(self.path, self._info().encode(), None)
            if version is None:
                found = self.lake.read_versioned(self.path)
                if found is None:
                    continue  # released meanwhile: create it again
                data, there = found
                info = LockInfo.decode(data)
                if info is not None and info.expires_at >= time.time():
                    break  # a live lease
                # Expired or unreadable (a write cut short): take it over, unless a rival does first.
                version = self.lake.put_versioned(self.path, self._info().encode(), there)
                if version is None:
                    continue
            self._version = version
            return
        self._refuse(info if info is not None else self.current())

    def _acquire_local(self) -> None:
        path = self.lake.fs_path(self.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        for _ in range(_ATTEMPTS):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                self._refuse(self.current())
            # A holder releasing unlinks the file before it unlocks: the file locked must be the one there.
            if _same_file(fd, path):
                self._fd = fd
                self._write_local(self._info().encode())
                return
            os.close(fd)
        self._refuse(self.current())

    def _write_local(self, data: bytes) -> None:
        assert self._fd is not None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def _refuse(self, info: LockInfo | None) -> NoReturn:
        where = f"{info.host} pid {info.pid}" if info else "another process"
        left = f", for up to {max(0.0, info.expires_at - time.time()):.0f} s more" if info else ""
        raise LockHeldError(f"{self.name} is being worked on by {where}{left}; try again later")

    def renew(self) -> bool:
        """Extend the lease; False when it is no longer ours (another attempt took it over)."""
        if self._fd is not None:
            if not _same_file(self._fd, self.lake.fs_path(self.path)):
                self.held = False
                return False
            self._write_local(self._info().encode())
            return True
        if self._version is None:
            self.held = False
            return False
        version = self.lake.put_versioned(self.path, self._info().encode(), self._version)
        if version is None:
            self.held = False
            self._version = None
            return False
        self._version = version
        return True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                if _same_file(fd, self.lake.fs_path(self.path)):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.lake.fs_path(self.path))
            finally:
                os.close(fd)  # unlocks
            return
        version, self._version = self._version, None
        if version is not None:
            with contextlib.suppress(LakeError):
                self.lake.delete_versioned(self.path, version)

    def __enter__(self) -> LakeLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _same_file(fd: int, path: str) -> bool:
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


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
