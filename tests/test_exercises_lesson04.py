"""Each lesson 04 check: placeholder -> NotAttempted, each typical mistake -> its own message, the right answer
(in several forms) -> pass, and no message gives the expected value away."""

import numpy as np
import pandas as pd
import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.data import load_co2
from utils.exercises import lesson04 as check
from utils.forecasting import sine_split


def _no_leak(message: str, *values: float) -> None:
    for value in values:
        for shown in (f"{value:.6g}", f"{value:.5g}", f"{value:.4g}"):
            assert shown not in message, f"the message shows {shown}: {message}"


# ---- 4.1 ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def split():
    return sine_split(n_ahead=1)


@pytest.fixture(scope="module")
def table(split):
    """A small `results` table and `models` dict: the least-squares line (best) and a last-value copier."""
    import keras
    from sklearn.linear_model import LinearRegression

    least_squares = LinearRegression().fit(split.X_train[:, :, 0], split.y_train)
    line = keras.Sequential([keras.Input(shape=(50, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    line.layers[-1].set_weights([least_squares.coef_.T, least_squares.intercept_])
    copier = keras.Sequential([keras.Input(shape=(50, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    copier.layers[-1].set_weights([np.eye(50, 1, k=-49, dtype="float32"), np.zeros(1, dtype="float32")])
    models = {"line": line, "copier": copier}
    results = pd.DataFrame(columns=["valid MSE", "fit s"])
    results.loc["naive (last value)"] = [float(np.mean((split.X_valid[:, -1] - split.y_valid) ** 2)), 0.0]
    for name, model in models.items():
        prediction = model.predict(split.X_valid, verbose=0)
        results.loc[name] = [float(np.mean((prediction - split.y_valid) ** 2)), 1.0]
    test_prediction = line.predict(split.X_test, verbose=0)
    return results, models, test_prediction


def test_4_1_placeholders(table):
    results, models, _ = table
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_4_1(..., ..., results, models)
    with pytest.raises(NotAttempted, match="my_test_mse"):
        check.exercise_4_1("line", ..., results, models)


@pytest.mark.parametrize("form", [float, np.float32, lambda v: np.array([[v]])])
def test_4_1_right(table, split, form, capsys):
    results, models, test_prediction = table
    check.exercise_4_1("line", form(float(np.mean((test_prediction - split.y_test) ** 2))), results, models)
    assert "correct" in capsys.readouterr().out


def _right_value(table, split):
    return float(np.mean((table[2] - split.y_test) ** 2))


@pytest.mark.parametrize(
    ("choice", "words"),
    [
        ("copier", "does not have the lowest validation MSE"),
        ("naive (last value)", "not one of the trained models"),
        ("Line", "not a row of `results`"),
        (3, "should be a row label"),
    ],
)
def test_4_1_wrong_choice(table, split, choice, words):
    results, models, _ = table
    with pytest.raises(ExerciseCheckFailed, match=words):
        check.exercise_4_1(choice, _right_value(table, split), results, models)


def test_4_1_typical_numeric_mistakes(table, split):
    results, models, prediction = table
    errors = prediction[:, 0] - split.y_test[:, 0]
    mistakes = {
        "VALIDATION MSE": results.loc["line", "valid MSE"],
        r"\(1000, 1000\)": np.mean((prediction - split.y_test[:, 0]) ** 2),  # [1000, 1] - [1000]
        "RMSE": np.sqrt(np.mean(errors**2)),
        "mean absolute error": np.mean(np.abs(errors)),
        "naive forecast": np.mean((split.X_test[:, -1] - split.y_test) ** 2),
    }
    for words, value in mistakes.items():
        with pytest.raises(ExerciseCheckFailed, match=words) as failure:
            check.exercise_4_1("line", float(value), results, models)
        _no_leak(str(failure.value), _right_value(table, split))


def test_4_1_a_typed_number_fails_and_gives_nothing_away(table, split):
    results, models, _ = table
    right = _right_value(table, split)
    with pytest.raises(ExerciseCheckFailed, match="too large") as failure:
        check.exercise_4_1("line", right * 1.3, results, models)
    _no_leak(str(failure.value), right)


def test_4_1_hints_come_in_stages(table, split):
    results, models, _ = table
    messages = []
    for _ in range(3):
        with pytest.raises(ExerciseCheckFailed) as failure:
            check.exercise_4_1("copier", 0.01, results, models)
        messages.append(str(failure.value))
    assert "Hint 1 of 3" in messages[0] and "Hint 2" not in messages[0]
    assert "Hint 3 of 3" in messages[2] and "SAME shape" in messages[2]


# ---- 4.2 ----------------------------------------------------------------------------------------------------


def _undifference_loop(diff_forecast, history, lag):
    levels = list(np.asarray(history, dtype=float))
    for change in diff_forecast:
        levels.append(levels[-lag] + change)
    return np.array(levels[len(history) :])


def _undifference_by_season(diff_forecast, history, lag):
    """Another right answer: add the differences season by season."""
    diff_forecast = np.asarray(diff_forecast, dtype=float)
    n_seasons = -(-len(diff_forecast) // lag)
    padded = np.zeros(n_seasons * lag)
    padded[: len(diff_forecast)] = diff_forecast
    levels = np.asarray(history, dtype=float)[-lag:] + np.cumsum(padded.reshape(n_seasons, lag), axis=0)
    return levels.ravel()[: len(diff_forecast)].tolist()


def test_4_2_placeholders():
    with pytest.raises(NotAttempted):
        check.exercise_4_2(...)

    def my_undifference(diff_forecast, history, lag):
        return ...

    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_4_2(my_undifference)


@pytest.mark.parametrize("answer", [_undifference_loop, _undifference_by_season])
def test_4_2_right(answer, capsys):
    check.exercise_4_2(answer)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda d, h, lag: h[-1] + np.cumsum(d), "right for lag=1 only"),
        (lambda d, h, lag: np.concatenate([h, _undifference_loop(d, h, lag)]), "the history as well"),
        (lambda d, h, lag: _undifference_loop(-np.asarray(d), h, lag), "wrong way"),
        (
            lambda d, h, lag: np.array([h[len(h) - lag + step % lag] + change for step, change in enumerate(d)]),
            "right and the later ones are not",
        ),
        (lambda d, h, lag: _undifference_loop(d, h, lag)[:-1], "one level per forecast difference"),
        (lambda d, h, lag: _undifference_loop(d, h, lag) + 0.5, "too large"),
    ],
)
def test_4_2_typical_mistakes(answer, words):
    with pytest.raises(ExerciseCheckFailed, match=words):
        check.exercise_4_2(answer)


def test_4_2_error_in_student_code_is_feedback():
    def my_undifference(diff_forecast, history, lag):
        return np.array([history[len(history) - lag + step] + change for step, change in enumerate(diff_forecast)])

    with pytest.raises(ExerciseCheckFailed, match="raised IndexError"):
        check.exercise_4_2(my_undifference)


def test_4_2_messages_give_no_levels_away():
    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_4_2(lambda d, h, lag: _undifference_loop(d, h, lag) * 1.01)
    message = str(failure.value)
    assert "index" in message and "[" not in message.split("index")[0]


# ---- 4.3 ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def co2():
    return load_co2().to_numpy()


def _rule(series, origin):
    return series[origin - 52 : origin] + series[origin - 1] - series[origin - 53]


def _naive(series, origin):
    return np.repeat(series[origin - 1], 52)


def _last_year(series, origin):
    return series[origin - 52 : origin]


def _test_mae(co2, forecaster):
    origins = np.arange(len(co2) - 104, len(co2) - 51, 4)
    forecasts = np.array([forecaster(co2, o) for o in origins])
    truth = co2[origins[:, np.newaxis] + np.arange(52)]
    return float(np.mean(np.abs(forecasts - truth))), float(np.sqrt(np.mean((forecasts - truth) ** 2)))


def test_4_3_placeholders(co2):
    with pytest.raises(NotAttempted):
        check.exercise_4_3(..., ...)

    def my_year_ahead(series, origin):
        return ...

    with pytest.raises(NotAttempted):
        check.exercise_4_3(my_year_ahead, ...)
    with pytest.raises(NotAttempted, match="my_test_mae"):
        check.exercise_4_3(_rule, ...)


@pytest.mark.parametrize("form", [float, np.float64, lambda v: np.array([v])])
def test_4_3_right(co2, form, capsys):
    check.exercise_4_3(_rule, form(_test_mae(co2, _rule)[0]))
    assert "correct" in capsys.readouterr().out


def test_4_3_a_list_answer_of_the_right_length_is_fine(co2, capsys):
    check.exercise_4_3(lambda s, o: list(_rule(s, o)), _test_mae(co2, _rule)[0])
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("forecaster", "words"),
    [
        (_naive, "It is the naive forecast"),
        (_last_year, "It is same week last year"),
        (lambda s, o: s[o : o + 52], "reads the future"),
        (lambda s, o: _rule(s, o)[:26], "returned 26 values"),
    ],
)
def test_4_3_wrong_forecaster(co2, forecaster, words):
    with pytest.raises(ExerciseCheckFailed, match=words) as failure:
        check.exercise_4_3(forecaster, 1.0)
    _no_leak(str(failure.value), _test_mae(co2, _rule)[0])


def test_4_3_typical_numeric_mistakes(co2):
    right, rmse = _test_mae(co2, _rule)
    valid = np.arange(len(co2) - 208, len(co2) - 155, 4)
    valid_mae = float(np.mean(np.abs(np.array([_rule(co2, o) for o in valid]) - co2[valid[:, None] + np.arange(52)])))
    for value, words in [
        (valid_mae, "VALIDATION MAE"),
        (rmse, "RMSE"),
        (_test_mae(co2, _last_year)[0], "another candidate"),
        (right * 2, "2 times too large"),
    ]:
        with pytest.raises(ExerciseCheckFailed, match=words) as failure:
            check.exercise_4_3(_rule, value)
        _no_leak(str(failure.value), right)


def test_4_3_origins_match_the_lesson(co2):
    valid, test = check._co2_origins(len(co2))
    assert np.array_equal(valid, np.arange(len(co2) - 208, len(co2) - 155, 4))
    assert np.array_equal(test, np.arange(len(co2) - 104, len(co2) - 51, 4))
    assert valid[-1] + 52 <= test[0]  # validation targets end before the test targets begin


# ---- 4.4 ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def least_squares(split):
    from sklearn.linear_model import LinearRegression

    return LinearRegression().fit(split.X_train[:, :, 0], split.y_train)


def _shifted_line(least_squares, cell: str, shift: float, seed: int):
    """The least-squares line raised by `shift` (MSE up by about shift**2), beside a recurrent layer of type
    `cell` whose output is multiplied by 0: a model of that type with its own weights and an MSE we can dial."""
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(50, 1))
    line = keras.layers.Dense(1, name="line")
    silent = keras.layers.Dense(1, use_bias=False, name="silent")
    outputs = keras.layers.Add()([line(keras.layers.Flatten()(inputs)), silent(getattr(keras.layers, cell)(2)(inputs))])
    model = keras.Model(inputs, outputs)
    line.set_weights([least_squares.coef_.T, least_squares.intercept_ + shift])
    silent.set_weights([np.zeros((2, 1), dtype="float32")])
    return model


@pytest.fixture(scope="module")
def gated(least_squares):
    def family(cell, shifts, first_seed):
        return [_shifted_line(least_squares, cell, shift, first_seed + i) for i, shift in enumerate(shifts)]

    return {
        "good LSTM": family("LSTM", [0.0, 0.005, 0.01], 0),
        "good GRU": family("GRU", [0.0, 0.005, 0.01], 10),
        "poor GRU": family("GRU", [0.05, 0.055, 0.06], 20),
        "poor LSTM": family("LSTM", [0.05, 0.055, 0.06], 30),
        "untrained LSTM": family("LSTM", [0.0, 0.005, 0.2], 40),
    }


def test_4_4_placeholders(gated):
    with pytest.raises(NotAttempted):
        check.exercise_4_4(..., ..., ...)
    with pytest.raises(NotAttempted, match="my_verdict"):
        check.exercise_4_4(gated["good LSTM"], gated["good GRU"], ...)


@pytest.mark.parametrize(
    ("lstm", "gru", "verdict"),
    [("good LSTM", "poor GRU", "LSTM"), ("poor LSTM", "good GRU", "gru"), ("good LSTM", "good GRU", " Tie ")],
)
def test_4_4_right(gated, lstm, gru, verdict, capsys):
    check.exercise_4_4(gated[lstm], gated[gru], verdict)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("lstm", "gru", "verdict", "words"),
    [
        ("good LSTM", "good GRU", "LSTM", "by the rule that is a tie"),
        ("good LSTM", "poor GRU", "tie", "worst seed beats the other's best"),
        ("good LSTM", "poor GRU", "GRU", "point the other way"),
    ],
)
def test_4_4_verdict_that_the_numbers_do_not_support(gated, lstm, gru, verdict, words):
    with pytest.raises(ExerciseCheckFailed, match=words):
        check.exercise_4_4(gated[lstm], gated[gru], verdict)


def test_4_4_lists_that_are_not_three_distinct_trained_models(gated):
    lstm, gru = gated["good LSTM"], gated["good GRU"]
    cases = [
        ((lstm[:2], gru, "tie"), "at least 3"),
        ((lstm, [gru[0], gru[0], gru[1]], "tie"), "the same weights"),
        ((gru, gru, "tie"), "has no LSTM layer"),
        ((lstm, lstm, "tie"), "has no GRU layer"),
        ((gated["untrained LSTM"], gru, "tie"), "no better than the naive forecast"),
        ((lstm, gru, "both"), "should be one of"),
        (("models", gru, "tie"), "should be a list"),
    ]
    for arguments, words in cases:
        with pytest.raises(ExerciseCheckFailed, match=words):
            check.exercise_4_4(*arguments)


def test_4_4_reference_rule():
    assert check._reference_verdict([1.0, 1.1, 1.2], [1.3, 1.4, 1.5]) == "LSTM"
    assert check._reference_verdict([1.0, 1.1, 1.35], [1.3, 1.4, 1.5]) == "tie"  # ranges overlap
    assert check._reference_verdict([1.0, 1.0, 1.0], [1.02, 1.03, 1.04]) == "tie"  # under 5%
    assert check._reference_verdict([2.0, 2.1, 2.2], [1.0, 1.1, 1.2]) == "GRU"
