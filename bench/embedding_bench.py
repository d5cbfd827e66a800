"""Taste-text retrieval: build time of the sentence-embedding index over ml-latest-small (with
TMDb overviews, directors, cast and keywords joined through links.csv tmdbId), query latency
p50/p95 over ~200 queries, an incremental rebuild, save/load, RSS; a quality number (find a
movie from its TMDb tagline, which the index text does not hold: recall@1/@10 and MRR over
500 taglines); plus the top hits of a few showcase queries.

    python bench/embedding_bench.py [--data DIR] [--model packaged:all-minilm-l6-v2]
        [--text site|full] [--dtype auto|float32|bfloat16] [--max-tokens 128]
        [--queries 200] [--taglines 500] [--limit N]
        [--json bench/out/embedding_bench.json] [--compare-to OTHER.json]

`--text site` encodes what the site encodes (`embeddings_index.encoder_text`), `--text full`
the whole description (the site's text before the encoder text was capped). `--compare-to`
reads another run's JSON and reports how many of each query's top 10 both runs share.

No Django: the texts are composed with `movies.describe.movie_description` (the same function
the site uses), the index is `llm_worker.embeddings_index`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import psutil

from llm_worker.embeddings_index import (
    PACKAGED_MINILM,
    EmbeddingIndex,
    SentenceTransformerEncoder,
    encoder_text,
    normalise_rows,
)
from movies.describe import MovieFacts, movie_description
from movies.importers.movielens import parse_title

# Kept equal to llm_worker.embeddings (not imported: that module needs Django settings).
TITLE_WEIGHT = 0.5
LANGUAGE_NAMES = {"ko": "Korean", "ja": "Japanese", "zh": "Chinese", "fr": "French",
                  "de": "German", "es": "Spanish", "it": "Italian", "hi": "Hindi"}  # fmt: skip
SHOWCASE = [
    ("slow-burn Korean thrillers", None),
    ("like Inception but warmer", "Inception"),
    ("a heartwarming animated film about family", None),
    ("gritty 1970s New York crime drama", None),
    ("긴장감 넘치는 스릴러 (Thriller)", None),  # the Korean gloss the service appends
]
ADJECTIVES = ["slow-burn", "dark", "funny", "heartwarming", "gritty", "quiet", "epic",
              "weird", "romantic", "scary", "feel-good", "violent", "thoughtful", "light",
              "sad"]  # fmt: skip
TOPICS = ["Korean thrillers", "space adventures", "courtroom dramas", "heist movies",
          "coming-of-age stories", "zombie films", "musicals", "war films", "detective stories",
          "road movies", "sports dramas", "time travel stories", "monster movies",
          "French romances", "Japanese animation"]  # fmt: skip


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def read_csv(path: Path, member: str | None = None) -> list[dict]:
    if member is None:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    with zipfile.ZipFile(path) as archive:
        return list(csv.DictReader(io.TextIOWrapper(archive.open(member), "utf-8", newline="")))


def catalogue(data: Path) -> tuple[list[int], list[str], dict[str, int], dict, dict[int, str]]:
    """(movieIds, full descriptions, normalised title → movieId, counts, movieId → TMDb
    tagline) of ml-latest-small."""
    movies = read_csv(data / "ml-latest-small" / "movies.csv")
    tmdb_of = {
        int(r["movieId"]): int(r["tmdbId"])
        for r in read_csv(data / "ml-latest-small" / "links.csv")
        if r["tmdbId"]
    }
    tmdb_dir = data / "tmdb"
    details: dict[int, dict] = {}
    language: dict[int, str] = {}
    tagline: dict[int, str] = {}
    if (tmdb_dir / "tmdb-movies.zip").exists():
        for r in read_csv(tmdb_dir / "tmdb-movies.zip", "tmdb-movies.csv"):
            details.setdefault(int(r["id"]), r)
            tagline.setdefault(int(r["id"]), r["tagline"].strip())
    if (tmdb_dir / "tmdb_5000_movies.csv.zip").exists():
        for r in read_csv(tmdb_dir / "tmdb_5000_movies.csv.zip", "tmdb_5000_movies.csv"):
            language[int(r["id"])] = r["original_language"]
            details.setdefault(int(r["id"]), {"overview": r["overview"]})
            tagline.setdefault(int(r["id"]), r["tagline"].strip())
    ids, texts, titles = [], [], {}
    with_overview = 0
    for r in movies:
        parsed = parse_title(r["title"])
        title, year = parsed.title, parsed.year
        extra = details.get(tmdb_of.get(int(r["movieId"]), -1), {})
        split = lambda v: tuple(x for x in (v or "").split("|") if x)  # noqa: E731
        facts = MovieFacts(
            title=title,
            year=year,
            genres=tuple(g for g in r["genres"].split("|") if g != "(no genres listed)"),
            directors=split(extra.get("director")),
            cast=split(extra.get("cast")),
            keywords=split(extra.get("keywords")),
            runtime=int(extra.get("runtime") or 0)
            if str(extra.get("runtime", "")).isdigit()
            else None,
            overview=extra.get("overview", ""),
        )
        with_overview += bool(facts.overview.strip())
        lines = movie_description(facts, "en").split("\n")
        lang = language.get(tmdb_of.get(int(r["movieId"]), -1))
        if lang in LANGUAGE_NAMES:
            lines.insert(1, f"Language: {LANGUAGE_NAMES[lang]}")
        ids.append(int(r["movieId"]))
        texts.append("\n".join(lines))
        titles.setdefault(parsed.main_title.casefold(), int(r["movieId"]))
    taglines = {m: tagline[t] for m, t in tmdb_of.items() if m in set(ids) and tagline.get(t)}
    counts = {"movies": len(ids), "with_overview": with_overview, "tmdb_rows": len(details),
              "with_tagline": len(taglines)}  # fmt: skip
    return ids, texts, titles, counts, taglines


def tagline_quality(index: EmbeddingIndex, taglines: dict[int, str], n: int) -> dict:
    """Known-item search: each of `n` seeded taglines should find its own movie. The tagline
    is not in the index text, so this asks what a taste text asks: match meaning, not words."""
    rng = random.Random(1)
    picked = rng.sample(sorted(taglines), min(n, len(taglines)))
    ranks = []
    for movie_id in picked:
        hits = [i for i, _ in index.query(taglines[movie_id], 100)]
        ranks.append(hits.index(movie_id) + 1 if movie_id in hits else None)
    found = [r for r in ranks if r is not None]
    return {
        "n": len(picked),
        "recall_at_1": sum(r == 1 for r in found) / len(picked),
        "recall_at_10": sum(r <= 10 for r in found) / len(picked),
        "mrr_at_100": sum(1 / r for r in found) / len(picked),
    }


def queries(n: int, titles: list[str], seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = [f"{a} {t}" for a in ADJECTIVES for t in TOPICS]
    rng.shuffle(out)
    out = out[: n - n // 4]
    out += [f"like {rng.choice(titles)} but {rng.choice(ADJECTIVES)}" for _ in range(n // 4)]
    return out


class Progress:
    """The encoder, reporting throughput on stderr as it goes (a long build on a busy machine)."""

    def __init__(self, encoder) -> None:
        self.encoder, self.name, self.done, self.started = encoder, encoder.name, 0, None

    def encode(self, texts: list[str]) -> np.ndarray:
        self.started = self.started or time.perf_counter()
        out = self.encoder.encode(texts)
        self.done += len(texts)
        if len(texts) > SentenceTransformerEncoder.QUERY_BATCH:
            rate = self.done / (time.perf_counter() - self.started)
            print(f"  encoded {self.done:,} texts, {rate:.1f}/s", file=sys.stderr, flush=True)
        return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(
            os.environ.get(
                "LLECOMMEND_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "datasets"
            )
        ),
    )
    parser.add_argument("--model", default=PACKAGED_MINILM)
    parser.add_argument("--text", choices=("site", "full"), default="site")
    parser.add_argument("--dtype", choices=("auto", "float32", "bfloat16"), default="auto")
    parser.add_argument("--max-tokens", type=int, default=SentenceTransformerEncoder.MAX_TOKENS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--taglines", type=int, default=500)
    parser.add_argument("--compare-to", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="index only the N most-rated movies")
    parser.add_argument("--json", type=Path, default=Path("bench/out/embedding_bench.json"))
    args = parser.parse_args()

    rows: list[tuple[str, str]] = []
    rss0 = rss_mb()
    t = time.perf_counter()
    ids, texts, titles, counts, taglines = catalogue(args.data)
    if args.text == "site":
        texts = [encoder_text(x) for x in texts]
    if args.limit:
        # The most-rated movies: the ones a taste query should find, and recognisable in the
        # showcase (the first N ids would be mostly mid-1990s releases).
        counts_by_id: dict[int, int] = {}
        for r in read_csv(args.data / "ml-latest-small" / "ratings.csv"):
            counts_by_id[int(r["movieId"])] = counts_by_id.get(int(r["movieId"]), 0) + 1
        keep = set(sorted(ids, key=lambda i: -counts_by_id.get(i, 0))[: args.limit])
        pairs = [(i, t) for i, t in zip(ids, texts, strict=True) if i in keep]
        ids, texts = [i for i, _ in pairs], [t for _, t in pairs]
    rows.append(("catalogue texts", f"{len(ids):,} movies ({counts['with_overview']:,} with a "
                 f"TMDb overview), {time.perf_counter() - t:.1f} s"))  # fmt: skip
    mean_chars = statistics.mean(len(x) for x in texts)

    t = time.perf_counter()
    encoder = SentenceTransformerEncoder(args.model, dtype=args.dtype, max_tokens=args.max_tokens)
    load_s = time.perf_counter() - t
    rss_model = rss_mb()
    rows.append(("model load", f"{load_s:.1f} s ({args.model}, {encoder.dtype}, "
                 f"{encoder.model.max_seq_length} word pieces at most)"))  # fmt: skip

    t, cpu = time.perf_counter(), time.process_time()
    index = EmbeddingIndex.build(ids, texts, encoder=Progress(encoder))
    index.encoder = encoder
    build_s, build_cpu_s = time.perf_counter() - t, time.process_time() - cpu
    rows.append(("index build (all texts)", f"{build_s:.1f} s = {len(ids) / build_s:.0f} texts/s "
                 f"(CPU {build_cpu_s:.0f} s), {args.text} text: mean {mean_chars:.0f} chars, "
                 f"{index.dim} dims"))  # fmt: skip

    changed = list(texts)
    for i in range(0, len(changed), max(1, len(changed) // 10))[:10]:
        changed[i] += "\nKeywords: edited"
    t = time.perf_counter()
    EmbeddingIndex.build(ids, changed, encoder=encoder, reuse=index)
    rows.append(("rebuild, 10 descriptions changed", f"{time.perf_counter() - t:.2f} s"))

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        index.save(Path(tmp) / "idx")
        save_s = time.perf_counter() - t
        size = sum(p.stat().st_size for p in (Path(tmp) / "idx").iterdir())
        t = time.perf_counter()
        EmbeddingIndex.load(Path(tmp) / "idx", encoder=encoder)
        load_ms = (time.perf_counter() - t) * 1000
        rows.append(("save / load", f"{save_s * 1000:.0f} ms / {load_ms:.0f} ms, "
                     f"{size / 2**20:.1f} MiB"))  # fmt: skip

    title_list = [x for x in titles if len(x) > 3]
    qs = queries(args.queries, sorted(title_list))
    index.query(qs[0], 10)  # warm-up
    encode_ms, search_ms, total_ms = [], [], []
    for q in qs:
        t0 = time.perf_counter()
        vector = index.encode_query(q)
        t1 = time.perf_counter()
        index.query(vector, 10)
        t2 = time.perf_counter()
        encode_ms.append((t1 - t0) * 1000)
        search_ms.append((t2 - t1) * 1000)
        total_ms.append((t2 - t0) * 1000)
    rows.append(("query (encode + search), k=10", f"p50 {pct(total_ms, 50):.1f} ms, "
                 f"p95 {pct(total_ms, 95):.1f} ms over {len(qs)} queries"))  # fmt: skip
    rows.append(("  of which encode", f"p50 {pct(encode_ms, 50):.1f} ms, "
                 f"p95 {pct(encode_ms, 95):.1f} ms"))  # fmt: skip
    rows.append(("  of which matrix-vector + top-k", f"p50 {pct(search_ms, 50):.2f} ms, "
                 f"p95 {pct(search_ms, 95):.2f} ms"))  # fmt: skip
    quality = tagline_quality(index, taglines, args.taglines)
    rows.append(("quality: movie from its tagline", f"recall@1 {quality['recall_at_1']:.3f}, "
                 f"recall@10 {quality['recall_at_10']:.3f}, MRR@100 {quality['mrr_at_100']:.3f} "
                 f"over {quality['n']} taglines"))  # fmt: skip
    top10 = {q: [i for i, _ in index.query(q, 10)] for q in qs}
    if args.compare_to is not None:
        other = json.loads(args.compare_to.read_text(encoding="utf-8")).get("top10", {})
        shared = [len(set(top10[q]) & set(other[q])) / 10 for q in qs if q in other]
        if shared:
            rows.append((f"top 10 shared with {args.compare_to.name}",
                         f"{statistics.mean(shared):.2f} over {len(shared)} queries"))  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("RSS", f"start {rss0:.0f} MB, model loaded {rss_model:.0f} MB, "
                 f"now {rss_mb():.0f} MB, peak {peak:.0f} MB"))  # fmt: skip

    head = {i: t.split("\n", 1)[0] for i, t in zip(ids, texts, strict=True)}
    showcase = {}
    for text, named in SHOWCASE:
        vector = index.encode_query(text)
        ref = titles.get(named.casefold()) if named else None
        if ref is not None and index.vector_of(ref) is not None:
            vector = normalise_rows(
                (1 - TITLE_WEIGHT) * vector + TITLE_WEIGHT * index.vector_of(ref)
            )[0]
        hits = index.query(vector, 5, exclude_ids={ref} if ref else ())
        showcase[text] = [(head[i], round(s, 3)) for i, s in hits]

    width = max(len(k) for k, _ in rows)
    print(f"\nEmbedding retrieval — ml-latest-small + TMDb, {os.cpu_count()} CPU cores "
          "(shared machine: timings are upper bounds)\n")  # fmt: skip
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    for text, hits in showcase.items():
        print(f"\n{text!r}:")
        for title, score in hits:
            print(f"   {score:.3f}  {title}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "model": args.model, "text": args.text, "dtype": encoder.dtype, "counts": counts,
        "build_s": build_s, "build_cpu_s": build_cpu_s, "quality": quality, "top10": top10,
        "load_model_s": load_s,
        "query_ms": {"p50": pct(total_ms, 50), "p95": pct(total_ms, 95)},
        "encode_ms": {"p50": pct(encode_ms, 50), "p95": pct(encode_ms, 95)},
        "search_ms": {"p50": pct(search_ms, 50), "p95": pct(search_ms, 95)},
        "rss_mb": {"start": rss0, "model": rss_model, "peak": peak},
        "rows": rows, "showcase": showcase,
    }, indent=1, ensure_ascii=False))  # fmt: skip
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
