"""The exception hierarchy shared by every layer.

Every error cinelake raises on purpose is a :class:`CinelakeError`. The CLI turns one into a single
line on stderr and the exit code the error carries, so users never see a traceback for a problem
they can fix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


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


# boto3, botocore, s3fs and aiobotocore are the ``aws`` extra: only s3:// lakes, the AWS commands and the
# secret stores (Secrets Manager, SSM) need them, and a laptop's demo is 35 MB lighter without them.
AWS_INSTALL_HINT = "pip install 'cinelake[aws]'"
_AWS_MODULES = frozenset({"boto3", "botocore", "s3fs", "aiobotocore"})


class AwsNotInstalledError(UsageError):
    """An AWS library (the ``aws`` extra) is not installed and the work asked for needs it."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} needs the AWS libraries (boto3, s3fs), which are not installed; "
            f"install them with: {AWS_INSTALL_HINT}"
        )


def _missing_module(error: BaseException | None) -> str:
    """The top-level name of the module whose import failed, following the causes (fsspec raises its own
    ImportError "Install s3fs to access S3" from the original one)."""
    while error is not None:
        if isinstance(error, ImportError) and error.name:
            return error.name.split(".")[0]
        error = error.__cause__
    return ""


@contextmanager
def needs_aws(what: str) -> Iterator[None]:
    """Inside this block a missing AWS library (the ``aws`` extra) raises :class:`AwsNotInstalledError`
    naming ``what`` needs it; any other ImportError passes through."""
    try:
        yield
    except ImportError as exc:
        if _missing_module(exc) in _AWS_MODULES:
            raise AwsNotInstalledError(what) from None
        raise


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
