"""What the stack needs besides the Lambda zips, built and put where the Glue jobs read it.

``build_glue_code`` makes the cinelake wheel (``pip wheel --no-deps`` of this source tree) and copies
the Glue job scripts (``glue/*.py``) into one folder; ``upload_glue_code`` puts that folder's files
under ``s3://<bucket>/glue/``, where template.yaml's jobs find their ``ScriptLocation`` and
``--additional-python-modules``; ``deploy`` runs ``sam build`` and ``sam deploy`` and then the upload,
so a deploy leaves nothing to copy by hand.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cinelake
from cinelake.errors import CinelakeError, UsageError

GLUE_PREFIX = "glue/"
TEMPLATE_NAME = "template.yaml"


class DeployError(CinelakeError):
    """A build or deploy step failed (pip, sam, or the upload)."""


@dataclass(frozen=True)
class GlueCode:
    wheel: Path
    scripts: tuple[Path, ...]

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.wheel, *self.scripts)


def source_root() -> Path:
    """The source tree this cinelake runs from (the folder with pyproject.toml and glue/)."""
    root = Path(cinelake.__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "glue").is_dir():
        raise UsageError("building the Glue code needs the cinelake source tree (pyproject.toml, glue/)")
    return root


def build_glue_code(out: str | Path = "dist/glue", *, root: Path | None = None) -> GlueCode:
    """The wheel and the Glue scripts in ``out`` (emptied of older wheels first)."""
    tree = root or source_root()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("cinelake-*.whl"):
        old.unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--disable-pip-version-check", "-w", str(folder), str(tree)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        raise DeployError(
            f"pip could not build the cinelake wheel: {lines[-1] if lines else proc.returncode}"
        )
    (wheel,) = sorted(folder.glob("cinelake-*.whl"))
    scripts = []
    for script in sorted((tree / "glue").glob("*.py")):
        shutil.copyfile(script, folder / script.name)
        scripts.append(folder / script.name)
    return GlueCode(wheel, tuple(scripts))


def template_wheel(template: Path) -> str:
    """The wheel file name the template's Glue jobs install."""
    found = set(re.findall(r"/glue/(cinelake-[^,\"/]+\.whl)", template.read_text(encoding="utf-8")))
    if len(found) != 1:
        raise UsageError(f"{template} names {len(found)} cinelake wheels for its Glue jobs, expected one")
    return found.pop()


def upload_glue_code(
    bucket: str, files: Sequence[Path], *, endpoint_url: str | None = None, client: Any = None
) -> list[str]:
    """Put ``files`` under ``s3://<bucket>/glue/``; returns the keys written."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    s3 = client or boto3.client("s3", endpoint_url=endpoint_url)
    keys = []
    for path in files:
        key = GLUE_PREFIX + path.name
        try:
            s3.upload_file(str(path), bucket, key)
        except (BotoCoreError, ClientError) as exc:
            raise DeployError(f"cannot upload {path.name} to s3://{bucket}/{key}: {exc}") from None
        keys.append(key)
    return keys


def sam_commands(
    stack: str, bucket: str, parameters: Mapping[str, str], *, template: Path, guided: bool = False
) -> list[list[str]]:
    """``sam build`` and ``sam deploy`` for the stack, with the bucket and the other parameters."""
    overrides = [f"BucketName={bucket}", *(f"{k}={v}" for k, v in parameters.items())]
    deploy = [
        "sam", "deploy", "--template-file", ".aws-sam/build/template.yaml", "--stack-name", stack,
        "--capabilities", "CAPABILITY_IAM", "--resolve-s3", "--no-fail-on-empty-changeset",
        "--parameter-overrides", *overrides,
    ]  # fmt: skip
    if guided:
        deploy.append("--guided")
    return [["sam", "build", "--template-file", str(template)], deploy]


def parse_parameters(pairs: Sequence[str]) -> dict[str, str]:
    """``Name=value`` pairs (``--parameter Kinds=movies``) as a mapping."""
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.match(r"^[A-Za-z][A-Za-z0-9]*$", name):
            raise UsageError(f"invalid --parameter {pair!r}: expected Name=value (a template parameter)")
        found[name] = value
    return found


def deploy(
    stack: str,
    bucket: str,
    parameters: Mapping[str, str],
    *,
    glue_dir: str | Path = "dist/glue",
    sam: bool = True,
    guided: bool = False,
    endpoint_url: str | None = None,
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
    log: Callable[[str], None] | None = None,
) -> list[str]:
    """``sam build && sam deploy`` (unless ``sam`` is false), then the Glue code's upload; the keys."""
    say = log or (lambda _message: None)
    if "BucketName" in parameters:
        raise UsageError("give the bucket with --bucket, not as a parameter")
    template = source_root() / TEMPLATE_NAME
    folder = Path(glue_dir)
    wheels = sorted(folder.glob("cinelake-*.whl"))
    if not wheels:
        raise UsageError(f"no cinelake wheel in {folder}: run `cinelake aws package` first")
    expected = template_wheel(template)
    if wheels[-1].name != expected:
        raise UsageError(f"the template's Glue jobs install {expected}, but {folder} holds {wheels[-1].name}")
    if sam:
        if shutil.which("sam") is None:
            raise UsageError("the AWS SAM CLI (sam) is not on the PATH: install it, or use --no-sam")
        for command in sam_commands(stack, bucket, parameters, template=template, guided=guided):
            say("$ " + " ".join(command))
            if run(command, check=False).returncode != 0:
                raise DeployError(f"`{' '.join(command[:2])}` failed: see its output above")
    files = [wheels[-1], *sorted(folder.glob("*.py"))]
    keys = upload_glue_code(bucket, files, endpoint_url=endpoint_url)
    for key in keys:
        say(f"uploaded s3://{bucket}/{key}")
    return keys
