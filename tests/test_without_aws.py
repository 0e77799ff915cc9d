"""Without the ``aws`` extra (boto3, botocore, s3fs, aiobotocore) every command that needs AWS says in
one line how to get it, and the laptop's own lake works without them."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from cinelake.cli import main
from cinelake.config import get_settings
from cinelake.errors import AWS_INSTALL_HINT, AwsNotInstalledError
from cinelake.lake.store import Lake

AWS_MODULES = ("boto3", "botocore", "s3fs", "aiobotocore")
# cinelake's modules that import an AWS library at their top: imported by an earlier test of the same
# process, they would hold the library already and hide its absence.
AWS_IMPORTING = ("cinelake.lake.s3files", "cinelake.aws.lambda_handler", "cinelake.aws.signing_proxy")


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """The AWS libraries as if not installed: ``None`` in sys.modules makes every import of them fail
    (and cinelake's modules that import them at their top are imported afresh).
    fsspec keeps the classes it imported in its registry, so S3's is taken out of it for the test too."""
    fsspec_registry = importlib.import_module("fsspec.registry")  # the module (fsspec.registry is a mapping)
    for name in [n for n in sys.modules if n.split(".")[0] in AWS_MODULES or n in AWS_IMPORTING]:
        monkeypatch.delitem(sys.modules, name)
    for name in AWS_MODULES:
        monkeypatch.setitem(sys.modules, name, None)
    for protocol in ("s3", "s3a"):
        monkeypatch.delitem(fsspec_registry._registry, protocol, raising=False)


@pytest.mark.parametrize(
    "argv",
    [
        ["sql", "--lake", "s3://bucket/lake", "select 1"],
        ["aws", "package", "--out", "{tmp}/dist"],
        ["aws", "deploy", "--bucket", "b"],
        ["aws", "smoke", "--stack", "cinelake-smoke", "--bucket", "b"],
        ["aws", "dashboard", "--url", "https://abc.lambda-url.eu-west-1.on.aws/"],
        ["tmdb", "check"],
    ],
    ids=lambda argv: " ".join(a for a in argv if not a.startswith("{"))[:40],
)
def test_a_command_that_needs_aws_names_the_extra(
    no_aws: None,
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With no token in the environment the TMDB credential is read from Secrets Manager.
    for var in ("TMDB_READ_ACCESS_TOKEN", "TMDB_API_KEY", "TMDB_SSM_PARAMETER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TMDB_SECRET_ID", "cinelake/tmdb")
    get_settings.cache_clear()  # settings an earlier test of this process read are not these
    try:
        with pytest.raises(SystemExit) as exited:
            main([a.format(tmp=tmp_path) for a in argv])
    finally:
        get_settings.cache_clear()
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert AWS_INSTALL_HINT in err and "Traceback" not in err


def test_an_s3_lake_names_the_extra(no_aws: None) -> None:
    with pytest.raises(AwsNotInstalledError, match=r"the lake s3://bucket/lake needs the AWS libraries"):
        Lake("s3://bucket/lake")


def test_a_folder_lake_needs_no_aws_library(no_aws: None, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    lake.write_bytes("raw/a.txt", b"one")
    assert lake.read_bytes("raw/a.txt") == b"one"
