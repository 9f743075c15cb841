"""utils.forecasting: error measures and the stopwatch."""

import time

import numpy as np
import pytest

from utils.forecasting import Stopwatch, mae, mse, rmse


def test_known_values():
    y_true = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([2.0, 2.0, 1.0, 4.0])  # errors -1, 0, 2, 0
    assert mae(y_true, y_pred) == pytest.approx(0.75)
    assert mse(y_true, y_pred) == pytest.approx(1.25)
    assert rmse(y_true, y_pred) == pytest.approx(np.sqrt(1.25))


def test_any_rank_and_lists():
    y_true = np.arange(12.0).reshape(3, 4)
    assert mae(y_true, y_true + 2) == pytest.approx(2.0)
    assert rmse([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert isinstance(mae([1], [2]), float)


def test_column_against_flat_is_accepted():
    y_true = np.array([1.0, 2.0, 3.0])
    assert mse(y_true, y_true[:, np.newaxis] + 1) == pytest.approx(1.0)


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        mae(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="same shape"):
        rmse(np.zeros(3), np.zeros(4))


def test_bad_inputs_are_refused():
    with pytest.raises(TypeError, match="y_true"):
        mae(None, [1.0])
    with pytest.raises(TypeError, match="y_pred"):
        mse([1.0], ["a"])
    with pytest.raises(ValueError, match="at least one value"):
        rmse([], [])


def test_stopwatch_measures_the_block():
    watch = Stopwatch()
    assert "running" in repr(watch)
    with watch as same:
        time.sleep(0.01)
    assert same is watch
    assert 0.005 < watch.seconds < 5
    assert "s)" in repr(watch)
