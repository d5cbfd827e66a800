"""What the user's movies have in common, counted from their catalogue facts (no Django imports).

Genres and directors are counted; keywords are also weighed against how common they are in the
catalogue (`KeywordStats`): a theme is a keyword that sets the user's movies apart (at least two
of them carry it, it is at least `MIN_LIFT` times more frequent among them than in the
catalogue, and at least `MIN_THEME_MOVIES` catalogue movies carry it), ranked by count × idf.
Without catalogue figures, a keyword must recur in a sixth of the user's movies instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from llm_worker.contracts import KeywordStats, MovieBrief, MovieFacts

MIN_LIFT = 3.0  # a theme is 3× more frequent among the user's movies than in the catalogue
# A theme is something a fair number of films are about: a tag only two or three catalogue
# movies carry ("biology": Alien and Spirited Away) is an accident of tagging, not a taste.
MIN_THEME_MOVIES = 10


@dataclass
class Taste:
    movies: list[MovieBrief]  # the user's movies, most recent first
    facts: dict[int, MovieFacts]
    genres: Counter = field(default_factory=Counter)
    directors: Counter = field(default_factory=Counter)
    keywords: Counter = field(default_factory=Counter)
    stats: KeywordStats | None = None

    def with_value(self, kind: str, value: str) -> list[MovieBrief]:
        """The user's movies (most recent first) whose `kind` facts include `value`."""
        return [m for m in self.movies if value in values_of(kind, self.facts[m.movie_id])]

    def theme_weight(self, keyword: str, *, minimum: int = 2) -> float | None:
        """How distinctive `keyword` is of the user's movies; None when it is no theme of theirs."""
        count = self.keywords.get(keyword, 0)
        n = len(self.movies)
        idf = self.stats.idf(keyword) if self.stats else None
        if idf is None:
            return float(count) if count >= max(minimum, n // 6) else None
        frequency = self.stats.document_frequency.get(keyword, 1)
        catalogue_share = frequency / self.stats.movies
        if frequency < MIN_THEME_MOVIES and self.stats.movies >= 10 * MIN_THEME_MOVIES:
            return None
        if count < minimum or count / n < MIN_LIFT * catalogue_share:
            return None
        return count * idf


def values_of(kind: str, facts: MovieFacts) -> tuple[str, ...]:
    if kind == "genre":
        return facts.genres
    if kind == "director":
        return facts.directors
    if kind == "keyword":
        return facts.keywords
    if kind == "decade":
        return (str(facts.year // 10 * 10),) if facts.year else ()
    raise ValueError(f"unknown trait kind {kind!r}")


def taste_of(watched: Sequence[MovieBrief], stats: KeywordStats | None = None) -> Taste:
    """The counts over `watched` (oldest first, as the inputs hold them)."""
    recent = list(reversed(watched))
    facts = {m.movie_id: m.known_facts() for m in recent}
    taste = Taste(movies=recent, facts=facts, stats=stats)
    for m in recent:
        f = facts[m.movie_id]
        # Each once per movie, in the catalogue's order (ties keep it: no set's hash order).
        taste.genres.update(list(dict.fromkeys(f.genres)))
        taste.directors.update(list(dict.fromkeys(f.directors)))
        taste.keywords.update(list(dict.fromkeys(f.keywords)))
    return taste


@dataclass
class Trait:
    kind: str  # genre | director | keyword | decade
    value: str  # catalogue value: genre name, person, keyword, decade's first year ("1990")
    movies: list[MovieBrief]  # the user's movies that have it, most recent first


def traits_of(taste: Taste) -> list[Trait]:
    """Recurring genres, directors, themes and decade, strongest first inside each kind."""
    n = len(taste.movies)
    traits: list[Trait] = []
    for kind, counts, minimum, limit in (
        ("genre", taste.genres, max(2, n // 5), 3),
        ("director", taste.directors, 2, 2),
    ):
        for value, count in counts.most_common(limit):
            if count >= minimum:
                traits.append(Trait(kind, value, taste.with_value(kind, value)))
    weights = {k: taste.theme_weight(k, minimum=max(2, n // 10)) for k in taste.keywords}
    themes = sorted((k for k, w in weights.items() if w), key=lambda k: (-weights[k], k))
    traits += [Trait("keyword", k, taste.with_value("keyword", k)) for k in themes[:3]]
    decades = Counter(v for m in taste.movies for v in values_of("decade", taste.facts[m.movie_id]))
    for value, count in decades.most_common(1):
        if count >= max(2, int(n * 0.4)):
            traits.append(Trait("decade", value, taste.with_value("decade", value)))
    return traits
