"""`--query-engine athena`: the Refined queries go through Athena (moto in server mode answers them with the
rows Athena would return, as text cells, which the loader turns back into films)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cinelake.analysis import budget_vs_revenue
from cinelake.errors import UsageError
from cinelake.lake.store import Lake

pytestmark = pytest.mark.integration


def _result(columns: list[tuple[str, str]], rows: list[list[str | None]]) -> dict[str, Any]:
    header = {"Data": [{"VarCharValue": name} for name, _ in columns]}
    body = [{"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows]
    return {
        "rows": [header, *body],
        "column_info": [
            {
                "CatalogName": "hive",
                "SchemaName": "",
                "TableName": "",
                "Name": n,
                "Label": n,
                "Type": t,
                "Precision": 0,
                "Scale": 0,
                "Nullable": "UNKNOWN",
                "CaseSensitive": False,
            }
            for n, t in columns
        ],
    }


def _queue_athena_results(endpoint: str, results: list[dict[str, Any]]) -> None:
    body = json.dumps({"region": "us-east-1", "results": results}).encode()
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/athena/query-results",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


FILMS = [
    ("movie_key", "bigint"),
    ("tmdb_id", "bigint"),
    ("imdb_id", "varchar"),
    ("title", "varchar"),
    ("release_year", "integer"),
    ("budget", "bigint"),
    ("revenue", "bigint"),
    ("popularity", "double"),
    ("vote_average", "double"),
    ("vote_count", "bigint"),
    ("snapshot_date", "date"),
]


def test_athena_engine_reads_refined_through_athena(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from cinelake.config import get_settings

    boto3.client("athena", region_name="us-east-1").create_work_group(
        Name="cinelake-analysis", Configuration={"ResultConfiguration": {"OutputLocation": "s3://r/_athena/"}}
    )
    monkeypatch.setenv("CINELAKE_ATHENA_WORKGROUP", "cinelake-analysis")  # the stack's workgroup
    get_settings.cache_clear()
    films = [
        [
            str(i),
            str(i),
            f"tt{i:07d}",
            f"Film {i}",
            "2001",
            str(b),
            str(r),
            str(p),
            str(v),
            "500",
            "2026-11-26",
        ]
        for i, b, r, p, v in [
            (1, 10_000_000, 40_000_000, 5.5, 7.5),
            (2, 20_000_000, 30_000_000, 2.5, 6.0),
            (3, 5_000_000, 60_000_000, 9.0, 8.0),
            (4, 8_000_000, 4_000_000, 1.0, 4.5),
        ]
    ]
    films.append(["5", "5", None, "No money", "2002", None, None, "1.0", "9.0", "800", "2026-11-25"])
    genres = [[str(i), "Comedy"] for i in range(1, 6)] + [["3", "Animation"]]
    _queue_athena_results(
        aws_env,
        [
            _result(FILMS, films),
            _result([("movie_key", "bigint"), ("name", "varchar")], genres),
            _result([("name", "varchar")], [["Comedy"], ["Animation"]]),
        ],
    )
    try:
        lake = Lake(str(tmp_path / "lake"))
        analysis = budget_vs_revenue(lake, engine="athena", database="cinelake", top=2)
    finally:
        get_settings.cache_clear()
    assert analysis.source is not None
    assert analysis.source.zone == "Refined" and "Athena" in analysis.source.description
    assert analysis.source.description.endswith("(workgroup cinelake-analysis)")
    assert analysis.source.snapshot == "2026-11-26"
    comedy = analysis.genres["Comedy"]
    assert comedy.eligible == 4
    assert [f.tmdb_id for f in comedy.best] == [3, 1]
    assert [f.tmdb_id for f in comedy.worst] == [4, 2]
    assert comedy.best[0].roi == 12.0 and comedy.best[0].release_year == 2001
    # budget ranks [3, 4, 1, 2], revenue ranks [3, 2, 4, 1]: sum d^2 = 14 -> 1 - 6*14/(4*15) = -0.4
    assert comedy.correlations["budget_revenue"] == pytest.approx(-0.4)
    assert analysis.genres["Animation"].eligible == 1


def test_athena_has_no_raw_fallback(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--query-engine duckdb"):
        budget_vs_revenue(Lake(str(tmp_path / "lake")), engine="athena", zone="raw")
    with pytest.raises(UsageError, match="unknown engine 'spark'"):
        budget_vs_revenue(Lake(str(tmp_path / "lake")), engine="spark")


SERIES = [
    ("series_key", "bigint"),
    ("tmdb_id", "bigint"),
    ("imdb_id", "varchar"),
    ("name", "varchar"),
    ("first_air_year", "integer"),
    ("popularity", "double"),
    ("vote_average", "double"),
    ("vote_count", "bigint"),
    ("seasons", "integer"),
    ("episodes", "integer"),
    ("snapshot_date", "date"),
]


def test_athena_engine_reads_the_refined_series(aws_env: str, tmp_path: Path) -> None:
    from cinelake.analysis import answer, kinds

    shows = [
        [str(i), str(i), None, f"Show {i}", "2010", str(p), str(v), str(n), str(s), str(e), "2026-11-26"]
        for i, p, v, n, s, e in [
            (1, 50.0, 8.5, 900, 3, 30),
            (2, 90.0, 6.0, 400, 10, 200),
            (3, 20.0, 7.5, 120, 2, 20),
            (4, 70.0, 5.5, 60, 12, 250),
        ]
    ]
    shows.append(["5", "5", None, "Few votes", "2011", "1.0", "9.9", "7", None, None, "2026-11-25"])
    genres = [[str(i), "Comedy"] for i in range(1, 6)]
    _queue_athena_results(
        aws_env,
        [
            _result(SERIES, shows),
            _result([("series_key", "bigint"), ("name", "varchar")], genres),
            _result([("name", "varchar")], [["Comedy"]]),
        ],
    )
    found = answer(Lake(str(tmp_path / "lake")), kinds.SERIES, engine="athena", database="cinelake", top=2)
    assert found.source is not None and "Athena" in found.source.description
    assert found.source.titles == 5 and found.source.snapshot == "2026-11-26"
    comedy = found.genres["Comedy"]
    assert comedy.eligible == 4  # 7 votes is under the series' 50
    assert [s.tmdb_id for s in comedy.best] == [1, 3] and [s.tmdb_id for s in comedy.worst] == [4, 2]
    assert comedy.best[0].seasons == 3 and comedy.best[0].episodes == 30
    # popularity ranks [2, 4, 1, 3], seasons ranks [2, 3, 1, 4]: sum d^2 = 2 -> 1 - 6*2/60 = 0.8
    assert comedy.correlations["popularity_seasons"] == pytest.approx(0.8)
