"""`cinelake aws ...` commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import typer

from cinelake.commands.common import console, err_console
from cinelake.errors import needs_aws

app = typer.Typer(
    help=(
        "Deploy the daily lake to AWS: `package` builds the Lambda zips, the cinelake wheel and the Glue "
        "scripts; `deploy` runs sam build + sam deploy and uploads the wheel and scripts for the Glue jobs; "
        "`smoke` deploys a stack of its own, runs one small day, prints the answer and deletes the stack; "
        "`dashboard` opens the stack's dashboard (Dashboard=true) in a browser, signed in as you."
    ),
    no_args_is_help=True,
)


def _require_aws_libraries(command: str) -> None:
    """Before any work: one line naming the ``aws`` extra when boto3 or s3fs is not installed (every
    ``cinelake aws`` command calls AWS or pins the Lambda zips to their installed versions)."""
    with needs_aws(f"`cinelake aws {command}`"):
        import boto3  # noqa: F401
        import s3fs  # noqa: F401


@app.command("package")
def package(
    arch: Annotated[
        str, typer.Option("--arch", help="Lambda architecture: x86_64 or arm64 (Graviton).")
    ] = "x86_64",
    python: Annotated[
        str, typer.Option("--python", help="Python version of the Lambda runtime (python3.12 -> 3.12).")
    ] = "3.12",
    out: Annotated[str, typer.Option("--out", help="Folder the zips are written to.")] = "dist/lambda",
    glue_out: Annotated[
        str, typer.Option("--glue-out", help="Folder the cinelake wheel and the Glue scripts are written to.")
    ] = "dist/glue",
    bundles: Annotated[
        list[str] | None,
        typer.Option(
            "--bundle",
            help=(
                "Build only this Lambda bundle: ingest, catalog, report, dashboard or transform "
                "(repeatable; default: all)."
            ),
            show_default=False,
        ),
    ] = None,
    no_glue: Annotated[
        bool, typer.Option("--no-glue", help="Do not build the wheel and the Glue scripts.")
    ] = False,
    full_botocore: Annotated[
        bool,
        typer.Option(
            "--full-botocore",
            help="Keep every botocore service model (default: only the services the function calls).",
        ),
    ] = False,
    no_bytecode: Annotated[
        bool,
        typer.Option(
            "--no-bytecode",
            help="Ship sources only (by default .pyc files are compiled with python<version> when found).",
        ),
    ] = False,
    compile_with: Annotated[
        str | None,
        typer.Option(
            "--compile-with",
            help="The Python interpreter (of the --python version) that compiles the bytecode.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build the Lambda zips (ingest, catalog, report, transform), the cinelake wheel and the Glue scripts."""
    _require_aws_libraries("package")
    from cinelake.aws.deploy import build_glue_code
    from cinelake.aws.packaging import BUNDLES, LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_LIMIT
    from cinelake.aws.packaging import package as build
    from cinelake.errors import UsageError

    chosen = list(dict.fromkeys(bundles or BUNDLES))
    unknown = [b for b in chosen if b not in BUNDLES]
    if unknown:
        raise UsageError(f"unknown --bundle {', '.join(unknown)}: use {', '.join(BUNDLES)}")
    for bundle in chosen:
        report = build(
            arch,
            python,
            out,
            slim_botocore=not full_botocore,
            bytecode=not no_bytecode,
            compile_with=compile_with,
            log=lambda message: err_console.print(message),
            bundle=bundle,
        )
        console.print(f"built {report.zip_path} ({bundle})")
        console.print(
            f"zipped {report.zipped_mb:.1f} MB (direct upload limit {LAMBDA_ZIP_LIMIT // 2**20} MB), "
            f"unzipped {report.unzipped_mb:.1f} MB (limit {LAMBDA_UNZIPPED_LIMIT // 2**20} MB), "
            f"{report.files} files"
        )
        console.print(f"sha256 {report.sha256}")
        compiled = (
            f"bytecode compiled by {report.bytecode}" if report.bytecode else "sources only, no bytecode"
        )
        console.print(compiled)
        console.print(f"python {report.python_version}, {report.arch}: " + " ".join(report.distributions))
    if not no_glue:
        code = build_glue_code(glue_out)
        console.print(f"built {code.wheel} and {len(code.scripts)} Glue scripts in {glue_out}")


@app.command("deploy")
def deploy(
    bucket: Annotated[str, typer.Option("--bucket", help="The lake bucket the stack creates (BucketName).")],
    stack: Annotated[str, typer.Option("--stack", help="CloudFormation stack name.")] = "cinelake",
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter",
            help="A template parameter as Name=value, e.g. Kinds=movies (repeatable).",
            show_default=False,
        ),
    ] = None,
    glue_dir: Annotated[
        str, typer.Option("--glue-dir", help="Where `cinelake aws package` put the wheel and Glue scripts.")
    ] = "dist/glue",
    no_sam: Annotated[
        bool, typer.Option("--no-sam", help="Only upload the wheel and Glue scripts (the stack exists).")
    ] = False,
    guided: Annotated[bool, typer.Option("--guided", help="Let sam deploy ask for every parameter.")] = False,
) -> None:
    """Deploy the stack (sam build + sam deploy), then upload the wheel and Glue scripts to s3://<bucket>/glue/."""
    _require_aws_libraries("deploy")
    from cinelake.aws.deploy import deploy as run_deploy
    from cinelake.aws.deploy import parse_parameters
    from cinelake.config import get_settings

    keys = run_deploy(
        stack,
        bucket,
        parse_parameters(parameter or []),
        glue_dir=glue_dir,
        sam=not no_sam,
        guided=guided,
        endpoint_url=get_settings().s3_endpoint_url,
        log=lambda message: err_console.print(message),
    )
    console.print(
        f"uploaded {len(keys)} files to s3://{bucket}/glue/; the daily pipeline runs on its schedule"
    )


@app.command("dashboard")
def dashboard(
    url: Annotated[
        str,
        typer.Option(
            "--url", help="The stack's DashboardUrl output (https://<id>.lambda-url.<region>.on.aws/)."
        ),
    ],
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="The local TCP port to listen on; 0 picks a free one."),
    ] = 8050,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile", help="The AWS profile whose credentials sign the requests (default: boto3's chain)."
        ),
    ] = None,
) -> None:
    """Open the stack's dashboard (deployed with Dashboard=true) in a browser, signed in as you.

    Its Function URL answers only requests signed with AWS credentials allowed to invoke it, so this
    listens on 127.0.0.1, signs each request the browser sends with your credentials (aws sso login, a
    profile or environment variables) and forwards it. Prints the local URL to open and serves until
    interrupted (Ctrl+C).
    """
    import contextlib
    import sys

    _require_aws_libraries("dashboard")
    from cinelake.aws.signing_proxy import create_proxy, function_url_region, session_credentials
    from cinelake.views.dashboard import serve_asgi

    region = function_url_region(url)
    proxy = create_proxy(url, region=region, credentials=session_credentials(profile))

    def announce(local: str) -> None:
        typer.echo(f"dashboard: {local}  (signing requests to {url}; Ctrl+C stops it)")
        sys.stdout.flush()

    with contextlib.suppress(KeyboardInterrupt):
        serve_asgi(proxy, port=port, announce=announce)


@app.command("smoke")
def smoke(
    stack: Annotated[
        str,
        typer.Option("--stack", help="A stack name of its own, deleted at the end (not your daily stack)."),
    ],
    bucket: Annotated[
        str, typer.Option("--bucket", help="The lake bucket the smoke stack creates (BucketName).")
    ],
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter",
            help=(
                "A template parameter as Name=value (repeatable). The defaults run a small day: one "
                "discover of a month of animated films, the schedule disabled."
            ),
            show_default=False,
        ),
    ] = None,
    glue_dir: Annotated[
        str, typer.Option("--glue-dir", help="Where `cinelake aws package` put the wheel and Glue scripts.")
    ] = "dist/glue",
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds the execution may run before it is stopped.", min=60)
    ] = 3600,
    keep: Annotated[bool, typer.Option("--keep", help="Leave the stack in place to look at it.")] = False,
    delete_bucket: Annotated[
        bool,
        typer.Option(
            "--delete-bucket",
            help="Also delete the bucket and every version in it (the template keeps it otherwise).",
        ),
    ] = False,
) -> None:
    """Deploy the stack under its own name, run one small day, print the answer, delete the stack.

    The TMDB credential is read as every command reads it (TMDB_READ_ACCESS_TOKEN, TMDB_API_KEY or
    TMDB_SECRET_ID) and put into the stack's secret; it is never printed. Run `cinelake aws package`
    first. It costs a few cents of Lambda, Step Functions and S3 on the account of your AWS credentials.
    """
    _require_aws_libraries("smoke")
    from cinelake.attribution import TMDB_NOTICE
    from cinelake.aws.deploy import deploy as run_deploy
    from cinelake.aws.deploy import parse_parameters
    from cinelake.aws.smoke import SmokeClients, secret_value
    from cinelake.aws.smoke import smoke as run_smoke
    from cinelake.config import get_settings
    from cinelake.credentials import command_credentials

    settings = get_settings()

    def say(message: str) -> None:
        err_console.print(message)

    def deploy_stack(name: str, lake_bucket: str, parameters: Mapping[str, str]) -> None:
        run_deploy(
            name, lake_bucket, parameters, glue_dir=glue_dir, endpoint_url=settings.s3_endpoint_url, log=say
        )

    credentials = command_credentials(settings)
    secret_value(credentials)  # no credential: refused before any AWS client is made
    result = run_smoke(
        stack,
        bucket,
        parse_parameters(parameter or []),
        credentials=credentials,
        deploy_stack=deploy_stack,
        clients=SmokeClients.default(),
        keep=keep,
        remove_bucket=delete_bucket,
        timeout=timeout,
        log=say,
    )
    genres = result.answer.get("genres") or {}
    console.print(f"the execution {result.execution_arn} succeeded; answer {result.answer_url}")
    for name, genre in sorted(genres.items()):
        console.print(f"  {name}: {genre.get('eligible', 0)} films with budget and revenue")
    console.print("stack deleted" if result.stack_deleted else f"stack {stack} kept (--keep)")
    console.print(TMDB_NOTICE)
