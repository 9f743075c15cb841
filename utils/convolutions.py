"""Plumbing for the convolutions lesson (06): two synthetic series with a known best forecast.

    from utils.convolutions import echo_series, local_rule_series
    series = echo_series(1_000, 200, lag=40)         # x_t = 0.9 x_(t-lag) + noise
    series = local_rule_series(2_000, 101)          # x_t = sin(2.5 x_(t-1) - 1.5 x_(t-2)) + noise

Both are seeded, float32 of shape [n_series, n_steps, 1], and generated after a burn-in so that
every series starts in its steady state. Because we know the rule, we know the smallest error any
forecaster can reach: the variance of the noise (`noise ** 2`).
"""

from __future__ import annotations

import numpy as np

from .validation import positive_int


def echo_series(n_series: int, n_steps: int, *, lag: int = 40, rho: float = 0.9, seed: int = 0) -> np.ndarray:
    """Each value echoes the one `lag` steps earlier: x_t = rho * x_(t - lag) + noise.

    The noise is scaled so that every value has variance 1: forecasting 0 has an MSE of about 1, and
    the best forecast, rho * x_(t - lag), an MSE of 1 - rho ** 2. Nothing in the last lag - 1 steps helps.
    """
    n_series = positive_int(n_series, "n_series")
    n_steps = positive_int(n_steps, "n_steps", minimum=2)
    lag = positive_int(lag, "lag")
    seed = positive_int(seed, "seed", minimum=0)
    if not 0 <= rho < 1:
        raise ValueError(f"rho must be in [0, 1) for a steady series, got {rho!r}.")
    rng = np.random.default_rng(seed)
    burn_in = 20 * lag  # rho ** 20 is small: the start is forgotten
    noise = rng.normal(0.0, np.sqrt(1 - rho**2), size=(n_series, burn_in + n_steps))
    values = noise.copy()
    values[:, :lag] = rng.normal(0.0, 1.0, size=(n_series, lag))
    for step in range(lag, burn_in + n_steps):
        values[:, step] += rho * values[:, step - lag]
    return values[:, burn_in:, np.newaxis].astype(np.float32)


def local_rule_series(
    n_series: int, n_steps: int, *, a: float = 2.5, b: float = 1.5, noise: float = 0.05, seed: int = 0
) -> np.ndarray:
    """A series with only local structure: x_t = sin(a x_(t-1) - b x_(t-2)) + noise.

    The next value depends on the last two alone (a nonlinear rule, so a linear model falls short);
    the best possible forecast has an MSE of noise ** 2.
    """
    n_series = positive_int(n_series, "n_series")
    n_steps = positive_int(n_steps, "n_steps", minimum=3)
    seed = positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    burn_in = 30
    values = np.zeros((n_series, burn_in + n_steps))
    values[:, :2] = rng.uniform(-1, 1, size=(n_series, 2))
    shocks = rng.normal(0.0, noise, size=values.shape)
    for step in range(2, burn_in + n_steps):
        values[:, step] = np.sin(a * values[:, step - 1] - b * values[:, step - 2]) + shocks[:, step]
    return values[:, burn_in:, np.newaxis].astype(np.float32)
