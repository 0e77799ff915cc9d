"""The dashboard's Function URL in a browser: a proxy on 127.0.0.1 that signs each request (SigV4).

The stack's dashboard (template.yaml, ``Dashboard=true``) sits behind a Lambda Function URL whose
``AuthType`` is ``AWS_IAM``: Lambda answers 403 to any request that is not signed with AWS Signature
Version 4 by an identity allowed ``lambda:InvokeFunctionUrl`` on the function. A browser signs
nothing, so ``cinelake aws dashboard --url <DashboardUrl>`` listens on 127.0.0.1, signs every GET or
HEAD the browser sends with the caller's own AWS credentials (boto3's chain: ``aws sso login``, a
profile, environment variables; read again for each request, so refreshed SSO credentials are used),
forwards it to the Function URL and hands the answer back.

The signing is botocore's (``SigV4Auth``, service ``lambda``), the forwarding httpx's, the server
Starlette under uvicorn like the dashboard's own. Written here because no maintained Python package
serves a signing proxy: awscurl signs one request from the command line, aws-sigv4-proxy is a Go
program to install apart.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from cinelake.errors import ConfigError, UsageError

SERVICE = "lambda"
FUNCTION_URL = re.compile(r"^https://[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws/?$")
# Not forwarded: hop-by-hop headers, and what the browser keeps for the local page (its cookies,
# its own origin); the signature covers every header that is forwarded.
REQUEST_HEADERS_KEPT_LOCAL = frozenset(
    {"host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
     "cookie", "authorization", "origin", "referer"}
)  # fmt: skip
# httpx hands back the decoded body: its length and encoding are the proxy's to set.
RESPONSE_HEADERS_DROPPED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)
FORWARD_TIMEOUT_SECONDS = 90.0  # the function's own timeout (60 s) and a cold start


def function_url_region(url: str) -> str:
    """The region of a Function URL (``https://<id>.lambda-url.<region>.on.aws/``)."""
    found = FUNCTION_URL.match(url)
    if not found:
        raise UsageError(
            f"{url!r} is not a Lambda Function URL (https://<id>.lambda-url.<region>.on.aws/): "
            "give the stack's DashboardUrl output"
        )
    return found[1]


def sign(
    method: str, url: str, headers: dict[str, str], body: bytes, credentials: ReadOnlyCredentials, region: str
) -> dict[str, str]:
    """``headers`` with the SigV4 signature of the request added (Authorization, X-Amz-Date and, for
    temporary credentials, X-Amz-Security-Token)."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(credentials, SERVICE, region).add_auth(request)
    return dict(request.headers.items())


def session_credentials(profile: str | None = None) -> Any:
    """The caller's AWS credentials (boto3's chain); a :class:`ConfigError` when there are none."""
    import boto3
    import botocore.exceptions

    try:
        credentials = boto3.Session(profile_name=profile).get_credentials()
    except botocore.exceptions.ProfileNotFound as exc:
        raise ConfigError(str(exc)) from None
    if credentials is None:
        raise ConfigError(
            "no AWS credentials found: sign in first (aws sso login, aws configure, or AWS_PROFILE)"
        )
    return credentials


def create_proxy(
    function_url: str,
    *,
    region: str,
    credentials: Any,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """The proxy's ASGI app: each GET or HEAD is signed with ``credentials`` (anything with
    ``get_frozen_credentials()``, as boto3 gives) and sent to ``function_url``."""
    base = function_url.rstrip("/")
    client = httpx.AsyncClient(timeout=FORWARD_TIMEOUT_SECONDS, transport=transport)

    async def forward(request: Request) -> Response:
        target = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in REQUEST_HEADERS_KEPT_LOCAL}
        try:
            signed = sign(request.method, target, headers, b"", credentials.get_frozen_credentials(), region)
            answer = await client.request(request.method, target, headers=signed)
        except httpx.HTTPError as exc:
            return PlainTextResponse(f"the dashboard cannot be reached: {exc}", status_code=502)
        if answer.status_code == 403:  # the dashboard itself never answers 403: the Function URL does
            return PlainTextResponse(
                "the Function URL refused the signed request (403): the credentials lack "
                "lambda:InvokeFunctionUrl on the dashboard (attach the stack's DashboardViewerPolicy), "
                "or are for another account",
                status_code=403,
            )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in RESPONSE_HEADERS_DROPPED}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    return Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "HEAD"])])
