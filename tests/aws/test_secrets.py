"""The TMDB secret from Secrets Manager, SSM Parameter Store or the environment, never echoed."""

from __future__ import annotations

import uuid

import pytest

from cinelake.aws.secrets import SecretLookupError, load_tmdb_credentials, parse_secret_value
from cinelake.config import Settings

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXBsYW50ZWQ"


def test_bare_token_and_bare_api_key_are_told_apart() -> None:
    assert parse_secret_value(TOKEN, "x").read_access_token is not None
    key = parse_secret_value("0123456789abcdef0123456789abcdef", "x")
    assert key.api_key is not None and key.read_access_token is None


def test_json_secret_and_its_problems() -> None:
    found = parse_secret_value(f'{{"read_access_token": "{TOKEN}"}}', "x")
    assert found.values() == (TOKEN,)
    with pytest.raises(SecretLookupError, match="holds neither"):
        parse_secret_value('{"read_access_token": "", "placeholder": "Zx81"}', "secretsmanager:s")
    with pytest.raises(SecretLookupError, match="not valid JSON"):
        parse_secret_value('{"read_access_token": ', "x")
    with pytest.raises(SecretLookupError, match="empty"):
        parse_secret_value("  ", "x")


def test_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMDB_SECRET_ID", raising=False)
    monkeypatch.delenv("TMDB_SSM_PARAMETER", raising=False)
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
    found = load_tmdb_credentials(Settings(_env_file=None))  # type: ignore[call-arg]
    assert found.origin == "environment" and found.values() == (TOKEN,)


@pytest.mark.integration
def test_secrets_manager_and_ssm_through_moto(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    name = f"cinelake/tmdb-{uuid.uuid4().hex[:8]}"
    boto3.client("secretsmanager").create_secret(
        Name=name, SecretString=f'{{"read_access_token": "{TOKEN}"}}'
    )
    boto3.client("ssm").put_parameter(Name=f"/{name}", Value=TOKEN, Type="SecureString")

    monkeypatch.setenv("TMDB_SECRET_ID", name)
    from_sm = load_tmdb_credentials(Settings(_env_file=None))  # type: ignore[call-arg]
    assert from_sm.origin == f"secretsmanager:{name}" and from_sm.values() == (TOKEN,)

    monkeypatch.delenv("TMDB_SECRET_ID")
    monkeypatch.setenv("TMDB_SSM_PARAMETER", f"/{name}")
    from_ssm = load_tmdb_credentials(Settings(_env_file=None))  # type: ignore[call-arg]
    assert from_ssm.origin == f"ssm:/{name}" and from_ssm.values() == (TOKEN,)

    monkeypatch.setenv("TMDB_SSM_PARAMETER", "/does/not/exist")
    with pytest.raises(SecretLookupError) as caught:
        load_tmdb_credentials(Settings(_env_file=None))  # type: ignore[call-arg]
    assert "ParameterNotFound" in str(caught.value)
    assert TOKEN not in str(caught.value)
