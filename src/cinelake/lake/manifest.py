"""Run manifests: what a run asked for, what it wrote, what it missed, and where to resume.

Everything lives under ``Raw/<Origin>/_runs/<run>/`` (hidden from readers and the crawler):

- ``plan.json``: the run's parameters (never a secret) and its sorted ids, frozen on the first
  attempt so that chunk ``k`` always covers the same ids, plus a *generation* that ``--refresh``
  renews (a checkpoint of an older generation no longer counts).
- ``chunks/<k>.json``: one small checkpoint per completed chunk, written after the chunk's files:
  the files with their record counts and sha256, the misses with their reason, the failures.
- ``misses.jsonl``: every miss of the run with its reason, one JSON object a line in chunk order,
  rewritten when an attempt stops (a run of 100,000 ids may miss most of them: they are streamed
  through a local spool, :class:`MissSpool`, never held in memory).
- ``listing/<step>.json``: for a run whose ids come from a listing (a source's search), each step of
  the listing that is done (a window's first page, a block of its pages) with the ids it found,
  written as the listing goes, so a listing cut short resumes where it stopped; once it is complete
  the ids are frozen in ``plan.json`` and these steps are no longer read.
- ``manifest.json``: the summary, rewritten when a run starts and when it stops: status, times,
  counts requested / written / not_found / failed, every file and failure, the first 100 misses and
  where the others are.

Each write is a single atomic object, and every step is recorded only after the step it records, so a
crash between any two steps loses nothing: the next attempt redoes the chunks without a checkpoint
(their file names are deterministic, so redoing overwrites instead of duplicating).

This is the machinery any source's runs share; a source adds its own fields to the plan and the
summary by subclassing :class:`RunPlan` and :class:`RunManifest`, and names its origin and models in a
:class:`RunBook` subclass (the ingestion's, in :mod:`cinelake.ingest`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

import orjson
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from cinelake.errors import LakeError, clip_text
from cinelake.lake import layout
from cinelake.lake.batch import WrittenFile
from cinelake.lake.layout import Origin
from cinelake.lake.store import Lake

RunStatus = Literal["running", "complete", "incomplete"]
MISSES_IN_MANIFEST = 100  # the manifest shows the first ones; misses.jsonl has them all


def utc_now() -> datetime:
    return datetime.now(UTC)


class FileEntry(BaseModel):
    path: str
    records: int
    bytes: int
    sha256: str
    chunk: int
    part: int = 1

    @classmethod
    def of(cls, written: WrittenFile) -> FileEntry:
        return cls(
            path=written.path,
            records=written.records,
            bytes=written.bytes,
            sha256=written.sha256,
            chunk=written.chunk,
            part=written.part,
        )


# A reason or an error quotes the source's own words: cut, so a huge upstream message never makes a huge
# checkpoint or manifest.
Reason = Annotated[str, AfterValidator(clip_text)]


class Miss(BaseModel):
    """An id the source does not have (a 404, or no result for an IMDB id)."""

    id: str
    reason: Reason


class Failure(BaseModel):
    """An id that could not be fetched after the retries; the next attempt tries it again."""

    id: str
    error: Reason


class RunPlan(BaseModel):
    run: str
    generation: str
    created_at: datetime
    parameters: dict[str, Any]
    chunk_size: int
    ids: list[str]

    @property
    def chunks(self) -> int:
        return -(-len(self.ids) // self.chunk_size)

    def chunk_ids(self, chunk: int) -> list[str]:
        start = (chunk - 1) * self.chunk_size
        return self.ids[start : start + self.chunk_size]


class ChunkCheckpoint(BaseModel):
    chunk: int
    generation: str
    requested: int
    files: list[FileEntry] = Field(default_factory=list)
    misses: list[Miss] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    completed_at: datetime
    # The source's id of each record written -> the record's own id (how later runs know the lake's titles).
    titles: dict[str, int] = Field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def done(self) -> bool:
        """A chunk with failures is recorded (its counts show) but done only once they are fetched."""
        return not self.failures

    def without_misses(self) -> ChunkCheckpoint:
        """This checkpoint as a run keeps it in memory: its misses live in the run's :class:`MissSpool`."""
        return self.model_copy(update={"misses": [], "titles": {}})


class ListingPart(BaseModel):
    """One done step of a run's listing: its name, what it learnt (a page count) and the ids it found."""

    name: str
    total_pages: int | None = None
    ids: list[int] = Field(default_factory=list)
    last: bool = False  # a step that ends a walk through pages (see cinelake.ingest.discover)


class Counts(BaseModel):
    requested: int = 0
    written: int = 0
    not_found: int = 0
    failed: int = 0


class RunManifest(BaseModel):
    run: str
    status: RunStatus
    generation: str
    parameters: dict[str, Any]
    started_at: datetime  # when the run's first attempt (of this generation) started
    ended_at: datetime | None = None  # when the latest attempt stopped
    attempts: int = 1
    attempt_started_at: datetime | None = None
    counts: Counts
    chunks_total: int
    chunks_done: int
    files: list[FileEntry] = Field(default_factory=list)
    # The first misses in chunk order; ``misses_file`` (lake-relative) lists every one, written when
    # an attempt stops (None while the first attempt runs).
    first_misses: list[Miss] = Field(default_factory=list)
    misses_file: str | None = None
    failures: list[Failure] = Field(default_factory=list)
    stats: dict[str, Any] = Field(default_factory=dict)
    # Every chunk was attempted and what is left undone are ids that failed: the run wrote all it will
    # unless it is resumed (its day goes on without them), unlike a run stopped half way.
    only_failures_left: bool = False


class MissSpool:
    """The misses of a run's chunks, kept in an unnamed local temp file instead of memory.

    A run of 100,000 ids may miss most of them; as objects they would cost about 0.6 KB each for the
    whole run. Here each chunk's misses are one span of JSON Lines in the spool, and memory holds three
    integers per chunk. ``put`` for a chunk already there replaces it (a redone chunk). Thread-safe.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - the spool owns it; close() closes it
        self._spans: dict[int, tuple[int, int, int]] = {}  # chunk -> (offset, length, misses)
        self._lock = threading.Lock()

    def __enter__(self) -> MissSpool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def put(self, chunk: int, misses: Sequence[Miss]) -> None:
        data = b"".join(orjson.dumps({"id": m.id, "reason": m.reason}) + b"\n" for m in misses)
        with self._lock:
            offset = self._file.seek(0, os.SEEK_END)
            self._file.write(data)
            self._spans[chunk] = (offset, len(data), len(misses))

    def drop(self, chunk: int) -> None:
        with self._lock:
            self._spans.pop(chunk, None)

    @property
    def count(self) -> int:
        with self._lock:
            return sum(n for _, _, n in self._spans.values())

    def count_of(self, chunk: int) -> int:
        with self._lock:
            return self._spans[chunk][2] if chunk in self._spans else 0

    def chunks(self) -> Iterator[bytes]:
        """Each chunk's JSON Lines, in chunk order."""
        with self._lock:
            spans = [self._spans[k] for k in sorted(self._spans)]
        for offset, length, _ in spans:
            with self._lock:
                self._file.seek(offset)
                yield self._file.read(length)

    def first(self, n: int = MISSES_IN_MANIFEST) -> list[Miss]:
        found: list[Miss] = []
        for data in self.chunks():
            for line in data.splitlines():
                if len(found) >= n:
                    return found
                found.append(Miss.model_validate_json(line))
        return found

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every miss, in chunk order, to the local file ``path``."""
        with open(path, "wb") as out:
            for data in self.chunks():
                out.write(data)


def new_generation() -> str:
    return utc_now().strftime("%Y%m%dT%H%M%S%fZ")


PlanT = TypeVar("PlanT", bound=RunPlan)
ManifestT = TypeVar("ManifestT", bound=RunManifest)


class RunBook(Generic[PlanT, ManifestT]):
    """Reads and writes the bookkeeping of one run of a source.

    A subclass names the source's ``origin`` (its folder in Raw) and the models of its plan and
    summary (:class:`RunPlan` and :class:`RunManifest`, or subclasses with the source's own fields).
    """

    origin: ClassVar[Origin]
    plan_model: type[PlanT]
    manifest_model: type[ManifestT]

    def __init__(self, lake: Lake, run: str) -> None:
        self.lake = lake
        self.run = layout.run_id(run)

    @property
    def manifest_path(self) -> str:
        return layout.run_manifest(self.run, self.origin)

    @property
    def misses_path(self) -> str:
        return layout.run_misses(self.run, self.origin)

    @property
    def plan_path(self) -> str:
        return layout.run_plan(self.run, self.origin)

    def checkpoint_path(self, chunk: int) -> str:
        return layout.run_checkpoint(self.run, chunk, self.origin)

    # --- the plan -----------------------------------------------------------------------------

    def load_plan(self) -> PlanT | None:
        found: PlanT | None = self._load(self.plan_path, self.plan_model)
        return found

    def save_plan(self, plan: PlanT) -> None:
        self.lake.write_bytes(self.plan_path, plan.model_dump_json().encode())

    # --- checkpoints --------------------------------------------------------------------------

    def save_checkpoint(self, checkpoint: ChunkCheckpoint) -> None:
        self.lake.write_bytes(self.checkpoint_path(checkpoint.chunk), checkpoint.model_dump_json().encode())

    def load_checkpoints(self, generation: str | None = None) -> dict[int, ChunkCheckpoint]:
        """The checkpoints of ``generation`` (all when None); unreadable ones are ignored."""
        return {c.chunk: c for c in self.iter_checkpoints() if generation in (None, c.generation)}

    def iter_checkpoints(self) -> Iterator[ChunkCheckpoint]:
        """Every readable checkpoint of the run, one at a time, in chunk order."""
        folder = layout.run_checkpoints_dir(self.run, self.origin)
        for rel in sorted(self.lake.list_files(folder, include_hidden=True)):
            name = rel.rsplit("/", 1)[1]
            if name.startswith(".") or not name.endswith(".json"):
                continue
            checkpoint = self._load(rel, ChunkCheckpoint)
            if checkpoint is not None:
                yield checkpoint

    def files_intact(self, checkpoint: ChunkCheckpoint) -> bool:
        """Every file the checkpoint lists is there with its recorded size and sha256."""
        for entry in checkpoint.files:
            try:
                data = self.lake.read_bytes(entry.path)
            except LakeError:
                return False
            if len(data) != entry.bytes or hashlib.sha256(data).hexdigest() != entry.sha256:
                return False
        return True

    def sweep_temp_files(self) -> list[str]:
        """Delete the temp files of writes a crash cut short in this run's bookkeeping; returns them.

        Only for a caller that holds the run (no other attempt is writing its bookkeeping then).
        """
        return self.lake.delete_temp_files(layout.run_dir(self.run, self.origin))

    @classmethod
    def run_ids(cls, lake: Lake) -> list[str]:
        """The ids of every run of the origin with bookkeeping in the lake (sorted)."""
        return lake.list_dirs(layout.runs_dir(cls.origin))

    def delete_checkpoints(self, chunks: Iterable[int]) -> None:
        for chunk in chunks:
            self.lake.delete(self.checkpoint_path(chunk))

    # --- the listing (before the plan) -------------------------------------------------------

    def listing_part_path(self, name: str) -> str:
        return layout.run_listing_part(self.run, name, self.origin)

    def save_listing_part(self, part: ListingPart) -> None:
        self.lake.write_bytes(self.listing_part_path(part.name), part.model_dump_json().encode())

    def load_listing_parts(self) -> dict[str, ListingPart]:
        """Every readable step of the run's listing by name (one listing of the folder, reads in parallel)."""
        folder = layout.run_listing_dir(self.run, self.origin)
        names = [
            rel
            for rel in self.lake.list_files(folder, include_hidden=True)
            if rel.endswith(".json") and not rel.rsplit("/", 1)[1].startswith(".")
        ]
        if not names:
            return {}
        with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
            parts = list(pool.map(lambda rel: self._load(rel, ListingPart), names))
        return {p.name: p for p in parts if p is not None}

    def delete_listing(self) -> None:
        """Forget the run's listing (a refresh lists again from the start)."""
        for rel in self.lake.list_files(layout.run_listing_dir(self.run, self.origin), include_hidden=True):
            self.lake.delete(rel)

    # --- misses -----------------------------------------------------------------------------------

    def save_misses(self, spool: MissSpool) -> str:
        """Write the spool's misses to the run's ``misses.jsonl``; returns its lake path."""
        handle, local = tempfile.mkstemp(prefix="cinelake-misses-", suffix=".jsonl")
        os.close(handle)
        try:
            spool.save(local)
            self.lake.copy_in(local, self.misses_path)
        finally:
            os.unlink(local)
        return self.misses_path

    def iter_misses(self) -> Iterator[Miss]:
        """Every miss of the run as of its latest attempt's end (none before the first one ends)."""
        if not self.lake.exists(self.misses_path):
            return
        with self.lake.open_read(self.misses_path) as handle:
            for line in handle:
                if line.strip():
                    yield Miss.model_validate_json(line)

    # --- the summary --------------------------------------------------------------------------

    def load_manifest(self) -> ManifestT | None:
        found: ManifestT | None = self._load(self.manifest_path, self.manifest_model)
        return found

    def save_manifest(self, manifest: ManifestT) -> None:
        self.lake.write_bytes(self.manifest_path, manifest.model_dump_json(indent=2).encode())

    def _load(self, rel: str, model: type[Any]) -> Any:
        try:
            data = self.lake.read_bytes(rel)
        except LakeError:
            return None
        try:
            return model.model_validate_json(data)
        except ValidationError:
            # A bookkeeping object from an incompatible version or a damaged store: redo, never crash.
            return None


def summarize(
    plan: RunPlan,
    checkpoints: dict[int, ChunkCheckpoint],
    misses: MissSpool,
    *,
    model: type[ManifestT],
    status: RunStatus,
    misses_file: str | None = None,
    started_at: datetime,
    ended_at: datetime | None = None,
    stats: dict[str, Any] | None = None,
    attempts: int = 1,
    attempt_started_at: datetime | None = None,
    **source_fields: Any,
) -> ManifestT:
    """The summary manifest (a ``model``) of a plan and its checkpoints (in chunk order);
    ``source_fields`` are the fields the source's own manifest model adds.

    ``misses`` holds the misses of exactly the chunks in ``checkpoints`` (whose own ``misses`` may have
    been dropped to save memory).
    """
    ordered = [checkpoints[k] for k in sorted(checkpoints)]
    files = [f for c in ordered for f in c.files]
    failures = [f for c in ordered for f in c.failures]
    counts = Counts(
        requested=len(plan.ids),
        written=sum(f.records for f in files),
        not_found=misses.count,
        failed=len(failures),
    )
    return model(
        run=plan.run,
        status=status,
        generation=plan.generation,
        parameters=plan.parameters,
        started_at=started_at,
        ended_at=ended_at,
        attempts=attempts,
        attempt_started_at=attempt_started_at or started_at,
        counts=counts,
        chunks_total=plan.chunks,
        chunks_done=sum(1 for c in ordered if c.done),
        files=files,
        first_misses=misses.first(),
        misses_file=misses_file,
        failures=failures,
        stats=stats or {},
        only_failures_left=status == "incomplete"
        and len(ordered) == plan.chunks
        and all(c.done or c.failures for c in ordered),
        **source_fields,
    )
