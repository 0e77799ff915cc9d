"""`cinelake aws ...` commands."""

from __future__ import annotations

from typing import Annotated

import typer

from cinelake.commands.common import console, err_console

app = typer.Typer(
    help="Deploy the ingestion to AWS Lambda: build its deployment package.", no_args_is_help=True
)


@app.command("package")
def package(
    arch: Annotated[
        str, typer.Option("--arch", help="Lambda architecture: x86_64 or arm64 (Graviton).")
    ] = "x86_64",
    python: Annotated[
        str, typer.Option("--python", help="Python version of the Lambda runtime (python3.12 -> 3.12).")
    ] = "3.12",
    out: Annotated[str, typer.Option("--out", help="Folder the zip is written to.")] = "dist/lambda",
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
    """Build the Lambda deployment zip from manylinux wheels and report its size against Lambda's limits."""
    from cinelake.aws.packaging import LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_LIMIT
    from cinelake.aws.packaging import package as build

    report = build(
        arch,
        python,
        out,
        slim_botocore=not full_botocore,
        bytecode=not no_bytecode,
        compile_with=compile_with,
        log=lambda message: err_console.print(message),
    )
    console.print(f"built {report.zip_path}")
    console.print(
        f"zipped {report.zipped_mb:.1f} MB (limit {LAMBDA_ZIP_LIMIT // 2**20} MB), "
        f"unzipped {report.unzipped_mb:.1f} MB (limit {LAMBDA_UNZIPPED_LIMIT // 2**20} MB), "
        f"{report.files} files"
    )
    console.print(f"sha256 {report.sha256}")
    compiled = f"bytecode compiled by {report.bytecode}" if report.bytecode else "sources only, no bytecode"
    console.print(compiled)
    console.print(f"python {report.python_version}, {report.arch}: " + " ".join(report.distributions))
