"""The weekly upkeep in the daily state machine: the template's own ``Maintain?`` and ``Maintain``
states in the ASL interpreter, the maintain function in awslambdaric (its report zip's libraries
only: no pyarrow), the tables in moto's Glue and S3. On the stack's MaintenanceDay the step runs
and the tables' old snapshots expire; on any other day it is skipped and the tables are left as
they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from cinelake.aws.maintain_step import run_maintenance
from cinelake.aws.plan_step import WEEKDAYS
from cinelake.config import get_settings
from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.tables.registry import refined_table
from cinelake.tables.store import load, write_arrow
from tests.aws.asl import StateMachine
from tests.aws.stack import LocalStack, local_stack

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 11, 29)  # a Sunday
TABLE = refined_table("fact_movie_history")


@pytest.fixture()
def stack(
    aws_env: str, tmdb_server: str, planted_secret: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalStack]:
    with local_stack(
        endpoint=aws_env,
        tmdb_url=tmdb_server,
        token=planted_secret,
        root=tmp_path,
        parameters={"MaintenanceDay": "Sunday", "SnapshotRetentionDays": "0"},
    ) as deployed:
        # This process commits to the stack's Glue database as the transforms would.
        monkeypatch.setenv("CINELAKE_CATALOG_DATABASE", deployed.database)
        get_settings.cache_clear()
        yield deployed
    get_settings.cache_clear()


def _three_commits(lake: Lake) -> None:
    for rows in (3, 2, 4):
        data = pa.table({"movie_key": list(range(rows)), "snapshot_date": [DAY] * rows})
        write_arrow(lake, TABLE, data, replace=[str(DAY)], day=DAY)


def _end_of_day(stack: LocalStack, day: dt.date) -> tuple[dict[str, object], list[str]]:
    """The state machine from its weekly choice on, as a day's execution reaches it."""
    stack.function("MaintainFunction")
    definition = stack.definition()
    definition["StartAt"] = "Maintain?"
    plan = {"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()], "ingestions": [], "skipped": []}
    output, execution = StateMachine(definition, stack.run_task).execute({"plan": plan})
    return output, execution.visited


@pytest.mark.slow
def test_the_weekly_day_expires_old_snapshots_and_other_days_skip(stack: LocalStack, aws_env: str) -> None:
    lake = Lake(f"s3://{stack.bucket}", s3_endpoint_url=aws_env)
    _three_commits(lake)
    table = load(lake, TABLE)
    assert table is not None and len(table.snapshots()) == 3

    output, visited = _end_of_day(stack, DAY - dt.timedelta(days=1))  # a Saturday
    assert visited == ["Maintain?", "Done"] and "maintain" not in output
    assert "MaintainFunction" not in stack.functions or stack.functions["MaintainFunction"].invocations == 0
    table = load(lake, TABLE)
    assert table is not None and len(table.snapshots()) == 3

    output, visited = _end_of_day(stack, DAY)
    assert visited == ["Maintain?", "Maintain", "Done"]
    summary = output["maintain"]
    assert isinstance(summary, dict)
    assert summary["tables"][TABLE.name]["expired"] == 2
    assert summary["expired"] == 2 and summary["deleted"] >= 2
    table = load(lake, TABLE)
    assert table is not None and len(table.snapshots()) == 1
    assert table.scan().to_arrow().num_rows == 4  # the current rows stay
    # every S3 and Glue call the function made is inside MaintainRole
    assert stack.access_problems("MaintainFunction") == []


def test_a_bad_input_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match="older_than_days 'seven'"):
        run_maintenance({"date": "2026-11-29", "older_than_days": "seven"})
    with pytest.raises(UsageError, match="date '29/11/2026' is not YYYY-MM-DD"):
        run_maintenance({"date": "29/11/2026"})
