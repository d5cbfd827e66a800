"""Fetching a MovieLens dataset from GroupLens: download the public zip, check it, unzip it into
a cache folder, and say clearly why when any of that fails (most often: the machine is offline).

Checksums: GroupLens publishes an MD5 next to each zip (`<name>.zip.md5`). We fetch it and
compare; when it cannot be fetched, the zip's own CRC-32 of every member is still verified and
the result says that only the integrity (not the authenticity) was checked. A caller that knows
the SHA-256 may pin it (`expected_sha256`), and then a mismatch stops the download.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

GROUPLENS_BASE_URL = "https://files.grouplens.org/datasets/movielens"
DATASETS = {
    "ml-latest-small": "movies.csv",
    "ml-100k": "u.data",
    "ml-25m": "ratings.csv",
    "ml-32m": "ratings.csv",
}


class DownloadError(Exception):
    """The dataset could not be fetched or failed its check; nothing was imported."""


@dataclass(frozen=True)
class Downloaded:
    folder: Path
    checked: str  # what was verified, said to the user


def _fetch(client: httpx.Client, url: str, target: Path, progress: Callable | None) -> str:
    digest_md5, digest_sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    with client.stream("GET", url) as response:
        response.raise_for_status()
        total = int(response.headers.get("content-length") or 0) or None
        with target.open("wb") as out:
            for block in response.iter_bytes(1 << 20):
                out.write(block)
                digest_md5.update(block)
                digest_sha.update(block)
                if progress:
                    progress(len(block), total)
    return f"{digest_md5.hexdigest()} {digest_sha.hexdigest()}"


def _published_md5(client: httpx.Client, url: str) -> str | None:
    try:
        response = client.get(url + ".md5")
        response.raise_for_status()
    except httpx.HTTPError:
        return None
    token = response.text.strip().split()
    return token[0].lower() if token and len(token[0]) == 32 else None


def _safe_extract(archive: zipfile.ZipFile, dest: Path) -> None:
    root = dest.resolve()
    for info in archive.infolist():
        target = (dest / info.filename).resolve()
        if not target.is_relative_to(root):
            raise DownloadError(f"the archive holds an unsafe path: {info.filename}")
    archive.extractall(dest)


def download_movielens(
    name: str,
    cache_dir: Path,
    *,
    base_url: str = GROUPLENS_BASE_URL,
    expected_sha256: str | None = None,
    timeout: float = 30.0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Downloaded:
    """The folder of dataset `name` under `cache_dir`, downloaded and unzipped when not there."""
    if name not in DATASETS:
        raise DownloadError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    folder = cache_dir / name
    if (folder / DATASETS[name]).is_file():
        return Downloaded(folder, "already downloaded (cached)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{name}.zip"
    part = cache_dir / f"{name}.zip.part"
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            digests = _fetch(client, url, part, progress)
            published = _published_md5(client, url)
    except httpx.HTTPStatusError as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"GroupLens answered {exc.response.status_code} for {url}; the dataset may have "
            f"moved. Download it by hand from https://grouplens.org/datasets/movielens/ and run "
            f"`manage.py import_movielens PATH`."
        ) from exc
    except httpx.HTTPError as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"Could not download {url} ({type(exc).__name__}: {exc}). This machine looks "
            f"offline or cannot reach files.grouplens.org. Copy the unzipped {name} folder "
            f"here from a machine that is online and run `manage.py import_movielens PATH`, or "
            f"set LLECOMMEND_DATA_DIR to a folder that holds it."
        ) from exc

    md5, sha256 = digests.split()
    if expected_sha256 and sha256 != expected_sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(f"{name}.zip has SHA-256 {sha256}, expected {expected_sha256}")
    if published and md5 != published:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{name}.zip has MD5 {md5} but GroupLens publishes {published}")
    try:
        with zipfile.ZipFile(part) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise DownloadError(f"{name}.zip is corrupt (member {bad} fails its CRC)")
            staging = cache_dir / f"{name}.unzipping"
            shutil.rmtree(staging, ignore_errors=True)
            _safe_extract(archive, staging)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{url} did not return a zip archive ({exc})") from exc
    finally:
        part.unlink(missing_ok=True)
    # GroupLens zips hold one top folder named like the dataset.
    inner = staging / name if (staging / name).is_dir() else staging
    if not (inner / DATASETS[name]).is_file():
        shutil.rmtree(staging, ignore_errors=True)
        raise DownloadError(f"{name}.zip does not contain {DATASETS[name]}")
    shutil.rmtree(folder, ignore_errors=True)
    inner.rename(folder)
    shutil.rmtree(staging, ignore_errors=True)
    if expected_sha256:
        checked = f"SHA-256 {sha256} matches the pinned value"
    elif published:
        checked = f"MD5 {md5} matches GroupLens' published checksum"
    else:
        checked = (
            f"no published checksum could be fetched: only the zip's CRCs were verified "
            f"(SHA-256 {sha256})"
        )
    return Downloaded(folder, checked)
