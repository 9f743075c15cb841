"""Checks for lesson 04, forecasting time series.

    from utils.exercises import lesson04 as check
    check.exercise_4_1(my_choice, my_test_mse, results, models)

Each `exercise_4_M` checks one exercise of notebooks/04_forecasting.ipynb by what the student's answer
does: the model they chose is scored by the check itself, their functions run on fresh random inputs
and on a series whose future has been scrambled, their verdict is compared with what their own models
measure. A failure says what is wrong (which case, which direction, which mix-up), never the expected
value, and hints come in stages.
"""

from __future__ import annotations

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    all_layers,
    call,
    exercise,
    expect,
    expect_close,
    require,
    require_array,
    require_number,
)


def _close(a: float, b: float, rtol: float = 1e-3) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=1e-9))


def _flat_predictions(model, X) -> np.ndarray:
    return np.asarray(model.predict(X, verbose=0, batch_size=1024), dtype=np.float64).reshape(len(X), -1)


# ---- Exercise 4.1: choose with the validation set, then test once -------------------------------------


def exercise_4_1(my_choice, my_test_mse, results, models) -> None:
    """my_choice: the row of `results` with the lowest validation MSE among the trained `models`;
    my_test_mse: that model's MSE on the sine task's test series (9,000 to 9,999)."""
    hints = [
        "the validation column decides which model to keep; the test set only gives the final number.",
        "look up the trained model as models[my_choice], predict X_test with it and compare with y_test.",
        "the MSE is the mean of the squared differences between two arrays of the SAME shape: check the "
        "shape of the predictions and of y_test before subtracting.",
    ]
    with exercise("4.1", hints=hints):
        choice = require(my_choice, "my_choice")
        value = require_number(my_test_mse, "my_test_mse")
        expect(isinstance(choice, str), f"`my_choice` should be a row label of `results` (text), got {choice!r}.")
        expect(
            choice in results.index,
            f"`my_choice` = {choice!r} is not a row of `results`: copy one of its row labels exactly as printed.",
        )
        expect(
            choice in models,
            f"{choice!r} is a row of `results` but not one of the trained models in `models`: the naive "
            "forecast needs no training and is not the one to ship here.",
        )
        trained = results.loc[[name for name in results.index if name in models], "valid MSE"].astype(float)
        expect(
            trained[choice] <= trained.min(),
            f"`my_choice` = {choice!r} does not have the lowest validation MSE among the trained models: decide "
            "by the 'valid MSE' column alone (not by fit time, nor by the published column).",
        )
        from ..forecasting import sine_split

        split = sine_split(n_ahead=1)
        predictions = _flat_predictions(models[choice], split.X_test)[:, 0]
        truth = split.y_test[:, 0].astype(np.float64)
        errors = predictions - truth
        expected = float(np.mean(errors**2))
        if _close(value, float(trained[choice])):
            raise ExerciseCheckFailed(
                "`my_test_mse` is the model's VALIDATION MSE (the number in `results`); compute it on X_test and "
                "y_test instead."
            )
        if _close(value, float(np.mean((predictions[:, np.newaxis] - truth[np.newaxis, :]) ** 2))):
            raise ExerciseCheckFailed(
                "`my_test_mse` is a mean over a (1000, 1000) array: predictions of shape (1000, 1) minus targets "
                "of shape (1000,) (or the reverse) broadcast every prediction against every target. Give both "
                "arrays the same shape before subtracting."
            )
        if _close(value, float(np.sqrt(expected))):
            raise ExerciseCheckFailed("`my_test_mse` is the RMSE (the square root of the MSE); the MSE is its square.")
        if _close(value, float(np.mean(np.abs(errors)))):
            raise ExerciseCheckFailed("`my_test_mse` is the mean absolute error; square the errors instead.")
        if _close(value, float(np.mean((split.X_test[:, -1, 0] - truth) ** 2))):
            raise ExerciseCheckFailed(
                "`my_test_mse` is the test error of the naive forecast (the last input value), not of your model."
            )
        expect_close(value, expected, "my_test_mse", rtol=1e-3, atol=1e-7)


# ---- Exercise 4.2: undo a difference ------------------------------------------------------------------


def _reference_undifference(diff_forecast, history, lag: int) -> np.ndarray:
    levels = list(np.asarray(history, dtype=float))
    for change in np.asarray(diff_forecast, dtype=float):
        levels.append(levels[-lag] + change)
    return np.array(levels[len(history) :])


# (lag, length of the history, number of forecast differences): the last two are longer than the lag.
_UNDIFFERENCE_CASES = [(1, 6, 5), (3, 7, 2), (3, 7, 8), (12, 40, 30)]


def exercise_4_2(my_undifference) -> None:
    """my_undifference(diff_forecast, history, lag): forecast levels from forecast differences."""
    hints = [
        "walk forward one forecast step at a time, and try lag=3 with more differences than 3 on paper first.",
        "keep a growing list: the history, then each forecast level appended to it as soon as it is known.",
        "each new level is the entry `lag` places from the end of that growing list, plus its difference; "
        "return only the new entries.",
    ]
    with exercise("4.2", hints=hints):
        rng = np.random.default_rng(404)
        for lag, n_history, n_ahead in _UNDIFFERENCE_CASES:
            history = np.round(rng.normal(50, 10, size=n_history), 1)
            diff_forecast = np.round(rng.normal(0, 3, size=n_ahead), 1)
            case = f"lag={lag}, {n_history} history values, {n_ahead} differences"
            answer = call(my_undifference, "my_undifference", diff_forecast, history, lag)
            got = require_array(answer, f"my_undifference(...) with {case}")
            expected = _reference_undifference(diff_forecast, history, lag)
            expect(
                got.size != n_history + n_ahead,
                f"with {case}, `my_undifference` returned {got.size} values: the history as well as the "
                "forecast. Return one level per forecast difference only.",
            )
            expect(
                got.size == n_ahead,
                f"with {case}, `my_undifference` returned {got.size} values; it should return one level per "
                "forecast difference.",
            )
            got = got.reshape(-1)
            if np.allclose(got, expected):
                continue
            if lag > 1 and np.allclose(got, history[-1] + np.cumsum(diff_forecast)):
                raise ExerciseCheckFailed(
                    f"with {case}, each of your levels builds on the one just before it: that is right for lag=1 "
                    "only. A difference at lag `lag` compares a value with the one `lag` steps earlier."
                )
            if np.allclose(got, _reference_undifference(-diff_forecast, history, lag)):
                raise ExerciseCheckFailed(
                    f"with {case}, your levels move the wrong way: a difference is later minus earlier, so the "
                    "difference is ADDED to the earlier level."
                )
            if n_ahead > lag and np.allclose(got[:lag], expected[:lag]):
                raise ExerciseCheckFailed(
                    f"with {case}, your first {lag} level{'s are' if lag > 1 else ' is'} right and the later ones "
                    f"are not: from step {lag + 1} on, the level `lag` steps earlier is not in the history any more, "
                    "it is one of your own forecast levels."
                )
            expect_close(got, expected, f"my_undifference(...) with {case}", atol=1e-6)


# ---- Exercise 4.3: a year of CO2, a baseline chosen on validation -------------------------------------

CO2_HORIZON = 52  # weeks ahead
CO2_YEAR = 52  # weeks in a (rounded) year


def _co2_origins(n_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Validation and test origins of Exercise 4.3 for a series of n_weeks: one forecast every 4 weeks,
    validation forecasts issued from 4 years before the end (their targets stop before the test's begin),
    test forecasts from 2 years before the end."""
    valid = np.arange(n_weeks - 4 * CO2_YEAR, n_weeks - 3 * CO2_YEAR + 1, 4)
    test = np.arange(n_weeks - 2 * CO2_YEAR, n_weeks - CO2_HORIZON + 1, 4)
    return valid, test


def _co2_candidates() -> dict:
    return {
        "the naive forecast (the last value, repeated)": lambda s, o: np.repeat(s[o - 1], CO2_HORIZON),
        "same week last year": lambda s, o: s[o - CO2_YEAR : o - CO2_YEAR + CO2_HORIZON],
        "same week last year plus the latest year-on-year change": lambda s, o: (
            s[o - CO2_YEAR : o - CO2_YEAR + CO2_HORIZON] + s[o - 1] - s[o - 1 - CO2_YEAR]
        ),
    }


def _forecasts(function, name: str, series: np.ndarray, origins: np.ndarray) -> np.ndarray:
    rows = []
    for origin in origins:
        answer = call(function, name, series, int(origin))
        got = require_array(answer, f"{name}(series, origin={int(origin)})")
        expect(
            got.size == CO2_HORIZON,
            f"`{name}(series, origin={int(origin)})` returned {got.size} values; it should return one per week "
            "of the year ahead.",
        )
        rows.append(got.reshape(-1))
    return np.array(rows)


def _co2_truth(series: np.ndarray, origins: np.ndarray) -> np.ndarray:
    return series[origins[:, np.newaxis] + np.arange(CO2_HORIZON)]


def exercise_4_3(my_year_ahead, my_test_mae) -> None:
    """my_year_ahead(series, origin): 52 weekly values after `origin` from series[:origin] only, the
    candidate with the lowest validation MAE; my_test_mae: its MAE over the test origins."""
    hints = [
        "write the three candidates as small functions and compute each one's MAE over the validation origins "
        "before you choose.",
        "a candidate may only read series[:origin]; print the three validation MAEs side by side: the lowest "
        "one is your choice, whatever the test set would have said.",
        "test once: run the chosen function from every test origin, stack the forecasts against the true next "
        "52 weeks, and take the mean absolute error over every value.",
    ]
    with exercise("4.3", hints=hints):
        from ..data import load_co2

        series = load_co2().to_numpy()
        valid, test = _co2_origins(len(series))
        require(my_year_ahead, "my_year_ahead")
        forecasts = _forecasts(my_year_ahead, "my_year_ahead", series, valid)
        scrambled = series.copy()
        origin = int(valid[len(valid) // 2])
        scrambled[origin:] = np.random.default_rng(3).normal(1000.0, 100.0, size=len(series) - origin)
        peeked = _forecasts(my_year_ahead, "my_year_ahead", scrambled, np.array([origin]))[0]
        expect(
            np.allclose(peeked, forecasts[len(valid) // 2]),
            "`my_year_ahead` reads the future: its forecast changed when the values from `origin` on were "
            "replaced. A forecast made at `origin` may only use series[:origin].",
        )
        truth = _co2_truth(series, valid)
        valid_mae = float(np.mean(np.abs(forecasts - truth)))
        candidates = {
            name: float(np.mean(np.abs(_forecasts(f, "candidate", series, valid) - truth)))
            for name, f in _co2_candidates().items()
        }
        if valid_mae > 1.01 * min(candidates.values()):
            same = [name for name, mae in candidates.items() if _close(valid_mae, mae, rtol=1e-6)]
            which = f" It is {same[0]}." if same else ""
            raise ExerciseCheckFailed(
                f"another candidate has a lower validation MAE than your `my_year_ahead`.{which} Compare the "
                "three candidates' validation MAEs before choosing."
            )
        value = require_number(my_test_mae, "my_test_mae")
        test_forecasts = _forecasts(my_year_ahead, "my_year_ahead", series, test)
        test_errors = test_forecasts - _co2_truth(series, test)
        expected = float(np.mean(np.abs(test_errors)))
        if _close(value, valid_mae):
            raise ExerciseCheckFailed("`my_test_mae` is the VALIDATION MAE; compute it over the test origins.")
        if _close(value, float(np.sqrt(np.mean(test_errors**2)))):
            raise ExerciseCheckFailed("`my_test_mae` is the RMSE; take the mean of the ABSOLUTE errors instead.")
        if not _close(value, expected) and any(
            _close(value, float(np.mean(np.abs(_forecasts(f, "candidate", series, test) - _co2_truth(series, test)))))
            for f in _co2_candidates().values()
        ):
            raise ExerciseCheckFailed("`my_test_mae` is the test MAE of another candidate, not of `my_year_ahead`.")
        expect_close(value, expected, "my_test_mae", rtol=1e-3, atol=1e-9)


# ---- Exercise 4.4: is the gap real? -------------------------------------------------------------------

VERDICTS = ("LSTM", "GRU", "tie")
TIE_BELOW = 0.05  # the lessons' rule: a gap between means under 5% is a tie


def _models(answer, name: str, layer_name: str) -> list:
    import keras

    require(answer, name)
    expect(
        isinstance(answer, list | tuple) and all(isinstance(model, keras.Model) for model in answer),
        f"`{name}` should be a list of trained Keras models, got {type(answer).__name__}.",
    )
    expect(len(answer) >= 3, f"`{name}` holds {len(answer)} models; a spread needs at least 3 (3 seeds).")
    layer_type = getattr(keras.layers, layer_name)
    for index, model in enumerate(answer):
        expect(
            any(isinstance(layer, layer_type) for layer in all_layers(model)),
            f"model {index} of `{name}` has no {layer_name} layer.",
        )
    weights = [np.concatenate([np.ravel(w) for w in model.get_weights()]) for model in answer]
    for i in range(len(weights)):
        for j in range(i):
            expect(
                weights[i].shape != weights[j].shape or not np.allclose(weights[i], weights[j]),
                f"models {j} and {i} of `{name}` have the same weights: each one should be trained from its own "
                "seed (call utils.seed_everything(seed) before building it).",
            )
    return list(answer)


def _reference_verdict(lstm_mse, gru_mse) -> str:
    """'LSTM' or 'GRU' when every seed of one beats every seed of the other AND the means differ by more
    than TIE_BELOW; 'tie' otherwise."""
    lstm_mse, gru_mse = np.asarray(lstm_mse, dtype=float), np.asarray(gru_mse, dtype=float)
    if lstm_mse.max() < gru_mse.min() and gru_mse.mean() > (1 + TIE_BELOW) * lstm_mse.mean():
        return "LSTM"
    if gru_mse.max() < lstm_mse.min() and lstm_mse.mean() > (1 + TIE_BELOW) * gru_mse.mean():
        return "GRU"
    return "tie"


def exercise_4_4(my_lstm_models, my_gru_models, my_verdict) -> None:
    """Three or more trained LSTM and GRU models (different seeds) and the verdict their validation
    MSEs support: 'LSTM', 'GRU' or 'tie'."""
    hints = [
        "train each model with the recipe of Section 2, changing only the seed; keep every trained model in its list.",
        "compute each model's validation MSE, then look at each list's lowest and highest value and at the two means.",
        "the rule: a winner only when its WORST seed beats the other's BEST seed and the means differ by more "
        "than 5%; anything less is a tie.",
    ]
    with exercise("4.4", hints=hints):
        lstm_models = _models(my_lstm_models, "my_lstm_models", "LSTM")
        gru_models = _models(my_gru_models, "my_gru_models", "GRU")
        verdict = require(my_verdict, "my_verdict")
        expect(
            isinstance(verdict, str) and verdict.strip().lower() in {v.lower() for v in VERDICTS},
            f"`my_verdict` should be one of {', '.join(repr(v) for v in VERDICTS)}, got {verdict!r}.",
        )
        from ..forecasting import sine_split

        split = sine_split(n_ahead=1)
        truth = split.y_valid[:, 0].astype(np.float64)
        naive = float(np.mean((split.X_valid[:, -1, 0] - truth) ** 2))
        scores = {}
        for name, models in [("my_lstm_models", lstm_models), ("my_gru_models", gru_models)]:
            scores[name] = []
            for index, model in enumerate(models):
                error = float(np.mean((_flat_predictions(model, split.X_valid)[:, 0] - truth) ** 2))
                expect(
                    error < naive,
                    f"model {index} of `{name}` does no better than the naive forecast on the validation set: "
                    "was it trained?",
                )
                scores[name].append(error)
        supported = _reference_verdict(scores["my_lstm_models"], scores["my_gru_models"])
        chosen = next(v for v in VERDICTS if v.lower() == verdict.strip().lower())
        if chosen != supported:
            if supported == "tie":
                reason = (
                    "the seeds' ranges overlap, or the means are within 5% of each other: by the rule that is a tie"
                )
            elif chosen == "tie":
                reason = "one model's worst seed beats the other's best seed AND the means differ by more than 5%"
            else:
                reason = "the numbers point the other way: compare the two lists' means and ranges again"
            raise ExerciseCheckFailed(f"`my_verdict` = {verdict!r} does not follow from your own models: {reason}.")
