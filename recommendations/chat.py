"""The taste chat as a product flow: a turn is stored and answered with a new list.

The conversation's memory and the model's reply belong to the LLM layer (`llm_worker.chat`);
what a turn produces — a list, and the answer that announces it — belongs here, with the list
flow (`recommendations.list_flow`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from llm_worker.chat import CHAT_MAX, ChatContext, chat_message_create
from llm_worker.contracts import RankedItem
from llm_worker.models import ChatMessage
from llm_worker.services import text_clean, user_language
from llm_worker.taste import describe
from movies.selectors import movies_by_ids

from .chat_text import (
    carried_sentence,
    not_understood_sentence,
    relaxed_sentence,
    understood_sentence,
)
from .list_flow import DEFAULT_K, recommendation_list_request
from .models import RecommendationList

__all__ = ["CHAT_MAX", "chat_answer_text", "chat_post"]

NAMED_IN_ANSWER = 3  # titles the answer names; the cards show the rest


@transaction.atomic
def chat_post(*, user, text: str) -> tuple[ChatMessage, RecommendationList]:
    """Store the user's chat turn and request a new list ranked with the conversation so far;
    the list's task stores the assistant's answer. Over-long or empty text raises a
    ValidationError in the user's language and stores nothing. Starts LLM work."""
    from llecommend_site.ratelimit import rate_limit_check

    text = text_clean(text, limit=CHAT_MAX, language=user_language(user))
    rate_limit_check(user=user, action="chat")  # after validation: a typo costs nothing
    message = chat_message_create(user=user, text=text)
    new_list = recommendation_list_request(user=user, k=DEFAULT_K, chat_message=message)
    return message, new_list


def _titles_of(request) -> dict[int, str]:
    ids = [*request.seed_movie_ids, *request.avoid_movie_ids]
    if not ids:
        return {}
    return {
        pk: f"{m.title} ({m.year})" if m.year else m.title for pk, m in movies_by_ids(ids).items()
    }


def chat_answer_text(
    chat: ChatContext,
    items: list[RankedItem],
    titles: dict[int, str],
    language: str,
    *,
    pool=None,
) -> str:
    """The assistant's turn, in the list's language: the model's (or grounded) reply, what the
    new list brings, and truthfully what of the request was understood, what could not be
    used, and when too few movies met it all (`pool`: the list flow's candidate pool)."""
    names = [titles[it.movie_id] for it in items[:NAMED_IN_ANSWER] if it.movie_id in titles]
    understanding = getattr(pool, "understanding", None)
    turn = getattr(understanding, "turn", None)
    retrieved = getattr(pool, "retrieved", None)
    with translation.override(language):
        lines = [chat.reply]
        if names:
            quoted = _(", ").join(_("“%(title)s”") % {"title": n} for n in names)
            lines.append(_("New picks: %(titles)s.") % {"titles": quoted})
        if turn is not None:
            lines.append(understood_sentence(turn.understood))
            standing = describe(understanding.request, titles=_titles_of(understanding.request))
            lines.append(carried_sentence(standing, turn.understood))
            lines.append(not_understood_sentence(turn.not_understood))
            if turn.fallback:
                lines.append(_("The language model could not read your request; I read it myself."))
        if retrieved is not None and items:
            lines.append(
                relaxed_sentence(
                    matching=retrieved.matching, relaxed=retrieved.relaxed, k=len(items)
                )
            )
        if not items:
            lines.append(_("I found nothing new to add."))
    return " ".join(line for line in lines if line)
