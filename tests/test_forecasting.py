"""utils.forecasting: the sine task, the training recipe, error measures and the stopwatch."""

import time

import numpy as np
import pytest

from utils import forecasting
from utils.forecasting import Stopwatch, fit_and_score, mae, mse, rmse, sine_split


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


def test_errors_are_sklearns_over_every_value():
    from sklearn.metrics import mean_absolute_error, mean_squared_error, root_mean_squared_error

    rng = np.random.default_rng(0)
    truth, forecast = rng.normal(size=(53, 48)), rng.normal(size=(53, 48))
    assert mae(truth, forecast) == pytest.approx(mean_absolute_error(truth.ravel(), forecast.ravel()))
    assert mse(truth, forecast) == pytest.approx(mean_squared_error(truth.ravel(), forecast.ravel()))
    assert rmse(truth, forecast) == pytest.approx(root_mean_squared_error(truth.ravel(), forecast.ravel()))
    # scikit-learn alone, given 2-D arrays, averages the RMSEs of the columns: a smaller number
    assert root_mean_squared_error(truth, forecast) < rmse(truth, forecast)


def test_sine_split_cuts_the_series_by_series():
    from utils.data import two_sine_series

    split = sine_split(n_ahead=10)
    assert split.X_train.shape == (7_000, 50, 1) and split.y_train.shape == (7_000, 10)
    assert split.X_valid.shape == (2_000, 50, 1) and split.y_valid.shape == (2_000, 10)
    assert split.X_test.shape == (1_000, 50, 1) and split.y_test.shape == (1_000, 10)
    series = two_sine_series(10_000, 60, seed=42)
    assert np.array_equal(split.X_valid, series[7_000:9_000, :50])
    assert np.array_equal(split.y_test, series[9_000:, 50:, 0])
    X_train, y_train, *_ = sine_split()  # unpacks like a tuple; one step ahead by default
    assert y_train.shape == (7_000, 1)
    with pytest.raises(ValueError):
        sine_split(n_ahead=0)


def test_fit_and_score_trains_scores_and_watches_any_metric():
    import keras

    from utils import seed_everything

    X, y, X_val, y_val, *_ = sine_split()
    X, y = X[:512], y[:512]

    def last_value_error(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred))

    seed_everything(0)
    model = keras.Sequential([keras.Input(shape=(50, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    history, valid_mse, seconds = fit_and_score(
        model, X, y, X_val, y_val, epochs=2, cosine=True, monitor="val_last_value_error", metrics=[last_value_error]
    )
    assert len(history.history["loss"]) == 2 and seconds > 0
    assert valid_mse == pytest.approx(mse(y_val, model.predict(X_val, verbose=0)), rel=1e-5)
    assert valid_mse == pytest.approx(min(history.history["val_loss"]), rel=1e-3)  # the best weights are kept


def test_last_week_plus_change_is_lesson_04s_rule():
    season = 4
    values = np.arange(20, dtype=float) ** 2
    origins = np.array([6, 10])
    forecast = forecasting.last_week_plus_change(values, origins, n_ahead=3, damping=0.5, season=season)
    for row, origin in enumerate(origins):
        change = values[origin - 1] - values[origin - 1 - season]
        expected = [values[origin + h - season] + 0.5 ** (h + 1) * change for h in range(3)]
        assert np.allclose(forecast[row], expected)
    undamped = forecasting.last_week_plus_change(values, origins, n_ahead=1, season=season)[:, 0]
    assert np.allclose(undamped, values[origins - season] + values[origins - 1] - values[origins - 1 - season])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"origins": np.array([3])}, ValueError, "origins must lie in"),
        ({"origins": np.array([18])}, ValueError, "origins must lie in"),
        ({"damping": 1.5}, ValueError, "damping must be between"),
        ({"origins": np.array([6.0])}, TypeError, "origins"),
        ({"n_ahead": 0}, ValueError, "n_ahead"),
    ],
)
def test_last_week_plus_change_says_what_is_wrong(kwargs, error, message):
    arguments = {"values": np.arange(20.0), "origins": np.array([6]), "n_ahead": 3, "season": 4, **kwargs}
    with pytest.raises(error, match=message):
        forecasting.last_week_plus_change(**arguments)
