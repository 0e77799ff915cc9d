"""The stack of template.yaml played on this machine: its Lambda functions in awslambdaric, its state
machine in the ASL interpreter, S3 / Glue / Secrets Manager in moto, and a stand-in for the Glue jobs.

Each function runs with only its bundle's libraries importable (tests/aws/bundle_runtime.py), as the
zip its ``CodeUri`` names would give it. Nothing is copied from the template by hand: each
function's handler and environment, the state machine's definition and substitutions, and each Glue
job's script and default arguments are read from template.yaml, so the test runs what a deploy
would run.

The Glue stand-in runs the job's own script (``glue/<name>.py``, as Glue does) with its default
arguments on a local Spark, in one of two ways (:func:`run_transform`):

* on a mirror (the state machine's runs): the stand-in mirrors the bucket into a folder, runs the
  script with ``--lake <folder>``, and puts back what the job changed (new or changed files written,
  removed files deleted); a job denied a write fails and puts back nothing;
* on the bucket itself (``on_s3``, as Glue runs it): the script gets ``--lake s3://...`` and Glue's
  ``awsglue`` package (a test double, tests/aws/glue_runtime), so the entry's Glue-only code runs; the
  Spark jobs stage their files through local disk (:mod:`cinelake.spark.lakeio`), and every S3 and
  Glue call they make goes through the recording proxy.

Glue runs the job as GlueJobRole, so what the role does not grant fails the job as Glue's S3 client
would (AccessDenied): reading the script and the extra modules, and every write and delete, checked
with :mod:`tests.aws.iam_audit` against the role's policy in the template. With
``TransformEngine=lambda`` there are no Glue jobs: the transform function runs like every other.

The template's Conditions are evaluated with the stack's parameters: a resource whose condition is
false does not exist here either, and ``Fn::If`` picks its branch.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cinelake.aws.packaging import BUNDLES
from cinelake.config import get_settings
from cinelake.lake.store import Lake
from cinelake.tables.catalog import ICEBERG_DB
from tests.aws import iam_audit
from tests.aws.asl import Execution, ExecutionFailed, StateMachine, TaskError
from tests.aws.iam_audit import RecordingProxy
from tests.aws.runtime_api import Invocation, RuntimeAPI, RuntimeProcess, base_env

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
STACK = "cinelake"


def load_template() -> dict[str, Any]:
    from cfnlint.decode import cfn_yaml

    loaded: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    return loaded


def _sub_name(value: Any) -> str:
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    return str(text).replace("${AWS::StackName}", STACK)


@dataclass
class Function:
    name: str
    handler: str
    env: dict[str, str]
    api: RuntimeAPI
    runtime: RuntimeProcess
    proxy: RecordingProxy
    role: str
    invocations: int = 0


def s3_objects(endpoint: str, bucket: str) -> dict[str, str]:
    """key -> ETag of every object of the bucket."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["ETag"]
    return found


@dataclass
class TransformRun:
    script: str
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    glue_jobs: list[Any] = field(default_factory=list)  # the awsglue double's Job objects (on_s3 runs)


class GlueAccessDenied(Exception):
    """The job's role does not grant what the job did: Glue fails the run with AccessDenied."""


GLUE_RUNTIME = Path(__file__).resolve().parent / "glue_runtime"
"""The test double of Glue's ``awsglue`` package (its README says what it mimics)."""

# Arguments of a job definition that Glue itself acts on (it does not pass them to the script).
_GLUE_OWN_ARGUMENTS = ("--additional-python-modules", "--python-modules-installer-option")


def run_transform(
    script: Path,
    arguments: Mapping[str, str],
    *,
    endpoint: str,
    workdir: Path,
    role: iam_audit.Policy,
    needs: Sequence[iam_audit.Need] = (),
    on_s3: bool = False,
) -> TransformRun:
    """Run a Glue job's script over the bucket named by ``--lake`` as ``role`` (the job role's policy);
    ``needs`` is what Glue itself asks before the script runs (see the module documentation).

    ``on_s3``: the script runs as on Glue (:func:`_run_on_s3`), on the bucket itself, instead of on a
    folder mirroring it."""
    bucket = arguments["--lake"].removeprefix("s3://").rstrip("/")
    refused = iam_audit.denied(list(needs), role)
    if refused:
        raise GlueAccessDenied(f"AccessDenied: the job's role is not allowed {'; '.join(refused)}")
    if on_s3:
        return _run_on_s3(script, arguments, endpoint=endpoint, bucket=bucket, role=role)
    return _run_on_mirror(script, arguments, endpoint=endpoint, bucket=bucket, workdir=workdir, role=role)


def _run_on_s3(
    script: Path, arguments: Mapping[str, str], *, endpoint: str, bucket: str, role: iam_audit.Policy
) -> TransformRun:
    """The script with Glue's arguments (``--JOB_NAME`` and the job's own, ``--lake s3://...``) and
    Glue's ``awsglue`` package (the test double in :data:`GLUE_RUNTIME`), every S3 and Glue call it
    makes sent through a recording proxy and checked against ``role`` (:func:`_audited`).

    The check reads the calls after the run, so a refused write has reached moto by then (Glue's S3
    client would have been refused at the call); the job fails all the same."""
    before = s3_objects(endpoint, bucket)
    argv = [str(script), "--JOB_NAME", arguments.get("--JOB_NAME", script.stem)]
    for name, value in arguments.items():
        if name.startswith("--") and name not in (*_GLUE_OWN_ARGUMENTS, "--JOB_NAME"):
            argv += [name, value]
    with (
        _audited(endpoint, role) as through,
        _job_process(argv, {"CINELAKE_S3_ENDPOINT_URL": through}),
        glue_runtime(),
    ):
        runpy.run_path(str(script), run_name="__main__")
        jobs = list(getattr(sys.modules.get("awsglue.job"), "RUNS", []))
    after = s3_objects(endpoint, bucket)
    run = TransformRun(script.name, glue_jobs=jobs)
    run.written = sorted(key for key, tag in after.items() if before.get(key) != tag)
    run.deleted = sorted(key for key in before if key not in after)
    return run


@contextlib.contextmanager
def glue_runtime() -> Iterator[None]:
    """Glue's ``awsglue`` package importable within the block (the test double), as on Glue."""
    import importlib

    sys.path.insert(0, str(GLUE_RUNTIME))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(GLUE_RUNTIME))
        for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
            del sys.modules[name]
        importlib.invalidate_caches()


@contextlib.contextmanager
def _job_process(argv: list[str], env: Mapping[str, str]) -> Iterator[None]:
    """``sys.argv`` and these environment variables for a script run in this process; both (and the
    settings read from the environment) restored after, as the job's entry changes the environment
    (CINELAKE_CATALOG_DATABASE from ``--database``)."""
    saved, saved_env = sys.argv, dict(os.environ)
    sys.argv = argv
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield
    finally:
        sys.argv = saved
        os.environ.clear()
        os.environ.update(saved_env)
        get_settings.cache_clear()


def _run_on_mirror(
    script: Path,
    arguments: Mapping[str, str],
    *,
    endpoint: str,
    bucket: str,
    workdir: Path,
    role: iam_audit.Policy,
) -> TransformRun:
    """The script over a folder mirroring the bucket (``--lake <folder>``); what it changed put back."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    mirror = workdir / f"glue-{uuid.uuid4().hex[:8]}"
    before = s3_objects(endpoint, bucket)
    for key in before:
        target = mirror / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    # Local Spark cannot reach S3, so the job commits to the folder's own Iceberg catalog, seeded with
    # the tables' current snapshots in Glue; their new snapshots are committed to Glue after.
    database = arguments.get("--database") or get_settings().catalog_database
    with _audited(endpoint, role) as through:
        bucket_lake = Lake(f"s3://{bucket}", s3_endpoint_url=through)
        seeded = _seed_iceberg_catalog(bucket_lake, Lake(str(mirror)), database)
    argv = [str(script)]
    for name, value in arguments.items():
        if name.startswith("--") and name not in _GLUE_OWN_ARGUMENTS:
            argv += [name, str(mirror) if name == "--lake" else value]
    with _job_process(argv, {}):
        runpy.run_path(str(script), run_name="__main__")
    run = TransformRun(script.name)
    local = {  # Hadoop's .crc files are the local filesystem's own checksums, not the job's output
        p.relative_to(mirror).as_posix(): p
        for p in mirror.rglob("*")
        if p.is_file() and not p.name.endswith(".crc")
    }
    changed = {}
    for key, path in sorted(local.items()):
        metadata = key.startswith(("Trusted/", "Refined/")) and "/metadata/" in key
        own_catalog = key.startswith(ICEBERG_DB) or metadata
        if own_catalog and key not in before:
            continue  # the folder's Iceberg catalog and its metadata files: Glue gets its own below
        data = path.read_bytes()
        if key not in before or s3.get_object(Bucket=bucket, Key=key)["Body"].read() != data:
            changed[key] = data
    removed = [key for key in before if key not in local]
    refused = iam_audit.denied(iam_audit.objects_needs(bucket, list(changed), removed), role)
    if refused:
        raise GlueAccessDenied(f"AccessDenied: the job's role is not allowed {'; '.join(refused)}")
    for key, data in changed.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        run.written.append(key)
    for key in removed:
        s3.delete_object(Bucket=bucket, Key=key)
        run.deleted.append(key)
    with _audited(endpoint, role) as through:
        _commit_to_glue(Lake(str(mirror)), Lake(f"s3://{bucket}", s3_endpoint_url=through), database, seeded)
    return run


@contextlib.contextmanager
def _audited(endpoint: str, role: iam_audit.Policy) -> Iterator[str]:
    """The job's own Iceberg catalog calls (Glue's GetTable, CreateTable, UpdateTable; the metadata
    files pyiceberg reads and writes in S3) sent through a recording proxy, whose URL the block gets:
    what the role does not grant fails the job with AccessDenied, as it would on Glue."""
    saved = os.environ.get("AWS_ENDPOINT_URL")
    with RecordingProxy(endpoint) as proxy:
        os.environ["AWS_ENDPOINT_URL"] = proxy.url
        try:
            yield proxy.url
        finally:
            if saved is None:
                os.environ.pop("AWS_ENDPOINT_URL", None)
            else:
                os.environ["AWS_ENDPOINT_URL"] = saved
    refused = iam_audit.audit(proxy.calls, role)
    if refused:
        raise GlueAccessDenied(f"AccessDenied: the job's role is not allowed {'; '.join(refused)}")


@contextlib.contextmanager
def _catalog_database(name: str) -> Iterator[None]:
    """CINELAKE_CATALOG_DATABASE set to ``name`` for the block, restored after (settings re-read)."""
    saved = os.environ.get("CINELAKE_CATALOG_DATABASE")
    os.environ["CINELAKE_CATALOG_DATABASE"] = name
    get_settings.cache_clear()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("CINELAKE_CATALOG_DATABASE", None)
        else:
            os.environ["CINELAKE_CATALOG_DATABASE"] = saved
        get_settings.cache_clear()


def _seed_iceberg_catalog(lake: Lake, mirror: Lake, database: str) -> dict[str, int | None]:
    """Register the Glue tables' current data files (mirrored) in the folder's Iceberg catalog, with
    their record of Raw sources; returns each table's snapshot in the folder's catalog."""
    from cinelake.tables.registry import ALL_TABLES
    from cinelake.tables.store import SOURCES_PROPERTY, commit_files, data_files, load, summary

    seeded: dict[str, int | None] = {}
    with _catalog_database(database):
        for table in ALL_TABLES:
            found = load(lake, table)
            if found is None:
                continue
            files = [lake.relative(f.removeprefix("s3://")) for f in data_files(lake, table)]
            sources = json.loads(summary(found).get(SOURCES_PROPERTY, "{}"))
            done = commit_files(mirror, table, files, replace="all", sources=sources)
            seeded[table.name] = done.snapshot_id
    return seeded


def _commit_to_glue(mirror: Lake, lake: Lake, database: str, seeded: dict[str, int | None]) -> None:
    """Commit each table the job changed in the folder's catalog to Glue: its files, uploaded already."""
    from cinelake.tables.registry import ALL_TABLES
    from cinelake.tables.store import DAY_PROPERTY, SOURCES_PROPERTY, commit_files, data_files, load, summary

    with _catalog_database(database):
        for table in ALL_TABLES:
            found = load(mirror, table)
            current = found.current_snapshot() if found is not None else None
            if current is None or current.snapshot_id == seeded.get(table.name):
                continue
            recorded = summary(found)
            files = [mirror.relative(f.removeprefix("file://")) for f in data_files(mirror, table)]
            day = recorded.get(DAY_PROPERTY)
            commit_files(
                lake,
                table,
                files,
                replace="all",
                sources=json.loads(recorded.get(SOURCES_PROPERTY, "{}")),
                day=date.fromisoformat(day) if day else None,
            )


class LocalStack:
    """The stack's resources against moto, with ``parameters`` overriding the template's defaults."""

    def __init__(
        self,
        *,
        endpoint: str,
        tmdb_url: str,
        token: str,
        root: Path,
        parameters: Mapping[str, str],
        extra_env: Mapping[str, str] | None = None,
        function_env: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        import boto3

        self.template = load_template()
        self.endpoint, self.root = endpoint, root
        self.bucket = f"lake-{uuid.uuid4().hex[:12]}"
        defaults = {k: str(v.get("Default", "")) for k, v in self.template["Parameters"].items()}
        # A fresh bucket and Glue database per stack: two stacks in one moto server share nothing.
        database = f"{defaults['GlueDatabaseName']}_{uuid.uuid4().hex[:8]}"
        self.parameters = {
            **defaults, "BucketName": self.bucket, "GlueDatabaseName": database, **parameters,
        }  # fmt: skip
        # What CloudFormation would create before the first run.
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=self.bucket)
        self.secret = f"{STACK}-{uuid.uuid4().hex[:6]}/tmdb"
        boto3.client("secretsmanager", endpoint_url=endpoint).create_secret(
            Name=self.secret, SecretString=json.dumps({"read_access_token": token})
        )
        self.database = self.parameters["GlueDatabaseName"]
        glue = boto3.client("glue", endpoint_url=endpoint)
        with contextlib.suppress(glue.exceptions.AlreadyExistsException):
            glue.create_database(DatabaseInput={"Name": self.database})
        self.tmdb_url = tmdb_url
        self.extra_env = dict(extra_env or {})
        self.function_env = {k: dict(v) for k, v in (function_env or {}).items()}
        self.functions: dict[str, Function] = {}
        self.transforms: list[TransformRun] = []
        self.notifications: list[dict[str, Any]] = []
        self._stack = contextlib.ExitStack()

    # -- resources ------------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        """One of the template's Conditions, with this stack's parameters."""
        return self.resolver().condition(name)

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            n: r["Properties"]
            for n, r in self.template["Resources"].items()
            if r["Type"] == kind and ("Condition" not in r or self.condition(r["Condition"]))
        }

    def _value(self, value: Any) -> str:
        if isinstance(value, str | int | float):
            return str(value)
        if isinstance(value, dict) and "Fn::If" in value:
            condition, yes, no = value["Fn::If"]
            return self._value(yes if self.condition(condition) else no)
        if isinstance(value, dict) and "Ref" in value:
            ref = value["Ref"]
            if ref in self.parameters:
                return self.parameters[ref]
            if ref == "TMDBSecret":
                return self.secret
            if ref == "GlueDatabase":
                return self.database
            resource = self.template["Resources"][ref]
            if resource["Type"] == "AWS::Glue::Job":
                return _sub_name(resource["Properties"]["Name"])
        if isinstance(value, dict) and "Fn::Sub" in value:
            text = _sub_name(value)
            for name, param in self.parameters.items():
                text = text.replace("${" + name + "}", param)
            return text
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn", value
            return self.function(logical).api.function_arn
        raise AssertionError(f"cannot resolve {value!r}")

    def function(self, logical: str) -> Function:
        if logical in self.functions:
            return self.functions[logical]
        props = self.resources("AWS::Serverless::Function")[logical]
        name = _sub_name(props["FunctionName"])
        env = {k: self._value(v) for k, v in props["Environment"]["Variables"].items()}
        workdir = self.root / name
        for folder in ("task", "home", "tmp"):
            (workdir / folder).mkdir(parents=True, exist_ok=True)
        api = self._stack.enter_context(
            RuntimeAPI(function_name=name, timeout_ms=int(props["Timeout"]) * 1000)
        )
        # Every AWS call of this function passes through its own recorder on the way to moto.
        proxy = self._stack.enter_context(RecordingProxy(self.endpoint))
        variables = {
            "PYTHONPATH": ":".join([str(REPO), *sys.path[1:]]),
            "HOME": str(workdir / "home"),
            "TMPDIR": str(workdir / "tmp"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": proxy.url,
            "CINELAKE_S3_ENDPOINT_URL": proxy.url,
            "TMDB_BASE_URL": self.tmdb_url,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": self._value(props.get("MemorySize", 128)),
            **env,
            **self.extra_env,
            **self.function_env.get(logical, {}),
        }
        bundles = {b.zip_name: name for name, b in BUNDLES.items()}
        bundle = bundles[str(props["CodeUri"]).rsplit("/", 1)[-1]]
        runtime = RuntimeProcess(
            api,
            base_env(variables),
            cwd=workdir / "task",
            log_path=workdir / "runtime.log",
            handler=props["Handler"],
            launcher=[sys.executable, str(Path(__file__).with_name("bundle_runtime.py")), bundle],
        )
        # Started at its first invocation, as Lambda starts an environment: a function the execution
        # never reaches costs no process.
        self._stack.callback(runtime.stop)
        role = props["Role"]["Fn::GetAtt"][0]
        self.functions[logical] = Function(name, props["Handler"], env, api, runtime, proxy, role)
        return self.functions[logical]

    def definition(self) -> dict[str, Any]:
        """The state machine's definition with its substitutions applied, as Step Functions gets it."""
        props = self.resources("AWS::StepFunctions::StateMachine")["PipelineStateMachine"]
        values = {}
        for key, value in props["DefinitionSubstitutions"].items():
            if isinstance(value, dict) and "Fn::If" in value:
                condition, yes, no = value["Fn::If"]
                value = yes if self.condition(condition) else no
                if isinstance(value, dict) and value == {"Ref": "NotificationTopic"}:
                    value = f"arn:aws:sns:us-east-1:123456789012:{STACK}-failures"
            values[key] = self._value(value)
        text = json.dumps(props["Definition"])
        for key, value in values.items():
            text = text.replace("${" + key + "}", value)
        assert "${" not in text, "an unresolved substitution is left in the definition"
        loaded: dict[str, Any] = json.loads(text)
        return loaded

    # -- the tasks ------------------------------------------------------------------------------------

    def invoke(self, function: Function, payload: Any) -> Invocation:
        """One synchronous invocation of ``function`` (its environment started when it has none)."""
        function.invocations += 1
        if function.runtime.exit_code() is not None:  # killed at a deadline, or crashed
            function.runtime.stop()
        if function.runtime.proc is None:
            function.api.new_process()
            function.runtime.start()
        invocation = function.api.enqueue(payload)
        # The Runtime API answers every invocation by its deadline (Sandbox.Timedout) or when its
        # process dies (Runtime.ExitError); waiting longer is a fault of this harness.
        if not invocation.done.wait(function.api.timeout_ms / 1000 + 60):
            raise AssertionError(f"the runtime API never answered an invocation of {function.name}")
        return invocation

    def run_task(self, resource: str, given: Any) -> Any:
        if resource == "arn:aws:states:::lambda:invoke":
            arn = given["FunctionName"]
            (function,) = [f for f in self.functions.values() if f.api.function_arn == arn]
            invocation = self.invoke(function, given["Payload"])
            if invocation.error is not None:
                raise TaskError(str(invocation.error.get("errorType")), json.dumps(invocation.error))
            return {"Payload": invocation.result, "StatusCode": 200, "ExecutedVersion": "$LATEST"}
        if resource == "arn:aws:states:::glue:startJobRun.sync":
            ((logical, job),) = [
                (n, p)
                for n, p in self.resources("AWS::Glue::Job").items()
                if _sub_name(p["Name"]) == given["JobName"]
            ]
            resolver = self.resolver()
            role = iam_audit.Policy.of_resolved(resolver, iam_audit.role_of(self.template, logical))
            script = REPO / "glue" / self._value(job["Command"]["ScriptLocation"]).rsplit("/", 1)[-1]
            arguments = {k: self._value(v) for k, v in job["DefaultArguments"].items()}
            arguments.update(given.get("Arguments", {}))
            run_id = f"jr_{uuid.uuid4().hex}"
            try:
                done = run_transform(
                    script,
                    arguments,
                    endpoint=self.endpoint,
                    workdir=self.root,
                    role=role,
                    needs=iam_audit.glue_job_needs(resolver, logical),
                )
            except Exception as exc:  # the job failed: Step Functions sees a FAILED job run
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                cause = {
                    "Id": run_id,
                    "JobName": given["JobName"],
                    "JobRunState": "FAILED",
                    "ErrorMessage": message,
                }
                raise TaskError("States.TaskFailed", json.dumps(cause)) from None
            self.transforms.append(done)
            return {"Id": run_id, "JobName": given["JobName"], "JobRunState": "SUCCEEDED"}
        if resource == "arn:aws:states:::sns:publish":
            self.notifications.append(given)
            return {"MessageId": uuid.uuid4().hex}
        raise AssertionError(f"no stand-in for {resource}")

    def execute(self, given: Any) -> tuple[Any, Execution]:
        """One execution of the state machine; raises :class:`ExecutionFailed` as a failed one ends."""
        for logical in self.resources("AWS::Serverless::Function"):
            self.function(logical)
        return StateMachine(self.definition(), self.run_task).execute(given)

    def resolver(self) -> iam_audit.Resolver:
        """The template's values with this stack's parameters, as the access audit reads them."""
        return iam_audit.Resolver(
            self.template, {"AWS::StackName": STACK, **self.parameters}, secret=self.secret
        )

    def access_problems(self, logical: str) -> list[str]:
        """The calls of one function that its role in the template does not allow (see iam_audit)."""
        function = self.functions[logical]
        policy = iam_audit.Policy.of_resolved(self.resolver(), function.role)
        return iam_audit.audit(function.proxy.calls, policy)

    def close(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def local_stack(**kwargs: Any) -> Iterator[LocalStack]:
    stack = LocalStack(**kwargs)
    try:
        yield stack
    finally:
        stack.close()


__all__ = ["ExecutionFailed", "GlueAccessDenied", "LocalStack", "local_stack", "run_transform", "s3_objects"]
