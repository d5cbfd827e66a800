"""TMDb v3 API, without Django: `client` (HTTP, pacing, retries) and `payload` (JSON → plain
records). The sync that writes them into the catalogue is `movies.services.tmdb_sync`."""

from .client import (
    DEFAULT_RATE,
    DEFAULT_URL,
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbMalformed,
    TmdbNotFound,
    TmdbUnavailable,
)
from .payload import BadPayload, MovieRecord, PersonRecord, movie_record, person_record

__all__ = [
    "DEFAULT_RATE",
    "DEFAULT_URL",
    "BadPayload",
    "MovieRecord",
    "PersonRecord",
    "TmdbAuthError",
    "TmdbClient",
    "TmdbError",
    "TmdbMalformed",
    "TmdbNotFound",
    "TmdbUnavailable",
    "movie_record",
    "person_record",
]
