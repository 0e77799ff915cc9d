"""The steps the films' and the series' answers share (cinelake.analysis.ranking)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cinelake.analysis.ranking import group_notes, resolve_names, unique_by_id
from cinelake.errors import UsageError


@dataclass(frozen=True)
class Item:
    tmdb_id: int
    vote_count: int
    score: float


def test_unique_by_id_keeps_the_first_row_of_each_id_in_order() -> None:
    rows = [Item(2, 1, 1.0), Item(1, 1, 2.0), Item(2, 9, 9.0)]
    assert unique_by_id(rows) == [Item(2, 1, 1.0), Item(1, 1, 2.0)]


def test_resolve_names_uses_the_data_or_tmdb_spelling_and_names_the_kind() -> None:
    assert resolve_names(["comedy", " kids "], ["Comedy"], ["Kids"]) == ("Comedy", "Kids")
    with pytest.raises(UsageError, match="unknown TV genre 'Foo': known TV genres are Comedy, Kids"):
        resolve_names(["Foo"], ["Comedy"], ["Kids"], what="TV genre")


def test_group_notes_speak_the_kind_words() -> None:
    one = [Item(1, 1, 1.0)]
    notes = group_notes(
        "Comedy", 1, one, one, 1, noun=lambda n: "film" if n == 1 else "films", in_both=lambda n: "film is"
    )
    assert notes == [
        "1 film is in both best and worst (fewer than 2 eligible)",
        "correlations need at least 3 eligible films: they are null",
    ]
    assert group_notes("Kids", 0, [], [], 5, noun=lambda n: "series", in_both=lambda n: "series") == [
        "no Kids series is eligible: best and worst are empty",
        "correlations need at least 3 eligible series: they are null",
    ]
    assert group_notes("Kids", 2, [], [], 5, noun=lambda n: "series", in_both=lambda n: "series")[0] == (
        "only 2 eligible Kids series, fewer than top=5: best and worst each list all of them"
    )
