"""The taste chat's memory and the model's reply: what the LLM layer knows of a conversation.

A chat turn is posted by the recommendations app (a turn produces a new list, so the flow that
owns lists owns the turn); this module keeps what the model needs of the conversation — the
rolling summary of older turns and the recent ones within a token budget — and asks the backend
for the reply. Rows are written by `chat_turn_store`, inside the caller's transaction, so the
assistant's answer lands together with the list it announces.
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_worker import conf, pipeline, selectors
from llm_worker.backends import LLMBackend
from llm_worker.contracts import ChatTurn, Degraded, degraded
from llm_worker.memory import fit_chat_history
from llm_worker.models import ChatMessage, ChatSummary
from llm_worker.services import user_profile

CHAT_MAX = 1000  # characters of one chat message


@dataclass
class ChatContext:
    """One chat turn on its way through the list pipeline."""

    message: ChatMessage | None = None
    summary: str = ""
    turns: tuple[ChatTurn, ...] = ()
    through: ChatMessage | None = None  # the last message folded into the summary
    summary_changed: bool = False
    reply: str = ""
    request: str = ""  # the user's wish in one line, for the taste-text search
    degraded_reason: str = ""


def chat_message_create(*, user, text: str) -> ChatMessage:
    """Store the user's (already validated) turn."""
    return ChatMessage.objects.create(user=user, role=ChatMessage.Role.USER, content=text)


def chat_memory(*, user, message: ChatMessage, backend: LLMBackend) -> ChatContext:
    """The rolling summary and the recent turns before `message`, within the token budget
    measured with the backend's tokenizer."""
    row = ChatSummary.objects.filter(user=user).select_related("through_message").first()
    earlier = ChatMessage.objects.filter(user=user, pk__lt=message.pk).order_by("created_at", "pk")
    if row is not None and row.through_message_id:
        earlier = earlier.filter(pk__gt=row.through_message_id)
    messages = list(earlier)
    old_summary = row.text if row else ""
    summary, kept = fit_chat_history(
        [ChatTurn(m.role, m.content) for m in messages],
        summary=old_summary,
        budget_tokens=conf.chat_budget_tokens(),
        count_tokens=backend.count_tokens,
    )
    folded = messages[: len(messages) - len(kept)]
    through = folded[-1] if folded else (row.through_message if row else None)
    return ChatContext(
        message=message,
        summary=summary,
        turns=tuple(kept),
        through=through,
        summary_changed=bool(folded) or summary != old_summary,
    )


def chat_reply_fill(chat: ChatContext, *, backend: LLMBackend, user, language: str) -> None:
    """The model's reply to the turn and its one-line restatement of the wish (the user's own
    words when the model gave none). A failed reply is named in `chat.degraded_reason`."""
    persona = selectors.current_persona(user=user)
    answer = pipeline.chat_reply(
        backend,
        profile=user_profile(user, language),
        persona_summary=persona.summary if persona else "",
        text=chat.message.content,
        chat_summary=chat.summary,
        chat_turns=chat.turns,
    )
    chat.reply = answer.reply
    chat.request = answer.request or chat.message.content
    if answer.degraded_reason:
        chat.degraded_reason = degraded(Degraded.CHAT_REPLY_FAILED, answer.degraded_reason)


def chat_turn_store(chat: ChatContext, *, user, answer: str) -> ChatMessage:
    """The assistant's answer, and the rolling summary when it moved. Call inside the
    transaction that stores what the answer announces."""
    message = ChatMessage.objects.create(user=user, role=ChatMessage.Role.ASSISTANT, content=answer)
    if chat.summary_changed:
        ChatSummary.objects.update_or_create(
            user=user, defaults={"text": chat.summary, "through_message": chat.through}
        )
    return message
