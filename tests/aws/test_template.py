"""template.yaml: cfn-lint passes and every IAM statement is scoped as the ingestion needs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    from cfnlint.decode import cfn_yaml

    loaded: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    return loaded


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    """A resource ARN as written: a plain string, or the string inside !Sub / !Ref."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Fn::Sub":
            return arg if isinstance(arg, str) else str(arg[0])
        if fn == "Ref":
            return f"!Ref {arg}"
        if fn == "Fn::GetAtt":
            return f"!GetAtt {arg if isinstance(arg, str) else '.'.join(arg)}"
    return repr(value)


def _statements(template: dict[str, Any], resource: str) -> Iterator[dict[str, Any]]:
    props = template["Resources"][resource]["Properties"]
    for policy in props.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:  # a conditional grant: check the statement it may add
                _condition, granted, _otherwise = statement["Fn::If"]
                statement = granted
            yield statement


def _allows(template: dict[str, Any], resource: str) -> dict[str, list[dict[str, Any]]]:
    """action -> the Allow statements granting it, for one role."""
    found: dict[str, list[dict[str, Any]]] = {}
    for statement in _statements(template, resource):
        if statement["Effect"] == "Allow":
            for action in _as_list(statement["Action"]):
                found.setdefault(action, []).append(statement)
    return found


def test_cfn_lint_passes() -> None:
    proc = subprocess.run(
        [str(CFN_LINT), str(TEMPLATE)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Actions that take no resource (Service Authorization Reference: no resource type), so AWS documents
# them on "*": the state machine's log delivery and X-Ray tracing.
RESOURCELESS = {
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
    "xray:GetSamplingRules", "xray:GetSamplingTargets",
}  # fmt: skip


def test_no_wildcard_action_in_any_allow(template: dict[str, Any]) -> None:
    roles = [name for name, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    assert {"IngestRole", "PlanRole", "CatalogRole", "ReportRole", "GlueJobRole", "PipelineRole"} <= set(
        roles
    )
    for role in roles:
        for statement in _statements(template, role):
            for action in _as_list(statement["Action"]):
                assert "*" not in action, f"{role}: wildcard action {action}"
            if statement["Effect"] == "Allow" and not set(_as_list(statement["Action"])) <= RESOURCELESS:
                for resource in _as_list(statement["Resource"]):
                    assert _text(resource) != "*", f"{role}: '*' resource for {statement['Action']}"
        # no managed policy smuggles broad grants in
        assert not template["Resources"][role]["Properties"].get("ManagedPolicyArns")


def test_the_bucket_policy_only_denies(template: dict[str, Any]) -> None:
    """A resource policy may deny broadly (insecure transport); it must allow nothing."""
    statements = template["Resources"]["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statements and all(s["Effect"] == "Deny" for s in statements)
    (tls,) = statements
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_ingest_role_writes_only_raw_tmdb(template: dict[str, Any]) -> None:
    allows = _allows(template, "IngestRole")
    for write in ("s3:PutObject", "s3:DeleteObject"):
        targets = [_text(r) for s in allows[write] for r in _as_list(s["Resource"])]
        assert targets == ["arn:${AWS::Partition}:s3:::${BucketName}/Raw/TMDB/*"], write
    for action in allows:
        assert action in {
            "s3:PutObject", "s3:DeleteObject", "s3:GetObject", "s3:ListBucket",
            "secretsmanager:GetSecretValue", "logs:CreateLogStream", "logs:PutLogEvents",
            "sqs:SendMessage",  # the on-failure destination of its asynchronous invocations
        }, f"unexpected grant {action}"  # fmt: skip


def test_ingest_role_reads_only_raw_local_and_its_own_runs(template: dict[str, Any]) -> None:
    gets = sorted(
        _text(r) for s in _allows(template, "IngestRole")["s3:GetObject"] for r in _as_list(s["Resource"])
    )
    assert gets == [
        "arn:${AWS::Partition}:s3:::${BucketName}/Raw/Local/*",
        "arn:${AWS::Partition}:s3:::${BucketName}/Raw/TMDB/*",
    ]


def test_ingest_role_lists_only_its_prefixes(template: dict[str, Any]) -> None:
    (statement,) = _allows(template, "IngestRole")["s3:ListBucket"]
    assert _text(statement["Resource"]) == "arn:${AWS::Partition}:s3:::${BucketName}"
    ((operator, condition),) = statement["Condition"].items()
    assert operator.startswith("StringLike")
    prefixes = condition["s3:prefix"]
    assert prefixes and all(p.startswith(("Raw/TMDB", "Raw/Local")) for p in prefixes)


def test_ingest_role_reads_one_secret_and_invokes_nothing(template: dict[str, Any]) -> None:
    allows = _allows(template, "IngestRole")
    (secret,) = allows["secretsmanager:GetSecretValue"]
    assert secret["Resource"] == {"Ref": "TMDBSecret"}
    assert "lambda:InvokeFunction" not in allows  # the state machine continues a run, not the function
    function = template["Resources"]["IngestFunction"]["Properties"]
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-ingest"}
    assert function["Environment"]["Variables"]["CONTINUATION_MODE"] == "stepfunctions"


def test_function_settings(template: dict[str, Any]) -> None:
    function = template["Resources"]["IngestFunction"]["Properties"]
    assert function["Runtime"] == "python3.12"
    assert function["Handler"] == "cinelake.aws.lambda_handler.handler"
    assert function["Timeout"] == 900
    assert function["MemorySize"] == {"Ref": "MemorySize"}
    env = function["Environment"]["Variables"]
    assert env["BUCKET"] == {"Ref": "BucketName"}
    assert env["TMDB_SECRET_ID"] == {"Ref": "TMDBSecret"}
    assert {"GENRES", "CONTINUATION_MODE", "SAFETY_MARGIN_SECONDS"} <= set(env)
    for name in ("BucketName", "ScheduleExpression", "Genres", "Sources", "Kinds", "Csv", "MemorySize"):
        assert name in template["Parameters"]


def test_bucket_is_encrypted_and_private(template: dict[str, Any]) -> None:
    bucket = template["Resources"]["DataBucket"]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_secret_value_is_never_in_the_template(template: dict[str, Any]) -> None:
    secret = template["Resources"]["TMDBSecret"]["Properties"]
    assert "SecretString" not in secret
    assert "read_access_token" in secret["GenerateSecretString"]["SecretStringTemplate"]
    assert '""' in secret["GenerateSecretString"]["SecretStringTemplate"]


def test_glue_jobs_reference_the_uploaded_scripts(template: dict[str, Any]) -> None:
    jobs = {n: r["Properties"] for n, r in template["Resources"].items() if r["Type"] == "AWS::Glue::Job"}
    scripts = sorted(_text(p["Command"]["ScriptLocation"]).rsplit("/", 1)[-1] for p in jobs.values())
    assert scripts == ["raw_to_trusted.py", "trusted_to_refined.py", "wordcount.py"]


def test_who_writes_the_glue_database(template: dict[str, Any]) -> None:
    """No Glue crawler: the catalog step's role alone writes the Raw tables and their partitions; the
    transforms' roles commit the Trusted and Refined Iceberg tables (tables only, no partitions,
    in the stack's database only), and the weekly upkeep's role updates them (expiry) but creates none."""
    types = {r["Type"] for r in template["Resources"].values()}
    assert "AWS::Glue::Crawler" not in types
    partitions = {"glue:BatchCreatePartition", "glue:BatchUpdatePartition"}
    tables = {"glue:CreateTable", "glue:UpdateTable"}
    roles = [name for name, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    assert [role for role in roles if partitions & set(_allows(template, role))] == ["CatalogRole"]
    committers = [role for role in roles if tables & set(_allows(template, role))]
    assert committers == ["CatalogRole", "TransformRole", "MaintainRole", "GlueJobRole"]
    assert "glue:CreateTable" not in _allows(template, "MaintainRole")
    for role in ("TransformRole", "MaintainRole", "GlueJobRole"):
        allows = _allows(template, role)
        targets = {_text(r) for a in tables for s in allows.get(a, []) for r in _as_list(s["Resource"])}
        assert all("${GlueDatabaseName}" in t or t.endswith(":catalog") for t in targets), (role, targets)
    jobs = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Glue::Job"]
    for job in jobs:
        assert job["DefaultArguments"].get("--catalog", "none") == "none"


def test_the_schedule_starts_the_pipeline(template: dict[str, Any]) -> None:
    rules = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    (rule,) = rules
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": "PipelineStateMachine"}
    # The daily run is incremental: the plan step carries the field into every ingestion event.
    assert json.loads(target["Input"]) == {"incremental": True}


def test_every_task_retries_and_catches(template: dict[str, Any]) -> None:
    """Each work step retries transient errors and sends any other failure down the failure path."""
    definition = template["Resources"]["PipelineStateMachine"]["Properties"]["Definition"]
    states = definition["States"]
    tasks = {name: s for name, s in states.items() if s["Type"] in ("Task", "Map")}
    steps = ("Plan", "Ingest", "CatalogRaw", "Check", "RawToTrusted", "TrustedToRefined", "Report")
    assert set(tasks) >= {*steps, "Notify"}
    # Trusted and Refined are committed to Glue by the transforms: no crawl of them after the day.
    assert "CatalogTrustedRefined" not in states
    for name, state in tasks.items():
        assert state.get("Catch"), name
        if state["Type"] == "Task":
            assert state.get("Retry"), name
            assert "States.ALL" not in state["Retry"][0]["ErrorEquals"] or name == "Notify", name
    (ingest_run,) = [s for s in states["Ingest"]["ItemProcessor"]["States"].values() if s["Type"] == "Task"]
    assert ingest_run["Retry"] and "InvocationFailed" in ingest_run["Retry"][0]["ErrorEquals"]


def _condition(template: dict[str, Any], name: str, parameters: dict[str, str]) -> bool:
    def evaluate(expression: Any) -> Any:
        if isinstance(expression, dict):
            ((fn, arg),) = expression.items()
            if fn == "Ref":
                return parameters.get(arg, template["Parameters"][arg].get("Default"))
            if fn == "Fn::Equals":
                return evaluate(arg[0]) == evaluate(arg[1])
            if fn == "Fn::Not":
                return not evaluate(arg[0])
            raise AssertionError(f"unexpected condition function {fn}")
        return expression

    return bool(evaluate(template["Conditions"][name]))


def _deployed(template: dict[str, Any], parameters: dict[str, str]) -> set[str]:
    """The logical ids a stack with ``parameters`` creates."""
    return {
        name
        for name, r in template["Resources"].items()
        if "Condition" not in r or _condition(template, r["Condition"], parameters)
    }


def test_transform_engine_parameter_defaults_to_lambda(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["TransformEngine"]
    assert parameter["Default"] == "lambda" and parameter["AllowedValues"] == ["lambda", "glue"]
    memory = template["Parameters"]["TransformMemorySize"]
    assert memory["MinValue"] >= 512 and memory["MaxValue"] == 10240


@pytest.mark.parametrize("engine", ["lambda", "glue"])
def test_each_transform_engine_deploys_its_own_resources_and_states(
    template: dict[str, Any], engine: str
) -> None:
    """Only the chosen engine's resources exist; the state machine's substitutions name them and its
    Choice sends the transforms to them; the Glue-only and Lambda-only grants come with them."""
    parameters = {"TransformEngine": engine}
    deployed = _deployed(template, parameters)
    lambda_side = {"TransformFunction", "TransformRole", "TransformLogGroup"}
    glue_side = {"RawToTrustedJob", "TrustedToRefinedJob"}
    used, unused = (lambda_side, glue_side) if engine == "lambda" else (glue_side, lambda_side)
    assert used <= deployed and not unused & deployed
    assert {"WordCountJob", "GlueJobRole", "CatalogFunction", "ReportFunction"} <= deployed

    machine = template["Resources"]["PipelineStateMachine"]["Properties"]
    substitutions = machine["DefinitionSubstitutions"]
    assert substitutions["TransformEngine"] == {"Ref": "TransformEngine"}
    chosen = {}
    for key in ("TransformFunction", "RawToTrustedJob", "TrustedToRefinedJob"):
        condition, yes, no = substitutions[key]["Fn::If"]
        chosen[key] = yes if _condition(template, condition, parameters) else no
    if engine == "lambda":
        assert chosen["TransformFunction"] == {"Fn::GetAtt": ["TransformFunction", "Arn"]}
        assert chosen["RawToTrustedJob"] == chosen["TrustedToRefinedJob"] == "none"
    else:
        assert chosen["TransformFunction"] == "none"
        assert chosen["RawToTrustedJob"] == {"Ref": "RawToTrustedJob"}

    states = machine["Definition"]["States"]
    assert states["Built?"]["Default"] == "TransformEngine"
    assert states["TransformEngine"]["Result"] == "${TransformEngine}"
    (route,) = states["Engine?"]["Choices"]
    target = route["Next"] if engine == route["StringEquals"] else states["Engine?"]["Default"]
    first = states[target]
    if engine == "lambda":
        assert first["Resource"] == "arn:aws:states:::lambda:invoke"
        assert first["Parameters"]["FunctionName"] == "${TransformFunction}"
        assert first["Parameters"]["Payload"]["job"] == "raw-to-trusted"
        second = states[first["Next"]]
        assert second["Parameters"]["Payload"]["job"] == "trusted-to-refined"
    else:
        assert first["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
        assert first["Parameters"]["JobName"] == "${RawToTrustedJob}"
        second = states[first["Next"]]
        assert second["Parameters"]["JobName"] == "${TrustedToRefinedJob}"
    assert second["Next"] == "Report"
    # each engine's failures go down the same failure path, under the step's own name
    assert first["Catch"][0]["Next"] == "RawToTrustedFailed"
    assert second["Catch"][0]["Next"] == "TrustedToRefinedFailed"

    # the pipeline role: invoke the transform function, or run the two jobs, never both
    pipeline = template["Resources"]["PipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    invoke = next(s for s in pipeline["Statement"] if s.get("Sid") == "InvokeTheSteps")
    (conditional,) = [r for r in invoke["Resource"] if "Fn::If" in r]
    assert conditional["Fn::If"][0] == "LambdaTransforms"
    (glue_grant,) = [
        s for s in pipeline["Statement"] if "Fn::If" in s and s["Fn::If"][1].get("Sid") == "RunTheTransforms"
    ]
    assert glue_grant["Fn::If"][0] == "GlueTransforms"


def test_transform_role_reads_raw_and_writes_only_trusted_and_refined(template: dict[str, Any]) -> None:
    allows = _allows(template, "TransformRole")
    assert set(allows) == {
        "s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject",
        "logs:CreateLogStream", "logs:PutLogEvents",
        # The Iceberg commits of the Trusted and Refined tables in the Glue database.
        "glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable",
    }  # fmt: skip
    for write in ("s3:PutObject", "s3:DeleteObject"):
        targets = sorted(_text(r) for s in allows[write] for r in _as_list(s["Resource"]))
        assert targets == [
            "arn:${AWS::Partition}:s3:::${BucketName}/Refined/*",
            "arn:${AWS::Partition}:s3:::${BucketName}/Trusted/*",
        ], write
    assert not any(a.startswith(("secretsmanager:", "lambda:")) for a in allows)
    function = template["Resources"]["TransformFunction"]
    assert function["Condition"] == "LambdaTransforms"
    props = function["Properties"]
    assert props["Handler"] == "cinelake.aws.transform_step.handler"
    assert props["CodeUri"] == "dist/lambda/cinelake-transform.zip"
    assert props["Timeout"] == 900 and props["MemorySize"] == {"Ref": "TransformMemorySize"}
    assert props["Role"] == {"Fn::GetAtt": ["TransformRole", "Arn"]}
    assert props["EphemeralStorage"]["Size"] >= 1024  # DuckDB's spill room in /tmp


# What Lambda and Step Functions raise for a lambda:invoke task ("Handling errors in Step Functions
# workflows" and "Handle transient Lambda service exceptions", Step Functions developer guide;
# "Troubleshoot invocation issues in Lambda", Lambda developer guide), besides the handler's own
# exception class names.
AWS_LAMBDA_TASK_ERRORS = {
    "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException", "Sandbox.Timedout", "Runtime.ExitError",
    "Function.ResponseSizeTooLarge", "States.TaskFailed", "States.ALL",
}  # fmt: skip


def _lambda_tasks(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in states.items():
        if state.get("Resource") == "arn:aws:states:::lambda:invoke":
            yield name, state
        if "ItemProcessor" in state:
            yield from _lambda_tasks(state["ItemProcessor"]["States"])


def test_the_retry_lists_name_errors_aws_really_raises(template: dict[str, Any]) -> None:
    """A Retry of a name nothing raises retries nothing: each name is an AWS error of lambda:invoke or
    an exception class of the handler the task invokes (Lambda's errorType is the class name). The
    ingestion, which resumes, is retried after Lambda's timeout and after a crash."""
    import importlib
    import inspect

    resources = template["Resources"]
    definition = resources["PipelineStateMachine"]["Properties"]["Definition"]
    substitutions = resources["PipelineStateMachine"]["Properties"]["DefinitionSubstitutions"]
    seen = set()
    for name, state in _lambda_tasks(definition["States"]):
        reference = state["Parameters"]["FunctionName"].strip("${}")
        logical = substitutions[reference]
        logical = logical["Fn::If"][1] if "Fn::If" in logical else logical
        handler = resources[logical["Fn::GetAtt"][0]]["Properties"]["Handler"]
        module = importlib.import_module(handler.rsplit(".", 1)[0])
        namespaces = [vars(module)]
        if hasattr(module, "run_step"):  # the steps raise StepFailed / StepRefused through run_step
            namespaces.append(vars(importlib.import_module("cinelake.aws.steps")))
        raised = {
            n for ns in namespaces for n, v in ns.items() if inspect.isclass(v) and issubclass(v, Exception)
        }
        for retrier in state["Retry"]:
            unknown = set(retrier["ErrorEquals"]) - AWS_LAMBDA_TASK_ERRORS - raised
            assert not unknown, (name, unknown)
            seen.update(retrier["ErrorEquals"])
        assert "States.Timeout" not in seen  # a lambda:invoke task without TimeoutSeconds never raises it
    ingest_run = definition["States"]["Ingest"]["ItemProcessor"]["States"]["IngestRun"]
    retried = {e for r in ingest_run["Retry"] for e in r["ErrorEquals"]}
    assert {"InvocationFailed", "Sandbox.Timedout", "Runtime.ExitError"} <= retried


def test_a_failed_day_is_seen(template: dict[str, Any]) -> None:
    """The state machine logs to CloudWatch Logs and traces to X-Ray, ends within a day, and a failed,
    timed-out or aborted execution (or a start that never happened) raises an alarm on the topic."""
    resources = template["Resources"]
    machine = resources["PipelineStateMachine"]["Properties"]
    assert machine["LoggingConfiguration"]["Level"] in ("ALL", "ERROR")
    (destination,) = machine["LoggingConfiguration"]["Destinations"]
    assert destination["CloudWatchLogsLogGroup"]["LogGroupArn"] == {"Fn::GetAtt": ["PipelineLogGroup", "Arn"]}
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert 0 < machine["Definition"]["TimeoutSeconds"] < 24 * 3600  # over before the next day starts
    assert "Condition" not in resources["NotificationTopic"]  # the alarms need it, e-mail or not
    alarm = resources["PipelineFailedAlarm"]["Properties"]
    watched = {m["MetricStat"]["Metric"]["MetricName"] for m in alarm["Metrics"] if "MetricStat" in m}
    assert watched == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"}
    for name in ("PipelineFailedAlarm", "FailedInvocationsAlarm"):
        assert resources[name]["Properties"]["AlarmActions"] == [{"Ref": "NotificationTopic"}], name
    functions = {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    for name, function in functions.items():
        assert "ReservedConcurrentExecutions" in function, name
    on_failure = functions["IngestFunction"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["FailedInvocationsQueue", "Arn"]}}


# The checkov checks template.yaml skips on purpose, each explained in docs/aws.md's table.
DELIBERATE_SKIPS = {
    "CKV_AWS_117",  # Lambda in a VPC
    # customer KMS keys
    "CKV_AWS_173", "CKV_AWS_149", "CKV_AWS_158", "CKV_AWS_26", "CKV_AWS_27", "CKV_AWS_99",
    "CKV_AWS_116",  # a DLQ on synchronously invoked functions
    "CKV_AWS_18", "CKV_AWS_21",  # the access-log bucket logging or versioning itself
}  # fmt: skip


def test_every_checkov_skip_is_deliberate_and_documented(template: dict[str, Any]) -> None:
    docs = (REPO / "docs" / "aws.md").read_text(encoding="utf-8")
    skipped = set()
    for name, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["id"] in DELIBERATE_SKIPS, (name, skip["id"])
            assert len(skip.get("comment", "")) > 20, (name, skip["id"])  # a reason, not a shrug
            skipped.add(skip["id"])
    for check in skipped:
        assert f"| {check} |" in docs, f"docs/aws.md has no row for {check}"
