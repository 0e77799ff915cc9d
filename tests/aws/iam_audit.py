"""Every AWS call a step makes, checked against its role's policy in template.yaml.

A recording proxy (one per function) stands between the function and moto: it forwards each request
unchanged and notes what it asks for. :func:`required` turns a request into the IAM actions and
resources AWS would authorise it against (S3 by method and path, Glue, Secrets Manager and Athena by
``X-Amz-Target``), and :class:`Policy` evaluates the role's Allow statements (actions, resource
patterns, the ``s3:prefix`` conditions) the way IAM does for this subset. A request outside the
subset is reported as unknown, so nothing passes unread.
"""

from __future__ import annotations

import fnmatch
import http.client
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str
    query: str
    target: str
    body: bytes


@dataclass(frozen=True)
class Need:
    """One IAM authorisation a call needs."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()  # condition keys present, e.g. (("s3:prefix", "Raw/"),)

    def __str__(self) -> str:
        extra = "".join(f" {k}={v!r}" for k, v in self.context)
        return f"{self.action} on {self.resource}{extra}"


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that forwards to ``upstream`` and records every call."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                auth = self.headers.get("Authorization", "")
                match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
                parts = urlsplit(self.path)
                with proxy._lock:
                    proxy.calls.append(
                        Call(match[1] if match else "?", self.command, parts.path, parts.query,
                             self.headers.get("X-Amz-Target", ""), body)
                    )  # fmt: skip
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                headers["Host"] = proxy.upstream.netloc
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                head = self.command == "HEAD"  # a HEAD's Content-Length is the object's size: keep it
                for name, value in response.getheaders():
                    dropped = (
                        ("transfer-encoding", "connection")
                        if head
                        else ("transfer-encoding", "connection", "content-length")
                    )
                    if name.lower() not in dropped:
                        self.send_header(name, value)
                if not head:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        return Handler


def _s3(call: Call) -> list[Need]:
    bucket, _, key = call.path.lstrip("/").partition("/")
    key = unquote(key)
    query = parse_qs(call.query, keep_blank_values=True)
    if not key:
        if call.method == "GET" and ("list-type" in query or "prefix" in query or not query):
            context = (("s3:prefix", query["prefix"][0]),) if "prefix" in query else ()
            return [Need("s3:ListBucket", f"arn:aws:s3:::{bucket}", context)]
        if call.method == "HEAD":
            return [Need("s3:ListBucket", f"arn:aws:s3:::{bucket}")]
        if call.method == "POST" and "delete" in query:
            keys = re.findall(rb"<Key>(.*?)</Key>", call.body)
            return [Need("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{k.decode()}") for k in keys]
        return [Need(f"s3:?{call.method}?{call.query}", f"arn:aws:s3:::{bucket}")]
    arn = f"arn:aws:s3:::{bucket}/{key}"
    if call.method in ("GET", "HEAD"):
        return [Need("s3:GetObject", arn)]
    if call.method in ("PUT", "POST"):
        return [Need("s3:PutObject", arn)]
    if call.method == "DELETE":
        return [Need("s3:DeleteObject", arn)]
    return [Need(f"s3:?{call.method}", arn)]


def _glue(call: Call) -> list[Need]:
    operation = call.target.split(".", 1)[-1]
    body = json.loads(call.body or b"{}")
    database = body.get("DatabaseName") or body.get("Name") or (body.get("DatabaseInput") or {}).get("Name")
    table = body.get("TableName") or (body.get("TableInput") or {}).get("Name")
    base = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    resources = [f"{base}:catalog", f"{base}:database/{database}"]
    if table:
        resources.append(f"{base}:table/{database}/{table}")
    elif operation in ("GetTables", "DeleteTable"):
        resources.append(f"{base}:table/{database}/*")
    return [Need(f"glue:{operation}", r) for r in resources]


def required(call: Call) -> list[Need]:
    """The authorisations AWS would check for ``call``."""
    if call.service == "s3":
        return _s3(call)
    if call.service == "glue":
        return _glue(call)
    if call.service == "secretsmanager":
        body = json.loads(call.body or b"{}")
        return [Need(f"secretsmanager:{call.target.split('.', 1)[-1]}", f"secret:{body.get('SecretId')}")]
    if call.service == "sqs":  # the JSON protocol: the queue is named by its URL in the body
        queue = str(json.loads(call.body or b"{}").get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1]
        return [Need(f"sqs:{call.target.split('.', 1)[-1]}", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}")]
    if call.service == "athena":
        return [
            Need(f"athena:{call.target.split('.', 1)[-1]}", f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/*")
        ]
    return [Need(f"{call.service}:?", call.path)]


@dataclass
class Policy:
    """A role's Allow statements from the template, with its !Sub variables filled in."""

    statements: list[dict[str, Any]]
    variables: dict[str, str]
    secret: str = ""
    denied: list[str] = field(default_factory=list)

    @classmethod
    def of_role(cls, template: dict[str, Any], role: str, variables: dict[str, str], secret: str) -> Policy:
        statements = []
        for policy in template["Resources"][role]["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "Fn::If" in statement:
                    statement = statement["Fn::If"][1]
                if statement.get("Effect") == "Allow":
                    statements.append(statement)
        return cls(statements, variables, secret)

    def _resources(self, statement: dict[str, Any]) -> list[str]:
        found = []
        for value in (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        ):
            if isinstance(value, dict) and value.get("Ref") == "TMDBSecret":
                found.append(f"secret:{self.secret}")
            elif isinstance(value, dict) and "Fn::Sub" in value:
                text = value["Fn::Sub"]
                for name, replacement in self.variables.items():
                    text = text.replace("${" + name + "}", replacement)
                found.append(text)
            else:
                found.append(str(value))
        return found

    def allows(self, need: Need) -> bool:
        context = dict(need.context)
        for statement in self.statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if need.action not in actions:
                continue
            if not any(fnmatch.fnmatchcase(need.resource, r) for r in self._resources(statement)):
                continue
            if self._conditions_hold(statement.get("Condition", {}), context):
                return True
        return False

    @staticmethod
    def _conditions_hold(conditions: dict[str, Any], context: dict[str, str]) -> bool:
        for operator, keys in conditions.items():
            if_exists = operator.endswith("IfExists")
            if operator.removesuffix("IfExists") != "StringLike":
                return False  # an operator this audit does not evaluate: never a silent pass
            for key, patterns in keys.items():
                if key not in context:
                    if not if_exists:
                        return False
                    continue
                patterns = patterns if isinstance(patterns, list) else [patterns]
                if not any(fnmatch.fnmatchcase(context[key], p) for p in patterns):
                    return False
        return True


def audit(calls: list[Call], policy: Policy) -> list[str]:
    """Every authorisation among ``calls`` that the policy does not grant."""
    problems = []
    for call in calls:
        for need in required(call):
            if not policy.allows(need):
                problems.append(f"{call.method} {call.path}?{call.query} {call.target}: needs {need}")
    return sorted(set(problems))
