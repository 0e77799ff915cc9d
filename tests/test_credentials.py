"""The commands' TMDB credential: given directly, else from Secrets Manager or SSM (moto in server mode)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cinelake.cli import main
from cinelake.config import Settings, get_settings
from cinelake.credentials import (
    SecretLookupError,
    command_credentials,
    from_secrets_manager,
    with_tmdb_credentials,
)

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGkifQ.c2lnbmF0dXJlLWNsaS1wbGFudGVk"
DIRECT = "direct-token-0b7e3d"


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture()
def fresh_settings() -> Iterator[None]:
    """The CLI's cached settings read afresh from the environment the test sets (and forgotten after)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_token_given_directly_wins_and_no_store_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_lookup(*_: object, **__: object) -> None:
        raise AssertionError("the secret store was asked although a token was given")

    monkeypatch.setattr("cinelake.credentials.from_secrets_manager", no_lookup)
    monkeypatch.setattr("cinelake.credentials.from_ssm", no_lookup)
    given = settings(tmdb_read_access_token=DIRECT, tmdb_secret_id="cinelake/tmdb", tmdb_ssm_parameter="/p")
    found = command_credentials(given)
    assert found.origin == "environment" and found.values() == (DIRECT,)
    assert with_tmdb_credentials(given) == given


def test_nothing_named_leaves_the_settings_without_credentials() -> None:
    bare = settings()
    assert command_credentials(bare).origin == "none"
    assert not with_tmdb_credentials(bare).has_tmdb_credentials()


def test_no_aws_region_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    with pytest.raises(SecretLookupError) as caught:
        from_secrets_manager("cinelake/tmdb")
    assert str(caught.value) == (
        "cannot read the TMDB secret secretsmanager:cinelake/tmdb: "
        "no AWS region (set AWS_REGION or AWS_DEFAULT_REGION)"
    )


@pytest.mark.integration
def test_secrets_manager_then_ssm_fill_in_the_token(aws_env: str, caplog: pytest.LogCaptureFixture) -> None:
    import boto3

    caplog.set_level("DEBUG")  # botocore logs response bodies at DEBUG: not these
    # An in-process Lambda test earlier in the session quiets botocore (jsonlog.QUIET_LOGGERS): ask for
    # its debug lines here, or the check below would pass without looking at any.
    caplog.set_level("DEBUG", logger="botocore")

    name = f"cinelake/tmdb-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=TOKEN)
    stored = f'{{"api_key": "{DIRECT}"}}'
    boto3.client("ssm").put_parameter(Name=f"/{name}", Value=stored, Type="SecureString")
    caplog.clear()  # storing them logged them; reading them must not

    from_sm = with_tmdb_credentials(settings(tmdb_secret_id=name, tmdb_ssm_parameter=f"/{name}"))
    assert from_sm.tmdb_read_access_token is not None
    assert from_sm.tmdb_read_access_token.get_secret_value() == TOKEN and from_sm.tmdb_api_key is None
    assert TOKEN not in repr(from_sm) and TOKEN not in str(from_sm)

    from_ssm = command_credentials(settings(tmdb_ssm_parameter=f"/{name}"))
    assert from_ssm.origin == f"ssm:/{name}" and from_ssm.values() == (DIRECT,)
    assert "GetSecretValue" in caplog.text  # botocore did log the calls...
    assert TOKEN not in caplog.text and DIRECT not in caplog.text  # ...but not what they returned


@pytest.mark.integration
def test_the_secret_is_read_in_aws_region(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    name = f"cinelake/eu-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager", region_name="eu-west-1").create_secret(Name=name, SecretString=TOKEN)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # what Lambda and most AWS tools set; botocore ignores it
    assert command_credentials(settings(tmdb_secret_id=name)).values() == (TOKEN,)


@pytest.mark.integration
def test_pipeline_stops_at_once_when_the_secret_cannot_be_read(
    aws_env: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fresh_settings: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TMDB_SECRET_ID", "cinelake/no-such-secret")
    csv = tmp_path / "movies.csv"
    csv.write_text("id\ntt0137523\n")
    lake = tmp_path / "lake"
    with pytest.raises(SystemExit) as exited:
        main(["pipeline", "--csv", str(csv), "--lake", str(lake), "--out", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "the TMDB secret secretsmanager:cinelake/no-such-secret: ResourceNotFoundException" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not lake.exists()  # nothing was started
