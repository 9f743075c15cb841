"""Checks for lesson 05, LSTM and GRU: `from utils.exercises import lesson05 as check`.

Each `exercise_5_M` checks one exercise of notebooks/05_lstm_gru.ipynb. A failure says what is wrong
(which gate, which block of the weights, which convention, which direction), never the expected
answer, and gives hints in stages.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    call,
    exercise,
    expect,
    expect_close,
    is_placeholder,
    require_array,
    require_function,
    require_number,
)
from ..environment import import_keras as _keras
from ..environment import quiet_tensorflow_before_import


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---- Exercise 5.1: one step of keras.layers.GRU(reset_after=False) -----------------------------------------

#: In every message that says a library function was switched off while the student's function ran.
_SWITCHED_OFF = "switched off while the check runs your function"


def _switched_off(*args, **kwargs):
    # stands in for a library function while the check runs the student's code: it runs with that
    # function's globals, so it uses builtins and literals only (the text is _SWITCHED_OFF's)
    raise RuntimeError("switched off while the check runs your function")


@contextlib.contextmanager
def _switched_off_during(functions=(), class_methods=()):
    """While the block runs, these library functions raise (under every name they are reached by, since
    their code is swapped, not a module attribute) and these (class, method name) pairs raise too;
    everything is restored afterwards."""
    originals = [(function, function.__code__) for function in functions]
    methods = [(owner, name, owner.__dict__[name]) for owner, name in class_methods]
    try:
        for function, _ in originals:
            function.__code__ = _switched_off.__code__
        for owner, name, _ in methods:
            setattr(owner, name, _switched_off)
        yield
    finally:
        for function, code in originals:
            function.__code__ = code
        for owner, name, method in methods:
            setattr(owner, name, method)


def _call_on_your_own(function, name, arguments, switched_off, why):
    """checks.call, with the library functions that would answer the exercise switched off."""
    try:
        with _switched_off_during(**switched_off):
            return call(function, name, *arguments)
    except ExerciseCheckFailed as failure:
        if _SWITCHED_OFF in str(failure):
            raise ExerciseCheckFailed(f"`{name}` calls {why}") from None
        raise


def _keras_gru_methods():
    keras = _keras()
    return [(keras.layers.GRU, "call"), (keras.layers.GRUCell, "call")]


def _reference_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """Keras itself: a GRU(reset_after=False) layer with these weights, run for one step from h_prev."""
    keras = _keras()
    features, units = kernel.shape[0], recurrent_kernel.shape[0]
    layer = keras.layers.GRU(
        units, reset_after=False, kernel_initializer="zeros", recurrent_initializer="zeros"
    )  # zeros: building it draws no random numbers from the student's session
    layer.build((None, None, features))
    layer.set_weights([kernel, recurrent_kernel, bias])
    inputs = np.asarray(x_t, dtype="float32")[:, np.newaxis, :]
    return np.asarray(layer(inputs, initial_state=[np.asarray(h_prev, dtype="float32")]), dtype=float)


def _gru_variant(
    x_t,
    h_prev,
    kernel,
    recurrent_kernel,
    bias,
    *,
    order="zrh",
    reset_after=False,
    bias_in_reset=False,
    with_reset=True,
    swap_z=False,
    with_bias=True,
    return_candidate=False,
):
    """A GRU step with one typical mistake (or two) switched on, to recognise a student's answer.

    order: which block of the weights the student used for z, r and h, in that order ("zrh" is Keras's).
    """
    units = recurrent_kernel.shape[0]
    bias = bias if with_bias else np.zeros_like(bias)
    blocks = {name: slice(index * units, (index + 1) * units) for index, name in zip(range(3), "zrh")}
    used = dict(zip("zrh", order))  # gate -> the block it reads

    def block(weight, gate):
        return weight[..., blocks[used[gate]]]

    z = _sigmoid(x_t @ block(kernel, "z") + block(bias, "z") + h_prev @ block(recurrent_kernel, "z"))
    r = _sigmoid(x_t @ block(kernel, "r") + block(bias, "r") + h_prev @ block(recurrent_kernel, "r"))
    r = r if with_reset else np.ones_like(r)
    input_part = x_t @ block(kernel, "h") + block(bias, "h")
    if bias_in_reset and not reset_after:  # the reset gate also scales the candidate's bias
        candidate = np.tanh(
            x_t @ block(kernel, "h") + (r * h_prev) @ block(recurrent_kernel, "h") + r * block(bias, "h")
        )
    elif reset_after and bias_in_reset:
        candidate = np.tanh(x_t @ block(kernel, "h") + r * (h_prev @ block(recurrent_kernel, "h") + block(bias, "h")))
    elif reset_after:
        candidate = np.tanh(input_part + r * (h_prev @ block(recurrent_kernel, "h")))
    else:
        candidate = np.tanh(input_part + (r * h_prev) @ block(recurrent_kernel, "h"))
    if return_candidate:
        return candidate
    if swap_z:
        return (1 - z) * h_prev + z * candidate
    return z * h_prev + (1 - z) * candidate


_GATE_NAMES = {"z": "update gate z", "r": "reset gate r", "h": "candidate h~"}


def _order_message(order: str) -> str:
    wrong = [
        f"your {_GATE_NAMES[gate]} reads the block Keras keeps for the {_GATE_NAMES[block]}"
        for gate, block in zip("zrh", order)
        if gate != block
    ]
    return (
        "the three blocks of the weights are read in another order than Keras stores them: "
        + "; ".join(wrong)
        + ". Section 5 gives Keras's order (the same for kernel, recurrent_kernel and bias)."
    )


_RESET_AFTER = (
    "you applied the reset gate AFTER the recurrent product, r * (h_prev @ U_h), as Keras's default GRU "
    "does; with reset_after=False the reset gate scales h_prev BEFORE it is multiplied by U_h."
)

_GRU_MISTAKES = [
    ({"reset_after": True}, _RESET_AFTER),
    ({"reset_after": True, "bias_in_reset": True}, _RESET_AFTER),
    (
        {"swap_z": True},
        "z and 1 - z are swapped: that is the slide's convention. In Keras the update gate z weighs the OLD "
        "state h_prev, and 1 - z the candidate.",
    ),
    (
        {"swap_z": True, "reset_after": True},
        "two things differ from Keras's GRU(reset_after=False): z and 1 - z are swapped (the slide's convention; "
        "in Keras z weighs the OLD state), and the reset gate is applied after the recurrent product instead "
        "of before it.",
    ),
    *[({"order": order}, _order_message(order)) for order in ("rzh", "zhr", "hzr", "rhz", "hrz")],
    (
        {"with_reset": False},
        "your candidate ignores the reset gate: the new candidate must see the previous state only through r.",
    ),
    (
        {"bias_in_reset": True},
        "the reset gate also scales the candidate's bias; with reset_after=False it scales only h_prev (before the "
        "product with U_h), and the bias is added as it is.",
    ),
    ({"with_bias": False}, "the result is right except for the bias: add each gate's slice of `bias`."),
    (
        {"return_candidate": True},
        "you returned the candidate state h~; the new state mixes it with h_prev through the update gate.",
    ),
]


def _gru_cases():
    rng = np.random.default_rng(51)
    cases = []
    for batch, features, units in [(3, 2, 4), (1, 1, 1), (5, 3, 6)]:
        kernel = rng.normal(scale=0.7, size=(features, 3 * units))
        recurrent_kernel = rng.normal(scale=0.7, size=(units, 3 * units))
        bias = rng.normal(scale=0.5, size=3 * units)
        x_t = rng.normal(size=(batch, features))
        h_prev = rng.uniform(-0.9, 0.9, size=(batch, units))
        cases.append((x_t, h_prev, kernel, recurrent_kernel, bias))
    return cases


_USE_NUMPY = (
    "Keras's own GRU, which is " + _SWITCHED_OFF + ": the exercise asks you to write the step yourself, "
    "in NumPy, from the equations of section 5."
)


def exercise_5_1(my_gru_step) -> None:
    """my_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias): one step of GRU(reset_after=False)."""
    hints = [
        "start from the lesson's gru_step: the gates z and r are unchanged; what differs is the bias (one vector "
        "of 3 * units here) and where the reset gate acts.",
        "split kernel, recurrent_kernel and bias into three column blocks, in Keras's order z, r, h. The gates are "
        "sigmoids of x_t @ kernel_block + bias_block + h_prev @ recurrent_block.",
        "for the candidate, multiply the previous state by r first and only then by the third block of "
        "recurrent_kernel; the new state mixes h_prev and the candidate with the update gate as Keras does "
        "(section 5).",
    ]
    with exercise("5.1", hints=hints):
        for x_t, h_prev, kernel, recurrent_kernel, bias in _gru_cases():
            batch, units = h_prev.shape
            arguments = (x_t, h_prev, kernel, recurrent_kernel, bias)
            expected = _reference_gru_step(*arguments)  # before Keras's GRU is switched off
            answer = _call_on_your_own(
                my_gru_step, "my_gru_step", arguments, {"class_methods": _keras_gru_methods()}, _USE_NUMPY
            )
            name = f"my_gru_step(...) for batch={batch}, features={x_t.shape[1]}, units={units}"
            got = require_array(answer, name, shape=(batch, units), axis_names=["batch", "units"])
            if np.allclose(got, expected, atol=1e-5):
                continue
            for variant, message in _GRU_MISTAKES:
                if np.allclose(got, _gru_variant(*arguments, **variant), atol=1e-5):
                    raise ExerciseCheckFailed(message)
            expect_close(got, expected, name, atol=1e-5, rtol=1e-4, axis_names=["batch", "units"])


# ---- Exercise 5.2: clip a gradient by its norm ---------------------------------------------------------------


def _reference_clip(gradient, max_norm):
    norm = float(np.sqrt(np.sum(np.square(gradient, dtype=float))))
    return gradient * (max_norm / norm) if norm > max_norm else gradient.astype(float)


def _library_clipping():
    """The library functions that clip by norm (TensorFlow's, and the one Keras's optimizers use)."""
    quiet_tensorflow_before_import()
    import inspect

    import tensorflow as tf

    found = [inspect.unwrap(tf.clip_by_norm), inspect.unwrap(tf.clip_by_global_norm)]
    try:
        from keras.src.optimizers import base_optimizer
    except ImportError:  # another Keras layout: nothing more to switch off
        return found
    found += (
        [inspect.unwrap(base_optimizer.clip_by_global_norm)] if hasattr(base_optimizer, "clip_by_global_norm") else []
    )
    return found


_WRITE_IT_YOURSELF = (
    "a library's clipping function (tf.clip_by_norm and its relatives are " + _SWITCHED_OFF + "): the exercise "
    "asks you to write clipping yourself, with NumPy."
)


def _clip_cases():
    rng = np.random.default_rng(52)
    return [
        (np.array([3.0, -4.0]), 1.0),  # norm 5: scaled down
        (np.array([0.3, -0.4]), 1.0),  # norm 0.5: left alone
        (rng.normal(scale=20.0, size=(4, 3)), 2.5),  # a weight matrix
        (rng.normal(scale=0.1, size=(3, 5)), 5.0),  # a short matrix, left alone
        (rng.normal(scale=50.0, size=(2, 3, 2)), 0.5),  # any rank
        (np.zeros((3, 4)), 1.0),  # a gradient that has vanished completely
        (rng.normal(scale=1e-12, size=(6,)), 1.0),  # ... or nearly
    ]


def _diagnose_clip(got, gradient, max_norm, name):
    """What is wrong with a clipped gradient that differs from the reference (None: nothing recognised)."""
    norm = float(np.linalg.norm(gradient))
    if not np.isfinite(got).all():
        return f"{name}: your result contains nan or inf. " + (
            "This gradient is all zeros (it has vanished): its norm is 0, and dividing by it gives nan. A gradient "
            "that is short enough must come back unchanged: rescale only a gradient that is too long."
            if norm == 0
            else "Check the factor you multiply by."
        )
    got_norm = float(np.linalg.norm(got))
    if norm == 0 or norm < 1e-6 * max_norm:
        return (
            f"{name}: this gradient has (nearly) vanished, far below max_norm, yet your result differs from it. "
            "A gradient whose norm is at most max_norm must come back unchanged."
        )
    if np.allclose(got, np.clip(gradient, -max_norm, max_norm)):
        return (
            f"{name}: you clipped each value separately. That changes the gradient's direction; clipnorm "
            "keeps the direction and shortens the whole array."
        )
    if norm <= max_norm and np.isclose(got_norm, max_norm, rtol=1e-6):
        return (
            f"{name}: this gradient was already short enough, yet you stretched it. A gradient whose "
            "norm is at most max_norm must come back unchanged."
        )
    if np.isclose(got_norm, 1.0, rtol=1e-6) and not np.isclose(max_norm, 1.0):
        return f"{name}: your result has norm 1, whatever max_norm is: scale to max_norm, not to a unit vector."
    if gradient.ndim > 1:
        rows = gradient.reshape(len(gradient), -1)
        row_norms = np.linalg.norm(rows, axis=1, keepdims=True)
        per_row = (rows * np.minimum(1.0, max_norm / row_norms)).reshape(gradient.shape)
        if np.allclose(got, per_row):
            return f"{name}: you clipped each row by its own norm; clipnorm takes ONE norm over the whole array."
    cosine = float(np.sum(got * gradient) / (got_norm * norm)) if got_norm > 0 else 0.0
    if cosine < 1 - 1e-6:
        return f"{name}: your result points in another direction than the gradient."
    return None


def exercise_5_2(my_clip_by_norm) -> None:
    """my_clip_by_norm(gradient, max_norm): what clipnorm does to one weight's gradient."""
    hints = [
        "clipping by norm never changes the direction of the gradient, only its length, and only when it is too long.",
        "the norm is the square root of the sum of the squares of ALL the entries (np.linalg.norm of the "
        "flattened array).",
        "if that norm is above max_norm, multiply the whole array by one factor that brings its norm down to "
        "max_norm; otherwise return it as it is.",
    ]
    with exercise("5.2", hints=hints):
        switched_off = {"functions": _library_clipping()}
        for gradient, max_norm in _clip_cases():
            answer = _call_on_your_own(
                my_clip_by_norm, "my_clip_by_norm", (gradient, max_norm), switched_off, _WRITE_IT_YOURSELF
            )
            name = f"my_clip_by_norm(gradient of shape {gradient.shape}, max_norm={max_norm:g})"
            with np.errstate(all="ignore"):
                got = require_array(answer, name, shape=gradient.shape)
            expected = _reference_clip(gradient, max_norm)
            if np.allclose(got, expected, rtol=1e-6, atol=1e-15):
                continue
            with np.errstate(all="ignore"):
                problem = _diagnose_clip(got, gradient, max_norm, name)
            if problem:
                raise ExerciseCheckFailed(problem)
            expect_close(got, expected, name, rtol=1e-6, atol=1e-15)


# ---- Exercise 5.3: predict a parameter count -----------------------------------------------------------------


def _simple_rnn_count(units, features):
    return units * (units + features + 1)


def _lstm_count(units, features):
    return 4 * _simple_rnn_count(units, features)


def _gru_count(units, features, reset_after=True):
    return 3 * units * (units + features + (2 if reset_after else 1))


def _dense_count(units, features):
    return features * units + units


#: The exercise's model: Input (28, 28) -> Bidirectional(GRU(32, return_sequences=True)) -> LSTM(16) -> Dense(10).
_ROWS, _GRU_UNITS, _LSTM_UNITS, _CLASSES = 28, 32, 16, 10


def _reference_param_count(
    *,
    bidirectional=True,
    lstm_reads_both=True,
    reset_after=True,
    with_dense=True,
    lstm_as_gru=False,
    lstm_reads_rows=False,
    dense_bias=True,
):
    directions = 2 if bidirectional else 1
    count = directions * _gru_count(_GRU_UNITS, _ROWS, reset_after)
    lstm_features = _ROWS if lstm_reads_rows else _GRU_UNITS * (2 if lstm_reads_both else 1)
    if lstm_as_gru:
        count += _gru_count(_LSTM_UNITS, lstm_features)
    else:
        count += _lstm_count(_LSTM_UNITS, lstm_features)
    if with_dense:
        count += _dense_count(_CLASSES, _LSTM_UNITS) - (0 if dense_bias else _CLASSES)
    return count


_COUNT_MISTAKES = [
    (
        {"bidirectional": False, "lstm_reads_both": False},
        "you counted the GRU once: Bidirectional holds two GRUs, one reading each way, each with its own "
        "weights; and the LSTM then reads both their outputs.",
    ),
    (
        {"lstm_reads_both": False},
        "the Bidirectional layer is counted twice, good; but its output at each step concatenates both "
        "directions, so the LSTM reads more features than one GRU's units.",
    ),
    (
        {"bidirectional": False},
        "the LSTM's input is right, but the GRU is counted once: Bidirectional holds two GRUs with separate weights.",
    ),
    (
        {"reset_after": False},
        "the GRU is counted with one bias per gate (reset_after=False); Keras's default GRU (reset_after=True) "
        "keeps two bias vectors per gate.",
    ),
    ({"with_dense": False}, "the recurrent layers are right; the Dense output layer is missing from the count."),
    ({"lstm_as_gru": True}, "the LSTM is counted with three blocks like a GRU; an LSTM has four (i, f, c, o)."),
    (
        {"lstm_reads_rows": True},
        "the LSTM is counted as if it read the image rows; it reads what the layer below it outputs at each step.",
    ),
    ({"dense_bias": False}, "the Dense layer is counted without its biases, one per output unit."),
]


def exercise_5_3(my_param_count) -> None:
    """my_param_count: the trainable parameters of the exercise's Bidirectional GRU + LSTM + Dense model."""
    hints = [
        "add up the three layers; for each recurrent layer, ask how many features it READS at each step.",
        "a Bidirectional wrapper holds two copies of its layer with separate weights, and with "
        "return_sequences=True it outputs both directions side by side at every step.",
        "use section 6's formulas: GRU (Keras default) 3 u (u + f + 2), LSTM 4 u (u + f + 1), Dense f u + u, "
        "with f the features the layer reads; for the LSTM, f is the width of the Bidirectional output.",
    ]
    with exercise("5.3", hints=hints):
        value = require_number(my_param_count, "my_param_count")
        expect(
            float(value).is_integer() and not isinstance(my_param_count, bool),
            f"`my_param_count` should be a whole number of parameters, got {value:g}.",
        )
        count = int(value)
        expected = _reference_param_count()
        if count == expected:
            return
        for variant, message in _COUNT_MISTAKES:
            if count == _reference_param_count(**variant):
                raise ExerciseCheckFailed(f"`my_param_count` = {count:,} is not right yet: {message}")
        expect_close(count, expected, "my_param_count", atol=0.5, rtol=0)


# ---- Exercise 5.4: a recipe that remembers 200 steps back, every time (a modelling judgement) --------------------

#: The exercise's distance; a second one, one step shorter (a stream has no fixed length, and a memory that flips back
#: and forth is right at one of two consecutive lengths only); the share of new test sequences each model must get
#: right (stated in the task); and the seeds the recipe is run with.
_LONG_DISTANCE, _OTHER_DISTANCE, _LONG_TARGET = 200, 199, 0.9
_CHANCE_BELOW, _OPPOSITE_BELOW = 0.6, 0.1
_RECIPE_SEEDS = (101, 102)


def _long_memory_sequences(n_distractors):
    """1,000 sequences the student never saw (seeds the notebook does not use)."""
    from ..data import long_memory_task

    return long_memory_task(1_000, n_distractors, seed=500 + n_distractors)


def _per_step_layer_types(keras):
    """Layers that act on each step on its own (or on the last output): they cannot read several steps at once."""
    return (
        keras.layers.InputLayer,
        keras.layers.Dense,
        keras.layers.Dropout,
        keras.layers.GaussianNoise,
        keras.layers.Activation,
        keras.layers.LayerNormalization,
        keras.layers.BatchNormalization,
        keras.layers.Masking,
    )


def _operations_of(model, keras):
    """Every layer and operation of a Sequential or functional model, nested models opened; None for a model
    with its own call() (its computation cannot be read)."""
    from keras.src.models.functional import Functional

    if isinstance(model, keras.Sequential) and type(model).call is keras.Sequential.call:
        found = list(model.layers)
    elif isinstance(model, Functional) and type(model).call is Functional.call:
        found = list(model.operations)
    else:
        return None
    opened = []
    for operation in found:
        if isinstance(operation, keras.Model):
            inner = _operations_of(operation, keras)
            if inner is None:
                return None
            opened.extend(inner)
        else:
            opened.append(operation)
    return opened


def _probabilities(model, X, name):
    try:
        output = np.asarray(model.predict(X, batch_size=500, verbose=0), dtype=float)
    except Exception as error:  # noqa: BLE001 - the student's model, reported as such
        raise ExerciseCheckFailed(
            f"{name} could not read sequences of {X.shape[1]} steps with 1 feature ({type(error).__name__}). "
            "A recurrent model reads any length: start it with keras.Input(shape=(None, 1))."
        ) from None
    if output.ndim == 2 and output.shape[1] == 1:
        output = output[:, 0]
    expect(
        output.shape == (len(X),),
        f"{name} should output one probability per sequence (the label is 1 when the signal was +1), but its "
        f"output has shape {output.shape[1:]} per batch: end with one sigmoid unit.",
    )
    expect(
        np.isfinite(output).all() and output.min() >= 0 and output.max() <= 1,
        f"{name}'s outputs are not probabilities between 0 and 1: does its last layer have a sigmoid?",
    )
    return output


def _check_reads_a_stream(model, keras, name):
    """Refuse a model that could answer without carrying the first step through its recurrent state."""
    operations = _operations_of(model, keras)
    expect(
        operations is not None,
        f"{name} has its own call() method, so the check cannot see how it reads the sequence: build it with "
        "keras.Sequential or the functional API (keras.Input ... keras.Model).",
    )
    if any(
        isinstance(layer, keras.layers.Bidirectional) or getattr(layer, "go_backwards", False) for layer in operations
    ):
        raise ExerciseCheckFailed(
            f"{name} reads the sequence backwards (Bidirectional or go_backwards), so it sees the signal last. "
            "A stream arrives one step at a time: the model must read it forwards only."
        )
    recurrent = [layer for layer in operations if isinstance(layer, keras.layers.RNN)]
    expect(
        bool(recurrent),
        f"{name} has no recurrent layer, so it sees the whole sequence at once (like the logistic regression "
        "of section 3). A stream arrives one step at a time: read it with a recurrent layer.",
    )
    allowed = _per_step_layer_types(keras)
    for operation in operations:
        inner = getattr(operation, "layer", None)  # TimeDistributed(layer) acts on each step on its own
        if isinstance(operation, keras.layers.TimeDistributed) and isinstance(inner, allowed):
            continue
        if not isinstance(operation, (keras.layers.RNN, *allowed)):
            raise ExerciseCheckFailed(
                f"{name} contains a {type(operation).__name__} operation. Between the stream and the answer, this "
                "exercise allows only recurrent layers and layers that act on one step at a time (Dense, Dropout, "
                "normalisation, Activation): a layer that looks at several steps at once, or picks steps out of a "
                "sequence, lets the answer bypass the recurrent memory."
            )
    expect(
        not recurrent[-1].return_sequences,
        f"{name}: its last recurrent layer returns a whole sequence (return_sequences=True). The answer must come "
        "from the state the recurrent layer reached after the LAST step, when the whole stream has gone by.",
    )
    length = model.inputs[0].shape[1] if getattr(model, "inputs", None) else None
    expect(
        length is None,
        f"{name} accepts only sequences of exactly {length} steps (its keras.Input fixes the length). A stream "
        "has no fixed length: let the model read any length, keras.Input(shape=(None, 1)).",
    )


def _check_remembers(model, name):
    """Score the model at both distances, with the signals as given and flipped; fail with what went wrong."""
    for n_distractors in (_LONG_DISTANCE, _OTHER_DISTANCE):
        X, y = _long_memory_sequences(n_distractors)
        flipped = X.copy()
        flipped[:, 0, 0] *= -1  # the same distractors, the other signal: the answer must flip
        accuracy = float(np.mean((_probabilities(model, X, name) > 0.5) == y))
        accuracy_flipped = float(np.mean((_probabilities(model, flipped, name) > 0.5) != y))
        worst = min(accuracy, accuracy_flipped)
        where = f"on 1,000 new sequences with {n_distractors} distractors, {name}"
        if max(accuracy, accuracy_flipped) < _OPPOSITE_BELOW:
            raise ExerciseCheckFailed(
                f"{where} answers the OPPOSITE of the signal almost every time. It does carry something from the "
                "first step, but it turns it over as the steps go by instead of holding it, so whether it is right "
                "depends on the length of the sequence. Which cells hold a memory unchanged from step to step?"
            )
        if worst < _CHANCE_BELOW:
            raise ExerciseCheckFailed(
                f"{where} is right for {worst:.0%} of them (the signal as given, or flipped): about chance. It has "
                "not learned to keep the first step (training did not find the memory), or it has lost it by then."
            )
        expect(
            worst >= _LONG_TARGET,
            f"{where} remembers the first step only some of the time: {worst:.0%} right (the signal as given, or "
            f"flipped), below the {_LONG_TARGET:.0%} the task asks for.",
        )


def _layers_alive(keras) -> dict:
    """Every Keras layer (models included) alive now: id -> a weak reference, to tell an object that existed before
    a call from a new one that happens to reuse the id of one that has gone since."""
    import gc
    import weakref

    alive = {}
    for candidate in gc.get_objects():
        if issubclass(type(candidate), keras.layers.Layer):  # type(), not isinstance: no proxy gets asked anything
            with contextlib.suppress(TypeError):  # not weakly referable: cannot be told apart, leave it
                alive[id(candidate)] = weakref.ref(candidate)
    return alive


def _layers_within(layer, keras):
    """The layer and every layer inside it (a model's layers, nested models opened, a recurrent layer's cell...)."""
    with contextlib.suppress(Exception):  # Keras's own list of the sub-layers it tracks
        return list(layer._flatten_layers(include_self=True, recursive=True))
    found = [layer]  # another Keras layout: a model's layers at least
    if isinstance(layer, keras.Model):
        for inner in layer.layers:
            found.extend(_layers_within(inner, keras))
    return found


def _existed_before(model, alive_before, keras) -> bool:
    """Is the model, or one of its layers, an object that was alive before the recipe was called?"""
    return any(
        id(layer) in alive_before and alive_before[id(layer)]() is layer for layer in _layers_within(model, keras)
    )


def exercise_5_4(my_long_memory_recipe) -> None:
    """my_long_memory_recipe(seed): trains a new model that still knows the first step 200 steps later."""
    hints = [
        "look back at sections 3 to 5: with which cells and which initialisation did training find the memory in "
        "EVERY seed, and at which distances?",
        "learning a long memory is the hard part, holding it is not: a cell whose memory gate has learned to stay "
        "open keeps what it holds, whatever the length of the stream. Where is learning reliable?",
        "fit_memory(cell, n, prepare=..., seed=seed) trains on sequences of n distractors, and the model it returns "
        "reads sequences of any length: train where the lesson found the memory every time, and let the check score "
        "it at 200.",
    ]
    with exercise("5.4", hints=hints):
        keras = _keras()
        expect(
            is_placeholder(my_long_memory_recipe) or not isinstance(my_long_memory_recipe, keras.layers.Layer),
            "`my_long_memory_recipe` is a Keras model (or layer), not a recipe: the exercise asks for a function, "
            "def my_long_memory_recipe(seed): ..., that trains a new model each time it is called and returns it.",
        )
        require_function(my_long_memory_recipe, "my_long_memory_recipe")
        models, alive_before = [], []
        for seed in _RECIPE_SEEDS:
            alive_before.append(_layers_alive(keras))
            model = call(my_long_memory_recipe, "my_long_memory_recipe", seed)
            name = f"the model my_long_memory_recipe({seed}) returned"
            if isinstance(model, tuple) and any(isinstance(item, keras.Model) for item in model):
                raise ExerciseCheckFailed(
                    f"`my_long_memory_recipe({seed})` returned a tuple (fit_memory returns the accuracy, the model "
                    "and the seconds): return only the model."
                )
            expect(
                isinstance(model, keras.Model),
                f"`my_long_memory_recipe({seed})` should return a trained Keras model, got {type(model).__name__}: "
                "return the model itself, not its accuracy or one of its layers.",
            )
            for earlier in models:
                expect(
                    model is not earlier,
                    f"`my_long_memory_recipe` returned the very same model for seeds {_RECIPE_SEEDS[0]} and {seed}: a "
                    "recipe trains a NEW model each time it is called, with the seed it is given.",
                )
                same_weights = len(model.get_weights()) == len(earlier.get_weights()) and all(
                    np.array_equal(a, b) for a, b in zip(model.get_weights(), earlier.get_weights())
                )
                expect(
                    not same_weights,
                    f"`my_long_memory_recipe` returned models with identical weights for seeds {_RECIPE_SEEDS[0]} and "
                    f"{seed}: does it train a new model, with the seed it is given?",
                )
            _check_reads_a_stream(model, keras, name)
            _check_remembers(model, name)
            models.append(model)
        for seed, model, alive in zip(_RECIPE_SEEDS, models, alive_before):  # last: the messages above say more
            expect(
                not _existed_before(model, alive, keras),
                f"`my_long_memory_recipe({seed})` returned a model that existed before the call (or one built from "
                "layers that did): a recipe trains a new model each time it is called, with the seed it is given.",
            )
