"""The grounded parser's shared helpers and the steps that follow cue words (no Django
imports): quotes, movie ids, "directed by X" / "X 감독", "like X" / "X 같은", and a title followed
by its year. `GroundedParser` (grounded_parser.py) runs them before the steps that need no cue."""

from __future__ import annotations

import logging
import re
from collections import defaultdict

from movies.lexicon import Lexicon, LexiconPerson, LexiconTitle, normalize_text

from .linking import CatalogueIndex
from .request import NotUnderstood, PersonRef, Understood
from .text import Tokens, particle_stems, tokenize
from .vocabulary import (
    ABOUT_CUES_EN,
    ANIME_TERMS,
    CAST_CUES_EN,
    CAST_CUES_KO,
    COMMON_EN,
    DIRECTOR_CUES_EN,
    DIRECTOR_CUES_KO,
    FILLER_KO,
    FOREIGN_TERMS,
    GENRE_TERMS,
    KEYWORD_KO,
    KO_WHOLE_WORD,
    LIKE_CUES_EN,
    LIKE_CUES_KO,
    MOOD_TERMS,
    NOT_LIKE_EN,
    ORIGIN_TERMS,
    RESET_TERMS,
)  # fmt: skip

logger = logging.getLogger(__name__)
ARTICLES = {"the", "a", "an"}
_STOP_SPAN = {
    "but", "and", "or", "with", "from", "that", "which", "please", "by", "starring", "directed",
    "instead", "except", "without", "no", "not",
}  # fmt: skip
STOP_THEME = (_STOP_SPAN - {"and", "with", "or"}) | {"like", "similar", "something", "i"}
TITLE_PUNCT = set(":-'&.!?·")
_KO_NOT_NAME = {
    "좋은",
    "유명한",
    "어떤",
    "그",
    "이",
    "저",
    "여자",
    "남자",
    "신인",
    "영화",
    "최고의",
}
KO_COMMON_TITLES = {"그녀", "괴물", "업", "세븐"}
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
MAX_NOTES = 12  # not-understood notes kept per request
BARE_SURNAME_CREDITS = 3  # a surname without a cue names only someone this well known
LONE_FUZZY, LONE_CUTOFF = 7, 90.0  # a lone lowercase word is a misspelt title only this sure


def _table(terms: dict) -> dict[str, object]:
    return {" ".join(t.norm for t in tokenize(term)): value for term, value in terms.items()}


def _phrases(items) -> list[list[str]]:
    return sorted(([t.norm for t in tokenize(p)] for p in items), key=len, reverse=True)


VOCAB = _table(
    {
        **{k: ("genre", v) for k, v in GENRE_TERMS.items()},
        **{k: ("origin", v) for k, v in ORIGIN_TERMS.items()},
        **{k: ("anime", None) for k in ANIME_TERMS},
        **{k: ("foreign", None) for k in FOREIGN_TERMS},
        **{k: ("mood", v) for k, v in MOOD_TERMS.items()},
    }
)
VOCAB_FIRST = {key.split()[0] for key in VOCAB}
MAX_VOCAB = max(len(k.split()) for k in VOCAB)
KEYWORD_KO_TABLE = _table(KEYWORD_KO)
_RESET = _phrases(RESET_TERMS)
_LIKE_EN, _NOT_LIKE = _phrases(LIKE_CUES_EN), _phrases(NOT_LIKE_EN)
_PEOPLE_EN = [(p, "director") for p in _phrases(DIRECTOR_CUES_EN)] + [
    (p, "cast") for p in _phrases(CAST_CUES_EN)
]
_PEOPLE_EN.sort(key=lambda pr: -len(pr[0]))
ABOUT_EN = _phrases(ABOUT_CUES_EN)


class Found:
    """What a parse has found so far."""

    def __init__(self) -> None:
        self.items: dict[str, list] = defaultdict(list)
        self.bounds: dict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
        self.understood: list[Understood] = []
        self.missed: list[NotUnderstood] = []
        self.reset = False

    def add(self, field: str, value, piece: Understood) -> None:
        if value not in self.items[field]:
            self.items[field].append(value)
            self.understood.append(piece)

    def miss(self, text: str, reason: str, candidates: tuple[str, ...] = ()) -> None:
        text = " ".join(text.split())
        text = text if len(text) <= 60 else text[:59] + "…"
        if len(self.missed) >= MAX_NOTES:  # enough to say what went wrong; a flood says no more
            return
        if not any(m.text == text and m.reason == reason for m in self.missed):
            self.missed.append(NotUnderstood(text, reason, candidates))


class CueSteps:
    """Helpers and cue steps; `GroundedParser` adds the rest."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.index = CatalogueIndex(lexicon)
        self.genre_names = {normalize_text(g): g for g in lexicon.genres}

    # --- small helpers ------------------------------------------------------------------------
    def _title_piece(self, found: Found, tokens: Tokens, i: int, j: int, title: LexiconTitle):
        negated = tokens.negated[i]
        field, kind = ("avoid_movie_ids", "avoid_movie") if negated else ("seed_movie_ids", "seed")
        label = f"{title.title} ({title.year})" if title.year else title.title
        polarity = "out" if negated else "in"
        piece = Understood(kind, polarity, label, title.movie_id, "", tokens.words(i, j))
        found.add(field, title.movie_id, piece)
        tokens.use(i, j)

    def _person_piece(self, found, tokens, i, j, person: LexiconPerson, role: str = "") -> None:
        if not role:
            role = "director" if not person.acted else "cast" if not person.directed else ""
        negated = tokens.negated[i]
        ref = PersonRef(person.person_id, person.name, role)
        found.add("people_out" if negated else "people_in", ref, Understood(
            "person", "out" if negated else "in", person.name, person.person_id, role,
            tokens.words(i, j)))  # fmt: skip
        tokens.use(i, j)

    def _year_after(self, tokens: Tokens, j: int) -> tuple[int | None, int]:
        """A year right after a title ("Heat 1995", "Heat (1995)"): (year, tokens it takes)."""
        k = j + 1 if j < len(tokens) and tokens.items[j].text == "(" else j
        if k < len(tokens) and _YEAR.match(tokens.items[k].text) and tokens.free(k, k + 1):
            close = k + 1 < len(tokens) and tokens.items[k + 1].text == ")"
            return int(tokens.items[k].text), k + 1 + int(close) - j
        return None, 0

    def _key(self, tokens: Tokens, i: int, j: int) -> str:
        """The normalised words, without a possessive or a "-style" ending ("Nolan's",
        "Tarantino-esque")."""
        words = re.sub(r"(?:['’]s|-(?:style|esque|like|type|ish))$", "", tokens.words(i, j))
        return normalize_text(words)

    def _known_word(self, tokens: Tokens, k: int) -> bool:
        """Token k starts something other than a title: a common word, a number, a term of the
        vocabulary, or a person's name."""
        t = tokens.items[k]
        norm = re.sub(r"'s$", "", t.norm)
        if t.norm in COMMON_EN or t.norm in VOCAB_FIRST or t.clause_end:
            return True
        if t.hangul and (any(t.norm.startswith(w) for w in VOCAB_FIRST if w[:1] >= "\uac00")
                         or t.norm.startswith(FILLER_KO)):  # fmt: skip
            return True
        return norm in self.index.surnames or any(
            key.startswith(norm + " ")
            for key in (self._key(tokens, k, min(k + 2, len(tokens))),)
            if self.index.person_exact(key)
        )

    def _plausible(self, tokens: Tokens, i: int, j: int) -> bool:
        """Words that may name a title: capitalized ("Up"), Korean, a number, or holding a word
        that is neither common nor vocabulary ("the dark knight", "godfater"; not "up")."""
        words = [t for t in tokens.items[i:j] if not t.clause_end and t.norm not in ARTICLES]
        if not words or words[0].capitalized or words[0].hangul or words[0].number:
            return bool(words)
        return any(t.norm not in COMMON_EN and t.norm not in VOCAB for t in words)

    def _find_title(self, tokens: Tokens, spans: list[tuple[int, int]], fuzzy: bool,
                    *, loose: bool = False, prefix: bool = True):  # fmt: skip
        """The best title among token spans: exact first (longest), then the first words of a
        title ("Harry Potter"), then fuzzy (best score). `loose`: a year follows, so a lone
        lowercase word may be a title too."""
        spans = [(i, j) for i, j in spans if loose or self._plausible(tokens, i, j)]
        for i, j in spans:
            year, extra = self._year_after(tokens, j)
            key = self._key(tokens, i, j)
            for stem in particle_stems(key) if tokens.items[j - 1].hangul else [key]:
                title = self.index.title_exact(stem, year)
                if title:
                    return title, i, j + (extra if title.year == year else 0)
        if prefix:
            for i, j in spans:
                title = self.index.title_prefix(self._key(tokens, i, j))
                if title:
                    return title, i, j
        if not fuzzy:
            return None
        best = None
        for i, j in spans:
            year, extra = self._year_after(tokens, j)
            if not tokens.spend_fuzzy():
                break
            hit = self.index.title_fuzzy(self._key(tokens, i, j), year)
            if hit and (best is None or hit[1] > best[0]):
                best = (hit[1], hit[0], i, j + (extra if hit[0].year == year else 0))
        return best[1:] if best else None

    def _span_end(self, tokens: Tokens, k: int, limit: int = 8, stop=_STOP_SPAN) -> int:
        end = k
        while end < len(tokens) and end - k < limit and tokens.free(end, end + 1):
            t = tokens.items[end]
            if (t.clause_end and t.text not in TITLE_PUNCT) or (end > k and t.norm in stop):
                break
            end += 1
        return end

    # --- steps, in order ----------------------------------------------------------------------
    def _reset(self, tokens: Tokens, found: Found) -> None:
        for i in range(len(tokens)):
            n = tokens.phrase_at(i, _RESET)
            if n and tokens.free(i, i + n):
                found.reset = True
                found.understood.append(
                    Understood("reset", "in", "reset", text=tokens.words(i, i + n))
                )
                tokens.use(i, i + n)

    def _quoted(self, tokens: Tokens, found: Found) -> None:
        for m in re.finditer(r"[\"“「『《]([^\"“”「」『』《》]{1,120})[\"”」』》]", tokens.text):
            inside = [k for k, t in enumerate(tokens.items) if m.start(1) <= t.start < m.end(1)]
            if not inside or not tokens.free(inside[0], inside[-1] + 1):
                continue
            i, j = inside[0], inside[-1] + 1
            hit = self._find_title(tokens, [(i, j)], fuzzy=True)
            if hit:
                self._title_piece(found, tokens, hit[1], hit[2], hit[0])
            elif not self.index.person_exact(self._key(tokens, i, j)):
                found.miss(tokens.words(i, j), "unknown_title")
                tokens.use(i, j)

    def _movie_ids(self, tokens: Tokens, found: Found) -> None:
        for m in re.finditer(r"(?:(?<= )|^)(?:(?:movie|film|영화) )?(?:id|아이디|번호) (?:: |# )?"
                             r"(?P<id>\d{1,12})(?= |$)", tokens.joined):  # fmt: skip
            i, j = tokens.span_of(m.start(), m.end())
            if not tokens.free(i, j):
                continue
            title = self.index.movies.get(int(m["id"]))
            if title:
                self._title_piece(found, tokens, i, j, title)
            else:
                found.miss(tokens.words(i, j), "unknown_movie_id")
                tokens.use(i, j)

    def _resolve_person(
        self,
        tokens: Tokens,
        spans,
        found: Found,
        role: str,
        *,
        min_credits: int = 0,
        bare_surname: bool = True,
    ) -> bool:
        for i, j in spans:  # exact full name or alias, longest first
            for stem in particle_stems(self._key(tokens, i, j)):
                person = self.index.person_exact(stem)
                if person:
                    self._person_piece(found, tokens, i, j, person, role)
                    return True
        for i, j in spans:  # a surname, then a misspelt full name
            if j - i == 1 and not bare_surname:
                continue
            if j - i == 1:
                for stem in particle_stems(self._key(tokens, i, j)):
                    match = self.index.person_surname(stem, min_credits=min_credits)
                    if match.person:
                        self._person_piece(found, tokens, i, j, match.person, role)
                        return True
                    if match.candidates:
                        found.miss(tokens.words(i, j), "ambiguous_person",
                                   tuple(p.name for p in match.candidates))  # fmt: skip
                        tokens.use(i, j)
                        return True
            elif tokens.items[i].latin and (
                tokens.spend_fuzzy()
                and (person := self.index.person_fuzzy(self._key(tokens, i, j)))
            ):
                self._person_piece(found, tokens, i, j, person, role)
                return True
        return False

    def _cued_people(self, tokens: Tokens, found: Found) -> None:
        items = tokens.items
        for c in range(len(tokens)):
            for words, role in _PEOPLE_EN:  # English: the name follows the cue
                n = len(words)
                if not tokens.free(c, c + n) or [t.norm for t in items[c : c + n]] != words:
                    continue
                k = c + n
                end = self._span_end(tokens, k, 4)
                if k >= end or not (items[k].capitalized or self._known_word(tokens, k)):
                    break
                spans = [(k, e) for e in range(end, k, -1)]
                # A lowercase word after "with"/"starring" is a name only in full ("with tom
                # hanks"): "with strong female leads" is no film of Mark Strong's.
                bare = items[k].capitalized or role == "director"
                if self._resolve_person(tokens, spans, found, role, bare_surname=bare):
                    tokens.use(c, c + n)
                elif items[k].capitalized and not self._known_word(tokens, k):
                    run = k
                    while run < end and items[run].capitalized:
                        run += 1
                    found.miss(tokens.words(k, run), "unknown_person")
                    tokens.use(c, run)
                break
            t = items[c]  # Korean: the name comes before the cue ("봉준호 감독")
            cue = next((r for cues, r in ((DIRECTOR_CUES_KO, "director"), (CAST_CUES_KO, "cast"))
                        for w in cues if t.hangul and t.norm.startswith(w)), None)  # fmt: skip
            if cue is None or c == 0 or not tokens.free(c - 1, c) or items[c - 1].clause_end:
                continue
            spans = [(c - n, c) for n in (3, 2, 1) if c - n >= 0 and tokens.free(c - n, c)]
            if self._resolve_person(tokens, spans, found, cue):
                tokens.use(c, c + 1)
                continue
            prev = items[c - 1]
            if prev.norm in _KO_NOT_NAME or self._known_word(tokens, c - 1) or prev.number:
                continue
            found.miss(prev.text, "unknown_person")
            tokens.use(c - 1, c + 1)

    def _cued_titles(self, tokens: Tokens, found: Found) -> None:
        items = tokens.items
        for c in range(len(tokens)):
            n = tokens.phrase_at(c, _LIKE_EN)
            if (
                n
                and tokens.free(c, c + n)
                and not any(
                    tokens.phrase_at(c - len(w) + 1, [w]) for w in _NOT_LIKE if c - len(w) + 1 >= 0
                )
            ):
                k = c + n
                while k < len(tokens) and items[k].norm in ARTICLES:
                    k += 1
                end = min(len(tokens), k + self.index.max_title_words)
                while end > k and not tokens.free(k, end):
                    end -= 1
                if k >= end:
                    continue
                known = self._known_word(tokens, k)
                spans = [(c + n, e) for e in range(end, c + n, -1)] + [
                    (k, e) for e in range(end, k, -1)
                ]
                hit = self._find_title(tokens, spans, fuzzy=not known)
                if hit:
                    self._title_piece(found, tokens, hit[1], hit[2], hit[0])
                    tokens.use(c, c + n)
                elif not known and not items[k].number:
                    stop = self._span_end(tokens, k, 6)
                    found.miss(tokens.words(k, stop), "unknown_title")
                    tokens.use(c, stop)
                continue
            t = items[c]  # Korean: "인셉션 같은", "Arrival 처럼"
            if not (
                t.hangul and t.norm.startswith(LIKE_CUES_KO) and c > 0 and tokens.free(c, c + 1)
            ):
                continue
            start = tokens.free_run_before(c)
            spans = [(s, c) for s in range(start, c)]
            if not spans:
                continue
            known = self._known_word(tokens, c - 1) or items[c - 1].number
            hit = self._find_title(tokens, spans, fuzzy=not known)
            if hit:
                self._title_piece(found, tokens, hit[1], hit[2], hit[0])
                tokens.use(c, c + 1)
            elif not known:
                first = max(start, c - 2)
                found.miss(tokens.words(first, c), "unknown_title")
                tokens.use(first, c + 1)

    def _titles_with_year(self, tokens: Tokens, found: Found) -> None:
        """A title followed by its year ("Heat (1995)", "godfater 1972"), before the year is
        read as a year of release asked for."""
        items = tokens.items
        for y, t in enumerate(items):
            if not (_YEAR.match(t.text) and tokens.free(y, y + 1)):
                continue
            end = y - 1 if y > 0 and items[y - 1].text == "(" else y
            spans = [(s, end) for s in range(max(0, end - self.index.max_title_words), end)
                     if tokens.free(s, end) and not any(x.clause_end and x.text not in TITLE_PUNCT
                                                          for x in items[s:end])]  # fmt: skip
            spans = [(a, b) for a, b in spans if not self._known_word(tokens, a) or b - a > 1]
            hit = self._find_title(tokens, spans, fuzzy=True, loose=True, prefix=False)
            if hit and hit[0].year == int(t.text):
                self._title_piece(found, tokens, hit[1], hit[2], hit[0])


def match_terms(tokens: Tokens, table: dict, max_n: int):
    """(i, j, value) for each term of `table` in the free tokens, longest first, left to right.
    A Korean term may be followed by a particle or ending in the same word ("잔잔한")."""
    items = tokens.items
    for i in range(len(tokens)):
        for j in range(min(len(tokens), i + max_n), i, -1):
            if not tokens.free(i, j):
                continue
            head = " ".join(t.norm for t in items[i : j - 1])
            last = items[j - 1].norm
            forms = [last]
            if items[j - 1].hangul:
                forms += [last[:cut] for cut in range(len(last) - 1, 0, -1)]
            for form in forms:
                key = f"{head} {form}".strip()
                if key in table and (form == last or form not in KO_WHOLE_WORD):
                    yield i, j, table[key]
                    tokens.use(i, j)
                    break
            else:
                continue
            break
