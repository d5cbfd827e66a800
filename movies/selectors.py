"""Reads of the catalogue that several parts of the site share."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.text import Truncator

from .describe import genre_name
from .models import Credit, Genre, Keyword, Movie, MovieTranslation, Rating, normalize_title
from .title_index import RefreshingIndex

logger = logging.getLogger(__name__)


def visible_movies() -> QuerySet[Movie]:
    return Movie.objects.filter(hidden=False)


def hidden_movie_ids() -> frozenset[int]:
    """The movies curators hid (a short list, read through an index): pages that show earlier
    lists drop them and key their caches on this set, so a hide takes effect at once."""
    return frozenset(Movie.objects.filter(hidden=True).values_list("pk", flat=True))


SEARCH_FIELDS = ("id", "title", "original_title", "year")
SEARCH_INDEX_SECONDS = 60.0


def _title_rows() -> list[tuple[int, str]]:
    """(id, normalised titles) of the visible movies, most-rated first: the title and original
    title, then the title in every language the catalogue has it in ("기생충" for Parasite)."""
    localized: dict[int, list[str]] = {}
    rows = MovieTranslation.objects.filter(movie__hidden=False).exclude(search_title="")
    for movie_id, title in rows.values_list("movie_id", "search_title"):
        localized.setdefault(movie_id, []).append(title)
    return [
        (pk, " ".join([title, *localized.get(pk, ())]))
        for pk, title in visible_movies()
        .order_by("-num_ratings", "title")
        .values_list("id", "search_title")
    ]


def localized_titles(*, movie_ids: Iterable[int], language: str) -> dict[int, str]:
    """movie id → its title in `language` ("ko", "en"), for the movies that have one (one
    query); a movie without is shown with its own title."""
    rows = MovieTranslation.objects.filter(movie_id__in=list(movie_ids), language=language)
    return dict(rows.exclude(title="").values_list("movie_id", "title"))


# Per process. A saved or deleted movie clears this process's copy (see movies.apps); other
# processes rebuild theirs within SEARCH_INDEX_SECONDS. A movie hidden meanwhile never shows:
# the rows are read back with the `hidden` filter.
TITLE_INDEX = RefreshingIndex(_title_rows, max_age_s=SEARCH_INDEX_SECONDS)


def movie_search(*, query: str, limit: int = 20, language: str | None = None) -> list[Movie]:
    """Visible movies whose title, original title or a localized title contains every word of
    `query` (accents, case and punctuation ignored; a sequel number matches as a digit or a
    Roman numeral, "part 2" ~ "Part II"; Hangul by jamo, see `movies.title_index`),
    most-rated first. Matching runs on the in-memory title index; only the matches' tile
    fields (`SEARCH_FIELDS`) are read from the database. Each movie gets `display_title`: its
    title in `language` when the catalogue has one, its own title otherwise."""
    words = normalize_title(query).split()
    if not words:
        return []
    ids = TITLE_INDEX.get().find(words, limit)
    rows = visible_movies().filter(pk__in=ids).only(*SEARCH_FIELDS).in_bulk()
    return with_display_titles([rows[i] for i in ids if i in rows], language=language)


def with_display_titles(movies: list[Movie], *, language: str | None) -> list[Movie]:
    """`movies`, each given `display_title`: its title in `language` where the catalogue has
    one, its own title otherwise (one query for them all)."""
    ids = [m.pk for m in movies]
    shown = localized_titles(movie_ids=ids, language=language) if language and ids else {}
    for movie in movies:
        movie.display_title = shown.get(movie.pk, movie.title)
    return movies


# Hangul syllables and jamo (the index holds titles decomposed, so syllables appear as jamo).
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# The script a language's search example should be written in, where it has its own.
SCRIPT_OF = {"ko": _HANGUL}
SEARCH_EXAMPLE_TRIES = 5


def movie_search_example(*, language: str, limit: int) -> str:
    """A title to suggest in the search box, one that a search for it lists among its first
    `limit` results. In Korean: the original title of the most-rated visible movie that has a
    Korean one; otherwise, or when none has, the most-rated visible movie's title. Empty for
    an empty catalogue."""
    index = TITLE_INDEX.get()
    ids = index.ids[:SEARCH_EXAMPLE_TRIES]
    script = SCRIPT_OF.get(language)
    if script is not None:
        ids = index.where(script.search, limit=SEARCH_EXAMPLE_TRIES) + ids
    movies = visible_movies().filter(pk__in=ids).only("title", "original_title").in_bulk()
    for pk in ids:
        movie = movies.get(pk)
        if movie is None:
            continue
        text = movie.title
        if script is not None and script.search(movie.original_title):
            text = movie.original_title
        # The example must be found by the search it suggests, as typed.
        if pk in index.find(normalize_title(text).split(), limit):
            return text
    return ""


def picked_among(*, user, movie_ids: list[int]) -> set[int]:
    """Which of `movie_ids` the user has picked. Asked on every keystroke of the search box:
    one plain SQL statement, without the ORM's query building."""
    if not movie_ids:
        return set()
    marks = ", ".join(["%s"] * len(movie_ids))
    sql = (
        f"SELECT movie_id FROM {Rating._meta.db_table} "
        f"WHERE user_id = %s AND source = %s AND movie_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, Rating.Source.PICK.value, *movie_ids])
        return {row[0] for row in cursor.fetchall()}


def movies_popular(
    *, limit: int = 48, genre: str | None = None, exclude: Collection[int] = ()
) -> list[Movie]:
    qs = visible_movies()
    if genre:
        qs = qs.filter(genres__name=genre)
    if exclude:
        qs = qs.exclude(pk__in=list(exclude))
    return list(qs.order_by("-num_ratings", "title")[:limit])


def movies_popular_by_genre(*, genres: int, per_genre: int) -> list[tuple[str, list[Movie]]]:
    """The `genres` genres with the most visible movies, each with its `per_genre` most-rated
    visible movies that no earlier genre shows: a movie of several genres (Pulp Fiction is
    drama, comedy and thriller) appears once, under the first. A genre left empty is dropped."""
    names = (
        Genre.objects.annotate(n=Count("movies", filter=Q(movies__hidden=False)))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("name", flat=True)[:genres]
    )
    shown: set[int] = set()
    groups = []
    for name in names:
        movies = movies_popular(limit=per_genre, genre=name, exclude=shown)
        shown.update(m.pk for m in movies)
        if movies:
            groups.append((name, movies))
    return groups


def movies_by_ids(movie_ids: Iterable[int]) -> dict[int, Movie]:
    return {m.pk: m for m in Movie.objects.filter(pk__in=list(movie_ids))}


LIKED_RATING = 4.0  # a dataset rating of 4 or more counts as liked, not only watched


def liked_movie_ids(*, user) -> set[int]:
    """The user's movies rated LIKED_RATING or more (a pick has no rating: only watched)."""
    return set(
        Rating.objects.filter(user=user, rating__gte=LIKED_RATING).values_list(
            "movie_id", flat=True
        )
    )


def watched_movie_ids(*, user) -> list[int]:
    """The user's interactions (dataset ratings or site picks), oldest first."""
    return list(
        Rating.objects.filter(user=user)
        .order_by("timestamp", "pk")
        .values_list("movie_id", flat=True)
    )


POSTER_HOST = "https://image.tmdb.org"
POSTER_BASE_URL = f"{POSTER_HOST}/t/p/w342"
# The card shows the poster 120 CSS pixels wide (84 on narrow screens): TMDb's w154 serves a
# plain screen, w342 a 2x one (`POSTER_SIZES` feed the card's srcset).
POSTER_SIZES = (154, 342)
# TMDb's poster paths are one file name ("/qJ2tW6WMUDux911r6m7haRef0WH.jpg"); anything else
# is not a poster and the card shows its placeholder.
_POSTER_PATH = re.compile(r"/?[A-Za-z0-9_-]+\.(?:jpe?g|png|webp)", re.IGNORECASE)
TOP_CAST = 5
# A card opens at most this much of the overview (a synced overview can be any length).
CARD_OVERVIEW_CHARS = 700


def movies_with_details(
    movie_ids: Iterable[int], *, with_translations: bool = False
) -> dict[int, Movie]:
    """Movies with their genres, keywords and credits (people included) in four queries,
    whatever the number of movies; with their translations too (`Movie.text_in`) in five."""
    credits = Credit.objects.select_related("person").order_by("role", "order", "person__name")
    movies = Movie.objects.filter(pk__in=list(movie_ids)).prefetch_related(
        Prefetch("genres", queryset=Genre.objects.order_by("name")),
        Prefetch("keywords", queryset=Keyword.objects.order_by("name")),
        Prefetch("credits", queryset=credits),
    )
    if with_translations:
        movies = movies.prefetch_related("translations")
    return {m.pk: m for m in movies}


def _people(movie: Movie, role: str) -> tuple[str, ...]:
    # Uses the prefetched credits (ordered by role, billing order): no query per movie.
    return tuple(c.person.name for c in movie.credits.all() if c.role == role)


@dataclass(frozen=True)
class MovieCard:
    movie_id: int
    title: str
    year: int | None
    genres: tuple[str, ...]
    directors: tuple[str, ...]
    cast: tuple[str, ...]  # top billed, at most TOP_CAST
    runtime: int | None
    vote_average: float | None
    overview: str  # at most CARD_OVERVIEW_CHARS characters
    poster_url: str | None
    poster_srcset: str = ""  # the same poster in POSTER_SIZES, for the card's srcset
    original_title: str = ""  # when it differs from `title`


def _poster(movie: Movie) -> tuple[str | None, str]:
    path = (movie.poster_path or "").strip()
    if not path:
        return None, ""
    if not _POSTER_PATH.fullmatch(path):
        logger.warning("Movie %s: poster path %r is not a TMDb file name", movie.pk, path[:80])
        return None, ""
    name = path.lstrip("/")
    srcset = ", ".join(f"{POSTER_HOST}/t/p/w{w}/{name} {w}w" for w in POSTER_SIZES)
    return f"{POSTER_BASE_URL}/{name}", srcset


def movie_cards(*, movie_ids: Iterable[int], language: str | None = None) -> dict[int, MovieCard]:
    """What a movie card shows, for each id that exists (hidden movies included: a list that
    was shown before a movie was hidden still renders). Title and overview are in `language`
    ("ko", "en") where the catalogue has them (`MovieTranslation`), the movie's own otherwise."""
    cards = {}
    for pk, movie in movies_with_details(movie_ids, with_translations=True).items():
        title, overview, _tagline = movie.text_in(language or "")
        poster_url, poster_srcset = _poster(movie)
        original = movie.original_title.strip()
        cards[pk] = MovieCard(
            movie_id=pk,
            title=title,
            year=movie.year,
            genres=tuple(genre_name(g.name, language or "") for g in movie.genres.all()),
            directors=_people(movie, Credit.Role.DIRECTOR),
            cast=_people(movie, Credit.Role.CAST)[:TOP_CAST],
            runtime=movie.runtime,
            vote_average=movie.vote_average,
            overview=Truncator(overview.strip()).chars(CARD_OVERVIEW_CHARS),
            poster_url=poster_url,
            poster_srcset=poster_srcset,
            original_title=original if original != title else "",
        )
    return cards
