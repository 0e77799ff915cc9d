"""The access audit itself: it must refuse what a role does not grant, or the day test proves nothing."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest

from tests.aws import iam_audit
from tests.aws.iam_audit import Call, Need, Policy, Resolver
from tests.aws.stack import load_template

VARIABLES = {"AWS::StackName": "cinelake", "BucketName": "lake", "GlueDatabaseName": "cinelake"}
LAKE = "arn:aws:s3:::lake"


def policy(role: str, template: dict[str, Any] | None = None, **parameters: str) -> Policy:
    return Policy.of_role(template or load_template(), role, {**VARIABLES, **parameters}, "cinelake/tmdb")


def s3(method: str, path: str, query: str = "", *, status: int = 200, **headers: str) -> Call:
    named = tuple((k.replace("_", "-"), v) for k, v in headers.items())
    return Call("s3", method, path, query, "", b"", named, status)


def glue(operation: str, **body: object) -> Call:
    return Call("glue", "POST", "/", "", f"AWSGlue.{operation}", json.dumps(body).encode())


def test_s3_keys_and_prefixes() -> None:
    plan = policy("PlanRole")
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=Raw/Local/CSV/Movies/")], plan) == []
    assert iam_audit.audit([s3("HEAD", "/lake/Raw/Local/CSV/Movies")], plan) == []
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=Trusted/")], plan)
    assert iam_audit.audit([s3("PUT", "/lake/Raw/Local/CSV/x.csv")], plan)
    ingest = policy("IngestRole")
    assert iam_audit.audit([s3("PUT", "/lake/Raw/TMDB/JSON/Movies/2026/11/26/m.json")], ingest) == []
    assert iam_audit.audit([s3("PUT", "/lake/Refined/fact_movie/x.parquet")], ingest)
    report = policy("ReportRole")
    assert iam_audit.audit([s3("PUT", "/lake/Refined/_reports/2026/11/26/report.html")], report) == []
    assert iam_audit.audit([s3("PUT", "/lake/Refined/fact_movie/x.parquet")], report)
    assert iam_audit.audit([s3("DELETE", "/lake/Refined/_reports/2026/11/26/report.html")], report)


@pytest.mark.parametrize(
    ("call", "need"),
    [
        (
            s3("PUT", "/lake/Raw/TMDB/a.json", "tagging"),
            Need("s3:PutObjectTagging", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("GET", "/lake/Raw/TMDB/a.json", "tagging"),
            Need("s3:GetObjectTagging", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("DELETE", "/lake/Raw/TMDB/a.json", "tagging&versionId=v1"),
            Need("s3:DeleteObjectVersionTagging", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("DELETE", "/lake/Raw/TMDB/a.json", "uploadId=u1"),
            Need("s3:AbortMultipartUpload", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("GET", "/lake/Raw/TMDB/a.json", "versionId=v1"),
            Need("s3:GetObjectVersion", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("HEAD", "/lake/Raw/TMDB/a.json", "versionId=v1"),
            Need("s3:GetObjectVersion", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("DELETE", "/lake/Raw/TMDB/a.json", "versionId=v1"),
            Need("s3:DeleteObjectVersion", f"{LAKE}/Raw/TMDB/a.json"),
        ),
        (
            s3("GET", "/lake", "list-type=2&prefix=Raw/TMDB/"),
            Need("s3:ListBucket", LAKE, (("s3:prefix", "Raw/TMDB/"),)),
        ),
        (s3("GET", "/lake", "list-type=2"), Need("s3:ListBucket", LAKE)),
        (
            s3("GET", "/lake", "versions&prefix=Raw/"),
            Need("s3:ListBucketVersions", LAKE, (("s3:prefix", "Raw/"),)),
        ),
        (s3("GET", "/lake", "uploads"), Need("s3:ListBucketMultipartUploads", LAKE)),
        (s3("GET", "/lake", "location"), Need("s3:GetBucketLocation", LAKE)),
        (s3("POST", "/lake/Raw/TMDB/a.json", "uploads"), Need("s3:PutObject", f"{LAKE}/Raw/TMDB/a.json")),
        (
            s3("PUT", "/lake/Raw/TMDB/a.json", "partNumber=1&uploadId=u1"),
            Need("s3:PutObject", f"{LAKE}/Raw/TMDB/a.json"),
        ),
    ],
    ids=lambda value: value.action if isinstance(value, Need) else None,
)
def test_s3_requests_map_to_their_operations_actions(call: Call, need: Need) -> None:
    assert iam_audit.required(call) == [need]


def test_sub_resources_are_refused_where_the_role_grants_only_the_plain_action() -> None:
    ingest = policy("IngestRole")
    key = "/lake/Raw/TMDB/JSON/Movies/2026/11/26/m.json"
    assert iam_audit.audit([s3("PUT", key)], ingest) == []
    for call in (
        s3("PUT", key, "tagging"),
        s3("PUT", key, x_amz_tagging="run=1"),  # PutObject with tags also needs PutObjectTagging
        s3("DELETE", key, "uploadId=u1"),
        s3("GET", key, "versionId=v1"),
        s3("DELETE", key, "versionId=v1"),
    ):
        assert iam_audit.audit([call], ingest), call
    [problem] = iam_audit.audit([s3("DELETE", key, "uploadId=u1")], ingest)
    assert "s3:AbortMultipartUpload" in problem


def test_a_copy_reads_its_source() -> None:
    ingest = policy("IngestRole")
    target = "/lake/Raw/TMDB/JSON/Movies/2026/11/26/m.json"
    allowed = s3("PUT", target, x_amz_copy_source="/lake/Raw/Local/CSV/Movies/2026/11/26/movies.csv")
    assert iam_audit.required(allowed)[1] == Need(
        "s3:GetObject", f"{LAKE}/Raw/Local/CSV/Movies/2026/11/26/movies.csv"
    )
    assert iam_audit.audit([allowed], ingest) == []
    refused = s3("PUT", target, x_amz_copy_source="/lake/Refined/fact_movie/part-0.parquet")
    [problem] = iam_audit.audit([refused], ingest)
    assert f"s3:GetObject on {LAKE}/Refined/fact_movie/part-0.parquet" in problem
    versioned = s3("PUT", target, x_amz_copy_source="/lake/Raw/Local/a.csv?versionId=v1")
    assert "s3:GetObjectVersion" in iam_audit.audit([versioned], ingest)[0]


S3_ROLES = ["IngestRole", "PlanRole", "CatalogRole", "ReportRole", "TransformRole", "GlueJobRole"]


@pytest.mark.parametrize("role", S3_ROLES)
def test_a_listing_without_a_prefix_is_denied_to_every_role(role: str) -> None:
    """The hole StringLikeIfExists left: ListObjectsV2 with no prefix lists the whole bucket."""
    granted = policy(role)
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2")], granted)
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=")], granted)
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=_athena/")], granted)
    # The same role's own prefix lists, and a missing key there is a 404 (ListBucket with its key).
    own = {"IngestRole": "Raw/TMDB/", "PlanRole": "Raw/Local/"}.get(role, "Raw/")
    assert iam_audit.audit([s3("GET", "/lake", f"list-type=2&prefix={own}JSON/")], granted) == []
    missing = s3("HEAD", f"/lake/{own}JSON/_checkpoint.json", status=404)
    assert iam_audit.required(missing)[1] == Need(
        "s3:ListBucket", LAKE, (("s3:prefix", f"{own}JSON/_checkpoint.json"),)
    )
    assert iam_audit.audit([missing], granted) == []


def test_the_old_if_exists_condition_would_have_granted_the_bare_listing() -> None:
    """The audit tells the two conditions apart: the one the template had let the bare listing through."""
    template = copy.deepcopy(load_template())
    for statement in template["Resources"]["IngestRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]:
        if "Condition" in statement:
            statement["Condition"] = {"StringLikeIfExists": statement["Condition"]["StringLike"]}
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2")], policy("IngestRole", template)) == []


def test_deny_statements_win() -> None:
    template = copy.deepcopy(load_template())
    statements = template["Resources"]["IngestRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    statements.append(
        {
            "Effect": "Deny",
            "Action": "s3:Put*",
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}/Raw/TMDB/JSON/Series/*"},
        }
    )
    ingest = policy("IngestRole", template)
    assert iam_audit.audit([s3("PUT", "/lake/Raw/TMDB/JSON/Movies/2026/11/26/m.json")], ingest) == []
    assert iam_audit.audit([s3("PUT", "/lake/Raw/TMDB/JSON/Series/2026/11/26/s.json")], ingest)


def test_the_bucket_policy_is_honoured() -> None:
    """DataBucketPolicy denies every request over plain HTTP, whatever the role grants."""
    ingest = policy("IngestRole")
    put = s3("PUT", "/lake/Raw/TMDB/JSON/Movies/2026/11/26/m.json")
    assert iam_audit.audit([put], ingest) == []
    ingest.request_context["aws:SecureTransport"] = "false"
    assert iam_audit.audit([put], ingest)
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=Raw/TMDB/")], ingest)
    # ...and only the lake bucket's requests: the policy is that bucket's.
    assert iam_audit.audit([Call("secretsmanager", "POST", "/", "", "secretsmanager.GetSecretValue",
                                 b'{"SecretId": "cinelake/tmdb"}')], ingest) == []  # fmt: skip


def test_fn_if_statements_follow_the_parameters() -> None:
    start = Need(
        "glue:StartJobRun", f"arn:aws:glue:{iam_audit.REGION}:{iam_audit.ACCOUNT}:job/cinelake-raw-to-trusted"
    )
    publish = Need("sns:Publish", f"arn:aws:sns:{iam_audit.REGION}:{iam_audit.ACCOUNT}:cinelake-failures")
    transform = Need(
        "lambda:InvokeFunction",
        f"arn:aws:lambda:{iam_audit.REGION}:{iam_audit.ACCOUNT}:function:cinelake-transform",
    )
    on_lambda = policy("PipelineRole", TransformEngine="lambda", NotificationEmail="")
    assert not on_lambda.allows(start) and not on_lambda.allows(publish)
    assert on_lambda.allows(transform)
    on_glue = policy("PipelineRole", TransformEngine="glue", NotificationEmail="ops@example.org")
    assert on_glue.allows(start) and on_glue.allows(publish)
    assert not on_glue.allows(transform)


@pytest.mark.parametrize("engine", ["lambda", "glue"])
@pytest.mark.parametrize("email", ["", "ops@example.org"])
def test_every_role_grants_what_its_service_asks_for(engine: str, email: str) -> None:
    """The state machine's tasks (PipelineRole), the schedule's start (its rule's role) and the Glue jobs'
    code (GlueJobRole), read from the template with these parameters; and every role resolves."""
    template = load_template()
    resolver = Resolver(template, {**VARIABLES, "TransformEngine": engine, "NotificationEmail": email},
                        secret="cinelake/tmdb")  # fmt: skip
    for role in iam_audit.roles(template):
        if resolver.exists(role):
            text = json.dumps([s.resources for s in Policy.of_resolved(resolver, role).statements])
            assert "${" not in text and "Fn::" not in text, (role, text)
    checked: dict[str, list[Need]] = {}
    for logical, resource in template["Resources"].items():
        if not resolver.exists(logical):
            continue
        if resource["Type"] == "AWS::StepFunctions::StateMachine":
            role = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
            checked.setdefault(role, []).extend(iam_audit.state_machine_needs(resolver, logical))
        elif resource["Type"] == "AWS::Events::Rule":
            for role, needs in iam_audit.schedule_needs(resolver, logical).items():
                checked.setdefault(role, []).extend(needs)
        elif resource["Type"] == "AWS::Glue::Job":
            checked.setdefault(iam_audit.role_of(template, logical), []).extend(
                iam_audit.glue_job_needs(resolver, logical)
            )
    assert {"PipelineRole", "DailyPipelineRuleRole", "GlueJobRole"} <= set(checked)
    actions = {n.action for n in checked["PipelineRole"]}
    assert ("glue:StartJobRun" in actions) == (engine == "glue")
    assert ("sns:Publish" in actions) == bool(email)
    problems = {
        role: iam_audit.denied(needs, Policy.of_resolved(resolver, role)) for role, needs in checked.items()
    }
    assert {role: p for role, p in problems.items() if p} == {}


def test_the_pipeline_role_is_refused_what_the_template_does_not_grant() -> None:
    resolver = Resolver(load_template(), {**VARIABLES, "TransformEngine": "lambda"}, secret="cinelake/tmdb")
    pipeline = Policy.of_resolved(resolver, "PipelineRole")
    other = Need(
        "lambda:InvokeFunction", f"arn:aws:lambda:{iam_audit.REGION}:{iam_audit.ACCOUNT}:function:other"
    )
    assert not pipeline.allows(other)
    schedule = Policy.of_resolved(resolver, "DailyPipelineRuleRole")
    assert not schedule.allows(
        Need(
            "states:StartExecution",
            f"arn:aws:states:{iam_audit.REGION}:{iam_audit.ACCOUNT}:stateMachine:other",
        )
    )
    glue_role = Policy.of_resolved(resolver, "GlueJobRole")
    assert iam_audit.denied(
        iam_audit.objects_needs("lake", ["Raw/TMDB/x.json"], ["Refined/fact_movie/x.parquet"]), glue_role
    ) == [f"s3:PutObject on {LAKE}/Raw/TMDB/x.json"]


def test_glue_calls_and_the_one_writer() -> None:
    create = glue("CreateTable", DatabaseName="cinelake", TableInput={"Name": "fact_movie"})
    assert iam_audit.audit([create], policy("CatalogRole")) == []
    assert iam_audit.audit([create], policy("ReportRole"))
    assert iam_audit.audit([glue("GetTables", DatabaseName="cinelake")], policy("ReportRole")) == []
    assert iam_audit.audit([glue("GetTables", DatabaseName="other")], policy("CatalogRole"))
    assert iam_audit.audit(
        [glue("CreateDatabase", DatabaseInput={"Name": "cinelake"})], policy("CatalogRole")
    )


def test_secrets_and_anything_unknown() -> None:
    read = Call(
        "secretsmanager", "POST", "/", "", "secretsmanager.GetSecretValue", b'{"SecretId": "cinelake/tmdb"}'
    )
    assert iam_audit.audit([read], policy("IngestRole")) == []
    assert iam_audit.audit([read], policy("CatalogRole"))
    assert iam_audit.audit([Call("sqs", "POST", "/", "", "", b"")], policy("IngestRole"))
    assert iam_audit.audit([s3("GET", "/lake/Raw/TMDB/a.json", "torrent")], policy("IngestRole"))


def test_the_lakes_own_checks_list_with_a_prefix(aws_env: str) -> None:
    """Is the lake there (the transform lease's first question) without HeadBucket, which S3 authorises
    as a listing of the whole bucket that no role has any more; a missing bucket is still told apart."""
    import boto3

    from cinelake.lake.store import Lake
    from tests.aws.iam_audit import RecordingProxy

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=aws_env).create_bucket(Bucket=bucket)
    with RecordingProxy(aws_env) as proxy:
        lake = Lake(f"s3://{bucket}", s3_endpoint_url=proxy.url)
        assert lake.is_there("Trusted")
        assert not Lake(f"s3://{bucket}-missing", s3_endpoint_url=proxy.url).is_there("Trusted")
        calls = list(proxy.calls)
        assert lake.exists("")  # what the lease asked before: HeadBucket
        head = proxy.calls[len(calls) :]
    transform = policy("TransformRole", BucketName=bucket)
    assert (
        iam_audit.audit(
            [c for c in calls if c.path.startswith(f"/{bucket}?") or c.path == f"/{bucket}"], transform
        )
        == []
    )
    assert iam_audit.audit(head, transform)


FUNCTION_ROLES = ("IngestRole", "PlanRole", "CatalogRole", "ReportRole", "PipelineRole")


def sqs_send(queue: str) -> Call:
    body = json.dumps(
        {"QueueUrl": f"https://sqs.{iam_audit.REGION}.amazonaws.com/{iam_audit.ACCOUNT}/{queue}"}
    )
    return Call("sqs", "POST", "/", "", "AmazonSQS.SendMessage", body.encode())


def test_only_the_ingestion_sends_to_the_failed_invocations_queue() -> None:
    """Lambda delivers a failed asynchronous invocation to the on-failure destination as the function's
    role: the ingest role may send there, and nowhere else; no other function role may."""
    template = load_template()
    roles = {r: Policy.of_role(template, r, VARIABLES, "cinelake/tmdb") for r in FUNCTION_ROLES}
    queue = "cinelake-failed-invocations"
    assert iam_audit.audit([sqs_send(queue)], roles["IngestRole"]) == []
    assert iam_audit.audit([sqs_send("cinelake-other")], roles["IngestRole"])
    for role in ("PlanRole", "CatalogRole", "ReportRole", "PipelineRole"):
        assert iam_audit.audit([sqs_send(queue)], roles[role]), role


# What Step Functions asks of the state machine's role to deliver its logs to CloudWatch Logs and its
# traces to X-Ray (Step Functions developer guide: "Logging Step Functions using CloudWatch Logs",
# "Tracing Step Functions request data in AWS X-Ray"); these actions take no resource.
LOG_DELIVERY = [
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
]  # fmt: skip
TRACING = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
]


def test_the_state_machine_role_can_log_and_trace_and_no_function_role_can() -> None:
    template = load_template()
    roles = {r: Policy.of_role(template, r, VARIABLES, "cinelake/tmdb") for r in FUNCTION_ROLES}
    pipeline = roles.pop("PipelineRole")
    assert [a for a in LOG_DELIVERY + TRACING if not pipeline.allows(iam_audit.Need(a, "*"))] == []
    for role, granted in roles.items():
        assert not any(granted.allows(iam_audit.Need(a, "*")) for a in LOG_DELIVERY + TRACING), role


def test_only_the_schedule_puts_dead_letters_in_the_queue() -> None:
    """The queue's resource policy: EventBridge may send, and only for this stack's schedule rule."""
    resources = load_template()["Resources"]
    (statement,) = resources["FailedInvocationsQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["DailyPipelineRule", "Arn"]}}
    }
    (target,) = resources["DailyPipelineRule"]["Properties"]["Targets"]
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["FailedInvocationsQueue", "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
