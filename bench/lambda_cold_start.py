"""Cold-start import time of the Lambda handler and the size of its deployment zip.

    .venv/bin/python bench/lambda_cold_start.py [--runs 9] [--arch x86_64] [--compile-with PYTHON3.12]

Builds the zip twice in the same run (the shipped one, and one keeping every botocore service model
as the size baseline). The shipped zip is unpacked and imported by a Python 3.12 interpreter (the
manylinux wheels run on this Linux too) started with ``-S``: no site-packages, only the unpacked zip
on the path, as on Lambda. In fresh interpreters, median of ``--runs``:

(a) ``python3.12 -S -c pass``: the interpreter start, the baseline;
(b) ``import cinelake.aws.lambda_handler`` from the unpacked zip, with its precompiled bytecode;
(c) the same from sources only (the ``__pycache__`` folders removed): what a zip without bytecode
    costs on a read-only ``/var/task``, where Python cannot cache what it compiles.

Each time is printed with its ratio to the baseline; sizes against Lambda's limits and against the
full-botocore zip.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from cinelake.aws.packaging import (
    LAMBDA_UNZIPPED_LIMIT,
    LAMBDA_ZIP_LIMIT,
    PackageReport,
    find_interpreter,
    package,
)

MB = 1024 * 1024


def timed(command: list[str], env: dict[str, str] | None, runs: int) -> float:
    """Median wall time of ``command`` over ``runs`` fresh processes (one warm-up run first)."""
    subprocess.run(command, env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sizes(report: PackageReport) -> str:
    return f"{report.zipped_bytes / MB:6.1f} MB zipped, {report.unzipped_bytes / MB:6.1f} MB unzipped"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh interpreters per figure (median)")
    parser.add_argument("--arch", default="x86_64", choices=("x86_64", "arm64"))
    parser.add_argument("--compile-with", default=None, help="a Python 3.12 interpreter")
    args = parser.parse_args()
    python = find_interpreter("3.12", args.compile_with)
    if python is None:
        raise SystemExit("needs a Python 3.12 interpreter: give --compile-with PATH")

    with tempfile.TemporaryDirectory(prefix="cinelake-bench-") as tmp:
        out = Path(tmp)
        shipped = package(args.arch, "3.12", out / "shipped", compile_with=python)
        full = package(args.arch, "3.12", out / "full", slim_botocore=False, compile_with=python)
        compiled, sources = out / "task-compiled", out / "task-sources"
        zipfile.ZipFile(shipped.zip_path).extractall(compiled)
        zipfile.ZipFile(shipped.zip_path).extractall(sources)
        for cache in list(sources.rglob("__pycache__")):
            shutil.rmtree(cache)

        def env(task: Path) -> dict[str, str]:
            return {"PYTHONPATH": str(task), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}

        handler = "import cinelake.aws.lambda_handler"
        baseline = timed([python, "-S", "-c", "pass"], env(compiled), args.runs)
        cold = timed([python, "-S", "-c", handler], env(compiled), args.runs)
        cold_sources = timed([python, "-S", "-c", handler], env(sources), args.runs)

    print(f"Lambda package ({args.arch}, Python 3.12 wheels), built in this run:")
    print(f"  shipped (botocore slimmed): {sizes(shipped)}, {shipped.files} files")
    print(f"  full botocore (baseline):   {sizes(full)}, {full.files} files")
    print(
        f"  shipped / full: {shipped.zipped_bytes / full.zipped_bytes:.2f}x zipped, "
        f"{shipped.unzipped_bytes / full.unzipped_bytes:.2f}x unzipped"
    )
    print(
        f"  shipped / Lambda limits: {shipped.zipped_bytes / LAMBDA_ZIP_LIMIT:.2f} of 50 MB zipped, "
        f"{shipped.unzipped_bytes / LAMBDA_UNZIPPED_LIMIT:.2f} of 250 MB unzipped"
    )
    print(f"Cold start (Python 3.12 -S, the unpacked zip alone, median of {args.runs} fresh interpreters):")
    print(f"  python -S -c pass (baseline):          {baseline * 1000:7.0f} ms  1.00x")
    print(f"  import the handler (shipped, .pyc):    {cold * 1000:7.0f} ms  {cold / baseline:.2f}x")
    print(
        f"  import the handler (sources only):     {cold_sources * 1000:7.0f} ms  "
        f"{cold_sources / baseline:.2f}x"
    )
    print(f"  bytecode saves {cold_sources / cold:.2f}x of the import")


if __name__ == "__main__":
    main()
