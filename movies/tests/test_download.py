"""`import_movielens --download`: the GroupLens zip fetched over HTTP (a local server stands in
for GroupLens), checked, unzipped and imported; a clear error when the machine is offline."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from movies.importers.download import DownloadError, download_movielens
from movies.models import Movie

from .datafiles import LINKS, MOVIES, RATINGS, TAGS


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in {
            "movies.csv": MOVIES, "links.csv": LINKS, "ratings.csv": RATINGS, "tags.csv": TAGS,
        }.items():  # fmt: skip
            archive.writestr(f"ml-latest-small/{name}", text)
    return buffer.getvalue()


@pytest.fixture
def grouplens(tmp_path):
    """A local HTTP server with ml-latest-small.zip and its .md5, like files.grouplens.org."""
    root = tmp_path / "www"
    root.mkdir()
    data = _zip_bytes()
    (root / "ml-latest-small.zip").write_bytes(data)
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    (root / "ml-latest-small.zip.md5").write_text(f"{md5}  ml-latest-small.zip\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.mark.django_db
def test_download_verifies_the_published_md5_and_imports(grouplens, tmp_path):
    _root, url = grouplens
    out = io.StringIO()

    call_command(
        "import_movielens", "--download", "ml-latest-small", "--base-url", url,
        "--cache-dir", str(tmp_path / "cache"), "--no-progress", stdout=out,
    )  # fmt: skip

    assert "matches GroupLens' published checksum" in out.getvalue()
    assert (tmp_path / "cache" / "ml-latest-small" / "ratings.csv").is_file()
    assert Movie.objects.count() == 4


def test_a_corrupted_download_is_refused(grouplens, tmp_path):
    root, url = grouplens
    (root / "ml-latest-small.zip.md5").write_text("0" * 32 + "  ml-latest-small.zip\n")

    with pytest.raises(DownloadError, match="but GroupLens publishes 0000"):
        download_movielens("ml-latest-small", tmp_path / "cache", base_url=url)

    assert not (tmp_path / "cache" / "ml-latest-small").exists()


def test_without_a_published_checksum_only_integrity_is_claimed(grouplens, tmp_path):
    root, url = grouplens
    (root / "ml-latest-small.zip.md5").unlink()

    done = download_movielens("ml-latest-small", tmp_path / "cache", base_url=url)

    assert "only the zip's CRCs were verified" in done.checked


def test_a_pinned_sha256_must_match(grouplens, tmp_path):
    _root, url = grouplens

    with pytest.raises(DownloadError, match="expected abc"):
        download_movielens(
            "ml-latest-small", tmp_path / "cache", base_url=url, expected_sha256="abc"
        )


@pytest.mark.django_db
def test_offline_gives_a_clear_error_and_imports_nothing(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/datasets"

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_movielens", "--download", "ml-latest-small", "--base-url", url,
            "--cache-dir", str(tmp_path / "cache"), "--no-progress",
        )  # fmt: skip

    message = str(excinfo.value)
    assert "looks offline or cannot reach files.grouplens.org" in message
    assert "import_movielens PATH" in message
    assert Movie.objects.count() == 0
    assert not any(Path(tmp_path / "cache").glob("*.part"))
