"""A plain-language reading of an :class:`Analysis`, written from its numbers.

Every word that carries meaning (strength and direction of a correlation, which group returned more
per dollar, which was more popular) is chosen from the figures, so the paragraph changes when the
data does.
"""

from __future__ import annotations

from cinelake.analysis.model import Analysis, GenreResult

# Below this many eligible films a rank correlation moves a lot with one film: the reading says so.
FEW_FILMS = 20
# The correlations each kind's paragraph reads, in its order: (key, left, right).
FILM_CORRELATIONS: tuple[tuple[str, str, str], ...] = (
    ("budget_revenue", "budget", "revenue"),
    ("popularity_roi", "popularity", "ROI"),
    ("popularity_revenue", "popularity", "revenue"),
)
SERIES_CORRELATIONS: tuple[tuple[str, str, str], ...] = (
    ("popularity_vote_average", "popularity", "vote_average"),
    ("popularity_seasons", "popularity", "seasons"),
    ("popularity_episodes", "popularity", "episodes"),
)


def strength(rho: float) -> str:
    """A conventional label for the size of a rank correlation."""
    size = abs(rho)
    if size < 0.1:
        return "no meaningful"
    if size < 0.3:
        return "a weak"
    if size < 0.5:
        return "a moderate"
    if size < 0.7:
        return "a strong"
    return "a very strong"


def describe_correlation(rho: float | None, left: str, right: str) -> str:
    if rho is None:
        return f"the relation of {left} and {right} cannot be measured here"
    label = strength(rho)
    if label == "no meaningful":
        return f"{left} and {right} show no meaningful relation (ρ = {rho:+.2f})"
    direction = "positive" if rho > 0 else "negative"
    return f"{left} and {right} show {label} {direction} relation (ρ = {rho:+.2f})"


def genre_reading(result: GenreResult, rank_by: str) -> str:
    """One paragraph about one genre."""
    name = result.genre
    if result.eligible == 0:
        return f"{name}: no film is eligible, so there is nothing to compare."
    best, worst = result.best_summary, result.worst_summary
    sentences = [
        f"{name}: of {result.eligible} eligible film{'s' if result.eligible != 1 else ''}, the "
        f"{best.count} best by {rank_by} cost {_money(best.total_budget)} together and earned "
        f"{_money(best.total_revenue)}; the {worst.count} worst cost {_money(worst.total_budget)} and earned "
        f"{_money(worst.total_revenue)}."
    ]
    if best.median_roi is not None and worst.median_roi is not None:
        high, low = max(best.median_roi, worst.median_roi), min(best.median_roi, worst.median_roi)
        figures = f"Their median ROI is {best.median_roi:.2f}× against {worst.median_roi:.2f}×"
        if high <= low * 1.1:
            sentences.append(f"{figures}: the two groups returned about the same per dollar spent.")
        else:
            more = "best" if best.median_roi > worst.median_roi else "worst"
            sentences.append(
                f"{figures}: the {more} films returned {high / low:.1f} times as much per dollar spent."
            )
    sentences.append(_correlations("films", result.correlations, FILM_CORRELATIONS))
    pop_best, pop_worst = best.median_popularity, worst.median_popularity
    pop = _popularity(pop_best, pop_worst)
    if pop is not None:
        sentences.append(
            f"The best films are {pop} the worst (median popularity {pop_best:.2f} against {pop_worst:.2f})."
        )
    sentences.extend(_caution("films", result.eligible, best.count))
    return " ".join(sentences)


def reading(analysis: Analysis) -> str:
    """One paragraph per genre (in the kind's words), joined."""
    rank_by = analysis.definition.rank_by
    return "\n\n".join(analysis.kind.reading(r, rank_by) for r in analysis.genres.values())


def series_reading(result: GenreResult, rank_by: str = "vote_average") -> str:
    """One paragraph about one genre's series ranked by ``rank_by``, written from the figures (no
    money: TV has none)."""
    name = result.genre
    if result.eligible == 0:
        return f"{name} series: none is eligible, so there is nothing to compare."
    best, worst = result.best_summary, result.worst_summary
    median = "a median" if rank_by == "vote_average" else "a median vote_average"
    sentences = [
        f"{name} series: of {result.eligible} eligible, the {best.count} best by {rank_by} have {median} "
        f"of {_figure(best.median_vote_average, 1)} against {_figure(worst.median_vote_average, 1)} for the "
        f"{worst.count} worst."
    ]
    pop_best, pop_worst = best.median_popularity, worst.median_popularity
    pop = _popularity(pop_best, pop_worst)
    if pop is not None:
        sentences.append(
            f"The best series are {pop} the worst (median popularity {pop_best:.2f} against {pop_worst:.2f}; "
            f"median seasons {_figure(best.median_seasons, 1)} against {_figure(worst.median_seasons, 1)})."
        )
    sentences.append(_correlations("series", result.correlations, SERIES_CORRELATIONS))
    sentences.append("TMDB has no budget or revenue for TV, so nothing here is about money.")
    sentences.extend(_caution("series", result.eligible, best.count))
    return " ".join(sentences)


def _popularity(best: float | None, worst: float | None) -> str | None:
    """How the best group's median popularity compares with the worst's (None when one is unknown)."""
    if best is None or worst is None:
        return None
    if worst > 0 and 0.9 <= best / worst <= 1.1:
        return "about as popular as"
    return "more popular than" if best > worst else "less popular than"


def _correlations(noun: str, found: dict[str, float | None], pairs: tuple[tuple[str, str, str], ...]) -> str:
    """One sentence over all eligible ``noun``: each (key, left, right) pair described, in order."""
    parts = [describe_correlation(found[key], left, right) for key, left, right in pairs]
    return f"Over all eligible {noun}, " + ", ".join(parts[:-1]) + ", and " + parts[-1] + "."


def _caution(noun: str, eligible: int, group: int) -> list[str]:
    """A warning when the best and the worst overlap, or when the correlations rest on few titles."""
    if eligible < group * 2:
        return [f"With so few eligible {noun} the two groups overlap; read these figures with care."]
    if eligible < FEW_FILMS:
        return [f"The correlations rest on only {eligible} {noun}."]
    return []


def _figure(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _money(amount: int) -> str:
    if abs(amount) >= 1_000_000_000:
        return f"${amount / 1_000_000_000:.2f} bn"
    if abs(amount) >= 1_000_000:
        return f"${amount / 1_000_000:.1f} m"
    return f"${amount:,}"
