"""The daily pipeline's last work steps: is the day already built, and the day's answer and report.

``check`` (``cinelake.aws.report_step.check``) fingerprints Raw (the sorted names of its data
files with their content: a CSV replaced the same day changes it though its name stays) and says whether the
day's stamp ``Refined/_reports/YYYY/MM/DD/_pipeline.json`` already holds that fingerprint: if it does,
the transforms and the report of this day were built from this very Raw, and the state machine skips
them. ``handler`` runs what ``cinelake analyze`` and ``cinelake report`` run and writes, under
``Refined/_reports/YYYY/MM/DD/``, ``analysis.json`` (the answer), ``report.html`` and, last, the stamp.
Given the day's ``ingested`` runs, the report says how many ids failed and names them.
A run that fails before the stamp is redone whole on the next run; every step it repeats is itself
idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson

from cinelake.aws.environment import function_lake, load_environment
from cinelake.aws.steps import run_step
from cinelake.errors import UsageError
from cinelake.lake import layout
from cinelake.lake.store import Lake

ANSWER_NAME = "analysis.json"
REPORT_NAME = "report.html"
STAMP_NAME = "_pipeline.json"


def _lake() -> Lake:
    return function_lake()


def _day(event: Any) -> dt.date:
    text = event.get("date") if isinstance(event, dict) else None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise UsageError(f"invalid step input: date {text!r} is not YYYY-MM-DD") from None


def raw_fingerprint(lake: Lake) -> str:
    """The sha256 of Raw's data files (bookkeeping and temp files left out): each one's name and content
    tag (S3's ETag, else its sha256), sorted, so a file replaced by another version changes it too."""
    tags = lake.content_tags(layout.Zone.RAW.value)
    return hashlib.sha256("\n".join(f"{rel} {tag}" for rel, tag in tags.items()).encode()).hexdigest()


def stamp_path(day: dt.date) -> str:
    return f"{layout.report_dir(day)}/{STAMP_NAME}"


def check_day(event: Any) -> dict[str, Any]:
    """``{"date"}`` -> ``{"date", "raw_fingerprint", "built"}``: built is true when nothing is left to do."""
    day, lake = _day(event), _lake()
    fingerprint = raw_fingerprint(lake)
    built = False
    if lake.exists(stamp_path(day)):
        built = orjson.loads(lake.read_bytes(stamp_path(day))).get("raw_fingerprint") == fingerprint
    return {"date": day.isoformat(), "raw_fingerprint": fingerprint, "built": built}


def write_report(event: Any) -> dict[str, Any]:
    """The day's answer and HTML report into the lake, then the stamp that marks the day built (each
    table loaded from the catalog once: :func:`cinelake.tables.store.loads_kept`)."""
    from cinelake.tables.store import loads_kept

    with loads_kept():
        return _write_report(event)


def _write_report(event: Any) -> dict[str, Any]:
    from cinelake.analysis.answer import budget_vs_revenue
    from cinelake.analysis.freshness import freshness
    from cinelake.analysis.model import DEFAULT_GENRES
    from cinelake.analysis.report import render_report

    day, lake = _day(event), _lake()
    fingerprint = event.get("raw_fingerprint") or raw_fingerprint(lake)
    genres = load_environment().genres or DEFAULT_GENRES
    analysis = budget_vs_revenue(lake, genres=[g for g in genres if g.lower() != "all"] or DEFAULT_GENRES)
    folder = layout.report_dir(day)
    answer, page = f"{folder}/{ANSWER_NAME}", f"{folder}/{REPORT_NAME}"
    lake.write_bytes(answer, (analysis.to_json() + "\n").encode())
    ingested = _ingested(event)
    lake.write_bytes(page, render_report(analysis, freshness(lake), ingestion=ingested).encode())
    failed = sum(int(run.get("failed", 0)) for run in ingested or ())
    stamp = {
        "date": day.isoformat(), "raw_fingerprint": fingerprint, "answer": answer, "report": page,
        "failed": failed,
    }  # fmt: skip
    lake.write_bytes(stamp_path(day), orjson.dumps(stamp, option=orjson.OPT_INDENT_2))
    return {"date": day.isoformat(), "answer": lake.uri(answer), "report": lake.uri(page), "failed": failed}


def _ingested(event: Any) -> list[dict[str, Any]] | None:
    """The state machine's ``ingested`` (one summary per ingestion run of the day), if it was sent."""
    runs = event.get("ingested") if isinstance(event, dict) else None
    if runs is None:
        return None
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise UsageError("invalid step input: ingested must be a list of the ingestion runs' summaries")
    return runs


def check(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point of the check (see the module documentation)."""
    return run_step("check", lambda: check_day(event))


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point of the report (see the module documentation)."""
    return run_step("report", lambda: write_report(event))
