"""Django admin as the catalogue's curation tool: find movies by title or person, filter them,
hide the ones that should never be recommended, and browse the big interaction tables without
waiting for COUNT(*) over millions of rows."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Max, Min, Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from llecommend_site.display import EMPTY, json_html, rounded

from .models import (
    Credit,
    Genre,
    Keyword,
    Movie,
    MovieTranslation,
    Person,
    PersonAlias,
    Rating,
    Tag,
)


def movie_list_html(movie_ids: list) -> SafeString | str:
    """Catalogue ids (as personas and lists store them) as bullets of linked titles, for the
    admin of the apps that cite movies; an id no longer in the catalogue says so."""
    ids = [i for i in movie_ids or [] if isinstance(i, int)]
    if not ids:
        return EMPTY
    movies = Movie.objects.in_bulk(ids)
    rows = []
    for movie_id in ids:
        movie = movies.get(movie_id)
        if movie is None:
            text = gettext("Movie %(id)s (no longer in the catalogue)") % {"id": movie_id}
            rows.append((text,))
        else:
            url = reverse("admin:movies_movie_change", args=[movie_id])
            rows.append((format_html('<a href="{}">{}</a>', url, movie),))
    return format_html('<ul class="json-value">{}</ul>', format_html_join("", "<li>{}</li>", rows))


class LargeTablePaginator(Paginator):
    """Counts without scanning a huge table: the planner's estimate for the whole table on
    PostgreSQL, and at most COUNT_CAP rows for a filtered list (pages beyond it are reached by
    narrowing the filter)."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not getattr(qs, "query", None):
            return super().count
        if connection.vendor == "postgresql" and not qs.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                    [qs.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > self.COUNT_CAP:
                return int(row[0])
        return qs.order_by()[: self.COUNT_CAP].count()


class DecadeFilter(admin.SimpleListFilter):
    title = _("decade")
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        years = Movie.objects.aggregate(first=Min("year"), last=Max("year"))
        if years["first"] is None:
            return []
        first, last = years["first"] // 10 * 10, years["last"] // 10 * 10
        return [(str(d), f"{d}s") for d in range(last, first - 1, -10)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            decade = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(year__gte=decade, year__lt=decade + 10)


class HasOverviewFilter(admin.SimpleListFilter):
    title = _("has overview")
    parameter_name = "has_overview"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(overview="")
        if self.value() == "no":
            return queryset.filter(overview="")
        return queryset


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["role", "order", "person", "character"]
    ordering = ["role", "order"]

    def get_queryset(self, request):
        # Each row is titled with its credit ("Al Pacino (Cast) in Heat"): one query, not 2n.
        return super().get_queryset(request).select_related("person", "movie")


class MovieTranslationForm(forms.ModelForm):
    class Meta:
        model = MovieTranslation
        fields = ["language", "title", "tagline", "overview", "curated"]

    def save(self, commit=True):
        # A curator's wording is kept: the daily TMDb sync never overwrites a curated row.
        if {"title", "tagline", "overview"} & set(self.changed_data):
            self.instance.curated = True
        return super().save(commit=commit)


class MovieTranslationInline(admin.StackedInline):
    model = MovieTranslation
    form = MovieTranslationForm
    extra = 0


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 0
    fields = ["name", "language"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = [
        "shown_title", "year", "original_language", "num_ratings", "mean_rating_rounded",
        "vote_average_rounded", "has_overview", "hidden", "source", "synced_at",
    ]  # fmt: skip
    list_filter = [
        "hidden", HasOverviewFilter, DecadeFilter, "genres", "original_language", "source",
        ("synced_at", admin.DateFieldListFilter),
    ]  # fmt: skip
    # Title (normalised too, so "amelie" finds "Amélie") and the people in the credits.
    search_fields = [
        "title", "original_title", "search_title", "credits__person__name", "translations__title",
    ]  # fmt: skip
    search_help_text = _("Title, original title, or a cast or crew member's name")
    # Imported (TMDb, ratings) and overwritten by the next import, so shown rather than edited:
    # numbers rounded, lists as bullets instead of raw JSON.
    readonly_fields = [
        "num_ratings", "mean_rating_rounded", "vote_average_rounded", "vote_count",
        "popularity_rounded", "spoken_languages_list", "production_countries_list",
        "production_companies_list", "search_title", "created_at", "updated_at", "source",
        "synced_at",
    ]  # fmt: skip
    filter_horizontal = ["genres"]
    raw_id_fields = ["keywords"]
    inlines = [MovieTranslationInline, CreditInline]
    actions = ["hide", "unhide"]
    ordering = ["-num_ratings", "title"]
    list_per_page = 50
    show_full_result_count = False
    paginator = LargeTablePaginator
    fieldsets = [
        (None, {"fields": ["title", "original_title", "year", "release_date", "hidden"]}),
        (_("Ids"), {"fields": ["movielens_id", "ml100k_id", "tmdb_id", "imdb_id"]}),
        (_("Source"), {"fields": ["source", "synced_at"]}),
        (
            _("Metadata"),
            {
                "fields": [
                    "overview",
                    "tagline",
                    "runtime",
                    "original_language",
                    "spoken_languages_list",
                    "production_countries_list",
                    "production_companies_list",
                    "poster_path",
                    "genres",
                    "keywords",
                ]
            },
        ),
        (
            _("Numbers"),
            {
                "fields": [
                    "vote_average_rounded",
                    "vote_count",
                    "popularity_rounded",
                    "num_ratings",
                    "mean_rating_rounded",
                    "search_title",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # The curator's language only: one query for the page's titles (shown_title).
        mine = MovieTranslation.objects.filter(language=translation.get_language())
        return super().get_queryset(request).prefetch_related(Prefetch("translations", mine))

    @admin.display(description=_("title"), ordering="title")
    def shown_title(self, movie: Movie) -> str:
        """The title in the curator's language where the catalogue has one, with the
        catalogue's own title beside it."""
        title = movie.text_in(translation.get_language())[0]
        if title == movie.title:
            return title
        return format_html('{} <span class="quiet">({})</span>', title, movie.title)

    @admin.display(boolean=True, description=_("overview"))
    def has_overview(self, movie: Movie) -> bool:
        return bool(movie.overview)

    @admin.display(description=_("mean rating"), ordering="mean_rating")
    def mean_rating_rounded(self, movie: Movie) -> str:
        return rounded(movie.mean_rating, 2)

    @admin.display(description=_("TMDb vote average"), ordering="vote_average")
    def vote_average_rounded(self, movie: Movie) -> str:
        return rounded(movie.vote_average, 1)

    @admin.display(description=_("TMDb popularity"), ordering="popularity")
    def popularity_rounded(self, movie: Movie) -> str:
        return rounded(movie.popularity, 1)

    @admin.display(description=_("spoken languages"))
    def spoken_languages_list(self, movie: Movie):
        return json_html(movie.spoken_languages)

    @admin.display(description=_("production countries"))
    def production_countries_list(self, movie: Movie):
        return json_html(movie.production_countries)

    @admin.display(description=_("production companies"))
    def production_companies_list(self, movie: Movie):
        return json_html(movie.production_companies)

    @admin.action(description=_("Hide the selected movies (never recommended or listed)"))
    def hide(self, request, queryset):
        n = queryset.update(hidden=True)
        self.message_user(
            request,
            ngettext("%(n)d movie hidden.", "%(n)d movies hidden.", n) % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unhide the selected movies"))
    def unhide(self, request, queryset):
        n = queryset.update(hidden=False)
        self.message_user(
            request,
            ngettext("%(n)d movie visible again.", "%(n)d movies visible again.", n) % {"n": n},
            messages.SUCCESS,
        )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Localized names too: "봉준호" finds Bong Joon-ho.
    search_fields = ["name", "aliases__name"]
    list_display = ["name", "tmdb_id"]
    readonly_fields = ["synced_at"]
    inlines = [PersonAliasInline]
    show_full_result_count = False
    paginator = LargeTablePaginator


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name"]
    show_full_result_count = False
    paginator = LargeTablePaginator


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    list_display = ["movie", "role", "order", "person", "character"]
    list_filter = ["role"]
    list_select_related = ["movie", "person"]
    raw_id_fields = ["movie", "person"]
    search_fields = ["person__name", "movie__title"]
    show_full_result_count = False
    paginator = LargeTablePaginator


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["tag", "movie", "user", "timestamp"]
    list_select_related = ["movie", "user"]
    raw_id_fields = ["movie", "user"]
    search_fields = ["tag", "=user__username"]
    ordering = ["-pk"]
    show_full_result_count = False
    paginator = LargeTablePaginator


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "rating", "source", "timestamp"]
    list_filter = ["source"]
    list_select_related = ["movie", "user"]
    raw_id_fields = ["movie", "user"]
    # Exact username ("ml-100k:196") uses the unique index; a substring search over millions of
    # ratings would not.
    search_fields = ["=user__username"]
    search_help_text = _("Exact username, e.g. ml-100k:196")
    ordering = ["-pk"]
    show_full_result_count = False
    paginator = LargeTablePaginator
