"""`cinelake analyze` and `cinelake report` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cinelake.cli import main
from cinelake.commands.common import TMDB_NOTICE
from cinelake.lake.store import Lake

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).parent / "analysis.schema.json").read_text())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def validate(document: Any) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_json_output_is_one_object_that_matches_the_schema(
    raw_lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "analyze", "--lake", raw_lake.url, "--format", "json")
    assert code == 0
    document = json.loads(out)  # the whole of stdout is exactly one JSON document
    validate(document)
    assert list(document["genres"]) == ["Comedy", "Animation"]
    comedy = document["genres"]["Comedy"]
    assert comedy["eligible"] == 9
    assert [f["tmdb_id"] for f in comedy["best"]] == [11, 10, 12, 15, 24]
    assert document["source"]["zone"] == "Raw"
    assert document["notice"] == TMDB_NOTICE


def test_the_schema_rejects_a_broken_answer(raw_lake: Lake, capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    _, out, _ = run(capsys, "analyze", "--lake", raw_lake.url, "--format", "json")
    document = json.loads(out)
    del document["genres"]["Comedy"]["best"][0]["roi"]
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_options_reach_the_definition_and_out_writes_the_file(
    refined_lake: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "answers"
    argv = ["analyze", "--lake", refined_lake.url, "--genres", "comedy", "--top", "2", "--min-votes", "500"]
    code, out, _ = run(capsys, *argv, "--rank-by", "roi", "--format", "json", "--out", str(out_dir))
    assert code == 0
    document = json.loads(out)
    validate(document)
    assert document["definition"]["genres"] == ["Comedy"]
    assert (document["definition"]["top"], document["definition"]["min_votes"]) == (2, 500)
    assert [f["tmdb_id"] for f in document["genres"]["Comedy"]["best"]] == [12, 15]
    assert document["source"]["zone"] == "Refined"
    assert json.loads((out_dir / "analysis.json").read_text()) == document


def test_table_output_has_the_tables_the_reading_and_the_source(
    raw_lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "analyze", "--lake", raw_lake.url)
    assert code == 0
    text = " ".join(out.split())
    assert "Raw TMDB movie JSON Lines" in text
    assert "Comedy · 9 eligible" in text and "Animation · 2 eligible" in text
    assert "Bravo (2001)" in text and "Golf (2001)" in text
    assert "median ROI 4.00× 1.00×" in text
    # The reading is written from the figures: median ROI 4.0 vs 1.0 -> the best returned 4.0 times as much.
    assert "Their median ROI is 4.00× against 1.00×: the best films returned 4.0 times as much" in text
    assert "median popularity 20.00 against 2.00" in text
    assert "only 2 eligible Animation films" in text
    assert TMDB_NOTICE in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--genres", "Comedy,Sitcom"], "unknown genre 'Sitcom'"),
        (["--rank-by", "budget_adj"], "unknown --rank-by 'budget_adj'"),
        (["--format", "yaml"], "--format"),
        (["--top", "0"], "--top"),
    ],
)
def test_mistakes_exit_2_with_one_line(
    raw_lake: Lake, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "analyze", "--lake", raw_lake.url, *argv)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err and out == ""


def test_an_empty_lake_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "analyze", "--lake", str(tmp_path / "nothing"))
    assert code == 2
    assert "ingest TMDB first" in " ".join(err.split())


def test_report_command_writes_one_page(
    raw_lake: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "report", "--lake", raw_lake.url, "--out", str(tmp_path / "reports"))
    assert code == 0
    page = tmp_path / "reports" / "report.html"
    assert str(page) in "".join(out.split())
    text = page.read_text()
    assert TMDB_NOTICE in text and "Raw TMDB movie JSON Lines" in text


def test_report_kind_answers_what_the_lake_holds(
    raw_lake: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """By default every kind the lake holds (a lake of series alone gets a page of series, not the
    films' error); --kind asks for one kind, and a lake without it says so in one line."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined
    from tests.analysis.test_series import _write_raw_series

    shows = Lake(str(tmp_path / "series-only"))
    _write_raw_series(shows)
    raw_to_trusted(shows, engine="duckdb", catalog="none")
    trusted_to_refined(shows, engine="duckdb", catalog="none")  # its film tables are there, empty
    out = tmp_path / "reports"
    code, _, err = run(capsys, "report", "--lake", shows.url, "--out", str(out))
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="series-comedy"' in page and 'id="genre-' not in page and "Budget vs revenue" not in page
    assert "The best and worst Comedy, Animation series" in page

    code, _, err = run(capsys, "report", "--lake", shows.url, "--out", str(out), "--kind", "movies")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"the lake {shows.url} holds no films to report on" in " ".join(err.split())

    code, _, err = run(capsys, "report", "--lake", raw_lake.url, "--out", str(out), "--kind", "series")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "holds neither Refined series nor Raw TMDB series" in err

    code, _, err = run(capsys, "report", "--lake", raw_lake.url, "--out", str(out), "--kind", "movies")
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="genre-comedy"' in page and 'id="series"' not in page

    code, _, err = run(capsys, "report", "--lake", str(tmp_path / "nothing"), "--out", str(out))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "holds neither films nor series to report on" in err


def test_analyze_both_on_a_lake_of_series_alone_answers_the_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``analyze`` (--kind both) on a lake ``pipeline --kind series`` made, from Raw and from Refined
    (whose film tables are there, empty): the series' answer as ``--kind series`` gives it and a line
    saying the lake holds no films, not the films' error; ``--kind movies`` on Raw alone still stops
    in one line."""
    from cinelake.engines import raw_to_trusted, trusted_to_refined
    from tests.analysis.test_series import _write_raw_series

    shows = Lake(str(tmp_path / "series-only"))
    _write_raw_series(shows)
    for zone in ("Raw", "Refined"):
        if zone == "Refined":
            raw_to_trusted(shows, engine="duckdb", catalog="none")
            trusted_to_refined(shows, engine="duckdb", catalog="none")
        code, out, err = run(capsys, "analyze", "--lake", shows.url, "--format", "json")
        assert code == 0, (zone, err)
        code, alone, err = run(capsys, "analyze", "--lake", shows.url, "--format", "json", "--kind", "series")
        assert code == 0, (zone, err)
        assert json.loads(out) == json.loads(alone), zone
        code, out, err = run(capsys, "analyze", "--lake", shows.url)
        assert code == 0, (zone, err)
        assert "the lake holds no TMDB films" in out and "Comedy" in out, zone
        if zone == "Raw":  # no film anywhere: the films' error (with Refined: an answer of no films)
            code, _, err = run(capsys, "analyze", "--lake", shows.url, "--kind", "movies")
            assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_report_and_analyze_load_each_table_from_the_catalog_once(
    raw_lake: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers ask whether the Refined tables exist, then make their views, and the report counts
    every table: inside ``loads_kept`` each table is loaded from the catalog once (on S3 a load is a
    Glue GetTable and a metadata read)."""
    from collections import Counter

    from cinelake.engines import raw_to_trusted, trusted_to_refined
    from cinelake.tables import store

    raw_to_trusted(raw_lake, engine="duckdb", catalog="none")
    trusted_to_refined(raw_lake, engine="duckdb", catalog="none")
    loads: Counter[str] = Counter()
    load_now = store._load_now

    def counted(lake: Lake, table: Any, backend: str | None = None) -> Any:
        loads[table.name] += 1
        return load_now(lake, table, backend)

    monkeypatch.setattr(store, "_load_now", counted)
    for argv in (("report", "--out", str(tmp_path / "reports")), ("analyze", "--format", "json")):
        loads.clear()
        code, _, err = run(capsys, *argv, "--lake", raw_lake.url)
        assert code == 0, err
        assert loads["fact_movie"] == 1 and max(loads.values()) == 1, (argv[0], loads)
