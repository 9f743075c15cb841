"""Checks for lesson 03 (RNN shapes): `from utils.exercises import lesson03 as check`.

Each `exercise_3_M` checks one exercise of notebooks/03_rnn_shapes.ipynb. A failure says what is wrong
(which axis, which part, which direction), never the expected answer, and gives hints in stages.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import (
    ExerciseCheckFailed,
    as_shape,
    call,
    exercise,
    expect,
    expect_close,
    expect_shape,
    require,
    require_array,
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


def _simple_rnn_parameters(units: int, features: int) -> int:
    return units * (units + features) + units  # kernel [f, u], recurrent kernel [u, u], bias [u]


def _gru_parameters(units: int, features: int) -> int:
    return 3 * (units * (units + features) + 2 * units)  # 3 sets; Keras' reset_after=True: two biases per set


def _stacked_parameters(units: int, features: int) -> int:
    """Input(None, features) -> GRU(units, return_sequences=True) -> GRU(units) -> Dense(1)."""
    return _gru_parameters(units, features) + _gru_parameters(units, units) + units + 1


def _whole_number(value, label: str) -> int:
    number = require_number(value, label)
    expect(float(number).is_integer(), f"`{label}` = {number:g}: a number of parameters is a whole number.")
    return int(number)


def _count_problem(name: str, got: int, units: int, features: int) -> str | None:
    """A typical mistake recognised from the value, worded without the right value (None if not recognised,
    or if two mistakes give the same value for these arguments)."""
    u, f = units, features
    one_set = u * (u + f) + u
    two_grus = _gru_parameters(u, f) + _gru_parameters(u, u)
    mistakes = {
        "simple_rnn_count": [
            (u * (u + f), "the bias is missing"),
            (u * f + u, "the recurrent kernel (previous state -> units) is missing"),
            (u * u + u, "the kernel (input features -> units) is missing"),
        ],
        "gru_count": [
            (3 * one_set, "it counts one bias vector per set, but Keras' GRU keeps two"),
            (one_set, "it counts one set of weights, but a GRU has three"),
            (4 * one_set, "that is an LSTM's count (four sets), but a GRU has three"),
        ],
        "stacked_count": [
            (
                2 * _gru_parameters(u, f) + u + 1,
                "the second GRU does not read the input's features: it reads what the first GRU hands it at every step",
            ),
            (two_grus, "the Dense layer's parameters are missing"),
            (two_grus + u, "the Dense layer's bias is missing"),
            (_gru_parameters(u, f) + u + 1, "one of the two GRU layers is missing"),
        ],
    }[name]
    found = {message for value, message in mistakes if value == got}
    return found.pop() if len(found) == 1 else None


def exercise_3_2(simple_rnn_count, gru_count, stacked_count):
    """Three functions (units, features) -> a number of parameters: a SimpleRNN layer, a GRU layer, and the model
    Input(shape=(None, features)) -> GRU(units, return_sequences=True) -> GRU(units) -> Dense(1)."""
    rng = np.random.default_rng()
    configurations = [(1, 1), (5, 5), (16, 3), (4, 9)]
    configurations += [(int(rng.integers(2, 65)), int(rng.integers(1, 21))) for _ in range(2)]
    hints = [
        "Count each weight array from its shape (section 3's table), then add them up.",
        "A GRU repeats the SimpleRNN's three arrays once per set, with one more bias vector per set in Keras. In a "
        "stack, a layer's `features` is whatever the layer below hands it at each step.",
        "For `stacked_count`, call your `gru_count` twice, once with the input's features and once with what the "
        "first GRU outputs, then add the Dense layer: one weight per number it reads, plus its bias.",
    ]
    with exercise("3.2", hints=hints):
        functions = [
            ("simple_rnn_count", simple_rnn_count, _simple_rnn_parameters),
            ("gru_count", gru_count, _gru_parameters),
            ("stacked_count", stacked_count, _stacked_parameters),
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


# ---- Exercise 3.3: a sequence-to-sequence model ----------------------------------------------------

_STEPS_IN_3_3, _FEATURES_IN_3_3, _STEPS_OUT_3_3, _FEATURES_OUT_3_3 = 7, 3, 5, 2


def _all_layers(model):
    """Every layer, in order, nested models opened up (a Bidirectional wrapper counts as one recurrent layer)."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def _first_output_reads_last_input(model, batch: int) -> bool:
    """Does output step 0 change when only the last input step changes? (the model's own, untrained weights)"""
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(batch, _STEPS_IN_3_3, _FEATURES_IN_3_3)).astype("float32")
    changed = inputs.copy()
    changed[:, -1] += rng.choice([-1.0, 1.0], size=changed[:, -1].shape) * rng.uniform(1.0, 2.0, changed[:, -1].shape)
    before = np.asarray(model(inputs, training=False), dtype=float)
    after = np.asarray(model(changed, training=False), dtype=float)
    return bool(np.abs(after[:, 0] - before[:, 0]).max() > 1e-6)


def exercise_3_3(seq2seq):
    """A Keras model [batch, 7, 3] -> [batch, 5, 2] whose first output step depends on the last input step:
    an encoder that returns its last output only, then a recurrent decoder reading that vector, repeated."""
    want_in = (None, _STEPS_IN_3_3, _FEATURES_IN_3_3)
    want_out = (None, _STEPS_OUT_3_3, _FEATURES_OUT_3_3)
    axes = ("batch", "time steps", "features")
    hints = [
        "A translator reads the whole sentence before it writes the first word: here too, every output step "
        "should come after all 7 input steps have been read (section 5's table, last row).",
        "Use two recurrent layers: the first sums the input up in one vector (what does a recurrent layer "
        "return by default?), the second writes a sequence (which option keeps the time axis?).",
        "Between the two, section 5 uses a layer that hands the same vector to every output step; after the "
        "decoder, a layer applied at every step sets the number of output features.",
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

        expect(
            _first_output_reads_last_input(seq2seq, batch=inputs[0].shape[0] or 8),
            "the shapes are right, but the first output step of `seq2seq` does not change when the last input "
            "step changes: it is written before the model has read the whole input.",
        )

        layers = list(_all_layers(seq2seq))
        recurrent = [
            i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)
        ]
        expect(bool(recurrent), "`seq2seq` has no recurrent layer (SimpleRNN, LSTM or GRU).")
        encoders = [i for i in recurrent if not layers[i].return_sequences]
        expect(
            bool(encoders),
            "every recurrent layer of `seq2seq` returns a whole sequence: there is no encoder that sums the "
            "input up in one vector.",
        )
        repeats = [
            i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.RepeatVector) and i > encoders[0]
        ]
        expect(
            bool(repeats),
            "after its encoder, `seq2seq` never hands the encoder's vector to a decoder step by step "
            "(section 5 shows how to turn a vector into a sequence).",
        )
        decoders = [i for i in recurrent if layers[i].return_sequences and i > repeats[0]]
        expect(
            bool(decoders),
            "`seq2seq` has no decoder: no recurrent layer reads the repeated vector and returns a sequence, so "
            "the output steps are not written by a recurrent layer.",
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
        "The mixed state is what the next step reads as its previous state, and what you collect: one state per "
        "step, stacked along axis 1.",
    ]
    with exercise("3.4", hints=hints):
        for X, W, U, b, alpha in _leaky_cases():
            label = f"my_leaky_rnn(X of shape {X.shape}, ..., alpha={alpha:.3g})"
            want = _reference_leaky_rnn(X, W, U, b, alpha)
            got = require_array(
                call(my_leaky_rnn, "my_leaky_rnn", X, W, U, b, alpha),
                label,
                shape=want.shape,
                axis_names=("batch", "time steps", "units"),
            )
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
            if np.allclose(got[:, 0], want[:, 0], atol=1e-6):
                raise ExerciseCheckFailed(
                    f"`{label}`: time step 0 is right, later steps are not: check what carries over from one "
                    "step to the next."
                )
            expect_close(got, want, label, atol=1e-6, axis_names=("batch", "time steps", "units"))


# ---- Exercise 3.5: lag windows ---------------------------------------------------------------------


def _reference_lag_windows(series, n_lags: int):
    """X [n, n_lags, 1] and y [n], with numpy's sliding_window_view (the series without its last value
    holds every window that still has a label)."""
    series = np.asarray(series, dtype=float)
    return sliding_window_view(series[:-1], n_lags)[..., np.newaxis], series[n_lags:]


def exercise_3_5(make_lag_windows):
    """make_lag_windows(series, n_lags) -> X [n_windows, n_lags, 1], y [n_windows] (the value after each window)."""
    rng = np.random.default_rng()
    length = int(rng.integers(8, 41))
    cases = [
        (np.arange(10, dtype=float) * 10, 3),
        (np.sin(np.arange(30) / 3.0), 5),
        (np.arange(4.0) + 1, 3),
        (rng.normal(size=length), int(rng.integers(1, 7))),
    ]
    hints = [
        "Slide a frame of n_lags values along the series: how many positions leave a value after the frame?",
        "Window i covers positions i, i + 1, ..., i + n_lags - 1; its label sits at the first position after it.",
        "Stack the windows into an array [n_windows, n_lags], then add a feature axis of size one "
        "(np.newaxis or reshape).",
    ]
    with exercise("3.5", hints=hints):
        for series, n_lags in cases:
            label = f"make_lag_windows(series of {len(series)} values, n_lags={n_lags})"
            want_X, want_y = _reference_lag_windows(series, n_lags)
            result = call(make_lag_windows, "make_lag_windows", series, n_lags)
            expect(
                isinstance(result, tuple | list) and len(result) == 2,
                f"`make_lag_windows` should return two things, X and y; got {type(result).__name__}.",
            )
            X = require_array(result[0], f"X from {label}")
            y = require_array(result[1], f"y from {label}")
            if X.ndim == 2 and X.shape == want_X.shape[:2]:
                raise ExerciseCheckFailed(
                    f"`X from {label}` has shape {X.shape}: it lacks the feature axis an RNN reads "
                    "([windows, steps, features])."
                )
            if X.ndim == 3 and X.shape[0] == want_X.shape[0] + 1:
                raise ExerciseCheckFailed(
                    f"`X from {label}` has one window too many: the last window has no next value to be its label."
                )
            X = require_array(X, f"X from {label}", shape=want_X.shape, axis_names=("windows", "steps", "features"))
            y = require_array(y, f"y from {label}", shape=want_y.shape, axis_names=("windows",))
            expect_close(X, want_X, f"X from {label}", axis_names=("windows", "steps", "features"))
            if np.allclose(y, series[n_lags - 1 : -1]):
                raise ExerciseCheckFailed(
                    f"`y from {label}`: each label is the last value inside its window, not the value after it."
                )
            expect_close(y, want_y, f"y from {label}", axis_names=("windows",))


# ---- Exercise 3.6: how far back should the window reach? -------------------------------------------

_CANDIDATE_LAGS = (1, 3, 7, 14, 28)
_HOLDOUT_DAYS = 14
_NEAR_TIE = 1.05  # a choice within 5 % of the best held-out error is as good as the best


def _daily_demand() -> np.ndarray:
    from ..data import load_electricity

    return (load_electricity().resample("D").mean() / 1000).to_numpy(dtype=float)


def _reference_errors(series, n_lags: int, n_holdout: int = _HOLDOUT_DAYS) -> tuple[float, float]:
    """MAE of a least-squares linear forecaster on the windows it was fitted on, and on the last n_holdout."""
    X, y = _reference_lag_windows(series, n_lags)
    features = np.c_[X[:, :, 0], np.ones(len(X))]
    coefficients, *_ = np.linalg.lstsq(features[:-n_holdout], y[:-n_holdout], rcond=None)
    errors = np.abs(features @ coefficients - y)
    return float(errors[:-n_holdout].mean()), float(errors[-n_holdout:].mean())


def _reference_seasonal_naive(series, n_holdout: int = _HOLDOUT_DAYS) -> float:
    return float(np.abs(series[-n_holdout:] - series[-n_holdout - 7 : -7]).mean())


def _as_flag(answer, name: str) -> bool:
    require(answer, name)
    expect(
        isinstance(answer, bool | np.bool_),
        f"`{name}` should be True or False, got {answer!r}"
        + (" (remove the quotes)." if isinstance(answer, str) else "."),
    )
    return bool(answer)


def exercise_3_6(holdout_mae, chosen_n_lags, three_days_beat_seasonal_naive):
    """holdout_mae: {n_lags: held-out MAE} for every candidate; chosen_n_lags: the window length to use;
    three_days_beat_seasonal_naive: does the 3-day window beat 'same day last week' on the held-out days?"""
    hints = [
        "For each candidate, cut windows of that length from `demand` with your `make_lag_windows`, give them to "
        "`fit_and_score`, and keep the error it measured on the held-out days.",
        "`fit_and_score` returns two errors; only one was measured on days the forecaster never saw while "
        "fitting. Choose with that one.",
        "`three_days_beat_seasonal_naive` is True only when the 3-day window's held-out error is below "
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
                    f"`{name}` is the error on the windows the forecaster was fitted on, not on the held-out days."
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
            lowest_fit_error = min(_CANDIDATE_LAGS, key=lambda n: reference[n][0])
            if chosen == lowest_fit_error:
                raise ExerciseCheckFailed(
                    "`chosen_n_lags` has the lowest error on the windows it was fitted on. A longer window always "
                    "fits those better (more weights for fewer windows); judge on the days it never saw."
                )
            raise ExerciseCheckFailed(
                "`chosen_n_lags` is not the best choice: another candidate has a clearly lower held-out error "
                "in your `holdout_mae`."
            )

        verdict = _as_flag(three_days_beat_seasonal_naive, "three_days_beat_seasonal_naive")
        expect(
            verdict == (reference[3][1] < _reference_seasonal_naive(series)),
            "`three_days_beat_seasonal_naive` contradicts your own numbers: compare `holdout_mae[3]` with "
            "`seasonal_naive_mae`.",
        )
