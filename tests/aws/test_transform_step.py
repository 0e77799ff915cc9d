"""The transform step's own parts: DuckDB sized for the function, one-line refusals of bad events.

The step on a real lake (moto S3, under awslambdaric with only its bundle's libraries) runs in the
whole-day test (test_daily_pipeline.py, TransformEngine=lambda)."""

from __future__ import annotations

import os
import tempfile

import pytest

from cinelake.aws import transform_step
from cinelake.aws.steps import StepRefused
from cinelake.errors import UsageError


def test_duckdb_gets_three_quarters_of_the_function_and_spills_to_tmp() -> None:
    memory, spill = transform_step.duckdb_limits({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048"})
    assert memory == "1536MB"
    assert spill == os.path.join(tempfile.gettempdir(), "cinelake-duckdb")  # /tmp on Lambda


def test_explicit_settings_win() -> None:
    environ = {
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048",
        "CINELAKE_DUCKDB_MEMORY_LIMIT": "900MB",
        "CINELAKE_DUCKDB_TEMP_DIRECTORY": "/mnt/scratch",
    }
    assert transform_step.duckdb_limits(environ) == ("900MB", "/mnt/scratch")


def test_outside_lambda_without_a_limit_is_refused() -> None:
    with pytest.raises(UsageError, match="AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not set"):
        transform_step.duckdb_limits({})


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"date": "2026-11-26"}, "job None"),
        ({"job": "everything", "date": "2026-11-26"}, "job 'everything'"),
        ({"job": "raw-to-trusted", "date": "26/11/2026"}, "date '26/11/2026' is not YYYY-MM-DD"),
        ("raw-to-trusted", "job None"),
    ],
)
def test_a_bad_event_is_refused_with_one_line(event: object, message: str) -> None:
    with pytest.raises(StepRefused) as refused:
        transform_step.handler(event, None)
    assert message in str(refused.value) and "\n" not in str(refused.value)
