"""The exception hierarchy shared by every layer.

Every error cinelake raises on purpose is a :class:`CinelakeError`. The CLI turns one into a single
line on stderr and the exit code the error carries, so users never see a traceback for a problem
they can fix.
"""

from __future__ import annotations

import asyncio


class CinelakeError(Exception):
    """Base of every error cinelake raises on purpose."""

    exit_code: int = 1


class UsageError(CinelakeError):
    """The user asked for something that cannot work (bad flag, bad file, bad URL)."""

    exit_code = 2


class ConfigError(UsageError):
    """A setting is missing or invalid."""


class LakeError(CinelakeError):
    """The lake storage failed (I/O error, permission, full disk, unreachable store)."""


class LakePathError(UsageError):
    """A lake URL or a path inside the lake is invalid or would escape the lake root."""


class InputFileError(UsageError):
    """An input file cannot be read as what it claims to be."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error that broke a task group, for one clear message: a cinelake error first, else the
    first error that is not a cancellation, else the group itself."""
    leaves: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        error = pending.pop(0)
        if isinstance(error, BaseExceptionGroup):
            pending.extend(error.exceptions)
        elif not isinstance(error, asyncio.CancelledError):
            leaves.append(error)
    ours = [e for e in leaves if isinstance(e, CinelakeError)]
    return (ours or leaves or [group])[0]


# Text from outside (an upstream's error message, a body's bad value) kept in a message, a checkpoint or a
# manifest: enough to tell what went wrong, never a multi-megabyte record of someone else's output.
FOREIGN_TEXT_LIMIT = 300


def clip_text(text: str, limit: int = FOREIGN_TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut (the one cut of foreign text)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters cut)"
