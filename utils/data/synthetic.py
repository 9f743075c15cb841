"""Synthetic data: seeded, deterministic, for ideas that need a controlled experiment."""

from __future__ import annotations

import numpy as np

from ..validation import as_array, positive_int


def two_sine_series(n_series: int, n_steps: int, seed: int = 42) -> np.ndarray:
    """Noisy sums of two sine waves, the forecasting lessons' workhorse.

    For each series, frequencies f1, f2 and offsets o1, o2 are drawn from U[0, 1);
    t runs over [0, 1] in n_steps points and
        value = 0.5 sin((t - o1)(10 f1 + 10)) + 0.2 sin((t - o2)(20 f2 + 20)) + 0.1 (U[0, 1) - 0.5).
    Returns float32 of shape [n_series, n_steps, 1].
    """
    n_series = positive_int(n_series, "n_series")
    n_steps = positive_int(n_steps, "n_steps", minimum=2)
    seed = positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    freq1, freq2, offset1, offset2 = rng.random((4, n_series, 1))
    time = np.linspace(0, 1, n_steps)
    series = 0.5 * np.sin((time - offset1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((time - offset2) * (freq2 * 20 + 20))
    series += 0.1 * (rng.random((n_series, n_steps)) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


def toy_one_to_many(n_samples: int = 15):
    """One input, two outputs: 1 -> [2, 3], 4 -> [5, 6], ..., 43 -> [44, 45].

    Returns X float32 [n_samples, 1, 1] (one time step, one feature) and y float32 [n_samples, 2].
    """
    n_samples = positive_int(n_samples, "n_samples")
    inputs = np.arange(n_samples, dtype=np.float32) * 3 + 1
    X = inputs.reshape(n_samples, 1, 1)
    y = np.stack([inputs + 1, inputs + 2], axis=1)
    return X, y


def toy_many_to_one(n_samples: int = 15):
    """Three steps in, their sum out: [1, 2, 3] -> 6, [4, 5, 6] -> 15, ...

    Returns X float32 [n_samples, 3, 1] and y float32 [n_samples].
    """
    n_samples = positive_int(n_samples, "n_samples")
    X = np.arange(1, 3 * n_samples + 1, dtype=np.float32).reshape(n_samples, 3, 1)
    y = X.sum(axis=(1, 2))
    return X, y


def toy_many_to_many(n_samples: int = 20):
    """Three multiples of 5 in, the next three out: [5, 10, 15] -> [20, 25, 30], ...

    Returns X float32 [n_samples, 3, 1] and y float32 [n_samples, 3].
    """
    n_samples = positive_int(n_samples, "n_samples")
    X = (np.arange(1, 3 * n_samples + 1, dtype=np.float32) * 5).reshape(n_samples, 3, 1)
    y = X[:, :, 0] + 15
    return X, y


def make_windows(series, window: int, horizon: int = 1, stride: int = 1, target_column=None):
    """Cut a series into (features, label) pairs: the previous `window` steps predict the next `horizon`.

    series: shape [n_steps] or [n_steps, n_features] (a pandas Series/DataFrame works too).
    Returns X float32 [n_windows, window, n_features] and y float32:
      - [n_windows, horizon] for a univariate series or when target_column (an int) picks one feature;
      - [n_windows, horizon, n_features] for a multivariate series with target_column=None.
    Window i starts at step i * stride.
    """
    values = as_array(getattr(series, "values", series), "series", ndim=(1, 2)).astype(np.float32)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    window = positive_int(window, "window")
    horizon = positive_int(horizon, "horizon")
    stride = positive_int(stride, "stride")
    n_steps, n_features = values.shape
    if window + horizon > n_steps:
        raise ValueError(
            f"window + horizon must be at most the series length {n_steps}, "
            f"got {window} + {horizon} = {window + horizon}."
        )
    if target_column is not None:
        target_column = positive_int(target_column, "target_column", minimum=0)
        if target_column >= n_features:
            raise ValueError(f"target_column must be below the number of features {n_features}, got {target_column}.")
    starts = np.arange(0, n_steps - window - horizon + 1, stride)
    X = np.stack([values[start : start + window] for start in starts])
    y = np.stack([values[start + window : start + window + horizon] for start in starts])
    if target_column is not None:
        y = y[:, :, target_column]
    elif n_features == 1:
        y = y[:, :, 0]
    return X, y


def long_memory_task(n_samples: int = 1000, n_distractors: int = 20, seed: int = 0):
    """A memory test for the vanishing-gradient lesson: remember the first step, ignore the rest.

    Each sequence opens with a signal, +1 or -1, followed by n_distractors steps of noise drawn
    uniformly from [-1, 1] (the same range, so nothing but position marks the signal). The label is
    1 when the signal was +1 and 0 when it was -1: to predict it after the last step, a model must
    carry one number across n_distractors steps. Labels are balanced (within one) and shuffled.
    Returns X float32 [n_samples, 1 + n_distractors, 1] and y int64 [n_samples] (0 or 1).
    """
    n_samples = positive_int(n_samples, "n_samples")
    n_distractors = positive_int(n_distractors, "n_distractors", minimum=0)
    seed = positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n_samples) % 2).astype(np.int64)
    X = np.empty((n_samples, 1 + n_distractors, 1), dtype=np.float32)
    X[:, 0, 0] = 2 * y - 1
    X[:, 1:, 0] = rng.uniform(-1, 1, size=(n_samples, n_distractors))
    return X, y
