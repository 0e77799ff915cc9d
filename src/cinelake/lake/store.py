"""The lake's storage: one fsspec filesystem behind a small, safe API.

A lake is a URL: a local folder (``./lake``, ``/data/lake``, ``file:///data/lake``), an S3 bucket and
prefix (``s3://bucket/prefix``) or an in-memory store for tests (``memory://name``). Callers pass
lake-relative paths built by :mod:`cinelake.lake.layout`; nothing outside this module knows which
store it talks to.

Writes are atomic: a reader sees a whole file or none. Locally that is a hidden temp file in the same
folder and a rename; on S3 a single PUT (or a multipart upload, which is visible only once complete).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import fsspec
from fsspec.asyn import sync
from fsspec.implementations.local import LocalFileSystem

from cinelake.errors import LakeError, LakePathError, needs_aws
from cinelake.lake.layout import has_hidden_part, relative_path

SUPPORTED_SCHEMES = ("file", "s3", "memory")
COPY_CHUNK = 8 * 1024 * 1024
TEMP_MARK = ".tmp-"
"""An atomic write's temp file is ``.<name>.tmp-<random>`` beside its target."""


def is_temp_file(rel: str) -> bool:
    """True for the temp file of an atomic write (``.<name>.tmp-<random>``)."""
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(".") and TEMP_MARK in name

_memory_lock = threading.Lock()


@dataclass(frozen=True)
class LakeUrl:
    """A parsed, validated lake root."""

    scheme: str  # "file", "s3" or "memory"
    root: str  # the root in the filesystem's own terms (absolute path, "bucket/prefix", "/name")

    @property
    def url(self) -> str:
        if self.scheme == "file":
            return self.root
        if self.scheme == "memory":
            return f"memory://{self.root}"
        return f"s3://{self.root}"


def parse_lake_url(url: str) -> LakeUrl:
    """Validate a lake URL; refuse unknown schemes and ``..`` segments with a clear message."""
    text = url.strip()
    if not text:
        raise LakePathError("the lake URL is empty")
    if "\x00" in text:
        raise LakePathError("the lake URL holds a NUL character")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if len(scheme) == 1 and os.name == "nt":  # a Windows drive letter, not a scheme
        scheme = ""
    if scheme not in ("", *SUPPORTED_SCHEMES):
        raise LakePathError(
            f"unsupported lake URL scheme {scheme!r} in {url!r}: use a folder, file://, s3:// or memory://"
        )
    raw_path = text if scheme == "" else (parts.netloc + parts.path)
    if any(seg == ".." for seg in raw_path.replace("\\", "/").split("/")):
        raise LakePathError(f"the lake URL {url!r} holds a '..' segment; give the folder without it")
    if scheme in ("", "file"):
        local = text if scheme == "" else parts.path
        return LakeUrl("file", str(Path(local).expanduser().absolute()))
    if scheme == "s3":
        if not parts.netloc:
            raise LakePathError(f"the lake URL {url!r} names no bucket (expected s3://bucket[/prefix])")
        return LakeUrl("s3", f"{parts.netloc}{parts.path}".rstrip("/"))
    name = (parts.netloc + parts.path).strip("/") or "lake"
    return LakeUrl("memory", f"/{name}")


def _storage_options(scheme: str, endpoint_url: str | None) -> dict[str, Any]:
    if scheme != "s3":
        return {}
    options: dict[str, Any] = {"use_listings_cache": False}
    endpoint = endpoint_url or os.environ.get("CINELAKE_S3_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = endpoint
    return options


class Lake:
    """A lake root and the operations every layer above needs."""

    def __init__(self, url: str, *, s3_endpoint_url: str | None = None) -> None:
        self.location = parse_lake_url(url)
        self.storage_options = _storage_options(self.location.scheme, s3_endpoint_url)
        self.fs: fsspec.AbstractFileSystem
        with needs_aws(f"the lake {self.location.url}"):
            if self.location.scheme == "s3":
                from cinelake.lake.s3files import LakeS3FileSystem

                self.fs = LakeS3FileSystem(**self.storage_options)
            else:
                self.fs = fsspec.filesystem(self.location.scheme, **self.storage_options)

    def __repr__(self) -> str:
        return f"Lake({self.url!r})"

    @property
    def url(self) -> str:
        return self.location.url

    @property
    def is_local(self) -> bool:
        return self.location.scheme == "file"

    # --- paths ------------------------------------------------------------------------------------

    def fs_path(self, rel: str) -> str:
        """The path of ``rel`` in the filesystem's own terms."""
        rel = relative_path(rel)
        return f"{self.location.root}/{rel}" if rel else self.location.root

    def uri(self, rel: str = "") -> str:
        """A full URL of ``rel`` for engines (DuckDB, Spark): a local path, ``s3://...`` or ``memory://...``."""
        path = self.fs_path(rel)
        if self.location.scheme == "file":
            return path
        return f"{self.location.scheme}://{path.lstrip('/') if self.location.scheme == 's3' else path}"

    def relative(self, fs_path: str) -> str:
        """The lake-relative path of a path returned by the filesystem."""
        root = self.location.root.rstrip("/")
        path = fs_path
        if self.location.scheme == "memory" and not path.startswith("/"):
            path = "/" + path
        if path == root:
            return ""
        if not path.startswith(root + "/"):
            raise LakePathError(f"{fs_path!r} is outside the lake {self.url!r}")
        return path[len(root) + 1 :]

    # --- reading ----------------------------------------------------------------------------------

    def exists(self, rel: str) -> bool:
        with self._errors(rel):
            return bool(self.fs.exists(self.fs_path(rel)))

    def is_there(self, within: str) -> bool:
        """Whether the lake itself is there (its folder, its bucket).

        On S3 this lists at most one key under ``within`` instead of asking HeadBucket: S3 authorises
        HeadBucket as a listing of the whole bucket, which a role limited to its own prefixes is
        denied, while a missing bucket answers NoSuchBucket to the listing all the same.
        """
        if self.location.scheme != "s3":
            return self.exists("")
        bucket, _, prefix = self.fs_path(within).partition("/")
        with self._errors(""):
            try:
                self.fs.call_s3("list_objects_v2", Bucket=bucket, Prefix=prefix.rstrip("/") + "/", MaxKeys=1)
            except FileNotFoundError:
                return False
        return True

    def read_bytes(self, rel: str) -> bytes:
        with self._errors(rel):
            data: bytes = self.fs.cat_file(self.fs_path(rel))
            return data

    def open_read(self, rel: str) -> IO[bytes]:
        with self._errors(rel):
            handle: IO[bytes] = self.fs.open(self.fs_path(rel), "rb")
            return handle

    def size(self, rel: str) -> int:
        with self._errors(rel):
            return int(self.fs.size(self.fs_path(rel)))

    def list_files(self, prefix: str = "", *, include_hidden: bool = False) -> list[str]:
        """Every file under ``prefix`` (lake-relative, sorted). Hidden bookkeeping and temp files are
        left out unless asked for."""
        path = self.fs_path(prefix)
        with self._errors(prefix):
            if self.location.scheme == "s3":
                self.fs.invalidate_cache(path)
            if not self.fs.exists(path):
                return []
            found = self.fs.find(path, withdirs=False)
        rels = sorted(self.relative(p) for p in found)
        if include_hidden:
            return rels
        return [r for r in rels if not has_hidden_part(r)]

    def content_tags(self, prefix: str = "") -> dict[str, str]:
        """Every visible file under ``prefix`` with a tag that changes whenever its content does: the
        ETag S3 lists with each object (no object is read), elsewhere the file's sha256."""
        with self._errors(prefix):
            found = self._listing(prefix)
        tags: dict[str, str] = {}
        for rel, info in sorted(found.items()):
            if has_hidden_part(rel):
                continue
            etag = info.get("ETag") or info.get("etag")
            tags[rel] = str(etag).strip('"') if etag else self.sha256(rel)
        return tags

    def file_sizes(self, prefix: str = "") -> dict[str, int]:
        """Every visible file under ``prefix`` (lake-relative) with its size in bytes, from one
        recursive listing (no object is read)."""
        try:
            found = self._listing(prefix)
        except OSError as exc:
            raise LakeError(f"cannot list {self.uri(prefix)}: {exc}") from None
        except Exception as exc:  # remote stores raise their own types
            raise LakeError(f"cannot list {self.uri(prefix)}: {type(exc).__name__}: {exc}") from None
        return {rel: int(found[rel].get("size") or 0) for rel in sorted(found) if not has_hidden_part(rel)}

    def modified_at(self, rel: str) -> datetime | None:
        """When ``rel`` was last written (UTC), None when the store does not say."""
        with self._errors(rel):
            info: dict[str, Any] = self.fs.info(self.fs_path(rel))
        stamp = info.get("LastModified") or info.get("mtime") or info.get("created")
        if stamp is None:
            return None
        if isinstance(stamp, datetime):
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        return datetime.fromtimestamp(float(stamp), UTC)

    def local_path(self, rel: str) -> str:
        """``rel`` as a path on this machine's disk, its folder created, for a library that opens a
        file by path itself (SQLite). Only a local lake has one."""
        if not self.is_local:
            raise LakeError(f"{self.uri(rel)} is not on this machine's disk")
        path = self.fs_path(rel)
        with self._errors(rel):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def engine_filesystem(self) -> fsspec.AbstractFileSystem | None:
        """The fsspec filesystem an engine registers to open this lake's ``s3://`` or ``memory://``
        URLs itself (DuckDB's ``register_filesystem``); None for a local lake, whose paths engines
        open directly."""
        return None if self.is_local else self.fs

    def list_dirs(self, prefix: str = "") -> list[str]:
        """The immediate sub-folders of ``prefix`` (names only, sorted, hidden ones left out)."""
        path = self.fs_path(prefix)
        with self._errors(prefix):
            if self.location.scheme == "s3":
                self.fs.invalidate_cache(path)
            if not self.fs.exists(path):
                return []
            entries = self.fs.ls(path, detail=True)
        names = {
            str(e["name"]).rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") == "directory"
        }
        return sorted(n for n in names if n and not n.startswith(("_", ".")))

    def sha256(self, rel: str) -> str:
        digest = hashlib.sha256()
        with self.open_read(rel) as handle:
            for block in iter(lambda: handle.read(COPY_CHUNK), b""):
                digest.update(block)
        return digest.hexdigest()

    # --- writing ----------------------------------------------------------------------------------

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a whole file atomically, replacing any previous version."""
        path = self.fs_path(rel)
        with self._errors(rel):
            if self.is_local:
                self._local_atomic_write(path, data, exclusive=False)
            else:
                self.fs.pipe_file(path, data)

    def put_if_absent(self, rel: str, data: bytes) -> bool:
        """Write ``rel`` only if nothing is there yet. True if this call created it.

        Locally a hard link from a temp file (atomic and exclusive); on S3 a conditional PUT
        (``If-None-Match: *``); in memory a check under a lock.
        """
        path = self.fs_path(rel)
        with self._errors(rel):
            if self.is_local:
                return self._local_atomic_write(path, data, exclusive=True)
            if self.location.scheme == "s3":
                return self._s3_put_versioned(path, data, None) is not None
            with _memory_lock:
                if self.fs.exists(path):
                    return False
                self.fs.pipe_file(path, data)
                return True

    # Compare-and-swap on a remote lake (what a lease lock needs; a local lake locks with the OS).

    def read_versioned(self, rel: str) -> tuple[bytes, str] | None:
        """``rel``'s content and its version, read together (S3: the ETag of that very object; memory: a
        digest of the content); None when absent. The version is what :meth:`put_versioned` checks."""
        path = self._remote_path(rel)
        with self._errors(rel):
            if self.location.scheme == "s3":
                return self._s3_get_versioned(path)
            with _memory_lock:
                if not self.fs.exists(path):
                    return None
                data = bytes(self.fs.cat_file(path))
            return data, hashlib.sha256(data).hexdigest()

    def put_versioned(self, rel: str, data: bytes, version: str | None) -> str | None:
        """Write ``rel`` only if it is still at ``version`` (None: only if absent); its new version, or
        None when another write came first. On S3 a conditional PUT (``If-Match`` on the ETag,
        ``If-None-Match: *`` to create): S3 lets exactly one of rival writes through."""
        path = self._remote_path(rel)
        with self._errors(rel):
            if self.location.scheme == "s3":
                return self._s3_put_versioned(path, data, version)
            with _memory_lock:
                there = bytes(self.fs.cat_file(path)) if self.fs.exists(path) else None
                now = hashlib.sha256(there).hexdigest() if there is not None else None
                if now != version:
                    return None
                self.fs.pipe_file(path, data)
            return hashlib.sha256(data).hexdigest()

    def delete_versioned(self, rel: str, version: str) -> bool:
        """Delete ``rel`` only if it is still at ``version``; True if this call deleted it."""
        path = self._remote_path(rel)
        with self._errors(rel):
            if self.location.scheme == "s3":
                bucket, _, key = path.partition("/")
                try:
                    self.fs.call_s3("delete_object", Bucket=bucket, Key=key, IfMatch=version)
                except FileNotFoundError:
                    return False
                except Exception as exc:
                    if _is_precondition_failure(exc):
                        return False
                    raise
                self.fs.invalidate_cache(path)
                return True
            with _memory_lock:
                if not self.fs.exists(path) or hashlib.sha256(self.fs.cat_file(path)).hexdigest() != version:
                    return False
                self.fs.rm_file(path)
            return True

    def _remote_path(self, rel: str) -> str:
        if self.is_local:
            raise LakeError(f"{self.uri(rel)}: a local lake has no object versions (lock it with the OS)")
        return self.fs_path(rel)

    def copy_in(self, source: str | os.PathLike[str], rel: str) -> str:
        """Stream a local file into the lake at ``rel``; return its sha256, verified on the copy.

        The copy is atomic; a checksum mismatch removes it and raises :class:`LakeError`.
        """
        digest = hashlib.sha256()
        path = self.fs_path(rel)
        with self._errors(rel):
            with open(source, "rb") as src, self._atomic_stream(path) as dst:
                for block in iter(lambda: src.read(COPY_CHUNK), b""):
                    digest.update(block)
                    dst.write(block)
            expected = digest.hexdigest()
            actual = self.sha256(rel)
            if actual != expected:
                self.fs.rm_file(path)
                raise LakeError(f"checksum mismatch after copying {source} to {self.uri(rel)}")
        return expected

    def move_in(self, source: str | os.PathLike[str], rel: str) -> None:
        """Move a file of this machine's disk into the lake at ``rel``: a rename on a local lake, else
        an upload (a single object, visible once whole) and the local file removed."""
        path = self.fs_path(rel)
        with self._errors(rel):
            if self.is_local:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.replace(source, path)
                return
            self.fs.put_file(os.fspath(source), path)
        os.unlink(source)

    def move(self, rel: str, to: str) -> None:
        """Move the file ``rel`` to ``to`` inside the lake (on S3 a server-side copy, then a delete)."""
        source, target = self.fs_path(rel), self.fs_path(to)
        with self._errors(rel):
            if self.is_local:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(source, target)
            else:
                self.fs.mv(source, target)

    def delete_temp_files(self, prefix: str) -> list[str]:
        """Delete the temp files (``.<name>.tmp-*``) that atomic writes cut short by a crash left under
        ``prefix``; returns them. Only for a caller that holds what writes there (a lock or the run)."""
        removed = [r for r in self.list_files(prefix, include_hidden=True) if is_temp_file(r)]
        for rel in removed:
            self.delete(rel)
        return removed

    def delete(self, rel: str) -> None:
        path = self.fs_path(rel)
        with self._errors(rel):
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)

    # --- internals --------------------------------------------------------------------------------

    def _listing(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Every file under ``prefix`` (hidden ones too) with what the store lists of it, from one
        recursive listing; errors are the caller's to word."""
        path = self.fs_path(prefix)
        if self.location.scheme == "s3":
            self.fs.invalidate_cache(path)
        if not self.fs.exists(path):
            return {}
        found = self.fs.find(path, withdirs=False, detail=True)
        return {self.relative(str(name)): info for name, info in found.items()}

    @contextlib.contextmanager
    def _errors(self, rel: str) -> Iterator[None]:
        try:
            yield
        except (LakeError, LakePathError):
            raise
        except FileNotFoundError:
            raise LakeError(f"not found in the lake: {self.uri(rel)}") from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise LakeError(f"no space left on the device while writing {self.uri(rel)}") from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise LakeError(f"permission denied for {self.uri(rel)}") from None
            raise LakeError(f"storage error on {self.uri(rel)}: {exc.strerror or exc}") from None
        except Exception as exc:
            # Remote stores raise their own types (botocore, aiohttp): one clear line, no traceback.
            name = type(exc).__name__
            raise LakeError(f"storage error on {self.uri(rel)}: {name}: {exc}") from None

    def _local_atomic_write(self, path: str, data: bytes, *, exclusive: bool) -> bool:
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".{name}{TEMP_MARK}{uuid.uuid4().hex}")
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if exclusive:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    return False
                return True
            os.replace(tmp, path)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def _s3_get_versioned(self, path: str) -> tuple[bytes, str] | None:
        bucket, _, key = path.partition("/")

        async def get() -> tuple[bytes, str]:
            response = await self.fs._call_s3("get_object", Bucket=bucket, Key=key)
            body = response["Body"]
            try:
                return bytes(await body.read()), str(response["ETag"])
            finally:
                body.close()

        try:
            return sync(self.fs.loop, get)
        except FileNotFoundError:
            return None

    def _s3_put_versioned(self, path: str, data: bytes, version: str | None) -> str | None:
        bucket, _, key = path.partition("/")
        condition = {"IfNoneMatch": "*"} if version is None else {"IfMatch": version}
        try:
            response = self.fs.call_s3("put_object", Bucket=bucket, Key=key, Body=data, **condition)
        except FileNotFoundError:
            return None  # If-Match on an object deleted meanwhile
        except Exception as exc:
            if _is_precondition_failure(exc):
                return None
            raise
        self.fs.invalidate_cache(path)
        return str(response["ETag"])

    @contextlib.contextmanager
    def _atomic_stream(self, path: str) -> Iterator[IO[bytes]]:
        if not self.is_local:
            # fsspec remote writers upload on close; an interrupted upload never becomes visible.
            with self.fs.open(path, "wb") as remote:
                yield remote
            return
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".{name}{TEMP_MARK}{uuid.uuid4().hex}")
        try:
            with open(tmp, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _is_precondition_failure(exc: BaseException) -> bool:
    """True when S3 refused a conditional PUT because the key exists (or a rival PUT is in progress).

    s3fs maps the 412 to ``FileExistsError`` only when the response names the condition; otherwise
    (moto, some S3-compatible stores) it is an ``OSError(EINVAL)`` whose cause holds the real code.
    """
    if isinstance(exc, FileExistsError):
        return True
    for err in (exc, exc.__cause__):
        response = getattr(err, "response", None)
        if isinstance(response, dict):
            code = str(response.get("Error", {}).get("Code", ""))
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("PreconditionFailed", "ConditionalRequestConflict") or status in (409, 412):
                return True
    text = str(exc)
    return "PreconditionFailed" in text or "ConditionalRequestConflict" in text


def is_local_filesystem(fs: fsspec.AbstractFileSystem) -> bool:
    return isinstance(fs, LocalFileSystem)
