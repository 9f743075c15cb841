"""Unit tests for utils/exercises/lesson03.py: placeholders, typical wrong answers (each with its own message,
none giving the answer away) and right answers in several forms."""

import re

import numpy as np
import pytest

from utils import checks
from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson03 as check


@pytest.fixture(autouse=True)
def _fresh_hint_stages():
    checks.reset_hints()
    yield
    checks.reset_hints()


def first_line(message: str) -> str:
    """The failure itself, without the exercise label before it and the hints after it."""
    return message.split("\n", 1)[0].split("not passed yet: ", 1)[-1]


def failure_of(exercise, *answers) -> str:
    with pytest.raises(ExerciseCheckFailed) as failure:
        exercise(*answers)
    assert not isinstance(failure.value, NotAttempted), str(failure.value)
    return str(failure.value)


# ---------- 3.1 output shapes ----------
RIGHT_3_1 = ((32, 16), (32, 10, 16), [(32, 10, 4), (32, 4), (32, 4)])


def test_3_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_1(..., ..., ...)


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        (((16,), *RIGHT_3_1[1:]), "`shape_last` = (16,) has no batch axis"),
        (((32, 10, 16), *RIGHT_3_1[1:]), "`shape_last` = (32, 10, 16) keeps the time axis"),
        (((32, 8), *RIGHT_3_1[1:]), "counts the input's features"),
        (((32, 17), *RIGHT_3_1[1:]), "axis 1 (units) is too large"),
        (((32, 16), (32, 16), RIGHT_3_1[2]), "`shape_sequence` = (32, 16) has no time axis"),
        (((32, 16), (10, 16), RIGHT_3_1[2]), "`shape_sequence` = (10, 16) has no batch axis"),
        ((*RIGHT_3_1[:2], (32, 10, 4)), "is a single shape"),
        ((*RIGHT_3_1[:2], [(32, 10, 4), (32, 4)]), "holds 2 shapes"),
        (
            (*RIGHT_3_1[:2], [(32, 10, 4), (32, 10, 4), (32, 4)]),
            "`shapes_with_state[1]` (the final h) = (32, 10, 4) keeps the time axis",
        ),
        ((*RIGHT_3_1[:2], [(32, 4), (32, 4), (32, 4)]), "(the output sequence) = (32, 4) has no time axis"),
        ((*RIGHT_3_1[:2], [(32, 10, 4), (32, 4), (32, 8)]), "(the final c) = (32, 8): its last axis counts the input"),
        (("32, 16", *RIGHT_3_1[1:]), "should be a shape"),
    ],
)
def test_3_1_wrong_answers_say_what_is_wrong_but_not_the_shape(answers, words):
    message = failure_of(check.exercise_3_1, *answers)
    assert words in message
    given = " ".join(str(answer) for answer in answers)
    for expected in ("(32, 16)", "(32, 10, 16)", "(32, 10, 4)", "(32, 4)"):
        assert expected not in message or expected in given


def test_3_1_hints_come_in_stages():
    messages = [failure_of(check.exercise_3_1, (16,), *RIGHT_3_1[1:]) for _ in range(3)]
    assert "Hint 1 of 3" in messages[0] and "Hint 2" not in messages[0]
    assert "Hint 3 of 3" in messages[2]


def test_3_1_right(capsys):
    check.exercise_3_1(*RIGHT_3_1)
    assert "Exercise 3.1: correct" in capsys.readouterr().out


def test_3_1_accepts_tensorshapes_lists_and_numpy_ints(capsys):
    import keras

    zeros = np.zeros((32, 10, 8), dtype="float32")
    outputs = keras.layers.LSTM(4, return_sequences=True, return_state=True)(zeros)
    check.exercise_3_1(
        keras.layers.SimpleRNN(16)(zeros).shape,
        [np.int64(32), 10, 16],
        [tensor.shape for tensor in outputs],
    )
    assert "Exercise 3.1: correct" in capsys.readouterr().out


def test_3_1_matches_keras():
    import keras

    inputs = keras.Input(shape=(check._STEPS_3_1, check._FEATURES_3_1), batch_size=check._BATCH_3_1)
    assert tuple(keras.layers.SimpleRNN(16)(inputs).shape) == RIGHT_3_1[0]
    assert tuple(keras.layers.GRU(16, return_sequences=True)(inputs).shape) == RIGHT_3_1[1]
    outputs = keras.layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert [tuple(output.shape) for output in outputs] == RIGHT_3_1[2]


# ---------- 3.2 parameter counts ----------
def simple_rnn_count(units, features):
    return units * units + units * features + units


def gru_count(units, features):
    return 3 * (units * (units + features) + 2 * units)


def stacked_count(units, features):
    return gru_count(units, features) + gru_count(units, units) + units + 1


def unfinished(units, features):
    return ...


def test_3_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_2(..., ..., ...)


def test_3_2_function_body_left_as_placeholder():
    with pytest.raises(NotAttempted, match="`gru_count` still returns `...`"):
        check.exercise_3_2(simple_rnn_count, unfinished, stacked_count)


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ((lambda u, f: u * (u + f), gru_count, stacked_count), "the bias is missing"),
        ((lambda u, f: u * f + u, gru_count, stacked_count), "the recurrent kernel"),
        ((simple_rnn_count, lambda u, f: 3 * (u * (u + f) + u), stacked_count), "one bias vector per set"),
        ((simple_rnn_count, lambda u, f: 4 * (u * (u + f) + u), stacked_count), "an LSTM's count"),
        ((simple_rnn_count, gru_count, lambda u, f: 2 * gru_count(u, f) + u + 1), "reads what the first GRU hands"),
        ((simple_rnn_count, gru_count, lambda u, f: gru_count(u, f) + gru_count(u, u)), "Dense layer's parameters"),
        ((simple_rnn_count, gru_count, lambda u, f: stacked_count(u, f) - 1), "Dense layer's bias is missing"),
        ((simple_rnn_count, gru_count, lambda u, f: gru_count(u, f) + u + 1), "one of the two GRU layers"),
        ((lambda u, f: simple_rnn_count(u, f) + 1, gru_count, stacked_count), "it is too large"),
        ((lambda u, f: 4 * simple_rnn_count(u, f), gru_count, stacked_count), "exactly 4 times too large"),
    ],
)
def test_3_2_typical_mistakes_are_named(answers, words):
    message = failure_of(check.exercise_3_2, *answers)
    assert words in message
    label = message.split("`")[1]  # e.g. gru_count(units=1, features=1)
    name, arguments = label.split("(")
    units, features = (int(part.split("=")[1]) for part in arguments.rstrip(")").split(", "))
    right = {"simple_rnn_count": simple_rnn_count, "gru_count": gru_count, "stacked_count": stacked_count}[name]
    assert not re.search(rf"\b{right(units, features):,}\b", first_line(message).replace(label, ""))


def test_3_2_missing_return():
    with pytest.raises(ExerciseCheckFailed, match="forget the `return`"):
        check.exercise_3_2(lambda u, f: None, gru_count, stacked_count)


def test_3_2_not_a_function():
    with pytest.raises(ExerciseCheckFailed, match="should be a function"):
        check.exercise_3_2(10400, gru_count, stacked_count)


def test_3_2_not_a_whole_number():
    with pytest.raises(ExerciseCheckFailed, match="a number of parameters is a whole number"):
        check.exercise_3_2(lambda u, f: simple_rnn_count(u, f) + 0.5, gru_count, stacked_count)


def test_3_2_right(capsys):
    check.exercise_3_2(simple_rnn_count, gru_count, stacked_count)
    assert "Exercise 3.2: correct" in capsys.readouterr().out


def test_3_2_accepts_numpy_numbers_and_whole_floats(capsys):
    check.exercise_3_2(
        lambda u, f: np.float32(simple_rnn_count(u, f)),
        lambda u, f: np.int64(gru_count(u, f)),
        lambda u, f: float(stacked_count(u, f)),
    )
    assert "Exercise 3.2: correct" in capsys.readouterr().out


def test_3_2_formulas_match_keras():
    import keras

    for units, features in [(5, 5), (16, 3), (1, 7)]:
        inputs = keras.Input(shape=(None, features))
        for layer_type, formula, reference in [
            (keras.layers.SimpleRNN, simple_rnn_count, check._simple_rnn_parameters),
            (keras.layers.GRU, gru_count, check._gru_parameters),
        ]:
            layer = layer_type(units)
            layer(inputs)
            assert layer.count_params() == formula(units, features) == reference(units, features)
        stack = keras.Sequential(
            [
                keras.Input(shape=(None, features)),
                keras.layers.GRU(units, return_sequences=True),
                keras.layers.GRU(units),
                keras.layers.Dense(1),
            ]
        )
        assert stack.count_params() == stacked_count(units, features) == check._stacked_parameters(units, features)


# ---------- 3.3 sequence-to-sequence model ----------
def build(*layers, steps_in=7):
    import keras

    return keras.Sequential([keras.Input(shape=(steps_in, 3)), *layers])


def lstm_seq2seq(steps_out=5, features_out=2):
    import keras

    return build(
        keras.layers.LSTM(8),
        keras.layers.RepeatVector(steps_out),
        keras.layers.LSTM(8, return_sequences=True),
        keras.layers.Dense(features_out),
    )


def functional_gru_seq2seq():
    import keras

    inputs = keras.Input(shape=(7, 3))
    context = keras.layers.GRU(6)(inputs)
    decoded = keras.layers.SimpleRNN(6, return_sequences=True)(keras.layers.RepeatVector(5)(context))
    return keras.Model(inputs, keras.layers.TimeDistributed(keras.layers.Dense(2))(decoded))


def nested_seq2seq():
    import keras

    source = keras.Input(shape=(7, 3))
    encoder = keras.Model(source, keras.layers.LSTM(8)(source), name="encoder")
    decoder = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.RepeatVector(5),
            keras.layers.GRU(8, return_sequences=True),
            keras.layers.Dense(2),
        ],
        name="decoder",
    )
    return keras.Model(source, decoder(encoder(source)))


def state_passing_seq2seq():
    import keras

    inputs = keras.Input(shape=(7, 3))
    context, h, c = keras.layers.LSTM(8, return_state=True)(inputs)
    decoded = keras.layers.LSTM(8, return_sequences=True)(keras.layers.RepeatVector(5)(context), initial_state=[h, c])
    return keras.Model(inputs, keras.layers.Dense(2)(decoded))


def bidirectional_seq2seq():
    import keras

    return build(
        keras.layers.Bidirectional(keras.layers.GRU(4)),
        keras.layers.RepeatVector(5),
        keras.layers.LSTM(8, return_sequences=True),
        keras.layers.Dense(2),
    )


def test_3_3_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_3(...)


def test_3_3_not_a_model():
    with pytest.raises(ExerciseCheckFailed, match="`seq2seq` should be a keras Model, got list"):
        check.exercise_3_3([1, 2])


def test_3_3_without_input():
    import keras

    model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(2)])
    with pytest.raises(ExerciseCheckFailed, match=r"`seq2seq` should start from one keras.Input\(shape=\(7, 3\)\)"):
        check.exercise_3_3(model)


def test_3_3_wrong_output_length_names_the_axis_not_the_size():
    message = failure_of(check.exercise_3_3, lstm_seq2seq(steps_out=7))
    assert "`seq2seq.output_shape` = (None, 7, 2)" in message and "axis 1 (time steps) is too large" in message
    assert "5" not in first_line(message)


def test_3_3_cropping_cheat_fails_by_behaviour():
    # Right shapes, but output step t has read input steps 0..t only.
    import keras

    model = build(keras.layers.LSTM(8, return_sequences=True), keras.layers.Cropping1D((0, 2)), keras.layers.Dense(2))
    assert "does not change when the last input step changes" in failure_of(check.exercise_3_3, model)


def test_3_3_encoder_that_reads_only_the_first_step_fails_by_behaviour():
    import keras

    model = build(
        keras.layers.Cropping1D((0, 6)),
        keras.layers.LSTM(8),
        keras.layers.RepeatVector(5),
        keras.layers.LSTM(8, return_sequences=True),
        keras.layers.Dense(2),
    )
    assert "does not change when the last input step changes" in failure_of(check.exercise_3_3, model)


def test_3_3_throwaway_rnn_then_flatten_dense_reshape_fails():
    import keras

    model = build(
        keras.layers.SimpleRNN(4, return_sequences=True),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
        keras.layers.Reshape((5, 2)),
    )
    assert "there is no encoder" in failure_of(check.exercise_3_3, model)


def test_3_3_encoder_then_dense_reshape_fails():
    import keras

    model = build(keras.layers.SimpleRNN(4), keras.layers.Dense(10), keras.layers.Reshape((5, 2)))
    assert "never hands the encoder's vector to a decoder" in failure_of(check.exercise_3_3, model)


def test_3_3_repeated_context_without_recurrent_decoder_fails():
    import keras

    model = build(keras.layers.LSTM(8), keras.layers.RepeatVector(5), keras.layers.Dense(2))
    assert "has no decoder" in failure_of(check.exercise_3_3, model)


def test_3_3_no_recurrent_layer():
    import keras

    model = build(keras.layers.Flatten(), keras.layers.Dense(10), keras.layers.Reshape((5, 2)))
    assert "has no recurrent layer" in failure_of(check.exercise_3_3, model)


def test_3_3_messages_name_the_students_variable():
    import keras

    model = build(keras.layers.SimpleRNN(4), keras.layers.Dense(10), keras.layers.Reshape((5, 2)))
    message = failure_of(check.exercise_3_3, model)
    assert "`seq2seq`" in message and "`model`" not in message


def test_3_3_hints_are_staged_and_never_the_recipe():
    import keras

    model = build(keras.layers.LSTM(8, return_sequences=True), keras.layers.Cropping1D((0, 2)), keras.layers.Dense(2))
    first = failure_of(check.exercise_3_3, model)
    assert "Hint 1 of 3" in first and "Hint 2" not in first
    everything = " ".join(failure_of(check.exercise_3_3, model) for _ in range(3))
    assert "RepeatVector" not in everything and "return_sequences=True" not in everything


@pytest.mark.parametrize(
    "builder",
    [lstm_seq2seq, functional_gru_seq2seq, nested_seq2seq, state_passing_seq2seq, bidirectional_seq2seq],
)
def test_3_3_right(builder, capsys):
    check.exercise_3_3(builder())
    assert "Exercise 3.3: correct" in capsys.readouterr().out


def test_3_3_a_fixed_batch_size_is_fine(capsys):
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(7, 3), batch_size=2),
            keras.layers.GRU(4),
            keras.layers.RepeatVector(5),
            keras.layers.GRU(4, return_sequences=True),
            keras.layers.Dense(2),
        ]
    )
    check.exercise_3_3(model)
    assert "Exercise 3.3: correct" in capsys.readouterr().out


# ---------- 3.4 leaky recurrent layer ----------
def leaky_rnn(X, W, U, b, alpha):
    h = np.zeros((X.shape[0], U.shape[0]))
    states = []
    for t in range(X.shape[1]):
        h = (1 - alpha) * h + alpha * np.tanh(X[:, t] @ W + h @ U + b)
        states.append(h)
    return np.stack(states, axis=1)


def leaky_rnn_other_form(X, W, U, b, alpha):
    states = np.zeros((X.shape[0], X.shape[1], U.shape[0]), dtype=np.float32)
    h = np.zeros(U.shape[0])
    for t, x_t in enumerate(np.moveaxis(X, 1, 0)):
        h = h + alpha * (np.tanh(x_t @ W + h @ U + b) - h)
        states[:, t] = h
    return states


def simple_rnn_only(X, W, U, b, alpha):
    return leaky_rnn(X, W, U, b, 1.0)


def test_3_4_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_4(...)


def test_3_4_body_placeholder():
    with pytest.raises(NotAttempted, match="`my_leaky_rnn` still returns `...`"):
        check.exercise_3_4(lambda X, W, U, b, alpha: ...)


def test_3_4_alpha_ignored():
    assert "alpha has no effect" in failure_of(check.exercise_3_4, simple_rnn_only)


def test_3_4_swapped_weights():
    swapped = lambda X, W, U, b, alpha: leaky_rnn(X, W, U, b, 1 - alpha)  # noqa: E731
    assert "swapped weights" in failure_of(check.exercise_3_4, swapped)


def test_3_4_candidate_without_the_previous_state():
    def no_recurrent_kernel(X, W, U, b, alpha):
        return leaky_rnn(X, W, np.zeros_like(U), b, alpha)

    assert "ignores the previous state" in failure_of(check.exercise_3_4, no_recurrent_kernel)


def test_3_4_state_reset_at_every_step():
    def forgetful(X, W, U, b, alpha):
        states = []
        for t in range(X.shape[1]):
            h = np.zeros((X.shape[0], U.shape[0]))
            states.append((1 - alpha) * h + alpha * np.tanh(X[:, t] @ W + h @ U + b))
        return np.stack(states, axis=1)

    assert "time step 0 is right, later steps are not" in failure_of(check.exercise_3_4, forgetful)


def test_3_4_last_state_only():
    message = failure_of(check.exercise_3_4, lambda X, W, U, b, alpha: leaky_rnn(X, W, U, b, alpha)[:, -1])
    assert "it has 2 axes, 1 too few" in message


def test_3_4_column_vector_convention_is_reported_as_the_students_error():
    def columns(X, W, U, b, alpha):
        h = np.zeros(U.shape[0])
        return np.tanh(W @ X[:, 0] + U @ h + b)

    message = failure_of(check.exercise_3_4, columns)
    assert "your `my_leaky_rnn` raised ValueError" in message and "`return np.tanh(W @ X[:, 0]" in message


def test_3_4_other_mistakes_say_where_not_the_value():
    def doubled(X, W, U, b, alpha):
        return 2 * leaky_rnn(X, W, U, b, alpha)

    message = failure_of(check.exercise_3_4, doubled)
    assert "exactly 2 times too large" in message and "index (0, 0, 0)" in message


def test_3_4_right(capsys):
    check.exercise_3_4(leaky_rnn)
    check.exercise_3_4(leaky_rnn_other_form)
    assert capsys.readouterr().out.count("Exercise 3.4: correct") == 2


def test_3_4_reference_with_alpha_one_is_keras_simple_rnn():
    import keras

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 6, 3)).astype("float32")
    W, U, b = rng.normal(size=(3, 4)), rng.normal(scale=0.5, size=(4, 4)), rng.normal(size=4)
    layer = keras.layers.SimpleRNN(4, return_sequences=True)
    layer.build((None, None, 3))
    layer.set_weights([W, U, b])
    np.testing.assert_allclose(check._reference_leaky_rnn(X, W, U, b, 1.0), layer(X).numpy(), atol=1e-5)


# ---------- 3.5 lag windows ----------
def make_lag_windows(series, n_lags):
    series = np.asarray(series, dtype=float)
    X = np.stack([series[i : i + n_lags] for i in range(len(series) - n_lags)])
    return X[..., np.newaxis], series[n_lags:]


def make_lag_windows_with_make_windows(series, n_lags):
    from utils.data import make_windows

    X, y = make_windows(series, window=n_lags)
    return X, y[:, 0]


def test_3_5_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_5(...)


def test_3_5_forgets_the_feature_axis():
    def two_d(series, n_lags):
        X, y = make_lag_windows(series, n_lags)
        return X[..., 0], y

    assert "it lacks the feature axis" in failure_of(check.exercise_3_5, two_d)


def test_3_5_one_window_too_many():
    def one_more(series, n_lags):
        X = np.stack([series[i : i + n_lags] for i in range(len(series) - n_lags + 1)])[..., np.newaxis]
        return X, series[n_lags:]

    assert "one window too many" in failure_of(check.exercise_3_5, one_more)


def test_3_5_label_off_by_one():
    def shifted(series, n_lags):
        X, _ = make_lag_windows(series, n_lags)
        return X, np.asarray(series)[n_lags - 1 : -1]

    message = failure_of(check.exercise_3_5, shifted)
    assert "the last value inside its window" in message


def test_3_5_labels_with_an_extra_axis():
    def column_labels(series, n_lags):
        X, y = make_lag_windows(series, n_lags)
        return X, y[:, np.newaxis]

    assert "it has 2 axes, 1 too many" in failure_of(check.exercise_3_5, column_labels)


def test_3_5_wrong_window_values_say_where():
    def reversed_windows(series, n_lags):
        X, y = make_lag_windows(series, n_lags)
        return X[:, ::-1], y

    message = failure_of(check.exercise_3_5, reversed_windows)
    assert "`X from make_lag_windows(series of 10 values, n_lags=3)`" in message and "index (0, 0, 0)" in message


def test_3_5_returns_one_thing():
    with pytest.raises(ExerciseCheckFailed, match="should return two things"):
        check.exercise_3_5(lambda series, n_lags: make_lag_windows(series, n_lags)[0])


def test_3_5_right(capsys):
    check.exercise_3_5(make_lag_windows)
    check.exercise_3_5(make_lag_windows_with_make_windows)
    assert capsys.readouterr().out.count("Exercise 3.5: correct") == 2


def test_3_5_reference_matches_make_windows():
    from utils.data import make_windows

    series = np.sin(np.arange(30) / 3.0)
    X, y = check._reference_lag_windows(series, 5)
    X_ref, y_ref = make_windows(series, window=5)
    np.testing.assert_allclose(X, X_ref, atol=1e-6)
    np.testing.assert_allclose(y, y_ref[:, 0], atol=1e-6)


# ---------- 3.6 how far back should the window reach ----------
def fit_and_score(X, y, n_holdout=14):
    """The notebook's helper: least squares on all windows but the last n_holdout; MAE on both parts."""
    features = np.c_[X[:, :, 0], np.ones(len(X))]
    coefficients, *_ = np.linalg.lstsq(features[:-n_holdout], y[:-n_holdout], rcond=None)
    errors = np.abs(features @ coefficients - y)
    return errors[:-n_holdout].mean(), errors[-n_holdout:].mean()


@pytest.fixture(scope="module")
def table_3_6():
    demand = check._daily_demand()
    errors = {n: fit_and_score(*make_lag_windows(demand, n)) for n in (1, 3, 7, 14, 28)}
    seasonal_naive_mae = np.abs(demand[-14:] - demand[-21:-7]).mean()
    return errors, seasonal_naive_mae


def right_answer_3_6(table_3_6):
    errors, seasonal_naive_mae = table_3_6
    holdout_mae = {n: held_out for n, (_, held_out) in errors.items()}
    chosen = min(holdout_mae, key=holdout_mae.get)
    return holdout_mae, chosen, bool(holdout_mae[3] < seasonal_naive_mae)


def test_3_6_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_6(..., ..., ...)


def test_3_6_not_a_dict():
    assert "should be a dict" in failure_of(check.exercise_3_6, [0.5, 0.4], 14, False)


def test_3_6_missing_candidates(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    del holdout_mae[28]
    assert "no entry for n_lags = [28]" in failure_of(check.exercise_3_6, holdout_mae, chosen, verdict)


def test_3_6_errors_on_the_fitted_windows(table_3_6):
    errors, _ = table_3_6
    _, chosen, verdict = right_answer_3_6(table_3_6)
    fit_mae = {n: fit for n, (fit, _) in errors.items()}
    assert "the windows the forecaster was fitted on" in failure_of(check.exercise_3_6, fit_mae, chosen, verdict)


def test_3_6_a_wrong_error_says_which_way_not_the_value(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    right = holdout_mae[7]
    holdout_mae[7] = right * 1.3
    message = failure_of(check.exercise_3_6, holdout_mae, chosen, verdict)
    assert "`holdout_mae[7]`" in message and "too large" in message and f"{right:.3g}" not in message


def test_3_6_choosing_by_the_fit_error(table_3_6):
    errors, _ = table_3_6
    holdout_mae, _, verdict = right_answer_3_6(table_3_6)
    by_fit = min(errors, key=lambda n: errors[n][0])
    message = failure_of(check.exercise_3_6, holdout_mae, by_fit, verdict)
    assert "lowest error on the windows it was fitted on" in message


def test_3_6_another_poor_choice(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    worst = max(holdout_mae, key=holdout_mae.get)
    assert "another candidate" in failure_of(check.exercise_3_6, holdout_mae, worst, verdict)
    assert "not one of the candidates" in failure_of(check.exercise_3_6, holdout_mae, 5, verdict)


def test_3_6_verdict_must_match_the_numbers(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    assert "contradicts your own numbers" in failure_of(check.exercise_3_6, holdout_mae, chosen, not verdict)
    assert "remove the quotes" in failure_of(check.exercise_3_6, holdout_mae, chosen, str(verdict))


def test_3_6_right(table_3_6, capsys):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    check.exercise_3_6(holdout_mae, chosen, verdict)
    # numpy keys and values, a float32 pipeline (utils.data.make_windows) and numpy's bool are fine too
    demand = check._daily_demand()
    float32_mae = {np.int64(n): fit_and_score(*make_lag_windows_with_make_windows(demand, n))[1] for n in holdout_mae}
    check.exercise_3_6(float32_mae, np.int64(chosen), np.bool_(verdict))
    assert capsys.readouterr().out.count("Exercise 3.6: correct") == 2


def test_3_6_the_lessons_story_holds(table_3_6):
    # What the solution's explanation says: longer windows always fit better, the best held-out window is
    # neither the shortest nor the longest, and the 3-day window of section 4 loses to 'same day last week'.
    errors, seasonal_naive_mae = table_3_6
    fit = [errors[n][0] for n in sorted(errors)]
    assert all(a > b for a, b in zip(fit, fit[1:]))
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    assert chosen not in (1, 28) and verdict is False
    assert holdout_mae[chosen] < seasonal_naive_mae < holdout_mae[3]
