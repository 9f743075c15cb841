"""Each lesson 04 check: placeholder -> NotAttempted, typical wrong answer -> helpful failure, right answer -> pass."""

import numpy as np
import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.data import two_sine_series
from utils.exercises import lesson04 as check


def _test_set():
    series = two_sine_series(10_000, 51, seed=42)
    return series[9_000:, :50], series[9_000:, -1]


# 4.1 -----------------------------------------------------------------------------------------------------------


def test_4_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_4_1(...)


def test_4_1_rmse_instead_of_mse():
    X_test, y_test = _test_set()
    rmse = float(np.sqrt(np.mean((X_test[:, -1] - y_test) ** 2)))
    with pytest.raises(ExerciseCheckFailed, match="RMSE"):
        check.exercise_4_1(rmse)


def test_4_1_first_value_instead_of_last():
    X_test, y_test = _test_set()
    with pytest.raises(ExerciseCheckFailed, match="FIRST value"):
        check.exercise_4_1(float(np.mean((X_test[:, 0] - y_test) ** 2)))


def test_4_1_wrong_type_is_feedback_not_traceback():
    with pytest.raises(ExerciseCheckFailed, match="should be a number"):
        check.exercise_4_1("0.02")


def test_4_1_right(capsys):
    X_test, y_test = _test_set()
    check.exercise_4_1(np.mean((X_test[:, -1, 0] - y_test[:, 0]) ** 2))
    assert "correct" in capsys.readouterr().out


# 4.2 -----------------------------------------------------------------------------------------------------------


def _seasonal_naive(series, period, horizon):
    return np.resize(np.asarray(series, dtype=float)[-period:], horizon)


def test_4_2_placeholder():
    with pytest.raises(NotAttempted):
        check.exercise_4_2(...)


def test_4_2_function_returning_placeholder():
    def seasonal_naive(series, period, horizon):
        return ...

    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_4_2(seasonal_naive)


def test_4_2_no_repeat_when_horizon_exceeds_period():
    def seasonal_naive(series, period, horizon):
        return np.asarray(series, dtype=float)[-period:]

    with pytest.raises(ExerciseCheckFailed, match=r"should return \d+ values"):
        check.exercise_4_2(seasonal_naive)


def test_4_2_last_value_instead_of_season():
    def seasonal_naive(series, period, horizon):
        return np.full(horizon, float(series[-1]))

    with pytest.raises(ExerciseCheckFailed, match="the forecast should be"):
        check.exercise_4_2(seasonal_naive)


def test_4_2_crashing_function_is_feedback():
    def seasonal_naive(series, period, horizon):
        raise KeyError("oops")

    with pytest.raises(ExerciseCheckFailed, match="raised KeyError"):
        check.exercise_4_2(seasonal_naive)


def test_4_2_not_a_function():
    with pytest.raises(ExerciseCheckFailed, match="should be a function"):
        check.exercise_4_2([1, 2, 3])


def test_4_2_right(capsys):
    check.exercise_4_2(_seasonal_naive)
    assert "correct" in capsys.readouterr().out


# 4.3 -----------------------------------------------------------------------------------------------------------


def _targets(series, n_inputs, horizon):
    return np.stack([series[:, k + 1 : k + 1 + n_inputs, 0] for k in range(horizon)], axis=-1)


def test_4_3_placeholder():
    with pytest.raises(NotAttempted):
        check.exercise_4_3(...)


def test_4_3_off_by_one():
    def make_seq2seq_targets(series, n_inputs, horizon):
        return np.stack([series[:, k : k + n_inputs, 0] for k in range(horizon)], axis=-1)

    with pytest.raises(ExerciseCheckFailed, match="off by one"):
        check.exercise_4_3(make_seq2seq_targets)


def test_4_3_wrong_shape():
    def make_seq2seq_targets(series, n_inputs, horizon):
        return _targets(series, n_inputs, horizon).transpose(0, 2, 1)

    with pytest.raises(ExerciseCheckFailed, match="not right yet: axis"):
        check.exercise_4_3(make_seq2seq_targets)


def test_4_3_right(capsys):
    check.exercise_4_3(_targets)
    assert "correct" in capsys.readouterr().out


# 4.4 -----------------------------------------------------------------------------------------------------------


def _difference(series, lag):
    series = np.asarray(series, dtype=float)
    return series[lag:] - series[:-lag]


def _undifference(diff_forecast, history, lag):
    levels = list(np.asarray(history, dtype=float))
    for change in diff_forecast:
        levels.append(levels[-lag] + change)
    return np.array(levels[len(history) :])


def test_4_4_placeholder():
    with pytest.raises(NotAttempted):
        check.exercise_4_4(..., ...)
    with pytest.raises(NotAttempted):
        check.exercise_4_4(_difference, ...)


def test_4_4_wrong_sign():
    def difference(series, lag):
        series = np.asarray(series, dtype=float)
        return series[:-lag] - series[lag:]

    with pytest.raises(ExerciseCheckFailed, match="wrong sign"):
        check.exercise_4_4(difference, _undifference)


def test_4_4_undifference_ignores_lag():
    def undifference(diff_forecast, history, lag):
        return history[-1] + np.cumsum(diff_forecast)

    with pytest.raises(ExerciseCheckFailed, match="lag=3"):
        check.exercise_4_4(_difference, undifference)


def test_4_4_undifference_returns_history_too():
    def undifference(diff_forecast, history, lag):
        levels = list(np.asarray(history, dtype=float))
        for change in diff_forecast:
            levels.append(levels[-lag] + change)
        return np.array(levels)

    with pytest.raises(ExerciseCheckFailed, match="Do not include the history"):
        check.exercise_4_4(_difference, undifference)


def test_4_4_right(capsys):
    check.exercise_4_4(_difference, _undifference)
    assert "correct" in capsys.readouterr().out


# 4.5 -----------------------------------------------------------------------------------------------------------


def _mae(y_true, y_pred):
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def _rmse(y_true, y_pred):
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


def test_4_5_placeholder():
    with pytest.raises(NotAttempted):
        check.exercise_4_5(..., _rmse)

    def mae(y_true, y_pred):
        return ...

    with pytest.raises(NotAttempted):
        check.exercise_4_5(mae, _rmse)


def test_4_5_mae_without_absolute_value():
    def mae(y_true, y_pred):
        return float(np.mean(np.asarray(y_true) - np.asarray(y_pred)))

    with pytest.raises(ExerciseCheckFailed, match="cancel out"):
        check.exercise_4_5(mae, _rmse)


def test_4_5_rmse_without_root():
    def rmse(y_true, y_pred):
        return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))

    with pytest.raises(ExerciseCheckFailed, match="one step is missing"):
        check.exercise_4_5(_mae, rmse)


def test_4_5_a_constant_function_fails():
    with pytest.raises(ExerciseCheckFailed, match="not right yet"):
        check.exercise_4_5(lambda y_true, y_pred: 1.38444, _rmse)


def test_4_5_right(capsys):
    check.exercise_4_5(_mae, _rmse)
    assert "correct" in capsys.readouterr().out
