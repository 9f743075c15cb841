"""Checks for lesson 03 (RNN shapes): `from utils.exercises import lesson03 as check`.

Each `exercise_3_M` checks one exercise of notebooks/03_rnn_shapes.ipynb and says
what was expected, what was received and gives a hint.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    NotAttempted,
    exercise,
    expect,
    expect_close,
    expect_shape,
    require,
    require_array,
)
from ..environment import quiet_tensorflow_before_import

# Exercise 3.1: a batch of 32 sequences, 10 time steps, 8 features each.
BATCH_3_1, STEPS_3_1, FEATURES_3_1 = 32, 10, 8


def _returned(value, name: str):
    """What a student's function returned: `...` means not attempted, None means a missing return."""
    if value is Ellipsis:
        raise NotAttempted(f"replace the `...` in `{name}` with your code, then run this cell again.")
    if value is None:
        raise ExerciseCheckFailed(f"`{name}` returned None: did you forget the `return` statement?")
    return value


def _callable(function, name: str):
    require(function, name)
    expect(callable(function), f"`{name}` should be a function, got {type(function).__name__}.")
    return function


def _shape_list(answer, name: str, length: int) -> list:
    require(answer, name)
    expect(
        isinstance(answer, tuple | list) and len(answer) == length and all(isinstance(a, tuple | list) for a in answer),
        f"`{name}` should be a list of {length} shapes (one per returned tensor), such as [(32, 5), (32, 5)], "
        f"got {answer!r}.",
    )
    return list(answer)


def exercise_3_1(shape_last, shape_sequence, shapes_with_state):
    """Output shapes of recurrent layers on an input of shape (32, 10, 8).

    shape_last: keras.layers.SimpleRNN(16)
    shape_sequence: keras.layers.GRU(16, return_sequences=True)
    shapes_with_state: keras.layers.LSTM(4, return_sequences=True, return_state=True), a list of 3 shapes
    """
    batch, steps = BATCH_3_1, STEPS_3_1
    with exercise(
        "3.1",
        hint="the batch axis always stays; return_sequences keeps the time axis; "
        "an LSTM's state is two tensors (h and c), each [batch, units].",
    ):
        expect_shape(shape_last, (batch, 16), "shape_last")
        expect_shape(shape_sequence, (batch, steps, 16), "shape_sequence")
        shapes = _shape_list(shapes_with_state, "shapes_with_state", 3)
        for name, got, want in zip(("output", "h (final hidden state)", "c (final cell state)"), shapes,
                                   [(batch, steps, 4), (batch, 4), (batch, 4)]):
            expect_shape(got, want, f"shapes_with_state: {name}")


def _count_with(function, name: str, units: int, features: int) -> int:
    count = _returned(_callable(function, name)(units, features), name)
    expect(
        isinstance(count, numbers.Integral | np.integer) or (isinstance(count, float) and count.is_integer()),
        f"`{name}({units}, {features})` should return a whole number of parameters, got {count!r}.",
    )
    return int(count)


def simple_rnn_parameters(units: int, features: int) -> int:
    return units * (units + features) + units


def lstm_parameters(units: int, features: int) -> int:
    return 4 * simple_rnn_parameters(units, features)


def gru_parameters(units: int, features: int) -> int:
    # Keras' default reset_after=True keeps two bias vectors per gate.
    return 3 * (units * (units + features) + 2 * units)


def exercise_3_2(simple_rnn_count, lstm_count, gru_count):
    """Three functions (units, features) -> number of parameters of a SimpleRNN, LSTM and GRU layer."""
    configurations = [(1, 1), (5, 5), (16, 3), (50, 1), (32, 10)]
    with exercise(
        "3.2",
        hint="a SimpleRNN has a kernel [features, units], a recurrent kernel [units, units] and a bias [units]; "
        "an LSTM has four such sets (one per gate), a GRU three, each GRU gate with two biases in Keras.",
    ):
        for name, function, formula in [("simple_rnn_count", simple_rnn_count, simple_rnn_parameters),
                                        ("lstm_count", lstm_count, lstm_parameters),
                                        ("gru_count", gru_count, gru_parameters)]:
            for units, features in configurations:
                got = _count_with(function, name, units, features)
                want = formula(units, features)
                expect(got == want, f"`{name}(units={units}, features={features})` should be {want:,}, got {got:,}.")


# Exercise 3.3: 7 steps of 3 features in, 5 steps of 2 features out.
STEPS_IN_3_3, FEATURES_IN_3_3, STEPS_OUT_3_3, FEATURES_OUT_3_3 = 7, 3, 5, 2


def exercise_3_3(model):
    """A sequence-to-sequence Keras model: [batch, 7, 3] in, [batch, 5, 2] out, with a recurrent layer."""
    want_in = (None, STEPS_IN_3_3, FEATURES_IN_3_3)
    want_out = (None, STEPS_OUT_3_3, FEATURES_OUT_3_3)
    with exercise(
        "3.3",
        hint="encoder LSTM (last state only) -> RepeatVector(5) -> LSTM(return_sequences=True) -> Dense(2); "
        "start with keras.Input(shape=(7, 3)).",
    ):
        require(model, "seq2seq")
        quiet_tensorflow_before_import()
        import keras

        expect(isinstance(model, keras.Model), f"`model` should be a keras Model, got {type(model).__name__}.")
        try:
            inputs, outputs = model.inputs, model.outputs
        except AttributeError:  # a Sequential model without keras.Input has no inputs yet
            inputs, outputs = None, None
        expect(
            bool(inputs) and len(inputs) == 1,
            "`model` should start from one keras.Input(shape=(7, 3)), so that its input shape is known.",
        )
        expect_shape(tuple(inputs[0].shape), want_in, "the model's input shape")
        expect(len(outputs) == 1, f"`model` should have one output, got {len(outputs)}.")
        expect_shape(tuple(outputs[0].shape), want_out, "the model's output shape")
        recurrent = [layer for layer in _all_layers(model) if isinstance(layer, keras.layers.RNN)]
        expect(bool(recurrent), "`model` should contain at least one recurrent layer (SimpleRNN, LSTM or GRU).")
        sample = np.zeros((2, *want_in[1:]), dtype="float32")
        output = np.asarray(model(sample))
        expect(output.shape == (2, *want_out[1:]),
               f"on a batch of 2 sequences the model should return shape {(2, *want_out[1:])}, got {output.shape}.")


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)
        if hasattr(layer, "forward_layer"):  # Bidirectional
            yield layer.forward_layer


def reference_rnn_step(x_t, h_prev, W, U, b):
    return np.tanh(x_t @ W + h_prev @ U + b)


def exercise_3_4(rnn_step):
    """A function rnn_step(x_t, h_prev, W, U, b) -> tanh(x_t W + h_prev U + b) on a batch."""
    rng = np.random.default_rng(3)
    batch, features, units = 4, 3, 5
    cases = [
        (rng.normal(size=(batch, features)), rng.normal(size=(batch, units)), rng.normal(size=(features, units)),
         rng.normal(size=(units, units)), rng.normal(size=units)),
        (rng.normal(size=(1, 1)), rng.normal(size=(1, 1)), rng.normal(size=(1, 1)), rng.normal(size=(1, 1)),
         rng.normal(size=1)),
    ]
    with exercise(
        "3.4",
        hint="rows are instances: x_t is [batch, features], W is [features, units], so x_t @ W is [batch, units]; "
        "add h_prev @ U and b, then apply np.tanh.",
    ):
        _callable(rnn_step, "rnn_step")
        for x_t, h_prev, W, U, b in cases:
            want = reference_rnn_step(x_t, h_prev, W, U, b)
            got = _returned(rnn_step(x_t.copy(), h_prev.copy(), W.copy(), U.copy(), b.copy()), "rnn_step")
            got = require_array(got, "rnn_step(...)", shape=want.shape)
            if np.allclose(got, x_t @ W + h_prev @ U + b):
                raise ExerciseCheckFailed("the result is the pre-activation: apply np.tanh to it.")
            expect_close(got, want, "rnn_step(...)", atol=1e-6)


def exercise_3_5(make_lag_windows):
    """A function make_lag_windows(series, n_lags) -> X [n, n_lags, 1], y [n] (the next value)."""
    series_cases = [(np.arange(10, dtype=float) * 10, 3), (np.sin(np.arange(30) / 3.0), 5), (np.arange(4.0), 3)]
    with exercise(
        "3.5",
        hint="window i is series[i : i + n_lags] and its label is series[i + n_lags]; there are "
        "len(series) - n_lags windows; add the feature axis with [..., np.newaxis].",
    ):
        _callable(make_lag_windows, "make_lag_windows")
        for series, n_lags in series_cases:
            n_windows = len(series) - n_lags
            want_X = np.stack([series[i : i + n_lags] for i in range(n_windows)])[..., np.newaxis]
            want_y = series[n_lags:]
            result = _returned(make_lag_windows(series.copy(), n_lags), "make_lag_windows")
            expect(isinstance(result, tuple | list) and len(result) == 2,
                   f"`make_lag_windows` should return two things, X and y; got {type(result).__name__}.")
            X, y = result
            X = require_array(X, f"X for a series of {len(series)} values and n_lags={n_lags}",
                              shape=(n_windows, n_lags, 1))
            y = require_array(y, f"y for a series of {len(series)} values and n_lags={n_lags}", shape=(n_windows,))
            expect_close(X, want_X, f"X (series of {len(series)} values, n_lags={n_lags})")
            expect_close(y, want_y, f"y (series of {len(series)} values, n_lags={n_lags})")
