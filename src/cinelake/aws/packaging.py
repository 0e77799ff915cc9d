"""The Lambda deployment zips: cinelake's code and only the libraries each function needs.

Five bundles (:data:`BUNDLES`): ``ingest`` (the ingestion, the plan and the check; no engine),
``catalog`` (the catalog step: pyarrow reads Parquet schemas), ``report`` (the report step: DuckDB
and the plotly.js cinelake ships), ``dashboard`` (the report's readers with the dashboard app and its
Lambda adapter) and ``transform`` (the DuckDB transforms of ``TransformEngine=lambda``: DuckDB,
pyarrow, xxhash). Together the engines would pass Lambda's 250 MB unzipped limit (pyarrow alone is
96 MB after its unused parts go and its libraries are stripped), so each step gets only its own.

Wheels come from PyPI for the Lambda platform (``pip install --platform manylinux2014_<arch>
--only-binary=:all: --python-version 3.12 --implementation cp``), pinned to the versions installed
here, so the function runs the library versions the tests ran. A bundle carries only the engines its
function uses (pyspark, pandas and uvicorn never go in; starlette only with the dashboard).

botocore and boto3 *do* go in: aiobotocore (under s3fs) pins botocore to a narrow range, and the
runtime's own boto3/botocore is whatever AWS last shipped. ``/var/task`` comes first on the path, so
the zip's matching pair wins. botocore's service models are most of its size; only the services the
function calls are kept (``slim_botocore``), which cuts the zip by two thirds.

Bytecode is compiled ahead, by an interpreter of the runtime's version when one is on the PATH
(``python3.12``): ``/var/task`` is read-only, so without it every cold start compiles every module
again. The ``.pyc`` files use ``unchecked-hash`` invalidation, because the zip's fixed timestamps would
make timestamp-checked ones stale on arrival.

Shared libraries lose their symbol tables (``strip --strip-unneeded``, when binutils is on the
PATH): pyarrow's come unstripped, and without that the transform zip passes 250 MB.

The zip is reproducible: entries sorted, fixed timestamps and permissions.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cinelake
from cinelake.errors import CinelakeError, UsageError

Arch = Literal["x86_64", "arm64"]
ARCHES: dict[str, str] = {"x86_64": "x86_64", "arm64": "aarch64"}
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")

# What the ingestion imports, by distribution name (pinned to the installed versions).
LAMBDA_DISTRIBUTIONS = (
    "httpx",
    # The function's TMDB client runs on httpcore's pool (httpx-aiohttp stays out of the zip), which
    # imports sniffio on every pool operation; without it each request pays a failed import.
    "sniffio",
    "orjson",
    "pydantic",
    "pydantic-settings",
    "fsspec",
    "s3fs",
    "aiobotocore",
    "botocore",
    "boto3",
)
# Top-level import names that must never reach the zip.
FORBIDDEN_MODULES = ("pyspark", "duckdb", "pandas", "pyarrow", "plotly", "starlette", "uvicorn", "numpy")
# Parts of the cinelake package that only the CLI, the engines or the offline server use.
EXCLUDED_PACKAGE_PARTS = (
    "cli.py", "commands", "spark", "analysis", "query", "data", "tmdb/server", "tmdb/snapshot",
)  # fmt: skip
# The botocore service models the function (and its credential chain) uses.
BOTOCORE_SERVICES = ("s3", "secretsmanager", "ssm", "lambda", "sts", "sso", "sso-oidc")

ZIP_NAME = "cinelake-lambda.zip"


@dataclass(frozen=True)
class Bundle:
    """One deployment zip: what goes in, what must stay out."""

    name: str
    zip_name: str
    distributions: tuple[str, ...]
    forbidden: tuple[str, ...]
    excluded_parts: tuple[str, ...]
    botocore_services: tuple[str, ...]
    trimmed: tuple[str, ...] = ()  # globs, relative to the package folder, removed after install


_AUTH_SERVICES = ("sts", "sso", "sso-oidc")
# What reads the Trusted and Refined Iceberg tables and draws the answer (the report and the dashboard).
# (The charts are dicts drawn by the plotly.js cinelake ships: plotly's Python package stays out.)
_LAKE_READERS_AND_CHARTS = (
    "rich", "duckdb", "pyiceberg", "duckdb-extension-avro", "duckdb-extension-iceberg",
)  # fmt: skip
# What pyiceberg brings that nothing here loads: its Hive client (the catalog is Glue) and
# zstandard's second backend (cffi; the C one loads first). 16 MB.
_PYICEBERG_UNUSED = ("hive_metastore", "zstandard/_cffi*.so", "zstandard/backend_cffi.py")
# The report's and the dashboard's: pyiceberg's.
_LAKE_READERS_AND_CHARTS_UNUSED = _PYICEBERG_UNUSED
# pyarrow's parts nothing here loads: Arrow Flight (its library and its Python binding), the C++
# headers, the tests, and the copies of libarrow_python* under names no library asks for (the wheel's
# symlinks arrive as copies; every module NEEDs only the ``.so.<major>`` soname). 50 MB. Substrait and
# S3 stay: pyarrow's lib NEEDs libarrow_substrait, pyiceberg.io.pyarrow imports pyarrow._s3fs.
_PYARROW_UNUSED = (
    "pyarrow/include", "pyarrow/tests", "pyarrow/_pyarrow_cpp_tests*",
    "pyarrow/libarrow_flight.so*", "pyarrow/_flight*.so", "pyarrow/libarrow_python_flight.so*",
    "pyarrow/libarrow_python.so", "pyarrow/libarrow_python.so.*.*",
    "pyarrow/libarrow_python_parquet_encryption.so", "pyarrow/libarrow_python_parquet_encryption.so.*.*",
)  # fmt: skip
BUNDLES: dict[str, Bundle] = {
    "ingest": Bundle(
        "ingest", ZIP_NAME, LAMBDA_DISTRIBUTIONS, FORBIDDEN_MODULES, EXCLUDED_PACKAGE_PARTS, BOTOCORE_SERVICES
    ),
    "catalog": Bundle(
        "catalog",
        "cinelake-catalog.zip",
        (*LAMBDA_DISTRIBUTIONS, "rich", "pyarrow"),
        ("pyspark", "duckdb", "pandas", "plotly", "starlette", "uvicorn", "numpy"),
        ("cli.py", "commands", "spark", "analysis", "query", "data", "tmdb/server", "tmdb/snapshot"),
        ("s3", "glue", *_AUTH_SERVICES),
        _PYARROW_UNUSED,
    ),
    # The report reads the Trusted and Refined Iceberg tables: pyiceberg finds their snapshots in
    # Glue, DuckDB's iceberg extension (its PyPI package, with avro) reads them.
    "report": Bundle(
        "report",
        "cinelake-report.zip",
        (*LAMBDA_DISTRIBUTIONS, *_LAKE_READERS_AND_CHARTS),
        ("pyspark", "pandas", "pyarrow", "plotly", "starlette", "uvicorn", "numpy"),
        ("cli.py", "commands", "spark", "data", "tmdb/server", "tmdb/snapshot"),
        ("s3", "athena", "glue", *_AUTH_SERVICES),
        _LAKE_READERS_AND_CHARTS_UNUSED,
    ),
    # The dashboard behind its Function URL (Dashboard=true): the report's readers and charts, the
    # app (starlette) and its Lambda adapter (mangum). It imports cinelake.views.dashboard, whose
    # package also holds the local server's socket helper (tmdb/server/run.py, standard library only),
    # so tmdb/server goes in, but not its entry point (`python -m`, which serves); uvicorn never does.
    "dashboard": Bundle(
        "dashboard",
        "cinelake-dashboard.zip",
        (*LAMBDA_DISTRIBUTIONS, *_LAKE_READERS_AND_CHARTS, "starlette", "mangum"),
        ("pyspark", "pandas", "pyarrow", "plotly", "uvicorn", "numpy"),
        ("cli.py", "commands", "spark", "data", "tmdb/snapshot", "tmdb/server/__main__.py"),
        ("s3", "glue", *_AUTH_SERVICES),
        _LAKE_READERS_AND_CHARTS_UNUSED,
    ),
    # With pyarrow (96 MB) beside DuckDB the report bundle would pass the 250 MB limit, so the transforms get
    # their own. The commits register Parquet files through pyiceberg, which reads their footers with
    # pyarrow; the transforms read Trusted as the Parquet files of its snapshot, so the iceberg
    # extension stays out.
    "transform": Bundle(
        "transform",
        "cinelake-transform.zip",
        (*LAMBDA_DISTRIBUTIONS, "duckdb", "xxhash", "pyarrow", "pyiceberg"),
        ("pyspark", "pandas", "plotly", "starlette", "uvicorn", "duckdb_extension_iceberg", "numpy"),
        # cinelake.query stays: the DuckDB transforms register the lake through cinelake.query.duck.
        ("cli.py", "commands", "analysis", "data", "tmdb/server", "tmdb/snapshot"),
        ("s3", "glue", *_AUTH_SERVICES),
        (*_PYARROW_UNUSED, *_PYICEBERG_UNUSED),
    ),
}
LAMBDA_TASK_ROOT = "/var/task"
LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(CinelakeError):
    """The deployment package could not be built (pip failed, a forbidden module, over Lambda's limits)."""


@dataclass(frozen=True)
class PackageReport:
    """What was built (``bytecode``: the interpreter that precompiled it, or None)."""

    zip_path: Path
    arch: str
    python_version: str
    zipped_bytes: int
    unzipped_bytes: int
    files: int
    sha256: str
    distributions: tuple[str, ...]  # "name==version" as pinned
    bytecode: str | None = None

    @property
    def zipped_mb(self) -> float:
        return self.zipped_bytes / 1024 / 1024

    @property
    def unzipped_mb(self) -> float:
        return self.unzipped_bytes / 1024 / 1024


def pinned_requirements(bundle: Bundle | None = None) -> tuple[str, ...]:
    """``name==version`` of every distribution the function ships, as installed in this environment."""
    pins = []
    for name in (bundle or BUNDLES["ingest"]).distributions:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            raise PackageError(f"{name} is not installed here; install cinelake first") from None
    return tuple(pins)


def pip_command(target: Path, arch: str, python_version: str, requirements: tuple[str, ...]) -> list[str]:
    """The pip call that fetches Lambda-platform wheels into ``target``.

    manylinux2014 (glibc 2.17) wheels run everywhere; manylinux_2_28 is accepted too because the
    Python 3.12+ runtimes are Amazon Linux 2023 (glibc 2.34).
    """
    machine = ARCHES[arch]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
        "--platform", f"manylinux2014_{machine}", "--platform", f"manylinux_2_28_{machine}",
        "--only-binary=:all:", "--python-version", python_version, "--implementation", "cp",
        "--no-compile", "--target", str(target), *requirements,
    ]  # fmt: skip


def _copy_cinelake(target: Path, excluded_parts: tuple[str, ...] = EXCLUDED_PACKAGE_PARTS) -> None:
    source = Path(cinelake.__file__).resolve().parent
    excluded = {(source / part).resolve() for part in excluded_parts}

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))}
        skip |= {n for n in names if (Path(folder) / n).resolve() in excluded}
        return skip

    shutil.copytree(source, target / "cinelake", ignore=ignore)


def _slim_botocore(target: Path, services: tuple[str, ...] = BOTOCORE_SERVICES) -> None:
    data = target / "botocore" / "data"
    if not data.is_dir():
        return
    for entry in data.iterdir():
        if entry.is_dir() and entry.name not in services:
            shutil.rmtree(entry)


def _trim(target: Path, globs: tuple[str, ...]) -> None:
    for pattern in globs:
        for path in target.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def _strip_shared_libraries(target: Path, strip: str) -> tuple[int, int]:
    """Drop the symbol tables and debug sections of the package's shared libraries (``strip
    --strip-unneeded``: the dynamic symbols a loader links against stay). Returns (stripped, refused):
    a library of another architecture than binutils' own is left as it came.

    pyarrow's libraries come unstripped (libarrow alone 47 MB, 39 MB stripped). DuckDB's extension
    files (``*.duckdb_extension``) are signed and are not touched.
    """

    def is_elf(path: Path) -> bool:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"

    libraries = sorted(
        p for p in target.rglob("*.so*")
        if p.is_file() and not p.is_symlink() and (p.suffix == ".so" or ".so." in p.name) and is_elf(p)
    )  # fmt: skip
    refused = 0
    for library in libraries:
        proc = subprocess.run([strip, "--strip-unneeded", str(library)], capture_output=True, check=False)
        refused += proc.returncode != 0
    return len(libraries) - refused, refused


def _clean(target: Path, forbidden: tuple[str, ...] = FORBIDDEN_MODULES) -> None:
    for extra in ("bin", "share"):
        shutil.rmtree(target / extra, ignore_errors=True)
    for cache in list(target.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    found = sorted(m for m in forbidden if (target / m).exists() or (target / f"{m}.py").exists())
    if found:
        raise PackageError(f"the package would carry {', '.join(found)}: the Lambda must not need them")


def find_interpreter(python_version: str, candidate: str | None = None) -> str | None:
    """An interpreter of exactly ``python_version``: ``candidate``, this one, or ``pythonX.Y`` on the PATH."""
    if candidate is None and f"{sys.version_info.major}.{sys.version_info.minor}" == python_version:
        return sys.executable
    found = candidate or shutil.which(f"python{python_version}")
    if not found:
        return None
    probe = subprocess.run(
        [found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    return found if probe.returncode == 0 and probe.stdout.strip() == python_version else None


def _compile(target: Path, interpreter: str) -> None:
    # Source paths in the bytecode are where Lambda unpacks the zip, not this build's temp folder:
    # tracebacks show real paths, and two builds give the same bytes.
    proc = subprocess.run(
        [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
         "-s", str(target), "-p", LAMBDA_TASK_ROOT, str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        # A module that does not compile for the runtime's Python would fail there too.
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        raise PackageError(f"bytecode compilation failed: {lines[-1] if lines else proc.returncode}")


# zlib's default level: on the bundles' libraries level 9 took 3.3 times as long for a zip 0.5% smaller.
ZIP_LEVEL = 6


def _zip_folder(folder: Path, zip_path: Path) -> tuple[int, int]:
    """Zip ``folder`` reproducibly; returns (file count, unzipped bytes)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    total = 0
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(f".{zip_path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_ZIP_TIME)
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            total += len(data)
            archive.writestr(info, data, compresslevel=ZIP_LEVEL)
    os.replace(tmp, zip_path)
    return len(files), total


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package(
    arch: str = "x86_64",
    python_version: str = "3.12",
    out: str | os.PathLike[str] = "dist/lambda",
    *,
    slim_botocore: bool = True,
    bytecode: bool = True,
    compile_with: str | None = None,
    log: Callable[[str], None] | None = None,
    bundle: str = "ingest",
) -> PackageReport:
    """Build ``<out>/<bundle's zip>`` (``cinelake-lambda.zip`` for ``ingest``) for the Lambda platform
    and report its size.

    The names are fixed because template.yaml's ``CodeUri`` points at them; the template's
    ``Architecture`` parameter must match ``arch``. Shared libraries are stripped when binutils'
    ``strip`` is on the PATH; without it the transform bundle is over the limit and the build says so.
    """
    if bundle not in BUNDLES:
        raise UsageError(f"unknown bundle {bundle!r}: use one of {', '.join(BUNDLES)}")
    chosen = BUNDLES[bundle]
    if arch not in ARCHES:
        raise UsageError(f"invalid --arch {arch!r}: use one of {', '.join(ARCHES)}")
    if python_version not in PYTHON_VERSIONS:
        raise UsageError(f"invalid --python {python_version!r}: use one of {', '.join(PYTHON_VERSIONS)}")
    say = log or (lambda _message: None)
    if compile_with and find_interpreter(python_version, compile_with) is None:
        raise UsageError(f"--compile-with {compile_with!r} is not a Python {python_version} interpreter")
    requirements = pinned_requirements(chosen)
    zip_path = Path(out) / chosen.zip_name
    with tempfile.TemporaryDirectory(prefix="cinelake-lambda-") as tmp:
        target = Path(tmp) / "package"
        say(f"fetching {len(requirements)} pinned distributions (manylinux {arch}, Python {python_version})")
        proc = subprocess.run(
            pip_command(target, arch, python_version, requirements),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
            detail = errors[-1] if errors else f"exit code {proc.returncode}"
            raise PackageError(f"pip could not fetch the Lambda wheels: {detail}")
        _copy_cinelake(target, chosen.excluded_parts)
        if slim_botocore:
            _slim_botocore(target, chosen.botocore_services)
        _trim(target, chosen.trimmed)
        _clean(target, chosen.forbidden)
        strip = shutil.which("strip")
        if strip:
            stripped, refused = _strip_shared_libraries(target, strip)
            whole = f" ({refused} of another architecture left whole)" if refused else ""
            say(f"stripped the symbols of {stripped} shared libraries{whole}")
        else:
            say("no strip on the PATH (binutils): the shared libraries keep their symbols")
        interpreter = find_interpreter(python_version, compile_with) if bytecode else None
        if interpreter:
            say(f"compiling bytecode with {interpreter}")
            _compile(target, interpreter)
        elif bytecode:
            say(f"no python{python_version} on the PATH: the zip ships sources only (slower cold starts)")
        say(f"zipping into {zip_path}")
        files, unzipped = _zip_folder(target, zip_path)
    zipped = zip_path.stat().st_size
    report = PackageReport(
        zip_path=zip_path,
        arch=arch,
        python_version=python_version,
        zipped_bytes=zipped,
        unzipped_bytes=unzipped,
        files=files,
        sha256=_sha256(zip_path),
        distributions=requirements,
        bytecode=interpreter,
    )
    if unzipped > LAMBDA_UNZIPPED_LIMIT:
        hint = "" if strip else " (install binutils: strip makes its shared libraries smaller)"
        raise PackageError(
            f"{zip_path} is {report.unzipped_mb:.1f} MB unzipped, over Lambda's 250 MB limit{hint}"
        )
    if zipped > LAMBDA_ZIP_LIMIT:
        # Lambda takes zips over 50 MB from S3 only, which is how `sam deploy` hands them over.
        say(f"{zip_path} is {report.zipped_mb:.1f} MB zipped: deploy it through S3 (sam deploy does)")
    return report
