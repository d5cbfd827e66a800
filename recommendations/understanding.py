"""What the user is asking for right now: the standing taste request of a list.

Nothing new is stored: the request is derived each time from what is stored already — the
user's persona correction and their last MAX_TURNS chat turns — so it can never drift from what
the user actually wrote. The order is:

1. the persona correction ("I don't like action movies; I prefer quiet character dramas"):
   what it rules out stands as a hard exclusion (`genres_out`, `people_out`, ...); what it asks
   for is a standing *preference* (genres it prefers are boosted, never required; its moods
   colour the ranking), since "I prefer dramas" does not mean "only dramas, always";
2. each earlier chat turn, oldest first, followed (`follow`): a turn that asks for something
   starts a new search (earlier asks give way, "no more X" stands until lifted, asking for X
   later lifts it); a turn that only adds a mood or an exclusion refines the one before;
3. the turn this list answers, read by the LLM parser when a language model is configured (the
   grounded reading when it fails, and that failure is named), else by the grounded parser.

A list that answers no chat turn (the home list, a refresh) keeps only the exclusions of the
conversation and the correction's preferences; a "more" page keeps the request of the list it
continues.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from llm_worker import selectors
from llm_worker.models import ChatMessage
from llm_worker.taste import ParseResult, TasteRequest, combine
from llm_worker.taste.grounded_parser import grounded_parser
from movies.lexicon import catalogue_lexicon

logger = logging.getLogger(__name__)

MAX_TURNS = 20  # earlier user turns read back into the standing request
_EXCLUSIONS = ("genres_out", "people_out", "languages_out", "countries_out", "keywords_out",
               "avoid_movie_ids", "mood_out", "years_out")  # fmt: skip


_ASKS = ("genres_in", "people_in", "languages_in", "countries_in", "keywords_in", "seed_movie_ids")
_BOUNDS = ("year_min", "year_max", "runtime_min", "runtime_max")


def asks_for_something(request: TasteRequest) -> bool:
    """True when the request names what it wants (genres, people, years, runtime, language,
    country, keywords, "like" titles), not only what it does not want or a mood."""
    return any(getattr(request, n) for n in _ASKS) or any(
        getattr(request, n) is not None for n in _BOUNDS
    )


def follow(previous: TasteRequest, new: TasteRequest, *, standing_mood=()) -> TasteRequest:
    """The conversation after one more turn. A turn that asks for something of its own starts
    a new search: the earlier turns' asks give way (their exclusions stand, and the persona
    correction's moods); a turn that only adds a mood or an exclusion refines the search
    ("something lighter now" keeps the sci-fi of the turn before)."""
    if asks_for_something(new):
        kept = {n: getattr(previous, n) for n in _EXCLUSIONS}
        previous = TasteRequest(**kept, mood=tuple(standing_mood))
    return combine(previous, new)


@dataclass
class Understanding:
    request: TasteRequest = field(default_factory=TasteRequest)
    prefer_genres: tuple[str, ...] = ()  # soft: from the persona correction
    turn: ParseResult | None = None  # the reading of the turn this list answers (for the reply)
    degraded_reason: str = ""  # why the LLM parser's reading was not used

    @property
    def asks_anything(self) -> bool:
        return not self.request.is_empty or bool(self.prefer_genres)


def correction_request(text: str, *, parser) -> tuple[TasteRequest, tuple[str, ...]]:
    """(standing request, preferred genres) of a persona correction: exclusions hard, asks soft."""
    if not text.strip():
        return TasteRequest(), ()
    read = parser.parse(text).request
    kept = {name: getattr(read, name) for name in _EXCLUSIONS}
    return TasteRequest(**kept, mood=read.mood), read.genres_in


def _list_message(lst) -> ChatMessage | None:
    """The chat turn a list answers: its own, or that of the list a "more" page continues."""
    if lst.chat_message_id:
        return lst.chat_message
    parent = lst.parent
    return parent.chat_message if parent is not None and parent.chat_message_id else None


def understanding_for(*, lst, backend=None) -> Understanding:
    """The standing request of `lst` (see the module docstring). Never raises: a failure to read
    the request is logged and the list is built as if nothing were asked."""
    try:
        return _understand(lst, backend)
    except Exception:
        logger.exception("list %s: the taste request could not be read", lst.pk)
        return Understanding()


def _understand(lst, backend) -> Understanding:
    user, message = lst.user, _list_message(lst)
    lexicon = catalogue_lexicon()
    parser = grounded_parser(lexicon)
    request, prefer = correction_request(selectors.latest_correction(user=user), parser=parser)
    corrected_mood = request.mood
    turns = ChatMessage.objects.filter(user=user, role=ChatMessage.Role.USER)
    if message is not None:
        turns = turns.filter(pk__lt=message.pk)
    for text in reversed(list(turns.order_by("-pk").values_list("content", flat=True)[:MAX_TURNS])):
        request = follow(request, parser.parse(text).request, standing_mood=corrected_mood)
    out = Understanding(prefer_genres=prefer)
    if message is None:
        # Not an answer to a turn: what the user ruled out stands, and the correction's moods.
        kept = {n: getattr(request, n) for n in _EXCLUSIONS}
        out.request = TasteRequest(**kept, mood=corrected_mood)
        return out
    turn = parser.parse(message.content)
    if backend is not None and getattr(backend, "engine", "grounded") != "grounded":
        from llm_worker.taste.llm_parser import llm_parse_request

        turn = llm_parse_request(
            message.content,
            lexicon=lexicon,
            backend=backend,
            grounded=turn,
            language=lst.language if lst.language in ("ko", "en") else user.language,
        )
        out.degraded_reason = turn.fallback
    out.turn = turn
    out.request = follow(request, turn.request, standing_mood=corrected_mood)
    if set(out.request.genres_in) & set(prefer):
        out.prefer_genres = tuple(g for g in prefer if g not in out.request.genres_in)
    return out
