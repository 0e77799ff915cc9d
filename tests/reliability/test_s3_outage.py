"""The S3 server (moto, in a child process) stops mid-run, then comes back: a clear error, then a clean run.

moto keeps its objects in memory, so a restarted moto is an empty store: the bucket is made again and
the rerun fetches everything again. What the test shows: the interrupted run fails with one line, no
traceback; the rerun completes with exactly the files (names and bytes) of an uninterrupted run.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.cli import CINELAKE, assert_one_line_error, cli_env, run_cli
from tests.reliability.conftest import TOKEN
from tests.reliability.figures import FIGURES
from tests.reliability.lakecheck import file_tree

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = "2026-11-26"
BUCKET = "reliability-lake"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Moto:
    """``moto_server`` in a child process on one fixed loopback port, so it can stop and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.child: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            str(Path(sys.executable).with_name("moto_server")),
            "-H",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
        self.child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        self.s3().create_bucket(Bucket=BUCKET)

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(10)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait(10)
        self.child = None

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    def keys(self, prefix: str) -> list[str]:
        listed = self.s3().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def objects(self) -> dict[str, bytes]:
        s3 = self.s3()
        out = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for item in page.get("Contents", []):
                out[item["Key"]] = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        return out


@pytest.fixture()
def moto() -> Iterator[Moto]:
    server = Moto()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def ingest_args(lake: str) -> list[str]:
    return [
        "ingest", "tmdb", "--discover", "--genres", "all", "--from", "1999-01-01", "--to", "2001-12-31",
        "--lake", lake, "--date", DAY, "--rate-limit", "0",
    ]  # fmt: skip


def s3_env(moto: Moto, tmdb: str) -> dict[str, str]:
    return {
        "TMDB_READ_ACCESS_TOKEN": TOKEN,
        "TMDB_BASE_URL": tmdb,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto.url,
        "CINELAKE_S3_ENDPOINT_URL": moto.url,
        # botocore's own setting: two attempts per call instead of the default's backoff over ~20 s, so
        # the interrupted run gives up sooner; its error and the lake it leaves are the same.
        "AWS_MAX_ATTEMPTS": "2",
    }


def test_s3_stops_mid_run_then_a_rerun_completes(moto: Moto, tmdb: str, tmp_path: Path) -> None:
    from cinelake.tmdb.server import configure

    env = s3_env(moto, tmdb)
    configure(tmdb, latency_ms=40)
    child = subprocess.Popen(
        [CINELAKE, *ingest_args(f"s3://{BUCKET}")],
        cwd=tmp_path,
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Stop S3 once the run has written a few files.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if sum(1 for key in moto.keys("Raw/TMDB/_runs/") if "/chunks/" in key) >= 2:
            break
        time.sleep(0.1)
    assert child.poll() is None, "the run ended before S3 could be stopped"
    moto.stop()
    out, err = child.communicate(timeout=600)
    stopped = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    line = assert_one_line_error(stopped)
    assert f"s3://{BUCKET}" in line

    moto.start()  # an empty store again (moto keeps nothing across a restart)
    configure(tmdb, latency_ms=0)
    done = run_cli(ingest_args(f"s3://{BUCKET}"), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert run_cli(ingest_args("clean"), cwd=tmp_path, env=env).returncode == 0
    stored = {k: v for k, v in moto.objects().items() if not k.startswith(("Raw/TMDB/_runs", "_locks"))}
    clean = file_tree(tmp_path / "clean", skip=("Raw/TMDB/_runs", "_locks"))
    assert stored == clean
    FIGURES["s3_outage"] = {"error": line[:200], "files": len(clean), "lost": 0}
