"""The handler's import chain loads no engine and no web server (a fresh interpreter checks sys.modules)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pyspark", "duckdb", "pandas", "pyarrow", "plotly", "starlette", "uvicorn", "numpy")


def loaded_after(statement: str) -> set[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(proc.stdout))


def heavy_in(modules: set[str]) -> set[str]:
    found = {m.split(".")[0] for m in modules} & set(HEAVY)
    return found | ({"cinelake.tmdb.server"} & modules)


def test_the_handler_module_imports_nothing_heavy() -> None:
    modules = loaded_after("import cinelake.aws.lambda_handler")
    assert "cinelake.ingest.tmdb" in modules and "boto3" in modules
    assert heavy_in(modules) == set()


@pytest.mark.parametrize("statement", ["import cinelake.aws.packaging", "import cinelake.commands.aws"])
def test_the_aws_cli_side_stays_light(statement: str) -> None:
    modules = loaded_after(statement)
    assert heavy_in(modules) == set()
    assert "boto3" not in modules  # the CLI starts fast


def test_the_check_sees_a_heavy_import() -> None:
    assert "starlette" in heavy_in(loaded_after("import cinelake.tmdb.server.app"))
