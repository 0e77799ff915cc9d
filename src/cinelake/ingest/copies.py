"""The provenance of the local CSV copies: which version of a file went into which Raw day, and when.

``Raw/Local/_runs/copies/<Kind>/<name>.json`` lists every copy of a file name, oldest first, with its
sha256. :func:`~cinelake.ingest.local_csv.ingest_local` reads it to copy a file only when its content
changed since the last copy, and appends to it after each copy; a file changed twice on one day keeps
both versions' records here, though Raw holds only the later bytes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from cinelake.errors import LakeError
from cinelake.lake import layout
from cinelake.lake.layout import Kind
from cinelake.lake.store import Lake

# new: no earlier copy; changed: content differs from the last copy; unchanged: not copied again;
# forced: the same content copied again on request (--force).
Change = Literal["new", "changed", "unchanged", "forced"]


class CopyRecord(BaseModel):
    """One copy of a local CSV into Raw."""

    day: date
    path: str  # lake-relative
    source: str
    sha256: str
    bytes: int
    rows: int
    copied_at: datetime
    change: Change


class CopyLedger(BaseModel):
    """Every copy of one file name of one kind, oldest first."""

    copies: list[CopyRecord] = Field(default_factory=list)

    def last_before(self, day: date) -> CopyRecord | None:
        """The latest copy made for ``day`` or an earlier day (None: the file was never copied)."""
        earlier = [c for c in self.copies if c.day <= day]
        return max(earlier, key=lambda c: (c.day, c.copied_at)) if earlier else None


def load_ledger(lake: Lake, kind: Kind, name: str) -> CopyLedger:
    """The file's ledger; an empty one if there is none (or it cannot be read: the file is copied)."""
    try:
        data = lake.read_bytes(layout.local_copies(kind, name))
    except LakeError:
        return CopyLedger()
    try:
        return CopyLedger.model_validate_json(data)
    except ValidationError:
        return CopyLedger()


def record_copy(lake: Lake, kind: Kind, name: str, record: CopyRecord) -> None:
    """Append ``record`` to the file's ledger."""
    ledger = load_ledger(lake, kind, name)
    ledger.copies.append(record)
    lake.write_bytes(layout.local_copies(kind, name), ledger.model_dump_json(indent=2).encode())
