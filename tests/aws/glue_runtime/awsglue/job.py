"""``Job`` (test double): ``init(job_name, args)`` then ``commit()``; every job is kept in RUNS."""

from __future__ import annotations

from typing import Any

RUNS: list[Job] = []


class Job:
    def __init__(self, glue_context: Any) -> None:
        self.glue_context = glue_context
        self.name: str | None = None
        self.args: dict[str, Any] | None = None
        self.committed = False
        RUNS.append(self)

    def init(self, job_name: str, args: dict[str, Any]) -> None:
        if self.name is not None:
            raise RuntimeError("Job.init called twice")
        self.name, self.args = job_name, dict(args)

    def commit(self) -> None:
        if self.name is None:
            raise RuntimeError("Job.commit before Job.init")
        if self.committed:
            raise RuntimeError("Job.commit called twice")
        self.committed = True
