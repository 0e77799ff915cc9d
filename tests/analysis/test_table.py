"""The answer DuckDB computes (cinelake.analysis.table) against a straightforward Python reference, on
seeded films and series full of ties and unknowns: the eligible count, the best and the worst with
their tie-breaks, their figures and the Spearman correlations, equal to the last digit."""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Sequence
from itertools import groupby
from typing import Any

import pytest

from cinelake.analysis import table as table_module
from cinelake.analysis.compute import analyze
from cinelake.analysis.kinds import FILMS, SERIES, TitleKind
from cinelake.analysis.model import Record
from cinelake.analysis.table import TitleTable, chart_sample

GENRES = ("Action", "Animation", "Comedy", "Drama", "Family")


def _films() -> list[Record]:
    draw = random.Random(5)
    rows = []
    for n in range(1, 301):
        rated = draw.random() < 0.5
        rows.append(
            FILMS.row_type(
                tmdb_id=draw.randint(1, 290),  # some ids twice: the first row counts
                imdb_id=f"tt{n:07d}",
                title=f"Film {n}",
                release_year=draw.choice([None, *range(1980, 2020)]),
                genres=tuple(sorted(draw.sample(GENRES, draw.randint(0, 3)))),
                budget=draw.choice([None, 0, 999, 1_000, *range(1_000_000, 30_000_000, 5_000_000)]),
                revenue=draw.choice([None, 0, 1_000, *range(500_000, 90_000_000, 9_000_000)]),
                popularity=draw.choice([None, 1.5, 2.0, 2.0, 7.25, 30.0]),
                vote_average=draw.choice([None, 5.0, 6.5, 6.5, 8.0]),
                vote_count=draw.choice([None, 0, 99, 100, 100, 400]),
                imdb_rating=draw.choice([None, 6.1, 7.3, 7.3]) if rated else None,
                imdb_votes=draw.choice([None, 50, 5_000]) if rated else None,
            )
        )
    return rows


def _series() -> list[Record]:
    draw = random.Random(7)
    return [
        SERIES.row_type(
            tmdb_id=n,
            imdb_id=None,
            name=f"Series {n}",
            first_air_year=draw.choice([None, *range(1990, 2020)]),
            genres=tuple(sorted(draw.sample(GENRES, draw.randint(1, 2)))),
            popularity=draw.choice([None, 3.0, 3.0, 9.5, 12.0]),
            vote_average=draw.choice([None, 4.0, 7.0, 7.0, 8.5]),
            vote_count=draw.choice([None, 10, 50, 50, 300]),
            seasons=draw.choice([None, 1, 1, 2, 5]),
            episodes=draw.choice([None, 6, 10, 10, 60]),
        )
        for n in range(1, 201)
    ]


def _average_ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    for _, run in groupby(order, key=values.__getitem__):
        tied = list(run)
        for position in tied:
            ranks[position] = start + (len(tied) + 1) / 2
        start += len(tied)
    return ranks


def _spearman(xs: list[Any], ys: list[Any]) -> float | None:
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]
    pairs = [(x, y) for x, y in pairs if not math.isnan(x) and not math.isnan(y)]
    if len(pairs) < 3:
        return None
    rx, ry = _average_ranks([x for x, _ in pairs]), _average_ranks([y for _, y in pairs])
    mx, my = math.fsum(rx) / len(rx), math.fsum(ry) / len(ry)
    dx, dy = [x - mx for x in rx], [y - my for y in ry]
    sxx, syy = math.fsum(d * d for d in dx), math.fsum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    return max(-1.0, min(1.0, math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)))


def _median(values: list[Any]) -> float | None:
    known = sorted(float(v) for v in values if v is not None)
    if not known:
        return None
    half = len(known) // 2
    return known[half] if len(known) % 2 else (known[half - 1] + known[half]) / 2


def reference(kind: TitleKind, rows: list[Record], asked: dict[str, Any]) -> dict[str, Any]:
    """The answer of one group, worked out the plain way."""
    group, match, top, rank_by = asked["genres"], asked["match"], asked["top"], asked["rank_by"]
    min_votes = asked.get("min_votes", kind.default_min_votes)
    low, high = asked.get("year_from"), asked.get("year_to")
    votes = kind.votes_of(rank_by)
    first: dict[int, Record] = {}
    for row in rows:
        first.setdefault(row.tmdb_id, row)
    eligible = []
    for row in first.values():
        title = dict(vars(row))
        if kind is FILMS:
            if title["budget"] is None or title["revenue"] is None:
                continue
            if title["budget"] < 1_000 or title["revenue"] < 1_000:
                continue
            title["profit"] = title["revenue"] - title["budget"]
            title["roi"] = title["revenue"] / title["budget"]
        elif title["vote_average"] is None:
            continue
        held = [g in row.genres for g in group]
        year = title[kind.year_field]
        if title[votes] is None or title[votes] < min_votes or not (all if match == "all" else any)(held):
            continue
        if (low is not None or high is not None) and year is None:
            continue
        if (low is not None and year < low) or (high is not None and year > high) or title[rank_by] is None:
            continue
        eligible.append(title)
    best = sorted(eligible, key=lambda t: (-t[rank_by], -t[votes], t["tmdb_id"]))[:top]
    worst = sorted(eligible, key=lambda t: (t[rank_by], -t[votes], t["tmdb_id"]))[:top]

    def summary(titles: list[dict[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for figure in kind.summary:
            values = [t.get(figure.field) for t in titles]
            found[figure.key] = (
                len(titles)
                if figure.reduce == "count"
                else sum(values)
                if figure.reduce == "total"
                else _median(values)
            )
        return found

    fields = kind.item_fields(rank_by)
    return {
        "eligible": len(eligible),
        "best": [{f: t[f] for f in fields} for t in best],
        "worst": [{f: t[f] for f in fields} for t in worst],
        "best_summary": summary(best),
        "worst_summary": summary(worst),
        "correlations": {
            key: _spearman([t[x] for t in eligible], [t[y] for t in eligible])
            for key, x, y in kind.correlations
        },
    }


FILM_VIEWS = [
    {"genres": ("Comedy",), "match": "any", "top": 5, "rank_by": "vote_average"},
    {"genres": ("Comedy", "Drama"), "match": "any", "top": 3, "rank_by": "popularity", "min_votes": 0},
    {"genres": ("Comedy", "Drama"), "match": "all", "top": 20, "rank_by": "vote_average", "min_votes": 0},
    {"genres": ("Action", "Family"), "match": "any", "top": 4, "rank_by": "roi", "year_from": 1995},
    {
        "genres": ("Animation",),
        "match": "any",
        "top": 7,
        "rank_by": "profit",
        "year_to": 2000,
        "min_votes": 0,
    },
    {"genres": ("Drama",), "match": "any", "top": 5, "rank_by": "imdb_rating", "min_votes": 100},
    {"genres": ("Action", "Drama"), "match": "all", "top": 20, "rank_by": "vote_count", "year_from": 2000},
]
SERIES_VIEWS = [
    {"genres": ("Comedy",), "match": "any", "top": 5, "rank_by": "vote_average"},
    {"genres": ("Drama", "Family"), "match": "any", "top": 2, "rank_by": "popularity", "min_votes": 0},
    {"genres": ("Comedy", "Animation"), "match": "all", "top": 20, "rank_by": "vote_average", "min_votes": 0},
    {"genres": ("Drama",), "match": "any", "top": 3, "rank_by": "vote_average", "year_from": 2015},
]
CASES = [(FILMS, view) for view in FILM_VIEWS] + [(SERIES, view) for view in SERIES_VIEWS]


@pytest.fixture(scope="module")
def fixtures() -> dict[str, list[Record]]:
    return {"movies": _films(), "series": _series()}


@pytest.mark.parametrize("genres_as", ["bits", "lists"])
@pytest.mark.parametrize(
    ("kind", "asked"), CASES, ids=lambda c: c.key if isinstance(c, TitleKind) else repr(c)
)
def test_the_answer_equals_the_python_reference(
    fixtures: dict[str, list[Record]],
    kind: TitleKind,
    asked: dict[str, Any],
    genres_as: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if genres_as == "lists":  # a lake of more genre names than bits: the selection tests the lists
        monkeypatch.setattr(table_module, "MAX_GENRE_BITS", 2)
    rows = fixtures[kind.key]
    table = TitleTable.of(kind, rows)
    assert bool(table.genre_bits) == (genres_as == "bits")
    result = next(iter(analyze(kind, table, **asked).genres.values()))
    expected = reference(kind, rows, asked)
    assert result.eligible == expected["eligible"]
    assert [t.to_dict() for t in result.best] == expected["best"]
    assert [t.to_dict() for t in result.worst] == expected["worst"]
    assert result.best_summary.to_dict() == expected["best_summary"]
    assert result.worst_summary.to_dict() == expected["worst_summary"]
    assert result.correlations == expected["correlations"]  # exact, not approximately
    assert [t.tmdb_id for t in result.titles] == sorted(t.tmdb_id for t in result.titles)
    assert len(result.titles) == result.eligible


def test_the_fixture_has_what_the_reference_must_agree_on(fixtures: dict[str, list[Record]]) -> None:
    """The cases above include ties on the rank key, fewer eligible titles than asked, and null
    correlations alongside known ones (so none of them passes by being empty)."""
    answers = [next(iter(analyze(k, fixtures[k.key], **a).genres.values())) for k, a in CASES]
    assert any(0 < r.eligible < len(r.best) + len(r.worst) for r in answers)  # fewer than 2 * top
    assert any(0 < r.eligible < 5 for r in answers)
    assert all(r.eligible > 0 for r in answers)
    rhos = [v for r in answers for v in r.correlations.values()]
    assert any(v is None for v in rhos) and sum(v is not None for v in rhos) > 10
    comedy = answers[0]
    ranked = [t.vote_average for t in comedy.best]
    assert len(set(ranked)) < len(ranked)  # a tie the vote count and the id break


def test_the_table_keeps_the_first_row_of_an_id_and_the_genres(fixtures: dict[str, list[Record]]) -> None:
    rows = fixtures["movies"]
    table = TitleTable.of(FILMS, rows)
    assert len(table) == len({r.tmdb_id for r in rows}) < len(rows)
    assert table.genre_names == GENRES
    assert table.has("imdb_rating") and not TitleTable.of(SERIES, fixtures["series"]).has("imdb_rating")


def test_the_chart_sample_is_evenly_spaced() -> None:
    assert chart_sample(10, 5) == [0, 2, 4, 6, 8]
    assert chart_sample(7, 3) == [0, 2, 4]
    assert chart_sample(7, 0) == []


@pytest.mark.parametrize("kind", [FILMS, SERIES], ids=lambda k: k.key)
def test_without_pyarrow_the_table_is_the_same(
    fixtures: dict[str, list[Record]], kind: TitleKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's and the dashboard's Lambda bundles carry no pyarrow: the table is then made from
    list parameters, with the same columns, types and rows as through Arrow."""
    rows = fixtures[kind.key]
    through_arrow = TitleTable.of(kind, rows)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # an import of pyarrow now fails
    without = TitleTable.of(kind, rows)
    for sql in ("SELECT column_name, column_type FROM (DESCRIBE titles)", "SELECT * FROM titles ORDER BY 1"):
        assert without.database.execute(sql).fetchall() == through_arrow.database.execute(sql).fetchall()
    assert len(without) == len({r.tmdb_id for r in rows})
    asked = {"genres": ("Comedy",), "top": 3, "rank_by": "vote_average", "min_votes": 0}
    assert analyze(kind, without, **asked).to_dict() == analyze(kind, through_arrow, **asked).to_dict()
