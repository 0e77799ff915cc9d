"""The Java check: a machine without Java 17+ gets one line naming what to install."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cinelake.spark import session
from cinelake.spark.errors import JAVA_INSTALL_HINT, JavaNotFoundError


def _fake_java(folder: Path, version_line: str) -> Path:
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def test_no_java_on_path_or_java_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFoundError) as caught:
        session.require_java()
    assert JAVA_INSTALL_HINT in str(caught.value)
    assert "\n" not in str(caught.value)


def test_java_home_without_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(JavaNotFoundError):
        session.require_java()


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = _fake_java(tmp_path, 'java version "1.8.0_392"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert session.java_major_version(str(java)) == 8
    with pytest.raises(JavaNotFoundError, match="version 8"):
        session.require_java()


def test_java_17_is_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = _fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert session.require_java() == str(java)


@pytest.mark.integration
def test_cli_without_java_prints_the_install_hint(tmp_path: Path) -> None:
    text = tmp_path / "words.txt"
    text.write_text("one two two\n")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java here
    done = subprocess.run(
        [sys.executable, "-m", "cinelake.cli", "spark", "wordcount", str(text)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Spark needs Java 17 or newer" in done.stderr
    assert JAVA_INSTALL_HINT in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.integration
@pytest.mark.spark
def test_a_spark_failure_is_one_line(spark: object) -> None:
    from cinelake.spark.errors import SparkJobError, spark_errors
    from cinelake.spark.wordcount import count_words

    with pytest.raises(SparkJobError) as caught, spark_errors("wordcount"):
        count_words(spark, ["/nonexistent/cinelake/words.txt"]).collect()  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("wordcount failed: ") and "\n" not in message
    assert caught.value.__cause__ is not None


@pytest.mark.spark
def test_extra_java_options_reach_the_local_driver(spark: object) -> None:
    """The session the tests share was made with CINELAKE_SPARK_JAVA_OPTIONS (tests/conftest.py)."""
    options = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")  # type: ignore[attr-defined]
    assert options is not None and "-Duser.language=en" in options
    assert os.environ["CINELAKE_SPARK_JAVA_OPTIONS"] in options


def test_the_jvm_startup_notice_is_dropped_and_everything_else_passes(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A process started in the block (as Spark starts its JVM) writes through the filter."""
    script = (
        "import sys; sys.stderr.write('WARNING: Using incubator modules: jdk.incubator.vector\\n"
        "Error: a real problem\\n')"
    )
    with session.jvm_stderr_filtered() as forwarder:
        child = subprocess.Popen([sys.executable, "-c", script])
    child.wait(timeout=60)
    assert forwarder is not None
    forwarder.join(timeout=60)  # the pipe closes when the child exits
    err = capfd.readouterr().err
    assert "Error: a real problem" in err
    assert "incubator" not in err
