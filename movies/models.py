"""The movie catalogue: movies with their TMDb metadata, people and credits, genres, keywords,
user tags, and the interactions (ratings, picks) of dataset users and site users."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def normalize_title(text: str) -> str:
    """Lower-cased, accent-free, punctuation-free title used for search and for joining
    datasets by title ("Amélie (2001)" and "amelie" meet here)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = [ch for ch in decomposed if not unicodedata.combining(ch)]
    cleaned = "".join(ch if ch.isalnum() else " " for ch in "".join(kept).casefold())
    return " ".join(cleaned.split())


class Genre(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("genre")
        verbose_name_plural = _("genres")

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    # The files at hand name people only by name (no TMDb person id), so the name is the key.
    name = models.CharField(_("name"), max_length=200, unique=True)
    # Set by the TMDb API sync (`sync_tmdb`), which knows people by id; `synced_at` is when
    # their localized names were last fetched (null: still to fetch).
    tmdb_id = models.PositiveIntegerField(_("TMDb id"), null=True, blank=True, unique=True)
    synced_at = models.DateTimeField(_("last TMDb sync"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name


class Movie(models.Model):
    # Ids of the MovieLens CSV family (ml-latest-small, ml-25m, ml-32m share one id space) and of
    # ml-100k (its own item ids, joined to the same movie by title + year when both are loaded).
    movielens_id = models.PositiveIntegerField(
        _("MovieLens id"), null=True, blank=True, unique=True
    )
    ml100k_id = models.PositiveIntegerField(
        _("MovieLens 100K id"), null=True, blank=True, unique=True
    )
    tmdb_id = models.PositiveIntegerField(_("TMDb id"), null=True, blank=True, unique=True)
    imdb_id = models.PositiveIntegerField(
        _("IMDb id"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("IMDb id without the 'tt' prefix"),
    )

    title = models.CharField(_("title"), max_length=300)
    original_title = models.CharField(_("original title"), max_length=300, blank=True)
    # Normalised title and original title, for search-as-you-type and dataset joins.
    search_title = models.CharField(_("search title"), max_length=700, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    overview = models.TextField(_("overview"), blank=True)
    tagline = models.CharField(_("tagline"), max_length=500, blank=True)
    runtime = models.PositiveSmallIntegerField(
        _("runtime"), null=True, blank=True, help_text=_("minutes")
    )
    original_language = models.CharField(
        _("original language"), max_length=12, blank=True, db_index=True
    )
    spoken_languages = models.JSONField(_("spoken languages"), default=list, blank=True)
    production_countries = models.JSONField(_("production countries"), default=list, blank=True)
    production_companies = models.JSONField(_("production companies"), default=list, blank=True)
    vote_average = models.FloatField(_("TMDb vote average"), null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("TMDb vote count"), null=True, blank=True)
    popularity = models.FloatField(_("TMDb popularity"), null=True, blank=True)
    poster_path = models.CharField(_("poster path"), max_length=300, blank=True)
    hidden = models.BooleanField(
        _("hidden"),
        default=False,
        db_index=True,
        help_text=_("Hidden movies are never recommended or listed"),
    )

    class Source(models.TextChoices):
        DATASET = "dataset", _("Dataset import")
        TMDB = "tmdb", _("TMDb sync")

    # Who created the row: a dataset import (MovieLens, ml-100k) or the TMDb API sync, which
    # also refreshes the dataset movies it can link; `synced_at` is its last refresh.
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.DATASET, db_index=True
    )
    synced_at = models.DateTimeField(_("last TMDb sync"), null=True, blank=True, db_index=True)

    # Denormalised from Rating after each import: the popular grid and the popularity baseline
    # read them without aggregating 100k+ rows per request.
    num_ratings = models.PositiveIntegerField(_("number of ratings"), default=0, db_index=True)
    mean_rating = models.FloatField(_("mean rating"), null=True, blank=True)

    genres = models.ManyToManyField(
        Genre, verbose_name=_("genres"), related_name="movies", blank=True
    )
    keywords = models.ManyToManyField(
        Keyword, verbose_name=_("keywords"), related_name="movies", blank=True
    )
    people = models.ManyToManyField(
        Person, through="Credit", verbose_name=_("people"), related_name="movies", blank=True
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("movie")
        verbose_name_plural = _("movies")
        indexes = [
            models.Index(fields=["hidden", "-num_ratings"], name="movie_visible_popular"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def save(self, *args, **kwargs):
        self.search_title = normalize_title(f"{self.title} {self.original_title}")
        super().save(*args, **kwargs)

    @property
    def decade(self) -> int | None:
        return (self.year // 10) * 10 if self.year else None

    def text_in(self, language: str) -> tuple[str, str, str]:
        """(title, overview, tagline) in `language` ("ko", "en"), each falling back to the
        movie's own field where the translation has none. Reads `translations` through
        `.all()`, so a `prefetch_related("translations")` serves a whole page without queries."""
        found = next((t for t in self.translations.all() if t.language == language), None)
        if found is None:
            return self.title, self.overview, self.tagline
        return (
            found.title or self.title,
            found.overview or self.overview,
            found.tagline or self.tagline,
        )


class Credit(models.Model):
    class Role(models.TextChoices):
        CAST = "cast", _("Cast")
        DIRECTOR = "director", _("Director")

    movie = models.ForeignKey(
        Movie, verbose_name=_("movie"), on_delete=models.CASCADE, related_name="credits"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="credits"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    character = models.CharField(_("character"), max_length=300, blank=True)

    class Meta:
        ordering = ["movie", "role", "order"]
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        constraints = [
            models.UniqueConstraint(fields=["movie", "person", "role"], name="unique_credit"),
        ]

    def __str__(self) -> str:
        return gettext("%(person)s (%(role)s) in %(movie)s") % {
            "person": self.person,
            "role": self.get_role_display(),
            "movie": self.movie,
        }


class Tag(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="tags",
    )
    movie = models.ForeignKey(
        Movie, verbose_name=_("movie"), on_delete=models.CASCADE, related_name="tags"
    )
    tag = models.CharField(_("tag"), max_length=255)
    timestamp = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "movie", "tag", "timestamp"], name="unique_tag"
            ),
        ]

    def __str__(self) -> str:
        return self.tag


class Rating(models.Model):
    """One interaction of a user with a movie: an explicit rating from a dataset, or a site
    user's pick ("I watched this", implicit: rating is null)."""

    class Source(models.TextChoices):
        ML100K = "ml-100k", "MovieLens 100K"
        MOVIELENS = "movielens", "MovieLens CSV"
        PICK = "pick", _("Picked on the site")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    movie = models.ForeignKey(
        Movie, verbose_name=_("movie"), on_delete=models.CASCADE, related_name="ratings"
    )
    rating = models.FloatField(_("rating"), null=True, blank=True)
    timestamp = models.DateTimeField(_("time"), db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="unique_rating"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | models.Q(rating__gte=0.5, rating__lte=5.0),
                name="rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "timestamp"], name="rating_user_time"),
        ]

    def __str__(self) -> str:
        values = {"user": self.user.username, "movie": self.movie}
        if self.rating is None:
            return gettext("%(user)s picked %(movie)s") % values
        return gettext("%(user)s rated %(movie)s: %(rating)s") % {
            **values,
            "rating": f"{self.rating:g}",
        }


class MovieTranslation(models.Model):
    """A movie's title, overview and tagline in one language, from TMDb's `translations` or a
    curator. `language` is the site's language code ("ko", "en"), so a page in the user's
    language picks its row directly (`Movie.text_in`)."""

    movie = models.ForeignKey(
        Movie, on_delete=models.CASCADE, related_name="translations", verbose_name=_("movie")
    )
    language = models.CharField(_("language"), max_length=12)
    title = models.CharField(_("title"), max_length=300, blank=True)
    overview = models.TextField(_("overview"), blank=True)
    tagline = models.CharField(_("tagline"), max_length=500, blank=True)
    # Normalised title, for search-as-you-type in this language.
    search_title = models.CharField(_("search title"), max_length=700, blank=True, db_index=True)
    # A curator's wording outlives the daily sync: the sync never overwrites a curated row.
    curated = models.BooleanField(
        _("edited by a curator"),
        default=False,
        help_text=_("The TMDb sync leaves a curated translation as it is."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["movie", "language"]
        verbose_name = _("movie translation")
        verbose_name_plural = _("movie translations")
        constraints = [
            models.UniqueConstraint(fields=["movie", "language"], name="unique_movie_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.movie.title} [{self.language}]"

    def save(self, *args, **kwargs):
        self.search_title = normalize_title(self.title)
        super().save(*args, **kwargs)


class PersonAlias(models.Model):
    """Another name of a person: a localized name from TMDb ("봉준호" for Bong Joon-ho) or one
    of TMDb's `also_known_as`, so a search in any language finds the person."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=200)
    # Site language code of the name's language ("ko", "en"); empty when unknown.
    language = models.CharField(_("language"), max_length=12, blank=True)
    search_name = models.CharField(_("search name"), max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["person", "language", "name"]
        verbose_name = _("person alias")
        verbose_name_plural = _("person aliases")
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="unique_person_alias"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalize_title(self.name)[:200]
        super().save(*args, **kwargs)


class TmdbSyncState(models.Model):
    """Where the TMDb sync stopped: the end of the last changes window it read, its last run,
    and a lease so that two runs (beat and an operator, say) never work at once."""

    key = models.CharField(max_length=20, unique=True, default="tmdb")
    changes_until = models.DateField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.JSONField(default=dict, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("TMDb sync state")
        verbose_name_plural = _("TMDb sync state")

    def __str__(self) -> str:
        return f"TMDb sync (changes read until {self.changes_until})"


class TmdbSyncQueue(models.Model):
    """A TMDb movie id still to fetch. Rows are written when a run collects its ids and
    deleted in the transaction that writes the movie, so a run that dies half-way leaves
    exactly the movies it has not written, and the next run resumes with them."""

    tmdb_id = models.PositiveIntegerField(unique=True)
    reason = models.CharField(max_length=20)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tmdb_id"]
        verbose_name = _("queued TMDb movie")
        verbose_name_plural = _("queued TMDb movies")

    def __str__(self) -> str:
        return f"TMDb {self.tmdb_id} ({self.reason})"
