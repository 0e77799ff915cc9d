"""The plain-language reading follows the numbers: words change when the figures do."""

from __future__ import annotations

from dataclasses import replace

from cinelake.analysis import analyze_films
from cinelake.analysis.reading import describe_correlation, genre_reading, reading, strength
from tests.analysis.films import film_rows, hand_checked_movies


def test_strength_and_direction_words() -> None:
    assert [strength(r) for r in (0.05, -0.2, 0.4, -0.6, 0.9)] == [
        "no meaningful",
        "a weak",
        "a moderate",
        "a strong",
        "a very strong",
    ]
    assert describe_correlation(-0.45, "budget", "revenue") == (
        "budget and revenue show a moderate negative relation (ρ = -0.45)"
    )
    assert "no meaningful relation" in describe_correlation(0.02, "a", "b")
    assert "cannot be measured" in describe_correlation(None, "a", "b")


def test_reading_changes_with_the_figures() -> None:
    comedy = analyze_films(film_rows(hand_checked_movies())).genres["Comedy"]
    text = genre_reading(comedy, "vote_average")
    assert "of 9 eligible films" in text
    assert "the best films returned 4.0 times as much per dollar spent" in text
    assert "The best films are more popular than the worst (median popularity 20.00 against 2.00)" in text
    assert "The correlations rest on only 9 films" not in text  # the groups overlap: that note wins
    assert "overlap" in text
    # Swap the groups' figures: the words must follow.
    swapped = replace(comedy, best_summary=comedy.worst_summary, worst_summary=comedy.best_summary)
    text = genre_reading(swapped, "vote_average")
    assert "the worst films returned 4.0 times as much per dollar spent" in text
    assert "The best films are less popular than the worst" in text
    same = replace(comedy, worst_summary=comedy.best_summary)
    assert "returned about the same per dollar spent" in genre_reading(same, "vote_average")
    assert "about as popular as" in genre_reading(same, "vote_average")


def test_reading_of_an_empty_genre_and_of_several() -> None:
    analysis = analyze_films(film_rows(hand_checked_movies()), genres=["Comedy", "Western"])
    text = reading(analysis)
    assert text.count("\n\n") == 1
    assert "Western: no film is eligible" in text
