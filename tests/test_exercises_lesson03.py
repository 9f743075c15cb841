"""Unit tests for utils/exercises/lesson03.py: placeholders, typical wrong answers (each with its own message,
none giving the answer away) and right answers in several forms."""

import re

import numpy as np
import pytest

from tests.exercise_helpers import failure_of
from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson03 as check


def first_line(message: str) -> str:
    """The failure itself, without the exercise label before it and the hints after it."""
    return message.split("\n", 1)[0].split("not passed yet: ", 1)[-1]


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
def gru_count(units, features):
    return 3 * (units * (units + features) + 2 * units)


def stacked_count(units, features):
    return gru_count(units, features) + gru_count(units, units) + units + 1


def bidirectional_count(units, features):
    return 2 * gru_count(units, features) + 2 * units + 1


def unfinished(units, features):
    return ...


RIGHT_3_2 = (gru_count, stacked_count, bidirectional_count)


def test_3_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_2(..., ..., ...)


def test_3_2_function_body_left_as_placeholder():
    with pytest.raises(NotAttempted, match="`stacked_count` still returns `...`"):
        check.exercise_3_2(gru_count, unfinished, bidirectional_count)


def two_grus(u, f):
    return gru_count(u, f) + gru_count(u, u)


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ((lambda u, f: 3 * (u * (u + f) + u), stacked_count, bidirectional_count), "one bias vector per set"),
        ((lambda u, f: 4 * (u * (u + f) + u), stacked_count, bidirectional_count), "an LSTM's count"),
        ((lambda u, f: u * (u + f) + u, stacked_count, bidirectional_count), "one set of weights"),
        ((gru_count, lambda u, f: 2 * gru_count(u, f) + u + 1, bidirectional_count), "reads what the first GRU"),
        ((gru_count, two_grus, bidirectional_count), "Dense layer's parameters"),
        ((gru_count, lambda u, f: two_grus(u, f) + 1, bidirectional_count), "Dense layer's weights are missing"),
        ((gru_count, lambda u, f: two_grus(u, f) + u, bidirectional_count), "Dense layer's bias is missing"),
        ((gru_count, lambda u, f: gru_count(u, f) + u + 1, bidirectional_count), "one of the two GRU layers"),
        ((gru_count, stacked_count, lambda u, f: gru_count(u, f) + u + 1), "one direction only"),
        ((gru_count, stacked_count, lambda u, f: 2 * gru_count(u, f) + u + 1), "outputs of both directions"),
        ((gru_count, stacked_count, lambda u, f: 2 * gru_count(u, f) + 1), "Dense layer's weights are missing"),
        ((lambda u, f: gru_count(u, f) + 1, stacked_count, bidirectional_count), "it is too large"),
    ],
)
def test_3_2_typical_mistakes_are_named(answers, words):
    message = failure_of(check.exercise_3_2, *answers)
    assert words in message
    label = message.split("`")[1]  # e.g. gru_count(units=5, features=5)
    name, arguments = label.split("(")
    units, features = (int(part.split("=")[1]) for part in arguments.rstrip(")").split(", "))
    right = dict(zip(("gru_count", "stacked_count", "bidirectional_count"), RIGHT_3_2))[name]
    assert not re.search(rf"\b{right(units, features):,}\b", first_line(message).replace(label, ""))


def test_3_2_building_layers_fails_on_arrays():
    import keras

    def by_keras(units, features):
        layer = keras.layers.GRU(int(units))
        layer.build((None, None, int(features)))
        return layer.count_params()

    message = failure_of(check.exercise_3_2, by_keras, stacked_count, bidirectional_count)
    assert "`gru_count`" in message


def test_3_2_a_formula_that_only_works_on_single_numbers():
    def one_number(units, features):
        return int(gru_count(units, features).sum()) if isinstance(units, np.ndarray) else gru_count(units, features)

    assert "one count per (units, features) pair" in failure_of(
        check.exercise_3_2, one_number, stacked_count, bidirectional_count
    )


def test_3_2_missing_return():
    with pytest.raises(ExerciseCheckFailed, match="forget the `return`"):
        check.exercise_3_2(lambda u, f: None, stacked_count, bidirectional_count)


def test_3_2_not_a_function():
    with pytest.raises(ExerciseCheckFailed, match="should be a function"):
        check.exercise_3_2(10400, stacked_count, bidirectional_count)


def test_3_2_not_a_whole_number():
    with pytest.raises(ExerciseCheckFailed, match="a number of parameters is a whole number"):
        check.exercise_3_2(lambda u, f: gru_count(u, f) + 0.5, stacked_count, bidirectional_count)


def test_3_2_right(capsys):
    check.exercise_3_2(*RIGHT_3_2)
    check.exercise_3_2(
        lambda u, f: 3 * u * f + 3 * u * u + 6 * u,
        lambda u, f: gru_count(u, f) + gru_count(u, u) + (u * 1 + 1),
        lambda u, f: gru_count(u, f) * 2 + (2 * u) * 1 + 1,
    )
    assert capsys.readouterr().out.count("Exercise 3.2: correct") == 2


def test_3_2_accepts_numpy_numbers_and_whole_floats(capsys):
    check.exercise_3_2(
        lambda u, f: np.int64(gru_count(u, f)),
        lambda u, f: np.asarray(stacked_count(u, f), dtype=float),
        bidirectional_count,
    )
    assert "Exercise 3.2: correct" in capsys.readouterr().out


def test_3_2_formulas_match_keras():
    import keras

    for units, features in [(5, 5), (16, 3), (1, 7)]:
        layer = keras.layers.GRU(units)
        layer.build((None, None, features))
        assert layer.count_params() == gru_count(units, features) == check._gru_parameters(units, features)
        stack = keras.Sequential(
            [
                keras.Input(shape=(None, features)),
                keras.layers.GRU(units, return_sequences=True),
                keras.layers.GRU(units),
                keras.layers.Dense(1),
            ]
        )
        assert stack.count_params() == stacked_count(units, features) == check._stacked_parameters(units, features)
        both_ways = keras.Sequential(
            [
                keras.Input(shape=(None, features)),
                keras.layers.Bidirectional(keras.layers.GRU(units)),
                keras.layers.Dense(1),
            ]
        )
        assert both_ways.count_params() == check._bidirectional_parameters(units, features)


# ---------- 3.3 sequence-to-sequence model ----------
def build(*layers, steps_in=7):
    import keras

    return keras.Sequential([keras.Input(shape=(steps_in, 3)), *layers])


def repeat_vector_seq2seq(steps_out=5, features_out=2):
    """Section 5's design: right behaviour, but not the variant this exercise asks for."""
    import keras

    return build(
        keras.layers.LSTM(8),
        keras.layers.RepeatVector(steps_out),
        keras.layers.LSTM(8, return_sequences=True),
        keras.layers.Dense(features_out),
    )


def lstm_state_seq2seq():
    import keras

    source = keras.Input(shape=(7, 3))
    _, h, c = keras.layers.LSTM(8, return_state=True)(source)
    decoded = keras.layers.LSTM(8, return_sequences=True)(keras.layers.Cropping1D((0, 2))(source), initial_state=[h, c])
    return keras.Model(source, keras.layers.Dense(2)(decoded))


def gru_state_seq2seq():
    import keras

    source = keras.Input(shape=(7, 3))
    _, h = keras.layers.GRU(6, return_state=True)(source)
    constant_steps = keras.layers.Lambda(lambda x: x[:, :5] * 0.0 + 1.0)(source)
    decoded = keras.layers.SimpleRNN(6, return_sequences=True)(constant_steps, initial_state=h)
    return keras.Model(source, keras.layers.TimeDistributed(keras.layers.Dense(2))(decoded))


def state_and_repeat_seq2seq():
    import keras

    source = keras.Input(shape=(7, 3))
    context, h, c = keras.layers.LSTM(8, return_state=True)(source)
    decoded = keras.layers.LSTM(8, return_sequences=True)(keras.layers.RepeatVector(5)(context), initial_state=[h, c])
    return keras.Model(source, keras.layers.Dense(2)(decoded))


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
    message = failure_of(check.exercise_3_3, repeat_vector_seq2seq(steps_out=7))
    assert "`seq2seq.output_shape` = (None, 7, 2)" in message and "axis 1 (time steps) is too large" in message
    assert "5" not in first_line(message)


def test_3_3_cropping_cheat_fails_by_behaviour():
    # Right shapes, but output step t has read input steps 0..t only.
    import keras

    model = build(keras.layers.LSTM(8, return_sequences=True), keras.layers.Cropping1D((0, 2)), keras.layers.Dense(2))
    assert "does not change when the last input step changes" in failure_of(check.exercise_3_3, model)


def test_3_3_section_5s_repeat_vector_design_is_not_this_variant():
    assert "decoder starts from an empty state" in failure_of(check.exercise_3_3, repeat_vector_seq2seq())


def test_3_3_cheat_flatten_dense_reshape_fails():
    import keras

    model = build(keras.layers.Flatten(), keras.layers.Dense(10), keras.layers.Reshape((5, 2)))
    assert "has no recurrent layer" in failure_of(check.exercise_3_3, model)


def test_3_3_cheat_mlp_plus_a_zeroed_seq2seq_fails():
    # The reviewer's cheat: an MLP does the work, a real encoder-decoder is added times 0.
    import keras

    source = keras.Input(shape=(7, 3))
    _, h, c = keras.layers.LSTM(4, return_state=True)(source)
    decoded = keras.layers.LSTM(4, return_sequences=True)(keras.layers.Cropping1D((0, 2))(source), initial_state=[h, c])
    dead = keras.layers.Lambda(lambda z: z * 0.0)(keras.layers.Dense(2)(decoded))
    mlp = keras.layers.Reshape((5, 2))(keras.layers.Dense(10)(keras.layers.Flatten()(source)))
    model = keras.Model(source, keras.layers.Add()([mlp, dead]))
    assert "around the encoder, not through it" in failure_of(check.exercise_3_3, model)


def test_3_3_cheat_mlp_fed_to_a_state_decoder_fails():
    import keras

    source = keras.Input(shape=(7, 3))
    _, h, c = keras.layers.LSTM(4, return_state=True)(source)
    mlp = keras.layers.Reshape((5, 2))(keras.layers.Dense(10)(keras.layers.Flatten()(source)))
    decoded = keras.layers.LSTM(4, return_sequences=True)(mlp, initial_state=[h, c])
    model = keras.Model(source, keras.layers.Dense(2)(decoded))
    assert "around the encoder, not through it" in failure_of(check.exercise_3_3, model)


def test_3_3_a_decoder_that_does_not_write_the_output_fails():
    # Encoder and decoder are real, but the output comes from the encoder's vector alone.
    import keras

    source = keras.Input(shape=(7, 3))
    context, h, c = keras.layers.LSTM(4, return_state=True)(source)
    decoded = keras.layers.LSTM(4, return_sequences=True)(keras.layers.Cropping1D((0, 2))(source), initial_state=[h, c])
    from_context = keras.layers.Reshape((5, 2))(keras.layers.Dense(10)(context))
    dead = keras.layers.Lambda(lambda z: z * 0.0)(keras.layers.Dense(2)(decoded))
    model = keras.Model(source, keras.layers.Add()([from_context, dead]))
    assert "the decoder of `seq2seq` has no effect" in failure_of(check.exercise_3_3, model)


def test_3_3_every_layer_returns_sequences():
    import keras

    model = build(
        keras.layers.LSTM(8, return_sequences=True, go_backwards=True),
        keras.layers.Cropping1D((0, 2)),
        keras.layers.Dense(2),
    )
    message = failure_of(check.exercise_3_3, model)
    assert "there is no encoder" in message or "does not change" in message


def test_3_3_messages_name_the_students_variable():
    message = failure_of(check.exercise_3_3, repeat_vector_seq2seq())
    assert "`seq2seq`" in message and "`model`" not in message


def test_3_3_hints_are_staged_and_never_the_recipe():
    import keras

    model = build(keras.layers.LSTM(8, return_sequences=True), keras.layers.Cropping1D((0, 2)), keras.layers.Dense(2))
    first = failure_of(check.exercise_3_3, model)
    assert "Hint 1 of 3" in first and "Hint 2" not in first
    everything = " ".join(failure_of(check.exercise_3_3, model) for _ in range(3))
    assert "initial_state" not in everything and "return_state" not in everything and "Cropping1D" not in everything


@pytest.mark.parametrize("builder", [lstm_state_seq2seq, gru_state_seq2seq, state_and_repeat_seq2seq])
def test_3_3_right(builder, capsys):
    check.exercise_3_3(builder())
    assert "Exercise 3.3: correct" in capsys.readouterr().out


def test_3_3_the_check_puts_the_weights_back():
    model = lstm_state_seq2seq()
    before = [w.copy() for w in model.get_weights()]
    check.exercise_3_3(model)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_3_3_a_fixed_batch_size_is_fine(capsys):
    import keras

    source = keras.Input(shape=(7, 3), batch_size=2)
    _, h = keras.layers.GRU(4, return_state=True)(source)
    decoded = keras.layers.GRU(4, return_sequences=True)(keras.layers.Cropping1D((2, 0))(source), initial_state=h)
    check.exercise_3_3(keras.Model(source, keras.layers.Dense(2)(decoded)))
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


def test_3_4_states_one_step_late():
    def late(X, W, U, b, alpha):
        h = np.zeros((X.shape[0], U.shape[0]))
        states = []
        for t in range(X.shape[1]):
            states.append(h)
            h = (1 - alpha) * h + alpha * np.tanh(X[:, t] @ W + h @ U + b)
        return np.stack(states, axis=1)

    assert "your states are one step late" in failure_of(check.exercise_3_4, late)


def test_3_4_states_stacked_along_the_wrong_axis():
    def time_first(X, W, U, b, alpha):
        return np.stack(list(leaky_rnn(X, W, U, b, alpha).transpose(1, 0, 2)), axis=0)

    assert "stacked along the wrong axis" in failure_of(check.exercise_3_4, time_first)


# ---------- 3.5 lag windows ----------
def make_lag_windows(series, lags):
    series = np.asarray(series, dtype=float)
    first = max(lags)
    X = np.stack([[series[t - lag] for lag in lags] for t in range(first, len(series))])
    return X[..., np.newaxis], series[first:]


def make_lag_windows_by_slicing(series, lags):
    series = np.asarray(series, dtype=float)
    first = max(lags)
    columns = [series[first - lag : len(series) - lag] for lag in lags]
    return np.stack(columns, axis=1)[:, :, np.newaxis], series[first:]


def test_3_5_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_5(...)


def test_3_5_the_lessons_make_windows_and_sliding_windows_do_not_pass():
    from numpy.lib.stride_tricks import sliding_window_view

    from utils.data import make_windows

    def with_make_windows(series, lags):
        X, y = make_windows(series, window=len(lags))
        return X, y[:, 0]

    def sliding(series, lags):
        return sliding_window_view(series[:-1], len(lags))[..., np.newaxis], series[len(lags) :]

    for cheat in (with_make_windows, sliding):
        message = failure_of(check.exercise_3_5, cheat)
        assert "lags=[7, 1]" in message


def test_3_5_swapped_return_order():
    def y_first(series, lags):
        X, y = make_lag_windows(series, lags)
        return y, X

    assert "returns the labels first" in failure_of(check.exercise_3_5, y_first)


def test_3_5_forgets_the_feature_axis():
    def two_d(series, lags):
        X, y = make_lag_windows(series, lags)
        return X[..., 0], y

    assert "it lacks the feature axis" in failure_of(check.exercise_3_5, two_d)


def test_3_5_lags_on_the_feature_axis():
    def transposed(series, lags):
        X, y = make_lag_windows(series, lags)
        return X.transpose(0, 2, 1), y

    assert "lie along the feature axis" in failure_of(check.exercise_3_5, transposed)


def test_3_5_one_window_too_many_or_too_few():
    def one_more(series, lags):
        X, y = make_lag_windows(series, lags)
        return np.concatenate([X, X[-1:]]), np.r_[y, y[-1]]

    def one_less(series, lags):
        X, y = make_lag_windows(series, lags)
        return X[1:], y[1:]

    assert "one window too many" in failure_of(check.exercise_3_5, one_more)
    assert "one window too few" in failure_of(check.exercise_3_5, one_less)


def test_3_5_label_off_by_one():
    def early(series, lags):
        X, _ = make_lag_windows(series, lags)
        return X, np.asarray(series)[max(lags) - 1 : -1]

    def late(series, lags):
        X, y = make_lag_windows(series, lags)
        return X, np.r_[y[1:], 0.0]

    assert "each label is one day early" in failure_of(check.exercise_3_5, early)
    assert "each label is one day late" in failure_of(check.exercise_3_5, late)


def test_3_5_values_one_day_too_late():
    def leaky(series, lags):
        series = np.asarray(series, dtype=float)
        first = max(lags)
        X = np.stack([[series[t - lag + 1] for lag in lags] for t in range(first, len(series))])
        return X[..., np.newaxis], series[first:]

    assert "lag 1 is the label itself" in failure_of(check.exercise_3_5, leaky)


def test_3_5_steps_in_reverse_order():
    def reversed_steps(series, lags):
        X, y = make_lag_windows(series, lags)
        return X[:, ::-1], y

    message = failure_of(check.exercise_3_5, reversed_steps)
    assert "the steps are in reverse order" in message and "[0, 60]" not in message


def test_3_5_returns_one_thing():
    with pytest.raises(ExerciseCheckFailed, match="should return two things"):
        check.exercise_3_5(lambda series, lags: make_lag_windows(series, lags)[0])


def test_3_5_hints_are_staged():
    first = failure_of(check.exercise_3_5, lambda series, lags: make_lag_windows(series, lags)[0])
    assert "Hint 1 of 3" in first and "Hint 2" not in first


def test_3_5_right(capsys):
    check.exercise_3_5(make_lag_windows)
    check.exercise_3_5(make_lag_windows_by_slicing)
    check.exercise_3_5(lambda series, lags: check._reference_lag_windows(series, lags))
    assert capsys.readouterr().out.count("Exercise 3.5: correct") == 3


def test_3_5_reference_matches_make_windows_for_consecutive_lags():
    from utils.data import make_windows

    series = np.sin(np.arange(30) / 3.0)
    X, y = check._reference_lag_windows(series, [5, 4, 3, 2, 1])
    X_ref, y_ref = make_windows(series, window=5)
    np.testing.assert_allclose(X, X_ref, atol=1e-6)
    np.testing.assert_allclose(y, y_ref[:, 0], atol=1e-6)
    X, y = check._reference_lag_windows(np.arange(10.0) * 10, [7, 1])
    assert X[0, :, 0].tolist() == [0, 60] and y[0] == 70 and len(y) == 3


# ---------- 3.6 how far back should the window reach ----------
def rolling_scores(X, y, n_folds=5, fold_days=7):
    """The notebook's helper."""
    inputs = np.c_[X[:, :, 0], np.ones(len(X))]
    fitted, held_out = [], []
    for k in range(n_folds, 0, -1):
        start, end = len(y) - k * fold_days, len(y) - (k - 1) * fold_days
        coefficients, *_ = np.linalg.lstsq(inputs[:start], y[:start], rcond=None)
        errors = np.abs(inputs @ coefficients - y)
        fitted.append(errors[:start].mean())
        held_out.append(errors[start:end].mean())
    return np.mean(fitted), np.mean(held_out)


@pytest.fixture(scope="module")
def table_3_6():
    demand = check._daily_demand()
    errors = {n: rolling_scores(*make_lag_windows(demand, list(range(n, 0, -1)))) for n in (1, 3, 7, 14)}
    seasonal_naive_mae = np.abs(demand[-35:] - demand[-42:-7]).mean()
    return errors, seasonal_naive_mae


def right_answer_3_6(table_3_6):
    errors, seasonal_naive_mae = table_3_6
    holdout_mae = {n: held_out for n, (_, held_out) in errors.items()}
    chosen = min(holdout_mae, key=holdout_mae.get)
    return holdout_mae, chosen, bool(holdout_mae[7] < seasonal_naive_mae)


def test_3_6_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_6(..., ..., ...)


def test_3_6_not_a_dict():
    assert "should be a dict" in failure_of(check.exercise_3_6, [0.5, 0.4], 14, False)


def test_3_6_missing_candidates(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    del holdout_mae[14]
    assert "no entry for n_lags = [14]" in failure_of(check.exercise_3_6, holdout_mae, chosen, verdict)


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


def test_3_6_a_single_split_is_not_the_mean_over_weeks(table_3_6):
    demand = check._daily_demand()
    _, chosen, verdict = right_answer_3_6(table_3_6)
    one_split = {
        n: rolling_scores(*make_lag_windows(demand, list(range(n, 0, -1))), n_folds=1)[1] for n in (1, 3, 7, 14)
    }
    assert "`holdout_mae[" in failure_of(check.exercise_3_6, one_split, chosen, verdict)


def test_3_6_a_poor_choice(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    for other in (1, 3, 7):
        assert "another candidate" in failure_of(check.exercise_3_6, holdout_mae, other, verdict)
    assert "not one of the candidates" in failure_of(check.exercise_3_6, holdout_mae, 28, verdict)


def test_3_6_verdict_must_match_the_numbers(table_3_6):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    assert "contradicts your own numbers" in failure_of(check.exercise_3_6, holdout_mae, chosen, not verdict)
    assert "remove the quotes" in failure_of(check.exercise_3_6, holdout_mae, chosen, str(verdict))


def test_3_6_right(table_3_6, capsys):
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    check.exercise_3_6(holdout_mae, chosen, verdict)
    # numpy keys and values, a float32 pipeline (utils.data.make_windows) and numpy's bool are fine too
    from utils.data import make_windows

    demand = check._daily_demand()
    float32_mae = {np.int64(n): rolling_scores(*make_windows(demand, window=n))[1] for n in holdout_mae}
    check.exercise_3_6(float32_mae, np.int64(chosen), np.bool_(verdict))
    assert capsys.readouterr().out.count("Exercise 3.6: correct") == 2


def test_3_6_the_lessons_story_holds(table_3_6):
    # What the text and the solution say: the fitted error falls as the window grows; 14 days is clearly best
    # on average and beats 'same day last week'; the 7-day window does not; shorter windows lose clearly.
    errors, seasonal_naive_mae = table_3_6
    fit = [errors[n][0] for n in sorted(errors)]
    assert all(a > b for a, b in zip(fit, fit[1:]))
    holdout_mae, chosen, verdict = right_answer_3_6(table_3_6)
    assert chosen == 14 and verdict is False
    assert holdout_mae[14] < 0.8 * min(holdout_mae[7], seasonal_naive_mae)
    assert min(holdout_mae[1], holdout_mae[3]) > 1.5 * seasonal_naive_mae


def test_3_6_every_candidate_has_twice_as_many_fitted_windows_as_weights():
    demand = check._daily_demand()
    for n in check._CANDIDATE_LAGS:
        fitted_in_first_fold = len(demand) - n - check._FOLDS * check._FOLD_DAYS
        assert fitted_in_first_fold >= 2 * (n + 1)
