"""Checks for the exercises of lesson 02 (CNN filters).

    from utils.exercises import lesson02 as check
    check.exercise_2_1(my_output_size)

Every check compares the student's answer with a reference kept private here, on several inputs
(some of them random), and says what is wrong without giving the expected value away.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    NotAttempted,
    StudentCodeError,
    call,
    exercise,
    expect,
    expect_close,
    require,
    require_array,
    require_number,
    shape_problem,
)

# ---- Exercise 2.1: the length of a convolution's output --------------------------------------------

# (n, k, stride, padding), easy cases first; random cases are added at each run.
_OUTPUT_SIZE_CASES = [
    (7, 3, 1, "valid"),
    (28, 5, 1, "valid"),
    (10, 10, 1, "valid"),
    (7, 3, 2, "valid"),
    (28, 5, 2, "valid"),
    (10, 4, 3, "valid"),
    (7, 3, 1, "same"),
    (28, 3, 2, "same"),
    (9, 3, 2, "same"),
    (10, 5, 3, "same"),
]


def _reference_output_size(n: int, k: int, stride: int, padding: str) -> int:
    if padding == "same":
        return math.ceil(n / stride)
    return (n - k) // stride + 1


def _output_size_cases(rng) -> list[tuple[int, int, int, str]]:
    cases = list(_OUTPUT_SIZE_CASES)
    for _ in range(6):
        n = int(rng.integers(5, 65))
        k, stride = int(rng.integers(1, min(n, 7) + 1)), int(rng.integers(1, 5))
        cases.append((n, k, stride, str(rng.choice(["valid", "same"]))))
    return cases


# Typical mistakes, by padding: (wrong size as a function of n, k, stride; what is wrong, never the right size).
_OUTPUT_SIZE_MISTAKES = {
    "valid": [
        (
            lambda n, k, s: (n - k) / s + 1,
            "it is not a whole number: the kernel only starts at whole positions that leave room for all of it, "
            "so a fraction of a step does not count",
        ),
        (lambda n, k, s: n - k + 1, "the stride is ignored: the kernel moves `stride` cells at a time"),
        (
            lambda n, k, s: (k - n) // s + 1,
            "a longer input should give more positions, not fewer: are n and k the right way round?",
        ),
        (
            lambda n, k, s: math.ceil((n - k) / s) + 1,
            "it rounds up where it should round down: when the stride does not divide n - k, one more step "
            "would leave the kernel sticking out of the input, so that partial step gives no output",
        ),
        (
            lambda n, k, s: math.ceil(n / s),
            "that is the size with 'same' padding: without padding the whole kernel must fit inside the input",
        ),
        (lambda n, k, s: (n - k) // s, "it is one position short: the first position, cell 0, counts too"),
        (
            lambda n, k, s: (n - k) // s + 2,
            "it is one position too many: the last start must leave room for the whole kernel",
        ),
    ],
    "same": [
        (
            lambda n, k, s: n / s,
            "it is not a whole number: a count of positions is whole, so decide which way to round",
        ),
        (
            lambda n, k, s: n // s,
            "it rounds down where it should round up: when the stride does not divide n, the last, partial step "
            "still starts inside the input and gives one more output",
        ),
        (
            lambda n, k, s: (n - k) // s + 1,
            "that is the size without padding: with 'same' the zeros around the border let the kernel start at "
            "every position, so the kernel's length no longer shrinks the output",
        ),
        (lambda n, k, s: n, "the stride is ignored: the kernel moves `stride` cells at a time"),
    ],
}


def _output_size_feedback(results: list) -> None:
    """results: (n, k, stride, padding, got) for every case. Fail with the mistake that explains every case of
    one padding, if there is one, else with the direction of the first wrong case."""
    for padding in ("valid", "same"):
        cases = [case for case in results if case[3] == padding]
        wrong = [case for case in cases if case[4] != _reference_output_size(*case[:4])]
        if not wrong:
            continue
        for mistake, problem in _OUTPUT_SIZE_MISTAKES[padding]:
            if all(math.isclose(got, mistake(n, k, s)) for n, k, s, _, got in cases):
                n, k, s, _, got = wrong[0]
                raise ExerciseCheckFailed(
                    f"`my_output_size({n}, {k}, stride={s}, padding={padding!r})` gave {got:g}: {problem}."
                )
        n, k, s, _, got = wrong[0]
        expect_close(
            got,
            _reference_output_size(n, k, s, padding),
            f"my_output_size({n}, {k}, stride={s}, padding={padding!r})",
            atol=0.5,
            rtol=0,
        )


def exercise_2_1(my_output_size) -> None:
    """my_output_size(n, k, stride=1, padding="valid"): the length of a convolution's output along one axis."""
    hints = [
        "Work one case by hand first: list the cells where the kernel starts for n=7, k=3, stride=2 "
        "(section 1 drew them), then count them, and compare with the shapes section 1 printed.",
        'With "valid" the last start position must leave room for the whole kernel. With "same" the zeros '
        "around the border let the kernel start at every cell 0, stride, 2 * stride, ... inside the input.",
        "Count the start positions 0, s, 2s, ... up to the last allowed one; len(range(first, last + 1, s)) "
        "counts them for you while you find the pattern. A division that does not come out even must be "
        "rounded: ask yourself whether the leftover partial step gives one more output or none.",
    ]
    with exercise("2.1", hints=hints):
        results = []
        for n, k, stride, padding in _output_size_cases(np.random.default_rng()):
            label = f"my_output_size({n}, {k}, stride={stride}, padding={padding!r})"
            try:
                result = call(my_output_size, "my_output_size", n, k, stride=stride, padding=padding)
            except (NotAttempted, StudentCodeError):
                raise
            except ExerciseCheckFailed as failure:  # returned None: say for which call, as one branch may lack it
                if "returned None" not in str(failure):
                    raise
                raise ExerciseCheckFailed(
                    f"`{label}` returned None: did you forget the `return` statement (on every path)?"
                ) from None
            results.append((n, k, stride, padding, require_number(result, label)))
        _output_size_feedback(results)


# ---- Exercise 2.2: a diagonal-edge detector ---------------------------------------------------------


def _feature_map(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation, as keras.layers.Conv2D computes it."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijuv,uv->ij", windows, kernel)


def _edge_images(size: int = 8) -> dict[str, list[np.ndarray]]:
    """Synthetic test images by kind: flat ones, and steps from 0 to 1 (and 1 to 0) in four directions.

    A "╲" edge runs from top-left to bottom-right (the image is constant along the lines row - col = c),
    a "╱" edge from bottom-left to top-right (constant along row + col = c).
    """
    rows, cols = np.indices((size, size))

    def steps(coordinate):
        ups = [(coordinate >= c).astype(float) for c in range(coordinate.min() + 1, coordinate.max() + 1)]
        return ups + [1.0 - up for up in ups]

    rng = np.random.default_rng()
    return {
        "flat": [np.full((size, size), value) for value in (1.0, 0.37, float(rng.uniform(-2, 2)))],
        "╲": steps(rows - cols),
        "╱": steps(rows + cols) + [rng.normal(size=2 * size - 1)[rows + cols]],  # and a random ╱ texture
        "horizontal": steps(rows),
        "vertical": steps(cols),
    }


def _strongest(kernel: np.ndarray, images: list[np.ndarray]) -> float:
    return max(float(np.abs(_feature_map(image, kernel)).max()) for image in images)


def exercise_2_2(diagonal_kernel) -> None:
    """A 3x3 kernel for edges running ╲: 0 on flat regions and on ╱ edges, stronger on ╲ than on axis edges."""
    hints = [
        "Test your kernel on small images of your own with conv2d_valid before the check does: "
        "np.fromfunction(lambda i, j: 1.0 * (i - j > 0), (8, 8)) has an edge running ╲, and i + j in place "
        "of i - j gives one running ╱.",
        "On an image that does not change along ╱ lines (i + j constant), the output only depends on the sums "
        "of your weights along each of the kernel's own ╱ lines; on an image that does not change along ╲ "
        "lines, on the sums along its ╲ lines. Which of these sums must be 0, and which must not?",
        "Sobel's vertical-edge kernel sets the column on one side of the centre against the column on the other "
        "side, with the largest weights closest to the centre. Do the same across the ╲ diagonal: weights of "
        "one sign above it, of the other sign below it, each the mirror image of the other.",
    ]
    with exercise("2.2", hints=hints):
        weights = require_array(diagonal_kernel, "diagonal_kernel", shape=(3, 3), axis_names=("rows", "columns"))
        expect(np.all(np.isfinite(weights)), "`diagonal_kernel` should hold finite numbers.")
        tolerance = 1e-6 * max(1.0, float(np.abs(weights).max()))
        strength = {kind: _strongest(weights, images) for kind, images in _edge_images().items()}
        expect(
            strength["flat"] <= tolerance,
            "`diagonal_kernel` responds to a flat grey image, where there is no edge at all: its weights do not "
            "add up to 0.",
        )
        if strength["╱"] > tolerance:
            if strength["╲"] <= tolerance:
                raise ExerciseCheckFailed(
                    "`diagonal_kernel` detects the other diagonal: it responds to edges running ╱ (bottom-left to "
                    "top-right) and ignores those running ╲."
                )
            raise ExerciseCheckFailed(
                "`diagonal_kernel` responds to edges running ╱ (from bottom-left to top-right), which it should ignore."
            )
        expect(strength["╲"] > tolerance, "`diagonal_kernel` gives no response at all to an edge running ╲.")
        expect(
            strength["╲"] >= 1 - 1e-9,
            "`diagonal_kernel` responds to an edge running ╲, but weakly: on a step from 0 to 1 its strongest "
            "response is below 1. Scale its weights up.",
        )
        for kind in ("horizontal", "vertical"):
            expect(
                strength["╲"] > strength[kind] + tolerance,
                f"`diagonal_kernel` responds at least as strongly to a {kind} edge as to a ╲ edge of the same "
                "step: a diagonal detector should prefer its own direction. Lay weights of one sign along whole "
                "lines parallel to the ╲ diagonal on one side of it, and of the other sign on the other side, "
                "rather than in a few cells.",
            )


# ---- Exercise 2.3: counting parameters --------------------------------------------------------------

_FILTERS, _KERNEL, _SIZE, _CHANNELS = 64, 5, 28, 3


def _count(value, name: str) -> int:
    number = require_number(value, name)
    expect(float(number).is_integer(), f"`{name}` = {number:g}: a number of parameters is a whole number.")
    return int(number)


def exercise_2_3(conv_params, dense_params) -> None:
    """Parameters of Conv2D(64, 5) on a 28x28x3 image, and of Dense(64) on the same image flattened."""
    f, k, n, c = _FILTERS, _KERNEL, _SIZE, _CHANNELS
    out = n - k + 1  # the feature map's side, which must NOT enter the count
    hints = [
        "Count the parameters of ONE filter (or one unit) first, then multiply by how many there are.",
        "A Conv2D filter spans every input channel and has one bias; a Dense unit has one weight per number "
        "it reads, and one bias. Is the position of the kernel on the image a parameter?",
        "One filter holds a weight for every cell of its kernel in every input channel (its height times its "
        "width times its depth), plus its bias; the layer repeats that for each filter. A Dense unit holds a "
        "weight for every number it reads, plus its bias. Confirm your formula with count_params() on a "
        "layer you build in Keras.",
    ]
    conv_mistakes = {
        k * k * c * f: "the biases are missing (one per filter)",
        k * k * f + f: "each filter spans all the input channels, so one filter has more weights than that",
        k * k * c + 1: "that is one filter; the layer has one per output channel",
        out * out * f: "a Conv2D layer's count does not depend on the image size: one kernel serves every position",
        out * out * c * f: "a Conv2D layer's count does not depend on the image size: one kernel serves every position",
        out * out * (k * k * c + 1) * f: "a Conv2D layer's count does not depend on the image size: one kernel "
        "serves every position",
        n * n * (k * k * c + 1) * f: "a Conv2D layer's count does not depend on the image size: one kernel "
        "serves every position",
    }
    dense_mistakes = {
        n * n * c * f: "the biases are missing (one per unit)",
        n * n * f + f: "the flattened image has one number per pixel AND per colour channel",
        n * n * c + 1: "that is one unit; the layer has one per output",
        k * k * c * f + f: "a Dense unit reads every number of the flattened image, not a 5x5 patch",
    }
    with exercise("2.3", hints=hints):
        conv = _count(conv_params, "conv_params")
        dense = _count(dense_params, "dense_params")
        expect(
            (conv, dense) != ((n * n * c + 1) * f, (k * k * c + 1) * f),
            "`conv_params` and `dense_params` look swapped: which layer has one weight per number of the image?",
        )
        for name, got, expected, mistakes in [
            ("conv_params", conv, (k * k * c + 1) * f, conv_mistakes),
            ("dense_params", dense, (n * n * c + 1) * f, dense_mistakes),
        ]:
            if got != expected and got in mistakes:
                raise ExerciseCheckFailed(f"`{name}` = {got:,} is not right yet: {mistakes[got]}.")
            expect_close(got, expected, name, atol=0.5, rtol=0)


# ---- Exercise 2.4: a causal 1-D kernel --------------------------------------------------------------


def _causal_output(series: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Conv1D(padding="causal"): pad k - 1 zeros on the left, then valid cross-correlation."""
    padded = np.concatenate([np.zeros(len(kernel) - 1), series])
    return np.correlate(padded, kernel, mode="valid")


def _reference_change(series: np.ndarray) -> np.ndarray:
    """series[t] - series[t - 2], with zeros before the start."""
    padded = np.concatenate([np.zeros(2), series])
    return padded[2:] - padded[:-2]


def exercise_2_4(change_kernel) -> None:
    """A length-3 kernel whose causal Conv1D output at time t is series[t] - series[t - 2]."""
    hints = [
        "Write out the window the kernel sees at time t with causal padding, oldest value first.",
        "The output at time t is the sum of each value of that window times the weight at the same place; "
        "which weight meets series[t], which series[t-1], which series[t-2]?",
        "Keras does not flip the kernel: its first weight meets the OLDEST value of the window. Check yourself "
        "with run_conv1d(conv1d_with_kernel(change_kernel, padding='causal'), series).",
    ]
    with exercise("2.4", hints=hints):
        weights = require_array(change_kernel, "change_kernel")
        expect(weights.size == 3, f"`change_kernel` should hold 3 numbers (kernel_size=3), got shape {weights.shape}.")
        weights = weights.reshape(3)
        rng = np.random.default_rng()
        for series in [np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]), rng.normal(size=12)]:
            got, expected = _causal_output(series, weights), _reference_change(series)
            if np.allclose(got, expected, atol=1e-6):
                continue
            if np.allclose(got, -expected, atol=1e-6):
                raise ExerciseCheckFailed(
                    "`change_kernel` computes series[t-2] - series[t], the opposite sign. Keras does not flip the "
                    "kernel (deep learning's 'convolution' is a cross-correlation): the first weight meets the "
                    "oldest value of the window."
                )
            factor = float(np.dot(got, expected) / np.dot(expected, expected))
            if abs(factor) > 1e-6 and np.allclose(got, factor * expected, atol=1e-6):
                raise ExerciseCheckFailed(
                    f"the output of `change_kernel` is series[t] - series[t-2] times {factor:.3g}: the right "
                    "pattern of weights, the wrong scale."
                )
            one_step = _causal_output(series, np.array([0.0, -1.0, 1.0]))
            if np.allclose(got, one_step, atol=1e-6) or np.allclose(got, -one_step, atol=1e-6):
                raise ExerciseCheckFailed("`change_kernel` gives the change over ONE step; two steps are asked for.")
            t = int(np.argmax(~np.isclose(got, expected, atol=1e-6)))
            direction = "too large" if got[t] > expected[t] else "too small"
            raise ExerciseCheckFailed(
                f"on the series {np.round(series, 2).tolist()}, the output of `change_kernel` at time t={t} is "
                f"{got[t]:.4g}, {direction} for series[t] - series[t-2] (with zeros before the start)."
            )


# ---- Exercise 2.5: shifted digits, which model copes? -----------------------------------------------


def _digits_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The lesson's test digits: load_digits_8x8(), test_size=0.25, stratified, random_state=42."""
    from sklearn.model_selection import train_test_split

    from ..data import load_digits_8x8

    images, labels = load_digits_8x8()
    _, X_test, _, y_test = train_test_split(images, labels, test_size=0.25, stratify=labels, random_state=42)
    return X_test, y_test


def _moved(images: np.ndarray, axis: int, pixels: int) -> np.ndarray:
    """Move every image `pixels` along `axis` (positive: right or down), filling with zeros."""
    moved = np.zeros_like(images)
    source = [slice(None)] * images.ndim
    target = [slice(None)] * images.ndim
    if pixels >= 0:
        source[axis], target[axis] = slice(0, images.shape[axis] - pixels), slice(pixels, None)
    else:
        source[axis], target[axis] = slice(-pixels, None), slice(0, images.shape[axis] + pixels)
    moved[tuple(target)] = images[tuple(source)]
    return moved


def _shift_problem(shifted: np.ndarray, X_test: np.ndarray) -> str | None:
    """What is wrong with the student's shifted images (None if they are right)."""
    right = _moved(X_test, 2, 1)
    if np.allclose(shifted, right):
        return None
    if np.allclose(shifted, np.roll(X_test, 1, axis=2)):
        return (
            "np.roll brings each digit's last column round to the first, and some digits have ink there; "
            "the new first column should be blank"
        )
    if np.allclose(shifted, X_test):
        return "it is X_test unchanged"
    if np.allclose(shifted, _moved(X_test, 2, -1)) or np.allclose(shifted, np.roll(X_test, -1, axis=2)):
        return "the digits moved to the left"
    if any(
        np.allclose(shifted, _moved(X_test, 1, step)) or np.allclose(shifted, np.roll(X_test, step, axis=1))
        for step in (1, -1)
    ):
        return "the digits moved up or down: X_test's axes are (image, row, column)"
    if any(np.allclose(shifted, _moved(X_test, 2, step)) for step in (2, 3)):
        return "the digits moved too far"
    differ = int(np.sum(~np.all(np.isclose(shifted, right), axis=(1, 2))))
    return f"{differ} of its {len(X_test)} images are not the test digit moved one pixel to the right"


def _models(models, name: str, *, convolutional: bool) -> list:
    """The lesson's list of trained models, one per seed: CNNs (with a Conv2D layer) or MLPs (without)."""
    require(models, name)
    expect(
        isinstance(models, list | tuple) and len(models) >= 5 and len({id(model) for model in models}) == len(models),
        f"`{name}` should be the lesson's list of trained models, one per seed (5 different models).",
    )
    kind = "a CNN (with a Conv2D layer)" if convolutional else "an MLP (without any Conv2D layer)"
    for model in models:
        layer_types = {type(layer).__name__ for layer in getattr(model, "layers", [])}
        expect(
            ("Conv2D" in layer_types) == convolutional and "Dense" in layer_types,
            f"every model in `{name}` should be {kind}: pass the lesson's `{name}` unchanged.",
        )
    return list(models)


def _accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    probabilities = np.asarray(model(images[..., None], training=False))
    return float(np.mean(probabilities.argmax(axis=-1) == labels))


def _reference_verdict(cnn_models, mlp_models, shifted, X_test, y_test) -> str:
    drops = {
        name: [_accuracy(model, X_test, y_test) - _accuracy(model, shifted, y_test) for model in models]
        for name, models in (("cnn", cnn_models), ("mlp", mlp_models))
    }
    if max(drops["cnn"]) < min(drops["mlp"]):
        return "cnn"
    if max(drops["mlp"]) < min(drops["cnn"]):
        return "mlp"
    return "tie"


def exercise_2_5(shifted_X_test, more_robust, cnn_models, mlp_models) -> None:
    """shifted_X_test: X_test moved one pixel right; more_robust: 'cnn', 'mlp' or 'tie', by the lesson's rule
    (a model is more robust only if its largest accuracy drop is below the other model's smallest)."""
    hints = [
        "Measure before you decide: for every model in cnn_models and in mlp_models, its accuracy on X_test "
        "and on shifted_X_test; the drop is the difference.",
        "Move the digits with slicing: start from an array of zeros the shape of X_test, then copy every "
        "column but the last one place to its right (np.roll would bring the last column round to the first).",
        "Put the 5 CNN drops next to the 5 MLP drops. If the two ranges overlap, neither model is more "
        "robust on this evidence; if they do not, the one with the smaller drops is.",
    ]
    with exercise("2.5", hints=hints):
        X_test, y_test = _digits_test_set()
        shifted = require_array(shifted_X_test, "shifted_X_test")
        if shifted.ndim == 4 and shifted.shape[-1] == 1:
            shifted = shifted[..., 0]
        problem = shape_problem(shifted.shape, X_test.shape, ("images", "rows", "columns"))
        expect(problem is None, f"`shifted_X_test` has shape {shifted.shape}, which is not right yet: {problem}.")
        problem = _shift_problem(shifted, X_test)
        expect(problem is None, f"`shifted_X_test` is not right yet: {problem}.")
        verdict = require(more_robust, "more_robust")
        expect(
            isinstance(verdict, str) and verdict.strip().lower() in {"cnn", "mlp", "tie"},
            f"`more_robust` should be one of the texts 'cnn', 'mlp' or 'tie', got {more_robust!r}.",
        )
        cnn = _models(cnn_models, "cnn_models", convolutional=True)
        mlp = _models(mlp_models, "mlp_models", convolutional=False)
        for name, models in (("cnn_models", cnn), ("mlp_models", mlp)):
            expect(
                all(_accuracy(model, X_test, y_test) > 0.9 for model in models),
                f"some models in `{name}` are not trained: run the cells of section 3 first.",
            )
        expect(
            verdict.strip().lower() == _reference_verdict(cnn, mlp, shifted.astype("float32"), X_test, y_test),
            f"`more_robust` = {more_robust!r} does not follow from the measurement on these models: compare "
            "the accuracy drops of every CNN with those of every MLP.",
        )
