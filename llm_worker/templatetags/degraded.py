"""`{{ row.degraded_reason|degraded_message }}`: why a persona or list was degraded, said in the
user's language. The stored reason is "code: technical detail" (codes in
`llm_worker.contracts.Degraded`); only the code reaches the page, the detail stays in the logs
and the admin. Text with no known code (rows written before the codes) gets a generic sentence,
never the raw text, which may hold an exception message."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_lazy

from llm_worker.contracts import Degraded, degraded_codes

register = template.Library()

MESSAGES = {
    Degraded.TIMEOUT: gettext_lazy("The language model took too long to answer."),
    Degraded.BACKEND_UNAVAILABLE: gettext_lazy("The language model could not be started."),
    Degraded.LLM_UNAVAILABLE: gettext_lazy("The language model did not answer."),
    Degraded.UNPARSEABLE: gettext_lazy("The answer of the language model could not be used."),
    Degraded.WRONG_LANGUAGE: gettext_lazy("The language model answered in the wrong language."),
    Degraded.VERBALIZER_FAILED: gettext_lazy("The language model could not rank the movies."),
    Degraded.PARTIAL_RANKING: gettext_lazy(
        "The language model ranked only some of these movies; the rest follow the recommender."
    ),
    Degraded.MISSING_REASONS: gettext_lazy(
        "Some explanations come from your own movies, not from the language model."
    ),
    Degraded.TASTE_SEARCH_UNAVAILABLE: gettext_lazy(
        "The search for what you described is unavailable, so this list does not use it."
    ),
    Degraded.CHAT_REPLY_FAILED: gettext_lazy(
        "The chat reply was written without the language model."
    ),
    Degraded.LIST_FAILED: gettext_lazy("Something went wrong on our side. Please try again."),
}


def degraded_message_text(reason: str) -> str:
    """One sentence per known code, in the active language; "" for no reason at all."""
    if not (reason or "").strip():
        return ""
    sentences = [str(MESSAGES[code]) for code in degraded_codes(reason)]
    if not sentences:
        return gettext("The language model could not help this time.")
    return " ".join(sentences)


@register.filter
def degraded_message(reason: str) -> str:
    return degraded_message_text(reason)
