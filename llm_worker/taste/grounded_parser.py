"""The grounded request parser: the user's words, linked to the catalogue (no Django imports).

`parse_request(text, lexicon=...)` reads English and Korean: titles (exact or misspelt, with or
without the year; "like X", "X 같은", quoted), people ("directed by", "starring", "X 감독", full
names, a surname when it names one person clearly), genres and their common names ("sci-fi",
"공상과학", "rom-com"), decades and years ("90s", "90년대", "after 2010"), runtimes ("under 100
minutes", "100분 이하", "short"), original language and country ("Korean", "한국 영화"),
keywords the catalogue has, moods ("slow-burn", "잔잔한") and themes ("about grief"), and
negation ("no", "without", "말고", "빼고", "싫어"). What it cannot link is reported in
`not_understood` and left out of the request: a name the catalogue lacks is never invented.
It never raises: anything unexpected gives an empty request that says so.
"""

from __future__ import annotations

import logging
import weakref

from movies.lexicon import Lexicon, normalize_text

from .cues import (
    ABOUT_EN,
    ARTICLES,
    BARE_SURNAME_CREDITS,
    KEYWORD_KO_TABLE,
    KO_COMMON_TITLES,
    LONE_CUTOFF,
    LONE_FUZZY,
    MAX_VOCAB,
    STOP_THEME,
    TITLE_PUNCT,
    VOCAB,
    CueSteps,
    Found,
    match_terms,
)  # fmt: skip
from .quantities import Bound, find_runtime, find_years
from .request import NotUnderstood, ParseResult, TasteRequest, Understood
from .text import Tokens, clean, particle_stems
from .vocabulary import ABOUT_CUES_KO, COMMON_EN

logger = logging.getLogger(__name__)


class GroundedParser(CueSteps):
    def parse(self, text: object) -> ParseResult:
        try:
            return self._parse(text)
        except Exception:  # the parser's promise: a request, whatever the words
            logger.exception("grounded request parser failed on %r", str(text)[:200])
            note = NotUnderstood(str(text)[:60], "nothing_understood")
            return ParseResult(TasteRequest(), (), (note,))

    def _parse(self, raw: object) -> ParseResult:
        cleaned, found = clean(raw), Found()
        for tag in cleaned.markup:
            found.miss(tag, "markup")
        if cleaned.truncated:
            found.miss(cleaned.text[-40:], "too_long")
        tokens = Tokens(cleaned.text)
        for step in (self._reset, self._quoted, self._movie_ids, self._cued_people,
                     self._cued_titles, self._titles_with_year, self._quantities,
                     self._negation_words, self._multiword_titles, self._full_names,
                     self._vocabulary, self._inner_surnames, self._keywords, self._themes,
                     self._single_titles, self._surnames, self._leftover_names):  # fmt: skip
            step(tokens, found)
        if not found.understood and not found.missed and any(ch.isalpha() for ch in cleaned.text):
            found.miss(cleaned.text, "nothing_understood")
        return self._result(found)

    def _quantities(self, tokens: Tokens, found: Found) -> None:
        bounds: list[Bound] = find_years(tokens, latest_year=self.index.latest_year)
        bounds += find_runtime(tokens)
        for b in bounds:
            text = tokens.words(b.i, b.j)
            if not tokens.negated[b.i]:
                found.bounds[b.kind].append((b.low, b.high))
                span = f"{'' if b.low is None else b.low}-{'' if b.high is None else b.high}"
                found.understood.append(Understood(b.kind, "in", span, text=text))
                continue
            side, value = b.negated
            if side == "avoid" and b.kind == "years" and b.low is not None and b.high is not None:
                found.add("years_out", (b.low, b.high),
                          Understood("years", "out", f"{b.low}-{b.high}", text=text))  # fmt: skip
            elif side in ("low", "high"):
                pair = (value, None) if side == "low" else (None, value)
                found.bounds[b.kind].append(pair)
                span = f"{pair[0] or ''}-{pair[1] or ''}"
                found.understood.append(Understood(b.kind, "in", span, text=text))

    def _negation_words(self, tokens: Tokens, found: Found) -> None:
        """Once the quantities have read theirs ("less than 2 hours"), the negation words are
        never read as anything else ("nothing" and "hate" are catalogue keywords)."""
        for k, marker in enumerate(tokens.markers):
            tokens.used[k] = tokens.used[k] or marker

    def _multiword_titles(self, tokens: Tokens, found: Found) -> None:
        """Titles of two words or more, without a cue ("The Dark Knight", "센과 치히로의 행방불명"):
        exact only, and never a span made only of common words ("Something New")."""
        items = tokens.items
        for i in range(len(tokens)):
            for j in range(min(len(tokens), i + self.index.max_title_words), i, -1):
                if not tokens.free(i, j) or any(
                    t.clause_end and t.text not in TITLE_PUNCT for t in items[i:j]
                ):
                    continue
                words = [t for t in items[i:j] if not t.clause_end]
                rare = [t for t in words if t.norm not in COMMON_EN and t.norm not in VOCAB]
                hangul = items[j - 1].hangul
                if hangul and (j - i > 1 or len(items[i].norm) >= 2):
                    if j - i == 1 and items[i].norm in KO_COMMON_TITLES:
                        continue
                elif (
                    len(words) < 2
                    or not rare
                    or (not any(t.capitalized for t in words) and (len(rare) < 2 or len(words) < 3))
                ):
                    continue
                hit = self._find_title(tokens, [(i, j)], fuzzy=False, prefix=False)
                if hit:
                    self._title_piece(found, tokens, hit[1], hit[2], hit[0])
                    break

    def _full_names(self, tokens: Tokens, found: Found) -> None:
        for i in range(len(tokens)):
            spans = [(i, j) for j in range(min(len(tokens), i + 4), i, -1) if tokens.free(i, j)]
            spans = [(a, b) for a, b in spans if b - a >= 2 or tokens.items[a].hangul]
            for a, b in spans:
                for stem in particle_stems(self._key(tokens, a, b)):
                    person = self.index.person_exact(stem)
                    if person:
                        self._person_piece(found, tokens, a, b, person)
                        break
                else:
                    continue
                break

    def _vocabulary(self, tokens: Tokens, found: Found) -> None:
        for i, j, (kind, value) in match_terms(tokens, VOCAB, MAX_VOCAB):
            negated, text = tokens.negated[i], tokens.words(i, j)
            polarity = "out" if negated else "in"
            if kind in ("genre", "anime"):
                slots = value if kind == "genre" else (("Animation",),)
                for slot in slots:
                    name = next((self.genre_names[normalize_text(g)] for g in slot
                                 if normalize_text(g) in self.genre_names), None)  # fmt: skip
                    if name is None:
                        found.miss(text, "not_in_catalogue")
                        continue
                    found.add(
                        f"genres_{polarity}", name, Understood("genre", polarity, name, text=text)
                    )
            if kind in ("origin", "anime", "foreign"):
                what, codes = (
                    value
                    if kind == "origin"
                    else ("language", ("ja",) if kind == "anime" else ("en",))
                )
                if kind == "foreign":
                    polarity = "in" if negated else "out"
                have = self.index.languages if what == "language" else self.index.countries
                present = [c for c in codes if c in have]
                if not present:
                    found.miss(text, "not_in_catalogue")
                for code in present:
                    field = f"{'languages' if what == 'language' else 'countries'}_{polarity}"
                    found.add(field, code, Understood(what, polarity, code, text=text))
            if kind == "mood":
                field = "mood_out" if negated else "mood"
                found.add(field, value, Understood("mood", polarity, value, text=text))

    def _keywords(self, tokens: Tokens, found: Found) -> None:
        for i, j, english in match_terms(tokens, KEYWORD_KO_TABLE, 3):
            name = self.index.keyword(normalize_text(english))
            if name:
                self._keyword_piece(tokens, found, i, j, name)
        items = tokens.items
        for i in range(len(tokens)):
            for j in range(min(len(tokens), i + 4), i, -1):
                if not tokens.free(i, j) or any(t.hangul or t.clause_end for t in items[i:j]):
                    continue
                if j - i == 1 and (items[i].norm in COMMON_EN or items[i].norm in VOCAB):
                    continue
                name = self.index.keyword(self._key(tokens, i, j))
                if name:
                    self._keyword_piece(tokens, found, i, j, name)
                    break

    def _keyword_piece(self, tokens: Tokens, found: Found, i: int, j: int, name: str) -> None:
        polarity = "out" if tokens.negated[i] else "in"
        found.add(f"keywords_{polarity}", name,
                  Understood("keyword", polarity, name, text=tokens.words(i, j)))  # fmt: skip
        tokens.use(i, j)

    def _themes(self, tokens: Tokens, found: Found) -> None:
        items = tokens.items
        for c in range(len(tokens)):
            n = tokens.phrase_at(c, ABOUT_EN)
            if n and tokens.free(c, c + n):
                k = c + n
                while k < len(tokens) and items[k].norm in ARTICLES:
                    k += 1
                end = self._span_end(tokens, k, 8, stop=STOP_THEME)
                if (
                    end > k
                    and not items[k].capitalized
                    and any(t.norm not in COMMON_EN for t in items[k:end])
                ):
                    self._theme_piece(tokens, found, c, k, end)
            elif items[c].hangul and items[c].norm.startswith(ABOUT_CUES_KO) and c > 0:
                start = tokens.free_run_before(c)
                said = [t for t in items[start:c] if not t.norm.startswith(ABOUT_CUES_KO)]
                if said:
                    self._theme_piece(tokens, found, start, start, c + 1)

    def _theme_piece(self, tokens: Tokens, found: Found, cue: int, i: int, j: int) -> None:
        text = tokens.words(i, j)
        polarity = "out" if tokens.negated[i] else "in"
        if polarity == "in":
            found.add("themes", text, Understood("theme", "in", text, text=text))
        tokens.use(cue, j)

    def _single_titles(self, tokens: Tokens, found: Found) -> None:
        """One capitalized word that is a title ("Arrival"), or capitalized words a title is
        misspelt as ("Spirited Awya"): never common words."""
        items = tokens.items
        for i in range(len(tokens)):
            if not tokens.free(i, i + 1) or not items[i].capitalized:
                continue
            run = i
            while (
                run < len(tokens)
                and run - i < 4
                and tokens.free(run, run + 1)
                and (items[run].capitalized or (run > i and items[run].norm in COMMON_EN))
            ):
                run += 1
            while run > i + 1 and not items[run - 1].capitalized:
                run -= 1
            rare = [t for t in items[i:run] if t.norm not in COMMON_EN and len(t.norm) >= 4]
            if not rare:
                continue
            spans = [(i, j) for j in range(run, i, -1)]
            hit = self._find_title(tokens, spans, fuzzy=True)
            if hit:
                self._title_piece(found, tokens, hit[1], hit[2], hit[0])

    def _inner_surnames(self, tokens: Tokens, found: Found) -> None:
        """Before keywords, a capitalized surname inside a sentence is a person ("a Scorsese
        gangster movie": "scorsese" is a keyword too); at a sentence start ("Zombie movies") the
        keyword goes first."""
        self._surnames(tokens, found, inner=True)

    def _surnames(self, tokens: Tokens, found: Found, *, inner: bool = False) -> None:
        """A lone surname ("Kubrick", "놀란"), not one word of a longer name ("Harry Potter"),
        naming someone with at least BARE_SURNAME_CREDITS movies ("Marvel" is no actress)."""
        items = tokens.items
        for i, t in enumerate(items):
            if not tokens.free(i, i + 1) or t.norm in COMMON_EN or not (t.capitalized or t.hangul):
                continue
            if inner and (i == 0 or items[i - 1].clause_end or not t.capitalized):
                continue
            near = [items[k] for k in (i - 1, i + 1) if 0 <= k < len(items)]
            if t.capitalized and any(n.capitalized and n.norm not in COMMON_EN for n in near):
                continue
            self._resolve_person(tokens, [(i, i + 1)], found, "", min_credits=BARE_SURNAME_CREDITS)

    def _leftover_names(self, tokens: Tokens, found: Found) -> None:
        """Capitalized words nothing linked: a name or a title the catalogue lacks."""
        items, i = tokens.items, 0
        while i < len(tokens):
            t = items[i]
            if tokens.free(i, i + 1) and t.capitalized and t.norm not in COMMON_EN:
                run = i
                while run < len(tokens) and tokens.free(run, run + 1) and items[run].capitalized:
                    run += 1
                many = run - i > 1 and tokens.spend_fuzzy()
                person = self.index.person_fuzzy(self._key(tokens, i, run)) if many else None
                if person:
                    self._person_piece(found, tokens, i, run, person)
                else:
                    found.miss(tokens.words(i, run), "unknown_name")
                    tokens.use(i, run)
                i = run
            elif (
                tokens.free(i, i + 1)
                and t.latin
                and len(t.norm) >= LONE_FUZZY
                and not (t.norm in COMMON_EN or self._known_word(tokens, i))
            ):  # one misspelt word and nothing else for it: "godfater"
                hit = self.index.title_fuzzy(t.norm) if tokens.spend_fuzzy() else None
                if hit and hit[1] >= LONE_CUTOFF:
                    self._title_piece(found, tokens, i, i + 1, hit[0])
            i += 1

    # --- the request --------------------------------------------------------------------------
    def _result(self, found: Found) -> ParseResult:
        fields = {k: tuple(v) for k, v in found.items.items()}
        for inc, out in (("genres_in", "genres_out"), ("people_in", "people_out"),
                         ("languages_in", "languages_out"), ("countries_in", "countries_out"),
                         ("keywords_in", "keywords_out"), ("seed_movie_ids", "avoid_movie_ids"),
                         ("mood", "mood_out")):  # fmt: skip
            gone = {getattr(x, "person_id", x) for x in fields.get(out, ())}
            if inc in fields:  # said both ways in one turn: "not" wins
                fields[inc] = tuple(
                    x for x in fields[inc] if getattr(x, "person_id", x) not in gone
                )
        for kind, (low_f, high_f) in (("years", ("year_min", "year_max")),
                                      ("runtime", ("runtime_min", "runtime_max"))):  # fmt: skip
            pairs = found.bounds.get(kind, [])
            lows = [lo for lo, _ in pairs if lo is not None]
            highs = [hi for _, hi in pairs if hi is not None]
            low, high = (max(lows) if lows else None), (min(highs) if highs else None)
            if low is not None and high is not None and low > high:
                found.miss(f"{kind}: {low}-{high}", "conflict")
                low = high = None
            fields[low_f], fields[high_f] = low, high
        try:
            request = TasteRequest(**fields, reset=found.reset)
        except ValueError as exc:  # a bound out of range: say so, keep the rest
            found.miss(str(exc), "conflict")
            for name in ("year_min", "year_max", "runtime_min", "runtime_max"):
                fields[name] = None
            request = TasteRequest(**fields, reset=found.reset)
        return ParseResult(request, tuple(found.understood), tuple(found.missed))


_PARSERS: weakref.WeakKeyDictionary[Lexicon, GroundedParser] = weakref.WeakKeyDictionary()


def grounded_parser(lexicon: Lexicon) -> GroundedParser:
    """The parser for `lexicon`, built once per lexicon (its indexes take a moment)."""
    parser = _PARSERS.get(lexicon)
    if parser is None:
        parser = _PARSERS[lexicon] = GroundedParser(lexicon)
    return parser


def parse_request(text: object, *, lexicon: Lexicon) -> ParseResult:
    """The user's words as a `TasteRequest`, with what was understood and what was not."""
    return grounded_parser(lexicon).parse(text)
