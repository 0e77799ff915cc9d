"""`cinelake tmdb check` and `cinelake tmdb serve`, run as a user runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cinelake.commands.common import TMDB_NOTICE
from tests.tmdb.conftest import SERVER_TOKEN

pytestmark = pytest.mark.integration

CINELAKE = [sys.executable, "-m", "cinelake.cli"]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMDB_")}
    env.update(values)
    env["COLUMNS"] = "200"
    return env


def _check(tmp_path: Path, **values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CINELAKE, "tmdb", "check"],
        cwd=tmp_path,
        env=_env(**values),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_accepts_working_credentials(server: str, tmp_path: Path) -> None:
    done = _check(tmp_path, TMDB_BASE_URL=server, TMDB_READ_ACCESS_TOKEN=SERVER_TOKEN)
    assert done.returncode == 0, done.stderr
    assert "TMDB credentials work" in done.stdout and "Bearer token" in done.stdout
    by_key = _check(tmp_path, TMDB_BASE_URL=server, TMDB_API_KEY=SERVER_TOKEN)
    assert by_key.returncode == 0 and "api_key" in by_key.stdout


def test_check_reads_dot_env(server: str, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"TMDB_BASE_URL={server}\nTMDB_READ_ACCESS_TOKEN={SERVER_TOKEN}\n")
    assert _check(tmp_path).returncode == 0


def test_check_reports_rejected_credentials(server: str, tmp_path: Path) -> None:
    planted = "rejected-7d1e0c4b2a"
    done = _check(tmp_path, TMDB_BASE_URL=server, TMDB_READ_ACCESS_TOKEN=planted)
    assert done.returncode == 2
    assert "TMDB rejected the credentials (status_code 7" in done.stderr
    assert "Traceback" not in done.stderr and planted not in done.stderr + done.stdout


def test_check_reads_the_token_from_secrets_manager_or_ssm(server: str, tmp_path: Path, aws_env: str) -> None:
    import boto3

    name = f"cinelake/check-{tmp_path.name[-12:]}"
    boto3.client("secretsmanager").create_secret(
        Name=name, SecretString=f'{{"read_access_token": "{SERVER_TOKEN}"}}'
    )
    boto3.client("ssm").put_parameter(Name=f"/{name}", Value=SERVER_TOKEN, Type="SecureString")

    by_secret = _check(tmp_path, TMDB_BASE_URL=server, TMDB_SECRET_ID=name)
    assert by_secret.returncode == 0, by_secret.stderr
    assert f"accepted the Bearer token (secretsmanager:{name})" in " ".join(by_secret.stdout.split())
    by_parameter = _check(tmp_path, TMDB_BASE_URL=server, TMDB_SSM_PARAMETER=f"/{name}")
    assert by_parameter.returncode == 0, by_parameter.stderr
    assert f"accepted the api_key (ssm:/{name})" in " ".join(by_parameter.stdout.split())

    missing = _check(tmp_path, TMDB_BASE_URL=server, TMDB_SECRET_ID="cinelake/not-there")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "error: cannot read the TMDB secret secretsmanager:cinelake/not-there: ResourceNotFoundException"
    )
    for done in (by_secret, by_parameter, missing):
        assert SERVER_TOKEN not in done.stdout + done.stderr


def test_check_without_credentials(tmp_path: Path) -> None:
    done = _check(tmp_path)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "TMDB_READ_ACCESS_TOKEN" in message and "TMDB_API_KEY" in message


def test_serve_prints_its_url_and_serves(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [*CINELAKE, "tmdb", "serve", "--port", "0", "--token", SERVER_TOKEN],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith("Offline TMDB server on http://127.0.0.1:")
        url = first.split(" on ", 1)[1].strip()
        assert url.endswith("/3")
        response = httpx.get(
            f"{url}/movie/862", headers={"Authorization": f"Bearer {SERVER_TOKEN}"}, timeout=30
        )
        assert response.json()["imdb_id"] == "tt0114709"
        rest = "".join(child.stdout.readline() for _ in range(2))
        assert f"TMDB_BASE_URL={url}" in rest and TMDB_NOTICE in rest
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(30)
    assert child.returncode in (0, 130, -signal.SIGINT)


def test_serve_rejects_a_bad_fault_kind(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CINELAKE, "tmdb", "serve", "--faults", "meteor"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "unknown fault kind" in done.stderr
