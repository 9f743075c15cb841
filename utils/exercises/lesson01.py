"""Checks for lesson 01, MLP recap and how a deep net learns.

    from utils.exercises import lesson01 as check
    check.exercise_1_1(learning_rate)

Each `exercise_1_M` checks one exercise of notebooks/01_mlp_recap.ipynb. A failure says what is wrong
(direction, factor, which link of the chain, which case), never the expected answer, and gives hints
in stages.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from ..checks import (
    ExerciseCheckFailed,
    call,
    exercise,
    expect,
    expect_close,
    require,
    require_number,
)

# ---- Exercise 1.1: a learning rate for a steeper slope ----------------------------------------------

# L(w) = 5 (w + 1)^2, skied from w = 3 for 20 steps; the lesson's own "right" rate (0.3) diverges here.
_STEEP_CURVATURE = 5.0
_STEEP_MINIMUM = -1.0
_STEEP_START = 3.0
_STEEP_STEPS = 20
_STEEP_TOLERANCE = 1e-3


def _steep_slope(w: float) -> float:
    """dL/dw for L(w) = 5 (w + 1)^2."""
    return 2.0 * _STEEP_CURVATURE * (w - _STEEP_MINIMUM)


def _ski(learning_rate: float) -> list[float]:
    path = [_STEEP_START]
    for _ in range(_STEEP_STEPS):
        path.append(path[-1] - learning_rate * _steep_slope(path[-1]))
    return path


_STABLE_RTOL = 1e-9  # the limit is exact: a fraction of the slope's steepness, not a measurement


def _check_largest_stable_rate(value: float) -> None:
    """The rate at which the step factor 1 - 10 * rate reaches -1; messages say only the direction."""
    expect(math.isfinite(value), f"`largest_stable_rate` should be a finite number, got {value}.")
    limit = 1.0 / _STEEP_CURVATURE  # 1 - 2 * curvature * rate = -1
    if math.isclose(value, limit, rel_tol=_STABLE_RTOL):
        return
    factor = 1.0 - 2.0 * _STEEP_CURVATURE * value
    if math.isclose(factor, 0.0, abs_tol=1e-9):
        raise ExerciseCheckFailed(
            "`largest_stable_rate` makes the step factor 0 (the skier lands in one step): that is the best rate, "
            "not the largest that still keeps the skier from flying off. The limit is larger."
        )
    if value < limit:
        raise ExerciseCheckFailed(
            f"`largest_stable_rate` = {value:g} is too small: at that rate the step factor is still above -1, "
            "so a slightly larger rate would still not make the skier fly off."
        )
    raise ExerciseCheckFailed(
        f"`largest_stable_rate` = {value:g} is too large: at that rate the step factor is already below -1, "
        "so the skier overshoots further at every step."
    )


def exercise_1_1(learning_rate, largest_stable_rate) -> None:
    """learning_rate: a step size that brings the skier within 1e-3 of w = -1 in 20 steps;
    largest_stable_rate: the rate at which the step factor reaches -1 (exactly)."""
    hints = [
        "run gradient_descent(steep_slope, 3.0, learning_rate, 20) for a few rates and look at the last "
        "positions: does the skier crawl, settle, or jump from side to side?",
        "the rate that was right on the first slope is not right here: this slope is steeper, so the same "
        "rate takes longer steps.",
        "as in section 2, each step multiplies the distance to the minimum by a fixed factor, 1 minus the "
        "learning rate times the slope's steepness (the number in front of (w + 1) in L'(w)). Work out that "
        "factor for this slope: it must lie well inside (-1, 1) for the distance to shrink fast, and "
        "`largest_stable_rate` is where it reaches -1 (solve for the rate).",
    ]
    with exercise("1.1", hints=hints):
        rate = require_number(learning_rate, "learning_rate")
        expect(math.isfinite(rate), f"`learning_rate` should be a finite number, got {rate}.")
        expect(rate > 0, f"`learning_rate` should be positive (a step against the slope), got {rate:g}.")
        with np.errstate(all="ignore"):
            path = _ski(rate)
        distances = [abs(w - _STEEP_MINIMUM) for w in path]
        final = distances[-1]
        factor = 1.0 - 2.0 * _STEEP_CURVATURE * rate
        if math.isclose(factor, -1.0, rel_tol=1e-9):
            raise ExerciseCheckFailed(
                f"with learning_rate = {rate:g} the skier bounces between the same two points forever: each "
                "step overshoots by exactly as much as it corrects, so the distance never shrinks. The rate is "
                "too large."
            )
        if not math.isfinite(final) or final > distances[0]:
            raise ExerciseCheckFailed(
                f"with learning_rate = {rate:g} the skier overshoots further at every step: after "
                f"{_STEEP_STEPS} steps it is farther from the minimum than where it started. The rate is too large."
            )
        crosses = sum((a - _STEEP_MINIMUM) * (b - _STEEP_MINIMUM) < 0 for a, b in zip(path, path[1:]))
        if final >= _STEEP_TOLERANCE and crosses:
            raise ExerciseCheckFailed(
                f"with learning_rate = {rate:g} the skier zigzags across the minimum ({crosses} crossings) and "
                f"after {_STEEP_STEPS} steps is still {final:.3g} away from it. The zigzag shrinks too slowly: "
                "each step overshoots by almost as much as it corrects."
            )
        expect(
            final < _STEEP_TOLERANCE,
            f"with learning_rate = {rate:g} the skier is too slow: after {_STEEP_STEPS} steps it is still "
            f"{final:.3g} away from the minimum, always on the side where it started. The rate is too small.",
        )
        _check_largest_stable_rate(require_number(largest_stable_rate, "largest_stable_rate"))


# ---- Exercise 1.2: a gradient by hand, as a function ----------------------------------------------

# One sigmoid neuron, L(w, b) = (sigmoid(w * x + b) - y)^2; the exercise text names this point.
_NEURON_POINT = (2.0, 1.0, 0.5, -1.5)  # x, y, w, b


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _reference_neuron_grads(x, y, w, b) -> tuple[float, float]:
    """The true (dL/dw, dL/db) of exercise 1.2, by the chain rule."""
    output = _sigmoid(w * x + b)
    dloss_dz = 2.0 * (output - y) * output * (1.0 - output)
    return float(dloss_dz * x), float(dloss_dz)


def _neuron_points(rng: np.random.Generator) -> list[tuple[float, float, float, float]]:
    """The exercise's point, then random ones (x away from 0 and 1, so that slips stay distinguishable)."""
    points = [_NEURON_POINT]
    while len(points) < 7:
        x, y, w, b = rng.uniform(-2.5, 2.5), rng.uniform(-1.0, 2.0), rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)
        if min(abs(x), abs(x - 1.0), abs(x - w), abs(w)) > 0.2 and abs(_sigmoid(w * x + b) - y) > 0.1:
            points.append((float(x), float(y), float(w), float(b)))
    return points


def _near(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def exercise_1_2(my_neuron_grads) -> None:
    """my_neuron_grads(x, y, w, b) -> (dL/dw, dL/db) of L = (sigmoid(w x + b) - y)^2, in NumPy."""
    hints = [
        "go one link at a time: z = w*x + b, then a = sigmoid(z), then L = (a - y)**2.",
        "dL/db is the product dL/da * da/dz * dz/db, and dL/dw is dL/da * da/dz * dz/dw; the exercise text "
        "gives the sigmoid's derivative.",
        "inside the function: compute z, then a, then each local derivative as its own variable, and multiply "
        "them along the chain; return the two products as a pair, dL/dw first.",
    ]
    with exercise("1.2", hints=hints):
        require(my_neuron_grads, "my_neuron_grads")
        for x, y, w, b in _neuron_points(np.random.default_rng(12)):
            where = f"at x={x:.3g}, y={y:.3g}, w={w:.3g}, b={b:.3g}"
            answer = call(my_neuron_grads, "my_neuron_grads", x, y, w, b)
            expect(
                isinstance(answer, tuple | list) and len(answer) == 2,
                "`my_neuron_grads` should return a pair (grad_w, grad_b), got "
                f"{type(answer).__name__}" + (f" of {len(answer)} items." if hasattr(answer, "__len__") else "."),
            )
            got_w = require_number(answer[0], "the grad_w that my_neuron_grads returns")
            got_b = require_number(answer[1], "the grad_b that my_neuron_grads returns")
            want_w, want_b = _reference_neuron_grads(x, y, w, b)
            output = _sigmoid(w * x + b)
            slope = output * (1.0 - output)
            if _near(got_w, want_w) and _near(got_b, want_b):
                continue
            if _near(got_w, want_b) and _near(got_b, want_w):
                raise ExerciseCheckFailed(
                    f"{where}, `my_neuron_grads` returns the two gradients in swapped order: the pair should start "
                    "with dL/dw, then dL/db."
                )
            if _near(got_w, -want_w) and _near(got_b, -want_b):
                raise ExerciseCheckFailed(
                    f"{where}, both gradients have the wrong sign: look at the sign of dL/da = 2 (a - y) "
                    "(is the output a above or below the target y?)."
                )
            if _near(got_b, want_b / slope):
                raise ExerciseCheckFailed(
                    f"{where}, grad_b misses the sigmoid's own derivative: the chain from L to b passes through "
                    "a = sigmoid(z), so da/dz is one of its links."
                )
            if _near(got_b, want_b / 2.0):
                raise ExerciseCheckFailed(
                    f"{where}, grad_b is exactly 2 times too small: what is the derivative of (a - y)**2 "
                    "with respect to a?"
                )
            expect_close(got_b, want_b, f"grad_b {where}", rtol=1e-6, atol=1e-9)
            if _near(got_w, want_b):
                raise ExerciseCheckFailed(
                    f"{where}, grad_w equals grad_b: the chain from L to w has one more link than the one to b, dz/dw."
                )
            if _near(got_w, want_b * w):
                raise ExerciseCheckFailed(
                    f"{where}, grad_w looks like dL/db times the weight w: dz/dw is what w multiplies in "
                    "z = w*x + b, not w itself."
                )
            expect_close(got_w, want_w, f"grad_w {where}", rtol=1e-6, atol=1e-9)


# ---- Exercise 1.3: steps per epoch ------------------------------------------------------------------

_N_EXAMPLES = 1000
_BATCH_SIZE = 32


def exercise_1_3(steps_per_epoch, last_batch_size) -> None:
    """steps_per_epoch, last_batch_size: one epoch over 1,000 examples in mini-batches of 32."""
    hints = [
        "every example is used exactly once per epoch, and a step uses at most one batch of examples.",
        "count the full batches first; then ask whether they used every example.",
        "the examples left over after the full batches form one more, smaller batch: the remainder of a division.",
    ]
    with exercise("1.3", hints=hints):
        steps = require_number(steps_per_epoch, "steps_per_epoch")
        last = require_number(last_batch_size, "last_batch_size")
        for value, name in ((steps, "steps_per_epoch"), (last, "last_batch_size")):
            expect(math.isfinite(value) and value == int(value), f"`{name}` should be a whole number, got {value:g}.")
        steps, last = int(steps), int(last)
        full_batches = _N_EXAMPLES // _BATCH_SIZE
        want_steps = math.ceil(_N_EXAMPLES / _BATCH_SIZE)
        want_last = _N_EXAMPLES - (want_steps - 1) * _BATCH_SIZE
        if steps == full_batches:
            raise ExerciseCheckFailed(
                "`steps_per_epoch` counts only the full batches: they leave some examples untouched this epoch, "
                "so rounding down is not enough."
            )
        expect_close(steps, want_steps, "steps_per_epoch")
        if last == _BATCH_SIZE:
            raise ExerciseCheckFailed(
                "`last_batch_size` is a full batch, but the batch size does not divide the number of examples: "
                "the last step gets what the full batches leave over."
            )
        if last == _BATCH_SIZE - want_last:
            raise ExerciseCheckFailed(
                "`last_batch_size` is how many examples the last batch is short of a full one, not how many it holds."
            )
        expect_close(last, want_last, "last_batch_size")


# ---- Exercise 1.4: simple or deep, with 100 training images? ----------------------------------------

_VERDICTS = ("simple", "deep", "tie")
_SMALL_N_TRAIN = 100
_N_SPLITS, _SEEDS, _N_TEST = 5, (0, 1, 2), 450  # as cross_validate_nets in the lesson


@functools.lru_cache(maxsize=1)
def _reference_small_simple_scores() -> tuple[float, ...]:
    """The simple net's test accuracy on each of the lesson's splits with 100 training images.

    Logistic regression has no randomness and the splitter has random_state=0, so these are fixed: a
    table that was not measured with 100 images (or was typed by hand) does not match them.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedShuffleSplit

    from ..data import load_digits_8x8
    from ..environment import one_blas_thread

    images, labels = load_digits_8x8()
    pixels = images.reshape(len(images), -1)
    splitter = StratifiedShuffleSplit(n_splits=_N_SPLITS, train_size=_SMALL_N_TRAIN, test_size=_N_TEST, random_state=0)
    with one_blas_thread():
        return tuple(
            float(LogisticRegression(max_iter=1000).fit(pixels[train], labels[train]).score(pixels[test], labels[test]))
            for train, test in splitter.split(pixels, labels)
        )


def _reference_verdict(simple_scores, deep_scores) -> str:
    """The lesson's rule: a net wins only if it is better in every paired run; otherwise a tie."""
    differences = np.asarray(deep_scores, dtype=float) - np.asarray(simple_scores, dtype=float)
    if np.all(differences > 0):
        return "deep"
    if np.all(differences < 0):
        return "simple"
    return "tie"


def _as_verdict(answer, name: str) -> str:
    """A verdict string, case and surrounding spaces ignored."""
    if not isinstance(answer, str):
        raise ExerciseCheckFailed(
            f"`{name}` should be one of the strings 'simple', 'deep' or 'tie', got {type(answer).__name__} {answer!r}."
        )
    verdict = answer.strip().lower()
    expect(verdict in _VERDICTS, f"`{name}` should be one of 'simple', 'deep' or 'tie', got {answer!r}.")
    return verdict


def _verdict_cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(which paired scores, simple scores, deep scores): the cases that tell the usual slips apart."""
    simple = np.array([0.91, 0.95, 0.89, 0.97, 0.93, 0.90])
    cases = [
        ("paired scores where the deep net is better in every run, by a wide margin", simple, simple + 0.04),
        ("paired scores where the simple net is better in every run, by a wide margin", simple, simple - 0.04),
        (
            "paired scores where each net is better in some runs",
            simple,
            simple + np.array([0.03, -0.01, 0.02, 0.02, -0.02, 0.01]),
        ),
        # Better in every pair, but the runs vary more than the nets differ: the two ranges overlap.
        (
            "paired scores where the deep net is better in every run, by less than the runs differ",
            simple,
            simple + 0.005,
        ),
        (
            "paired scores where the simple net is better in every run, by less than the runs differ",
            simple,
            simple - 0.005,
        ),
        (
            "paired scores where the deep net is better in all runs but one, where both score the same",
            simple,
            simple + np.array([0.02, 0.01, 0.0, 0.03, 0.02, 0.01]),
        ),
        (
            "paired scores where the mean favours the deep net, but the simple net is better in one run",
            simple,
            simple + np.array([0.03, 0.03, 0.03, 0.03, 0.03, -0.01]),
        ),
        ("paired scores where both nets score the same in every run", simple, simple.copy()),
    ]
    for _ in range(6):  # random paired runs: some with a clear winner, some without
        n_runs = int(rng.integers(5, 16))
        base = rng.uniform(0.8, 0.98, size=n_runs)
        shift = rng.choice([-0.02, 0.0, 0.02])
        cases.append(("random paired scores", base, base + shift + rng.normal(0, 0.012, size=n_runs)))
    return cases


def _verdict_slip(simple, deep, got: str, want: str) -> str:
    """Why `my_verdict` said `got` where the rule says `want`: the usual slip in words, not the answer."""
    differences = deep - simple
    if {got, want} == {"simple", "deep"}:
        return "it named the other net: the first argument holds the simple net's scores, the second the deep net's."
    if want == "tie":
        one_sided = np.all(differences >= 0) or np.all(differences <= 0)
        if np.any(differences == 0) and one_sided:
            return "a run where both nets score the same is not a win: the winner must be better in every run."
        mean_says = "deep" if differences.mean() > 0 else "simple"
        if got == mean_says:
            return "it followed the mean, but the other net is better in some runs: look at each run, not the mean."
        return "it named a winner although neither net is better in every run."
    if max(simple.min(), deep.min()) <= min(simple.max(), deep.max()):  # the two ranges overlap
        return (
            "it called a tie, but one net is better in every paired run; the ranges overlap only because the "
            "runs differ from each other. Compare the nets run by run (same split, same seed), not their ranges."
        )
    return "it called a tie although one net is better in every run."


def exercise_1_4(prediction, my_verdict, small_results, small_data_verdict) -> None:
    """prediction: the guess before measuring; my_verdict(simple_scores, deep_scores) -> 'simple'|'deep'|'tie';
    small_results: cross_validate_nets(100); small_data_verdict: my_verdict applied to small_results."""
    hints = [
        "look at the runs one by one: in how many runs is each net the more accurate one?",
        "the lesson's rule: a net wins only if it is more accurate in every paired run (same split, same seed); "
        "if the sign of the difference flips, or a run is level, it is a tie.",
        "compute the paired differences deep - simple as one array, then ask whether all of them are above zero, "
        "or all of them below zero; anything else is a tie.",
    ]
    with exercise("1.4", hints=hints):
        _as_verdict(require(prediction, "prediction"), "prediction")
        require(my_verdict, "my_verdict")
        for index, (case, simple, deep) in enumerate(_verdict_cases(np.random.default_rng(14))):
            if index % 2:  # the lesson passes pandas columns: check both kinds of input
                got = call(
                    my_verdict, "my_verdict", pd.Series(simple, name="simple net"), pd.Series(deep, name="deep net")
                )
                case += ", as pandas Series"
            else:
                got = call(my_verdict, "my_verdict", simple, deep)
            got = _as_verdict(got, "what my_verdict returns")
            want = _reference_verdict(simple, deep)
            if got != want:
                raise ExerciseCheckFailed(
                    f"on {case} ({len(simple)} runs), your `my_verdict` returned {got!r}: "
                    + _verdict_slip(simple, deep, got, want)
                )
        results = require(small_results, "small_results")
        columns = getattr(results, "columns", None)
        expect(
            columns is not None and {"split", "seed", "simple net", "deep net", "training images"} <= set(columns),
            "`small_results` should be the table that `cross_validate_nets(...)` returns.",
        )
        sizes = set(np.asarray(results["training images"]).tolist())
        expect(
            sizes == {_SMALL_N_TRAIN},
            f"`small_results` holds runs with {sorted(sizes)} training images; the exercise asks for {_SMALL_N_TRAIN}.",
        )
        pairs = list(zip(np.asarray(results["split"]).tolist(), np.asarray(results["seed"]).tolist()))
        expect(
            len(set(pairs)) == len(pairs),
            "`small_results` holds the same (split, seed) run more than once: each paired run should appear once.",
        )
        expect(
            set(pairs) == {(split, seed) for split in range(_N_SPLITS) for seed in _SEEDS},
            "`small_results` does not hold every paired run of `cross_validate_nets(n_train=100)` with its "
            "default splits and seeds: some (split, seed) runs are missing or extra.",
        )
        simple_scores = np.asarray(results["simple net"], dtype=float)
        deep_scores = np.asarray(results["deep net"], dtype=float)
        measured = np.asarray(_reference_small_simple_scores())[np.asarray(results["split"], dtype=int)]
        expect(
            np.allclose(simple_scores, measured, rtol=0, atol=1e-9),
            "the simple net's scores in `small_results` are not what a fit on 100 training images gives on the "
            "lesson's splits: measure them with `cross_validate_nets(n_train=100)` itself, and leave its table "
            "unchanged.",
        )
        expect(
            np.all((deep_scores >= 0) & (deep_scores <= 1))
            and np.allclose(deep_scores * _N_TEST, np.round(deep_scores * _N_TEST), atol=1e-6),
            f"the deep net's scores in `small_results` are not accuracies on {_N_TEST} test images: measure them "
            "with `cross_validate_nets(n_train=100)` itself, and leave its table unchanged.",
        )
        verdict = _as_verdict(require(small_data_verdict, "small_data_verdict"), "small_data_verdict")
        expect(
            verdict == _reference_verdict(simple_scores, deep_scores),
            "`small_data_verdict` does not follow from `small_results` by the lesson's rule: apply your "
            "`my_verdict` to its two columns of scores.",
        )
