"""Checks for lesson 04 (forecasting time series): `from utils.exercises import lesson04 as check`."""

from __future__ import annotations

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    call,
    exercise,
    expect,
    expect_close,
    require,
    require_array,
    require_function,
    require_number,
)


def _require_function(answer, name: str):
    require(answer, name)
    if not callable(answer):
        raise ExerciseCheckFailed(f"`{name}` should be a function (def {name}(...): ...), got {type(answer).__name__}.")
    return answer


def _synthetic_test_set():
    """The lesson's test set: the last 1,000 of two_sine_series(10_000, 51, seed=42)."""
    from ..data import two_sine_series

    series = two_sine_series(10_000, 51, seed=42)
    return series[9_000:, :50], series[9_000:, -1]


# Exercise 4.1 -------------------------------------------------------------------------------------------------


def exercise_4_1(naive_test_mse):
    """The naive forecast's MSE on the synthetic test set (series 9,000 to 9,999)."""
    with exercise(
        "4.1",
        hint="The naive forecast of y_test is X_test[:, -1, 0], the last value of each window; "
        "the MSE is the mean of the squared differences.",
    ):
        value = require_number(naive_test_mse, "naive_test_mse")
        X_test, y_test = _synthetic_test_set()
        errors = X_test[:, -1, 0].astype(np.float64) - y_test[:, 0]
        expected = float(np.mean(errors**2))
        if np.isclose(value, np.sqrt(expected), rtol=1e-3):
            raise ExerciseCheckFailed(f"{value:.5f} is the RMSE (the square root of the MSE); the MSE is its square.")
        if np.isclose(value, np.mean(np.abs(errors)), rtol=1e-3):
            raise ExerciseCheckFailed(f"{value:.5f} is the mean absolute error; square the errors instead.")
        first_value_mse = float(np.mean((X_test[:, 0, 0] - y_test[:, 0]) ** 2))
        if np.isclose(value, first_value_mse, rtol=1e-3):
            raise ExerciseCheckFailed(
                "this is the error of the FIRST value of each window; the naive forecast uses the LAST one (index -1)."
            )
        expect_close(value, expected, "naive_test_mse", rtol=1e-3, atol=1e-6)


# Exercise 4.2 -------------------------------------------------------------------------------------------------


def _seasonal_naive_reference(series, period, horizon):
    series = np.asarray(series, dtype=float)
    last_season = series[len(series) - period :]
    return np.array([last_season[step % period] for step in range(horizon)])


def exercise_4_2(seasonal_naive):
    """seasonal_naive(series, period, horizon): repeat the last full season for `horizon` steps."""
    with exercise(
        "4.2",
        hint="Step h of the forecast (h = 0, 1, ...) is the value one period earlier: "
        "series[len(series) - period + (h % period)]. np.tile or np.resize help when "
        "horizon > period.",
    ):
        function = _require_function(seasonal_naive, "seasonal_naive")
        cases = [
            (np.arange(10.0), 3, 3),  # horizon == period
            (np.arange(10.0), 4, 2),  # horizon < period
            (np.array([5.0, 1.0, 2.0, 7.0, 3.0, 4.0, 8.0]), 3, 7),  # horizon > period: the season repeats
        ]
        for series, period, horizon in cases:
            expected = _seasonal_naive_reference(series, period, horizon)
            answer = function(series.copy(), period, horizon)
            require(answer, "seasonal_naive(...) return value")
            got = require_array(answer, f"seasonal_naive(series, period={period}, horizon={horizon})")
            got = got.reshape(-1) if got.size == horizon else got
            expect(
                got.shape == (horizon,),
                f"seasonal_naive(series, period={period}, horizon={horizon}) should return {horizon} values, "
                f"got an array of shape {got.shape}.",
            )
            expect(
                np.allclose(got, expected),
                f"for series {series.tolist()}, period={period}, horizon={horizon} the forecast should be "
                f"{expected.tolist()}, got {np.round(got, 4).tolist()}.",
            )


# Exercise 4.3 -------------------------------------------------------------------------------------------------


def _seq2seq_reference(series, n_inputs, horizon):
    series = np.asarray(series, dtype=float)
    return np.stack([series[:, step + 1 : step + 1 + n_inputs, 0] for step in range(horizon)], axis=-1)


def exercise_4_3(make_seq2seq_targets):
    """make_seq2seq_targets(series, n_inputs, horizon) -> Y[b, t, k] = series[b, t + 1 + k, 0]."""
    with exercise(
        "4.3",
        hint="At input step t the targets are the next `horizon` values, steps t+1 ... t+horizon. "
        "One way: stack series[:, k + 1 : k + 1 + n_inputs, 0] for k in range(horizon) "
        "along a new last axis.",
    ):
        function = _require_function(make_seq2seq_targets, "make_seq2seq_targets")
        rng = np.random.default_rng(4)
        for batch, n_inputs, horizon in [(3, 5, 2), (4, 50, 10)]:
            series = rng.normal(size=(batch, n_inputs + horizon, 1)).astype(np.float32)
            answer = function(series.copy(), n_inputs, horizon)
            require(answer, "make_seq2seq_targets(...) return value")
            name = f"make_seq2seq_targets(series of shape {series.shape}, {n_inputs}, {horizon})"
            got = require_array(answer, name, shape=(batch, n_inputs, horizon))
            expected = _seq2seq_reference(series, n_inputs, horizon)
            shifted = np.stack([series[:, k : k + n_inputs, 0] for k in range(horizon)], axis=-1)
            if np.allclose(got, shifted):
                raise ExerciseCheckFailed(
                    "off by one: Y[:, t, 0] should be the value AFTER input step t "
                    "(series[:, t + 1]), not the input value itself."
                )
            expect_close(got, expected, name, atol=1e-6)


# Exercise 4.4 -------------------------------------------------------------------------------------------------


def exercise_4_4(difference, undifference):
    """difference(series, lag) and undifference(diff_forecast, history, lag) invert each other."""
    with exercise(
        "4.4",
        hint="difference: series[lag:] - series[:-lag]. undifference: walk forward, "
        "level[t] = level[t - lag] + diff[t], starting from the last `lag` values of history "
        "(for lag=1 that is history[-1] + np.cumsum(diff_forecast)).",
    ):
        diff_fn = _require_function(difference, "difference")
        undiff_fn = _require_function(undifference, "undifference")
        series = np.array([3.0, 5.0, 4.0, 8.0, 9.0, 7.0, 12.0, 15.0])
        for lag in (1, 3):
            expected_diff = series[lag:] - series[:-lag]
            answer = diff_fn(series.copy(), lag)
            require(answer, "difference(...) return value")
            got = require_array(answer, f"difference(series, lag={lag})")
            if got.shape == expected_diff.shape and np.allclose(got, -expected_diff):
                raise ExerciseCheckFailed(
                    f"difference(series, lag={lag}) has the wrong sign: it should be "
                    "series[t] - series[t - lag] (later minus earlier)."
                )
            expect_close(got, expected_diff, f"difference(series, lag={lag})")
        for lag in (1, 3):
            history, future = series[:5], series[5:]
            diff_forecast = np.concatenate([history, future])[5:] - np.concatenate([history, future])[5 - lag : -lag]
            answer = undiff_fn(diff_forecast.copy(), history.copy(), lag)
            require(answer, "undifference(...) return value")
            got = require_array(answer, f"undifference(diff_forecast, history, lag={lag})")
            expect(
                got.shape == future.shape,
                f"undifference should return one level per forecast difference ({len(future)} values), "
                f"got shape {got.shape}. Do not include the history in the result.",
            )
            expect(
                np.allclose(got, future),
                f"with history {history.tolist()}, differences {diff_forecast.tolist()} and lag={lag}, the "
                f"levels should be {future.tolist()}, got {np.round(got, 4).tolist()}.",
            )


# Exercise 4.5 -------------------------------------------------------------------------------------------------


def exercise_4_5(my_mae, my_rmse):
    """my_mae(y_true, y_pred) and my_rmse(y_true, y_pred) written by hand, checked against scikit-learn."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error

    with exercise(
        "4.5",
        hints=[
            "Both measure the size of the errors y_true - y_pred, averaged over every value of the arrays.",
            "MAE averages the absolute errors; RMSE is the square root of the mean of the squared errors.",
            "np.abs, np.mean and np.sqrt on the whole array are all you need; mind the order: square, mean, root.",
        ],
    ):
        require_function(my_mae, "my_mae")
        require_function(my_rmse, "my_rmse")
        rng = np.random.default_rng(45)
        cases = [(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[1.5, 1.0], [3.0, 7.0], [4.0, 6.5]]))]
        cases += [(rng.normal(size=shape), rng.normal(size=shape)) for shape in [(7,), (20, 3), (4, 5, 2)]]
        for y_true, y_pred in cases:
            errors = (y_true - y_pred).ravel()
            got_mae = require_number(
                call(my_mae, "my_mae", y_true, y_pred), f"my_mae on arrays of shape {y_true.shape}"
            )
            if np.isclose(got_mae, float(np.mean(errors))):
                raise ExerciseCheckFailed("my_mae returned the mean error: positive and negative errors cancel out.")
            expect_close(
                got_mae,
                mean_absolute_error(y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)),
                f"my_mae on arrays of shape {y_true.shape}",
            )
            got_rmse = require_number(
                call(my_rmse, "my_rmse", y_true, y_pred), f"my_rmse on arrays of shape {y_true.shape}"
            )
            if np.isclose(got_rmse, float(np.mean(errors**2))):
                raise ExerciseCheckFailed("my_rmse returned the mean squared error: one step is missing.")
            expected = float(np.sqrt(mean_squared_error(y_true.ravel(), y_pred.ravel())))
            expect_close(got_rmse, expected, f"my_rmse on arrays of shape {y_true.shape}")
