"""Unit tests for the exercise checks of lesson 02 (CNN filters)."""

import math

import numpy as np
import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson02 as check


def failure_message(check_function, *answer) -> str:
    """Run a check that must fail (not as 'not attempted') and return its message."""
    with pytest.raises(ExerciseCheckFailed) as failure:
        check_function(*answer)
    assert not isinstance(failure.value, NotAttempted), str(failure.value)
    return str(failure.value)


# Exercise 2.1: output size of a convolution


def right_output_size(n, k, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(n / stride)
    return (n - k) // stride + 1


def test_2_1_placeholder_is_not_attempted():
    def conv_output_size(n, k, stride=1, padding="valid"):
        ...  # the starter cell, untouched

    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_1(conv_output_size)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_1(...)


def test_2_1_not_a_function():
    assert "should be a function" in failure_message(check.exercise_2_1, 5)


def test_2_1_ignoring_the_stride():
    message = failure_message(check.exercise_2_1, lambda n, k, stride=1, padding="valid": n - k + 1)
    assert "stride is ignored" in message
    assert "should be 12" in message
    assert "Hint:" in message


def test_2_1_forgetting_to_round_down():
    message = failure_message(check.exercise_2_1, lambda n, k, stride=1, padding="valid": (n - k) / stride + 1)
    assert "round down" in message


def test_2_1_treating_same_like_valid():
    message = failure_message(check.exercise_2_1, lambda n, k, stride=1, padding="valid": (n - k) // stride + 1)
    assert "'same'" in message
    assert "should be 28" in message


def test_2_1_error_inside_the_function_is_feedback():
    def broken(n, k, stride=1, padding="valid"):
        raise ValueError("oops")

    assert "raised ValueError: oops" in failure_message(check.exercise_2_1, broken)


def test_2_1_right_answer_passes(capsys):
    check.exercise_2_1(right_output_size)
    assert "Exercise 2.1: correct" in capsys.readouterr().out


# Exercise 2.2: a horizontal-edge kernel

SOBEL_HORIZONTAL = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])


def test_2_2_placeholder_is_not_attempted():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_2(...)


def test_2_2_vertical_edge_kernel_is_refused():
    message = failure_message(check.exercise_2_2, SOBEL_HORIZONTAL.T)
    assert "responds to a vertical edge" in message


def test_2_2_kernel_that_sees_flat_images_is_refused():
    message = failure_message(check.exercise_2_2, np.ones((3, 3)) / 9)
    assert "sum to 0" in message


def test_2_2_all_zero_kernel_is_refused():
    message = failure_message(check.exercise_2_2, np.zeros((3, 3)))
    assert "at least 1" in message


def test_2_2_wrong_shape_and_type():
    assert "shape (3, 3)" in failure_message(check.exercise_2_2, np.zeros((2, 2)))
    assert "array of numbers" in failure_message(check.exercise_2_2, "sobel")


@pytest.mark.parametrize("kernel", [SOBEL_HORIZONTAL, -SOBEL_HORIZONTAL, [[0, 0, 0], [-1, -1, -1], [1, 1, 1]]])
def test_2_2_right_answers_pass(kernel, capsys):
    check.exercise_2_2(kernel)
    assert "Exercise 2.2: correct" in capsys.readouterr().out


# Exercise 2.3: counting parameters


def test_2_3_placeholders_are_not_attempted():
    with pytest.raises(NotAttempted, match="conv_params"):
        check.exercise_2_3(..., ...)
    with pytest.raises(NotAttempted, match="dense_params"):
        check.exercise_2_3(4864, None)


def test_2_3_forgotten_biases():
    assert "biases" in failure_message(check.exercise_2_3, 5 * 5 * 3 * 64, 150_592)
    assert "biases" in failure_message(check.exercise_2_3, 4864, 28 * 28 * 3 * 64)


def test_2_3_forgotten_channels():
    assert "3 input channels" in failure_message(check.exercise_2_3, 5 * 5 * 64 + 64, 150_592)
    assert "3 colour channels" in failure_message(check.exercise_2_3, 4864, 28 * 28 * 64 + 64)


def test_2_3_image_size_does_not_matter():
    assert "image size" in failure_message(check.exercise_2_3, 24 * 24 * 64, 150_592)


def test_2_3_not_a_whole_number():
    assert "whole number" in failure_message(check.exercise_2_3, 4864.5, 150_592)
    assert "should be a number" in failure_message(check.exercise_2_3, "a lot", 150_592)


def test_2_3_right_answer_passes(capsys):
    check.exercise_2_3(4864, np.int64(150_592))
    assert "Exercise 2.3: correct" in capsys.readouterr().out


# Exercise 2.4: a causal 1-D kernel


def test_2_4_placeholder_is_not_attempted():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_4(None)


def test_2_4_flipped_kernel_gets_the_cross_correlation_hint():
    message = failure_message(check.exercise_2_4, [1, 0, -1])
    assert "opposite sign" in message
    assert "does not flip" in message


def test_2_4_other_wrong_kernel_says_where():
    message = failure_message(check.exercise_2_4, [0, -1, 1])
    assert "at time t=" in message


def test_2_4_wrong_size():
    assert "3 numbers" in failure_message(check.exercise_2_4, [-1, 1])


@pytest.mark.parametrize("kernel", [[-1, 0, 1], np.array([-1.0, 0.0, 1.0]).reshape(3, 1, 1)])
def test_2_4_right_answer_passes(kernel, capsys):
    check.exercise_2_4(kernel)
    assert "Exercise 2.4: correct" in capsys.readouterr().out


def test_2_4_agrees_with_keras_conv1d():
    """The check's causal convolution is the one keras.layers.Conv1D computes."""
    keras = pytest.importorskip("keras")
    series = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0], dtype="float32")
    kernel = np.array([-1.0, 0.0, 1.0], dtype="float32")
    layer = keras.layers.Conv1D(1, 3, padding="causal")
    layer.build((None, None, 1))
    layer.set_weights([kernel.reshape(3, 1, 1), np.zeros(1, dtype="float32")])
    from_keras = np.asarray(layer(series.reshape(1, -1, 1)))[0, :, 0]
    np.testing.assert_allclose(check._causal_output(series, kernel), from_keras, atol=1e-6)
