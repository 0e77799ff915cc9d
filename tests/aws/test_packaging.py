"""The deployment zip: what goes in, what never does, its size, and that the handler runs from it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import marshal
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cinelake.aws import packaging
from cinelake.aws.packaging import (
    BOTOCORE_SERVICES,
    FORBIDDEN_MODULES,
    LAMBDA_UNZIPPED_LIMIT,
    LAMBDA_ZIP_LIMIT,
    PackageError,
    PackageReport,
)
from cinelake.errors import UsageError

SITE = Path(importlib.metadata.distribution("awslambdaric").locate_file(""))
HEAVY = ("pyspark", "duckdb", "pandas", "pyarrow", "plotly", "starlette", "uvicorn")


def test_requirements_are_pinned_to_the_installed_versions() -> None:
    pins = dict(p.split("==") for p in packaging.pinned_requirements())
    assert pins["botocore"] == importlib.metadata.version("botocore")
    assert pins["aiobotocore"] == importlib.metadata.version("aiobotocore")
    assert not set(pins) & set(HEAVY)


def test_pip_fetches_only_lambda_platform_wheels(tmp_path: Path) -> None:
    command = packaging.pip_command(tmp_path, "arm64", "3.12", ("orjson==3.10.0",))
    text = " ".join(command)
    assert "--platform manylinux2014_aarch64" in text
    assert "--only-binary=:all:" in text and "--python-version 3.12" in text
    assert "--implementation cp" in text and f"--target {tmp_path}" in text


def test_bad_arch_or_python_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--arch"):
        packaging.package("sparc", out=tmp_path)
    with pytest.raises(UsageError, match="--python"):
        packaging.package("x86_64", "2.7", out=tmp_path)


def test_the_zip_is_reproducible(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    (folder / "b").mkdir(parents=True)
    (folder / "b" / "x.py").write_text("x = 1\n")
    (folder / "a.py").write_text("a = 1\n")
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    assert packaging._zip_folder(folder, first) == (2, 12)
    (folder / "a.py").touch()  # a newer mtime changes nothing
    packaging._zip_folder(folder, second)
    assert first.read_bytes() == second.read_bytes()
    assert zipfile.ZipFile(first).namelist() == ["a.py", "b/x.py"]


def test_cinelake_is_copied_without_the_cli_engines_and_offline_server(tmp_path: Path) -> None:
    packaging._copy_cinelake(tmp_path)
    root = tmp_path / "cinelake"
    assert (root / "aws" / "lambda_handler.py").is_file()
    assert (root / "ingest" / "tmdb.py").is_file() and (root / "tmdb" / "client.py").is_file()
    for part in ("cli.py", "commands", "spark", "tmdb/server", "tmdb/snapshot"):
        assert not (root / part).exists(), part
    assert not list(root.rglob("__pycache__"))


def test_a_forbidden_module_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "pandas").mkdir()
    with pytest.raises(PackageError, match="pandas"):
        packaging._clean(tmp_path)


def _build(tmp_path_factory: pytest.TempPathFactory, bundle: str) -> PackageReport:
    """The real package, for this interpreter's Python so a test can run its code from it."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        return packaging.package("x86_64", version, tmp_path_factory.mktemp("dist"), bundle=bundle)
    except PackageError as exc:
        if "pip could not fetch" in str(exc):
            pytest.skip(f"PyPI is not reachable: {exc}")
        raise


@pytest.mark.skipif(not shutil.which("strip"), reason="binutils' strip is not installed")
def test_stripped_libraries_still_load_and_what_strip_cannot_read_is_left_whole(tmp_path: Path) -> None:
    source = Path(importlib.util.find_spec("markupsafe._speedups").origin)  # type: ignore[union-attr,arg-type]
    shutil.copytree(source.parent, tmp_path / "markupsafe")
    library = tmp_path / "markupsafe" / source.name
    before = library.stat().st_size
    (tmp_path / "not-a-library.so").write_text("text")
    (tmp_path / "foreign.so.1").write_bytes(b"\x7fELF" + bytes(60))  # an ELF header strip cannot read
    assert packaging._strip_shared_libraries(tmp_path, str(shutil.which("strip"))) == (1, 1)
    assert library.stat().st_size < before
    assert (tmp_path / "not-a-library.so").read_text() == "text"
    assert (tmp_path / "foreign.so.1").read_bytes() == b"\x7fELF" + bytes(60)
    probe = subprocess.run(
        [sys.executable, "-S", "-c", "import markupsafe._speedups as m; print(m.__file__)"],
        env={"PYTHONPATH": str(tmp_path)}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert probe.returncode == 0 and probe.stdout.strip() == str(library), probe.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> PackageReport:
    """The ingestion's package."""
    return _build(tmp_path_factory, "ingest")


@pytest.mark.slow
@pytest.mark.integration
def test_the_package_holds_what_the_ingestion_needs_and_nothing_heavy(built: PackageReport) -> None:
    assert built.zipped_bytes < LAMBDA_ZIP_LIMIT and built.unzipped_bytes < LAMBDA_UNZIPPED_LIMIT
    names = zipfile.ZipFile(built.zip_path).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert {
        "cinelake",
        "httpx",
        "sniffio",  # httpcore's pool imports it on every operation
        "pydantic",
        "pydantic_core",
        "s3fs",
        "aiobotocore",
        "botocore",
        "boto3",
    } <= tops
    assert not tops & set(FORBIDDEN_MODULES)
    services = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") > 3}
    assert services == set(BOTOCORE_SERVICES) & services and {"s3", "secretsmanager", "lambda"} <= services
    # precompiled, hash-based and unchecked: valid whatever the unzipped files' timestamps
    assert built.bytecode
    pyc = next(
        n for n in names if n.startswith("cinelake/aws/__pycache__/lambda_handler.") and n.endswith(".pyc")
    )
    data = zipfile.ZipFile(built.zip_path).read(pyc)
    assert int.from_bytes(data[4:8], "little") == 0b01
    # compiled as if in Lambda's /var/task (not the build's temp folder): real paths, same bytes per build
    assert marshal.loads(data[16:]).co_filename == "/var/task/cinelake/aws/lambda_handler.py"


@pytest.mark.slow
@pytest.mark.integration
def test_the_handler_runs_from_the_unpacked_zip_alone(
    built: PackageReport, lambda_runner: object, aws_env: str, tmp_path: Path, planted_secret: str
) -> None:
    """No site-packages (``python -S``): only the zip's content and the runtime interface client."""
    from tests.aws.conftest import LambdaRunner, bucket_files

    assert isinstance(lambda_runner, LambdaRunner)
    task = tmp_path / "var-task"
    zipfile.ZipFile(built.zip_path).extractall(task)
    runtime = tmp_path / "var-runtime"  # what the Lambda image provides besides the zip
    runtime.mkdir()
    for name in (
        "awslambdaric",
        "simplejson",
        "snapshot_restore_py.py",
        *(p.name for p in SITE.glob("runtime_client*")),
    ):
        (runtime / name).symlink_to(SITE / name)
    script = (
        "import json, sys, cinelake.aws.lambda_handler\n"
        "keys = ('cinelake', 'pydantic', 'pydantic_core', 'botocore', 'boto3', 's3fs', 'httpx', 'orjson')\n"
        "files = {k: sys.modules[k].__file__ for k in keys}\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'files': files}))"
    )
    probe = subprocess.run(
        [sys.executable, "-S", "-c", script],
        env={"PYTHONPATH": f"{task}:{runtime}", "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-2000:]
    found = json.loads(probe.stdout)
    assert all(path.startswith(f"{task}/") for path in found["files"].values()), found["files"]
    assert not {m.split(".")[0] for m in found["modules"]} & set(HEAVY)

    bucket = lambda_runner.new_bucket()
    run = lambda_runner.run(
        [{"genres": ["Western"], "date": "2026-11-26"}],
        bucket=bucket,
        env={"PYTHONPATH": f"{task}:{runtime}"},
        launcher=lambda workdir: [sys.executable, "-S", "-m", "awslambdaric"],
    )
    (invocation,) = run.invocations
    assert invocation.error is None, invocation.error
    assert invocation.result["status"] == "complete" and invocation.result["written"] > 0
    assert any(k.startswith("Raw/TMDB/JSON/") for k in bucket_files(aws_env, bucket))
    assert all(planted_secret not in line for line in run.lines)


def test_every_function_of_the_template_has_a_bundle_that_carries_no_forbidden_module() -> None:
    from tests.aws.stack import load_template

    zips = {b.zip_name: b for b in packaging.BUNDLES.values()}
    functions = [
        r["Properties"]
        for r in load_template()["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    ]
    assert {f["CodeUri"].rsplit("/", 1)[-1] for f in functions} == set(zips)
    for bundle in packaging.BUNDLES.values():
        shipped = {d.replace("-", "_") for d in bundle.distributions}
        assert not shipped & set(bundle.forbidden), bundle.name
    assert "pyarrow" in packaging.BUNDLES["catalog"].distributions
    assert "pyarrow" in packaging.BUNDLES["report"].forbidden  # DuckDB counts Parquet rows there
    with pytest.raises(UsageError, match="unknown bundle"):
        packaging.package(bundle="everything")


# What the transform function runs (TransformEngine=lambda): it reads and writes Parquet with pyarrow
# and registers the files with pyiceberg (their footers read into data files, the catalog in Glue).
_TRANSFORM_PROBE = """
import json, sys
import cinelake.aws.transform_step
import duckdb, pyarrow as pa, pyarrow.parquet as pq
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.io.pyarrow import _pyarrow_to_schema_without_ids, parquet_file_to_data_file
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC
from pyiceberg.schema import assign_fresh_schema_ids
from pyiceberg.table.metadata import new_table_metadata
from pyiceberg.table.sorting import UNSORTED_SORT_ORDER
from cinelake.tables.fileio import LakeFileIO

folder = sys.argv[1]
written = pa.table({"id": [1, 2, 3], "title": ["a", "b", None]})
pq.write_table(written, f"{folder}/part.parquet", compression="zstd")
read = pq.read_table(f"{folder}/part.parquet")
schema = assign_fresh_schema_ids(_pyarrow_to_schema_without_ids(read.schema))
metadata = new_table_metadata(
    schema, UNPARTITIONED_PARTITION_SPEC, UNSORTED_SORT_ORDER, f"file://{folder}", {"format-version": "2"}
)
data_file = parquet_file_to_data_file(LakeFileIO({}), metadata, f"file://{folder}/part.parquet")
counted = duckdb.sql(f"select count(*) from read_parquet('{folder}/part.parquet')").fetchone()[0]
files = {m: sys.modules[m].__file__ for m in ("cinelake", "pyarrow", "pyiceberg", "duckdb", "pyarrow._s3fs")}
found = {"rows": read.num_rows, "counted": counted, "recorded": data_file.record_count, "files": files}
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def transform_built(tmp_path_factory: pytest.TempPathFactory) -> PackageReport:
    """The transform function's package."""
    return _build(tmp_path_factory, "transform")


@pytest.mark.slow
@pytest.mark.integration
def test_the_transform_bundle_fits_and_commits_parquet_from_the_unpacked_zip_alone(
    transform_built: PackageReport, tmp_path: Path
) -> None:
    """Under the limit with its bytecode, without the parts it trims, and with what it keeps enough
    for pyarrow's Parquet and pyiceberg's commit path (``python -S``: nothing but the zip importable)."""
    assert transform_built.unzipped_bytes < LAMBDA_UNZIPPED_LIMIT and transform_built.bytecode
    names = set(zipfile.ZipFile(transform_built.zip_path).namelist())
    tops = {n.split("/", 1)[0] for n in names}
    assert "hive_metastore" not in tops and "zstandard/backend_cffi.py" not in names
    libraries = {n.split("/", 1)[1] for n in names if n.startswith("pyarrow/lib") and ".so" in n}
    # one libarrow_python, under the soname the modules NEED (libarrow_python.so.<major>); no Flight;
    # substrait (NEEDED by pyarrow.lib) and S3 (imported by pyiceberg.io.pyarrow) stay
    python_libraries = [n for n in libraries if n.startswith("libarrow_python.so")]
    assert len(python_libraries) == 1 and python_libraries[0].count(".") == 2, python_libraries
    assert not any("flight" in name for name in libraries)
    assert {"libarrow_substrait", "libarrow_s3"} <= {n.split(".", 1)[0] for n in libraries}
    task = tmp_path / "var-task"
    zipfile.ZipFile(transform_built.zip_path).extractall(task)
    (tmp_path / "lake").mkdir()
    probe = subprocess.run(
        [sys.executable, "-S", "-c", _TRANSFORM_PROBE, str(tmp_path / "lake")],
        env={"PYTHONPATH": str(task), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-2000:]
    found = json.loads(probe.stdout)
    assert found["rows"] == found["counted"] == found["recorded"] == 3
    assert all(path.startswith(f"{task}/") for path in found["files"].values()), found["files"]
