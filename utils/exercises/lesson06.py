"""Checks for lesson 06 (WaveNet and 1-D convolutions): `from utils.exercises import lesson06 as check`.

Each `exercise_6_M` checks one exercise of notebooks/06_wavenet.ipynb. Receptive fields and
alignments are checked against measurements on layers built here (an impulse in, see which outputs
move), convolutions against `keras.layers.Conv1D` itself, and the echo model by what it does on
fresh series. No message gives the expected value away.
"""

from __future__ import annotations

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    call,
    exercise,
    expect,
    expect_close,
    require,
    require_array,
    require_number,
)
from ..environment import import_keras as _keras


def _numpy(tensor) -> np.ndarray:
    return np.asarray(_keras().ops.convert_to_numpy(tensor), dtype=np.float64)


# ---- Exercise 6.1: the receptive field of a causal stack -------------------------------------------


def _measured_receptive_field(kernel_size: int, dilations) -> int:
    """Build a causal Conv1D stack with all-ones kernels, send in one impulse at the first step, and find the
    last output step it moves (with positive weights nothing can cancel out). A convolution treats every step
    alike, so that is also how far back the last output of a longer sequence sees: the receptive field is the
    span from the impulse to the last output it moves (a lone dilated layer reads only some steps inside it)."""
    keras = _keras()
    layers = [keras.Input(shape=(None, 1))]
    layers += [
        keras.layers.Conv1D(
            1, kernel_size, padding="causal", dilation_rate=rate, use_bias=False, kernel_initializer="ones"
        )
        for rate in dilations
    ]
    stack = keras.Sequential(layers)
    n_steps = kernel_size * sum(dilations) + 8  # more than any stack of these layers can see
    impulse = np.zeros((1, n_steps, 1), dtype="float32")
    impulse[0, 0, 0] = 1.0
    response = _numpy(stack(impulse))[0, :, 0]
    return int(np.flatnonzero(response > 0)[-1] + 1)


_TAPS_MESSAGE = (
    "each layer is counted with all kernel_size taps; the newest tap is the step the layer already "
    "sees, so a layer adds one step fewer per gap than that"
)
_DECK_MESSAGE = (
    "it uses the top two dilations only, as the deck's recipe does (section 4 tested it): every layer of "
    "the stack adds to the reach"
)
_RECEPTIVE_FIELD_MISTAKES = [  # (a wrong formula, what is wrong with it)
    (lambda k, d: (k - 1) * sum(d), "it is one step short: the output's own step is part of what it sees"),
    (lambda k, d: k * sum(d), _TAPS_MESSAGE),
    (lambda k, d: 1 + k * sum(d), _TAPS_MESSAGE),
    (lambda k, d: 1 + (k - 1) * len(d), "it ignores the dilations: a dilated layer's taps are `dilation` steps apart"),
    (lambda k, d: 1 + (k - 1) * max(d), "it counts one layer only: every layer of the stack adds to the reach"),
    (lambda k, d: 1 + (k - 1) * d[-1], "it counts one layer only: every layer of the stack adds to the reach"),
    (lambda k, d: k ** len(d), "reaches add up from layer to layer; they do not multiply"),
    (lambda k, d: int(np.prod(d)) * k, "reaches add up from layer to layer; they do not multiply"),
    (
        lambda k, d: 1 + (k - 1) * sum(set(d)),
        "a dilation rate that appears twice counts twice: each layer adds its own reach, "
        "even when another layer has the same rate",
    ),
    (lambda k, d: (d[-2] if len(d) > 1 else 0) + d[-1] + 1, _DECK_MESSAGE),
    (lambda k, d: ((d[-2] if len(d) > 1 else 0) + d[-1]) * k + k, _DECK_MESSAGE),
]


def _receptive_field_mistake(wrong) -> str | None:
    """The typical wrong formula that explains every wrong answer in `wrong` [(kernel_size, dilations, got)],
    or None if no single one does."""
    found = {
        message for formula, message in _RECEPTIVE_FIELD_MISTAKES if all(formula(k, d) == got for k, d, got in wrong)
    }
    return found.pop() if len(found) == 1 else None


def _whole_number(value, label: str) -> int:
    number = require_number(value, label)
    expect(float(number).is_integer(), f"`{label}` = {number:g}: a number of time steps is a whole number.")
    return int(number)


def exercise_6_1(my_receptive_field):
    """my_receptive_field(kernel_size, dilations) -> how many input steps the last output of a causal Conv1D
    stack (one layer per dilation) can see; checked against a measurement on built stacks."""
    rng = np.random.default_rng()
    cases = [(2, [1]), (2, [1, 2, 4, 8]), (3, [1, 3, 9]), (2, [1, 2, 4, 8] * 2), (5, [2])]
    cases.append((2, [2**layer for layer in range(10)]))  # the WaveNet paper's block of 10 layers
    cases += [
        (int(rng.integers(2, 6)), [int(d) for d in rng.choice([1, 2, 3, 4, 8], size=rng.integers(1, 6))])
        for _ in range(2)
    ]
    hints = [
        "Section 4: run `measure_receptive_field` on a few small stacks and watch how the reach grows layer by layer.",
        "One causal layer with kernel_size k and dilation d sees its own step plus k - 1 earlier taps, "
        "d steps apart from each other.",
        "Stacking adds reaches: the last output sees its own step, plus what each layer adds on top of "
        "the layer below it. Add up the layers' contributions.",
    ]
    with exercise("6.1", hints=hints):
        wrong = []  # (kernel_size, dilations, got, measured)
        for kernel_size, dilations in cases:
            label = f"my_receptive_field({kernel_size}, {dilations})"
            got = _whole_number(call(my_receptive_field, "my_receptive_field", kernel_size, list(dilations)), label)
            want = _measured_receptive_field(kernel_size, dilations)
            if got != want:
                wrong.append((kernel_size, dilations, got, want))
        if wrong:
            kernel_size, dilations, got, want = wrong[0]
            label = f"my_receptive_field({kernel_size}, {dilations})"
            problem = _receptive_field_mistake([(k, d, g) for k, d, g, _ in wrong])
            if problem:
                raise ExerciseCheckFailed(f"`{label}` = {got} does not match the measurement: {problem}.")
            if got < want:
                raise ExerciseCheckFailed(
                    f"`{label}` = {got} is too small: the built stack's last output "
                    "reacts to inputs further back than that."
                )
            raise ExerciseCheckFailed(
                f"`{label}` = {got} is too large: in the built stack, inputs that far back do not move the last output."
            )


# ---- Exercise 6.2: a causal, dilated convolution by hand -------------------------------------------


def _keras_causal_conv(x, kernel, dilation: int) -> np.ndarray:
    """keras.layers.Conv1D with padding='causal': the reference, on one channel and one filter."""
    keras = _keras()
    kernel = np.asarray(kernel, dtype="float32")
    layer = keras.layers.Conv1D(1, len(kernel), padding="causal", dilation_rate=dilation, use_bias=False)
    layer.build((None, None, 1))
    layer.set_weights([kernel.reshape(-1, 1, 1)])
    return _numpy(layer(np.asarray(x, dtype="float32").reshape(1, -1, 1)))[0, :, 0]


def _exact_causal_conv(x, kernel, dilation: int) -> np.ndarray:
    """The same sum in float64, to tell a hand-made convolution from a call to a float32 Keras layer."""
    x, kernel = np.asarray(x, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    reach = (len(kernel) - 1) * dilation
    padded = np.concatenate([np.zeros(reach), x])
    return sum(weight * padded[tap * dilation : tap * dilation + len(x)] for tap, weight in enumerate(kernel))


def _conv_output(function, x, kernel, dilation, label):
    answer = call(function, "my_causal_conv", x, kernel, dilation)
    got = require_array(answer, label)
    if got.size == len(x) and got.shape != (len(x),):
        got = got.reshape(-1)  # [n, 1] or [1, n, 1] is the same answer
    if got.ndim == 1 and len(got) < len(x):
        raise ExerciseCheckFailed(
            f"`{label}` has {len(got)} values for {len(x)} inputs: a causal convolution "
            "keeps one output per input step (it pads on the left instead of dropping steps)."
        )
    return require_array(got, label, shape=(len(x),))


def exercise_6_2(my_causal_conv):
    """my_causal_conv(x, kernel, dilation): what Conv1D(1, len(kernel), padding='causal', dilation_rate=dilation,
    use_bias=False) computes on a 1-D series x; checked against Keras on several inputs."""
    rng = np.random.default_rng()
    cases = [
        (12, 3, 1),
        (15, 2, 4),
        (20, 3, 2),
        (9, 1, 1),
        (int(rng.integers(16, 30)), int(rng.integers(2, 5)), int(rng.integers(2, 6))),
    ]
    hints = [
        "Write out[t] for one t, with kernel_size 2 and dilation 3, on paper: which values of x does it use?",
        "Causal: out[t] may use x[t] and earlier values only; values before the start count as 0. The taps are "
        "`dilation` steps apart.",
        "Pad (len(kernel) - 1) * dilation zeros on the left; then out[t] is the dot product of the kernel with "
        "the padded values at the taps ending at t, oldest first (kernel[-1] weighs the newest step).",
    ]
    with exercise("6.2", hints=hints):
        for n_steps, kernel_size, dilation in cases:
            x = rng.normal(size=n_steps)
            kernel = rng.normal(size=kernel_size)
            label = f"my_causal_conv(x, kernel, dilation={dilation}) with {n_steps} steps and {kernel_size} taps"
            got = _conv_output(my_causal_conv, x, kernel, dilation, label)
            want = _keras_causal_conv(x, kernel, dilation)
            if np.allclose(got, want, atol=1e-4):
                expect(
                    np.allclose(got, _exact_causal_conv(x, kernel, dilation), rtol=0, atol=1e-9),
                    f"`{label}` agrees with Keras only to float32 precision (about 7 digits): write the sum "
                    "yourself in NumPy's float64 (keep the starter's `dtype=float`), not with a Keras layer.",
                )
                continue
            # Does an output move when a LATER input moves?
            later = n_steps // 2
            nudged = x.copy()
            nudged[later] += 1.0
            moved = _conv_output(my_causal_conv, nudged, kernel, dilation, label)
            if not np.allclose(moved[:later], got[:later], atol=1e-9):
                raise ExerciseCheckFailed(
                    f"in `{label}`, earlier outputs change when a LATER input changes: "
                    "your convolution looks into the future, which a causal one never does."
                )
            if kernel_size > 1 and np.allclose(got, _keras_causal_conv(x, kernel[::-1], dilation), atol=1e-4):
                raise ExerciseCheckFailed(
                    f"`{label}` applies the kernel in reverse order: in Keras, as in "
                    "lesson 02, the kernel slides without being flipped."
                )
            if dilation > 1 and np.allclose(got, _keras_causal_conv(x, kernel, 1), atol=1e-4):
                raise ExerciseCheckFailed(f"`{label}` ignores the dilation: its taps are next to each other.")
            shifted = np.concatenate([[0.0], want[:-1]])
            if np.allclose(got, shifted, atol=1e-4):
                raise ExerciseCheckFailed(f"`{label}` is one step late: out[t] should include x[t] itself.")
            expect_close(got, want, label, atol=1e-4, rtol=1e-4)


# ---- Exercise 6.3: targets aligned with a stack of strided convolutions ----------------------------


def _last_step_seen(kernel_sizes, strides, n_steps: int) -> np.ndarray:
    """For each output step of a stack of 'valid' Conv1D layers, the last input step it reads: measured by
    impulses (all-ones kernels, so nothing cancels out)."""
    keras = _keras()
    stack = keras.Sequential(
        [keras.Input(shape=(None, 1))]
        + [
            keras.layers.Conv1D(1, size, strides=stride, padding="valid", use_bias=False, kernel_initializer="ones")
            for size, stride in zip(kernel_sizes, strides)
        ]
    )
    impulses = np.eye(n_steps, dtype="float32")[:, :, np.newaxis]
    response = _numpy(stack(impulses))[:, :, 0]  # [input step, output step]
    return np.array([np.flatnonzero(response[:, out] > 0).max() for out in range(response.shape[1])])


def exercise_6_3(my_aligned_targets):
    """my_aligned_targets(Y_seq, kernel_sizes, strides): the rows of Y_seq [batch, steps, horizon] that go with
    the outputs of a stack of Conv1D(kernel_sizes[l], strides=strides[l], padding='valid') layers."""
    rng = np.random.default_rng()
    cases = [  # (kernel sizes, strides, steps), one entry per layer
        ([4], [2], 50),
        ([3], [3], 20),
        ([4, 4], [2, 2], 50),
        ([3, 2], [2, 3], 41),
        ([2, 5, 3], [1, 2, 2], 60),
        ([1], [4], 17),
    ]
    cases.append(([int(k) for k in rng.integers(2, 6, size=2)], [int(s) for s in rng.integers(2, 4, size=2)], 60))
    hints = [
        "Start with one layer: output j of a 'valid' Conv1D reads kernel_size steps, starting at j * strides. "
        "Which is the last step it reads? Then think about what the next layer reads.",
        "The second layer reads the FIRST layer's outputs: two of those are `strides[0]` input steps apart, and "
        "its kernel spans several of them. Follow the last step read back down, layer by layer, from the top.",
        "The rows to keep are evenly spaced: find the first one (the last input step read by the stack's first "
        "output) and the spacing (how many input steps the stack moves between two outputs); a slice with a "
        "start and a step does the rest.",
    ]
    with exercise("6.3", hints=hints):
        for kernel_sizes, strides, n_steps in cases:
            Y_seq = rng.normal(size=(2, n_steps, 3))
            label = f"my_aligned_targets(Y_seq, {kernel_sizes}, {strides}) with {n_steps} steps"
            seen = _last_step_seen(kernel_sizes, strides, n_steps)
            answer = call(my_aligned_targets, "my_aligned_targets", Y_seq, list(kernel_sizes), list(strides))
            got = require_array(answer, label)
            if got.ndim == 3 and got.shape[1] != len(seen):
                raise ExerciseCheckFailed(
                    f"`{label}` keeps {got.shape[1]} steps, but the stack has "
                    f"{'more' if got.shape[1] < len(seen) else 'fewer'} output steps: "
                    "one target row per output step."
                )
            got = require_array(got, label, shape=Y_seq[:, seen].shape, axis_names=("batch", "steps", "horizon"))
            if np.allclose(got, Y_seq[:, seen]):
                continue
            rows = [
                [index for index in range(n_steps) if np.allclose(row, Y_seq[:, index])]
                for row in np.moveaxis(got, 1, 0)
            ]
            offsets = [found[0] - last for found, last in zip(rows, seen)] if all(rows) else []
            if len(kernel_sizes) > 1 and offsets and len(set(offsets)) == 1 and offsets[0] < 0:
                raise ExerciseCheckFailed(
                    f"`{label}`: your rows are spaced right but start too early, so each forecast would be "
                    "graded on values it has already read. A layer above the first reads outputs of the layer "
                    "below, which are more than one input step apart."
                )
            if offsets and max(offsets) <= 0 and offsets[0] < 0:
                raise ExerciseCheckFailed(
                    f"`{label}` is misaligned: your rows belong to input steps BEFORE the last one "
                    "each output reads, so the model would be graded on values it has already "
                    "read (a leak)."
                )
            if offsets and min(offsets) >= 0 and offsets[0] > 0:
                raise ExerciseCheckFailed(
                    f"`{label}` is misaligned: your rows belong to input steps after the last one "
                    "each output reads, so each forecast skips the values right after what it "
                    "has read."
                )
            raise ExerciseCheckFailed(
                f"`{label}`: the rows you kept are not the ones that go with the stack's output steps, in order."
            )


# ---- Exercise 6.4: a model that sees the echo ------------------------------------------------------

ECHO_LAG = 40
_FRESH_SEED = 2024  # fresh series the student never trained on


def _predict(model, X, label: str) -> np.ndarray:
    try:
        output = model(X) if not hasattr(model, "predict") else model.predict(X, verbose=0, batch_size=512)
    except TypeError:
        output = model.predict(X)
    output = np.asarray(_keras().ops.convert_to_numpy(output), dtype=np.float64)
    if output.shape == X.shape[:2]:
        output = output[..., np.newaxis]
    if output.shape != X.shape:
        raise ExerciseCheckFailed(
            f"on input of shape {X.shape}, `{label}` returned shape {output.shape}: it should "
            "forecast the next value at every step (same shape as its input)."
        )
    return output


def exercise_6_4(my_echo_model):
    """A trained causal model that forecasts the next value of echo series (x_t = 0.9 x_(t-40) + noise)
    at every step; it must beat the best blind forecast (0) clearly on fresh series."""
    from ..convolutions import echo_series

    hints = [
        "Which past input does the best forecast of the next value need? Compare with what your model can see "
        "(Exercise 6.1 computes it).",
        "The lesson's WaveNet block (dilations 1, 2, 4, 8, twice, kernel 2) sees fewer steps than the echo lag. "
        "Doubling the dilation from layer to layer buys reach cheaply.",
        "A causal Conv1D stack whose receptive field reaches past the lag, trained for a few epochs with Adam on "
        "X_echo and Y_echo (loss 'mse'), does it; score it on fresh series before running the check.",
    ]
    with exercise("6.4", hints=hints):
        model = require(my_echo_model, "my_echo_model")
        expect(
            callable(model) or hasattr(model, "predict"),
            f"`my_echo_model` should be a Keras model, got {type(model).__name__}.",
        )
        fresh = echo_series(200, 201, lag=ECHO_LAG, seed=_FRESH_SEED)
        X_fresh, Y_fresh = fresh[:, :-1], fresh[:, 1:]
        n_steps = X_fresh.shape[1]
        forecast = _predict(model, X_fresh, "my_echo_model")
        # Causal? Change one late input step: no earlier forecast may move.
        later = n_steps - 20
        nudged = X_fresh[:8].copy()
        nudged[:, later] += 1.0
        moved = _predict(model, nudged, "my_echo_model")
        base = forecast[:8]
        if np.abs(moved[:, :later] - base[:, :later]).max() > 1e-4:
            raise ExerciseCheckFailed(
                "`my_echo_model` is not causal: its forecasts at earlier steps change when a "
                "LATER input changes. A forecaster may only read the past (padding='causal')."
            )
        # Far-sighted enough? The last forecast needs the input ECHO_LAG - 1 steps before the last one.
        reach = n_steps - ECHO_LAG
        nudged = X_fresh[:8].copy()
        nudged[:, reach] += 1.0
        moved = _predict(model, nudged, "my_echo_model")
        if np.abs(moved[:, -1] - base[:, -1]).max() < 1e-6:
            raise ExerciseCheckFailed(
                "`my_echo_model`'s last forecast does not react to the input it needs: the "
                "echo is further back than your model can see (its receptive field is too short)."
            )
        scored = slice(100, None)  # every model that sees far enough has its full context here
        model_mse = float(np.mean((forecast[:, scored] - Y_fresh[:, scored]) ** 2))
        blind_mse = float(np.mean(Y_fresh[:, scored] ** 2))  # forecasting 0, the best without the echo
        gain = 1 - model_mse / blind_mse
        expect(np.isfinite(model_mse), "`my_echo_model` forecasts NaN or infinite values on fresh series.")
        if gain < 0.5:
            raise ExerciseCheckFailed(
                f"on fresh echo series, `my_echo_model`'s MSE is {model_mse:.3f}, only "
                f"{100 * gain:.0f}% below forecasting 0 every time: it sees far enough, but "
                "has not learned to use the echo. Train it (longer), then score it yourself."
            )
