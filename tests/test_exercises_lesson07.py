"""Unit tests for utils/exercises/lesson07.py: placeholders, typical wrong answers, right answers in several forms."""

import numpy as np
import pytest

from tests.exercise_helpers import placeholder
from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.data import sketch_polylines, strokes_to_stroke3, synthetic_sketches
from utils.exercises import lesson07 as check
from utils.sketching import signed_area


# ---------- 7.1 stroke-3 -> polylines ----------
def polylines_split(sketch):
    points = np.cumsum(sketch[:, :2], axis=0)
    return [part for part in np.split(points, np.flatnonzero(sketch[:, 2] == 1) + 1) if len(part)]


def polylines_loop(sketch):
    strokes, current, x, y = [], [], 0.0, 0.0
    for dx, dy, lifted in sketch:
        x, y = x + dx, y + dy
        current.append([x, y])
        if lifted:
            strokes.append(np.array(current))
            current = []
    if current:
        strokes.append(np.array(current))
    return strokes


def polylines_as_lists(sketch):
    return [stroke.tolist() for stroke in polylines_split(sketch)]


@pytest.mark.parametrize("right", [polylines_split, polylines_loop, polylines_as_lists])
def test_7_1_right(right, capsys):
    check.exercise_7_1(right)
    assert "Exercise 7.1: correct" in capsys.readouterr().out


def test_7_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_7_1(...)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_7_1(placeholder)


def test_7_1_moves_instead_of_positions():
    def moves(sketch):
        return [part for part in np.split(sketch[:, :2], np.flatnonzero(sketch[:, 2] == 1) + 1) if len(part)]

    with pytest.raises(ExerciseCheckFailed, match=r"moves \(dx, dy\), not the pen's positions") as failure:
        check.exercise_7_1(moves)
    assert "Hint 1 of 3" in str(failure.value)


def test_7_1_restarts_every_stroke_from_the_origin():
    def restarts(sketch):
        parts = np.split(sketch[:, :2], np.flatnonzero(sketch[:, 2] == 1) + 1)
        return [np.cumsum(part, axis=0) for part in parts if len(part)]

    with pytest.raises(ExerciseCheckFailed, match=r"starts again from \(0, 0\)"):
        check.exercise_7_1(restarts)


def test_7_1_off_by_one_at_lifts():
    def off_by_one(sketch):
        points = np.cumsum(sketch[:, :2], axis=0)
        return [part for part in np.split(points, np.flatnonzero(sketch[:, 2] == 1)) if len(part)]

    with pytest.raises(ExerciseCheckFailed, match="off by one at every lift"):
        check.exercise_7_1(off_by_one)


def test_7_1_keeps_the_pen_column():
    def three_columns(sketch):
        points = np.cumsum(sketch, axis=0)
        return [part for part in np.split(points, np.flatnonzero(sketch[:, 2] == 1) + 1) if len(part)]

    with pytest.raises(ExerciseCheckFailed, match="pen flag as a third column"):
        check.exercise_7_1(three_columns)


def test_7_1_one_stroke_only():
    with pytest.raises(ExerciseCheckFailed, match="fewer strokes than the drawing"):
        check.exercise_7_1(lambda sketch: [np.cumsum(sketch[:, :2], axis=0)])


def test_7_1_keeps_empty_strokes():
    def with_empty(sketch):
        points = np.cumsum(sketch[:, :2], axis=0)
        return list(np.split(points, np.flatnonzero(sketch[:, 2] == 1) + 1))

    with pytest.raises(ExerciseCheckFailed, match="empty stroke"):
        check.exercise_7_1(with_empty)


def test_7_1_not_a_list_and_missing_return():
    with pytest.raises(ExerciseCheckFailed, match="should return a list of strokes"):
        check.exercise_7_1(lambda sketch: np.cumsum(sketch[:, :2], axis=0))
    with pytest.raises(ExerciseCheckFailed, match="forget the `return`"):
        check.exercise_7_1(lambda sketch: None)


def test_7_1_student_error_is_reported_as_theirs():
    def broken(sketch):
        return sketch.nonexistent

    with pytest.raises(ExerciseCheckFailed, match="your `my_polylines` raised AttributeError"):
        check.exercise_7_1(broken)


@pytest.mark.parametrize("name", ["sketch_polylines", "_polylines", "data", "reference", "partial"])
def test_7_1_the_course_function_itself_is_refused(name):
    import functools

    import utils.data
    from utils import sketching

    answer = {
        "sketch_polylines": sketching.sketch_polylines,
        "_polylines": sketching._polylines,
        "data": utils.data.sketch_polylines,
        "reference": check._reference_polylines,
        "partial": functools.partial(sketch_polylines),
    }[name]
    with pytest.raises(ExerciseCheckFailed, match="is the course's own function: the exercise asks you to write"):
        check.exercise_7_1(answer)


def test_7_1_calling_the_course_function_is_refused_and_it_is_restored():
    import utils.data
    from utils import sketching

    alias = sketch_polylines  # imported under its name before the check runs: the code swap still catches it
    wrappers = [
        lambda sketch: sketching.sketch_polylines(sketch),
        lambda sketch: alias(sketch),
        lambda sketch: utils.data.sketch_polylines(sketch),
        lambda sketch: sketching._polylines(sketch),
        lambda sketch: [stroke.copy() for stroke in check._reference_polylines(sketch)],
    ]
    for wrapper in wrappers:
        with pytest.raises(ExerciseCheckFailed, match="calls the course's own function"):
            check.exercise_7_1(wrapper)
    drawing = np.array([[1.0, 2.0, 0.0], [1.0, 1.0, 1.0]])
    for function in (sketch_polylines, sketching._polylines, check._reference_polylines, utils.data.sketch_polylines):
        assert np.allclose(function(drawing)[0], [[1, 2], [2, 3]])  # every one works again after the check
    check.exercise_7_1(polylines_split)  # and a real answer still passes


def test_7_1_message_gives_no_positions_away():
    def slightly_off(sketch):
        return [stroke + 0.5 for stroke in polylines_split(sketch)]

    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_7_1(slightly_off)
    message = str(failure.value)
    assert "some positions are off" in message
    first = synthetic_sketches(1, classes=("circle", "cross", "zigzag"), seed=11).strokes[0]
    assert f"{np.cumsum(first[:, :2], axis=0)[0, 0]:.1f}" not in message and "[[" not in message


# ---------- 7.2 the drawing backwards ----------
def reversed_via_polylines(sketch):
    return strokes_to_stroke3([stroke[::-1] for stroke in sketch_polylines(sketch)[::-1]])


def reversed_by_hand(sketch):
    points = np.cumsum(sketch[:, :2], axis=0)[::-1]
    ends = np.flatnonzero(sketch[:, 2] == 1)
    lifted = np.zeros(len(sketch))
    lifted[len(sketch) - 1 - ends[:-1] - 1] = 1  # the row before each old stroke start (reversed) ends a stroke
    lifted[-1] = 1
    moves = np.diff(points, axis=0, prepend=np.zeros((1, 2)))
    return np.column_stack([moves, lifted])


@pytest.mark.parametrize("right", [reversed_via_polylines, reversed_by_hand])
def test_7_2_right(right, capsys):
    check.exercise_7_2(right)
    assert "Exercise 7.2: correct" in capsys.readouterr().out


def test_7_2_reversed_drawing_looks_the_same_and_turns_the_other_way():
    from utils.sketching import rasterize

    circle = synthetic_sketches(1, classes=("circle",), seed=5).strokes[0]
    backwards = reversed_via_polylines(circle)
    assert np.allclose(rasterize(circle), rasterize(backwards), atol=1e-5)
    assert np.sign(signed_area(circle)) == -np.sign(signed_area(backwards))


def test_7_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_7_2(placeholder)


def test_7_2_rows_flipped():
    with pytest.raises(ExerciseCheckFailed, match="each move still points the old way"):
        check.exercise_7_2(lambda sketch: sketch[::-1])


def test_7_2_rows_reversed_and_moves_negated_sit_one_row_off():
    def negated(sketch):
        result = sketch[::-1].copy()
        result[:, :2] *= -1
        return result

    def negated_and_patched(sketch):
        result = negated(sketch)
        result[:, 2] = reversed_via_polylines(sketch)[:, 2]
        result[0, :2] = sketch[:, :2].sum(axis=0)
        return result

    for wrong in (negated, negated_and_patched):
        with pytest.raises(ExerciseCheckFailed, match="sits one row off: row i holds the move INTO point i"):
            check.exercise_7_2(wrong)


def test_7_2_row_zero_wrong():
    def row_zero_kept(sketch):
        result = reversed_via_polylines(sketch)
        result[0, :2] = sketch[0, :2]
        return result

    with pytest.raises(ExerciseCheckFailed, match="except row 0"):
        check.exercise_7_2(row_zero_kept)


def test_7_2_lifts_in_the_old_places():
    def old_lifts(sketch):
        result = reversed_via_polylines(sketch)
        result[:, 2] = sketch[:, 2]
        return result

    with pytest.raises(ExerciseCheckFailed, match="pen lifts are on the wrong rows"):
        check.exercise_7_2(old_lifts)


def test_7_2_strokes_in_the_old_order():
    def old_order(sketch):
        return strokes_to_stroke3([stroke[::-1] for stroke in sketch_polylines(sketch)])

    with pytest.raises(ExerciseCheckFailed, match="strokes are still in the old order"):
        check.exercise_7_2(old_order)


def test_7_2_wrong_shape_and_dropped_rows():
    with pytest.raises(ExerciseCheckFailed, match="3 columns"):
        check.exercise_7_2(lambda sketch: np.cumsum(sketch[:, :2], axis=0)[::-1])
    with pytest.raises(ExerciseCheckFailed, match="fewer rows than the drawing has points"):
        check.exercise_7_2(lambda sketch: reversed_via_polylines(sketch)[:-1])


# ---------- 7.3 the shortest prefix ----------
def shortest_prefix(predict, sketch, label):
    for k in range(1, len(sketch) + 1):
        if np.argmax(predict(sketch[:k])) == label:
            return k
    return len(sketch)


def shortest_prefix_batched(predict, sketch, label):
    right = [int(np.argmax(predict(sketch[np.newaxis, :k]))) == label for k in range(1, len(sketch) + 1)]
    return int(np.argmax(right)) + 1


@pytest.mark.parametrize("right", [shortest_prefix, shortest_prefix_batched])
def test_7_3_right(right, capsys):
    check.exercise_7_3(right)
    assert "Exercise 7.3: correct" in capsys.readouterr().out


def test_7_3_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_7_3(placeholder)


def test_7_3_index_instead_of_count():
    with pytest.raises(ExerciseCheckFailed, match="one too small: count rows, not indices") as failure:
        check.exercise_7_3(lambda predict, sketch, label: shortest_prefix(predict, sketch, label) - 1)
    assert "returned" in str(failure.value)


def test_7_3_one_too_many():
    with pytest.raises(ExerciseCheckFailed, match="one too large"):
        check.exercise_7_3(lambda predict, sketch, label: shortest_prefix(predict, sketch, label) + 1)


def test_7_3_last_change_of_mind_instead_of_first():
    def stays_right(predict, sketch, label):
        right = [np.argmax(predict(sketch[:k])) == label for k in range(1, len(sketch) + 1)]
        k = len(sketch)
        while k > 1 and right[k - 2]:
            k -= 1
        return k

    with pytest.raises(ExerciseCheckFailed, match="the first prefix at which the model is right counts"):
        check.exercise_7_3(stays_right)


def test_7_3_suffixes_instead_of_prefixes():
    def suffixes(predict, sketch, label):
        for k in range(len(sketch) - 1, -1, -1):
            if np.argmax(predict(sketch[k:])) == label:
                return len(sketch) - k
        return len(sketch)

    with pytest.raises(ExerciseCheckFailed, match="not the beginning of the drawing"):
        check.exercise_7_3(suffixes)


def test_7_3_empty_prefix_is_the_students_error():
    def from_zero(predict, sketch, label):
        for k in range(len(sketch) + 1):
            if np.argmax(predict(sketch[:k])) == label:
                return k

    with pytest.raises(ExerciseCheckFailed, match=r"got shape \(0, 3\)"):
        check.exercise_7_3(from_zero)


def test_7_3_fraction_instead_of_rows():
    with pytest.raises(ExerciseCheckFailed, match="not a fraction"):
        check.exercise_7_3(lambda predict, sketch, label: shortest_prefix(predict, sketch, label) / len(sketch))


def test_7_3_a_threshold_instead_of_the_most_probable_class():
    def above_half(predict, sketch, label):
        for k in range(1, len(sketch) + 1):
            if predict(sketch[:k])[label] > 0.5:
                return k
        return len(sketch)

    with pytest.raises(ExerciseCheckFailed, match="it is not a probability above 0.5") as failure:
        check.exercise_7_3(above_half)
    assert "less than one half" in str(failure.value)


def test_7_3_a_threshold_that_is_never_reached(monkeypatch):
    never_sure = [case for case in check._prefix_cases() if "never more than one half" in case[-1]]
    assert len(never_sure) == 1
    monkeypatch.setattr(check, "_prefix_cases", lambda: never_sure)

    def above_half(predict, sketch, label):
        for k in range(1, len(sketch) + 1):
            if predict(sketch[:k])[label] > 0.5:
                return k

    with pytest.raises(ExerciseCheckFailed, match="returned None: no class ever gets more than one half"):
        check.exercise_7_3(above_half)


def test_7_3_scripted_models_can_be_right_below_one_half():
    unsure = 0
    for sketch, label, right_at, unsure_at, _ in check._prefix_cases():
        model = check._ScriptedModel(sketch, label, right_at, unsure_at)
        for k in range(1, len(sketch) + 1):
            probabilities = model(sketch[:k])
            assert np.isclose(probabilities.sum(), 1)
            assert (np.argmax(probabilities) == label) == (k in right_at)
            unsure += k in right_at and probabilities[label] < 0.5
    assert unsure >= 8


def test_7_3_message_gives_no_answer_away():
    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_7_3(lambda predict, sketch, label: 3)
    message = str(failure.value)
    first_case = check._prefix_cases()[0]
    assert "returned 3" in message and f" {min(first_case[2])}" not in message.replace("model 1", "")


# ---------- 7.4 a pair that looks alike ----------
def first_diagonal(sketch):
    start, end = sketch_polylines(sketch)[0][[0, -1]]
    return int((end - start)[0] * (end - start)[1] > 0)


def zigzag_left_to_right(sketch):
    points = np.concatenate(sketch_polylines(sketch))
    return points[-1, 0] > points[0, 0]  # a bool is fine


@pytest.mark.parametrize(("shape", "rule"), [("cross", first_diagonal), ("zigzag", zigzag_left_to_right)])
def test_7_4_right(shape, rule, capsys):
    check.exercise_7_4(shape, rule)
    out = capsys.readouterr().out
    assert "Exercise 7.4: correct" in out and "order-reading classifier" in out


def test_7_4_placeholders():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_7_4(..., placeholder)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_7_4("cross", placeholder)


def test_7_4_unknown_shape():
    with pytest.raises(ExerciseCheckFailed, match="name of one synthetic shape"):
        check.exercise_7_4("cat", first_diagonal)


@pytest.mark.parametrize("shape", ["circle", "square", "triangle", "star"])
def test_7_4_direction_of_any_closed_outline_is_the_lessons_pair(shape):
    with pytest.raises(ExerciseCheckFailed, match="the lesson's pair again: your classes follow the way the outline"):
        check.exercise_7_4(shape, lambda sketch: int(signed_area(sketch) < 0))
    with pytest.raises(ExerciseCheckFailed, match=f"a {shape} is one closed outline"):
        check.exercise_7_4(shape, lambda sketch: signed_area(sketch) > 0)


def test_7_4_a_pair_that_looks_different():
    def wide(sketch):
        width, height = np.ptp(np.cumsum(sketch[:, :2], axis=0), axis=0)
        return int(width > height)

    with pytest.raises(ExerciseCheckFailed, match="the two classes look different"):
        check.exercise_7_4("square", wide)


def test_7_4_a_rule_by_chance():
    with pytest.raises(ExerciseCheckFailed, match="order-reading classifier|reads the strokes in order"):
        check.exercise_7_4("triangle", lambda sketch: int(np.sum(np.abs(sketch[:, :2])) * 1000) % 2)


def test_7_4_one_class_only_and_bad_labels():
    with pytest.raises(ExerciseCheckFailed, match="in one class"):
        check.exercise_7_4("cross", lambda sketch: 1)
    with pytest.raises(ExerciseCheckFailed, match="should return 0 or 1"):
        check.exercise_7_4("cross", lambda sketch: "clockwise")
