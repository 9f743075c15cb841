"""Checks for lesson 01, MLP recap and how a deep net learns.

    from utils.exercises import lesson01 as check
    check.exercise_1_1(learning_rate)
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import ExerciseCheckFailed, exercise, expect, require_array, require_number

# Exercise 1.1: a steeper slope, L(w) = 2 (w + 1)^2, skied from w = 3 for 20 steps.
STEEP_MINIMUM = -1.0
STEEP_START = 3.0
STEEP_STEPS = 20
STEEP_TOLERANCE = 1e-3

# Exercise 1.2: one sigmoid neuron, L(w, b) = (sigmoid(w * x + b) - y)^2, at this point.
NEURON_X = 2.0
NEURON_Y = 1.0
NEURON_W = 0.5
NEURON_B = -1.5

# Exercise 1.3: mini-batches of 32 from 1,000 examples.
N_EXAMPLES = 1000
BATCH_SIZE = 32

# Exercise 1.4: windows of 3 steps cut from a short series.
WINDOW_SERIES = (3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0)
WINDOW_SIZE = 3


def steep_slope(w: float) -> float:
    """dL/dw for L(w) = 2 (w + 1)^2."""
    return 4.0 * (w - STEEP_MINIMUM)


def _ski(learning_rate: float) -> list[float]:
    path = [STEEP_START]
    for _ in range(STEEP_STEPS):
        path.append(path[-1] - learning_rate * steep_slope(path[-1]))
    return path


def exercise_1_1(learning_rate) -> None:
    """learning_rate: a step size that brings the skier within 1e-3 of w = -1 in 20 steps."""
    hint = (
        "run gradient_descent(steep_slope, 3.0, learning_rate, 20) and look at the path: "
        "does the skier crawl, settle, or jump from side to side?"
    )
    with exercise("1.1", hint=hint):
        rate = require_number(learning_rate, "learning_rate")
        expect(math.isfinite(rate), f"`learning_rate` should be a finite number, got {rate}.")
        expect(rate > 0, f"`learning_rate` should be positive (a step against the slope), got {rate:g}.")
        with np.errstate(all="ignore"):
            path = _ski(rate)
        distances = [abs(w - STEEP_MINIMUM) for w in path]
        final = distances[-1]
        if not math.isfinite(final) or final > distances[0]:
            raise ExerciseCheckFailed(
                f"with learning_rate = {rate:g} the skier overshoots further at every step: after "
                f"{STEEP_STEPS} steps w = {path[-1]:.4g}, farther from the minimum w = -1 than the start w = 3. "
                "Expected a smaller learning rate."
            )
        crosses = sum((a - STEEP_MINIMUM) * (b - STEEP_MINIMUM) < 0 for a, b in zip(path, path[1:]))
        if final >= STEEP_TOLERANCE and crosses:
            raise ExerciseCheckFailed(
                f"with learning_rate = {rate:g} the skier zigzags across the minimum ({crosses} crossings) and "
                f"after {STEEP_STEPS} steps is still {final:.3g} away from w = -1 (expected under "
                f"{STEEP_TOLERANCE:g}). A slightly smaller learning rate damps the zigzag."
            )
        expect(final < STEEP_TOLERANCE, (
            f"with learning_rate = {rate:g} the skier is too slow: after {STEEP_STEPS} steps w = {path[-1]:.4g}, "
            f"still {final:.3g} away from w = -1 (expected under {STEEP_TOLERANCE:g}). Try a larger learning rate."
        ))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def neuron_gradients() -> tuple[float, float]:
    """The true (dL/dw, dL/db) of exercise 1.2, by the chain rule."""
    output = _sigmoid(NEURON_W * NEURON_X + NEURON_B)
    dloss_dz = 2.0 * (output - NEURON_Y) * output * (1.0 - output)
    return dloss_dz * NEURON_X, dloss_dz


def _near(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-4)


def exercise_1_2(grad_w, grad_b) -> None:
    """grad_w, grad_b: dL/dw and dL/db of L = (sigmoid(w x + b) - y)^2 at x=2, y=1, w=0.5, b=-1.5."""
    hint = (
        "go one link at a time: z = w*x + b, a = sigmoid(z), L = (a - y)**2; multiply dL/da, da/dz and dz/dw "
        "(or dz/db). tf.GradientTape gives the same numbers if you want to check yourself."
    )
    with exercise("1.2", hint=hint):
        got_w = require_number(grad_w, "grad_w")
        got_b = require_number(grad_b, "grad_b")
        want_w, want_b = neuron_gradients()
        output = _sigmoid(NEURON_W * NEURON_X + NEURON_B)
        if _near(got_w, -want_w) and _near(got_b, -want_b):
            raise ExerciseCheckFailed(
                f"both gradients have the wrong sign (got {got_w:.4g} and {got_b:.4g}). Expected negative "
                f"gradients: dL/da = 2 (a - y) < 0 here, since a = {output:.3f} is below y = 1."
            )
        if _near(got_b, want_b / (output * (1.0 - output))):
            raise ExerciseCheckFailed(
                f"`grad_b` = {got_b:.4g} misses the sigmoid's own derivative: expected dL/da multiplied by "
                "da/dz = sigmoid(z) * (1 - sigmoid(z))."
            )
        if _near(got_b, want_b / 2.0):
            raise ExerciseCheckFailed(
                f"`grad_b` = {got_b:.4g} is half the expected value: the derivative of (a - y)**2 is 2 (a - y)."
            )
        expect(
            _near(got_b, want_b),
            f"`grad_b` should be dL/db at w = 0.5, b = -1.5, a negative number (raising b moves the output "
            f"towards y = 1), got {got_b:.4g}.",
        )
        if _near(got_w, want_b):
            raise ExerciseCheckFailed(
                f"`grad_w` = {got_w:.4g} equals dL/db: expected it multiplied by one more link, dz/dw = x = 2."
            )
        expect(_near(got_w, want_w), f"`grad_w` should be dL/db times dz/dw = x = 2, got {got_w:.4g}.")


def exercise_1_3(steps_per_epoch, last_batch_size) -> None:
    """steps_per_epoch, last_batch_size: one epoch over 1,000 examples in mini-batches of 32."""
    hint = "every example is used once per epoch; the examples left over after the full batches form one more batch."
    with exercise("1.3", hint=hint):
        steps = require_number(steps_per_epoch, "steps_per_epoch")
        last = require_number(last_batch_size, "last_batch_size")
        for value, name in ((steps, "steps_per_epoch"), (last, "last_batch_size")):
            expect(math.isfinite(value) and value == int(value), f"`{name}` should be a whole number, got {value:g}.")
        steps, last = int(steps), int(last)
        want_steps = math.ceil(N_EXAMPLES / BATCH_SIZE)
        want_last = N_EXAMPLES - (want_steps - 1) * BATCH_SIZE
        if steps == N_EXAMPLES // BATCH_SIZE:
            raise ExerciseCheckFailed(
                f"{steps} full batches of {BATCH_SIZE} touch only {steps * BATCH_SIZE} of the {N_EXAMPLES} "
                "examples: expected one more, smaller step for the rest."
            )
        expect(
            steps == want_steps,
            f"`steps_per_epoch` should be the number of batches of at most {BATCH_SIZE} examples that touch all "
            f"{N_EXAMPLES} examples once, got {steps}.",
        )
        expect(
            last == want_last,
            f"`last_batch_size` should be the number of examples left for the last step after {want_steps - 1} "
            f"full batches of {BATCH_SIZE}, got {last}.",
        )


def expected_windows() -> tuple[np.ndarray, np.ndarray]:
    """The right answer of exercise 1.4: X [n_windows, window] oldest value first, y [n_windows]."""
    series = np.asarray(WINDOW_SERIES)
    n_windows = len(series) - WINDOW_SIZE
    X = np.stack([series[start : start + WINDOW_SIZE] for start in range(n_windows)])
    return X, series[WINDOW_SIZE:]


def exercise_1_4(X, y) -> None:
    """X, y: windows of 3 steps from [3, 5, 4, 6, 8, 7, 9] and the value right after each window."""
    hint = "window i is series[i : i + 3] and its target is series[i + 3]; stop when no value is left for a target."
    with exercise("1.4", hint=hint):
        want_X, want_y = expected_windows()
        got_X = require_array(X, "X")
        got_y = require_array(y, "y")
        if got_X.ndim == 3 and got_X.shape[-1] == 1:  # make_windows' [n_windows, window, 1] is fine too
            got_X = got_X[..., 0]
        if got_y.ndim == 2 and got_y.shape[-1] == 1:
            got_y = got_y[:, 0]
        if got_X.shape == (len(want_X) + 1, WINDOW_SIZE):
            raise ExerciseCheckFailed(
                f"`X` has {len(got_X)} windows, one too many: the last window has no next value to predict."
            )
        expect(
            got_X.shape == want_X.shape,
            f"`X` should have shape {want_X.shape} (one row per window, one column per step), got {got_X.shape}.",
        )
        expect(got_y.shape == want_y.shape, f"`y` should have shape {want_y.shape} (one target per window), "
                                            f"got {got_y.shape}.")
        if np.allclose(got_X, want_X[:, ::-1]):
            raise ExerciseCheckFailed("the rows of `X` are reversed: expected the oldest value first.")
        for row, (got_row, want_row) in enumerate(zip(got_X, want_X)):
            expect(
                np.allclose(got_row, want_row),
                f"row {row} of `X` should be the 3 values starting at step {row}, {want_row.tolist()}, "
                f"got {got_row.tolist()}.",
            )
        expect(
            np.allclose(got_y, want_y),
            f"`y` should hold the value right after each window, {want_y.tolist()}, got {got_y.tolist()}.",
        )
