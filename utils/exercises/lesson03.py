"""Checks for lesson 03 (RNN shapes): `from utils.exercises import lesson03 as check`.

Each `exercise_3_M` checks one exercise of notebooks/03_rnn_shapes.ipynb. A failure says what is wrong
(which axis, which part, which direction), never the expected answer, and gives hints in stages.
"""

from __future__ import annotations

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    all_layers,
    as_shape,
    call,
    exercise,
    expect,
    expect_close,
    expect_shape,
    require,
    require_array,
    require_flag,
    require_number,
    shape_problem,
)
from ..environment import quiet_tensorflow_before_import

# ---- Exercise 3.1: output shapes ------------------------------------------------------------------

# A batch of 32 sequences, 10 time steps, 8 features each (the exercise text says so).
_BATCH_3_1, _STEPS_3_1, _FEATURES_3_1 = 32, 10, 8


def _shape_feedback(answer, want: tuple, name: str, last_step_only: str, part: str = "") -> None:
    """Fail with what is wrong with the shape `answer`: a missing or extra axis by its meaning, else which axis.

    last_step_only: why this tensor has no time axis (said when the answer keeps one).
    part: what the tensor is, shown after the name.
    """
    got = as_shape(answer, name)
    if got == want:
        return
    shown = f"`{name}`" + (f" ({part})" if part else "") + f" = {got}"
    if got == want[1:]:
        raise ExerciseCheckFailed(
            f"{shown} has no batch axis: a layer returns one result for every sequence in the batch."
        )
    if len(want) == 2 and len(got) == 3 and (got[0], got[2]) == want:
        raise ExerciseCheckFailed(f"{shown} keeps the time axis, but {last_step_only}.")
    if len(want) == 3 and len(got) == 2 and got == (want[0], want[2]):
        raise ExerciseCheckFailed(
            f"{shown} has no time axis, but `return_sequences=True` returns an output at every step."
        )
    if len(got) == len(want) and got[-1] == _FEATURES_3_1 and want[-1] != _FEATURES_3_1:
        raise ExerciseCheckFailed(
            f"{shown}: its last axis counts the input's features, but an output's last axis counts the layer's units."
        )
    names = ("batch", "units") if len(want) == 2 else ("batch", "time steps", "units")
    raise ExerciseCheckFailed(f"{shown} is not right yet: {shape_problem(got, want, names)}.")


def _shape_list(answer, name: str, length: int) -> list:
    """A list (or tuple) of `length` shapes; each may be a tuple, a list or a TensorShape."""
    require(answer, name)
    if hasattr(answer, "as_list") or (
        isinstance(answer, tuple | list) and answer and all(isinstance(a, int | np.integer) for a in answer)
    ):
        raise ExerciseCheckFailed(
            f"`{name}` is a single shape, {tuple(as_shape(answer, name))}, but the layer returns {length} tensors: "
            f"give a list of {length} shapes, one per tensor."
        )
    expect(
        isinstance(answer, tuple | list),
        f"`{name}` should be a list of {length} shapes (tuples), one per returned tensor; got {answer!r}.",
    )
    expect(
        len(answer) == length,
        f"`{name}` holds {len(answer)} shapes, but the layer returns {length} tensors: one shape per tensor.",
    )
    return list(answer)


def exercise_3_1(shape_last, shape_sequence, shapes_with_state):
    """Output shapes of three recurrent layers on an input of shape (32, 10, 8).

    shape_last: keras.layers.SimpleRNN(16)
    shape_sequence: keras.layers.GRU(16, return_sequences=True)
    shapes_with_state: keras.layers.LSTM(4, return_sequences=True, return_state=True): [output, h, c]
    """
    batch, steps = _BATCH_3_1, _STEPS_3_1
    hints = [
        "Section 7: every output keeps the batch axis, and `return_sequences` decides whether the time axis stays.",
        "An output's last axis counts the layer's units, however many features the input has.",
        "`return_state=True` adds the final state after the output: one tensor (h) for a SimpleRNN or a GRU, two "
        "(h and c) for an LSTM. A final state belongs to the last step only.",
    ]
    with exercise("3.1", hints=hints):
        _shape_feedback(
            shape_last, (batch, 16), "shape_last", "without `return_sequences` a layer returns its last output only"
        )
        _shape_feedback(shape_sequence, (batch, steps, 16), "shape_sequence", "")
        shapes = _shape_list(shapes_with_state, "shapes_with_state", 3)
        parts = [("the output sequence", (batch, steps, 4)), ("the final h", (batch, 4)), ("the final c", (batch, 4))]
        for index, (got, (part, want)) in enumerate(zip(shapes, parts)):
            _shape_feedback(
                got, want, f"shapes_with_state[{index}]", "a final state belongs to the last step only", part
            )


# ---- Exercise 3.2: parameter counts ---------------------------------------------------------------


def _gru_parameters(units, features):
    return 3 * (units * (units + features) + 2 * units)  # 3 sets; Keras' reset_after=True: two biases per set


def _stacked_parameters(units, features):
    """Input(None, features) -> GRU(units, return_sequences=True) -> GRU(units) -> Dense(1)."""
    return _gru_parameters(units, features) + _gru_parameters(units, units) + units + 1


def _bidirectional_parameters(units, features):
    """Input(None, features) -> Bidirectional(GRU(units)) -> Dense(1): two GRUs, the Dense reads both."""
    return 2 * _gru_parameters(units, features) + 2 * units + 1


def _whole_number(value, label: str) -> int:
    number = require_number(value, label)
    expect(float(number).is_integer(), f"`{label}` = {number:g}: a number of parameters is a whole number.")
    return int(number)


def _count_problem(name: str, got: int, units: int, features: int) -> str | None:
    """A typical mistake recognised from the value, worded without the right value (None if not recognised,
    or if two mistakes give the same value for these arguments)."""
    u, f = units, features
    one_set = u * (u + f) + u
    gru = _gru_parameters(u, f)
    two_grus = gru + _gru_parameters(u, u)
    mistakes = {
        "gru_count": [
            (3 * one_set, "it counts one bias vector per set, but Keras' GRU keeps two"),
            (one_set, "it counts one set of weights, but a GRU has three"),
            (4 * one_set, "that is an LSTM's count (four sets), but a GRU has three"),
            (3 * u * (u + f), "the biases are missing"),
        ],
        "stacked_count": [
            (
                2 * gru + u + 1,
                "the second GRU does not read the input's features: it reads what the first GRU hands it at every step",
            ),
            (two_grus, "the Dense layer's parameters are missing"),
            (two_grus + 1, "the Dense layer's weights are missing: it has one weight per number it reads"),
            (two_grus + u, "the Dense layer's bias is missing"),
            (gru + u + 1, "one of the two GRU layers is missing"),
        ],
        "bidirectional_count": [
            (gru + u + 1, "it counts one direction only, but Bidirectional runs two GRUs with their own weights"),
            (gru + 2 * u + 1, "it counts one direction's GRU only, but Bidirectional runs two with their own weights"),
            (2 * gru + u + 1, "the Dense layer reads the outputs of both directions, side by side"),
            (2 * gru + 1, "the Dense layer's weights are missing: it has one weight per number it reads"),
            (2 * gru + 2 * u, "the Dense layer's bias is missing"),
            (2 * gru, "the Dense layer's parameters are missing"),
        ],
    }[name]
    found = {message for value, message in mistakes if value == got}
    return found.pop() if len(found) == 1 else None


def exercise_3_2(gru_count, stacked_count, bidirectional_count):
    """Three functions (units, features) -> a number of parameters, by formula: a GRU layer; the model
    Input(shape=(None, features)) -> GRU(units, return_sequences=True) -> GRU(units) -> Dense(1); and the model
    Input(shape=(None, features)) -> Bidirectional(GRU(units)) -> Dense(1). Each is also called with NumPy
    integer arrays for units and features and must then count element by element."""
    rng = np.random.default_rng()
    configurations = [(5, 5), (16, 3), (4, 9), (2, 1)]  # no units=1: there several mistakes give one value
    configurations += [(int(rng.integers(2, 65)), int(rng.integers(1, 21))) for _ in range(2)]
    array_units = np.array([3, 8, 32, int(rng.integers(2, 65))])
    array_features = np.array([1, 5, 2, int(rng.integers(1, 21))])
    hints = [
        "Count each weight array from its shape (section 3's table), then add them up. Use only + and *, so that "
        "the same line works for arrays of sizes.",
        "A GRU repeats the SimpleRNN's three arrays once per set, with one more bias vector per set in Keras. In a "
        "stack, a layer's `features` is whatever the layer below hands it at each step.",
        "Reuse your `gru_count` inside the other two. `Bidirectional` runs two copies of the layer it wraps and "
        "puts their outputs side by side; a Dense layer has one weight per number it reads, plus its bias.",
    ]
    with exercise("3.2", hints=hints):
        functions = [
            ("gru_count", gru_count, _gru_parameters),
            ("stacked_count", stacked_count, _stacked_parameters),
            ("bidirectional_count", bidirectional_count, _bidirectional_parameters),
        ]
        for name, function, reference in functions:
            wrong = []  # (label, got, want, recognised mistake)
            for units, features in configurations:
                label = f"{name}(units={units}, features={features})"
                got = _whole_number(call(function, name, units, features), label)
                want = reference(units, features)
                if got != want:
                    wrong.append((label, got, want, _count_problem(name, got, units, features)))
            if wrong:  # report a configuration where the mistake is recognisable, else the first one
                label, got, want, problem = next((w for w in wrong if w[3]), wrong[0])
                if problem:
                    raise ExerciseCheckFailed(f"`{label}` = {got:,} is not right yet: {problem}.")
                expect_close(got, want, label, atol=0.5, rtol=0)
        for name, function, reference in functions:
            label = f"{name}(units=np.array({array_units.tolist()}), features=np.array({array_features.tolist()}))"
            result = call(function, name, array_units, array_features)
            got = np.asarray(result)
            expect(
                got.shape == array_units.shape,
                f"`{label}` should give one count per (units, features) pair, element by element, but it gives "
                f"{'one number' if got.ndim == 0 else f'an array of shape {got.shape}'}: write the count as a "
                "formula of `units` and `features` (+ and * only), not by building a layer.",
            )
            expect_close(got.astype(float), reference(array_units, array_features).astype(float), label, atol=0.5)


# ---- Exercise 3.3: a sequence-to-sequence model ----------------------------------------------------

_STEPS_IN_3_3, _FEATURES_IN_3_3, _STEPS_OUT_3_3, _FEATURES_OUT_3_3 = 7, 3, 5, 2


def _first_output_reads_last_input(model, batch: int) -> bool:
    """Does output step 0 change when only the last input step changes? (the model's own, untrained weights)"""
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(batch, _STEPS_IN_3_3, _FEATURES_IN_3_3)).astype("float32")
    changed = inputs.copy()
    changed[:, -1] += rng.choice([-1.0, 1.0], size=changed[:, -1].shape) * rng.uniform(1.0, 2.0, changed[:, -1].shape)
    before = np.asarray(model(inputs, training=False), dtype=float)
    after = np.asarray(model(changed, training=False), dtype=float)
    return bool(np.abs(after[:, 0] - before[:, 0]).max() > 1e-6)


def _reads_last_input_without(model, layers, batch: int) -> bool:
    """The same question with every weight of `layers` set to zero (a switched-off recurrent layer outputs zeros
    whatever it reads); the weights are put back afterwards."""
    saved = [layer.get_weights() for layer in layers]
    try:
        for layer, weights in zip(layers, saved):
            layer.set_weights([np.zeros_like(w) for w in weights])
        return _first_output_reads_last_input(model, batch)
    finally:
        for layer, weights in zip(layers, saved):
            layer.set_weights(weights)


def _output_moves_with_weights_of(model, layers, batch: int) -> bool:
    """Does the first output step change when the weights of `layers` are nudged? (put back afterwards)"""
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(batch, _STEPS_IN_3_3, _FEATURES_IN_3_3)).astype("float32")
    saved = [layer.get_weights() for layer in layers]
    before = np.asarray(model(inputs, training=False), dtype=float)
    try:
        for layer, weights in zip(layers, saved):
            layer.set_weights([w + rng.normal(scale=0.5, size=w.shape).astype(w.dtype) for w in weights])
        after = np.asarray(model(inputs, training=False), dtype=float)
    finally:
        for layer, weights in zip(layers, saved):
            layer.set_weights(weights)
    return bool(np.abs(after[:, 0] - before[:, 0]).max() > 1e-6)


def _starts_from_a_handed_state(layer) -> bool:
    """Was the layer called with initial_state (more than one input tensor at its call)?"""
    return any(len(getattr(node, "input_tensors", ())) > 1 for node in getattr(layer, "_inbound_nodes", ()))


def exercise_3_3(seq2seq):
    """A Keras model [batch, 7, 3] -> [batch, 5, 2] whose first output step depends on the last input step
    through its recurrent encoder and its recurrent decoder, the decoder starting from the encoder's final state
    (initial_state), not from a repeated vector."""
    want_in = (None, _STEPS_IN_3_3, _FEATURES_IN_3_3)
    want_out = (None, _STEPS_OUT_3_3, _FEATURES_OUT_3_3)
    axes = ("batch", "time steps", "features")
    hints = [
        "Every output step should come after all 7 input steps have been read. Here the encoder hands over its "
        "memory itself (its final state), not a vector that the decoder reads at each step.",
        "Which option makes a recurrent layer return its final state as well as its output? Which argument of a "
        "recurrent layer's call sets the state it starts from?",
        "The decoder needs an input sequence of 5 steps to walk along: anything whose step 0 does not carry the "
        "last input step will do (a layer that keeps some of the input's steps, say). Write it with the "
        "functional API: keras.Input, call the layers, then keras.Model(inputs, outputs).",
    ]
    with exercise("3.3", hints=hints):
        require(seq2seq, "seq2seq")
        quiet_tensorflow_before_import()
        import keras

        expect(isinstance(seq2seq, keras.Model), f"`seq2seq` should be a keras Model, got {type(seq2seq).__name__}.")
        try:
            inputs, outputs = seq2seq.inputs, seq2seq.outputs
        except AttributeError:  # a Sequential model without keras.Input has no inputs yet
            inputs, outputs = None, None
        expect(
            bool(inputs) and len(inputs) == 1,
            "`seq2seq` should start from one keras.Input(shape=(7, 3)), so that its input shape is known.",
        )
        expect_shape(tuple(inputs[0].shape), want_in, "seq2seq.input_shape", axis_names=axes)
        expect(len(outputs) == 1, f"`seq2seq` should have one output, got {len(outputs)}.")
        expect_shape(tuple(outputs[0].shape), want_out, "seq2seq.output_shape", axis_names=axes)
        batch = inputs[0].shape[0] or 8

        expect(
            _first_output_reads_last_input(seq2seq, batch),
            "the shapes are right, but the first output step of `seq2seq` does not change when the last input "
            "step changes: it is written before the model has read the whole input.",
        )

        layers = list(all_layers(seq2seq))
        recurrent = [layer for layer in layers if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)]
        expect(bool(recurrent), "`seq2seq` has no recurrent layer (SimpleRNN, LSTM or GRU).")
        encoders = [layer for layer in recurrent if not layer.return_sequences]
        decoders = [layer for layer in recurrent if layer.return_sequences]
        expect(
            bool(encoders),
            "every recurrent layer of `seq2seq` returns a whole sequence: there is no encoder that sums the "
            "input up in its final state.",
        )
        expect(
            bool(decoders),
            "`seq2seq` has no decoder: no recurrent layer returns a sequence, so the output steps are not written "
            "by a recurrent layer.",
        )
        expect(
            not _reads_last_input_without(seq2seq, encoders, batch),
            "with its encoder switched off (all its weights zero), the first output step of `seq2seq` still "
            "changes with the last input step: the input reaches the output around the encoder, not through it.",
        )
        expect(
            _output_moves_with_weights_of(seq2seq, decoders, batch),
            "the decoder of `seq2seq` has no effect: when its weights change, the output stays the same, so the "
            "output is not written by the decoder.",
        )
        expect(
            any(_starts_from_a_handed_state(layer) for layer in decoders),
            "`seq2seq` reads the whole input before writing, but its decoder starts from an empty state: this "
            "exercise asks for the variant where the decoder starts from the encoder's final state.",
        )


# ---- Exercise 3.4: a leaky recurrent layer ---------------------------------------------------------


def _reference_leaky_rnn(X, W, U, b, alpha, *, use_state_in_candidate=True):
    h = np.zeros((X.shape[0], U.shape[0]))
    states = []
    for t in range(X.shape[1]):
        candidate = np.tanh(X[:, t] @ W + (h @ U if use_state_in_candidate else 0.0) + b)
        h = (1 - alpha) * h + alpha * candidate
        states.append(h)
    return np.stack(states, axis=1)


def _leaky_cases():
    fixed = np.random.default_rng(3)
    cases = []
    for batch, steps, features, units, alpha in [(2, 4, 3, 5, 0.3), (3, 5, 2, 4, 1.0)]:
        cases.append(
            (
                fixed.normal(size=(batch, steps, features)),
                fixed.normal(scale=0.6, size=(features, units)),
                fixed.normal(scale=0.6, size=(units, units)),
                fixed.normal(scale=0.2, size=units),
                alpha,
            )
        )
    rng = np.random.default_rng()
    batch, steps, features, units = (int(n) for n in rng.integers([1, 2, 1, 1], [5, 9, 5, 7]))
    cases.append(
        (
            rng.normal(size=(batch, steps, features)),
            rng.normal(scale=0.6, size=(features, units)),
            rng.normal(scale=0.6, size=(units, units)),
            rng.normal(scale=0.2, size=units),
            float(rng.uniform(0.1, 0.9)),
        )
    )
    return cases


def exercise_3_4(my_leaky_rnn):
    """my_leaky_rnn(X, W, U, b, alpha) -> every state [batch, steps, units] of
    h_t = (1 - alpha) h_{t-1} + alpha tanh(x_t W + h_{t-1} U + b), h_0 = 0."""
    hints = [
        "Start from section 2's loop: only the way the new state is formed from the old one changes.",
        "At each step, first compute what the simple RNN would give from x_t and the previous state (the "
        "candidate), then mix the candidate with the previous state.",
        "The mixed state is what the next step reads as its previous state, and what you collect after the "
        "update: one state per step, stacked along the time axis.",
    ]
    with exercise("3.4", hints=hints):
        for X, W, U, b, alpha in _leaky_cases():
            label = f"my_leaky_rnn(X of shape {X.shape}, ..., alpha={alpha:.3g})"
            want = _reference_leaky_rnn(X, W, U, b, alpha)
            got = require_array(call(my_leaky_rnn, "my_leaky_rnn", X, W, U, b, alpha), label)
            if (
                got.shape == want.transpose(1, 0, 2).shape
                and got.shape != want.shape
                and np.allclose(got, want.transpose(1, 0, 2), atol=1e-6)
            ):
                raise ExerciseCheckFailed(
                    f"`{label}`: the states are right, but stacked along the wrong axis: time must be axis 1, "
                    "after the batch axis."
                )
            got = require_array(got, label, shape=want.shape, axis_names=("batch", "time steps", "units"))
            if np.allclose(got, want, atol=1e-6):
                continue
            if alpha != 1 and np.allclose(got, _reference_leaky_rnn(X, W, U, b, 1.0), atol=1e-6):
                raise ExerciseCheckFailed(
                    f"`{label}` gives the simple RNN's states: alpha has no effect, the old state is not mixed in."
                )
            if np.allclose(got, _reference_leaky_rnn(X, W, U, b, 1 - alpha), atol=1e-6):
                raise ExerciseCheckFailed(
                    f"`{label}`: the old state and the candidate have swapped weights (with alpha = 1 the layer "
                    "must be section 2's simple RNN)."
                )
            if np.allclose(got, _reference_leaky_rnn(X, W, U, b, alpha, use_state_in_candidate=False), atol=1e-6):
                raise ExerciseCheckFailed(
                    f"`{label}`: the candidate ignores the previous state (U is never used), so the memory only "
                    "comes from the mixing."
                )
            if np.allclose(got[:, 0], 0.0) and np.allclose(got[:, 1:], want[:, :-1], atol=1e-6):
                raise ExerciseCheckFailed(
                    f"`{label}`: your states are one step late: at each step you collect the state from before "
                    "the update (h_0 first), not the new one."
                )
            if np.allclose(got[:, 0], want[:, 0], atol=1e-6):
                raise ExerciseCheckFailed(
                    f"`{label}`: time step 0 is right, later steps are not: check what carries over from one "
                    "step to the next."
                )
            expect_close(got, want, label, atol=1e-6, axis_names=("batch", "time steps", "units"))


# ---- Exercise 3.5: windows with chosen lags ---------------------------------------------------------


def _reference_lag_windows(series, lags):
    """X [n, len(lags), 1]: X[i, j, 0] is the value lags[j] steps before label i; y [n]: the labels, from the
    first position that has every lag inside the series to the end (fancy indexing, no loop)."""
    series = np.asarray(series, dtype=float)
    lags = np.asarray(list(lags), dtype=int)
    targets = np.arange(lags.max(), len(series))
    return series[targets[:, np.newaxis] - lags][..., np.newaxis], series[targets]


def _lag_cases():
    rng = np.random.default_rng()
    length = int(rng.integers(12, 41))
    n_random = int(rng.integers(1, 4))
    random_lags = [int(n) for n in rng.choice(np.arange(1, 9), size=n_random, replace=False)]
    return [
        (np.arange(10, dtype=float) * 10, [7, 1]),
        (np.sin(np.arange(30) / 3.0), [3, 2, 1]),
        (np.cos(np.arange(20) / 2.0) + np.arange(20) / 10, [1, 4]),
        (np.arange(6.0) + 1, [2]),
        (rng.normal(size=length), random_lags),
    ]


def _x_problem(X, series, lags, label: str) -> str | None:
    """A typical mistake recognised in X (already of the right shape), or None."""
    s = np.asarray(series, dtype=float)
    lags_array = np.asarray(lags)
    targets = np.arange(lags_array.max(), len(s))
    if len(lags) > 1 and np.allclose(X[:, ::-1, 0], s[targets[:, np.newaxis] - lags_array]):
        return f"`X from {label}`: the steps are in reverse order: step j should hold the value lags[j] days back."
    if np.allclose(X[:, :, 0], s[np.minimum(targets[:, np.newaxis] - lags_array + 1, len(s) - 1)]):
        return (
            f"`X from {label}`: every value is one day too late, so lag 1 is the label itself: a lag counts "
            "days back from the label."
        )
    return None


def exercise_3_5(make_lag_windows):
    """make_lag_windows(series, lags) -> X [n_windows, len(lags), 1] with X[i, j, 0] the value lags[j] steps before
    label i, and y [n_windows]: one label per position that has all its lags inside the series."""
    hints = [
        "Think from the label: for each position t that can be a label, which positions do its lags point at? "
        "Which is the first t for which all of them lie inside the series?",
        "Step j of a window holds the value `lags[j]` days before its label, in the order the lags are given; the "
        "lags need not be next to each other.",
        "Collect the labels' positions in an array, subtract each lag (a loop, or broadcasting a column of "
        "positions against the row of lags), index the series with the result, then add a feature axis of size one.",
    ]
    with exercise("3.5", hints=hints):
        for series, lags in _lag_cases():
            label = f"make_lag_windows(series of {len(series)} values, lags={lags})"
            want_X, want_y = _reference_lag_windows(series, lags)
            result = call(make_lag_windows, "make_lag_windows", series, list(lags))
            expect(
                isinstance(result, tuple | list) and len(result) == 2,
                f"`make_lag_windows` should return two things, X and y; got {type(result).__name__}.",
            )
            X = require_array(result[0], f"X from {label}")
            y = require_array(result[1], f"y from {label}")
            if X.ndim == 1 and y.ndim >= 2:
                raise ExerciseCheckFailed(
                    f"`{label}` returns the labels first: return X first, then y (in that order)."
                )
            if X.ndim == 2 and X.shape == want_X.shape[:2]:
                raise ExerciseCheckFailed(
                    f"`X from {label}` has shape {X.shape}: it lacks the feature axis an RNN reads "
                    "([windows, steps, features])."
                )
            if X.ndim == 3 and X.shape[1:] == (1, len(lags)) and len(lags) > 1:
                raise ExerciseCheckFailed(
                    f"`X from {label}`: the lags lie along the feature axis (axis 2); an RNN should read them one "
                    "after the other, along the steps axis (axis 1)."
                )
            if X.ndim == 3 and X.shape[0] == want_X.shape[0] + 1:
                raise ExerciseCheckFailed(
                    f"`X from {label}` has one window too many: the last window has no next value to be its label, "
                    "or the first one reaches before the start of the series."
                )
            if X.ndim == 3 and X.shape[0] == want_X.shape[0] - 1:
                raise ExerciseCheckFailed(
                    f"`X from {label}` has one window too few: check the first and the last position that can be "
                    "a label."
                )
            X = require_array(X, f"X from {label}", shape=want_X.shape, axis_names=("windows", "steps", "features"))
            y = require_array(y, f"y from {label}", shape=want_y.shape, axis_names=("windows",))
            problem = _x_problem(X, series, lags, label)
            if problem:
                raise ExerciseCheckFailed(problem)
            expect_close(X, want_X, f"X from {label}", axis_names=("windows", "steps", "features"))
            if np.allclose(y, np.asarray(series, dtype=float)[max(lags) - 1 : -1]):
                raise ExerciseCheckFailed(
                    f"`y from {label}`: each label is one day early (the day before the day it should be)."
                )
            if np.allclose(y[:-1], np.asarray(series, dtype=float)[max(lags) + 1 :]):
                raise ExerciseCheckFailed(f"`y from {label}`: each label is one day late.")
            expect_close(y, want_y, f"y from {label}", axis_names=("windows",))


# ---- Exercise 3.6: how far back should the window reach? -------------------------------------------

_CANDIDATE_LAGS = (1, 3, 7, 14)
_FOLDS, _FOLD_DAYS = 5, 7  # five successive held-out weeks, each forecast from a fit on every earlier window
_NEAR_TIE = 1.05  # a choice within 5 % of the best mean held-out error is as good as the best


def _daily_demand() -> np.ndarray:
    from ..data import load_electricity

    return (load_electricity().resample("D").mean() / 1000).to_numpy(dtype=float)


def _rolling_errors(X, y, folds: int = _FOLDS, days: int = _FOLD_DAYS) -> tuple[float, float]:
    """Mean over the folds of (MAE on the fitted windows, MAE on the held-out week) of a least-squares linear
    forecaster; fold k holds out one of the last `folds` weeks and is fitted on every window before it."""
    features = np.c_[np.asarray(X, dtype=float)[:, :, 0], np.ones(len(X))]
    y = np.asarray(y, dtype=float)
    fitted, held_out = [], []
    for k in range(folds, 0, -1):
        start, end = len(y) - k * days, len(y) - (k - 1) * days
        coefficients, *_ = np.linalg.lstsq(features[:start], y[:start], rcond=None)
        errors = np.abs(features @ coefficients - y)
        fitted.append(errors[:start].mean())
        held_out.append(errors[start:end].mean())
    return float(np.mean(fitted)), float(np.mean(held_out))


def _reference_errors(series, n_lags: int) -> tuple[float, float]:
    return _rolling_errors(*_reference_lag_windows(series, range(n_lags, 0, -1)))


def _reference_seasonal_naive(series, folds: int = _FOLDS, days: int = _FOLD_DAYS) -> float:
    series = np.asarray(series, dtype=float)
    held_out = folds * days
    return float(np.abs(series[-held_out:] - series[-held_out - 7 : -7]).mean())


def exercise_3_6(holdout_mae, chosen_n_lags, seven_days_beat_seasonal_naive):
    """holdout_mae: {n_lags: mean held-out MAE over the five weeks} for every candidate; chosen_n_lags: the window
    length to use; seven_days_beat_seasonal_naive: does the 7-day window beat 'same day last week' on average?"""
    hints = [
        "For each candidate, cut windows of that many consecutive days from `demand` with your `make_lag_windows` "
        "(which lags is that?), give them to `rolling_scores`, and keep the error it measured on the held-out weeks.",
        "`rolling_scores` returns two errors; only one was measured on days the forecaster never saw while "
        "fitting. Choose with that one.",
        "`seven_days_beat_seasonal_naive` is True only when the 7-day window's held-out error is below "
        "`seasonal_naive_mae` in your own numbers.",
    ]
    with exercise("3.6", hints=hints):
        require(holdout_mae, "holdout_mae")
        expect(
            isinstance(holdout_mae, dict),
            f"`holdout_mae` should be a dict {{n_lags: error}}, got {type(holdout_mae).__name__}.",
        )
        measured = {}
        for key, value in holdout_mae.items():
            expect(
                isinstance(key, int | np.integer) and not isinstance(key, bool),
                f"the keys of `holdout_mae` should be the window lengths (whole numbers), got {key!r}.",
            )
            measured[int(key)] = value
        missing = [n for n in _CANDIDATE_LAGS if n not in measured]
        expect(not missing, f"`holdout_mae` has no entry for n_lags = {missing}: measure every candidate.")

        series = _daily_demand()
        reference = {n: _reference_errors(series, n) for n in _CANDIDATE_LAGS}
        for n in _CANDIDATE_LAGS:
            name = f"holdout_mae[{n}]"
            got = require_number(measured[n], name)
            fit_error, held_out_error = reference[n]
            if np.isclose(got, fit_error, rtol=1e-3) and not np.isclose(got, held_out_error, rtol=1e-3):
                raise ExerciseCheckFailed(
                    f"`{name}` is the error on the windows the forecaster was fitted on, not on the held-out weeks."
                )
            expect_close(got, held_out_error, name, rtol=1e-3, atol=1e-4)

        chosen = require_number(chosen_n_lags, "chosen_n_lags")
        expect(
            chosen in _CANDIDATE_LAGS,
            f"`chosen_n_lags` = {chosen:g} is not one of the candidates {list(_CANDIDATE_LAGS)}.",
        )
        chosen = int(chosen)
        best = min(held_out for _, held_out in reference.values())
        if reference[chosen][1] > _NEAR_TIE * best:
            raise ExerciseCheckFailed(
                "`chosen_n_lags` is not the best choice: another candidate has a clearly lower mean held-out error "
                "in your `holdout_mae`."
            )

        verdict = require_flag(seven_days_beat_seasonal_naive, "seven_days_beat_seasonal_naive")
        expect(
            verdict == (reference[7][1] < _reference_seasonal_naive(series)),
            "`seven_days_beat_seasonal_naive` contradicts your own numbers: compare `holdout_mae[7]` with "
            "`seasonal_naive_mae`.",
        )
