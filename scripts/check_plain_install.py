"""Install cinelake with only its ``aws`` extra in a clean venv; import every module the Lambda zips ship.

    python scripts/check_plain_install.py            # make plain-install (part of make test)

The test bench installs the ``spark`` and ``dev`` extras, which could hide a dependency the package
forgot to declare (boto3 once came only through a test tool). This check builds the wheel of the
working tree, installs it with the ``aws`` extra the bundles carry, and nothing else (its declared
dependencies from PyPI or pip's cache), into a venv
without system site packages, then, inside that venv, imports each ``cinelake`` module of every
bundle in :data:`cinelake.aws.packaging.BUNDLES` and each distribution a bundle carries. One line per
missing import, exit 1; the venv is deleted afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run by the clean venv's interpreter: the modules of every bundle, imported one by one.
IMPORT_EVERY_BUNDLED_MODULE = r"""
import importlib, importlib.metadata, pkgutil, sys
import cinelake
from cinelake.aws.packaging import BUNDLES

root = cinelake.__path__[0]
modules = set()
for info in pkgutil.walk_packages(cinelake.__path__, "cinelake."):
    rel = info.name.removeprefix("cinelake.").replace(".", "/")
    for bundle in BUNDLES.values():
        if not any(rel == part.removesuffix(".py") or rel.startswith(part.rstrip("/") + "/")
                   for part in bundle.excluded_parts):
            modules.add(info.name)
missing = []
for bundle in BUNDLES.values():
    for dist in bundle.distributions:
        try:
            top = (importlib.metadata.distribution(dist).read_text("top_level.txt") or "").split()
        except importlib.metadata.PackageNotFoundError:
            missing.append(f"{dist}: the {bundle.name} bundle carries it, but it is not installed")
            continue
        modules.update(name for name in top or [dist.replace("-", "_")] if not name.startswith("_"))
for name in sorted(modules):
    try:
        importlib.import_module(name)
    except Exception as exc:
        missing.append(f"{name}: {type(exc).__name__}: {exc}".splitlines()[0])
print(f"{len(modules)} modules imported" if not missing else "\n".join(missing))
sys.exit(1 if missing else 0)
"""


def run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        sys.exit(f"error: {what} failed: {lines[-1] if lines else done.returncode}")


def working_tree(to: Path) -> Path:
    """A copy of the working tree's files, tracked or new, without what git ignores: setuptools builds
    in the source's ``build/`` folder, and one a developer's earlier build left there put modules
    deleted since into the wheel (their imports then failed here, and nowhere else)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (to / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, to / rel)
    return to


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cinelake-plain-") as tmp:
        wheels, venv = Path(tmp) / "wheels", Path(tmp) / "venv"
        print("== building the wheel of the working tree", flush=True)
        source = working_tree(Path(tmp) / "source")
        run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(source)],
            "pip wheel",
        )
        wheel = next(wheels.glob("cinelake-*.whl"))
        print("== installing it with only the aws extra into a clean venv", flush=True)
        run([sys.executable, "-m", "venv", str(venv)], "python -m venv")
        python = str(venv / "bin" / "python")
        run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{wheel}[aws]"],
            "pip install",
        )
        run([python, "-m", "pip", "check"], "pip check")
        print("== importing every module the Lambda bundles ship", flush=True)
        done = subprocess.run(
            [python, "-c", IMPORT_EVERY_BUNDLED_MODULE], cwd=tmp, capture_output=True, text=True, check=False
        )
        output = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            for line in output.splitlines():
                print(f"error: a plain install cannot import {line}", file=sys.stderr)
            sys.exit(1)
        print(f"{output}, in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
