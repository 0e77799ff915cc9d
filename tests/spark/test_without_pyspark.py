"""Without pyspark (the ``spark`` extra not installed) every Spark command says in one line how to get it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cinelake.cli import main
from cinelake.spark.errors import PYSPARK_INSTALL_HINT


@pytest.fixture
def no_pyspark(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyspark as if it were not installed: ``None`` in sys.modules makes every import of it fail."""
    for name in [name for name in sys.modules if name == "pyspark" or name.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)


@pytest.mark.parametrize(
    "argv",
    [
        ["spark", "wordcount", "{readme}"],
        ["spark", "raw-to-trusted", "--lake", "{lake}"],
        ["spark", "trusted-to-refined", "--lake", "{lake}"],
        ["transform", "raw-to-trusted", "--engine", "spark", "--lake", "{lake}"],
        ["pipeline", "--engine", "spark", "--lake", "{lake}", "--csv", "{readme}"],
        ["demo", "--engine", "spark", "--lake", "{lake}"],
    ],
    ids=lambda argv: " ".join(a for a in argv if not a.startswith("{")),
)
def test_a_spark_command_names_the_extra(
    no_pyspark: None, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "book.txt"
    readme.write_text("one two two\n")
    args = [a.format(readme=readme, lake=tmp_path / "lake") for a in argv]
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert PYSPARK_INSTALL_HINT in err and "Traceback" not in err
