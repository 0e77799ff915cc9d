"""The transform step (TransformEngine=lambda) on the demo-sized lake: its time, and a day's cost
beside Glue's minimum billing.

    .venv/bin/python bench/lambda_transform_cost.py [--memory-mb 2048] [--threads 1] [--runs 3]

The lake is the one of bench/transform.py (a): the packaged snapshot (every movie) and the packaged
demo CSV as one Raw day. Each run times ``cinelake.aws.transform_step.run_job`` (what the Lambda
handler runs: raw-to-trusted, then trusted-to-refined, DuckDB sized from ``--memory-mb``) twice in
this process: on a local folder (the baseline) and on ``s3://`` in a moto server on 127.0.0.1 (the
Lambda's path: fsspec/s3fs over HTTP). The ratio s3 / local is the cost of going through S3; the
s3 time gives the GB-seconds. ``--threads 1`` approximates the CPU share Lambda gives 2 GB (about
1.2 vCPU). Moto on this machine is not S3: the figure is an order of magnitude, to be confirmed by
the function's REPORT line in CloudWatch after a deploy.

Prices (list prices, us-east-1, as of 2026-11; check your region's): Lambda x86_64 $0.0000166667
per GB-second and $0.20 per million requests; Glue 5.0 Spark jobs $0.44 per DPU-hour, billed per
second with a 1-minute minimum per job run, one G.1X worker = 1 DPU, the template's jobs have 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1_000_000
GLUE_DPU_HOUR = 0.44
GLUE_MINIMUM_SECONDS = 60
GLUE_DPUS = 2  # NumberOfWorkers: 2, WorkerType: G.1X
DAY = date(2026, 11, 26)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def upload(folder: Path, endpoint: str, bucket: str) -> int:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.create_bucket(Bucket=bucket)
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), bucket, path.relative_to(folder).as_posix())
            count += 1
    return count


def run_both(lake_url: str) -> tuple[float, float]:
    from cinelake.aws import transform_step

    os.environ["LAKE"] = lake_url
    times = []
    for job in transform_step.JOBS:
        started = time.perf_counter()
        transform_step.run_job({"job": job, "date": DAY.isoformat()})
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory-mb", type=int, default=2048, help="the function's MemorySize")
    parser.add_argument("--threads", type=int, default=1, help="DuckDB threads (Lambda's vCPU share)")
    parser.add_argument("--runs", type=int, default=3, help="fresh lakes per place; the median is shown")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    from transform import write_snapshot_lake

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
            "CINELAKE_S3_ENDPOINT_URL": endpoint,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(args.memory_mb),
            "CINELAKE_DUCKDB_THREADS": str(args.threads),
        }
    )
    os.environ.pop("CINELAKE_DUCKDB_MEMORY_LIMIT", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    work = Path(tempfile.mkdtemp(prefix="cinelake-bench-"))
    local: list[tuple[float, float]] = []
    remote: list[tuple[float, float]] = []
    try:
        for run in range(args.runs):
            source = work / f"source-{run}"
            movies = write_snapshot_lake(source, DAY)
            files = upload(source, endpoint, f"bench-{run}")
            local.append(run_both(str(source)))
            remote.append(run_both(f"s3://bench-{run}"))
            print(f"run {run + 1}/{args.runs}: {movies:,} movies + demo CSV, {files} Raw files", flush=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    def median(rows: list[tuple[float, float]], index: int) -> float:
        return statistics.median(r[index] for r in rows)

    print(f"transform step, DuckDB memory {int(args.memory_mb * 0.75)} MB, {args.threads} thread(s), "
          f"median of {args.runs}:")  # fmt: skip
    for index, job in enumerate(("raw-to-trusted", "trusted-to-refined")):
        base, s3 = median(local, index), median(remote, index)
        print(f"  {job:19} local folder (baseline) {base:6.2f} s   s3 (moto) {s3:6.2f} s   {s3 / base:5.2f}x")
    seconds = median(remote, 0) + median(remote, 1)
    gb_seconds = seconds * args.memory_mb / 1024
    lambda_day = gb_seconds * LAMBDA_GB_SECOND + 2 * LAMBDA_REQUEST
    glue_day = 2 * GLUE_DPUS * GLUE_MINIMUM_SECONDS / 3600 * GLUE_DPU_HOUR
    print(f"a day's two transforms on Lambda: {seconds:.1f} s x {args.memory_mb / 1024:g} GB = "
          f"{gb_seconds:.1f} GB-s -> ${lambda_day:.5f} a day, ${lambda_day * 30:.4f} a month")  # fmt: skip
    print(f"Glue's minimum for the same two job runs (2 x {GLUE_DPUS} DPU x 1 min): ${glue_day:.5f} a day, "
          f"${glue_day * 30:.3f} a month")  # fmt: skip
    print(f"Glue minimum / Lambda: {glue_day / lambda_day:.0f}x")


if __name__ == "__main__":
    main()
