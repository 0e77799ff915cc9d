"""``cinelake aws smoke``: the stack on a real account for one small day, then gone.

Deploy the template to a named stack (the same ``sam build`` / ``sam deploy`` / Glue upload as
``cinelake aws deploy``), put the TMDB credential into the stack's secret, start one execution of
the daily state machine, wait for it, read the answer it wrote into the lake, and delete the stack.
The stack's bucket is kept, as its ``DeletionPolicy: Retain`` says, unless ``delete_bucket`` (then
every version of every object goes first, as a versioned bucket requires).

The parameters default to a small day: one TMDB discover of one month of animated films, the
schedule disabled. Each step is one boto3 call (CloudFormation, Secrets Manager, Step Functions,
S3); every AWS error is one line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cinelake.aws.deploy import DeployError
from cinelake.catalog.glue import aws_errors
from cinelake.credentials import TMDBCredentials
from cinelake.errors import UsageError

# One discover of a month of animated films, no schedule: minutes and cents.
SMALL_DAY: dict[str, str] = {
    "ScheduleState": "DISABLED",
    "Sources": "discover",
    "Kinds": "movies",
    "Genres": "Animation",
    "DiscoverFrom": "2000-01-01",
    "DiscoverTo": "2000-01-31",
}
OUTPUTS = ("BucketName", "TMDBSecretArn", "PipelineStateMachineArn")


class SmokeError(DeployError):
    """The smoke run found the stack broken: a missing output, a failed or timed-out execution..."""


@dataclass(frozen=True)
class SmokeClients:
    """The boto3 clients the smoke run calls."""

    cloudformation: Any
    secretsmanager: Any
    stepfunctions: Any
    s3: Any

    @classmethod
    def default(cls, *, endpoint_url: str | None = None) -> SmokeClients:
        import boto3

        def client(name: str) -> Any:
            return boto3.client(name, endpoint_url=endpoint_url)  # type: ignore[call-overload]

        with aws_errors("AWS clients", SmokeError):
            names = ("cloudformation", "secretsmanager", "stepfunctions", "s3")
            return cls(*(client(name) for name in names))


@dataclass(frozen=True)
class SmokeResult:
    stack: str
    execution_arn: str
    output: dict[str, Any]
    answer_url: str
    answer: dict[str, Any]
    stack_deleted: bool
    bucket_deleted: bool


def secret_value(credentials: TMDBCredentials) -> str:
    """The stack secret's JSON for these credentials; a :class:`UsageError` when there are none."""
    value = {}
    if credentials.read_access_token is not None and credentials.read_access_token.get_secret_value():
        value["read_access_token"] = credentials.read_access_token.get_secret_value()
    if credentials.api_key is not None and credentials.api_key.get_secret_value():
        value["api_key"] = credentials.api_key.get_secret_value()
    if not value:
        raise UsageError(
            "the smoke run needs a TMDB credential for the stack: set TMDB_READ_ACCESS_TOKEN "
            "(or TMDB_API_KEY, TMDB_SECRET_ID)"
        )
    return json.dumps(value)


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    """The stack's outputs the smoke run reads (a :class:`SmokeError` naming any that is missing)."""
    with aws_errors(f"CloudFormation DescribeStacks {stack}", SmokeError):
        found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    missing = [name for name in OUTPUTS if name not in outputs]
    if missing:
        status = found["StackStatus"]
        raise SmokeError(f"the stack {stack} has no output {', '.join(missing)} (status {status})")
    return outputs


def run_execution(
    stepfunctions: Any,
    machine: str,
    given: Mapping[str, Any],
    *,
    timeout: float,
    poll: float,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = lambda _message: None,
) -> tuple[str, dict[str, Any]]:
    """Start one execution and wait for it: its ARN and output, or a :class:`SmokeError` with its error."""
    with aws_errors("Step Functions StartExecution", SmokeError):
        started = stepfunctions.start_execution(stateMachineArn=machine, input=json.dumps(given))
    arn = str(started["executionArn"])
    log(f"started {arn}")
    waited = 0.0
    while True:
        with aws_errors("Step Functions DescribeExecution", SmokeError):
            execution = stepfunctions.describe_execution(executionArn=arn)
        status = execution["status"]
        if status == "SUCCEEDED":
            return arn, json.loads(execution.get("output") or "{}")
        if status != "RUNNING":
            error = execution.get("error") or status
            cause = str(execution.get("cause") or "").strip().splitlines()
            raise SmokeError(f"the execution {status.lower()}: {error}" + (f": {cause[0]}" if cause else ""))
        if waited >= timeout:
            with aws_errors("Step Functions StopExecution", SmokeError):
                stepfunctions.stop_execution(executionArn=arn, error="cinelake.smoke", cause="timed out")
            raise SmokeError(f"the execution ran past {timeout:.0f} s and was stopped: {arn}")
        log(f"running ({waited:.0f} s)")
        sleep(poll)
        waited += poll


def read_answer(s3: Any, url: str) -> dict[str, Any]:
    """The answer JSON the report step wrote at ``url`` (``s3://bucket/key``)."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not key:
        raise SmokeError(f"the execution's answer is not an s3:// object: {url!r}")
    with aws_errors(f"S3 GetObject {url}", SmokeError):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    answer: dict[str, Any] = json.loads(body)
    return answer


def delete_stack(cloudformation: Any, stack: str, *, delay: int = 15, attempts: int = 120) -> None:
    """Delete the stack and wait until it is gone."""
    with aws_errors(f"CloudFormation DeleteStack {stack}", SmokeError):
        cloudformation.delete_stack(StackName=stack)
        cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=stack, WaiterConfig={"Delay": delay, "MaxAttempts": attempts}
        )


def delete_bucket(s3: Any, bucket: str) -> bool:
    """Every version and delete marker, then the bucket; False when there was no such bucket."""
    from botocore.exceptions import ClientError

    try:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        for page in pages:
            entries = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            if entries:
                objects = [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in entries]
                s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        s3.delete_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return False
        with aws_errors(f"S3 delete of the bucket {bucket}", SmokeError):
            raise
    return True


def smoke(
    stack: str,
    bucket: str,
    parameters: Mapping[str, str],
    *,
    credentials: TMDBCredentials,
    deploy_stack: Callable[[str, str, Mapping[str, str]], object],
    clients: SmokeClients,
    keep: bool = False,
    remove_bucket: bool = False,
    timeout: float = 3600,
    poll: float = 15,
    delete_delay: int = 15,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = lambda _message: None,
) -> SmokeResult:
    """Deploy, run one small day, read the answer, delete the stack (see the module documentation)."""
    if "BucketName" in parameters:
        raise UsageError("give the bucket with --bucket, not as a parameter")
    if remove_bucket and keep:
        raise UsageError("--keep and --delete-bucket contradict each other: choose one")
    value = secret_value(credentials)  # before anything is deployed: a missing credential costs nothing
    stack_deleted = bucket_deleted = False
    failed = deployed = True
    try:
        log(f"deploying the stack {stack} (bucket {bucket})")
        try:
            deploy_stack(stack, bucket, {**SMALL_DAY, **parameters})
        except UsageError:
            deployed = False  # refused before anything reached AWS (no wheel, no sam): nothing to delete
            raise
        outputs = stack_outputs(clients.cloudformation, stack)
        with aws_errors("Secrets Manager PutSecretValue", SmokeError):
            clients.secretsmanager.put_secret_value(SecretId=outputs["TMDBSecretArn"], SecretString=value)
        log("put the TMDB credential into the stack's secret")
        arn, output = run_execution(
            clients.stepfunctions,
            outputs["PipelineStateMachineArn"],
            {"incremental": True},
            timeout=timeout,
            poll=poll,
            sleep=sleep,
            log=log,
        )
        url = str((output.get("report") or {}).get("answer") or "")
        if not url:
            raise SmokeError("the execution succeeded but its output names no answer (report.answer)")
        answer = read_answer(clients.s3, url)
        log(f"read the answer {url}")
        failed = False
    finally:
        if deployed and not keep:
            try:
                log(f"deleting the stack {stack}")
                delete_stack(clients.cloudformation, stack, delay=delete_delay)
                stack_deleted = True
                if remove_bucket:
                    bucket_deleted = delete_bucket(clients.s3, bucket)
                    log(f"deleted the bucket {bucket}" if bucket_deleted else f"no bucket {bucket} to delete")
            except SmokeError as exc:
                if not failed:
                    raise
                log(f"could not clean up after the failure: {exc}")  # the failure is what to report
    return SmokeResult(stack, arn, output, url, answer, stack_deleted, bucket_deleted)
