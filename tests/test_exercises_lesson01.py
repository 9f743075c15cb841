"""Lesson 01's exercise checks: placeholder, typical wrong answers, right answer."""

import math

import numpy as np
import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson01 as check


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# The right answer of exercise 1.2, worked out here independently of the check module.
_A = _sigmoid(0.5 * 2.0 - 1.5)
RIGHT_GRAD_B = 2.0 * (_A - 1.0) * _A * (1.0 - _A)
RIGHT_GRAD_W = RIGHT_GRAD_B * 2.0


# Exercise 1.1: a learning rate for L(w) = 2 (w + 1)^2.
@pytest.mark.parametrize("placeholder", [..., None])
def test_1_1_placeholder(placeholder):
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_1_1(placeholder)


@pytest.mark.parametrize(
    ("learning_rate", "message"),
    [
        (0.01, "too slow"),
        (0.45, "zigzags"),
        (0.6, "overshoots further"),
        (1e6, "overshoots further"),
        (0.0, "should be positive"),
        (-0.1, "should be positive"),
        ("fast", "should be a number"),
    ],
)
def test_1_1_wrong(learning_rate, message):
    with pytest.raises(ExerciseCheckFailed, match=message) as failure:
        check.exercise_1_1(learning_rate)
    assert not isinstance(failure.value, NotAttempted)
    assert "Hint:" in str(failure.value)


@pytest.mark.parametrize("learning_rate", [0.1, 0.2, 0.25, 0.3, np.float32(0.2)])
def test_1_1_right(learning_rate, capsys):
    check.exercise_1_1(learning_rate)
    assert "Exercise 1.1: correct" in capsys.readouterr().out


# Exercise 1.2: the gradient of one sigmoid neuron.
def test_1_2_placeholder():
    with pytest.raises(NotAttempted, match="grad_w"):
        check.exercise_1_2(..., ...)
    with pytest.raises(NotAttempted, match="grad_b"):
        check.exercise_1_2(RIGHT_GRAD_W, None)


@pytest.mark.parametrize(
    ("grad_w", "grad_b", "message"),
    [
        (-RIGHT_GRAD_W, -RIGHT_GRAD_B, "wrong sign"),
        (RIGHT_GRAD_W / (_A * (1 - _A)), RIGHT_GRAD_B / (_A * (1 - _A)), "sigmoid's own derivative"),
        (RIGHT_GRAD_W / 2, RIGHT_GRAD_B / 2, "half the expected"),
        (RIGHT_GRAD_B, RIGHT_GRAD_B, "dz/dw = x"),
        (RIGHT_GRAD_W, 0.3, "should be dL/db"),
        (0.0, RIGHT_GRAD_B, "should be dL/db times dz/dw"),
        ([1.0, 2.0], RIGHT_GRAD_B, "single number"),
        ("abc", RIGHT_GRAD_B, "should be a number"),
    ],
)
def test_1_2_wrong(grad_w, grad_b, message):
    with pytest.raises(ExerciseCheckFailed, match=message):
        check.exercise_1_2(grad_w, grad_b)


def test_1_2_right(capsys):
    check.exercise_1_2(RIGHT_GRAD_W, RIGHT_GRAD_B)
    check.exercise_1_2(round(RIGHT_GRAD_W, 4), round(RIGHT_GRAD_B, 4))  # rounded by hand is fine
    check.exercise_1_2(np.float32(RIGHT_GRAD_W), np.array(RIGHT_GRAD_B))  # tensors become arrays
    assert capsys.readouterr().out.count("Exercise 1.2: correct") == 3


def test_1_2_right_with_gradient_tape():
    tf = pytest.importorskip("tensorflow")
    w, b = tf.Variable(0.5), tf.Variable(-1.5)
    with tf.GradientTape() as tape:
        loss = (tf.sigmoid(w * 2.0 + b) - 1.0) ** 2
    grad_w, grad_b = tape.gradient(loss, [w, b])
    check.exercise_1_2(grad_w, grad_b)


# Exercise 1.3: mini-batch steps per epoch.
def test_1_3_placeholder():
    with pytest.raises(NotAttempted, match="steps_per_epoch"):
        check.exercise_1_3(..., 8)
    with pytest.raises(NotAttempted, match="last_batch_size"):
        check.exercise_1_3(32, ...)


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        (31, 8, "one more, smaller step"),
        (31.25, 8, "whole number"),
        (1000, 1, "touch all 1000 examples once"),
        (32, 32, "examples left for the last step"),
        (32, float("nan"), "whole number"),
        ("many", 8, "should be a number"),
    ],
)
def test_1_3_wrong(steps, last, message):
    with pytest.raises(ExerciseCheckFailed, match=message):
        check.exercise_1_3(steps, last)


def test_1_3_right(capsys):
    check.exercise_1_3(32, 8)
    check.exercise_1_3(np.int64(32), 8.0)
    assert capsys.readouterr().out.count("Exercise 1.3: correct") == 2


# Exercise 1.4: the window matrix of a short series.
RIGHT_X = np.array([[3, 5, 4], [5, 4, 6], [4, 6, 8], [6, 8, 7]], dtype=float)
RIGHT_Y = np.array([6, 8, 7, 9], dtype=float)


def test_1_4_placeholder():
    with pytest.raises(NotAttempted, match="`X`"):
        check.exercise_1_4(..., RIGHT_Y)
    with pytest.raises(NotAttempted, match="`y`"):
        check.exercise_1_4(RIGHT_X, None)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.vstack([RIGHT_X, [8, 7, 9]]), np.append(RIGHT_Y, 0), "one too many"),
        (RIGHT_X[:3], RIGHT_Y[:3], "should have shape"),
        (RIGHT_X, RIGHT_Y[:3], "one target per window"),
        (RIGHT_X[:, ::-1], RIGHT_Y, "reversed"),
        (RIGHT_X + np.array([[0], [0], [1], [0]]), RIGHT_Y, "row 2 of `X`"),
        (RIGHT_X, RIGHT_X[:, -1], "right after each window"),
        ([[3, 5], [4]], RIGHT_Y, "array of numbers"),
    ],
)
def test_1_4_wrong(X, y, message):
    with pytest.raises(ExerciseCheckFailed, match=message):
        check.exercise_1_4(X, y)


def test_1_4_right(capsys):
    check.exercise_1_4(RIGHT_X, RIGHT_Y)
    check.exercise_1_4(RIGHT_X.tolist(), RIGHT_Y[:, None])  # lists and a [n, 1] target are fine

    from utils.data import make_windows

    check.exercise_1_4(*make_windows(np.array([3, 5, 4, 6, 8, 7, 9.0]), window=3))  # [n, 3, 1] from utils
    assert capsys.readouterr().out.count("Exercise 1.4: correct") == 3
