"""Unit tests for the exercise checks of lesson 02 (CNN filters)."""

import math
import re

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


# ---- Exercise 2.1: output size of a convolution ----------------------------------------------------


def right_output_size(n, k, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(n / stride)
    return (n - k) // stride + 1


def also_right_output_size(n, k, stride=1, padding="valid"):
    last_start = n - 1 if padding == "same" else n - k
    return len(range(0, last_start + 1, stride))


def expected_in_reported_case(message: str) -> int:
    """The right output size for the case a 2.1 message reports (to prove the message does not show it)."""
    n, k, stride, padding = re.search(
        r"my_output_size\((\d+), (\d+), stride=(\d+), padding='(\w+)'\)", message
    ).groups()
    return right_output_size(int(n), int(k), int(stride), padding)


def test_2_1_untouched_starter_is_not_attempted():
    def my_output_size(n, k, stride=1, padding="valid"):
        return ...  # the starter cell, untouched

    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_1(my_output_size)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_1(...)


def test_2_1_body_without_return_asks_about_the_return():
    def my_output_size(n, k, stride=1, padding="valid"):
        (n - k) // stride + 1

    message = failure_message(check.exercise_2_1, my_output_size)
    assert "did you forget the `return`" in message and "replace the `...`" not in message

    def only_valid(n, k, stride=1, padding="valid"):
        if padding == "valid":
            return (n - k) // stride + 1

    assert "padding='same')` returned None" in failure_message(check.exercise_2_1, only_valid)


def test_2_1_not_a_function():
    assert "should be a function" in failure_message(check.exercise_2_1, 5)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda n, k, stride=1, padding="valid": n - k + 1, "the stride is ignored"),
        (lambda n, k, stride=1, padding="valid": (n - k) / stride + 1, "not a whole number"),
        (lambda n, k, stride=1, padding="valid": (n - k) // stride, "one position short"),
        (lambda n, k, stride=1, padding="valid": (n - k) // stride + 1, "size without padding"),
        (
            lambda n, k, stride=1, padding="valid": n // stride if padding == "same" else (n - k) // stride + 1,
            "rounds down where it should round up",
        ),
        (
            lambda n, k, stride=1, padding="valid": math.ceil(n / stride),
            "size with 'same' padding",
        ),
        (
            lambda n, k, stride=1, padding="valid": math.ceil((n - k) / stride) + 1,
            "rounds up where it should round down",
        ),
        (lambda n, k, stride=1, padding="valid": (k - n) // stride + 1, "are n and k the right way round"),
    ],
)
def test_2_1_typical_mistakes_are_named_without_the_right_size(wrong, words):
    message = failure_message(check.exercise_2_1, wrong)
    assert words in message
    expected = expected_in_reported_case(message)
    after_the_call = message.split(")` gave ", 1)[1]
    assert not re.search(rf"(?<![\d.]){expected}(?![\d.])", after_the_call.split("\n")[0].split(":", 1)[1])


def test_2_1_unrecognised_mistake_gets_a_direction():
    message = failure_message(check.exercise_2_1, lambda n, k, stride=1, padding="valid": 3)
    assert "is not right yet: it is too" in message


def test_2_1_error_inside_the_function_is_reported_as_the_students():
    def my_output_size(n, k, stride=1, padding="valid"):
        raise ValueError("oops")

    message = failure_message(check.exercise_2_1, my_output_size)
    assert "your `my_output_size` raised ValueError: oops" in message and 'raise ValueError("oops")' in message


def test_2_1_hints_come_in_stages():
    wrong = lambda n, k, stride=1, padding="valid": n - k + 1  # noqa: E731
    first, second = failure_message(check.exercise_2_1, wrong), failure_message(check.exercise_2_1, wrong)
    assert "Hint 1 of 3" in first and "Hint 2 of 3" not in first
    assert "Hint 2 of 3" in second and "Hint 3 of 3" not in second
    third = failure_message(check.exercise_2_1, wrong)
    assert "Hint 3 of 3" in third
    assert "Conv1D(" not in third and "ceil" not in third  # no expression to paste as the answer


@pytest.mark.parametrize("answer", [right_output_size, also_right_output_size])
def test_2_1_right_answers_pass(answer, capsys):
    check.exercise_2_1(answer)
    assert "Exercise 2.1: correct" in capsys.readouterr().out


def test_2_1_reference_agrees_with_keras():
    keras = pytest.importorskip("keras")
    for n, k, stride, padding in check._OUTPUT_SIZE_CASES:
        layer = keras.layers.Conv1D(1, k, strides=stride, padding=padding)
        assert layer(np.zeros((1, n, 1), dtype="float32")).shape[1] == check._reference_output_size(
            n, k, stride, padding
        )


# ---- Exercise 2.2: a diagonal-edge detector --------------------------------------------------------

SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
SOBEL_DIAGONAL = np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=float)  # edges running ╲


def test_2_2_placeholder_is_not_attempted():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_2(...)


@pytest.mark.parametrize("lesson_kernel", [SOBEL_VERTICAL, SOBEL_VERTICAL.T])
def test_2_2_the_lessons_edge_kernels_do_not_pass(lesson_kernel):
    assert "responds to edges running ╱" in failure_message(check.exercise_2_2, lesson_kernel)


@pytest.mark.parametrize(
    ("kernel", "words"),
    [
        (np.full((3, 3), 1 / 9), "flat grey image"),
        (np.zeros((3, 3)), "no response at all"),
        (SOBEL_DIAGONAL[:, ::-1], "detects the other diagonal"),
        (0.1 * SOBEL_DIAGONAL, "but weakly"),
        (np.array([[0, 0, 1], [0, 0, 0], [-1, 0, 0]]), "at least as strongly to a horizontal edge"),
        (np.zeros((2, 2)), "axis 0 (rows) is too small"),
        ("sobel", "array of numbers"),
    ],
)
def test_2_2_typical_mistakes_are_named(kernel, words):
    assert words in failure_message(check.exercise_2_2, kernel)


@pytest.mark.parametrize(
    "kernel",
    [
        SOBEL_DIAGONAL,
        -SOBEL_DIAGONAL,
        [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]],
        SOBEL_DIAGONAL.astype("float32") / 2,
    ],
)
def test_2_2_right_answers_pass(kernel, capsys):
    check.exercise_2_2(kernel)
    assert "Exercise 2.2: correct" in capsys.readouterr().out


def test_2_2_test_images_run_the_way_their_names_say():
    images = check._edge_images()
    edge = images["╲"][3]
    assert np.all(np.diag(edge) == edge[0, 0])  # constant along the main diagonal
    assert np.allclose(check._feature_map(images["╱"][-1], SOBEL_DIAGONAL), 0)


def test_2_2_feature_map_agrees_with_keras_conv2d():
    keras = pytest.importorskip("keras")
    image = np.random.default_rng(0).normal(size=(6, 7)).astype("float32")
    layer = keras.layers.Conv2D(1, 3, padding="valid")
    layer.build((None, 6, 7, 1))
    layer.set_weights([SOBEL_DIAGONAL.reshape(3, 3, 1, 1), np.zeros(1)])
    from_keras = np.asarray(layer(image.reshape(1, 6, 7, 1)))[0, :, :, 0]
    np.testing.assert_allclose(check._feature_map(image, SOBEL_DIAGONAL), from_keras, atol=1e-5)


# ---- Exercise 2.3: counting parameters -------------------------------------------------------------

CONV, DENSE = (5 * 5 * 3 + 1) * 64, (28 * 28 * 3 + 1) * 64


def test_2_3_placeholders_are_not_attempted():
    with pytest.raises(NotAttempted, match="conv_params"):
        check.exercise_2_3(..., ...)
    with pytest.raises(NotAttempted, match="dense_params"):
        check.exercise_2_3(CONV, None)


@pytest.mark.parametrize(
    ("conv", "dense", "words"),
    [
        (5 * 5 * 3 * 64, DENSE, "biases are missing (one per filter)"),
        (CONV, 28 * 28 * 3 * 64, "biases are missing (one per unit)"),
        (5 * 5 * 64 + 64, DENSE, "spans all the input channels"),
        (CONV, 28 * 28 * 64 + 64, "AND per colour channel"),
        (24 * 24 * 64, DENSE, "does not depend on the image size"),
        (5 * 5 * 3 + 1, DENSE, "that is one filter"),
        (CONV, 5 * 5 * 3 * 64 + 64, "not a 5x5 patch"),
        (4000.5, DENSE, "whole number"),
        ("a lot", DENSE, "should be a number"),
        (CONV + 1, DENSE, "it is too large"),
    ],
)
def test_2_3_typical_mistakes_are_named_without_the_right_count(conv, dense, words):
    message = failure_message(check.exercise_2_3, conv, dense)
    assert words in message
    for right in {CONV, DENSE} - {conv, dense}:  # the right counts, unless the student wrote them somewhere
        assert f"{right:,}" not in message and str(right) not in message


def test_2_3_swapped_counts_are_named_and_the_last_hint_is_no_answer():
    message = failure_message(check.exercise_2_3, DENSE, CONV)
    assert "look swapped" in message
    for _ in range(2):
        message = failure_message(check.exercise_2_3, CONV + 1, DENSE)
    assert "Hint 3 of 3" in message and "build((None" not in message and str(CONV) not in message


def test_2_3_right_answer_passes(capsys):
    check.exercise_2_3(CONV, np.int64(DENSE))
    assert "Exercise 2.3: correct" in capsys.readouterr().out


def test_2_3_counts_agree_with_keras():
    keras = pytest.importorskip("keras")
    conv = keras.layers.Conv2D(64, 5)
    conv.build((None, 28, 28, 3))
    dense = keras.layers.Dense(64)
    dense.build((None, 28 * 28 * 3))
    assert (conv.count_params(), dense.count_params()) == (CONV, DENSE)


# ---- Exercise 2.4: a causal 1-D kernel -------------------------------------------------------------


def test_2_4_placeholder_is_not_attempted():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_2_4(None)


def test_2_4_flipped_kernel_gets_the_cross_correlation_hint():
    message = failure_message(check.exercise_2_4, [1, 0, -1])
    assert "opposite sign" in message and "does not flip" in message


def test_2_4_change_over_one_step_is_named():
    assert "ONE step" in failure_message(check.exercise_2_4, [0, -1, 1])


def test_2_4_other_wrong_kernel_says_where_and_which_way():
    message = failure_message(check.exercise_2_4, [0, 0, 1])
    assert "at time t=2 is 4, too large" in message
    assert "should be" not in message and "4 - 3" not in message  # the student's output, never the right one


@pytest.mark.parametrize("kernel", [[-2, 0, 2], [-0.5, 0, 0.5]])
def test_2_4_right_pattern_wrong_scale_is_named(kernel):
    assert "the right pattern of weights, the wrong scale" in failure_message(check.exercise_2_4, kernel)


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
    np.testing.assert_allclose(check._reference_change(series), from_keras, atol=1e-6)


# ---- Exercise 2.5: shifted digits ------------------------------------------------------------------

X_TEST, Y_TEST = check._digits_test_set()
SHIFTED = check._moved(X_TEST, 2, 1)


class Conv2D:  # stand-ins for the layer types the check looks for
    pass


class Dense:
    pass


class FakeModel:
    """Stands in for a trained Keras model: a given accuracy on the clean test digits and on any other input."""

    def __init__(self, clean_accuracy, shifted_accuracy, convolutional=True):
        self.accuracies = clean_accuracy, shifted_accuracy
        self.layers = [Conv2D(), Dense()] if convolutional else [Dense(), Dense()]

    def __call__(self, images, training=False):
        clean = images.shape == (*X_TEST.shape, 1) and np.allclose(images[..., 0], X_TEST)
        n_right = round(self.accuracies[0 if clean else 1] * len(Y_TEST))
        labels = np.where(np.arange(len(Y_TEST)) < n_right, Y_TEST, (Y_TEST + 1) % 10)
        return np.eye(10)[labels]


def models(drops, convolutional=True):
    return [FakeModel(0.98, 0.98 - drop, convolutional) for drop in drops]


ROBUST_CNNS = models([0.2, 0.25, 0.3, 0.2, 0.22])
FRAGILE_MLPS = models([0.5, 0.55, 0.6, 0.52, 0.5], convolutional=False)


def test_2_5_the_test_digits_are_the_lessons():
    assert X_TEST.shape == (450, 8, 8) and X_TEST.dtype == np.float32 and X_TEST.max() == 1.0


def test_2_5_placeholders_are_not_attempted():
    with pytest.raises(NotAttempted, match="shifted_X_test"):
        check.exercise_2_5(..., ..., ROBUST_CNNS, FRAGILE_MLPS)
    with pytest.raises(NotAttempted, match="more_robust"):
        check.exercise_2_5(SHIFTED, ..., ROBUST_CNNS, FRAGILE_MLPS)


@pytest.mark.parametrize(
    ("images", "words"),
    [
        (X_TEST, "X_test unchanged"),
        (np.roll(X_TEST, -1, axis=2), "moved to the left"),
        (check._moved(X_TEST, 1, 1), "moved up or down"),
        (check._moved(X_TEST, 2, 2), "moved too far"),
        (SHIFTED[:100], "axis 0 (images) is too small"),
        (SHIFTED * 16, "450 images are not the test digit moved"),
        (np.roll(X_TEST, 1, axis=2), "np.roll brings each digit's last column round"),
    ],
)
def test_2_5_wrong_shifts_are_named(images, words):
    assert words in failure_message(check.exercise_2_5, images, "cnn", ROBUST_CNNS, FRAGILE_MLPS)


@pytest.mark.parametrize(
    ("cnn_drops", "mlp_drops", "right"),
    [
        ([0.2, 0.25, 0.3], [0.5, 0.55, 0.6], "cnn"),
        ([0.5, 0.55], [0.2, 0.3, 0.25], "mlp"),
        ([0.2, 0.5], [0.3, 0.6], "tie"),
    ],
)
def test_2_5_the_verdict_must_follow_from_the_measurement(cnn_drops, mlp_drops, right, capsys):
    cnns, mlps = models(cnn_drops + [cnn_drops[0]] * 3), models(mlp_drops + [mlp_drops[0]] * 3, convolutional=False)
    for wrong in {"cnn", "mlp", "tie"} - {right}:
        message = failure_message(check.exercise_2_5, SHIFTED, wrong, cnns, mlps)
        assert "does not follow from the measurement" in message
        assert repr(right) not in message
    check.exercise_2_5(SHIFTED, f" {right.upper()} ", cnns, mlps)
    assert "Exercise 2.5: correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "images", [SHIFTED[..., None], SHIFTED.astype("float64"), np.pad(X_TEST, ((0, 0), (0, 0), (1, 0)))[:, :, :-1]]
)
def test_2_5_equivalent_shifts_pass(images, capsys):
    check.exercise_2_5(images, "cnn", ROBUST_CNNS, FRAGILE_MLPS)
    assert "Exercise 2.5: correct" in capsys.readouterr().out


def test_2_5_verdict_and_models_must_be_what_was_asked():
    assert "one of the texts" in failure_message(check.exercise_2_5, SHIFTED, "CNN wins", ROBUST_CNNS, FRAGILE_MLPS)
    assert "list of trained models" in failure_message(check.exercise_2_5, SHIFTED, "cnn", ROBUST_CNNS[0], FRAGILE_MLPS)


@pytest.mark.parametrize(
    ("cnns", "mlps", "words"),
    [
        (FRAGILE_MLPS, ROBUST_CNNS, "should be a CNN"),  # swapped
        (ROBUST_CNNS, ROBUST_CNNS, "should be an MLP"),
        (ROBUST_CNNS[:1] * 5, FRAGILE_MLPS, "5 different models"),
        (ROBUST_CNNS, [FakeModel(0.1, 0.1, convolutional=False)] * 1 + FRAGILE_MLPS[1:], "not trained"),
    ],
)
def test_2_5_the_models_cannot_be_swapped_or_faked(cnns, mlps, words):
    assert words in failure_message(check.exercise_2_5, SHIFTED, "cnn", cnns, mlps)


# ---- the lesson's shared figure --------------------------------------------------------------------


def test_signed_grid_uses_one_symmetric_scale():
    import matplotlib

    matplotlib.use("Agg")
    from utils.plots import plot_signed_grid

    rows = np.stack([np.full((4, 3, 3), -0.5), np.full((4, 3, 3), 2.0)])
    fig = plot_signed_grid(rows, row_titles=["before", "after"], titles=list("abcd"), suptitle="kernels")
    limits = {ax.images[0].get_clim() for ax in fig.axes if ax.images}
    assert limits == {(-2.0, 2.0)} and len(fig.axes) == 9  # 8 panels and one colour bar
    with pytest.raises(ValueError, match="one entry per column"):
        plot_signed_grid(rows, titles=["a"])
