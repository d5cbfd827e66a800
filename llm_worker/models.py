"""What the LLM layer writes: personas, the taste chat and its rolling summary."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from llecommend_site.display import local_minute


class Persona(models.Model):
    """A profile of a user's taste, with reasons that cite the user's own movies. Each
    generation is a new row; the newest ready one is current. `request_key` makes the task
    idempotent (a redelivered task finds its row already filled)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="personas",
    )
    request_key = models.CharField(_("request key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    language = models.CharField(_("language"), max_length=2, default="ko")
    engine = models.CharField(_("engine"), max_length=40, blank=True)
    prompt_version = models.CharField(_("prompt version"), max_length=40, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    liked_traits = models.JSONField(_("liked traits"), default=list, blank=True)
    disliked_traits = models.JSONField(_("disliked traits"), default=list, blank=True)
    # [{"text": "...", "movie_ids": [catalogue ids the reason cites]}]
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # The user's own correction of the persona, kept and fed to later prompts.
    user_correction = models.TextField(_("user's correction"), blank=True)
    degraded_reason = models.CharField(_("why degraded"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        indexes = [models.Index(fields=["user", "-created_at"], name="persona_user_recent")]

    def __str__(self) -> str:
        # What a curator tells personas apart by: whose, when, and whether it worked.
        return gettext("%(user)s’s persona, %(when)s (%(status)s)") % {
            "user": self.user.username,
            "when": local_minute(self.created_at),
            "status": self.get_status_display(),
        }


class ChatMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("User")
        ASSISTANT = "assistant", _("Assistant")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="chat_messages",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    content = models.TextField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [models.Index(fields=["user", "created_at"], name="chat_user_time")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {Truncator(self.content).chars(40)}"


class ChatSummary(models.Model):
    """Rolling summary of a user's older chat turns (those that no longer fit the prompt's
    token budget), up to and including `through_message`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="chat_summary",
    )
    text = models.TextField(_("summary"), blank=True)
    through_message = models.ForeignKey(
        ChatMessage,
        verbose_name=_("summarised through message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("chat summary")
        verbose_name_plural = _("chat summaries")

    def __str__(self) -> str:
        return gettext("Chat summary of %(user)s") % {"user": self.user.username}
