"""Plumbing for the forecasting lessons (04 and later): the sine task, one training recipe, errors.

    from utils.forecasting import sine_split, fit_and_score, mae, rmse, mse, Stopwatch
    X_train, y_train, X_valid, y_valid, X_test, y_test = sine_split(n_ahead=1)
    history, valid_mse, seconds = fit_and_score(model, X_train, y_train, X_valid, y_valid, epochs=6)
    with Stopwatch() as watch:
        ...
    watch.seconds                      # wall-clock seconds the block took
    last_week_plus_change(values, origins, n_ahead=48, damping=0.98)   # lesson 04's rule, [n, 48]

Errors are scikit-learn's, taken over every value: given 2-D arrays (one row per forecast, one
column per step ahead), `sklearn.metrics.root_mean_squared_error` would average the columns' RMSEs;
`rmse` here flattens first, so that every value counts once.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .validation import as_array, number, positive_int

# The sine task (Géron's set-up): 10,000 series of two_sine_series(seed=42); the first 7,000
# train, the next 2,000 validate, the last 1,000 test.
SINE_N_SERIES, SINE_TRAIN, SINE_VALID = 10_000, 7_000, 9_000


class SineSplit(NamedTuple):
    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def sine_split(n_ahead: int = 1, n_steps: int = 50, seed: int = 42) -> SineSplit:
    """The sine task split by series: X [n, n_steps, 1] (the inputs), y [n, n_ahead] (the values after them).

    Train: series 0-6,999; validation: 7,000-8,999; test: 9,000-9,999.
    """
    from .data import two_sine_series

    n_ahead = positive_int(n_ahead, "n_ahead")
    n_steps = positive_int(n_steps, "n_steps")
    series = two_sine_series(SINE_N_SERIES, n_steps + n_ahead, seed=seed)
    inputs, targets = series[:, :n_steps], series[:, n_steps:, 0]
    parts = [slice(0, SINE_TRAIN), slice(SINE_TRAIN, SINE_VALID), slice(SINE_VALID, None)]
    return SineSplit(*(array[part] for part in parts for array in (inputs, targets)))


def fit_and_score(
    model,
    X,
    y,
    X_val,
    y_val,
    *,
    epochs: int,
    learning_rate: float = 0.005,
    batch_size: int = 128,
    cosine: bool = False,
    monitor: str = "val_loss",
    patience: int = 3,
    **compile_args,
):
    """The lessons' training recipe: Adam, MSE loss, early stopping that keeps the best weights.

    cosine=True lets the learning rate glide to 0 over the run (big steps first, fine ones at the end).
    monitor: what early stopping watches (a metric's "val_..." name). Returns the Keras history, the
    validation MSE of the restored model over every value, and the seconds `fit` took.
    """
    import keras

    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if cosine:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * -(-len(X) // batch_size))
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=learning_rate), **compile_args)
    stop = keras.callbacks.EarlyStopping(monitor=monitor, mode="min", patience=patience, restore_best_weights=True)
    with Stopwatch() as watch:
        history = model.fit(
            X, y, epochs=epochs, batch_size=batch_size, validation_data=(X_val, y_val), callbacks=[stop], verbose=0
        )
    valid_mse = mse(y_val, model.predict(X_val, verbose=0, batch_size=1024))
    return history, valid_mse, watch.seconds


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    truth = as_array(y_true, "y_true", dtype_kind="fiu").astype(np.float64)
    forecast = as_array(y_pred, "y_pred", dtype_kind="fiu").astype(np.float64)
    if truth.size == 0:
        raise ValueError("y_true must hold at least one value, got an empty array.")
    if truth.shape != forecast.shape and not (
        truth.size == forecast.size and truth.squeeze().shape == forecast.squeeze().shape
    ):  # [n] against [n, 1] (a common Keras output) is accepted, nothing looser
        raise ValueError(f"y_true and y_pred must have the same shape, got {truth.shape} and {forecast.shape}.")
    return truth.reshape(-1), forecast.reshape(-1)


def mse(y_true, y_pred) -> float:
    """Mean squared error over every value (sklearn.metrics.mean_squared_error on flattened arrays)."""
    from sklearn.metrics import mean_squared_error

    return float(mean_squared_error(*_pair(y_true, y_pred)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error over every value, in the series' own unit (sklearn's, flattened)."""
    from sklearn.metrics import mean_absolute_error

    return float(mean_absolute_error(*_pair(y_true, y_pred)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error over every value, in the series' own unit (sklearn's, flattened)."""
    from sklearn.metrics import root_mean_squared_error

    return float(root_mean_squared_error(*_pair(y_true, y_pred)))


def last_week_plus_change(values, origins, n_ahead: int, damping: float = 1.0, season: int = 336) -> np.ndarray:
    """Lesson 04's rule, written there by hand: y[t - season] + damping ** (h + 1) * (y[o - 1] - y[o - 1 - season])
    for the n_ahead steps t = o + h of each origin o. Returns [len(origins), n_ahead]."""
    series = as_array(values, "values", ndim=1).astype(np.float64)
    starts = as_array(origins, "origins", ndim=1, dtype_kind="iu")
    n_ahead = positive_int(n_ahead, "n_ahead")
    season = positive_int(season, "season")
    damping = number(damping, "damping", low=0.0, high=1.0)
    if starts.size and (starts.min() < season + 1 or starts.max() + n_ahead > len(series)):
        raise ValueError(
            f"origins must lie in [season + 1, len(values) - n_ahead] = [{season + 1}, {len(series) - n_ahead}] "
            f"so that last season and the forecast steps exist, got {starts.min()} to {starts.max()}."
        )
    steps_ahead = np.arange(n_ahead)
    latest_change = series[starts - 1] - series[starts - 1 - season]
    return series[starts[:, np.newaxis] + steps_ahead - season] + damping ** (steps_ahead + 1) * latest_change[:, None]


class Stopwatch:
    """A context manager that measures wall-clock seconds: `with Stopwatch() as watch: ...; watch.seconds`."""

    def __init__(self) -> None:
        self.seconds: float | None = None
        self._start: float | None = None

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = time.perf_counter() - self._start

    def __repr__(self) -> str:
        shown = "running" if self.seconds is None else f"{self.seconds:.2f} s"
        return f"Stopwatch({shown})"
