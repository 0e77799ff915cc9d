"""Word count: Spark (DataFrame API) and DuckDB against a plain Python reference, on real books."""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cinelake.cli import app
from cinelake.errors import InputFileError, UsageError
from cinelake.spark.wordcount import WordCount, wordcount

# Python's [^\W_] is exactly the letters and digits [\p{L}\p{N}] (checked below over every code point).
PY_WORD = re.compile(r"[^\W_]+")


def reference_counts(files: list[Path]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for file in files:
        text = file.read_text(encoding="utf-8-sig")
        counts.update(word.lower() for word in PY_WORD.findall(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@pytest.fixture(scope="module")
def books(real_data: Path) -> list[Path]:
    return sorted((real_data / "gutenberg").glob("*.txt"))


@pytest.fixture(scope="module")
def reference(books: list[Path]) -> list[tuple[str, int]]:
    return reference_counts(books)


def _read_csv(path: Path) -> list[tuple[str, int]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["word", "count"]
    return [(word, int(count)) for word, count in rows[1:]]


def test_python_reference_class_is_letters_and_digits() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        is_word = PY_WORD.fullmatch(char) is not None
        assert is_word == (unicodedata.category(char)[0] in "LN"), hex(code)


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        wordcount([tmp_path / "missing.txt"], engine="duckdb")
    (tmp_path / "a.txt").write_text("a")
    with pytest.raises(UsageError, match="engine"):
        wordcount([tmp_path / "a.txt"], engine="pandas")
    with pytest.raises(UsageError, match=r"\.csv or \.parquet"):
        wordcount([tmp_path / "a.txt"], engine="duckdb", out=str(tmp_path / "out.txt"))


@pytest.mark.integration
def test_duckdb_matches_python_on_the_gutenberg_books(
    books: list[Path], reference: list[tuple[str, int]], tmp_path: Path
) -> None:
    out = tmp_path / "duckdb.csv"
    result = wordcount(books, top=10, out=str(out), engine="duckdb")
    assert _read_csv(out) == reference
    assert result.top == [WordCount(w, c) for w, c in reference[:10]]


@pytest.mark.integration
@pytest.mark.spark
def test_spark_matches_python_and_duckdb(
    spark: Any, books: list[Path], reference: list[tuple[str, int]], tmp_path: Path
) -> None:
    spark_csv, duck_csv = tmp_path / "spark.csv", tmp_path / "duckdb.csv"
    heard: list[str] = []
    result = wordcount(books, top=25, out=str(spark_csv), engine="spark", spark=spark, progress=heard.append)
    assert heard[0].startswith(f"counting the words of {len(books)} file(s), ")  # not silent
    assert heard[1] == f"writing every count to {spark_csv}"
    wordcount(books, top=0, out=str(duck_csv), engine="duckdb")
    assert result.top == [WordCount(w, c) for w, c in reference[:25]]
    assert _read_csv(spark_csv) == reference
    assert spark_csv.read_bytes() == duck_csv.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


@pytest.mark.integration
@pytest.mark.spark
def test_bom_crlf_unicode_and_parquet_output(spark: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    text = tmp_path / "mixed.txt"
    text.write_bytes("\ufeffÉcole école\r\nl'école_2024 ÉCOLE\r\n日本語 x2 ½\n".encode())
    expected = [("école", 4), ("2024", 1), ("l", 1), ("x2", 1), ("½", 1), ("日本語", 1)]
    for engine in ("spark", "duckdb"):
        out = tmp_path / f"{engine}.parquet"
        result = wordcount([text], top=3, out=str(out), engine=engine, spark=spark)
        table = pq.read_table(out)
        assert list(zip(table["word"].to_pylist(), table["count"].to_pylist(), strict=True)) == expected
        assert result.top == [WordCount(w, c) for w, c in expected[:3]]


@pytest.mark.integration
@pytest.mark.spark
def test_cli_json_output(spark: Any, books: list[Path], reference: list[tuple[str, int]]) -> None:
    done = CliRunner().invoke(app, ["spark", "wordcount", str(books[0]), "--top", "5", "--format", "json"])
    assert done.exit_code == 0, done.output
    expected = reference_counts([books[0]])[:5]
    assert json.loads(done.stdout) == [{"word": w, "count": c} for w, c in expected]


@pytest.mark.integration
@pytest.mark.large_data
def test_duckdb_matches_python_on_every_shared_book(shared_data: Path, tmp_path: Path) -> None:
    books = sorted((shared_data / "gutenberg").glob("*.txt"))
    out = tmp_path / "duckdb.csv"
    wordcount(books, top=10, out=str(out), engine="duckdb")
    assert _read_csv(out) == reference_counts(books)
