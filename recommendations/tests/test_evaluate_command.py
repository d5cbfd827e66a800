"""`manage.py evaluate_recommender` on a small slice of ml-100k written to a temp folder."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from recommendations.engine.metrics import METRIC_KEYS


@pytest.fixture
def small_ml100k(data_dir, tmp_path):
    """ml-100k restricted to 100 users (all of their official ua split)."""
    src, dst = data_dir / "ml-100k", tmp_path / "ml-100k"
    dst.mkdir()
    for name in ("u.user", "u.item"):
        shutil.copy(src / name, dst / name)
    for name in ("u.data", "ua.base", "ua.test"):
        lines = (src / name).read_text().splitlines(keepends=True)
        (dst / name).write_text("".join(ln for ln in lines if int(ln.split("\t")[0]) <= 100))
    return dst


@pytest.mark.dataset
def test_it_writes_the_table_json_chart_and_top_lists(small_ml100k, tmp_path, capsys):
    out = tmp_path / "out"
    call_command(
        "evaluate_recommender",
        "--dataset", str(small_ml100k),
        "--split", "ua",
        "--models", "popularity,lightfm,ease",
        "--json", str(out / "ua.json"),
        "--dump-top", str(out / "top.json"),
        "--png", str(out / "ua.png"),
    )  # fmt: skip

    results = json.loads((out / "ua.json").read_text())
    tops = json.loads((out / "top.json").read_text())
    assert {"popularity", "lightfm", "ease", "ease+novelty0.3"} <= set(results)
    assert set(results["ease"]) == set(METRIC_KEYS)
    assert results["ease"]["precision@10"] > results["popularity"]["precision@10"]
    assert results["ease+novelty0.3"]["novelty"] > results["ease"]["novelty"]
    assert len(tops["ease"]) == 100
    assert all(len(v) == 10 for v in tops["ease"].values())
    # Train items never come back.
    base = (small_ml100k / "ua.base").read_text().split("\n")
    seen = {tuple(ln.split("\t")[:2]) for ln in base if ln}
    assert not any((u, str(m)) in seen for u, ms in tops["ease"].items() for m in ms)
    assert (out / "ua.png").stat().st_size > 1000
    assert "precision@10" in capsys.readouterr().out


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="unknown model"):
        call_command("evaluate_recommender", "--dataset", str(tmp_path), "--models", "magic")


def test_the_old_member_name_says_what_it_is_called_now(tmp_path):
    with pytest.raises(CommandError, match="'hybrid' is now 'lightfm'"):
        call_command("evaluate_recommender", "--dataset", str(tmp_path), "--models", "hybrid")
