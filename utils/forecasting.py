"""Plumbing for the forecasting lesson (04): error measures and a stopwatch.

    from utils.forecasting import mae, rmse, mse, Stopwatch
    with Stopwatch() as watch:
        model.fit(...)
    watch.seconds                      # wall-clock seconds the block took

The lesson computes its first errors by hand; these are the same formulas,
with argument checks, so that later cells stay short.
"""

from __future__ import annotations

import time

import numpy as np

from .validation import as_array


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    truth = as_array(y_true, "y_true", dtype_kind="fiu").astype(np.float64)
    forecast = as_array(y_pred, "y_pred", dtype_kind="fiu").astype(np.float64)
    if truth.size == 0:
        raise ValueError("y_true must hold at least one value, got an empty array.")
    if truth.shape != forecast.shape:
        # Allow [n] against [n, 1] (a common Keras output), nothing looser.
        if truth.size == forecast.size and truth.squeeze().shape == forecast.squeeze().shape:
            return truth.reshape(-1), forecast.reshape(-1)
        raise ValueError(f"y_true and y_pred must have the same shape, got {truth.shape} and {forecast.shape}.")
    return truth, forecast


def mse(y_true, y_pred) -> float:
    """Mean squared error over every value."""
    truth, forecast = _pair(y_true, y_pred)
    return float(np.mean((truth - forecast) ** 2))


def mae(y_true, y_pred) -> float:
    """Mean absolute error over every value (in the series' own unit)."""
    truth, forecast = _pair(y_true, y_pred)
    return float(np.mean(np.abs(truth - forecast)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error over every value (in the series' own unit)."""
    return float(np.sqrt(mse(y_true, y_pred)))


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
