"""`cinelake aws smoke`: the sequence of calls against moto's CloudFormation, Secrets Manager, Step
Functions (executing its state machines) and S3, and the command's refusals.

No test here reaches AWS. In place of ``sam deploy`` each test's deploy creates, in moto, what the
smoke run reads of the real stack: the three outputs, the secret, a state machine whose answer is
where the report step puts it, and the answer itself.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import SecretStr

from cinelake.aws import smoke
from cinelake.credentials import TMDBCredentials
from cinelake.errors import UsageError
from tests.support.moto import running_moto_server

TOKEN = "eyJhbGciOiJIUzI1NiJ9.smoke-test-token.signature"
ANSWER = {"notice": "This product uses the TMDB API but is not endorsed or certified by TMDB.",
          "genres": {"Animation": {"eligible": 3}}}  # fmt: skip


@pytest.fixture(scope="module")
def executing_moto() -> Iterator[str]:
    """A moto server of its own that runs the state machines it is given (Pass, Fail, Wait)."""
    with running_moto_server() as endpoint:
        request = urllib.request.Request(
            f"{endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        yield endpoint


@pytest.fixture()
def clients(executing_moto: str, monkeypatch: pytest.MonkeyPatch) -> smoke.SmokeClients:
    environment = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": executing_moto,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return smoke.SmokeClients.default(endpoint_url=executing_moto)


CREDENTIALS = TMDBCredentials(SecretStr(TOKEN), None, "environment")


class MotoStack:
    """What ``sam deploy`` would leave, made in moto: ``states`` is the state machine's definition."""

    def __init__(self, clients: smoke.SmokeClients, states: dict[str, Any], *, outputs: bool = True) -> None:
        self.clients, self.states, self.outputs = clients, states, outputs
        self.deployed: list[tuple[str, str, dict[str, str]]] = []
        self.secret = ""

    def __call__(self, stack: str, bucket: str, parameters: Mapping[str, str]) -> None:
        self.deployed.append((stack, bucket, dict(parameters)))
        self.secret = self.clients.secretsmanager.create_secret(Name=f"{stack}/tmdb", SecretString="{}")[
            "ARN"
        ]
        definition = json.dumps(self.states).replace("BUCKET", bucket)
        machine = self.clients.stepfunctions.create_state_machine(
            name=f"{stack}-daily", roleArn="arn:aws:iam::123456789012:role/pipeline", definition=definition
        )["stateMachineArn"]
        outputs = {"BucketName": {"Value": {"Ref": "DataBucket"}}, "TMDBSecretArn": {"Value": self.secret}}
        if self.outputs:
            outputs["PipelineStateMachineArn"] = {"Value": machine}
        template = {
            "Resources": {"DataBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}},
            "Outputs": outputs,
        }
        self.clients.cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
        # What the report step writes, where the state machine's output says.
        self.clients.s3.put_object(Bucket=bucket, Key="Refined/_reports/2026/12/07/analysis.json",
                                   Body=json.dumps(ANSWER).encode())  # fmt: skip


def answering(bucket_placeholder: str = "BUCKET") -> dict[str, Any]:
    answer = f"s3://{bucket_placeholder}/Refined/_reports/2026/12/07/analysis.json"
    return {"StartAt": "Report", "States": {"Report": {
        "Type": "Pass", "Result": {"answer": answer}, "ResultPath": "$.report", "End": True}}}  # fmt: skip


def names() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"smoke-{tag}", f"smoke-lake-{tag}"


def stack_exists(clients: smoke.SmokeClients, stack: str) -> bool:
    try:
        clients.cloudformation.describe_stacks(StackName=stack)
    except clients.cloudformation.exceptions.ClientError:
        return False
    return True


def test_deploy_run_read_delete(clients: smoke.SmokeClients) -> None:
    stack, bucket = names()
    deploy = MotoStack(clients, answering())
    said: list[str] = []
    result = smoke.smoke(stack, bucket, {"Genres": "Comedy"}, credentials=CREDENTIALS, deploy_stack=deploy,
                         clients=clients, poll=0.2, delete_delay=1, log=said.append)  # fmt: skip
    # the small day, with the caller's parameters over it
    assert deploy.deployed == [(stack, bucket, {**smoke.SMALL_DAY, "Genres": "Comedy"})]
    assert deploy.deployed[0][2]["ScheduleState"] == "DISABLED"
    # the credential went into the stack's secret, and nowhere in what was said
    stored = clients.secretsmanager.get_secret_value(SecretId=deploy.secret)["SecretString"]
    assert json.loads(stored) == {"read_access_token": TOKEN}
    assert not any(TOKEN in line for line in said)
    # the execution got what the schedule sends, and its answer was read from the lake
    execution = clients.stepfunctions.describe_execution(executionArn=result.execution_arn)
    assert json.loads(execution["input"]) == {"incremental": True}
    assert result.answer_url == f"s3://{bucket}/Refined/_reports/2026/12/07/analysis.json"
    assert result.answer == ANSWER
    # and the stack is gone
    assert result.stack_deleted and not stack_exists(clients, stack)
    assert (
        said[0] == f"deploying the stack {stack} (bucket {bucket})"
        and said[-1] == f"deleting the stack {stack}"
    )


def test_a_failed_execution_is_one_line_and_the_stack_is_deleted_all_the_same(
    clients: smoke.SmokeClients,
) -> None:
    stack, bucket = names()
    cause = "no TMDB credential in the secret\nmore"
    failed = {"Type": "Fail", "Error": "cinelake.IngestFailed", "Cause": cause}
    failing = {"StartAt": "Failed", "States": {"Failed": failed}}
    with pytest.raises(
        smoke.SmokeError,
        match=r"^the execution failed: cinelake.IngestFailed: no TMDB credential in the secret$",
    ):
        smoke.smoke(stack, bucket, {}, credentials=CREDENTIALS, deploy_stack=MotoStack(clients, failing),
                    clients=clients, poll=0.2, delete_delay=1)  # fmt: skip
    assert not stack_exists(clients, stack)


def test_a_stuck_execution_is_stopped_at_the_timeout(clients: smoke.SmokeClients) -> None:
    stack, bucket = names()
    waiting = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}
    slept: list[float] = []
    with pytest.raises(smoke.SmokeError, match="ran past 1 s and was stopped"):
        smoke.smoke(stack, bucket, {}, credentials=CREDENTIALS, deploy_stack=MotoStack(clients, waiting),
                    clients=clients, timeout=1, poll=0.5, sleep=slept.append, delete_delay=1)  # fmt: skip
    assert slept == [0.5, 0.5]
    (execution,) = clients.stepfunctions.list_executions(
        stateMachineArn=f"arn:aws:states:us-east-1:123456789012:stateMachine:{stack}-daily"
    )["executions"]
    assert execution["status"] == "ABORTED"


def test_keep_leaves_the_stack_and_delete_bucket_removes_the_lake(clients: smoke.SmokeClients) -> None:
    stack, bucket = names()
    deploy = MotoStack(clients, answering())
    kept = smoke.smoke(
        stack, bucket, {}, credentials=CREDENTIALS, deploy_stack=deploy, clients=clients, poll=0.2, keep=True
    )
    assert not kept.stack_deleted and stack_exists(clients, stack)
    clients.cloudformation.delete_stack(StackName=stack)
    stack, bucket = names()
    clients.s3.create_bucket(Bucket=f"{bucket}-other")
    gone = smoke.smoke(
        stack,
        bucket,
        {},
        credentials=CREDENTIALS,
        deploy_stack=MotoStack(clients, answering()),
        clients=clients,
        poll=0.2,
        delete_delay=1,
        remove_bucket=True,
    )
    buckets = {b["Name"] for b in clients.s3.list_buckets()["Buckets"]}
    assert gone.stack_deleted and bucket not in buckets and f"{bucket}-other" in buckets


def test_a_stack_without_the_outputs_is_named(clients: smoke.SmokeClients) -> None:
    stack, bucket = names()
    with pytest.raises(smoke.SmokeError, match=f"the stack {stack} has no output PipelineStateMachineArn"):
        smoke.smoke(stack, bucket, {}, credentials=CREDENTIALS, clients=clients, delete_delay=1,
                    deploy_stack=MotoStack(clients, answering(), outputs=False))  # fmt: skip
    assert not stack_exists(clients, stack)


def test_refusals_come_before_anything_is_deployed(clients: smoke.SmokeClients) -> None:
    deploy = MotoStack(clients, answering())
    stack, bucket = names()
    nothing = TMDBCredentials(None, SecretStr(""), "none")
    with pytest.raises(UsageError, match="needs a TMDB credential"):
        smoke.smoke(stack, bucket, {}, credentials=nothing, deploy_stack=deploy, clients=clients)
    with pytest.raises(UsageError, match="--bucket"):
        smoke.smoke(
            stack, bucket, {"BucketName": "x"}, credentials=CREDENTIALS, deploy_stack=deploy, clients=clients
        )
    with pytest.raises(UsageError, match="--keep and --delete-bucket"):
        smoke.smoke(stack, bucket, {}, credentials=CREDENTIALS, deploy_stack=deploy, clients=clients,
                    keep=True, remove_bucket=True)  # fmt: skip
    assert deploy.deployed == [] and not stack_exists(clients, stack)
    assert json.loads(smoke.secret_value(TMDBCredentials(None, SecretStr("k3y"), "environment"))) == {
        "api_key": "k3y"
    }


def test_the_command(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """--help in sentences; without a credential, or without sam, it stops before reaching AWS."""
    from typer.testing import CliRunner

    from cinelake.cli import app
    from cinelake.config import get_settings

    runner = CliRunner()
    shown = runner.invoke(app, ["aws", "smoke", "--help"], terminal_width=200)
    assert shown.exit_code == 0
    assert "run one small day, print the answer, delete the stack" in " ".join(shown.output.split())
    missing = runner.invoke(app, ["aws", "smoke", "--bucket", "b"])
    assert missing.exit_code == 2 and "--stack" in missing.output
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("TMDB_READ_ACCESS_TOKEN", "TMDB_API_KEY", "TMDB_SECRET_ID", "TMDB_SSM_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        bare = runner.invoke(
            app, ["aws", "smoke", "--stack", "s", "--bucket", "b", "--glue-dir", str(tmp_path)]
        )
        assert isinstance(bare.exception, UsageError) and "needs a TMDB credential" in str(bare.exception)
        monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", TOKEN)
        get_settings.cache_clear()
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
        args = ["aws", "smoke", "--stack", "s", "--bucket", "b", "--glue-dir", str(tmp_path)]
        noregion = runner.invoke(app, args)
        assert str(noregion.exception) == "AWS clients: no AWS region set (set AWS_DEFAULT_REGION)"
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        nowheel = runner.invoke(app, args)
        assert isinstance(nowheel.exception, UsageError)
        assert "run `cinelake aws package` first" in str(nowheel.exception)
        assert TOKEN not in nowheel.output
    finally:
        get_settings.cache_clear()
