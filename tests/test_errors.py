"""The one helper that picks the error to tell the user from a task group."""

from __future__ import annotations

import asyncio

from cinelake.errors import LakeError, first_error


def test_a_cinelake_error_wins_over_others_and_cancellations() -> None:
    ours = LakeError("disk full")
    group = BaseExceptionGroup(
        "tasks", [asyncio.CancelledError(), ExceptionGroup("inner", [ValueError("boom"), ours])]
    )
    assert first_error(group) is ours


def test_else_the_first_error_that_is_not_a_cancellation() -> None:
    boom = ValueError("boom")
    group = BaseExceptionGroup("tasks", [asyncio.CancelledError(), boom, KeyError("k")])
    assert first_error(group) is boom


def test_only_cancellations_give_the_group() -> None:
    group = BaseExceptionGroup("tasks", [asyncio.CancelledError()])
    assert first_error(group) is group
