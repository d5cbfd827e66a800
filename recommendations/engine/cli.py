"""Argument parsing shared by `bench/evaluate.py` and `manage.py evaluate_recommender`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .evaluation import evaluate, format_table, parse_models, write_outputs
from .splits import SPLITS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", required=True, help="a MovieLens folder (ml-100k or CSV)")
    parser.add_argument("--split", default="ua", choices=SPLITS)
    parser.add_argument("--models", default="all", help="comma-separated names, or all")
    parser.add_argument("--json", dest="json_path", help="write the metrics here")
    parser.add_argument("--dump-top", dest="dump_top", help="write each test user's top-10")
    parser.add_argument("--png", dest="png_path", help="write a chart comparing the models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="LightFM training threads")
    parser.add_argument(
        "--novelty", default="0.3", help="novelty levels shown for the best model, e.g. 0.3,0.6"
    )


def run(options: dict, log: Callable[[str], None] = print) -> int:
    models = parse_models(options["models"])
    levels = tuple(float(x) for x in str(options.get("novelty") or "").split(",") if x.strip())
    report = evaluate(
        options["dataset"],
        options["split"],
        models,
        seed=options.get("seed", 0),
        novelty_levels=levels,
        threads=options.get("threads", 1),
        log=log,
    )
    log(format_table(report))
    write_outputs(
        report,
        json_path=options.get("json_path"),
        dump_top=options.get("dump_top"),
        png_path=options.get("png_path"),
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Evaluate recommender models offline.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(vars(args))
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    return 2
