"""Checks for the exercises of lesson 02 (CNN filters).

    from utils.exercises import lesson02 as check
    check.exercise_2_1(conv_output_size)
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    NotAttempted,
    exercise,
    expect,
    is_placeholder,
    require,
    require_array,
    require_number,
)

# (n, k, stride, padding) -> expected output length, checked in this order (easy cases first).
_OUTPUT_SIZE_CASES = [
    (7, 3, 1, "valid"),
    (28, 5, 1, "valid"),
    (10, 10, 1, "valid"),
    (28, 5, 2, "valid"),
    (10, 4, 3, "valid"),
    (28, 3, 1, "same"),
    (28, 3, 2, "same"),
    (9, 3, 2, "same"),
]


def _output_size(n: int, k: int, stride: int, padding: str) -> int:
    if padding == "same":
        return math.ceil(n / stride)
    return (n - k) // stride + 1


def _as_whole_number(value, name: str) -> int:
    number = require_number(value, name)
    expect(float(number).is_integer(), f"`{name}` should be a whole number of positions, got {number:g}.")
    return int(number)


def exercise_2_1(conv_output_size) -> None:
    """conv_output_size(n, k, stride=1, padding="valid") gives the length of a convolution's output."""
    hint = (
        'With "valid" the kernel must fit inside the input: count the start positions 0, stride, 2*stride, ... '
        'up to n - k, that is (n - k) // stride + 1. With "same" the input is padded so that only the stride '
        "shrinks it: ceil(n / stride)."
    )
    with exercise("2.1", hint=hint):
        require(conv_output_size, "conv_output_size")
        expect(callable(conv_output_size),
               f"`conv_output_size` should be a function, got {type(conv_output_size).__name__}.")
        for n, k, stride, padding in _OUTPUT_SIZE_CASES:
            call = f"conv_output_size({n}, {k}, stride={stride}, padding={padding!r})"
            result = conv_output_size(n, k, stride=stride, padding=padding)
            if is_placeholder(result):
                raise NotAttempted(f"{call} returned {result!r}: replace the `...` in `conv_output_size` with code "
                                   "that returns the output length.")
            got = require_number(result, call)
            expected = _output_size(n, k, stride, padding)
            if got == expected:
                continue
            if padding == "valid" and not float(got).is_integer() and math.isclose(got, (n - k) / stride + 1):
                raise ExerciseCheckFailed(f"{call} should be {expected}, got {got:g}: a count of positions is whole, "
                                          "so round down (use //).")
            if stride > 1 and got == _output_size(n, k, 1, padding):
                raise ExerciseCheckFailed(f"{call} should be {expected}, got {got:g}: the stride is ignored; "
                                          f"the kernel moves {stride} cells at a time.")
            if padding == "same" and got == _output_size(n, k, stride, "valid"):
                raise ExerciseCheckFailed(f"{call} should be {expected}, got {got:g}: that is the 'valid' size; "
                                          "'same' pads the borders so the kernel fits at every position.")
            raise ExerciseCheckFailed(f"{call} should be {expected}, got {got:g}.")


def _feature_map(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation, as keras.layers.Conv2D computes it."""
    k_rows, k_cols = kernel.shape
    rows, cols = image.shape[0] - k_rows + 1, image.shape[1] - k_cols + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(image[i:i + k_rows, j:j + k_cols] * kernel)
    return out


def _step_image(size: int = 8, *, horizontal: bool) -> np.ndarray:
    """Dark top/bright bottom (horizontal edge) or dark left/bright right (vertical edge)."""
    image = np.zeros((size, size))
    if horizontal:
        image[size // 2:, :] = 1.0
    else:
        image[:, size // 2:] = 1.0
    return image


def exercise_2_2(edge_kernel) -> None:
    """A 3x3 kernel that responds to horizontal edges but not to vertical edges nor to flat regions."""
    hint = ("Take the difference between the row below and the row above, e.g. -1s in the top row, 0s in the middle "
            "and +1s in the bottom row (the Sobel kernel of the lesson, turned a quarter turn).")
    with exercise("2.2", hint=hint):
        weights = require_array(edge_kernel, "edge_kernel", shape=(3, 3))
        expect(np.all(np.isfinite(weights)), "`edge_kernel` should hold finite numbers.")
        flat = _feature_map(np.ones((8, 8)), weights)
        expect(np.allclose(flat, 0, atol=1e-6),
               f"your kernel responds to a flat grey image (response {flat[0, 0]:.3g}): its weights sum to "
               f"{weights.sum():.3g}; an edge detector's weights should sum to 0.")
        vertical = _feature_map(_step_image(horizontal=False), weights)
        expect(np.allclose(vertical, 0, atol=1e-6),
               f"your kernel responds to a vertical edge (largest response {np.abs(vertical).max():.3g}); "
               "it should give 0 there: make every column of the kernel sum to 0.")
        horizontal = _feature_map(_step_image(horizontal=True), weights)
        strongest = float(np.abs(horizontal).max())
        expect(strongest >= 1,
               f"on a horizontal edge (a step from 0 to 1) your kernel's strongest response is {strongest:.3g}; "
               "it should be at least 1.")


def exercise_2_3(conv_params, dense_params) -> None:
    """Parameters of Conv2D(64, 5x5) on a 28x28x3 image, and of Dense(64) on the same image flattened."""
    conv_expected = 5 * 5 * 3 * 64 + 64
    dense_expected = 28 * 28 * 3 * 64 + 64
    hint = ("A Conv2D filter has kernel_height * kernel_width * input_channels weights plus 1 bias, and there is "
            "one filter per output channel; the image size does not enter. A Dense unit has one weight per input "
            "value plus 1 bias.")
    with exercise("2.3", hint=hint):
        conv = _as_whole_number(conv_params, "conv_params")
        dense = _as_whole_number(dense_params, "dense_params")
        if conv != conv_expected:
            if conv == 5 * 5 * 3 * 64:
                detail = "the 64 biases (one per filter) are missing"
            elif conv == 5 * 5 * 64 + 64:
                detail = "each filter covers all 3 input channels, so it has 5 * 5 * 3 weights"
            elif conv in (24 * 24 * 64, 24 * 24 * 3 * 64, 28 * 28 * 5 * 5 * 3 * 64 + 64):
                detail = "the count must not depend on the image size: the same kernel is reused at every position"
            else:
                detail = "count the weights of one filter, add its bias, then multiply by the number of filters"
            raise ExerciseCheckFailed(f"`conv_params` should be {conv_expected:,}, got {conv:,}: {detail}.")
        if dense != dense_expected:
            if dense == 28 * 28 * 3 * 64:
                detail = "the 64 biases are missing"
            elif dense == 28 * 28 * 64 + 64:
                detail = "the flattened image has 28 * 28 * 3 values (3 colour channels)"
            else:
                detail = "each of the 64 units has one weight per input value (28 * 28 * 3 of them) and one bias"
            raise ExerciseCheckFailed(f"`dense_params` should be {dense_expected:,}, got {dense:,}: {detail}.")


def _causal_output(series: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Conv1D(padding="causal"): pad k - 1 zeros on the left, then valid cross-correlation."""
    padded = np.concatenate([np.zeros(len(kernel) - 1), series])
    return np.correlate(padded, kernel, mode="valid")


def exercise_2_4(change_kernel) -> None:
    """A length-3 kernel whose causal Conv1D output at time t is series[t] - series[t - 2]."""
    hint = ("With causal padding the window at time t holds series[t-2], series[t-1], series[t] in that order, "
            "and Keras multiplies it by the kernel as it is, without flipping it.")
    with exercise("2.4", hint=hint):
        weights = require_array(change_kernel, "change_kernel")
        expect(weights.size == 3, f"`change_kernel` should hold 3 numbers (kernel_size=3), got shape {weights.shape}.")
        weights = weights.reshape(3)
        series = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0])
        got = _causal_output(series, weights)
        expected = _causal_output(series, np.array([-1.0, 0.0, 1.0]))
        if np.allclose(got, expected, atol=1e-6):
            return
        if np.allclose(got, -expected, atol=1e-6):
            raise ExerciseCheckFailed(
                f"your change_kernel {weights.tolist()} computes series[t-2] - series[t], the opposite sign. "
                "Keras does not flip the kernel (deep-learning 'convolution' is cross-correlation): the first "
                "weight meets the oldest value."
            )
        t = int(np.argmax(np.abs(got - expected)))
        raise ExerciseCheckFailed(
            f"on the test series {series.tolist()}, at time t={t} the output should be {expected[t]:g} "
            f"(series[t] - series[t-2], with zeros before the start), got {got[t]:g}."
        )
