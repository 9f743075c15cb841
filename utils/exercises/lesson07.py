"""Checks for lesson 07 (sketches from pen strokes): `from utils.exercises import lesson07 as check`.

Each `exercise_7_M` checks one exercise of notebooks/07_sketches.ipynb on several drawings, some of
them random, against a reference the student cannot reach as a plain name, and says what is wrong
(never the expected answer).
"""

from __future__ import annotations

import contextlib
import functools
import numbers

import numpy as np

from ..checks import ExerciseCheckFailed, call, exercise, expect, require, require_function
from ..data import SKETCH_SHAPES, sketch_polylines, strokes_to_stroke3, synthetic_sketches

# ---- test drawings ---------------------------------------------------------------------------------


def _random_sketch(rng, n_strokes: int) -> np.ndarray:
    """A random scribble of n_strokes strokes (1 to 6 points each) in stroke-3, integer-valued moves."""
    strokes = [np.cumsum(rng.integers(-20, 21, size=(rng.integers(1, 7), 2)), axis=0) + rng.integers(-50, 51, 2)
               for _ in range(n_strokes)]  # fmt: skip
    return strokes_to_stroke3([stroke.astype(float) for stroke in strokes])


def _test_sketches() -> list[tuple[str, np.ndarray]]:
    """(description, drawing): one-stroke and two-stroke shapes, a single point, random scribbles."""
    rng = np.random.default_rng(7)
    shapes = synthetic_sketches(1, classes=("circle", "cross", "zigzag"), seed=11)
    found = [(f"a {shapes.class_names[label]}", sketch) for sketch, label in zip(shapes.strokes, shapes.labels)]
    found.append(("a drawing of a single point", np.array([[3.0, -4.0, 1.0]], dtype=np.float32)))
    found += [(f"a random scribble of {n} strokes", _random_sketch(rng, n)) for n in (3, 5, 2)]
    return found


def _as_polylines(result, name: str, description: str) -> list[np.ndarray]:
    expect(
        isinstance(result, list | tuple),
        f"`{name}` should return a list of strokes (one array of [x, y] points each), "
        f"got {type(result).__name__} for {description}.",
    )
    polylines = []
    for index, stroke in enumerate(result):
        try:
            array = np.asarray(stroke, dtype=float)
        except (TypeError, ValueError):
            raise ExerciseCheckFailed(
                f"stroke {index} returned by `{name}` for {description} is not an array of numbers."
            ) from None
        expect(
            array.ndim == 2,
            f"stroke {index} returned by `{name}` for {description} should be 2-D (points, x and y), "
            f"it has {array.ndim} axes.",
        )
        polylines.append(array)
    return polylines


# ---- Exercise 7.1: from stroke-3 to polylines ----------------------------------------------------------


def _reference_polylines(sketch) -> list[np.ndarray]:
    return sketch_polylines(sketch)


def _split_after_lifts(values: np.ndarray, lifted: np.ndarray) -> list[np.ndarray]:
    return [part for part in np.split(values, np.flatnonzero(lifted > 0.5) + 1) if len(part)]


def _diagnose_polylines(got: list[np.ndarray], sketch: np.ndarray, want: list[np.ndarray]) -> str:
    """What is wrong with `got`, by the mistakes students make most often."""
    moves, lifted = sketch[:, :2], sketch[:, 2]

    def same(a, b):
        return len(a) == len(b) and all(x.shape == y.shape and np.allclose(x, y, atol=1e-4) for x, y in zip(a, b))

    if same(got, want):
        return ""
    if any(stroke.shape[1] == 3 for stroke in got) and same([s[:, :2] for s in got], want):
        return "each stroke also holds the pen flag as a third column: keep x and y only."
    if any(stroke.shape[1] != 2 for stroke in got):
        return "each stroke should be an array of [x, y] points: 2 columns."
    if same(got, _split_after_lifts(moves, lifted)):
        return "these are the moves (dx, dy), not the pen's positions: a position is the sum of every move before it."
    if same(got, [np.cumsum(part, axis=0) for part in _split_after_lifts(moves, lifted)]):
        return ("every stroke starts again from (0, 0): the pen's position carries on across a lift, so keep "
                "adding up the moves over the whole drawing.")  # fmt: skip
    positions = np.cumsum(moves, axis=0)
    shifted = [part for part in np.split(positions, np.flatnonzero(lifted > 0.5)) if len(part)]
    if same(got, shifted):
        return ("off by one at every lift: the point on a row with lifted = 1 is the last point of its stroke, "
                "and the next stroke starts on the row after it.")  # fmt: skip
    if any(len(stroke) == 0 for stroke in got):
        return "it contains an empty stroke: keep only strokes that have at least one point."
    if len(got) != len(want):
        return (f"it has {'fewer' if len(got) < len(want) else 'more'} strokes than the drawing: a stroke ends "
                "on every row whose lifted flag is 1.")  # fmt: skip
    for index, (stroke, right) in enumerate(zip(got, want)):
        if stroke.shape != right.shape:
            return f"stroke {index} has {'too few' if len(stroke) < len(right) else 'too many'} points."
        if not np.allclose(stroke, right, atol=1e-4):
            return f"stroke {index} has the right number of points, but some positions are off."
    return "something is off (compare your strokes with the drawing, e.g. with plot_sketch)."


_DISABLED = "the course's polyline functions are switched off while this check runs your function"


def _library_polylines() -> list:
    """Every course function that already turns stroke-3 into polylines (by any name it is reached)."""
    from .. import sketching
    from ..data import sketches

    return [sketches.sketch_polylines, sketching._polylines, _reference_polylines]


def _is_library_polylines(function) -> bool:
    while isinstance(function, functools.partial):
        function = function.func
    function = getattr(function, "__wrapped__", function)
    return any(function is original for original in _library_polylines())


def _switched_off(*args, **kwargs):
    # runs with the globals of the function it stands in for: builtins and literals only (= _DISABLED)
    raise RuntimeError("the course's polyline functions are switched off while this check runs your function")


@contextlib.contextmanager
def _without_library_polylines():
    """While the block runs, the course's own polyline functions raise (under every name and alias,
    since their code is swapped, not a module attribute); their code is restored afterwards."""
    originals = [(function, function.__code__) for function in _library_polylines()]
    try:
        for function, _ in originals:
            function.__code__ = _switched_off.__code__
        yield
    finally:
        for function, code in originals:
            function.__code__ = code


_USE_YOUR_OWN = ("the exercise asks you to write this conversion yourself, so the course's own "
                 "`sketch_polylines` (and `sketching`'s helpers built on it) do not count here.")  # fmt: skip


def exercise_7_1(my_polylines):
    """my_polylines(sketch) -> the list of pen-down strokes, each an array [n_points, 2] of positions."""
    with exercise(
        "7.1",
        hints=[
            "Two steps: turn moves into positions, then cut the positions into strokes.",
            "Positions: a running sum of the (dx, dy) columns over the whole drawing, from (0, 0).",
            "Strokes: a stroke ends on each row whose lifted flag is 1 (that row's point belongs to it); "
            "np.flatnonzero finds those rows and np.split cuts after them. Drop empty pieces.",
        ],
    ):
        require_function(my_polylines, "my_polylines")
        expect(not _is_library_polylines(my_polylines), f"`my_polylines` is the course's own function: {_USE_YOUR_OWN}")
        for description, sketch in _test_sketches():
            want = _reference_polylines(sketch)
            try:
                with _without_library_polylines():
                    result = call(my_polylines, "my_polylines", sketch.copy())
            except ExerciseCheckFailed as failure:
                if _DISABLED in str(failure):
                    raise ExerciseCheckFailed(
                        f"`my_polylines` calls the course's own function: {_USE_YOUR_OWN}"
                    ) from None
                raise
            got = _as_polylines(result, "my_polylines", description)
            problem = _diagnose_polylines(got, sketch, want)
            if problem:
                raise ExerciseCheckFailed(f"`my_polylines` on {description}: {problem}")


# ---- Exercise 7.2: the same drawing, drawn backwards ---------------------------------------------------


def _reference_reversed(sketch) -> np.ndarray:
    return strokes_to_stroke3([stroke[::-1] for stroke in sketch_polylines(sketch)[::-1]])


def _diagnose_reversed(got: np.ndarray, sketch: np.ndarray, want: np.ndarray) -> str:
    if np.allclose(got, sketch[::-1], atol=1e-4):
        return ("the rows are in reverse order, but each move still points the old way: drawn backwards, the move "
                "from A to B becomes the move from B to A. Work with positions, not moves.")  # fmt: skip
    if np.allclose(got[:, :2], -sketch[::-1, :2], atol=1e-4) or (
        len(got) > 2 and np.allclose(got[1:-1, :2], -sketch[::-1][1:-1, :2], atol=1e-4)
    ):
        return ("the rows are reversed and every move turned around, so the moves are the right ones, but each "
                "move sits one row off: row i holds the move INTO point i (from the point before it), and yours "
                "hold the move out of it. Check what row 0 and the last row hold, then work with "
                "positions.")  # fmt: skip
    if np.allclose(got[1:, :2], want[1:, :2], atol=1e-4) and not np.allclose(got[0, :2], want[0, :2], atol=1e-4):
        return ("every move is right except row 0: row 0 holds the first point's offset from the origin (0, 0), "
                "and the first point is now the last point of the original drawing.")  # fmt: skip
    got_points = np.cumsum(got[:, :2], axis=0)
    want_points = np.cumsum(want[:, :2], axis=0)
    if np.allclose(got_points, want_points, atol=1e-4):
        if got[-1, 2] < 0.5:
            return "the points are right, but the last row should have the pen lifted: a drawing ends with a lift."
        return ("the points are right, but the pen lifts are on the wrong rows: lifted = 1 marks the last point "
                "of each stroke of the reversed drawing.")  # fmt: skip
    forwards = [stroke[::-1] for stroke in sketch_polylines(sketch)]
    if np.allclose(got_points, np.concatenate(forwards), atol=1e-4):
        return "each stroke runs backwards, but the strokes are still in the old order: the last stroke comes first."
    return "some points are not where they should be (compare your drawing with the original using plot_sketch)."


def exercise_7_2(my_reversed):
    """my_reversed(sketch) -> stroke-3 of the same drawing drawn backwards (last point first)."""
    with exercise(
        "7.2",
        hints=[
            "The reversed drawing has the same points and the same strokes, visited in the opposite order.",
            "Stroke-3 rows are moves; reversing the rows is not enough. Go through positions: "
            "the polylines of the drawing (Exercise 7.1).",
            "Reverse the list of strokes and each stroke's points, then build stroke-3 again from those "
            "positions (the data layer's strokes_to_stroke3 does exactly that conversion).",
        ],
    ):
        require_function(my_reversed, "my_reversed")
        for description, sketch in _test_sketches():
            want = _reference_reversed(sketch)
            result = call(my_reversed, "my_reversed", sketch.copy())
            try:
                got = np.asarray(result, dtype=float)
            except (TypeError, ValueError):
                raise ExerciseCheckFailed(
                    f"`my_reversed` should return a stroke-3 array, got {type(result).__name__}."
                ) from None
            expect(
                got.ndim == 2 and got.shape[1:] == (3,),
                f"`my_reversed` on {description} returned shape {got.shape}: a stroke-3 array has 3 columns "
                "(dx, dy, lifted) and one row per point.",
            )
            expect(
                len(got) == len(sketch),
                f"`my_reversed` on {description} returned {'fewer' if len(got) < len(sketch) else 'more'} rows "
                "than the drawing has points: drawn backwards, it still has the same points.",
            )
            if not np.allclose(got, want, atol=1e-4):
                raise ExerciseCheckFailed(f"`my_reversed` on {description}: {_diagnose_reversed(got, sketch, want)}")


# ---- Exercise 7.3: the shortest prefix at which the model is right -------------------------------------


class _ScriptedModel:
    """A stand-in for `predict`: right (class `label`) exactly for the prefix lengths in `right_at`.

    It checks that it is given the beginning of the drawing, and counts its calls.
    """

    def __init__(self, sketch: np.ndarray, label: int, right_at: set[int], unsure_at: set[int] = frozenset(),
                 n_classes: int = 4):  # fmt: skip
        self.sketch, self.label, self.right_at, self.n_classes = sketch, label, right_at, n_classes
        self.unsure_at = unsure_at  # prefix lengths whose most probable class gets less than one half
        self.not_a_prefix = False

    def probabilities(self, length: int) -> np.ndarray:
        guess = self.label if length in self.right_at else (self.label + 1) % self.n_classes
        if length in self.unsure_at:  # the most probable class at 0.4, the label (when not it) close behind
            probabilities = np.full(self.n_classes, 0.3 / (self.n_classes - 2))
            probabilities[guess] = 0.4
            probabilities[self.label if guess != self.label else (self.label + 2) % self.n_classes] = 0.3
            return probabilities
        probabilities = np.full(self.n_classes, 0.1)
        probabilities[guess] = 0.7
        return probabilities

    def threshold_answer(self):
        """What `p[label] > 0.5` instead of the most probable class would return (None: never)."""
        found = [k for k in range(1, len(self.sketch) + 1) if self.probabilities(k)[self.label] > 0.5]
        return found[0] if found else None

    def __call__(self, prefix):
        prefix = np.asarray(prefix, dtype=float)
        if prefix.ndim == 3 and len(prefix) == 1:  # a batch of one is fine too
            prefix = prefix[0]
        if prefix.ndim != 2 or prefix.shape[1] != 3 or not 1 <= len(prefix) <= len(self.sketch):
            self.not_a_prefix = True
            raise ValueError(f"predict expects one stroke-3 drawing [n_rows, 3], got shape {prefix.shape}")
        if not np.allclose(prefix, self.sketch[: len(prefix)]):
            self.not_a_prefix = True
        return self.probabilities(len(prefix))


def _prefix_cases():
    """(sketch, label, right_at, unsure_at, description) for scripted models: the answer is min(right_at)."""
    rng = np.random.default_rng(3)
    cases = []
    random_start = int(rng.integers(2, 19))
    for n_rows, right_at, unsure_at, description in [
        (12, set(range(5, 13)), set(), "right from some row on"),
        (9, set(range(1, 10)), set(), "right from the very first row"),
        (15, {4, 5} | set(range(9, 16)), set(), "right early, then wrong for a while, then right again"),
        (10, {10}, set(), "right only on the complete drawing"),
        (20, set(range(random_start, 21)), set(), "right from some row on (random)"),
        (14, set(range(4, 15)), set(range(1, 9)), "right from some row on, at first with less than one half"),
        (11, set(range(6, 12)), set(range(1, 12)), "never more than one half for any class, right from some row on"),
    ]:
        sketch = _random_sketch(rng, 3)
        while len(sketch) < n_rows:
            sketch = np.concatenate([sketch, _random_sketch(rng, 1)])
        cases.append((sketch[:n_rows].copy(), int(rng.integers(0, 4)), right_at, unsure_at, description))
    return cases


_THRESHOLD = ("the model's most probable class is already `label` at a shorter beginning, with a probability "
              "below one half (several classes share the rest): 'most probable' compares the classes with each "
              "other, it is not a probability above 0.5")  # fmt: skip


def exercise_7_3(my_shortest_prefix):
    """my_shortest_prefix(predict, sketch, label) -> the smallest k such that predict(sketch[:k]) is right."""
    with exercise(
        "7.3",
        hints=[
            "Try the prefixes in order of length, starting with the shortest, and stop at the first right one.",
            "A prefix of k rows is sketch[:k], for k = 1, 2, ..., len(sketch); the model is right when "
            "np.argmax of its probabilities equals label.",
            "Return k itself (a count of rows, not an index and not a fraction), the first time it is right, "
            "even if the model changes its mind later.",
        ],
    ):
        require_function(my_shortest_prefix, "my_shortest_prefix")
        for index, (sketch, label, right_at, unsure_at, description) in enumerate(_prefix_cases(), start=1):
            model = _ScriptedModel(sketch, label, right_at, unsure_at)
            try:
                answer = call(my_shortest_prefix, "my_shortest_prefix", model, sketch.copy(), label)
            except ExerciseCheckFailed as failure:
                if unsure_at and model.threshold_answer() is None and "returned None" in str(failure):
                    raise ExerciseCheckFailed(
                        f"`my_shortest_prefix` on test model {index} ({description}) returned None: no class ever "
                        f"gets more than one half there, yet {_THRESHOLD}."
                    ) from None
                raise
            expect(
                not model.not_a_prefix,
                "`my_shortest_prefix` gave `predict` rows that are not the beginning of the drawing: a prefix "
                "of k rows is sketch[:k].",
            )
            expect(
                isinstance(answer, numbers.Integral) and not isinstance(answer, bool),
                f"`my_shortest_prefix` should return a whole number of rows, got {answer!r}"
                + (": the number of rows, not a fraction of the drawing." if isinstance(answer, float) else "."),
            )
            want = min(right_at)
            if answer != want:
                if unsure_at and answer == model.threshold_answer() or (answer == len(sketch) and unsure_at):
                    how = _THRESHOLD
                elif answer == want - 1:
                    how = "it is one too small: count rows, not indices (sketch[:k] has k rows)"
                elif answer == want + 1:
                    how = "it is one too large: sketch[:k] already has k rows (is a 1 added twice?)"
                elif answer > want and len(right_at) < len(sketch) - want + 1:
                    how = ("it is too large: the first prefix at which the model is right counts, even if the "
                           "model is wrong again later")  # fmt: skip
                else:
                    how = "it is too large" if answer > want else "it is too small"
                raise ExerciseCheckFailed(
                    f"`my_shortest_prefix` on test model {index} ({description}) returned {answer}: {how}."
                )


# ---- Exercise 7.4: a pair that looks alike but is drawn differently ------------------------------------

_PAIR_DRAWINGS = 300
_CLOSED_SHAPES = ("circle", "square", "triangle", "star")  # one closed outline each
_IMAGE_MARGIN = 0.15  # the image classifier may beat guessing by at most this much
_SEQUENCE_ACCURACY = 0.85  # the order-reading classifier must reach this


def _image_accuracy(sketches, labels) -> float:
    """Cross-validated accuracy of a logistic regression on the 14 x 14 images of the drawings."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from ..sketching import rasterize_all

    images = rasterize_all(sketches, size=14).reshape(len(sketches), -1)
    return float(cross_val_score(LogisticRegression(max_iter=300), images, labels, cv=3).mean())


def _sequence_accuracy(sketches, labels) -> float:
    """Cross-validated accuracy of a logistic regression that reads the prepared sequence in order:
    its first 40 rows, each row's dx * dy and the turn between consecutive moves."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..data import pad_strokes
    from ..sketching import prepare_sketches

    rows = pad_strokes(prepare_sketches(sketches), 40)
    moves = rows[:, :, :2]
    turns = moves[:, :-1, 0] * moves[:, 1:, 1] - moves[:, :-1, 1] * moves[:, 1:, 0]
    features = np.concatenate([rows.reshape(len(rows), -1), moves[:, :, 0] * moves[:, :, 1], turns], axis=1)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return float(cross_val_score(model, features, labels, cv=3).mean())


def _labels_from(my_pair_label, sketches) -> np.ndarray:
    labels = []
    for sketch in sketches:
        label = call(my_pair_label, "my_pair_label", sketch.copy())
        if isinstance(label, bool | np.bool_):
            label = int(label)
        expect(
            isinstance(label, numbers.Integral | np.integer) and int(label) in (0, 1),
            f"`my_pair_label` should return 0 or 1 for each drawing, got {label!r}.",
        )
        labels.append(int(label))
    return np.asarray(labels)


def exercise_7_4(pair_shape, my_pair_label):
    """A rule that splits drawings of one shape into two classes an image cannot tell apart but the
    order of the strokes can. Checked on fresh drawings of `pair_shape`."""
    from ..sketching import signed_area

    with exercise(
        "7.4",
        hints=[
            "Look at what varies between drawings of one shape besides its look: where the pen starts, "
            "which way it goes, which stroke comes first.",
            "Plot a few drawings of your shape with sketching.plot_sketch (colours show the order) and write a "
            "rule from sketch_polylines(sketch): its first stroke, its first and last points.",
            "The rule must not depend on the look (size, width, tilt, number of zigzag teeth): the image model "
            "sees those. Where the pen starts, which way a stroke runs, which stroke comes first are invisible "
            "to it; the turning direction of a closed outline was the lesson's own pair.",
        ],
    ):
        require(pair_shape, "pair_shape")
        expect(
            isinstance(pair_shape, str) and pair_shape in SKETCH_SHAPES,
            f"`pair_shape` should be the name of one synthetic shape ({', '.join(SKETCH_SHAPES)}), got {pair_shape!r}.",
        )
        require_function(my_pair_label, "my_pair_label")
        sketches = synthetic_sketches(_PAIR_DRAWINGS, classes=(pair_shape,), seed=2024).strokes
        labels = _labels_from(my_pair_label, sketches[:1])  # a placeholder body stops here, before the rest
        labels = _labels_from(my_pair_label, sketches)
        share = labels.mean()
        expect(
            0.2 <= share <= 0.8,
            f"`my_pair_label` puts {100 * max(share, 1 - share):.0f}% of the drawings in one class: a pair needs "
            "both classes, each with at least a fifth of the drawings.",
        )
        if pair_shape in _CLOSED_SHAPES:  # one closed outline: its turning direction is the lesson's pair again
            direction = np.array([signed_area(sketch) > 0 for sketch in sketches])
            agreement = np.mean(direction == labels)
            expect(
                0.1 < agreement < 0.9,
                "that is the lesson's pair again: your classes follow the way the outline turns (clockwise or "
                "counter-clockwise), which is what Section 6 showed on circles, and a "
                f"{pair_shape} is one closed outline just like a circle. Find a difference of another kind.",
            )
        guessing = max(share, 1 - share)
        image = _image_accuracy(sketches, labels)
        expect(
            image <= guessing + _IMAGE_MARGIN,
            f"an image classifier (logistic regression on the drawings' 14 x 14 images) tells your classes apart "
            f"{100 * image:.0f}% of the time, where always guessing the larger class gets {100 * guessing:.0f}%: "
            "the two classes look different. Base the rule on how the shape is drawn, not on how it looks.",
        )
        sequence = _sequence_accuracy(sketches, labels)
        expect(
            sequence >= _SEQUENCE_ACCURACY,
            f"a classifier that reads the strokes in order tells your classes apart only {100 * sequence:.0f}% of "
            "the time: the rule seems to depend on little that the drawing order shows (or on chance). Make it "
            "about the direction or the order of the strokes.",
        )
        print(f"Your pair: the image classifier {100 * image:.0f}% (guessing {100 * guessing:.0f}%), "
              f"the order-reading classifier {100 * sequence:.0f}%.")  # fmt: skip
