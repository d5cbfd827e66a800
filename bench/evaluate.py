"""Offline evaluation of the recommender models on a MovieLens folder (no Django).

    python bench/evaluate.py --dataset /work/shared/datasets/ml-100k --split ua --models all \\
        --json bench/out/ua.json --png bench/out/ua.png --dump-top bench/out/ua-top.json

The same evaluation as `python manage.py evaluate_recommender`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommendations.engine.cli import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
