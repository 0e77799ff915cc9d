"""The access audit itself: it must refuse what a role does not grant, or the day test proves nothing."""

from __future__ import annotations

import json

from tests.aws import iam_audit
from tests.aws.iam_audit import Call, Policy
from tests.aws.stack import load_template

VARIABLES = {
    "AWS::Partition": "aws", "AWS::Region": iam_audit.REGION, "AWS::AccountId": iam_audit.ACCOUNT,
    "AWS::StackName": "cinelake", "BucketName": "lake", "GlueDatabaseName": "cinelake",
}  # fmt: skip


def policy(role: str) -> Policy:
    return Policy.of_role(load_template(), role, VARIABLES, "cinelake/tmdb")


def s3(method: str, path: str, query: str = "") -> Call:
    return Call("s3", method, path, query, "", b"")


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
