"""Every AWS call a step makes, checked against its role's policy in template.yaml.

A recording proxy (one per function) stands between the function and moto: it forwards each request
unchanged and notes what it asks for and what moto answered. :func:`required` turns a request into
the IAM actions and resources AWS authorises it against, and :class:`Policy` evaluates a role's
policies the way IAM does for the subset the template uses. A request outside the subset is reported
as unknown, so nothing passes unread.

What AWS documents and this audit follows:

- S3 operations map to actions by operation, not by HTTP method ("Required permissions for Amazon S3
  API operations", Amazon S3 User Guide): ``?tagging`` is ``s3:PutObjectTagging`` /
  ``s3:GetObjectTagging`` / ``s3:DeleteObjectTagging``, ``?uploadId`` on DELETE is
  ``s3:AbortMultipartUpload``, ``?versionId`` reads and deletes are ``s3:GetObjectVersion`` /
  ``s3:DeleteObjectVersion``, ListObjects(V2) and HeadBucket are ``s3:ListBucket`` on the bucket with
  the ``s3:prefix`` condition key present only when the request has a prefix, CopyObject (and
  UploadPartCopy) needs ``s3:GetObject`` on its ``x-amz-copy-source`` as well as ``s3:PutObject`` on
  the target, a PutObject with ``x-amz-tagging`` needs ``s3:PutObjectTagging`` too.
- A read of a missing object is answered 404 only when the caller may ``s3:ListBucket`` (else 403,
  GetObject's API reference); the listing is authorised with the object's key as ``s3:prefix``
  (Ceph RGW's read_obj_policy does the same to match AWS, ceph/ceph#68577).
- Policy evaluation logic (IAM User Guide): an explicit Deny in the identity policy or the bucket
  policy wins; otherwise an Allow in either grants. Condition operators with ``IfExists`` hold when
  the key is absent; without it they fail; ``*`` and ``?`` are the only wildcards.
- ``Fn::If`` statements and resources are evaluated with the stack's parameters, and
  ``AWS::NoValue`` removes what it stands for, as CloudFormation does before IAM ever sees the policy.

The functions reach S3 through boto3's default HTTPS endpoint on AWS, so requests carry
``aws:SecureTransport = true`` unless a test says otherwise (the proxy's plain HTTP is the test's).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ACCOUNT = "123456789012"
REGION = "us-east-1"
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
}


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str
    query: str
    target: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()  # lower-case names
    status: int = 200  # what the service answered

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


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
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                headers["Host"] = proxy.upstream.netloc
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                with proxy._lock:
                    proxy.calls.append(
                        Call(match[1] if match else "?", self.command, parts.path, parts.query,
                             self.headers.get("X-Amz-Target", ""), body,
                             tuple((k.lower(), v) for k, v in self.headers.items()), response.status)
                    )  # fmt: skip
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


# --- what a call needs -------------------------------------------------------------------------------

# Bucket sub-resources read with GET (ListObjects aside) and the action each needs.
_BUCKET_GET = {
    "location": "s3:GetBucketLocation", "versioning": "s3:GetBucketVersioning",
    "policy": "s3:GetBucketPolicy", "tagging": "s3:GetBucketTagging", "acl": "s3:GetBucketAcl",
    "lifecycle": "s3:GetLifecycleConfiguration", "encryption": "s3:GetEncryptionConfiguration",
    "uploads": "s3:ListBucketMultipartUploads", "versions": "s3:ListBucketVersions",
}  # fmt: skip
# Object sub-resources: (action, action when the request names a versionId).
_OBJECT_GET = {
    "tagging": ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    "acl": ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "attributes": ("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    "retention": ("s3:GetObjectRetention", "s3:GetObjectRetention"),
    "legal-hold": ("s3:GetObjectLegalHold", "s3:GetObjectLegalHold"),
    "uploadId": ("s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"),
}
_OBJECT_PUT = {
    "tagging": ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    "acl": ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    "retention": ("s3:PutObjectRetention", "s3:PutObjectRetention"),
    "legal-hold": ("s3:PutObjectLegalHold", "s3:PutObjectLegalHold"),
}
_OBJECT_DELETE = {
    "tagging": ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    "uploadId": ("s3:AbortMultipartUpload", "s3:AbortMultipartUpload"),
}
_OBJECT_POST = {"uploads": "s3:PutObject", "uploadId": "s3:PutObject", "restore": "s3:RestoreObject",
                "select": "s3:GetObject"}  # fmt: skip
# Query parameters that are options of an operation, not a sub-resource naming another one.
_OPTIONS = {
    "list-type", "prefix", "delimiter", "max-keys", "marker", "continuation-token", "start-after",
    "fetch-owner", "encoding-type", "versionId", "partNumber", "response-content-type",
    "response-content-disposition", "response-cache-control", "x-id", "key-marker",
    "version-id-marker", "upload-id-marker", "max-uploads", "max-parts", "part-number-marker",
}  # fmt: skip


def s3_arn(bucket: str, key: str | None = None) -> str:
    return f"arn:aws:s3:::{bucket}" if key is None else f"arn:aws:s3:::{bucket}/{key}"


def _listing(bucket: str, query: Mapping[str, list[str]], action: str = "s3:ListBucket") -> Need:
    context = (("s3:prefix", query["prefix"][0]),) if "prefix" in query else ()
    return Need(action, s3_arn(bucket), context)


def _copy_source(call: Call) -> list[Need]:
    """``s3:GetObject`` (or ``GetObjectVersion``) on a CopyObject's or UploadPartCopy's source."""
    source = call.header("x-amz-copy-source")
    if source is None:
        return []
    path, _, version = unquote(source).lstrip("/").partition("?versionId=")
    bucket, _, key = path.partition("/")
    return [Need("s3:GetObjectVersion" if version else "s3:GetObject", s3_arn(bucket, key))]


def _s3(call: Call) -> list[Need]:
    bucket, _, key = call.path.lstrip("/").partition("/")
    key = unquote(key)
    query = parse_qs(call.query, keep_blank_values=True)
    subresources = [name for name in query if name not in _OPTIONS]
    if len(subresources) > 1:
        return [Need(f"s3:?{call.method}?{call.query}", s3_arn(bucket, key or None))]
    sub = subresources[0] if subresources else None
    versioned = 1 if "versionId" in query else 0
    if not key:
        if call.method == "GET" and sub is None:
            return [_listing(bucket, query)]
        if call.method == "GET" and sub in _BUCKET_GET:
            return [_listing(bucket, query, _BUCKET_GET[sub]) if sub in ("versions", "uploads")
                    else Need(_BUCKET_GET[sub], s3_arn(bucket))]  # fmt: skip
        if call.method == "HEAD" and sub is None:
            return [Need("s3:ListBucket", s3_arn(bucket))]
        if call.method == "POST" and sub == "delete":
            needs = []
            for entry in re.findall(rb"<Object>(.*?)</Object>", call.body, re.S):
                name = re.search(rb"<Key>(.*?)</Key>", entry, re.S)
                action = "s3:DeleteObjectVersion" if b"<VersionId>" in entry else "s3:DeleteObject"
                needs.append(Need(action, s3_arn(bucket, name[1].decode() if name else "?")))
            return needs
        if call.method == "PUT" and sub is None:
            return [Need("s3:CreateBucket", s3_arn(bucket))]
        if call.method == "DELETE" and sub is None:
            return [Need("s3:DeleteBucket", s3_arn(bucket))]
        return [Need(f"s3:?{call.method}?{call.query}", s3_arn(bucket))]
    arn = s3_arn(bucket, key)
    if call.method in ("GET", "HEAD"):
        if sub is None:
            needs = [Need(("s3:GetObject", "s3:GetObjectVersion")[versioned], arn)]
            if call.status == 404:  # a 404, not a 403: S3 checked the caller may list this key
                needs.append(Need("s3:ListBucket", s3_arn(bucket), (("s3:prefix", key),)))
            return needs
        if sub in _OBJECT_GET:
            return [Need(_OBJECT_GET[sub][versioned], arn)]
    if call.method == "PUT":
        if sub is None or (sub == "uploadId" and "partNumber" in query):  # PutObject, CopyObject, UploadPart
            needs = [Need("s3:PutObject", arn), *_copy_source(call)]
            if call.header("x-amz-tagging"):
                needs.append(Need("s3:PutObjectTagging", arn))
            return needs
        if sub in _OBJECT_PUT:
            return [Need(_OBJECT_PUT[sub][versioned], arn)]
    if call.method == "POST" and sub in _OBJECT_POST:
        return [Need(_OBJECT_POST[sub], arn)]
    if call.method == "DELETE":
        if sub is None:
            return [Need(("s3:DeleteObject", "s3:DeleteObjectVersion")[versioned], arn)]
        if sub in _OBJECT_DELETE:
            return [Need(_OBJECT_DELETE[sub][versioned], arn)]
    return [Need(f"s3:?{call.method}?{call.query}", arn)]


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


# --- the template's values, as CloudFormation resolves them ----------------------------------------------

NO_VALUE = object()


class Resolver:
    """The template's intrinsic functions (Ref, Fn::Sub, Fn::GetAtt, Fn::If, Conditions) with the stack's
    parameters (the template's defaults for those not given) and the names CloudFormation gives.

    Physical names follow the template (``FunctionName``, ``Name``...); the secret is ``secret:<id>``,
    the form :func:`required` gives Secrets Manager calls.
    """

    def __init__(self, template: dict[str, Any], variables: Mapping[str, str], *, secret: str = "") -> None:
        self.template = template
        defaults = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
        self.values = {**PSEUDO, "AWS::StackName": "cinelake", **defaults, **variables}
        self.secret = secret

    def condition(self, name: str) -> bool:
        return bool(self._condition(self.template["Conditions"][name]))

    def _condition(self, expression: Any) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            ((fn, arg),) = expression.items()
            if fn == "Fn::Equals":
                return self._condition(arg[0]) == self._condition(arg[1])
            if fn == "Fn::Not":
                return not self._condition(arg[0])
            if fn == "Fn::And":
                return all(self._condition(a) for a in arg)
            if fn == "Fn::Or":
                return any(self._condition(a) for a in arg)
            if fn == "Condition":
                return self.condition(arg)
        return self.resolve(expression)

    def exists(self, logical: str) -> bool:
        resource = self.template["Resources"][logical]
        return "Condition" not in resource or self.condition(resource["Condition"])

    def ref(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        resource = self.template["Resources"][name]
        kind, props = resource["Type"], resource.get("Properties", {})
        region, account = self.values["AWS::Region"], self.values["AWS::AccountId"]
        if kind == "AWS::SecretsManager::Secret":
            return f"secret:{self.secret}"
        if kind == "AWS::SNS::Topic":
            return f"arn:aws:sns:{region}:{account}:{self.resolve(props['TopicName'])}"
        if kind == "AWS::StepFunctions::StateMachine":
            return f"arn:aws:states:{region}:{account}:stateMachine:{self.resolve(props['StateMachineName'])}"
        for attribute in ("FunctionName", "Name", "LogGroupName", "BucketName"):
            if attribute in props:
                return str(self.resolve(props[attribute]))
        if kind == "AWS::Glue::Database":
            return str(self.resolve(props["DatabaseInput"]["Name"]))
        return f"{self.values['AWS::StackName']}-{name}"  # a generated name

    def get_att(self, name: str, attribute: str) -> str:
        assert attribute == "Arn", (name, attribute)
        kind = self.template["Resources"][name]["Type"]
        region, account = self.values["AWS::Region"], self.values["AWS::AccountId"]
        physical = self.ref(name)
        if kind == "AWS::Serverless::Function":
            return f"arn:aws:lambda:{region}:{account}:function:{physical}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:aws:logs:{region}:{account}:log-group:{physical}:*"
        if kind == "AWS::IAM::Role":
            return f"arn:aws:iam::{account}:role/{physical}"
        if kind == "AWS::Glue::Job":
            return f"arn:aws:glue:{region}:{account}:job/{physical}"
        return physical  # topics and state machines: Ref is already the ARN

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function evaluated; NO_VALUE for ``AWS::NoValue``."""
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return NO_VALUE if arg == "AWS::NoValue" else self.ref(arg)
            if fn == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical, attribute)
            if fn == "Fn::If":
                condition, yes, no = arg
                return self.resolve(yes if self.condition(condition) else no)
            if fn == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
                return re.sub(r"\$\{([^}!]+)\}", lambda m: self._sub(m[1], local), text)
            if fn == "Fn::Join":
                separator, parts = arg
                return separator.join(str(p) for p in self.resolve(parts))
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _sub(self, name: str, local: Mapping[str, Any]) -> str:
        if name in local:
            return str(local[name])
        if name in self.values or "." not in name:
            return self.ref(name)
        logical, attribute = name.split(".", 1)
        return self.get_att(logical, attribute)


# --- the policies --------------------------------------------------------------------------------------


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@cache
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's matching: ``*`` any run of characters, ``?`` one character, nothing else special."""
    text = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(text, re.S | (re.I if ignore_case else 0))


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


def _operator_holds(operator: str, values: list[str], expected: list[Any]) -> bool:
    expected = [str(e).lower() if isinstance(e, bool) else str(e) for e in expected]
    if operator in ("StringLike", "ArnLike"):
        return any(matches(e, v) for v in values for e in expected)
    if operator in ("StringNotLike", "ArnNotLike"):
        return not any(matches(e, v) for v in values for e in expected)
    if operator in ("StringEquals", "ArnEquals", "Bool"):
        return any(v == e for v in values for e in expected)
    if operator == "StringNotEquals":
        return not any(v == e for v in values for e in expected)
    raise KeyError(operator)


def conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str], *, unknown: bool) -> bool:
    """Whether a statement's Condition block holds for a request with these condition keys.

    ``unknown`` is the answer for an operator this audit does not evaluate: False for an Allow (never
    a silent grant), True for a Deny (never a silent escape from one).
    """
    for operator, keys in conditions.items():
        for key, expected in keys.items():
            present = key in context
            if operator == "Null":  # "true": the key must be absent
                if (str(expected).lower() == "true") == present:
                    return False
                continue
            base = operator.removesuffix("IfExists")
            if not present:
                if base == operator:
                    return False
                continue
            try:
                if not _operator_holds(base, [context[key]], _listed(expected)):
                    return False
            except KeyError:
                return unknown
    return True


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: Mapping[str, Any]
    not_actions: bool = False
    not_resources: bool = False
    principals: tuple[str, ...] = ()  # a resource policy's; empty for an identity policy's

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Statement:
        principal = raw.get("Principal")
        principals: tuple[str, ...] = ()
        if principal is not None:
            principals = tuple(
                str(p) for p in (_listed(principal) if not isinstance(principal, dict)
                                 else [x for v in principal.values() for x in _listed(v)])
            )  # fmt: skip
        return cls(
            effect=raw["Effect"],
            actions=tuple(_listed(raw.get("Action", raw.get("NotAction")))),
            resources=tuple(_listed(raw.get("Resource", raw.get("NotResource")))),
            conditions=raw.get("Condition", {}),
            not_actions="NotAction" in raw,
            not_resources="NotResource" in raw,
            principals=principals,
        )

    def applies(self, need: Need, context: Mapping[str, str], principal: str) -> bool:
        if self.principals and not any(matches(p, principal) for p in self.principals):
            return False
        action = any(matches(a, need.action, ignore_case=True) for a in self.actions)
        resource = any(matches(r, need.resource) for r in self.resources)
        if action == self.not_actions or resource == self.not_resources:
            return False
        return conditions_hold(self.conditions, context, unknown=self.effect == "Deny")


@dataclass
class Policy:
    """A role's statements from the template (its inline policies, plus the lake bucket's policy for S3),
    resolved with the stack's parameters."""

    statements: list[Statement]
    bucket_statements: list[Statement] = field(default_factory=list)
    principal: str = ""
    request_context: dict[str, str] = field(default_factory=lambda: {"aws:SecureTransport": "true"})

    @classmethod
    def of_role(
        cls, template: dict[str, Any], role: str, variables: Mapping[str, str], secret: str
    ) -> Policy:
        resolver = Resolver(template, variables, secret=secret)
        return cls.of_resolved(resolver, role)

    @classmethod
    def of_resolved(cls, resolver: Resolver, role: str) -> Policy:
        statements = []
        for policy in template_role(resolver.template, role).get("Policies", []):
            document = resolver.resolve(policy["PolicyDocument"])
            statements += [Statement.of(s) for s in _listed(document.get("Statement", []))]
        bucket_statements = []
        for logical, resource in resolver.template["Resources"].items():
            if resource["Type"] == "AWS::S3::BucketPolicy" and resolver.exists(logical):
                document = resolver.resolve(resource["Properties"]["PolicyDocument"])
                bucket = resolver.resolve(resource["Properties"]["Bucket"])
                bucket_statements += [
                    s for s in (Statement.of(raw) for raw in _listed(document["Statement"]))
                    if all(r.startswith(s3_arn(bucket)) for r in s.resources)
                ]  # fmt: skip
        return cls(statements, bucket_statements, resolver.get_att(role, "Arn"))

    def allows(self, need: Need) -> bool:
        context = {**self.request_context, **dict(need.context)}
        bucket_arn = need.resource.split("/", 1)[0]
        bucket = [
            s
            for s in self.bucket_statements
            if need.resource.startswith("arn:aws:s3:::")
            and any(matches(r.split("/", 1)[0], bucket_arn) for r in s.resources)
        ]
        every = [*self.statements, *bucket]
        if any(s.effect == "Deny" and s.applies(need, context, self.principal) for s in every):
            return False
        return any(s.effect == "Allow" and s.applies(need, context, self.principal) for s in every)


def template_role(template: Mapping[str, Any], role: str) -> dict[str, Any]:
    resource = template["Resources"][role]
    assert resource["Type"] == "AWS::IAM::Role", f"{role} is not a role"
    props: dict[str, Any] = resource["Properties"]
    return props


def roles(template: Mapping[str, Any]) -> list[str]:
    """Every IAM role of the template."""
    return [n for n, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"]


def audit(calls: list[Call], policy: Policy) -> list[str]:
    """Every authorisation among ``calls`` that the policy does not grant."""
    problems = []
    for call in calls:
        for need in required(call):
            if not policy.allows(need):
                problems.append(f"{call.method} {call.path}?{call.query} {call.target}: needs {need}")
    return sorted(set(problems))


def denied(needs: list[Need], policy: Policy) -> list[str]:
    """The needs the policy does not grant, as text."""
    return sorted({str(n) for n in needs if not policy.allows(n)})


# --- what the template's services do with their roles --------------------------------------------------

# What a service integration needs of the state machine's role (Step Functions developer guide, "IAM
# policies for ... integrated services"): the .sync Glue pattern polls and may stop the run.
_TASK_ACTIONS: dict[str, tuple[str, ...]] = {
    "arn:aws:states:::lambda:invoke": ("lambda:InvokeFunction",),
    "arn:aws:states:::glue:startJobRun.sync": (
        "glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun",
    ),
    "arn:aws:states:::glue:startJobRun": ("glue:StartJobRun",),
    "arn:aws:states:::sns:publish": ("sns:Publish",),
}  # fmt: skip


def _states(definition: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for state in definition.get("States", {}).values():
        yield state
        for nested in (state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])):
            if nested:
                yield from _states(nested)


def _task_target(resource: str, parameters: Mapping[str, Any], resolver: Resolver) -> str:
    region, account = resolver.values["AWS::Region"], resolver.values["AWS::AccountId"]
    if resource.startswith("arn:aws:states:::lambda:"):
        name = str(parameters["FunctionName"])
        return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
    if resource.startswith("arn:aws:states:::glue:"):
        return f"arn:aws:glue:{region}:{account}:job/{parameters['JobName']}"
    if resource.startswith("arn:aws:states:::sns:"):
        return str(parameters["TopicArn"])
    return resource  # a Lambda ARN as the resource itself, or an integration this audit does not know


def state_machine_needs(resolver: Resolver, logical: str) -> list[Need]:
    """What the state machine's tasks need of its role, with the template's substitutions applied.

    A task whose target the template substitutes with ``none`` belongs to a part of the stack this
    configuration does not create (the Glue jobs under TransformEngine=lambda, the topic without an
    e-mail); a Choice on the same parameter keeps executions away from it, so it needs nothing.
    """
    props = resolver.template["Resources"][logical]["Properties"]
    substitutions = {k: str(resolver.resolve(v)) for k, v in props.get("DefinitionSubstitutions", {}).items()}
    text = json.dumps(props["Definition"])
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", value)
    needs = []
    for state in _states(json.loads(text)):
        if state.get("Type") != "Task":
            continue
        resource = state["Resource"]
        parameters = state.get("Parameters", {})
        target = _task_target(resource, parameters, resolver)
        if target.rsplit(":", 1)[-1].rsplit("/", 1)[-1] == "none":
            continue
        for action in _TASK_ACTIONS.get(resource, (f"states-task:?{resource}",)):
            needs.append(Need(action, target))
    return needs


def schedule_needs(resolver: Resolver, logical: str) -> dict[str, list[Need]]:
    """What each of an EventBridge rule's targets needs of the role it names: role -> needs."""
    found: dict[str, list[Need]] = {}
    for target in resolver.template["Resources"][logical]["Properties"].get("Targets", []):
        if "RoleArn" not in target:
            continue
        role = target["RoleArn"]["Fn::GetAtt"][0]
        arn = str(resolver.resolve(target["Arn"]))
        action = "states:StartExecution" if ":states:" in arn else f"events-target:?{arn}"
        found.setdefault(role, []).append(Need(action, arn))
    return found


def glue_job_needs(resolver: Resolver, logical: str) -> list[Need]:
    """What a Glue job run needs of its role before its script runs: the script and the extra modules."""
    props = resolver.resolve(resolver.template["Resources"][logical]["Properties"])
    locations = [props["Command"]["ScriptLocation"]]
    modules = props.get("DefaultArguments", {}).get("--additional-python-modules", "")
    locations += [m for m in modules.split(",") if m.startswith("s3://")]
    needs = []
    for location in locations:
        bucket, _, key = location.removeprefix("s3://").partition("/")
        needs.append(Need("s3:GetObject", s3_arn(bucket, key)))
    return needs


def objects_needs(bucket: str, written: list[str], deleted: list[str]) -> list[Need]:
    """What writing and deleting these keys of ``bucket`` needs."""
    return [*(Need("s3:PutObject", s3_arn(bucket, k)) for k in written),
            *(Need("s3:DeleteObject", s3_arn(bucket, k)) for k in deleted)]  # fmt: skip


def role_of(template: Mapping[str, Any], logical: str) -> str:
    """The logical name of the role a function or Glue job runs as."""
    role = template["Resources"][logical]["Properties"]["Role"]
    return str(role["Fn::GetAtt"][0] if isinstance(role, dict) else role)

