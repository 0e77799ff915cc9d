"""A Lambda Function URL with ``AuthType: AWS_IAM``, played on 127.0.0.1 in front of a function.

What Lambda does before a function behind such a URL runs (Lambda developer guide, "Security and auth
model for Lambda function URLs"): a request without a valid Signature Version 4 of a known identity
is answered 403 ``{"Message":"Forbidden"}``; a signed one becomes a payload-format 2.0 event whose
answer (status, headers, body, base64 when ``isBase64Encoded``) is the HTTP response. The signature is
checked by recomputing it with botocore's own SigV4 code from the request's signed headers, the
identity's secret key and the request's ``X-Amz-Date`` (refused when more than 5 minutes off, as AWS
does).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"
# The caller's identity that Lambda knows (any other key is unknown, so refused).
ACCESS_KEY = "AKIADASHBOARDVIEWER1"
SECRET_KEY = "dashboard-viewer-secret-key-for-tests"
MAX_SKEW = dt.timedelta(minutes=5)
RESPONSE_LIMIT = 6 * 1024 * 1024  # a synchronous (buffered) Function URL answer

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<day>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def signature_holds(
    method: str, url: str, headers: dict[str, str], *, now: dt.datetime | None = None
) -> bool:
    """Whether ``headers`` (lower-case names) carry a valid SigV4 signature of the request by the
    known identity, for the service ``lambda`` in :data:`REGION`."""
    found = _AUTHORIZATION.fullmatch(headers.get("authorization", ""))
    if not found or found["key"] != ACCESS_KEY or found["region"] != REGION or found["service"] != "lambda":
        return False
    stamp = headers.get("x-amz-date", "")
    try:
        when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return False
    if abs((now or dt.datetime.now(dt.UTC)) - when) > MAX_SKEW or found["day"] != stamp[:8]:
        return False
    signed = found["signed"].split(";")
    if "host" not in signed or any(name not in headers for name in signed):
        return False
    request = AWSRequest(method=method, url=url, headers={name: headers[name] for name in signed})
    auth = SigV4Auth(
        Credentials(ACCESS_KEY, SECRET_KEY, headers.get("x-amz-security-token")), "lambda", REGION
    )
    request.context["timestamp"] = stamp
    expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    return hmac.compare_digest(expected, found["signature"])


def event_of(method: str, target: str, headers: dict[str, str], *, domain: str) -> dict[str, Any]:
    """The payload-format 2.0 event Lambda sends a function for this request."""
    parts = urlsplit(target)
    now = dt.datetime.now(dt.UTC)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": domain.split(".", 1)[0],
            "authorizer": {"iam": {"accessKey": ACCESS_KEY, "accountId": "123456789012"}},
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {"method": method, "path": parts.path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": headers.get("user-agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }  # fmt: skip


@dataclass
class Answered:
    """What the function answered one request: its path, status and the size of its payload."""

    path: str
    status: int
    payload_bytes: int
    base64: bool
    seconds: float


@dataclass
class FunctionUrl:
    """The URL on 127.0.0.1; ``invoke`` runs the function (an event in, its answer out)."""

    invoke: Callable[[dict[str, Any]], dict[str, Any]]
    refused: int = 0
    answered: list[Answered] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> FunctionUrl:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        url = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                target = f"http://{headers.get('host', '')}{self.path}"
                if not signature_holds(self.command, target, headers):
                    url.refused += 1
                    self._send(403, {"Content-Type": "application/json"}, b'{"Message":"Forbidden"}')
                    return
                started = time.monotonic()
                answer = url.invoke(event_of(self.command, self.path, headers, domain=headers["host"]))
                seconds = time.monotonic() - started
                payload = json.dumps(answer).encode()
                base64_body = bool(answer.get("isBase64Encoded"))
                url.answered.append(
                    Answered(self.path, answer["statusCode"], len(payload), base64_body, seconds)
                )
                body = answer.get("body") or ""
                data = base64.b64decode(body) if base64_body else body.encode()
                self._send(answer["statusCode"], answer.get("headers", {}), data)

            do_HEAD = do_GET

        return Handler
