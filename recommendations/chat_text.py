"""What the chat answer says it understood, and what it could not use, in the user's language.

Each piece of a taste request (`llm_worker.taste.Understood`) and each thing the parser could
not link (`NotUnderstood`) becomes a short phrase through gettext; the caller joins them in a
sentence inside `translation.override(language)`. Korean phrases are built so that no particle
depends on a name ("크리스토퍼 놀란 감독", "액션 제외"), and the one sentence that needs a particle
uses `llm_worker.korean.ko_format`.
"""

from __future__ import annotations

from django.utils.translation import get_language, get_language_info, gettext_noop
from django.utils.translation import gettext as _

from llm_worker.korean import ko_format
from llm_worker.taste import NotUnderstood, Understood
from movies.describe import genre_name

# The taste parser's canonical moods (llm_worker.taste.vocabulary.MOOD_TERMS values), named in
# the user's language.
MOODS = {
    m: m
    for m in (
        gettext_noop("atmospheric"), gettext_noop("beautiful"), gettext_noop("character-driven"),
        gettext_noop("dark"), gettext_noop("epic"), gettext_noop("feel-good"), gettext_noop("fun"),
        gettext_noop("funny"), gettext_noop("inspiring"), gettext_noop("intense"),
        gettext_noop("light-hearted"), gettext_noop("mind-bending"), gettext_noop("moving"),
        gettext_noop("nostalgic"), gettext_noop("quiet"), gettext_noop("quirky"),
        gettext_noop("romantic"), gettext_noop("sad"), gettext_noop("scary"),
        gettext_noop("slow-burn"), gettext_noop("strong female lead"),
        gettext_noop("thought-provoking"), gettext_noop("true story"), gettext_noop("violent"),
    )
}  # fmt: skip


def _span(value: str) -> tuple[int | None, int | None]:
    low, _sep, high = value.partition("-")
    return (int(low) if low.strip() else None, int(high) if high.strip() else None)


def _years(value: str) -> str:
    low, high = _span(value)
    if low is not None and high is not None:
        if low % 10 == 0 and high == low + 9:
            return _("the %(decade)ds") % {"decade": low}
        return _("%(low)d to %(high)d") % {"low": low, "high": high}
    if low is not None:
        return _("from %(year)d on") % {"year": low}
    return _("up to %(year)d") % {"year": high}


def _runtime(value: str) -> str:
    low, high = _span(value)
    if low is not None and high is not None:
        return _("%(low)d to %(high)d minutes") % {"low": low, "high": high}
    if low is not None:
        return _("at least %(minutes)d minutes") % {"minutes": low}
    return _("at most %(minutes)d minutes") % {"minutes": high}


def _language(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _person(piece: Understood) -> str:
    if piece.role == "director":
        return _("directed by %(name)s") % {"name": piece.value}
    if piece.role == "cast":
        return _("starring %(name)s") % {"name": piece.value}
    return piece.value


def _quoted(text: str) -> str:
    return _("“%(title)s”") % {"title": text}


def understood_phrase(piece: Understood) -> str:
    """One piece of the request as a phrase ("directed by Bong Joon-ho", "no Action")."""
    kind, value = piece.kind, piece.value
    if kind == "genre":
        what = genre_name(value, get_language() or "en")
    elif kind == "person":
        what = _person(piece) if piece.polarity == "in" else value
    elif kind == "years":
        what = _years(value)
    elif kind == "runtime":
        what = _runtime(value)
    elif kind == "language":
        what = _("original language: %(language)s") % {"language": _language(value)}
    elif kind == "country":
        what = _("made in %(country)s") % {"country": value}
    elif kind == "keyword":
        what = _("about %(keyword)s") % {"keyword": _quoted(value)}
    elif kind == "mood":
        what = _("mood: %(mood)s") % {"mood": _(MOODS[value]) if value in MOODS else value}
    elif kind == "seed":
        return _("like %(title)s") % {"title": _quoted(value)}
    elif kind == "avoid_movie":
        return _("not %(title)s") % {"title": _quoted(value)}
    elif kind == "reset":
        return _("starting over")
    else:  # theme
        what = _quoted(value)
    return what if piece.polarity == "in" else _("no %(what)s") % {"what": what}


_WHY = {
    "unknown_title": lambda: _("no such title in the catalogue"),
    "unknown_person": lambda: _("no such person in the catalogue"),
    "ambiguous_person": lambda: _("several people have that name"),
    "unknown_name": lambda: _("not a name the catalogue has"),
    "unknown_movie_id": lambda: _("no movie has that number"),
    "not_in_catalogue": lambda: _("the catalogue has none"),
    "markup": lambda: _("markup, ignored"),
    "too_long": lambda: _("too long, the rest was cut"),
    "conflict": lambda: _("contradicts another part of the request"),
    "invented": lambda: _("not in the catalogue, dropped"),
}


def not_understood_phrase(note: NotUnderstood) -> str:
    why = _WHY.get(note.reason, lambda: _("nothing I could link to the catalogue"))()
    text = " ".join(note.text.split())[:60]
    return _("%(text)s (%(why)s)") % {"text": _quoted(text), "why": why}


def understood_sentence(pieces: tuple[Understood, ...]) -> str:
    if not pieces:
        return ""
    phrases = list(dict.fromkeys(understood_phrase(p) for p in pieces))
    return _("I understood: %(pieces)s.") % {"pieces": _(", ").join(phrases)}


def carried_sentence(standing: tuple[Understood, ...], turn: tuple[Understood, ...]) -> str:
    """What the list also honours from earlier turns or the persona correction (so "all of
    that" below never hides a condition the user cannot see)."""
    said = {understood_phrase(p) for p in turn}
    carried = [p for p in dict.fromkeys(understood_phrase(p) for p in standing) if p not in said]
    if not carried:
        return ""
    return _("Still in place from before: %(pieces)s.") % {"pieces": _(", ").join(carried)}


def not_understood_sentence(notes: tuple[NotUnderstood, ...]) -> str:
    if not notes:
        return ""
    phrases = list(dict.fromkeys(not_understood_phrase(n) for n in notes))
    # The Korean template puts a particle after the list: ko_format chooses it.
    return ko_format(_("I could not use {notes}."), notes=_(", ").join(phrases))


def relaxed_sentence(*, matching: int | None, relaxed: tuple[str, ...], k: int) -> str:
    """What the page holds when too few movies met the whole request."""
    if matching is None or matching >= k:
        return ""
    names = {
        "keyword": _("the keywords"),
        "runtime": _("the running time"),
        "years": _("the years"),
        "person": _("the people"),
        "genre": _("the genres"),
        "language": _("the language"),
        "country": _("the country"),
    }
    dropped = _(", ").join(names[r] for r in relaxed if r in names)
    if matching == 0:
        head = _("No movie you have not seen meets all of that.")
    elif matching == 1:
        head = _("Only 1 movie you have not seen meets all of that.")
    else:
        head = _("Only %(count)d movies you have not seen meet all of that.") % {"count": matching}
    if not dropped:
        return head
    return f"{head} " + _(
        "After those come close matches that leave out %(dropped)s you asked for."
    ) % {"dropped": dropped}
