"""Admin: personas (with why they are degraded or failed), the taste chat, rolling summaries."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ChatMessage, ChatSummary, Persona


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "status", "engine", "language", "created_at", "is_degraded")
    list_filter = ("status", "engine", "language")
    search_fields = ("user__username", "summary")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("request_key", "created_at", "engine", "prompt_version", "error")
    actions = ("regenerate",)

    @admin.display(boolean=True, description=_("degraded"))
    def is_degraded(self, obj: Persona) -> bool:
        return bool(obj.degraded_reason)

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
    list_display = ("pk", "user", "role", "short", "created_at")
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
    search_fields = ("user__username", "text")
    raw_id_fields = ("user", "through_message")
