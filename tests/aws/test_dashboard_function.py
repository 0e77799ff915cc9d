"""The dashboard on AWS (template.yaml, Dashboard=true): off by default and absent when off, reachable
only through its AWS_IAM Function URL, signed by ``cinelake aws dashboard``'s proxy, and reading the
lake with no call its role does not grant; the daily state machine is the same with it or without."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import functools
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import Credentials

from cinelake.aws import signing_proxy
from cinelake.errors import ConfigError, UsageError
from tests.aws import function_url, iam_audit
from tests.aws.iam_audit import Need, Policy, Resolver
from tests.aws.stack import load_template

VARIABLES = {"AWS::StackName": "cinelake", "BucketName": "lake", "GlueDatabaseName": "cinelake"}
LAKE = "arn:aws:s3:::lake"
DASHBOARD_RESOURCES = {"DashboardLogGroup", "DashboardRole", "DashboardFunction", "DashboardViewerPolicy"}


@functools.cache
def template() -> dict[str, Any]:
    return load_template()


@functools.cache
def resolver(**parameters: str) -> Resolver:
    return Resolver(template(), {**VARIABLES, **parameters}, secret="cinelake/tmdb")


def test_the_dashboard_is_off_by_default_and_absent_when_off() -> None:
    assert template()["Parameters"]["Dashboard"]["Default"] == "false"
    deployed = {name for name in template()["Resources"] if resolver().exists(name)}
    assert not deployed & DASHBOARD_RESOURCES
    assert {
        name for name in template()["Resources"] if resolver(Dashboard="true").exists(name)
    } >= DASHBOARD_RESOURCES
    # Everything of the dashboard hangs on the one condition, and nothing else does.
    on_condition = {n for n, r in template()["Resources"].items() if r.get("Condition") == "DeployDashboard"}
    assert on_condition == DASHBOARD_RESOURCES
    outputs = {n for n, o in template()["Outputs"].items() if o.get("Condition") == "DeployDashboard"}
    assert outputs == {"DashboardUrl", "DashboardViewerPolicyArn"}
    # Nothing else depends on the parameter, its condition or its resources: with it off (or on) the
    # rest of the stack is what it was.
    others = {n: r for n, r in template()["Resources"].items() if n not in DASHBOARD_RESOURCES}
    assert [n for n, r in others.items() if "Dashboard" in json.dumps(r)] == []
    assert [
        n
        for n, c in template()["Conditions"].items()
        if n != "DeployDashboard" and "Dashboard" in json.dumps(c)
    ] == []


@pytest.mark.parametrize("engine", ["lambda", "glue"])
def test_the_state_machine_is_the_same_with_the_dashboard(engine: str) -> None:
    """The dashboard is not part of the daily run: no state names it, its role is not the pipeline's."""
    off, on = resolver(TransformEngine=engine), resolver(TransformEngine=engine, Dashboard="true")
    assert iam_audit.state_machine_needs(off, "PipelineStateMachine") == iam_audit.state_machine_needs(
        on, "PipelineStateMachine"
    )
    machine = template()["Resources"]["PipelineStateMachine"]["Properties"]
    assert "Dashboard" not in json.dumps(machine)
    dashboard = Need("lambda:InvokeFunction", on.get_att("DashboardFunction", "Arn"))
    assert not Policy.of_resolved(on, "PipelineRole").allows(dashboard)


def test_only_signed_requests_reach_the_function() -> None:
    """AuthType AWS_IAM (Lambda refuses unsigned requests before the function runs), no resource policy
    opening it to anyone, and the viewers' policy grants only InvokeFunctionUrl on this function."""
    resources = template()["Resources"]
    function = resources["DashboardFunction"]["Properties"]
    assert function["FunctionUrlConfig"] == {"AuthType": "AWS_IAM"}
    assert "Cors" not in function["FunctionUrlConfig"]
    assert not [
        n for n, r in resources.items() if r["Type"] in ("AWS::Lambda::Permission", "AWS::Lambda::Url")
    ]
    (statement,) = resources["DashboardViewerPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "lambda:InvokeFunctionUrl"
    assert statement["Resource"] == {"Fn::GetAtt": ["DashboardFunction", "Arn"]}
    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}


def test_the_dashboard_role_reads_and_writes_nothing() -> None:
    role = Policy.of_resolved(resolver(Dashboard="true"), "DashboardRole")
    granted = [
        Need("s3:GetObject", f"{LAKE}/Refined/fact_movie/data/x.parquet"),
        Need("s3:GetObject", f"{LAKE}/Trusted/TMDB/PARQUET/Movies/x.parquet"),
        Need("s3:GetObject", f"{LAKE}/Raw/TMDB/_vintage.json"),
        Need("s3:ListBucket", LAKE, (("s3:prefix", "Refined/"),)),
        Need(
            "glue:GetTable", f"arn:aws:glue:{iam_audit.REGION}:{iam_audit.ACCOUNT}:table/cinelake/fact_movie"
        ),
    ]
    assert iam_audit.denied(granted, role) == []
    refused = [
        Need("s3:PutObject", f"{LAKE}/Refined/_reports/2026/11/26/report.html"),
        Need("s3:DeleteObject", f"{LAKE}/Refined/fact_movie/data/x.parquet"),
        Need("s3:ListBucket", LAKE),
        Need("s3:GetObject", f"{LAKE}/glue/cinelake-0.1.0-py3-none-any.whl"),
        Need(
            "glue:UpdateTable",
            f"arn:aws:glue:{iam_audit.REGION}:{iam_audit.ACCOUNT}:table/cinelake/fact_movie",
        ),
        Need("glue:CreateTable", f"arn:aws:glue:{iam_audit.REGION}:{iam_audit.ACCOUNT}:table/cinelake/x"),
        Need("secretsmanager:GetSecretValue", "secret:cinelake/tmdb"),
        Need(
            "athena:StartQueryExecution",
            f"arn:aws:athena:{iam_audit.REGION}:{iam_audit.ACCOUNT}:workgroup/cinelake",
        ),
    ]
    assert len(iam_audit.denied(refused, role)) == len(refused)


def test_the_proxy_signs_what_the_function_url_checks() -> None:
    url = "http://127.0.0.1:9/api/answer?kind=movies&genre=Comedy&genre=Animation"
    signed = signing_proxy.sign(
        "GET", url, {"accept": "application/json"}, b"",
        Credentials(function_url.ACCESS_KEY, function_url.SECRET_KEY).get_frozen_credentials(),
        function_url.REGION,
    )  # fmt: skip
    headers = {k.lower(): v for k, v in signed.items()} | {"host": "127.0.0.1:9"}
    assert function_url.signature_holds("GET", url, headers)
    assert not function_url.signature_holds("GET", url.replace("Comedy", "Drama"), headers)
    assert not function_url.signature_holds("GET", url, {**headers, "accept": "text/html"})
    assert not function_url.signature_holds(
        "GET", url, {k: v for k, v in headers.items() if k != "authorization"}
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    assert not function_url.signature_holds("GET", url, headers, now=later)
    other = signing_proxy.sign(
        "GET", url, {}, b"", Credentials(function_url.ACCESS_KEY, "another-secret").get_frozen_credentials(),
        function_url.REGION,
    )  # fmt: skip
    assert not function_url.signature_holds(
        "GET", url, {k.lower(): v for k, v in other.items()} | {"host": "127.0.0.1:9"}
    )


def test_a_function_url_names_its_region_and_nothing_else_is_one() -> None:
    assert signing_proxy.function_url_region("https://abc123xyz.lambda-url.eu-west-3.on.aws/") == "eu-west-3"
    for bad in ("http://abc.lambda-url.eu-west-3.on.aws/", "https://example.org/", "abc"):
        with pytest.raises(UsageError, match="not a Lambda Function URL"):
            signing_proxy.function_url_region(bad)


def test_no_credentials_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ConfigError, match="no AWS credentials found: sign in first"):
        signing_proxy.session_credentials()
    with pytest.raises(ConfigError, match="profile"):
        signing_proxy.session_credentials("nobody")


# --- the function itself, after a day of the stack on moto -------------------------------------------


def open_the_dashboard(stack: Any, answer_of_the_day: dict[str, Any]) -> None:
    """Open the stack's dashboard function after a day of the stack on moto (Dashboard=true): it is
    called by ``tests/aws/test_daily_pipeline.py``'s one-day test on the Lambda engine, so the day that
    test runs anyway is the lake the dashboard reads, rather than a second day of its own.

    No state of the day invoked the function; unsigned and wrongly signed requests never reach it; a
    signed browser sees the day's analysis through the same code, and every call it made is a read
    its role grants."""
    dashboard = stack.function("DashboardFunction")
    assert dashboard.invocations == 0 and dashboard.proxy.calls == []

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        invocation = stack.invoke(dashboard, event)
        assert invocation.error is None, invocation.error
        result: dict[str, Any] = invocation.result
        return result

    with function_url.FunctionUrl(invoke) as url:
        import httpx

        # No signature, or another key's: refused before the function runs.
        assert httpx.get(url.url).status_code == 403
        stranger = Credentials(function_url.ACCESS_KEY, "not-the-key")
        wrong = signing_proxy.create_proxy(url.url, region=function_url.REGION, credentials=stranger)
        (refused,) = browse(wrong, "/")
        assert refused.status_code == 403 and "DashboardViewerPolicy" in refused.text
        assert url.refused == 2 and url.answered == [] and dashboard.invocations == 0

        viewer = Credentials(function_url.ACCESS_KEY, function_url.SECRET_KEY)
        proxy = signing_proxy.create_proxy(url.url, region=function_url.REGION, credentials=viewer)
        best = answer_of_the_day["genres"]["Animation"]["best"][0]
        page, answer, title, bad, script = browse(
            proxy,
            "/?kind=movies&genre=Animation",
            "/api/answer?kind=movies&genre=Animation",
            f"/title/movies/{best['tmdb_id']}?kind=movies&genre=Animation",
            "/view?kind=movies&genre=Sitcom",
            "/assets/plotly.min.js",
        )
        assert page.status_code == 200, page.text[:500]
        assert 'data-rank="B1"' in page.text and "not endorsed or certified by TMDB" in page.text
        # /api/answer is the analysis of the day the report step wrote, through the same code.
        # (The report's definition words a single genre without "any of": the rows are the same.)
        found = answer.json()
        assert found["genres"] == answer_of_the_day["genres"]
        assert found["source"] == answer_of_the_day["source"]
        assert title.status_code == 200 and best["title"] in title.text
        assert bad.status_code == 400 and "unknown genre 'Sitcom'" in bad.json()["error"]
        assert script.status_code == 200 and script.content == installed_plotly_js()
    # plotly.js left the function gzipped, well under a Function URL's 6 MB answer
    (asset,) = [a for a in url.answered if a.path.startswith("/assets/plotly.min.js")]
    assert asset.base64 and asset.payload_bytes < function_url.RESPONSE_LIMIT / 2

    # IAM: every call the dashboard made is inside its role, and it only read.
    calls = dashboard.proxy.calls
    assert calls and {c.service for c in calls} <= {"s3", "glue"}
    assert {c.method for c in calls if c.service == "s3"} <= {"GET", "HEAD"}
    assert all(c.target.split(".", 1)[-1].startswith("Get") for c in calls if c.service == "glue")
    assert stack.access_problems("DashboardFunction") == []


def browse(app: Any, *paths: str) -> list[Any]:
    """GET each path from the proxy's app as a browser does (accepting gzip)."""
    import httpx

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8050") as client:
            headers = {"accept-encoding": "gzip, deflate, br"}
            return [await client.get(path, headers=headers) for path in paths]

    return asyncio.run(run())


def installed_plotly_js() -> bytes:
    """The installed plotly.js, what the dashboard serves as /assets/plotly.min.js."""
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


def test_the_handler_answers_function_url_events(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run in process over an empty lake: plotly.js gzipped for a browser (a Function URL answer is at
    most 6 MB; the file alone is 4.8 MB) and plain otherwise; a lake with no films is the one line."""
    from cinelake.aws import dashboard_function

    monkeypatch.setenv("LAKE", str(tmp_path))
    dashboard_function._adapter.cache_clear()
    try:
        domain = "abc123.lambda-url.us-east-1.on.aws"
        event = function_url.event_of(
            "GET", "/assets/plotly.min.js", {"accept-encoding": "gzip, deflate, br"}, domain=domain
        )
        answer = dashboard_function.handler(event, None)
        assert answer["statusCode"] == 200 and answer["isBase64Encoded"]
        assert answer["headers"]["content-encoding"] == "gzip"
        assert gzip.decompress(base64.b64decode(answer["body"])) == installed_plotly_js()
        assert len(json.dumps(answer)) < function_url.RESPONSE_LIMIT / 2
        plain = dashboard_function.handler(
            function_url.event_of("GET", "/assets/dashboard.css", {}, domain=domain), None
        )
        assert (
            plain["statusCode"] == 200
            and not plain["isBase64Encoded"]
            and "content-encoding" not in plain["headers"]
        )
        empty = dashboard_function.handler(
            function_url.event_of("GET", "/view?kind=movies&genre=Animation", {}, domain=domain), None
        )
        assert empty["statusCode"] == 404 and "\n" not in json.loads(empty["body"])["error"]
    finally:
        dashboard_function._adapter.cache_clear()
