"""Does the top 10 honour what the user asked? Issue 13's numbers, on the real catalogue.

    python bench/taste_bench.py [--users 8] [--foldin 2] [--turns 24] [--text-index build|skip]
        [--loo] [--budget-s 1800] [--fresh]

Setup (once; kept in bench/out/taste_bench/ for the next run, `--fresh` starts over): a SQLite
database migrated and filled like `manage.py load_demo` (ml-latest-small + the TMDb files from
LLECOMMEND_DATA_DIR), an EASE model version (the fast kind, fixed hyperparameters) trained on it
and activated, and the taste-text index built (`--text-index skip` leaves it out: mood words are
then not used and the list says so, as when another process is still building it).

Then, for several ml-latest-small users (and `--foldin` site-like users folded in from 10 of a
dataset user's best-rated movies), each request of `bench/taste_requests.py` (English and
Korean, each with a criterion read from catalogue facts) in a fresh conversation:
- before: the recommender's top 10 alone (`candidates.candidates_for_user`, the old list without
  the taste-text interleave);
- after: the real chat path (`chat.chat_post`: the turn stored, the list filled by
  `list_flow.recommendation_list_fill` with the grounded engine, eagerly), its top 10 as stored.
Printed: the share of the top 10 meeting the criterion per request and per kind, and for each
hard constraint how many matching movies the user has not seen (the 0.9 goal counts pairs with
at least 10).
No request: the served path calls `candidates_for_user` unchanged; checked here for every bench
user (`retrieval.retrieve` with an empty request and a home list's stored order against it), and
with `--loo` the offline leave-one-out NDCG@10 of the blend is recomputed (about 0.0801 before).
Latency: `recommendation_list_fill` for chat turns after a warm-up, per step (understanding,
retrieval, re-rank, store), in fresh conversations and in one 20-plus-turn conversation.
Writes bench/out/taste_bench.json. Timings on a shared 2-core machine are upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
WORK = OUT / "taste_bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from taste_bench_support import (  # noqa: E402
    K,
    Steps,
    bench_users,
    catalogue_facts,
    chat_turn,
    django_setup,
    fresh_conversation,
    instrument,
    pct,
    seed_id,
    watched,
)

GOAL_SHARE, GOAL_P95_S, ENOUGH = 0.9, 2.0, 10
LOO_BEFORE = 0.0801


# -- the sections --------------------------------------------------------------------------------
def parsed_summary(text: str) -> str:
    """What the grounded parser linked in the words (as the chat's answer would say)."""
    from llm_worker.taste.grounded_parser import grounded_parser
    from movies.lexicon import catalogue_lexicon

    result = grounded_parser(catalogue_lexicon()).parse(text)
    said = [f"{u.kind}{'-' if u.polarity == 'out' else ''}:{u.value}" for u in result.understood]
    missed = [f"?{n.text}" for n in result.not_understood]
    return " ".join(said + missed)[:60]


def quality(users, facts, steps: Steps, deadline: float) -> tuple[list[dict], list[dict], dict]:
    """Before/after top 10 of every request for every user; returns (rows, turns, seeds)."""
    from taste_requests import REQUESTS, satisfies

    from recommendations.candidates import candidates_for_user

    seeds = {r.check.like: seed_id(*r.check.like) for r in REQUESTS if r.check.like}
    matching = {}
    for i, r in enumerate(REQUESTS):
        sid = seeds.get(r.check.like)
        matching[i] = {
            m
            for m, f in facts.items()
            if satisfies(r.check, f, seed_id=sid, movie_id=m, seed=facts.get(sid))
        }
    rows, turns, before = [], [], {}
    for user in users:
        if time.monotonic() > deadline:
            print(f"  time budget spent: {len(before)} of {len(users)} users measured")
            break
        fresh_conversation(user)
        seen = watched(user)
        before[user.pk] = [c.movie_id for c in candidates_for_user(user=user, k=K)]
        for i, r in enumerate(REQUESTS):
            fresh_conversation(user)
            turn = chat_turn(user, r.text, steps)
            turns.append(turn)
            rows.append(
                {
                    "user": user.pk,
                    "request": i,
                    "kind": r.kind,
                    "language": r.language,
                    "unseen_matching": len(matching[i] - seen),
                    "before": sum(m in matching[i] for m in before[user.pk]) / K,
                    "after": sum(m in matching[i] for m in turn["ids"]) / K,
                    "after_n": len(turn["ids"]),
                    "matching": turn["matching"],
                    "relaxed": turn["relaxed"],
                    "degraded": turn["degraded"],
                }
            )
        fresh_conversation(user)
        print(f"  user {user.pk} ({len(seen)} movies): done")
    return rows, turns, seeds


def no_request_check(users, steps: Steps) -> dict:
    """The served path with nothing asked: `retrieve` and a home list against the recommender."""
    from llm_worker.taste import TasteRequest
    from recommendations.candidates import candidates_for_user
    from recommendations.list_flow import recommendation_list_request
    from recommendations.retrieval import retrieve

    same_retrieve = same_list = 0
    fill_s = []
    for user in users:
        fresh_conversation(user)
        plain = [c.movie_id for c in candidates_for_user(user=user, k=K)]
        got = retrieve(user=user, request=TasteRequest(), k=K, pool_size=3 * K)
        same_retrieve += [c.movie_id for c in got.candidates[:K]] == plain
        steps.start()
        lst = recommendation_list_request(user=user, k=K)
        fill_s.append(steps.times.get("fill", float("nan")))
        lst.refresh_from_db()
        same_list += list(lst.items.order_by("rank").values_list("movie_id", flat=True)) == plain
        fresh_conversation(user)
    return {
        "users": len(users),
        "retrieve_same": same_retrieve,
        "home_list_same": same_list,
        "home_fill_p50_s": pct(fill_s, 50),
        "home_fill_p95_s": pct(fill_s, 95),
    }


def conversation(user, steps: Steps, turns: int) -> list[dict]:
    """One conversation of `turns` turns in a row (the standing request reads up to 20)."""
    from taste_requests import MOOD_TURNS, REQUESTS

    texts = [r.text for r in REQUESTS] + list(MOOD_TURNS)
    fresh_conversation(user)
    out = [chat_turn(user, texts[(7 * i) % len(texts)], steps) for i in range(turns)]
    fresh_conversation(user)
    return out


def idle_mood_turns(users, steps: Steps) -> list[dict]:
    """Mood turns as they come on a quiet site: each the first after the taste-text index's
    recheck interval (RECHECK_S), so each recomputes the catalogue's fingerprint. The interval
    is not waited out: the loaded index's last check is set back by it."""
    from taste_requests import MOOD_TURNS

    import llm_worker.embeddings as emb

    out = []
    for user in users[:5]:
        fresh_conversation(user)
        for state in emb._loaded.values():
            state.checked_at -= emb.RECHECK_S
        out.append(chat_turn(user, MOOD_TURNS[0], steps))
        fresh_conversation(user)
    return out


def loo_ndcg(data: Path) -> dict:
    """The offline leave-one-out NDCG@10 on ml-latest-small, as recommender_bench measures it."""
    from recommendations.engine.evaluation import evaluate

    models = ["popularity", "lightfm", "ease", "markov", "blend"]
    t0 = time.perf_counter()
    report = evaluate(data / "ml-latest-small", "loo", models, threads=1, log=lambda m: None)
    return {
        "ndcg@10": {n: round(r["ndcg@10"], 4) for n, r in report.results.items()},
        "blend_weights": report.meta.get("blend_weights"),
        "seconds": round(time.perf_counter() - t0),
    }


# -- printing ------------------------------------------------------------------------------------
def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def print_requests(rows: list[dict]) -> None:
    from taste_requests import REQUESTS

    print(
        f"\n{'#':>2} {'kind':<8} {'lang':<4} {'request':<34} {'parsed (grounded)':<44} "
        f"{'unseen match':>12} {'before':>6} {'after':>6} {'relaxed':>7}"
    )
    for i, r in enumerate(REQUESTS):
        mine = [x for x in rows if x["request"] == i]
        if not mine:
            continue
        counts = [x["unseen_matching"] for x in mine]
        relaxed = sum(1 for x in mine if x["relaxed"])
        said = parsed_summary(r.text)[:44]
        print(
            f"{i:>2} {r.kind:<8} {r.language:<4} {r.text[:34]:<34} {said:<44} "
            f"{min(counts):>5}-{max(counts):<6} {mean(x['before'] for x in mine):6.2f} "
            f"{mean(x['after'] for x in mine):6.2f} {relaxed:>4}/{len(mine)}"
        )


def kind_table(rows: list[dict]) -> dict:
    from taste_requests import HARD_KINDS, KINDS

    print(
        f"\n{'kind':<10} {'requests':>8} {'pairs':>6} {'before':>7} {'after':>7}   "
        f"{'pairs >=10 unseen':>17} {'before':>7} {'after':>7}"
    )
    summary = {}
    groups = [(k, [x for x in rows if x["kind"] == k]) for k in KINDS]
    groups += [
        ("hard, all", [x for x in rows if x["kind"] in HARD_KINDS]),
        ("hard, en", [x for x in rows if x["kind"] in HARD_KINDS and x["language"] == "en"]),
        ("hard, ko", [x for x in rows if x["kind"] in HARD_KINDS and x["language"] == "ko"]),
        ("all", rows),
    ]
    for name, mine in groups:
        if not mine:
            continue
        enough = [x for x in mine if x["unseen_matching"] >= ENOUGH]
        entry = {
            "requests": len({x["request"] for x in mine}),
            "pairs": len(mine),
            "before": mean(x["before"] for x in mine),
            "after": mean(x["after"] for x in mine),
            "pairs_enough": len(enough),
            "before_enough": mean(x["before"] for x in enough),
            "after_enough": mean(x["after"] for x in enough),
        }
        summary[name] = entry
        print(
            f"{name:<10} {entry['requests']:>8} {entry['pairs']:>6} {entry['before']:7.3f} "
            f"{entry['after']:7.3f}   {entry['pairs_enough']:>17} {entry['before_enough']:7.3f} "
            f"{entry['after_enough']:7.3f}"
        )
    return summary


def latency_table(label: str, turns: list[dict]) -> dict:
    fill = [t["steps"].get("fill", float("nan")) for t in turns]
    post = [t["chat_post_s"] for t in turns]
    out = {
        "turns": len(turns),
        "fill_p50_s": pct(fill, 50),
        "fill_p95_s": pct(fill, 95),
        "fill_max_s": max(fill, default=float("nan")),
        "chat_post_p95_s": pct(post, 95),
    }
    labels = list(dict.fromkeys(k for t in turns for k in t["steps"]))
    out["steps_mean_s"] = {k: mean(t["steps"].get(k, 0.0) for t in turns) for k in labels}
    out["steps_p95_s"] = {k: pct([t["steps"].get(k, 0.0) for t in turns], 95) for k in labels}
    print(
        f"\n{label}: {len(turns)} turns; list fill p50 {out['fill_p50_s']:.2f} s, p95 "
        f"{out['fill_p95_s']:.2f} s, max {out['fill_max_s']:.2f} s (goal p95 <= {GOAL_P95_S} s: "
        f"{'PASS' if out['fill_p95_s'] <= GOAL_P95_S else 'MISS'}); chat_post p95 "
        f"{out['chat_post_p95_s']:.2f} s"
    )
    print("  step            mean s   p95 s")
    for k in labels:
        print(f"  {k:<14} {out['steps_mean_s'][k]:7.3f} {out['steps_p95_s'][k]:7.3f}")
    return out


# -- main ----------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("LLECOMMEND_DATA_DIR", ROOT.parent / "shared" / "datasets")),
        help="ml-latest-small/ and tmdb/ (LLECOMMEND_DATA_DIR)",
    )
    parser.add_argument("--users", type=int, default=8, help="ml-latest-small users")
    parser.add_argument("--foldin", type=int, default=2, help="site users with 10 picks")
    parser.add_argument("--turns", type=int, default=24, help="turns of the one conversation")
    parser.add_argument(
        "--text-index",
        choices=("build", "skip"),
        default="build",
        help="build the taste-text index once (minutes), or run as if it were not ready",
    )
    parser.add_argument("--loo", action="store_true", help="recompute the offline LOO NDCG@10")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=1800,
        help="stop adding users to the request runs after this many seconds",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the database and model")
    args = parser.parse_args()
    if args.fresh and WORK.exists():
        shutil.rmtree(WORK)
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} (shared with other work: "
        "timings are upper bounds)"
    )
    started = time.monotonic()
    django_setup(args.data, args.text_index)
    summary: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "load_start": load}
    facts = catalogue_facts()
    users = bench_users(args.users, args.foldin)
    steps = instrument()
    cold = []  # the first turns of this process: lexicon, model and encoder loaded on the way
    for text in (
        "warm-up: 90s sci-fi",
        "공포 말고",
        *(("something slow-burn",) if args.text_index == "build" else ()),
    ):
        fresh_conversation(users[0])
        cold.append(round(chat_turn(users[0], text, steps)["steps"].get("fill", 0.0), 2))
    fresh_conversation(users[0])
    summary["warm_up_fill_s"] = cold
    print(f"warm-up turns (a fresh process): list fill {cold} s")
    if args.text_index == "build":
        from llm_worker.embeddings import RECHECK_S, embedding_texts

        t0 = time.perf_counter()
        embedding_texts()
        summary["text_index_recheck_s"] = recheck = time.perf_counter() - t0
        print(
            f"taste-text index fingerprint check (describes every movie; a mood turn pays it "
            f"once per {RECHECK_S:.0f} s per process): {recheck:.2f} s"
        )

    print(f"\nrequests: {len(users)} users x the request set (fresh conversation each)")
    rows, turns, seeds = quality(users, facts, steps, started + args.budget_s)
    summary["seeds"] = {f"{t} ({y})": m for (t, y), m in seeds.items()}
    print_requests(rows)
    summary["kinds"] = kind_table(rows)
    summary["rows"] = rows
    hard = summary["kinds"].get("hard, all", {})
    ok = hard.get("after_enough", 0) >= GOAL_SHARE
    print(
        f"\nhard constraints, pairs with >= {ENOUGH} unseen matching movies: "
        f"{hard.get('after_enough', float('nan')):.3f} (goal >= {GOAL_SHARE}: "
        f"{'PASS' if ok else 'MISS'}; before {hard.get('before_enough', float('nan')):.3f})"
    )

    from taste_requests import MOOD_TURNS

    measured = [u for u in users if u.pk in {x["user"] for x in rows}]
    mood = []
    for user in measured:
        for text in MOOD_TURNS:
            fresh_conversation(user)
            mood.append(chat_turn(user, text, steps))
        fresh_conversation(user)
    talk = conversation(measured[0], steps, args.turns)
    summary["latency"] = {
        "requests (fresh conversations)": latency_table("chat turns, request set", turns),
        f"mood (text index: {args.text_index})": latency_table(
            f"mood turns (taste-text index: {args.text_index})", mood
        ),
        "one conversation": latency_table(f"one conversation of {args.turns} turns", talk),
    }
    if args.text_index == "build":
        idle = idle_mood_turns(measured, steps)
        summary["latency"]["mood after an idle recheck interval"] = latency_table(
            "mood turns, each the first after the index's recheck interval", idle
        )
    degraded = sorted({t["degraded"] for t in turns + mood + talk if t["degraded"]})
    summary["degraded_reasons"] = degraded
    if degraded:
        print("\ndegraded lists said: " + " | ".join(d[:100] for d in degraded[:5]))

    check = no_request_check(measured, steps)
    summary["no_request"] = check
    print(
        f"\nno request: retrieve() = candidates_for_user top {K} for {check['retrieve_same']}/"
        f"{check['users']} users; home list = the same for {check['home_list_same']}/"
        f"{check['users']} (fill p50 {check['home_fill_p50_s']:.2f} s)"
    )
    if args.loo:
        summary["loo"] = loo = loo_ndcg(args.data)
        blend = loo["ndcg@10"].get("blend", float("nan"))
        print(
            f"offline LOO NDCG@10 (ml-latest-small): {loo['ndcg@10']} in {loo['seconds']} s; "
            f"blend {blend:.4f} vs {LOO_BEFORE} before ({100 * (blend / LOO_BEFORE - 1):+.1f}%)"
        )
    load = os.getloadavg()
    summary["load_end"] = load
    summary["seconds"] = round(time.monotonic() - started)
    print(f"\nload average at the end {load[0]:.1f}; {summary['seconds']} s in all")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "taste_bench.json").write_text(json.dumps(summary, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
