"""Why each card: the evidence of one candidate, and reasons written from it (no Django imports).

Evidence, strongest first: the request constraints the candidate meets (stated by the retrieval
that checked them), a director the user has watched before, genres the user watches often, and
themes (distinctive keywords, `Taste.theme_weight`) the candidate shares with the user's movies.
The user's movies nearest to it (`CandidateBrief.near`) are evidence too, but the page shows them
on their own line ("Because you liked …"), so a reason never names them again: it names another
of the user's films by the same director, or counts them.

A reason is one or two sentences from different kinds of evidence. Each kind has several
sentence frames per language; `Reasoner` rotates them along a list, so two cards in a row never
share a frame.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from llm_worker.contracts import (
    CandidateBrief,
    Constraint,
    KeywordStats,
    MetConstraint,
    MovieBrief,
    NearMovie,
)
from llm_worker.grounded.persona import trait_value
from llm_worker.grounded.taste import Taste, taste_of
from llm_worker.phrases import join, phrases, say, titles

MET_SHOWN = 2  # constraints named in one reason
GENRES_SHOWN = 2
THEMES_SHOWN = 2
SENTENCES = 2


@dataclass(frozen=True)
class Evidence:
    met: tuple[MetConstraint, ...] = ()
    near: tuple[NearMovie, ...] = ()  # closest first; shown by the page, not in the reason
    director: str = ""  # the candidate's director whose films the user has watched
    director_movies: tuple[MovieBrief, ...] = ()  # those films, most recent first
    genres: tuple[str, ...] = ()  # the candidate's genres the user watches often, most first
    genre_count: int = 0  # the user's movies of genres[0]
    themes: tuple[str, ...] = ()  # distinctive keywords it shares with the user's movies
    theme_count: int = 0  # the user's movies with themes[0]

    @property
    def other_director_movies(self) -> tuple[MovieBrief, ...]:
        """The director's films the user saw that the page's "because" line does not name."""
        shown = {n.movie_id for n in self.near}
        return tuple(m for m in self.director_movies if m.movie_id not in shown)


def evidence_for(candidate: CandidateBrief, taste: Taste) -> Evidence:
    facts = candidate.known_facts()
    directors = [d for d in facts.directors if taste.directors.get(d)]
    director = max(directors, key=lambda d: taste.directors[d], default="")
    genres = sorted(
        (g for g in facts.genres if taste.genres.get(g, 0) >= 2),
        key=lambda g: (-taste.genres[g], g),
    )[:GENRES_SHOWN]
    weights = {k: taste.theme_weight(k) for k in facts.keywords}
    themes = sorted((k for k, w in weights.items() if w), key=lambda k: (-weights[k], k))
    themes = themes[:THEMES_SHOWN]
    return Evidence(
        met=tuple(candidate.met),
        near=tuple(candidate.near),
        director=director,
        director_movies=tuple(taste.with_value("director", director)) if director else (),
        genres=tuple(genres),
        genre_count=taste.genres[genres[0]] if genres else 0,
        themes=tuple(themes),
        theme_count=taste.keywords[themes[0]] if themes else 0,
    )


def met_fragment(met: MetConstraint, language: str) -> str:
    """One constraint as the language says it ("directed by Christopher Nolan", "1990년대 영화")."""
    p = phrases(language)
    kind, value, low, high = met.kind, met.value, met.low, met.high
    if kind in (Constraint.YEARS, Constraint.RUNTIME):
        if kind == Constraint.YEARS and low is not None and high == low + 9 and low % 10 == 0:
            key = "decade"
        else:
            key = kind + ("" if low is not None and high is not None else "_from" if low else "_to")
        return say(p.MET[key], low=low, high=high)
    if kind in (Constraint.GENRE, Constraint.NOT_GENRE):
        value = trait_value("genre", value, language)
    elif kind == Constraint.KEYWORD:
        value = trait_value("keyword", value, language)
    elif kind == Constraint.LANGUAGE:
        value = p.LANGUAGES.get(value, value)
    elif kind == Constraint.COUNTRY:
        value = p.COUNTRIES.get(value, value)
    elif kind == Constraint.MOOD:
        value = p.MOODS.get(value, value)
    elif kind == Constraint.LIKE:
        if not value:  # close to the movies the user named, without saying which one
            return p.MET["like_any"]
        value = titles([value], language)
    template = p.MET.get(kind)
    return say(template, value=value) if template else ""


class Reasoner:
    """Writes the reasons of one list, card after card, rotating each kind's sentence frames."""

    def __init__(self, language: str, taste: Taste):
        self.language = language
        self.taste = taste
        self.p = phrases(language)
        self.used: Counter = Counter()  # frame family -> times used so far in this list

    def _frame(self, family: str) -> str:
        frames = getattr(self.p, family)
        frame = frames[self.used[family] % len(frames)]
        self.used[family] += 1
        return frame

    def reason(self, candidate: CandidateBrief) -> str:
        evidence = evidence_for(candidate, self.taste)
        sentences = [s for s in self._sentences(evidence) if s][:SENTENCES]
        if not sentences:
            sentences = [self._frame("REASON_DEFAULT")]
        return " ".join(s[:1].upper() + s[1:] for s in sentences)

    def _sentences(self, ev: Evidence):
        language = self.language
        fragments = [f for f in (met_fragment(m, language) for m in ev.met) if f]
        if fragments:
            yield say(self._frame("REASON_MET"), met=", ".join(fragments[:MET_SHOWN]))
        if ev.director:
            others = ev.other_director_movies
            slots = {"director": ev.director, "count": len(ev.director_movies)}
            if others:
                film = others[0]
                slots |= {"title": titles([film.title], language), "verb": self.p.VERB[film.liked]}
                yield say(self._frame("REASON_DIRECTOR_TITLE"), **slots)
            elif len(ev.director_movies) == 1:
                liked = self._liked(ev.director_movies[0], ev.near)
                slots["verb"] = self.p.VERB[liked]
                yield say(self._frame("REASON_DIRECTOR_ONE"), **slots)
            else:
                yield say(self._frame("REASON_DIRECTOR_COUNT"), **slots)
        if ev.genres:
            names = [trait_value("genre", g, language) for g in ev.genres]
            yield say(
                self._frame("REASON_GENRES"),
                genres=join(names, language),
                genre=names[0],
                count=ev.genre_count,
            )
        if ev.themes:
            quoted = [trait_value("keyword", k, language) for k in ev.themes]
            yield say(
                self._frame("REASON_KEYWORDS"),
                keywords=join(quoted, language),
                keyword=quoted[0],
                count=ev.theme_count,
            )

    @staticmethod
    def _liked(movie: MovieBrief, near: Sequence[NearMovie]) -> bool:
        return movie.liked or any(n.movie_id == movie.movie_id and n.liked for n in near)


def reasons_for(
    candidates: Sequence[CandidateBrief],
    watched: Sequence[MovieBrief],
    language: str,
    *,
    stats: KeywordStats | None = None,
) -> list[str]:
    """The reasons of `candidates` shown in this order (frames rotate along the list)."""
    reasoner = Reasoner(language, taste_of(watched, stats))
    return [reasoner.reason(c) for c in candidates]
