"""A run's discover listing, saved in the run's bookkeeping as it goes, so a long listing resumes.

    steps = await asyncio.to_thread(RunSteps.load, book)            # what earlier attempts did
    listing = await list_ids(client, kind, genres, steps=steps, should_stop=should_stop)

Each done step of the listing (see :mod:`cinelake.ingest.discover`) is one small object under
``Raw/TMDB/_runs/<run>/listing/``, written atomically through the lake's store (a whole object, never
an append, as S3 needs) before the listing goes on from it. An attempt stopped by its deadline leaves
the steps it did; the next attempt of the same run reads them all at once and fetches only the rest.
Once the listing is complete, the run freezes its ids in the plan and never reads these steps again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from cinelake.ingest.discover import Step
from cinelake.ingest.tmdb_runs import TmdbRunBook
from cinelake.lake.manifest import ListingPart


@dataclass
class RunSteps:
    """The listing steps of one run, read from its bookkeeping once and written there as they are done."""

    book: TmdbRunBook
    steps: dict[str, Step] = field(default_factory=dict)

    @classmethod
    def load(cls, book: TmdbRunBook) -> RunSteps:
        """The steps the run's earlier attempts saved (none for a new run)."""
        parts = book.load_listing_parts()
        steps = {
            name: Step(name=name, total_pages=part.total_pages, ids=tuple(part.ids), last=part.last)
            for name, part in parts.items()
        }
        return cls(book, steps)

    @classmethod
    def fresh(cls, book: TmdbRunBook) -> RunSteps:
        """No steps: the run's saved listing is deleted (a refresh lists again from the start)."""
        book.delete_listing()
        return cls(book)

    def get(self, name: str) -> Step | None:
        return self.steps.get(name)

    async def put(self, step: Step) -> None:
        part = ListingPart(name=step.name, total_pages=step.total_pages, ids=list(step.ids), last=step.last)
        await asyncio.to_thread(self.book.save_listing_part, part)
        self.steps[step.name] = step
