"""Admin: model versions (train a new one, activate one), the lists users were shown with their
items, and feedback."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Feedback, ModelVersion, RecommendationItem, RecommendationList


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "is_active", "created_at", "train_seconds", "ndcg")
    list_filter = ("kind", "status", "is_active")
    readonly_fields = (
        "created_at",
        "artifact_path",
        "data_fingerprint",
        "params",
        "metrics",
        "train_seconds",
        "error",
    )
    actions = ("train_new_version", "activate_version")

    @admin.display(description=_("valid NDCG@10"))
    def ndcg(self, obj: ModelVersion):
        value = (obj.metrics or {}).get("valid_ndcg@10")
        return f"{value:.4f}" if value is not None else "—"

    @admin.action(description=_("Train a new version of the same kind (activate when done)"))
    def train_new_version(self, request, queryset):
        kinds = sorted(set(queryset.values_list("kind", flat=True))) or ["hybrid"]
        for kind in kinds:
            version = services.model_version_create(kind=kind, activate=True)
            self.message_user(
                request, _("Training started: %(version)s") % {"version": version}, messages.INFO
            )

    @admin.action(description=_("Activate the selected version"))
    def activate_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return
        try:
            version = services.model_version_activate(version=queryset.get())
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, _("Active: %(version)s") % {"version": version})


class RecommendationItemInline(admin.TabularInline):
    model = RecommendationItem
    extra = 0
    raw_id_fields = ("movie",)
    fields = ("rank", "movie", "score", "engine", "fit_score", "reason", "because_movie_ids")


@admin.register(RecommendationList)
class RecommendationListAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "status", "engine", "created_at", "degraded_reason")
    list_filter = ("status", "engine", "language")
    search_fields = ("user__username", "request_key")
    raw_id_fields = ("user", "model_version", "parent", "chat_message")
    inlines = (RecommendationItemInline,)
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("user", "movie", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "movie__title")
    raw_id_fields = ("user", "movie")
    show_full_result_count = False
