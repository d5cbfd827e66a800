"""Admin: model versions (train a new one, activate one), the lists users were shown with their
items, and feedback. Parameters and metrics read as lists, scores and times rounded."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from llecommend_site.display import json_html, rounded
from movies.admin import movie_list_html

from . import services
from .models import Feedback, ModelVersion, RecommendationItem, RecommendationList


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "is_active", "created_at", "train_time", "ndcg")
    list_filter = ("kind", "status", "is_active")
    readonly_fields = (
        "created_at",
        "artifact_path",
        "data_fingerprint",
        "params_list",
        "metrics_list",
        "train_time",
        "error",
    )
    fields = (
        "kind",
        "status",
        "is_active",
        *readonly_fields,
    )
    actions = ("train_new_version", "activate_version")

    @admin.display(description=_("valid NDCG@10"))
    def ndcg(self, obj: ModelVersion):
        value = (obj.metrics or {}).get("valid_ndcg@10")
        return f"{value:.4f}" if value is not None else "—"

    @admin.display(description=_("training time (s)"), ordering="train_seconds")
    def train_time(self, obj: ModelVersion) -> str:
        return rounded(obj.train_seconds, 1)

    @admin.display(description=_("parameters"))
    def params_list(self, obj: ModelVersion):
        return json_html(obj.params)

    @admin.display(description=_("metrics"))
    def metrics_list(self, obj: ModelVersion):
        return json_html(obj.metrics)

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
    """What the user was shown, as shown: a record, so read-only (an edit would rewrite what the
    feedback and the evaluation refer to)."""

    model = RecommendationItem
    extra = 0
    can_delete = False
    fields = ("rank", "movie", "score_rounded", "engine", "fit_score", "reason", "because_of")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("movie")

    @admin.display(description=_("score"))
    def score_rounded(self, item: RecommendationItem) -> str:
        return rounded(item.score, 3)

    @admin.display(description=_("because of movies"))
    def because_of(self, item: RecommendationItem):
        return movie_list_html(item.because_movie_ids)


@admin.register(RecommendationList)
class RecommendationListAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "status", "engine", "degraded_reason")
    list_select_related = ("user",)
    list_filter = ("status", "engine", "language")
    search_fields = ("user__username", "request_key")
    raw_id_fields = ("user", "model_version", "parent", "chat_message")
    inlines = (RecommendationItemInline,)
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("user", "movie", "kind", "created_at")
    list_select_related = ("user", "movie")
    list_filter = ("kind",)
    search_fields = ("user__username", "movie__title")
    raw_id_fields = ("user", "movie")
    show_full_result_count = False
