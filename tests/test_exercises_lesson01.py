"""Lesson 01's exercise checks: placeholder, typical wrong answers, right answers, and nothing given away."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson01 as check


def _message(failure) -> str:
    """The failure's message without its hints (hints may name the method, never the answer)."""
    return str(failure.value).split("\nHint")[0]


def _numbers(text: str) -> list[float]:
    return [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


# ---- Exercise 1.1: a learning rate for L(w) = 5 (w + 1)^2 ---------------------------------------------
# Every step multiplies the distance to w = -1 by (1 - 10 * rate); from 4 away, 20 steps must end under 1e-3.
WORKING_RATES = (0.034, 0.166)


STABLE_LIMIT = 0.2  # where 1 - 10 * rate = -1


@pytest.mark.parametrize("placeholder", [..., None])
def test_1_1_placeholder(placeholder):
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_1_1(placeholder, STABLE_LIMIT)
    with pytest.raises(NotAttempted, match="largest_stable_rate"):
        check.exercise_1_1(0.1, placeholder)


@pytest.mark.parametrize(
    ("learning_rate", "message"),
    [
        (0.3, "overshoots further"),  # the rate that was right on the lesson's first slope
        (1.03, "overshoots further"),
        (1e6, "overshoots further"),
        (0.02, "too slow"),
        (0.01, "too slow"),
        (0.19, "zigzags"),
        (0.2, "bounces between the same two points"),  # the factor is exactly -1
        (0.0, "should be positive"),
        (-0.1, "should be positive"),
        (float("nan"), "finite"),
        ("fast", "should be a number"),
    ],
)
def test_1_1_wrong(learning_rate, message):
    with pytest.raises(ExerciseCheckFailed, match=message) as failure:
        check.exercise_1_1(learning_rate, STABLE_LIMIT)
    assert not isinstance(failure.value, NotAttempted)
    assert "Hint 1 of 3" in str(failure.value)


@pytest.mark.parametrize("learning_rate", [0.3, 0.02, 0.19])
def test_1_1_gives_no_working_rate_away(learning_rate):
    for _ in range(3):  # every hint stage
        with pytest.raises(ExerciseCheckFailed) as failure:
            check.exercise_1_1(learning_rate, STABLE_LIMIT)
        text = re.sub(r"still \S+ away", "", str(failure.value))  # the distance left is the student's own result
        named = [n for n in _numbers(text) if not math.isclose(n, learning_rate)]
        assert not any(WORKING_RATES[0] <= n <= WORKING_RATES[1] for n in named), str(failure.value)


def test_1_1_hints_come_in_stages():
    for stage in (1, 2, 3, 3):
        with pytest.raises(ExerciseCheckFailed) as failure:
            check.exercise_1_1(0.3, STABLE_LIMIT)
        assert f"Hint {stage} of 3" in str(failure.value) and f"Hint {stage + 1} of 3" not in str(failure.value)


@pytest.mark.parametrize("learning_rate", [0.05, 0.1, 0.15, np.float32(0.1), np.array([0.08])])
def test_1_1_right(learning_rate, capsys):
    check.exercise_1_1(learning_rate, STABLE_LIMIT)
    assert "Exercise 1.1: correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("largest_stable_rate", "message"),
    [
        (0.1, "makes the step factor 0"),
        (0.166, "too small"),  # the edge of the working range, not the edge of stability
        (0.19999, "too small"),
        (0.20001, "too large"),
        (1.0, "too large"),  # the limit on the first slope
        (0.4, "too large"),
        (float("inf"), "finite"),
        ("fifth", "should be a number"),
    ],
)
def test_1_1_wrong_largest_stable_rate(largest_stable_rate, message):
    with pytest.raises(ExerciseCheckFailed, match=message) as failure:
        check.exercise_1_1(0.1, largest_stable_rate)
    assert not isinstance(failure.value, NotAttempted)
    assert STABLE_LIMIT not in _numbers(_message(failure)), str(failure.value)


@pytest.mark.parametrize("largest_stable_rate", [0.2, 1 / 5, 2 / 10, np.float64(0.2), np.array([0.2])])
def test_1_1_right_largest_stable_rate(largest_stable_rate, capsys):
    check.exercise_1_1(0.08, largest_stable_rate)
    assert "Exercise 1.1: correct" in capsys.readouterr().out


# ---- Exercise 1.2: the gradient of one sigmoid neuron -------------------------------------------------
# The right answer, worked out here independently of the check module.
def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


_A = _sigmoid(0.5 * 2.0 - 1.5)
RIGHT_GRAD_B = 2.0 * (_A - 1.0) * _A * (1.0 - _A)
RIGHT_GRAD_W = RIGHT_GRAD_B * 2.0


def neuron_grads(x, y, w, b):
    a = _sigmoid(w * x + b)
    dloss_dz = 2.0 * (a - y) * a * (1.0 - a)
    return dloss_dz * x, dloss_dz


def neuron_grads_numpy(x, y, w, b):  # another right form: NumPy, a list, the links spelt out
    z = np.asarray(w) * x + b
    a = 1.0 / (1.0 + np.exp(-z))
    dloss_da, da_dz = 2.0 * (a - y), a * (1.0 - a)
    return [dloss_da * da_dz * x, dloss_da * da_dz * 1.0]


def neuron_grads_tape(x, y, w, b):  # a tape inside the function also gives the right numbers
    tf = pytest.importorskip("tensorflow")
    w, b = tf.Variable(w, dtype=tf.float64), tf.Variable(b, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = (tf.sigmoid(w * x + b) - y) ** 2
    return tuple(tape.gradient(loss, [w, b]))


def _slip(transform):
    def slipped(x, y, w, b):
        return transform(x, y, w, b, *neuron_grads(x, y, w, b))

    return slipped


def _no_sigmoid_slope(x, y, w, b, gw, gb):
    a = _sigmoid(w * x + b)
    return gw / (a * (1 - a)), gb / (a * (1 - a))


def _placeholder_neuron(x, y, w, b):
    return ...


def _neuron_without_return(x, y, w, b):
    neuron_grads(x, y, w, b)


def _neuron_crashes(x, y, w, b):
    return math.sigmoid(x)


def test_1_2_placeholder():
    with pytest.raises(NotAttempted, match="my_neuron_grads"):
        check.exercise_1_2(...)
    with pytest.raises(NotAttempted, match="my_neuron_grads"):
        check.exercise_1_2(_placeholder_neuron)


@pytest.mark.parametrize(
    ("my_neuron_grads", "message"),
    [
        (_slip(lambda x, y, w, b, gw, gb: (-gw, -gb)), "wrong sign"),
        (_slip(lambda x, y, w, b, gw, gb: (gb, gw)), "swapped order"),
        (_slip(_no_sigmoid_slope), "sigmoid's own derivative"),
        (_slip(lambda x, y, w, b, gw, gb: (gw / 2, gb / 2)), "exactly 2 times too small"),
        (_slip(lambda x, y, w, b, gw, gb: (gb, gb)), "one more link"),
        (_slip(lambda x, y, w, b, gw, gb: (gb * w, gb)), "not w itself"),
        (_slip(lambda x, y, w, b, gw, gb: (gw, gb + 0.5)), "grad_b at x="),
        (_slip(lambda x, y, w, b, gw, gb: (gw * 1.3, gb)), "grad_w at x="),
        (_slip(lambda x, y, w, b, gw, gb: gw), "should return a pair"),
        (_slip(lambda x, y, w, b, gw, gb: (gw, gb, 0.0)), "should return a pair"),
        (_slip(lambda x, y, w, b, gw, gb: (gw, "abc")), "should be a number"),
        (_neuron_without_return, "forget the `return`"),
        (_neuron_crashes, "raised AttributeError"),
        (0.5, "should be a function"),
    ],
)
def test_1_2_wrong(my_neuron_grads, message):
    with pytest.raises(ExerciseCheckFailed, match=re.escape(message)) as failure:
        check.exercise_1_2(my_neuron_grads)
    assert not isinstance(failure.value, NotAttempted)
    text = str(failure.value)
    for right in (RIGHT_GRAD_W, RIGHT_GRAD_B, _A):
        assert f"{right:.3f}"[:-1] not in text and f"{abs(right):.2f}" not in text, text


def test_1_2_right(capsys):
    check.exercise_1_2(neuron_grads)
    check.exercise_1_2(neuron_grads_numpy)
    assert capsys.readouterr().out.count("Exercise 1.2: correct") == 2


def test_1_2_right_with_gradient_tape(capsys):
    check.exercise_1_2(neuron_grads_tape)
    assert "Exercise 1.2: correct" in capsys.readouterr().out


# ---- Exercise 1.3: mini-batch steps per epoch ---------------------------------------------------------
def test_1_3_placeholder():
    with pytest.raises(NotAttempted, match="steps_per_epoch"):
        check.exercise_1_3(..., 8)
    with pytest.raises(NotAttempted, match="last_batch_size"):
        check.exercise_1_3(32, ...)


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        (31, 8, "counts only the full batches"),
        (31.25, 8, "whole number"),
        (1000, 1, "`steps_per_epoch` = 1000 is not right yet: it is too large"),
        (30, 8, "`steps_per_epoch` = 30 is not right yet: it is too small"),
        (32, 32, "is a full batch"),
        (32, 24, "short of a full one"),
        (32, 16, "`last_batch_size` = 16 is not right yet: it is exactly 2 times too large"),
        (32, float("nan"), "whole number"),
        ("many", 8, "should be a number"),
    ],
)
def test_1_3_wrong(steps, last, message):
    with pytest.raises(ExerciseCheckFailed, match=re.escape(message)) as failure:
        check.exercise_1_3(steps, last)
    text = _message(failure)
    if steps != 32:  # the right number of steps is not given away
        assert "32" not in text, text
    if last != 8:  # nor the right last batch
        assert 8 not in _numbers(text), text


def test_1_3_right(capsys):
    check.exercise_1_3(32, 8)
    check.exercise_1_3(np.int64(32), 8.0)
    check.exercise_1_3(math.ceil(1000 / 32), 1000 % 32)
    assert capsys.readouterr().out.count("Exercise 1.3: correct") == 3


# ---- Exercise 1.4: simple or deep with 100 training images? -------------------------------------------
def rule_all(simple_scores, deep_scores):
    differences = np.asarray(deep_scores) - np.asarray(simple_scores)
    if np.all(differences > 0):
        return "deep"
    if np.all(differences < 0):
        return "simple"
    return "tie"


def rule_loop(simple_scores, deep_scores):
    deep_wins = sum(d > s for s, d in zip(simple_scores, deep_scores))
    simple_wins = sum(s > d for s, d in zip(simple_scores, deep_scores))
    if deep_wins == len(deep_scores):
        return "Deep"  # case does not matter
    if simple_wins == len(simple_scores):
        return "simple "
    return "tie"


def rule_sign(simple_scores, deep_scores):
    signs = set(np.sign(np.subtract(deep_scores, simple_scores)).tolist())
    return {frozenset({1.0}): "deep", frozenset({-1.0}): "simple"}.get(frozenset(signs), "tie")


def by_mean(simple_scores, deep_scores):
    gap = np.mean(deep_scores) - np.mean(simple_scores)
    return "deep" if gap > 0 else "simple" if gap < 0 else "tie"


def swapped(simple_scores, deep_scores):
    return {"deep": "simple", "simple": "deep", "tie": "tie"}[rule_all(simple_scores, deep_scores)]


def always_tie(simple_scores, deep_scores):
    return "tie"


def by_ranges(simple_scores, deep_scores):
    if np.min(deep_scores) > np.max(simple_scores):
        return "deep"
    if np.min(simple_scores) > np.max(deep_scores):
        return "simple"
    return "tie"


def level_counts_as_win(simple_scores, deep_scores):
    differences = np.asarray(deep_scores) - np.asarray(simple_scores)
    if np.all(differences >= 0):
        return "deep"
    if np.all(differences <= 0):
        return "simple"
    return "tie"


def returns_bool(simple_scores, deep_scores):
    return bool(np.all(np.asarray(deep_scores) > np.asarray(simple_scores)))


def crashes(simple_scores, deep_scores):
    return simple_scores["deep net"]


def forgot_return(simple_scores, deep_scores):
    rule_all(simple_scores, deep_scores)


def still_placeholder(simple_scores, deep_scores):
    return ...


def _measured_simple_scores():
    """The simple net's accuracy on the lesson's 5 splits with 100 training images, measured here."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedShuffleSplit

    from utils.data import load_digits_8x8

    images, labels = load_digits_8x8()
    pixels = images.reshape(len(images), -1)
    splitter = StratifiedShuffleSplit(n_splits=5, train_size=100, test_size=450, random_state=0)
    return np.array(
        [
            LogisticRegression(max_iter=1000).fit(pixels[train], labels[train]).score(pixels[test], labels[test])
            for train, test in splitter.split(pixels, labels)
        ]
    )


_MEASURED = _measured_simple_scores()
_SIMPLE = np.repeat(_MEASURED, 3)  # one score per split, shared by its 3 seeds


def cv_table(simple, deep, n_train=100):
    runs = len(simple)
    return pd.DataFrame(
        {
            "split": np.arange(runs) // 3,
            "seed": np.arange(runs) % 3,
            "training images": n_train,
            "simple net": simple,
            "deep net": deep,
        }
    )


_DEEP_BEHIND = _SIMPLE - np.round(np.linspace(0.02, 0.1, 15) * 450) / 450  # whole test images
SMALL_RESULTS = cv_table(_SIMPLE, _DEEP_BEHIND)  # the simple net better in every run
_SIMPLE_1347 = _SIMPLE + 27 / 450  # more training images: more accurate
MIXED_RESULTS = cv_table(_SIMPLE_1347, _SIMPLE_1347 + np.tile([4, -4, 0], 5) / 450, n_train=1347)
RELABELLED = MIXED_RESULTS.assign(**{"training images": 100})  # another measurement, relabelled
HAND_TYPED = pd.DataFrame(
    {
        "split": range(5),
        "seed": 0,
        "training images": 100,
        "simple net": [0.9, 0.91, 0.9, 0.9, 0.92],
        "deep net": [0.8, 0.82, 0.8, 0.81, 0.85],
    }
)
MADE_UP_SIMPLE = cv_table(_SIMPLE + 1 / 450, _DEEP_BEHIND)
DUPLICATED = pd.concat([SMALL_RESULTS, SMALL_RESULTS.head(1)], ignore_index=True)
NOT_ACCURACIES = cv_table(_SIMPLE, _SIMPLE - 0.0123)


def test_1_4_placeholder():
    with pytest.raises(NotAttempted, match="prediction"):
        check.exercise_1_4(..., ..., ..., ...)
    with pytest.raises(NotAttempted, match="my_verdict"):
        check.exercise_1_4("deep", ..., ..., ...)
    with pytest.raises(NotAttempted, match="my_verdict"):
        check.exercise_1_4("deep", still_placeholder, ..., ...)
    with pytest.raises(NotAttempted, match="small_results"):
        check.exercise_1_4("tie", rule_all, ..., ...)
    with pytest.raises(NotAttempted, match="small_data_verdict"):
        check.exercise_1_4("simple", rule_all, SMALL_RESULTS, ...)


@pytest.mark.parametrize(
    ("my_verdict", "message"),
    [
        (by_mean, "followed the mean"),
        (swapped, "named the other net"),
        (always_tie, "called a tie, but one net is better in every paired run"),
        (by_ranges, "not their ranges"),
        (level_counts_as_win, "score the same is not a win"),
        (returns_bool, "one of the strings"),
        (crashes, "raised"),
        (forgot_return, "forget the `return`"),
        ("tie", "should be a function"),
    ],
)
def test_1_4_wrong_verdict_function(my_verdict, message):
    with pytest.raises(ExerciseCheckFailed, match=message) as failure:
        check.exercise_1_4("deep", my_verdict, SMALL_RESULTS, "simple")
    assert not isinstance(failure.value, NotAttempted)


@pytest.mark.parametrize(
    ("prediction", "small_results", "small_data_verdict", "message"),
    [
        ("bigger", SMALL_RESULTS, "simple", "`prediction` should be one of"),
        (3, SMALL_RESULTS, "simple", "`prediction` should be one of"),
        ("tie", MIXED_RESULTS, "tie", "training images; the exercise asks for 100"),
        ("tie", {"simple net": [0.9] * 5, "deep net": [0.8] * 5}, "simple", "table that `cross_validate_nets"),
        ("tie", SMALL_RESULTS.head(3), "simple", "some (split, seed) runs are missing"),
        ("tie", SMALL_RESULTS.drop(columns="seed"), "simple", "table that `cross_validate_nets"),
        ("tie", DUPLICATED, "simple", "more than once"),
        ("tie", HAND_TYPED, "simple", "some (split, seed) runs are missing"),
        ("tie", RELABELLED, "tie", "not what a fit on 100 training images gives"),
        ("tie", MADE_UP_SIMPLE, "simple", "not what a fit on 100 training images gives"),
        ("tie", NOT_ACCURACIES, "simple", "not accuracies on"),
        ("tie", SMALL_RESULTS, "deep", "does not follow from `small_results`"),
        ("tie", SMALL_RESULTS, "tie", "does not follow from `small_results`"),
        ("tie", SMALL_RESULTS, True, "one of the strings"),
    ],
)
def test_1_4_wrong_measurement_or_verdict(prediction, small_results, small_data_verdict, message):
    with pytest.raises(ExerciseCheckFailed, match=re.escape(message)) as failure:
        check.exercise_1_4(prediction, rule_all, small_results, small_data_verdict)
    assert not isinstance(failure.value, NotAttempted)


def test_1_4_gives_no_verdict_away():
    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_1_4("deep", rule_all, SMALL_RESULTS, "tie")
    assert not re.search(r"\b(simple|deep)\b(?! net)", _message(failure).replace("`my_verdict`", "")), str(failure)
    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_1_4("deep", by_mean, SMALL_RESULTS, "simple")
    assert "'tie'" not in _message(failure).split("returned")[1]


@pytest.mark.parametrize("my_verdict", [rule_all, rule_loop, rule_sign])
@pytest.mark.parametrize("prediction", ["simple", "deep", "tie", " Tie"])  # any honest prediction is fine
def test_1_4_right(my_verdict, prediction, capsys):
    shuffled_rows = SMALL_RESULTS.sample(frac=1.0, random_state=0)  # row order does not matter
    check.exercise_1_4(prediction, my_verdict, shuffled_rows, "simple")
    check.exercise_1_4(
        prediction, my_verdict, SMALL_RESULTS, my_verdict(SMALL_RESULTS["simple net"], SMALL_RESULTS["deep net"])
    )
    assert capsys.readouterr().out.count("Exercise 1.4: correct") == 2


def series_only(simple_scores, deep_scores):  # works on pandas columns, not on arrays
    differences = deep_scores.sub(simple_scores)
    return "deep" if (differences > 0).all() else "simple" if (differences < 0).all() else "tie"


def test_1_4_my_verdict_gets_arrays_and_series():
    with pytest.raises(ExerciseCheckFailed, match="raised AttributeError"):
        check.exercise_1_4("tie", series_only, SMALL_RESULTS, "simple")
    seen = []

    def recording(simple_scores, deep_scores):
        seen.append(type(simple_scores))
        return rule_all(simple_scores, deep_scores)

    check.exercise_1_4("tie", recording, SMALL_RESULTS, "simple")
    assert {np.ndarray, pd.Series} <= set(seen)


def test_1_4_the_verdict_follows_the_students_own_numbers(capsys):
    deep_better = cv_table(_SIMPLE, _SIMPLE + 3 / 450)
    check.exercise_1_4("simple", rule_all, deep_better, "deep")  # their measurement, their verdict
    assert "Exercise 1.4: correct" in capsys.readouterr().out
