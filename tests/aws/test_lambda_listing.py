"""A discover run whose listing outlasts an invocation, run as Lambda runs it (awslambdaric, the Runtime
API harness, moto S3, the offline TMDB server): the deadline hits while listing, the function hands the
run on through the Invoke API, and the run ends with the ids and the files of one long run."""

from __future__ import annotations

import orjson
import pytest

from tests.aws.conftest import LambdaRunner, bucket_files

pytestmark = pytest.mark.integration

DAY = "2026-11-26"
RUN_FOLDER = "Raw/TMDB/_runs/"
# Why these numbers keep the listing going for three invocations whatever the machine's speed:
# "Action" is 120 pages of the snapshot, saved as 13 steps (the first page, then 12 blocks of up to 10
# pages). At most 3 steps are in flight, and the client starts at most RATE requests a second, so a
# block of 10 pages takes at least 3.3 s, longer than WINDOW_S, the time an invocation may start steps:
# an invocation does at most 4 steps (the first page, then 3 blocks), and 3 invocations at most 10 of
# the 13. MARGIN_S covers the 3 blocks in flight when the window closes (30 requests / RATE = 10 s).
GENRES = ["Action"]
RATE = 3  # requests/s
WINDOW_S = 3
MARGIN_S = 12
CHAIN = 3  # invocations before the chain limit stops the run with a resume event


def data_files(endpoint: str, bucket: str) -> dict[str, bytes]:
    return {k: v for k, v in bucket_files(endpoint, bucket).items() if k.startswith("Raw/TMDB/JSON/")}


def run_files(endpoint: str, bucket: str, run_id: str) -> list[str]:
    return sorted(k for k in bucket_files(endpoint, bucket) if k.startswith(f"{RUN_FOLDER}{run_id}/"))


@pytest.mark.slow
def test_a_discover_run_cut_while_listing_continues_and_ends_like_one_long_run(
    lambda_runner: LambdaRunner, aws_env: str, planted_secret: str
) -> None:
    event = {"source": "discover", "genres": GENRES, "date": DAY}
    reference_bucket = lambda_runner.new_bucket()
    reference_run = lambda_runner.run(
        [event], bucket=reference_bucket, env={"CINELAKE_TMDB_RATE_LIMIT": "1000"}
    )
    (reference,) = (i.result for i in reference_run.invocations)
    assert reference["status"] == "complete" and reference["requested"] > 2000, reference
    run_id = reference["run_id"]

    bucket = lambda_runner.new_bucket()
    chained = lambda_runner.run(
        [event],
        bucket=bucket,
        timeout_ms=(WINDOW_S + MARGIN_S) * 1000,
        env={
            "CINELAKE_TMDB_RATE_LIMIT": str(RATE),
            "SAFETY_MARGIN_SECONDS": str(MARGIN_S),
            "MAX_CHAIN": str(CHAIN),
        },
        cold=True,  # a fresh process per invocation: the listing resumes from the lake alone
    )
    results = [i.result for i in chained.invocations]
    assert all(i.error is None for i in chained.invocations), [i.error for i in chained.invocations]
    assert [r["invocation"] for r in results] == list(range(1, CHAIN + 1))
    # Each invocation stopped while listing: nothing planned or fetched yet, and it handed the run on
    # through the Lambda Invoke API until the chain limit.
    assert [r["status"] for r in results] == ["incomplete"] * (CHAIN - 1) + ["error"], results
    assert [r["requested"] for r in results] == [0] * CHAIN
    assert all(r["continued"] is True for r in results[:-1])
    assert [i.origin for i in chained.invocations] == ["test"] + ["invoke-api"] * (CHAIN - 1)
    assert "chain limit reached" in results[-1]["error"]
    bookkeeping = run_files(aws_env, bucket, run_id)
    steps = [k for k in bookkeeping if "/listing/" in k]
    assert f"{RUN_FOLDER}{run_id}/plan.json" not in bookkeeping
    assert 1 <= len(steps) < 13, steps  # the listing went on over the invocations, and is not done
    assert data_files(aws_env, bucket) == {}
    for line in chained.lines:
        assert planted_secret not in line

    finished = lambda_runner.run(
        [results[-1]["resume"]], bucket=bucket, env={"CINELAKE_TMDB_RATE_LIMIT": "1000"}
    )
    (last,) = (i.result for i in finished.invocations)
    assert last["status"] == "complete", last
    for key in ("run_id", "requested", "written", "not_found", "failed", "files_total"):
        assert last[key] == reference[key], key
    got = data_files(aws_env, bucket)
    assert got == data_files(aws_env, reference_bucket)  # same names, same bytes
    plan = orjson.loads(bucket_files(aws_env, bucket)[f"{RUN_FOLDER}{run_id}/plan.json"])
    reference_plan = orjson.loads(bucket_files(aws_env, reference_bucket)[f"{RUN_FOLDER}{run_id}/plan.json"])
    assert plan["ids"] == reference_plan["ids"]
    # The resumed invocation reused the steps the cut ones saved.
    assert len([k for k in run_files(aws_env, bucket, run_id) if "/listing/" in k]) == 13
