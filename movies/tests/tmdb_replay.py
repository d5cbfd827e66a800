"""A local stand-in for the TMDb v3 API: a `ThreadingHTTPServer` on 127.0.0.1 (random port) that
answers in TMDb's documented JSON shapes, for the sync's tests and its benchmark.

- paged lists (`/discover/movie`, `/movie/now_playing`, `/movie/popular`, `/movie/changes`):
  `{"page", "results", "total_pages", "total_results"}`, 20 per page (changes: 100), now playing
  with its `dates`;
- `/movie/{id}` with `append_to_response` (only the sections asked for are appended);
- `/person/{id}` with `translations`; `/authentication`;
- TMDb's error bodies (`{"success": false, "status_code": 7, "status_message": ...}`) for 401,
  404, 429 (with `Retry-After`) and 500, and scripted faults (`fail`) including a malformed body;
- optionally a rate limit (429 past N requests in any second) and a per-request latency.

Every request is recorded (`requests`: path, query, time) so a test can see what was asked when.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "replay-read-access-token"
ERRORS = {
    401: (7, "Invalid API key: You must be granted a valid key."),
    404: (34, "The resource you requested could not be found."),
    429: (25, "Your request count (#) is over the allowed limit of (40)."),
    500: (11, "Internal error: Something went wrong, contact TMDb."),
}
APPENDABLE = ("credits", "keywords", "translations", "external_ids")


def error_body(status: int) -> dict:
    code, message = ERRORS.get(status, (0, "Error."))
    return {"success": False, "status_code": code, "status_message": message}


def translation(lang: str, region: str, *, title: str = "", overview: str = "",
                tagline: str = "") -> dict:  # fmt: skip
    return {
        "iso_3166_1": region, "iso_639_1": lang, "name": lang, "english_name": lang,
        "data": {"homepage": "", "overview": overview, "runtime": 0, "tagline": tagline,
                 "title": title},
    }  # fmt: skip


def movie(tmdb_id: int, title: str, *, year: int = 2025, original_title: str | None = None,
          original_language: str = "en", overview: str = "An overview.", tagline: str = "",
          genres: tuple[str, ...] = ("Drama",), keywords: tuple[str, ...] = (),
          cast: tuple[tuple[int, str, str], ...] = (), directors: tuple[tuple[int, str], ...] = (),
          translations: tuple[dict, ...] = (), imdb: str | None = None,
          poster: str | None = "/poster.jpg", runtime: int | None = 110) -> dict:  # fmt: skip
    """A `/movie/{id}` answer with all four appendable sections, as TMDb documents them."""
    genre_ids = {"Drama": 18, "Science Fiction": 878, "Thriller": 53, "Comedy": 35}
    return {
        "adult": False, "backdrop_path": None, "belongs_to_collection": None, "budget": 0,
        "genres": [{"id": genre_ids.get(g, 99), "name": g} for g in genres],
        "homepage": "", "id": tmdb_id, "imdb_id": imdb,
        "origin_country": ["US"], "original_language": original_language,
        "original_title": original_title if original_title is not None else title,
        "overview": overview, "popularity": 12.5, "poster_path": poster,
        "production_companies": [{"id": 1, "logo_path": None, "name": "Studio",
                                  "origin_country": "US"}],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "release_date": f"{year}-05-30", "revenue": 0, "runtime": runtime,
        "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
        "status": "Released", "tagline": tagline, "title": title, "video": False,
        "vote_average": 7.5, "vote_count": 120,
        "credits": {
            "cast": [
                {"adult": False, "gender": 2, "id": pid, "known_for_department": "Acting",
                 "name": name, "original_name": name, "popularity": 1.0, "profile_path": None,
                 "cast_id": i, "character": character, "credit_id": f"c{tmdb_id}-{pid}",
                 "order": i}
                for i, (pid, name, character) in enumerate(cast)
            ],
            "crew": [
                {"adult": False, "gender": 2, "id": pid, "known_for_department": "Directing",
                 "name": name, "original_name": name, "popularity": 1.0, "profile_path": None,
                 "credit_id": f"d{tmdb_id}-{pid}", "department": "Directing", "job": "Director"}
                for pid, name in directors
            ],
        },
        "keywords": {"keywords": [{"id": i, "name": k} for i, k in enumerate(keywords, 1)]},
        "translations": {"translations": list(translations)},
        "external_ids": {"imdb_id": imdb, "wikidata_id": None, "facebook_id": None,
                         "instagram_id": None, "twitter_id": None},
    }  # fmt: skip


def person(tmdb_id: int, name: str, *, names: dict[str, str] | None = None,
           also_known_as: tuple[str, ...] = ()) -> dict:  # fmt: skip
    """A `/person/{id}?append_to_response=translations` answer; `names` = {"ko-KR": "봉준호"}."""
    entries = []
    for tag, local in (names or {}).items():
        lang, _, region = tag.partition("-")
        data = {"biography": "", "name": local}
        entries.append(
            {"iso_3166_1": region, "iso_639_1": lang, "name": lang, "english_name": lang,
             "data": data}
        )  # fmt: skip
    return {
        "adult": False, "also_known_as": list(also_known_as), "biography": "", "birthday": None,
        "deathday": None, "gender": 2, "homepage": None, "id": tmdb_id, "imdb_id": None,
        "known_for_department": "Acting", "name": name, "place_of_birth": None,
        "popularity": 1.0, "profile_path": None, "translations": {"translations": entries},
    }  # fmt: skip


@dataclass
class Reply:
    status: int
    body: object = None  # dict → JSON; bytes → sent as is (a malformed body)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    at: float
    status: int = 0


class TmdbReplay:
    """The server. Fill `movies`, `people` and the lists, then `start()` (or use as a context
    manager); `url` is the base URL to give the client."""

    def __init__(self, *, token: str = TOKEN, rate_limit: int | None = None,
                 latency_s: float = 0.0) -> None:  # fmt: skip
        self.token = token
        self.movies: dict[int, dict] = {}
        self.people: dict[int, dict] = {}
        self.lists: dict[str, list[int]] = {"discover": [], "now_playing": [], "popular": []}
        self.changes: list[int] = []
        self.faults: dict[str, deque[Reply]] = {}
        self.requests: list[Seen] = []
        self.rate_limit, self.latency_s = rate_limit, latency_s
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def fail(self, path: str, *replies: Reply) -> None:
        """The next requests to `path` get these replies, in order, before the normal answer."""
        self.faults.setdefault(path, deque()).extend(replies)

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    # --- answers -------------------------------------------------------------------------------

    def _paged(self, ids: list[int], query: dict, per_page: int = 20, **extra) -> Reply:
        page = int(query.get("page", "1"))
        total_pages = max(1, -(-len(ids) // per_page))
        chunk = ids[(page - 1) * per_page : page * per_page]
        results = [
            {"adult": False, "id": i, "title": self.movies.get(i, {}).get("title", f"#{i}"),
             "genre_ids": [18], "popularity": 1.0, "poster_path": None}
            for i in chunk
        ]  # fmt: skip
        body = {"page": page, "results": results, "total_pages": total_pages,
                "total_results": len(ids), **extra}  # fmt: skip
        return Reply(200, body)

    def answer(self, path: str, query: dict) -> Reply:
        parts = path.strip("/").split("/")
        if path == "/authentication":
            return Reply(200, {"success": True, "status_code": 1, "status_message": "Success."})
        if path == "/discover/movie":
            return self._paged(self.lists["discover"], query)
        if path in ("/movie/now_playing", "/movie/popular"):
            extra = {"dates": {"maximum": "2026-12-10", "minimum": "2026-10-29"}}
            return self._paged(self.lists[parts[1]], query, **extra)
        if path == "/movie/changes":
            body = self._paged(self.changes, query, per_page=100).body
            body["results"] = [{"id": r["id"], "adult": False} for r in body["results"]]
            return Reply(200, body)
        if len(parts) == 2 and parts[0] in ("movie", "person") and parts[1].isdigit():
            store = self.movies if parts[0] == "movie" else self.people
            found = store.get(int(parts[1]))
            if found is None:
                return Reply(404, error_body(404))
            asked = set(query.get("append_to_response", "").split(","))
            keep = {k: v for k, v in found.items() if k not in APPENDABLE or k in asked}
            return Reply(200, keep)
        return Reply(404, error_body(404))

    def _reply(self, handler: BaseHTTPRequestHandler) -> Reply:
        split = urlsplit(handler.path)
        path = split.path.removeprefix("/3")
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        now = time.monotonic()
        seen = Seen(path, query, now)
        with self._lock:
            self.requests.append(seen)
            if self.rate_limit:
                while self._recent and now - self._recent[0] >= 1.0:
                    self._recent.popleft()
                self._recent.append(now)
                if len(self._recent) > self.rate_limit:
                    seen.status = 429
                    return Reply(429, error_body(429), {"Retry-After": "1"})
            fault = self.faults.get(path)
            scripted = fault.popleft() if fault else None
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            reply = Reply(401, error_body(401))
        else:
            reply = scripted or self.answer(path, query)
        seen.status = reply.status
        return reply

    # --- server --------------------------------------------------------------------------------

    def start(self) -> str:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as TMDb

            def do_GET(self):
                reply = replay._reply(self)
                if replay.latency_s:
                    time.sleep(replay.latency_s)
                raw = reply.body if isinstance(reply.body, bytes) else json.dumps(
                    reply.body, ensure_ascii=False).encode()  # fmt: skip
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/3"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> TmdbReplay:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
