"""Options and helpers shared by the CLI commands (kept free of heavy imports: the CLI starts fast)."""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console

from cinelake.attribution import TMDB_NOTICE
from cinelake.errors import UsageError

__all__ = [
    "TMDB_NOTICE",
    "DateOption",
    "LakeOption",
    "console",
    "err_console",
    "lake_url",
    "parse_date",
    "parse_day",
]


console = Console()
err_console = Console(stderr=True)

LakeOption = Annotated[
    str | None,
    typer.Option(
        "--lake",
        help=(
            "Lake root URL: a folder, file://, s3://bucket or s3://bucket/prefix, or memory://. "
            "(env: CINELAKE_LAKE; default ./lake)"
        ),
        show_default=False,
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Processing date YYYY-MM-DD (UTC), from 1990-01-01 to tomorrow; default: today.",
        show_default=False,
    ),
]


def today_utc() -> date:
    return datetime.now(UTC).date()


# A processing date is the day the lake's data was (or is being) fetched, the ``YYYY/MM/DD`` of its folders.
# None can be before 1990 (the oldest source the lake reads, IMDb, began in 1990; TMDB in 2008), and none
# after tomorrow in UTC (a machine whose clock runs ahead of UTC is already in tomorrow; a later date is a
# typo, and would file the data under a day the daily runs have not reached).
FIRST_PROCESSING_DAY = date(1990, 1, 1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str, flag: str) -> date:
    """A ``YYYY-MM-DD`` flag value (exactly that form: not ``20261126``, not ``2026-W48``)."""
    text = value.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"invalid {flag} {value!r}: expected a date as YYYY-MM-DD") from None


def parse_day(value: str | None, flag: str = "--date") -> date:
    """A processing date (``--date``): ``YYYY-MM-DD`` from 1990-01-01 to tomorrow (UTC); today when absent."""
    if value is None:
        return today_utc()
    day = parse_date(value, flag)
    last = today_utc() + timedelta(days=1)
    if not FIRST_PROCESSING_DAY <= day <= last:
        span = f"from {FIRST_PROCESSING_DAY} to tomorrow ({last}, UTC)"
        raise UsageError(f"invalid {flag} {value!r}: a processing date is {span}")
    return day


def lake_url(value: str | None) -> str:
    """The lake URL from the flag, else from the settings (env / .env), else ``./lake``."""
    if value:
        return value
    from cinelake.config import get_settings

    return get_settings().lake


def is_interactive() -> bool:
    return sys.stderr.isatty()
