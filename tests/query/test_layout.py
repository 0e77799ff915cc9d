"""`cinelake sql` output people can read: wide results as one block per row, an empty lake said so."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from cinelake.errors import UsageError
from cinelake.lake.store import Lake
from cinelake.query import QueryResult, run_sql, to_rich

WIDE = QueryResult(
    columns=[f"column_number_{i:02d}" for i in range(14)],
    rows=[tuple(f"value {r}.{i}" for i in range(14)) for r in range(2)],
)
NARROW = QueryResult(columns=["id", "title", "vote_average"], rows=[("tt0109830", "Forrest Gump", 8.1)])


def rendered(result: QueryResult, width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(to_rich(result, width=width))
    return console.export_text()


def test_a_wide_result_is_one_block_per_row_with_whole_column_names() -> None:
    text = rendered(WIDE, 80)
    lines = text.splitlines()
    assert [line.split()[0:2] for line in lines if line.startswith("row ")] == [["row", "1"], ["row", "2"]]
    split = [line.split() for line in lines]
    for i in range(14):  # each column's whole name beside its value, never a slice of it
        assert [f"column_number_{i:02d}", "value", f"0.{i}"] in split
    assert max(len(line) for line in lines) <= 80


def test_a_result_that_fits_stays_a_table() -> None:
    text = rendered(NARROW, 80)
    assert "┃ id        ┃ title        ┃ vote_average ┃" in text
    assert "row 1" not in text


def test_without_a_width_it_is_always_a_table() -> None:
    assert "row 1" not in rendered(WIDE, 400)


def test_an_empty_lake_says_it_is_empty(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    with pytest.raises(UsageError) as refused:
        run_sql(Lake(str(tmp_path / "lake")), "SELECT * FROM raw_tmdb_movies")
    message = str(refused.value)
    assert message.startswith(f"the lake {tmp_path / 'lake'} is empty (no table in it): `cinelake demo`")
    assert "does not exist" in message and "\n" not in message
