"""Trained model versions, the lists shown to users, and their feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from llecommend_site.display import local_minute


class ModelVersion(models.Model):
    """One trained recommender: files under ARTIFACTS_DIR plus this row. Workers serve the
    active version and notice when a newer one becomes active."""

    class Status(models.TextChoices):
        TRAINING = "training", _("Training")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # "hybrid", "lightfm", "sequential", "popularity"
    kind = models.CharField(_("kind"), max_length=40)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.TRAINING
    )
    is_active = models.BooleanField(_("active"), default=False, db_index=True)
    artifact_path = models.CharField(_("artifact path"), max_length=500, blank=True)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    train_seconds = models.FloatField(_("training time (s)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model"
            ),
        ]

    def __str__(self) -> str:
        # The number stays: versions are activated and compared by it.
        return gettext("%(kind)s #%(pk)s, %(when)s (%(status)s)") % {
            "kind": self.kind,
            "pk": self.pk,
            "when": local_minute(self.created_at),
            "status": self.get_status_display(),
        }


class RecommendationList(models.Model):
    """One list shown to a user. Written by the pipeline (recommender → optional LLM re-rank);
    `request_key` makes the task that fills it idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="recommendation_lists",
    )
    request_key = models.CharField(_("request key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Which engine produced the final order: "llm:transformers", "llm:openai", "grounded", ...
    engine = models.CharField(_("engine"), max_length=40, blank=True)
    model_version = models.ForeignKey(
        ModelVersion,
        verbose_name=_("model version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lists",
    )
    prompt_variant = models.CharField(_("prompt variant"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=2, default="ko")
    novelty = models.FloatField(_("novelty"), default=0.0)
    # How many items were asked for (the task that fills the list reads it).
    k = models.PositiveSmallIntegerField(_("items asked for"), default=10)
    # Items the LLM named outside the candidates, dropped before anything was shown.
    dropped = models.PositiveIntegerField(_("items dropped"), default=0)
    # Why the list is degraded (LLM down, timed out, answered garbage...), shown on the page.
    degraded_reason = models.CharField(_("why degraded"), max_length=300, blank=True)
    # The chat message that asked for this list, if any.
    chat_message = models.ForeignKey(
        "llm_worker.ChatMessage",
        verbose_name=_("chat message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # "more" appends a page to an earlier list rather than replacing it.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("earlier list"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pages",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recommendation list")
        verbose_name_plural = _("recommendation lists")
        indexes = [models.Index(fields=["user", "-created_at"], name="reclist_user_recent")]

    def __str__(self) -> str:
        return gettext("List for %(user)s, %(when)s (%(engine)s)") % {
            "user": self.user.username,
            "when": local_minute(self.created_at),
            "engine": self.engine or self.get_status_display(),
        }


class RecommendationItem(models.Model):
    recommendation_list = models.ForeignKey(
        RecommendationList,
        verbose_name=_("recommendation list"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    movie = models.ForeignKey(
        "movies.Movie", verbose_name=_("movie"), on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    # The recommender's score and which model produced the candidate.
    score = models.FloatField(_("score"))
    engine = models.CharField(_("engine"), max_length=40)
    # 1–10 fit score from the LLM (or the grounded explainer).
    fit_score = models.PositiveSmallIntegerField(_("fit score"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The reason in the site's other languages ({"en": "..."} for a Korean list), written from
    # the same evidence when the list was made, so a language switch changes it at once.
    reason_translations = models.JSONField(_("reason in other languages"), default=dict, blank=True)
    # Catalogue ids of the user's movies nearest to this one ("because you watched ...").
    because_movie_ids = models.JSONField(_("because of movies"), default=list, blank=True)

    class Meta:
        ordering = ["recommendation_list", "rank"]
        verbose_name = _("recommended item")
        verbose_name_plural = _("recommended items")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation_list", "movie"], name="unique_item_per_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.movie}"

    def reason_in(self, language: str) -> str:
        """The reason in `language` when it was written in it, else the list's own."""
        other = self.reason_translations if isinstance(self.reason_translations, dict) else {}
        return other.get(language) or self.reason


class Feedback(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        DISMISS = "dismiss", _("Not interested")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    movie = models.ForeignKey(
        "movies.Movie", verbose_name=_("movie"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("given at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="unique_feedback"),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.get_kind_display()} — {self.movie}"
