"""`manage.py load_demo`: from LLECOMMEND_DATA_DIR, idempotent, and a clear message when there
is neither a data folder nor a network."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management import CommandError, call_command

from movies.models import Movie
from movies.services import catalogue_counts

from .datafiles import TMDB5000_HEADER, csv_family, csv_text, tmdb5000_row, zipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_folder(tmp_path):
    csv_family(tmp_path / "data" / "ml-latest-small")
    (tmp_path / "data" / "tmdb").mkdir()
    rows = [tmdb5000_row(278, "The Shawshank Redemption", "1994-09-23", "Two imprisoned men.")]
    zipped(
        tmp_path / "data" / "tmdb" / "tmdb_5000_movies.csv.zip",
        {"tmdb_5000_movies.csv": csv_text(TMDB5000_HEADER, rows)},
        macosx_junk=True,
    )
    return tmp_path / "data"


def load(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_demo", "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_loads_movielens_and_tmdb_from_the_data_dir(settings, data_folder):
    settings.LLECOMMEND_DATA_DIR = str(data_folder)

    out, _ = load()

    assert Movie.objects.count() == 4
    assert Movie.objects.get(movielens_id=3).overview == "Two imprisoned men."
    assert "Demo catalogue loaded." in out


def test_second_run_skips_and_force_changes_no_counts(settings, data_folder):
    settings.LLECOMMEND_DATA_DIR = str(data_folder)
    load()
    counts = catalogue_counts()

    out, _ = load()
    assert "already loaded (4 movies)" in out

    load("--force")
    assert catalogue_counts() == counts


def test_without_tmdb_files_the_thin_catalogue_is_said(tmp_path):
    csv_family(tmp_path / "data" / "ml-latest-small")

    _, err = load("--data-dir", str(tmp_path / "data"))

    assert Movie.objects.count() == 4
    assert "No TMDb files found" in err


def test_a_data_dir_without_the_dataset_says_how_to_get_it(tmp_path):
    (tmp_path / "empty").mkdir()

    with pytest.raises(CommandError, match=r"ml-latest-small does not exist.*To get the data"):
        load("--data-dir", str(tmp_path / "empty"))


def test_no_data_dir_and_offline_says_how_to_get_the_data(settings, tmp_path):
    settings.LLECOMMEND_DATA_DIR = ""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(CommandError) as excinfo:
        load("--base-url", f"http://127.0.0.1:{port}", "--cache-dir", str(tmp_path / "cache"))

    message = str(excinfo.value)
    assert "No demo data" in message
    assert "looks offline" in message
    assert "LLECOMMEND_DATA_DIR=DATA manage.py load_demo" in message
    assert Movie.objects.count() == 0
