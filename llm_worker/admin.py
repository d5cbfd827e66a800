"""Admin: personas (with why they are degraded or failed), the taste chat, rolling summaries.
What the LLM wrote (traits, reasons with the movies they cite) is shown as lists, not JSON."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from llecommend_site.display import EMPTY, json_html
from movies.admin import movie_list_html

from . import services
from .models import ChatMessage, ChatSummary, Persona


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "status", "engine", "language", "is_degraded")
    list_filter = ("status", "engine", "language")
    search_fields = ("user__username", "summary")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    # The generated parts are read-only: edited JSON would bypass the parser's checks, and the
    # user's own correction (editable) is how a persona is put right.
    readonly_fields = (
        "request_key", "created_at", "engine", "prompt_version", "error", "liked_traits_list",
        "disliked_traits_list", "reasons_list",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("user", "status", "language", "created_at")}),
        (
            _("Persona"),
            {
                "fields": (
                    "summary",
                    "liked_traits_list",
                    "disliked_traits_list",
                    "reasons_list",
                    "user_correction",
                )
            },
        ),
        (
            _("How it was made"),
            {"fields": ("engine", "prompt_version", "request_key", "degraded_reason", "error")},
        ),
    )
    actions = ("regenerate",)

    @admin.display(boolean=True, description=_("degraded"))
    def is_degraded(self, obj: Persona) -> bool:
        return bool(obj.degraded_reason)

    @admin.display(description=_("liked traits"))
    def liked_traits_list(self, obj: Persona):
        return json_html(obj.liked_traits)

    @admin.display(description=_("disliked traits"))
    def disliked_traits_list(self, obj: Persona):
        return json_html(obj.disliked_traits)

    @admin.display(description=_("reasons"))
    def reasons_list(self, obj: Persona):
        # [{"text": "...", "movie_ids": [...]}]: each reason with the movies it cites below it.
        reasons = [r for r in obj.reasons or [] if isinstance(r, dict)]
        if not reasons:
            return json_html(obj.reasons)
        rows = ((r.get("text") or EMPTY, movie_list_html(r.get("movie_ids"))) for r in reasons)
        return format_html(
            '<ul class="json-value">{}</ul>', format_html_join("", "<li>{}{}</li>", rows)
        )

    @admin.action(description=_("Generate a new persona for these users"))
    def regenerate(self, request, queryset):
        users = {p.user for p in queryset.select_related("user")}
        for user in users:
            services.persona_request(user=user)
        self.message_user(
            request, _("%(n)d persona(s) requested.") % {"n": len(users)}, messages.INFO
        )


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "role", "short")
    list_filter = ("role",)
    search_fields = ("user__username", "content")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    @admin.display(description=_("message"))
    def short(self, obj: ChatMessage) -> str:
        return obj.content[:80]


@admin.register(ChatSummary)
class ChatSummaryAdmin(admin.ModelAdmin):
    list_display = ("user", "updated_at", "through_message")
    list_select_related = ("user", "through_message")
    search_fields = ("user__username", "text")
    raw_id_fields = ("user", "through_message")
