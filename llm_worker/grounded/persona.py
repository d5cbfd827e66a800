"""The grounded persona: the user's recurring traits, counted, each reason naming exactly the
movies it counts (no Django imports).

A reason counts the user's movies that have the trait ("5 of your 8 movies are Crime films") and
cites every one of them, so the count and the page's citations always add up; the page lists the
titles, the sentence does not repeat them. Traits the user's standing preferences rule out (the
correction, read into a request: genres, directors, keywords) leave the liked list for the
disliked one.
"""

from __future__ import annotations

from collections.abc import Mapping

from llm_worker.contracts import PersonaInput
from llm_worker.grounded.taste import Trait, taste_of, traits_of
from llm_worker.parsing import ParsedPersona
from llm_worker.phrases import genre_name, join, phrases, say

REASONS = 5
COMMON_GENRES = ("Horror", "Romance", "Documentary", "Animation", "Western", "Musical", "War")
RARELY_AFTER = 10  # movies before "rarely watches …" can be said
CORRECTION_QUOTE_MAX = 200  # characters of the user's correction quoted in the reasons


def trait_value(kind: str, value: str, language: str) -> str:
    """The catalogue value as the language shows it: genres translated, themes quoted."""
    if kind == "genre":
        return genre_name(value, language)
    if kind == "keyword":
        return say(phrases(language).KEYWORD, value=value)
    return value


def trait_text(kind: str, value: str, language: str) -> str:
    return say(phrases(language).TRAIT[kind], value=trait_value(kind, value, language))


def _reason(trait: Trait, language: str, *, position: int, total: int) -> str:
    frames = phrases(language).TRAIT_REASON[trait.kind]
    return say(
        frames[position % len(frames)],
        count=len(trait.movies),
        total=total,
        value=trait_value(trait.kind, trait.value, language),
    )


def correction_quote(text: str) -> str:
    """The correction on one line, bounded (the page escapes it like any text)."""
    text = " ".join((text or "").split())
    if len(text) <= CORRECTION_QUOTE_MAX:
        return text
    return text[: CORRECTION_QUOTE_MAX - 1].rstrip() + "…"


def _standing(request: Mapping | None) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(kind, value) pairs the standing request asks for and rules out (`TasteRequest` JSON)."""
    wanted: set[tuple[str, str]] = set()
    ruled_out: set[tuple[str, str]] = set()
    if not isinstance(request, Mapping):
        return wanted, ruled_out
    for suffix, into in (("_in", wanted), ("_out", ruled_out)):
        for genre in request.get(f"genres{suffix}") or ():
            into.add(("genre", str(genre)))
        for keyword in request.get(f"keywords{suffix}") or ():
            into.add(("keyword", str(keyword)))
        for person in request.get(f"people{suffix}") or ():
            directs = isinstance(person, Mapping) and person.get("role") in ("director", "")
            if directs and person.get("name"):
                into.add(("director", str(person["name"])))
    return wanted, ruled_out


def persona_answer(inp: PersonaInput, labels: Mapping[str, object]) -> ParsedPersona:
    """The persona of the labelled movies (`labels`: "W01" → MovieBrief, oldest first), its
    reasons citing those labels."""
    language = inp.profile.language
    p = phrases(language)
    watched = list(labels.values())
    label_of = {brief.movie_id: label for label, brief in labels.items()}
    taste = taste_of(watched, inp.keyword_stats)
    wanted, ruled_out = _standing(inp.request)
    traits = [t for t in traits_of(taste) if (t.kind, t.value) not in ruled_out]
    liked = [trait_text(t.kind, t.value, language) for t in traits]
    have = {(t.kind, t.value) for t in traits}
    for kind, value in sorted(wanted - have - ruled_out):
        liked.append(say(p.TOLD_LIKED, trait=trait_text(kind, value, language)))
    disliked = [
        say(p.TOLD_DISLIKED, trait=trait_text(kind, value, language))
        for kind, value in sorted(ruled_out)
    ]
    if len(watched) >= RARELY_AFTER and taste.genres:
        missing = [g for g in COMMON_GENRES if g not in taste.genres]
        disliked += [say(p.RARELY, value=genre_name(g, language)) for g in missing[:2]]
    reasons = [
        (
            _reason(t, language, position=i, total=len(watched)),
            tuple(label_of[m.movie_id] for m in t.movies),
        )
        for i, t in enumerate(traits[:REASONS])
    ]
    if not watched:
        summary = p.SUMMARY_EMPTY
    elif not traits:
        summary = say(p.SUMMARY_VARIED, n=len(watched))
    else:
        top = join([trait_text(t.kind, t.value, language) for t in traits[:3]], language)
        summary = say(p.SUMMARY, n=len(watched), traits=top)
    said = correction_quote(inp.correction)
    if said:
        # The user's own words, quoted as theirs and first among the reasons: the grounded engine
        # cannot reason about them but must not ignore them. Not in `summary`, which later prompts
        # carry outside the <user_data> block (they get the correction inside it instead).
        reasons.insert(0, (say(p.HEARD, said=said), ()))
    return ParsedPersona(summary=summary, liked=liked, disliked=disliked, reasons=reasons)
