"""TMDB's error bodies, byte for byte as the API sends them (see tmdb_api_samples and TMDB's error list)."""

from __future__ import annotations

import orjson


def _body(status_code: int, message: str) -> bytes:
    return orjson.dumps({"success": False, "status_code": status_code, "status_message": message})


INVALID_API_KEY = orjson.dumps(
    {
        "status_code": 7,
        "status_message": "Invalid API key: You must be granted a valid key.",
        "success": False,
    }
)
NOT_FOUND = _body(34, "The resource you requested could not be found.")
INVALID_PAGE = _body(22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.")
INTERNAL_ERROR = _body(11, "Internal error: Something went wrong, contact TMDB.")
SERVICE_OFFLINE = _body(9, "Service offline: This service is temporarily offline, try again later.")
BACKEND_TIMEOUT = _body(24, "Your request to the backend server timed out. Try again.")
AUTH_SUCCESS = orjson.dumps({"success": True, "status_code": 1, "status_message": "Success."})
BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
NOT_JSON_HTML = b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon.</body></html>"
# A JSON object of the wrong shape for every endpoint: ids that are strings, a genre without a name.
MALFORMED = orjson.dumps(
    {
        "id": "abc",
        "movie_results": [{"id": "abc"}],
        "tv_results": [{"id": "abc"}],
        "results": [{"id": "abc"}],
        "genres": [{"id": "abc"}],
        "page": 1,
        "total_pages": 1,
    }
)


def rate_limited(limit: float) -> bytes:
    return _body(25, f"Your request count (#) is over the allowed limit of ({limit:g}).")


def validation_error(*errors: str) -> bytes:
    return orjson.dumps({"errors": list(errors)})
