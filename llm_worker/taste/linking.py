"""Links words to the catalogue: titles, people and keywords of a `Lexicon` (no Django imports).

Exact lookups go through dicts of normalised names; misspellings go through rapidfuzz
(`fuzz.ratio` on normalised text, with a cut-off that grows as the words get shorter, and none
under MIN_FUZZY letters: "godfater" finds The Godfather, "Heta" finds nothing). A surname alone
("Nolan") names a person only when one person with it clearly has the most credits; otherwise it
is reported as ambiguous, with the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from movies.lexicon import Lexicon, LexiconPerson, LexiconTitle, normalize_text

from .text import particle_stems
from .vocabulary import COMMON_EN

MIN_FUZZY = 5  # letters: shorter words must match exactly
_ARTICLES = ("the ", "a ", "an ")
SURNAME_LEAD = 2.0  # the top person with a surname needs this many times the next one's credits


def fuzzy_cutoff(key: str) -> float | None:
    letters = sum(ch.isalnum() for ch in key)
    if letters < MIN_FUZZY:
        return None
    return 90.0 if letters < 8 else 85.0


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def title_keys(title: LexiconTitle) -> set[str]:
    keys = set()
    names = [title.title, *title.aliases]
    # The name before a subtitle is what people say: "Star Wars" for "Star Wars: Episode IV -
    # A New Hope" (the best-known of the titles sharing it wins, as for any equal key).
    names += [n.split(":")[0] for n in names if ":" in n and len(n.split(":")[0]) >= 4]
    for name in names:
        key = normalize_text(name)
        if not key:
            continue
        keys.add(key)
        if _hangul(key):
            keys.add(key.replace(" ", ""))  # Korean titles are often typed without spaces
        for article in _ARTICLES:
            if key.startswith(article) and len(key) > len(article) + 2:
                keys.add(key[len(article) :])
    return keys


@dataclass(frozen=True)
class PersonMatch:
    person: LexiconPerson | None
    candidates: tuple[LexiconPerson, ...] = ()  # when ambiguous


class CatalogueIndex:
    """Lookups over one lexicon, built once (a few hundred milliseconds for ten thousand titles
    and fifty thousand people) and shared by every parse."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.latest_year = lexicon.latest_year
        by_popularity = sorted(lexicon.titles, key=lambda t: -t.popularity)
        self.movies = {t.movie_id: t for t in lexicon.titles}
        self.titles: dict[str, list[LexiconTitle]] = {}
        for t in by_popularity:
            for key in title_keys(t):
                self.titles.setdefault(key, []).append(t)
        self.title_choices = list(self.titles)
        # "Harry Potter" for "Harry Potter and the Sorcerer's Stone": the first words of a longer
        # title, when they are not all common words, name its best-known title
        self.title_prefixes: dict[str, LexiconTitle] = {}
        for t in by_popularity:
            for name in (t.title, *t.aliases):
                words = normalize_text(name).split()
                for n in range(2, len(words)):
                    if any(w not in COMMON_EN for w in words[:n]):
                        # "해리 포터와 ..." starts with "해리 포터" and its particle
                        for last in particle_stems(words[n - 1]):
                            self.title_prefixes.setdefault(" ".join([*words[: n - 1], last]), t)
        self.max_title_words = min(12, max((len(k.split()) for k in self.titles), default=1))
        self.people: dict[str, list[LexiconPerson]] = {}
        self.surnames: dict[str, list[LexiconPerson]] = {}
        for p in sorted(lexicon.people, key=lambda p: -p.credits):
            for name in (p.name, *p.aliases):
                key = normalize_text(name)
                if not key:
                    continue
                self.people.setdefault(key, []).append(p)
                if _hangul(key):
                    self.people.setdefault(key.replace(" ", ""), []).append(p)
                words = key.split()
                shortest = 2 if _hangul(key) else 3
                if len(words) >= 2 and len(words[-1]) >= shortest:
                    self.surnames.setdefault(words[-1], []).append(p)
        self.people_choices = [k for k in self.people if len(k.split()) >= 2]
        self.genres = {normalize_text(g): g for g in lexicon.genres}
        self.languages = set(lexicon.languages)
        self.countries = set(lexicon.countries)
        self.keywords: dict[str, str] = {}
        for name in lexicon.keywords:
            key = normalize_text(name)
            words = key.split()
            if words and (len(words) > 1 or (key not in COMMON_EN and len(key) >= 4)):
                self.keywords.setdefault(key, name)

    # --- titles -------------------------------------------------------------------------------
    def title_exact(self, key: str, year: int | None = None) -> LexiconTitle | None:
        found = self.titles.get(key) or self.titles.get(
            key.replace(" ", "") if _hangul(key) else ""
        )
        if not found:
            return None
        if year is not None:
            same = [t for t in found if t.year == year] or [
                t for t in found if t.year and abs(t.year - year) <= 1
            ]
            return same[0] if same else None
        return found[0]

    def title_prefix(self, key: str) -> LexiconTitle | None:
        return self.title_prefixes.get(key) if len(key.split()) >= 2 else None

    def title_fuzzy(self, key: str, year: int | None = None) -> tuple[LexiconTitle, float] | None:
        cutoff = fuzzy_cutoff(key)
        if cutoff is None or not self.title_choices:
            return None
        best = process.extractOne(
            key, self.title_choices, scorer=fuzz.ratio, score_cutoff=cutoff, processor=None
        )
        if best is None:
            return None
        title = self.title_exact(best[0], year) or self.title_exact(best[0])
        return (title, float(best[1])) if title else None

    # --- people -------------------------------------------------------------------------------
    def person_exact(self, key: str) -> LexiconPerson | None:
        found = self.people.get(key)
        return found[0] if found else None

    def person_surname(self, key: str, *, min_credits: int = 0) -> PersonMatch:
        found = list({p.person_id: p for p in self.surnames.get(key, [])}.values())
        if not found or found[0].credits < min_credits:
            return PersonMatch(None)
        if len(found) == 1 or found[0].credits >= SURNAME_LEAD * max(found[1].credits, 1):
            return PersonMatch(found[0])
        return PersonMatch(None, tuple(found[:3]))

    def person_fuzzy(self, key: str) -> LexiconPerson | None:
        cutoff = fuzzy_cutoff(key)
        if cutoff is None or len(key.split()) < 2 or not self.people_choices:
            return None
        best = process.extractOne(
            key, self.people_choices, scorer=fuzz.ratio, score_cutoff=max(cutoff, 88.0),
            processor=None,
        )  # fmt: skip
        return self.person_exact(best[0]) if best else None

    # --- keywords -----------------------------------------------------------------------------
    def keyword(self, key: str) -> str | None:
        for form in (
            key,
            key[:-1] if key.endswith("s") else "",
            key[:-2] if key.endswith("es") else "",
        ):
            if form and form in self.keywords:
                return self.keywords[form]
        return None
