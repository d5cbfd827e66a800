"""Users in admin with their profile (age, gender, occupation, language) and, for MovieLens
users, the dataset they come from. Dataset users number in the hundreds of thousands on ml-25m,
so the list never counts the whole table."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from movies.admin import LargeTablePaginator

from .models import User


class IsDatasetUserFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("site", _("Site users")), ("dataset", _("Dataset users"))]

    def queryset(self, request, queryset):
        if self.value() == "site":
            return queryset.filter(dataset="")
        if self.value() == "dataset":
            return queryset.exclude(dataset="")
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username", "age", "gender", "occupation", "language", "dataset", "is_staff",
        "date_joined",
    ]  # fmt: skip
    list_filter = [
        IsDatasetUserFilter, "dataset", "gender", "occupation", "language", "is_staff",
        "is_superuser", "is_active",
    ]  # fmt: skip
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["-date_joined", "-pk"]
    show_full_result_count = False
    paginator = LargeTablePaginator
    readonly_fields = ["dataset", "dataset_user_id", "last_login", "date_joined"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ["age", "gender", "occupation", "language"]}),
        (_("Dataset"), {"fields": ["dataset", "dataset_user_id"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Profile"), {"fields": ["age", "gender", "occupation", "language"]}),
    ]
