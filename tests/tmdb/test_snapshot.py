"""The packaged snapshot: real values where the sources have them, absent keys where they do not."""

from __future__ import annotations

import csv
from importlib import resources

from cinelake.tmdb.snapshot import list_item, load_snapshot


def test_toy_story() -> None:
    snapshot = load_snapshot()
    assert snapshot.by_imdb["tt0114709"] == [862]
    movie = snapshot.movie(862)
    assert movie is not None
    assert movie["imdb_id"] == "tt0114709"
    assert movie["title"] == "Toy Story"
    assert movie["budget"] == 30_000_000
    assert movie["revenue"] == 361_958_736
    assert movie["release_date"] == "1995-10-30"
    assert movie["genres"] == [
        {"id": 16, "name": "Animation"},
        {"id": 35, "name": "Comedy"},
        {"id": 10751, "name": "Family"},
    ]
    assert movie["original_language"] == "en"
    assert movie["production_countries"] == [{"iso_3166_1": "US", "name": "United States of America"}]
    assert movie["overview"].startswith("Woody the cowboy is young Andy’s favorite toy.")  # mojibake repaired
    assert movie["credits"]["cast"][0] == {"name": "Tom Hanks", "order": 0}
    assert movie["credits"]["crew"] == [
        {"department": "Directing", "job": "Director", "name": "John Lasseter"}
    ]
    assert movie["external_ids"] == {"id": 862, "imdb_id": "tt0114709"}


def test_what_the_sources_lack_stays_absent() -> None:
    snapshot = load_snapshot()
    assert len(snapshot) == 10_865  # 10,866 rows, one duplicated id
    invented = {"adult", "video", "poster_path", "backdrop_path", "release_dates", "origin_country"}
    for movie in snapshot.movies.values():
        assert not invented & movie.keys()
        for company in movie.get("production_companies", ()):
            assert company.keys() == {"name"}
        for member in movie.get("credits", {}).get("cast", ()):
            assert member.keys() == {"name", "order"}
        assert all(m["job"] == "Director" for m in movie.get("credits", {}).get("crew", ()))


def test_every_movie_has_a_title_as_tmdb_always_does() -> None:
    snapshot = load_snapshot()
    assert all(isinstance(m.get("title"), str) and m["title"] for m in snapshot.movies.values())
    # Where movies_metadata has no row, the title is tmdb_10k's (its original_title column).
    rocky = [m for m in snapshot.movies.values() if m["title"] == "Rocky"]
    assert rocky and all(m["title"] == m["original_title"] for m in rocky)


def test_unknown_budget_stays_zero_and_genres_use_real_ids() -> None:
    snapshot = load_snapshot()
    real_ids = set(snapshot.genre_ids.values())
    assert {g["id"] for m in snapshot.movies.values() for g in m["genres"]} <= real_ids
    assert sum(1 for m in snapshot.movies.values() if m["budget"] == 0) > 5_000
    assert snapshot.movie(278)["title"] == "The Shawshank Redemption"  # type: ignore[index]


def test_list_item_shape() -> None:
    item = list_item(load_snapshot().movies[862])
    assert item["genre_ids"] == [16, 35, 10751]
    assert "genres" not in item and "budget" not in item and "credits" not in item


def test_demo_csv_format() -> None:
    text = resources.files("cinelake.data").joinpath("demo_movies.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="|", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "tituloPincipal", "tituloOriginal"] and len(header) == 15
    assert all(len(r) == 15 for r in body)
    snapshot = load_snapshot()
    ids = {r[0] for r in body}
    unknown = ids - snapshot.by_imdb.keys()
    assert 5 <= len(unknown) <= 20
    wanted = {r[0] for r in body if {"Comedy", "Animation"} & set(r[5].split(","))}
    assert len(ids - wanted) >= 200  # the genre filter has something to drop
    toy = [r for r in body if r[0] == "tt0114709"]
    assert [r[10] for r in toy] == ["Tom Hanks", "Tim Allen", "Don Rickles"]
    assert toy[0][3:6] == ["1995", "81", "Animation,Comedy,Family"]
    assert all(v == "\\N" for r in toy for v in (r[6], r[7], r[9], r[11], r[12], r[14]))
