"""Unit tests for utils/exercises/lesson03.py: placeholder, a typical wrong answer, the right answer."""

import numpy as np
import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson03 as check

# ---------- 3.1 output shapes ----------
RIGHT_3_1 = ((32, 16), (32, 10, 16), [(32, 10, 4), (32, 4), (32, 4)])


def test_3_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_1(..., ..., ...)


def test_3_1_forgets_the_batch_axis():
    with pytest.raises(ExerciseCheckFailed, match=r"shape_last` should be \(32, 16\), got \(16,\)") as failure:
        check.exercise_3_1((16,), *RIGHT_3_1[1:])
    assert "Hint" in str(failure.value)


def test_3_1_drops_the_time_axis_with_return_sequences():
    with pytest.raises(ExerciseCheckFailed, match=r"shape_sequence` should be \(32, 10, 16\), got \(32, 16\)"):
        check.exercise_3_1((32, 16), (32, 16), RIGHT_3_1[2])


def test_3_1_state_as_a_single_shape():
    with pytest.raises(ExerciseCheckFailed, match="list of 3 shapes"):
        check.exercise_3_1(*RIGHT_3_1[:2], (32, 10, 4))


def test_3_1_lstm_state_with_time_axis():
    with pytest.raises(ExerciseCheckFailed, match=r"h \(final hidden state\)` should be \(32, 4\)"):
        check.exercise_3_1(*RIGHT_3_1[:2], [(32, 10, 4), (32, 10, 4), (32, 4)])


def test_3_1_not_a_shape():
    with pytest.raises(ExerciseCheckFailed, match="should be a shape"):
        check.exercise_3_1("32, 16", *RIGHT_3_1[1:])


def test_3_1_right(capsys):
    check.exercise_3_1(*RIGHT_3_1)
    assert "Exercise 3.1: correct" in capsys.readouterr().out


def test_3_1_matches_keras():
    import keras

    inputs = keras.Input(shape=(check.STEPS_3_1, check.FEATURES_3_1), batch_size=check.BATCH_3_1)
    assert tuple(keras.layers.SimpleRNN(16)(inputs).shape) == RIGHT_3_1[0]
    assert tuple(keras.layers.GRU(16, return_sequences=True)(inputs).shape) == RIGHT_3_1[1]
    outputs = keras.layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert [tuple(output.shape) for output in outputs] == RIGHT_3_1[2]


# ---------- 3.2 parameter counts ----------
def simple_rnn_count(units, features):
    return units * units + units * features + units


def lstm_count(units, features):
    return 4 * (units * (units + features) + units)


def gru_count(units, features):
    return 3 * (units * (units + features) + 2 * units)


def unfinished(units, features):
    return ...


def test_3_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_2(..., ..., ...)


def test_3_2_function_body_left_as_placeholder():
    with pytest.raises(NotAttempted, match="replace the `...` in `lstm_count`"):
        check.exercise_3_2(simple_rnn_count, unfinished, gru_count)


def test_3_2_lstm_without_the_four_gates():
    with pytest.raises(ExerciseCheckFailed, match=r"lstm_count\(units=1, features=1\)` should be 12, got 3"):
        check.exercise_3_2(simple_rnn_count, simple_rnn_count, gru_count)


def test_3_2_gru_with_one_bias_per_gate():
    with pytest.raises(ExerciseCheckFailed, match=r"gru_count\(units=1, features=1\)` should be 12, got 9") as failure:
        check.exercise_3_2(simple_rnn_count, lstm_count, lambda u, f: 3 * (u * (u + f) + u))
    assert "two biases" in str(failure.value)


def test_3_2_missing_return():
    with pytest.raises(ExerciseCheckFailed, match="forget the `return`"):
        check.exercise_3_2(lambda u, f: None, lstm_count, gru_count)


def test_3_2_not_a_function():
    with pytest.raises(ExerciseCheckFailed, match="should be a function"):
        check.exercise_3_2(10400, lstm_count, gru_count)


def test_3_2_right(capsys):
    check.exercise_3_2(simple_rnn_count, lstm_count, gru_count)
    assert "Exercise 3.2: correct" in capsys.readouterr().out


def test_3_2_formulas_match_keras():
    import keras

    for units, features in [(5, 5), (16, 3)]:
        inputs = keras.Input(shape=(None, features))
        for layer_type, formula in [(keras.layers.SimpleRNN, simple_rnn_count), (keras.layers.LSTM, lstm_count),
                                    (keras.layers.GRU, gru_count)]:
            layer = layer_type(units)
            layer(inputs)
            assert layer.count_params() == formula(units, features)


# ---------- 3.3 sequence-to-sequence model ----------
def build_seq2seq(steps_out=5, features_out=2):
    import keras

    return keras.Sequential([
        keras.Input(shape=(7, 3)),
        keras.layers.LSTM(8),
        keras.layers.RepeatVector(steps_out),
        keras.layers.LSTM(8, return_sequences=True),
        keras.layers.Dense(features_out),
    ])


def test_3_3_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_3(...)


def test_3_3_not_a_model():
    with pytest.raises(ExerciseCheckFailed, match="should be a keras Model, got list"):
        check.exercise_3_3([1, 2])


def test_3_3_without_input():
    import keras

    model = keras.Sequential([keras.layers.LSTM(8), keras.layers.Dense(2)])
    with pytest.raises(ExerciseCheckFailed, match=r"keras.Input\(shape=\(7, 3\)\)"):
        check.exercise_3_3(model)


def test_3_3_wrong_output_length():
    with pytest.raises(ExerciseCheckFailed, match=r"output shape` should be \(None, 5, 2\), got \(None, 7, 2\)"):
        check.exercise_3_3(build_seq2seq(steps_out=7))


def test_3_3_no_recurrent_layer():
    import keras

    model = keras.Sequential([
        keras.Input(shape=(7, 3)),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
        keras.layers.Reshape((5, 2)),
    ])
    with pytest.raises(ExerciseCheckFailed, match="at least one recurrent layer"):
        check.exercise_3_3(model)


def test_3_3_right(capsys):
    check.exercise_3_3(build_seq2seq())
    assert "Exercise 3.3: correct" in capsys.readouterr().out


# ---------- 3.4 one recurrent step ----------
def rnn_step(x_t, h_prev, W, U, b):
    return np.tanh(x_t @ W + h_prev @ U + b)


def test_3_4_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_4(...)


def test_3_4_body_placeholder():
    with pytest.raises(NotAttempted, match="replace the `...` in `rnn_step`"):
        check.exercise_3_4(lambda x_t, h_prev, W, U, b: ...)


def test_3_4_forgets_tanh():
    with pytest.raises(ExerciseCheckFailed, match="pre-activation: apply np.tanh"):
        check.exercise_3_4(lambda x_t, h_prev, W, U, b: x_t @ W + h_prev @ U + b)


def test_3_4_forgets_the_memory():
    with pytest.raises(ExerciseCheckFailed, match="rnn_step.*is off by up to"):
        check.exercise_3_4(lambda x_t, h_prev, W, U, b: np.tanh(x_t @ W + b))


def test_3_4_column_vector_convention_gives_feedback_not_traceback():
    with pytest.raises(ExerciseCheckFailed, match="raised ValueError") as failure:
        check.exercise_3_4(lambda x_t, h_prev, W, U, b: np.tanh(W @ x_t + U @ h_prev + b))
    assert "x_t @ W" in str(failure.value)


def test_3_4_right(capsys):
    check.exercise_3_4(rnn_step)
    assert "Exercise 3.4: correct" in capsys.readouterr().out


# ---------- 3.5 lag windows ----------
def make_lag_windows(series, n_lags):
    series = np.asarray(series, dtype=float)
    X = np.stack([series[i : i + n_lags] for i in range(len(series) - n_lags)])
    return X[..., np.newaxis], series[n_lags:]


def test_3_5_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_3_5(...)


def test_3_5_forgets_the_feature_axis():
    def two_d(series, n_lags):
        X, y = make_lag_windows(series, n_lags)
        return X[..., 0], y

    with pytest.raises(ExerciseCheckFailed, match=r"should have shape \(7, 3, 1\), got \(7, 3\)"):
        check.exercise_3_5(two_d)


def test_3_5_label_off_by_one():
    def shifted(series, n_lags):
        X, _ = make_lag_windows(series, n_lags)
        return X, np.asarray(series)[n_lags - 1 : -1]

    with pytest.raises(ExerciseCheckFailed, match=r"`y \(series of 10 values, n_lags=3\)` is off by up to 10"):
        check.exercise_3_5(shifted)


def test_3_5_returns_one_thing():
    with pytest.raises(ExerciseCheckFailed, match="should return two things"):
        check.exercise_3_5(lambda series, n_lags: make_lag_windows(series, n_lags)[0])


def test_3_5_right(capsys):
    check.exercise_3_5(make_lag_windows)
    assert "Exercise 3.5: correct" in capsys.readouterr().out


def test_3_5_matches_make_windows():
    from utils.data import make_windows

    series = np.sin(np.arange(30) / 3.0)
    X, y = make_lag_windows(series, 5)
    X_ref, y_ref = make_windows(series, window=5)
    np.testing.assert_allclose(X, X_ref, atol=1e-6)
    np.testing.assert_allclose(y, y_ref[:, 0], atol=1e-6)
