"""TMDB error bodies, as the real API sends them, parse into what the client needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinelake.errors import CinelakeError
from cinelake.tmdb.errors import ErrorBody, TMDBAuthError, TMDBError, TMDBNotFound


def _sample(real_data: Path, name: str) -> bytes:
    return (real_data / "tmdb_api_samples" / "jdrouet_tmdb-api" / name).read_bytes()


def test_invalid_api_key_body(real_data: Path) -> None:
    body = ErrorBody.parse(_sample(real_data, "invalid-api-key.json"))
    assert body.status_code == 7
    assert body.describe() == "status_code 7: Invalid API key: You must be granted a valid key."


def test_not_found_body_without_success_key(real_data: Path) -> None:
    body = ErrorBody.parse(_sample(real_data, "resource-not-found.json"))
    assert (body.status_code, body.status_message) == (34, "The resource you requested could not be found.")


def test_validation_body_has_errors_list(real_data: Path) -> None:
    body = ErrorBody.parse(_sample(real_data, "validation-error.json"))
    assert body.status_code is None
    assert body.describe() == "query must be provided"


@pytest.mark.parametrize("raw", [b"<html>502 Bad Gateway</html>", b"", b"[1, 2]", b'{"status_code": "x"}'])
def test_unreadable_bodies_never_raise(raw: bytes) -> None:
    assert ErrorBody.parse(raw).status_code is None


def test_hierarchy_and_exit_codes() -> None:
    assert issubclass(TMDBError, CinelakeError)
    assert TMDBAuthError("x").exit_code == 2
    error = TMDBNotFound("gone", status=404, tmdb_code=34)
    assert (error.status, error.tmdb_code) == (404, 34)
