"""Small MovieLens and TMDb files written into a test's tmp_path: valid ones to start from, and
the means to break them in one place."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

MOVIES = (
    "movieId,title,genres\n"
    "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
    "2,Heat (1995),Action|Crime|Thriller\n"
    '3,"Shawshank Redemption, The (1994)",Crime|Drama\n'
    "4,Amélie (Fabuleux destin d'Amélie Poulain) (2001),Comedy|Romance\n"
)
LINKS = "movieId,imdbId,tmdbId\n1,0114709,862\n2,0113277,949\n3,0111161,278\n4,0211915,194\n"
RATINGS = (
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,964982703\n"
    "1,2,3.5,964982704\n"
    "1,3,5.0,964982705\n"
    "2,1,0.5,964982706\n"
    "2,4,4.5,964982707\n"
    "3,3,3.0,964982708\n"
)
TAGS = "userId,movieId,tag,timestamp\n2,4,paris,1445714994\n3,3,prison,1445714995\n"


def csv_family(
    folder: Path,
    *,
    movies: str | bytes = MOVIES,
    links: str | bytes | None = LINKS,
    ratings: str | bytes = RATINGS,
    tags: str | bytes | None = TAGS,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"movies.csv": movies, "links.csv": links, "ratings.csv": ratings, "tags.csv": tags}
    for name, content in files.items():
        if content is None:
            continue
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def _item(item_id: int, title: str, date: str, genres: set[int]) -> str:
    flags = "|".join("1" if i in genres else "0" for i in range(19))
    return f"{item_id}|{title}|{date}||http://us.imdb.com/M/title-exact?x|{flags}"


ML100K_ITEMS = (
    "\n".join(
        [
            _item(1, "Toy Story (1995)", "01-Jan-1995", {3, 4, 5}),
            _item(2, "Heat (1995)", "01-Jan-1995", {1, 6, 16}),
            _item(3, "Shawshank Redemption, The (1994)", "01-Jan-1994", {8}),
            _item(4, "Kolya (1996)", "24-Jan-1997", {5}),
            _item(5, "unknown", "", {0}),
        ]
    )
    + "\n"
)
ML100K_USERS = "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n"
ML100K_RATINGS = (
    "1\t1\t5\t874965758\n"
    "1\t2\t3\t876893171\n"
    "2\t3\t4\t878542960\n"
    "2\t4\t2\t876893119\n"
    "3\t1\t4\t889751712\n"
    "3\t5\t1\t875071561\n"
)


def ml100k(
    folder: Path,
    *,
    items: str | bytes = ML100K_ITEMS,
    users: str | bytes = ML100K_USERS,
    ratings: str | bytes = ML100K_RATINGS,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in {"u.item": items, "u.user": users, "u.data": ratings}.items():
        data = content.encode("latin-1") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def _json(items) -> str:
    return json.dumps(items)


TMDB5000_HEADER = (
    "budget,genres,homepage,id,keywords,original_language,original_title,overview,popularity,"
    "production_companies,production_countries,release_date,revenue,runtime,spoken_languages,"
    "status,tagline,title,vote_average,vote_count"
)


def tmdb5000_row(tmdb_id: int, title: str, date: str, overview: str, **extra) -> list[str]:
    genres = extra.get("genres", [{"id": 18, "name": "Drama"}])
    keywords = extra.get("keywords", [{"id": 1, "name": "prison"}])
    return [
        "1000",
        _json(genres),
        "",
        str(tmdb_id),
        _json(keywords),
        "en",
        title,
        overview,
        "12.5",
        _json([{"name": "Castle Rock", "id": 97}]),
        _json([{"iso_3166_1": "US", "name": "United States of America"}]),
        date,
        "0",
        extra.get("runtime", "142"),
        _json([{"iso_639_1": "en", "name": "English"}]),
        "Released",
        "Fear can hold you prisoner.",
        title,
        "8.5",
        "8358",
    ]


UDACITY_HEADER = (
    "id,imdb_id,popularity,budget,revenue,original_title,cast,homepage,director,tagline,"
    "keywords,overview,runtime,genres,production_companies,release_date,vote_count,"
    "vote_average,release_year,budget_adj,revenue_adj"
)


def udacity_row(
    tmdb_id: int,
    imdb: str,
    title: str,
    cast: str,
    director: str,
    year: int,
    overview: str,
    keywords: str = "toy|friendship",
) -> list[str]:
    return [
        str(tmdb_id), imdb, "3.2", "0", "0", title, cast, "", director, "", keywords,
        overview, "81", "Animation|Comedy|Family", "Pixar", f"10/30/{year % 100:02d}", "5000",
        "7.7", str(year), "0", "0",
    ]  # fmt: skip


def garble(text: str) -> str:
    """`text` as the published tmdb-movies.csv holds it: its UTF-8 bytes read as Windows-1252,
    the five bytes Windows-1252 lacks dropped ("Miloš" → "MiloÅ¡", "Ángel" → "Ãngel")."""
    return text.encode("utf-8").decode("cp1252", errors="ignore")


def with_bom(text: str | bytes) -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return b"\xef\xbb\xbf" + data


def csv_text(header: str, rows: list[list[str]]) -> str:
    import csv

    out = io.StringIO()
    out.write(header + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def zipped(path: Path, members: dict[str, str | bytes], *, macosx_junk: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
            if macosx_junk:
                archive.writestr(f"__MACOSX/._{name}", b"\x00\x05\x16\x07junk")
    return path
