"""utils.sketching: one preparation for every drawing, the canvas conversion, images, the direction pair, the widget."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from utils import sketching  # noqa: E402
from utils.data import Sketches, sketch_polylines, strokes_to_stroke3, synthetic_sketches  # noqa: E402

SHAPES = synthetic_sketches(5, seed=3)


def as_canvas_pixels(sketch, scale=1.7, offset=(140.0, 95.0)):
    """What a canvas would send for this drawing: positions in pixels, y down, any scale and offset."""
    return [
        [[float(offset[0] + scale * x), float(offset[1] - scale * y)] for x, y in stroke]
        for stroke in sketch_polylines(sketch)
    ]


# ---- preparation -----------------------------------------------------------------------------------------


def test_normalize_centres_and_scales_and_keeps_the_pen():
    for sketch in SHAPES.strokes:
        normalized = sketching.normalize_sketch(sketch)
        points = np.cumsum(normalized[:, :2], axis=0)
        low, high = points.min(axis=0), points.max(axis=0)
        assert np.allclose((low + high) / 2, 0, atol=1e-5) and np.isclose((high - low).max(), 1, atol=1e-5)
        assert np.array_equal(normalized[:, 2], sketch[:, 2])
        # the same shape: positions differ only by a shift and one scale factor
        original = np.cumsum(sketch[:, :2], axis=0)
        scale = np.ptp(original, axis=0).max()
        assert np.allclose(points * scale, original - (original.min(0) + original.max(0)) / 2, atol=1e-2)


def test_normalize_a_single_point():
    assert np.array_equal(sketching.normalize_sketch([[5.0, 7.0, 1.0]]), np.array([[0, 0, 1]], dtype=np.float32))


def test_resample_spacing_ends_and_strokes():
    cross = next(s for s, label in zip(SHAPES.strokes, SHAPES.labels) if SHAPES.class_names[label] == "cross")
    prepared = sketching.prepare_sketch(cross, spacing=0.1)
    before, after = sketch_polylines(sketching.normalize_sketch(cross)), sketch_polylines(prepared)
    assert len(after) == len(before) == 2
    for old, new in zip(before, after):
        assert np.allclose(old[0], new[0], atol=1e-5) and np.allclose(old[-1], new[-1], atol=1e-5)
        steps = np.linalg.norm(np.diff(new, axis=0), axis=1)
        length = np.linalg.norm(np.diff(old, axis=0), axis=1).sum()
        assert np.isclose(len(steps), round(length / 0.1))
        assert steps.max() <= 0.1 * 1.5 + 1e-6  # equal steps along the path: chords are never longer
    assert prepared[:, 2].sum() == 2 and prepared[-1, 2] == 1


def test_prepare_is_the_same_for_any_scale_offset_and_a_missing_last_lift():
    sketch = SHAPES.strokes[0]
    moved = strokes_to_stroke3([stroke * 3.0 + [40.0, -7.0] for stroke in sketch_polylines(sketch)])
    unlifted = sketch.copy()
    unlifted[-1, 2] = 0
    reference = sketching.prepare_sketch(sketch)
    assert np.allclose(sketching.prepare_sketch(moved), reference, atol=1e-5)
    assert np.allclose(sketching.prepare_sketch(unlifted), reference, atol=1e-6)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (np.zeros((4, 2)), ValueError, "stroke-3"),
        (np.zeros((0, 3)), ValueError, "stroke-3"),
        ([[0, np.nan, 1]], ValueError, "NaN"),
        ("circle", TypeError, "numbers"),
    ],
)
def test_prepare_validates(bad, error, message):
    with pytest.raises(error, match=message):
        sketching.prepare_sketch(bad)


def test_prepared_drawings_never_hold_a_row_of_zeros():
    """A row of zeros is padding to a masked model: a drawing that starts exactly at its centre, or a stroke
    that starts where the last one ended, must not lose that row."""
    from_centre = [[[150, 100], [200, 100], [100, 100]]]  # the first point is the centre of the bounding box
    same_spot = [[[0, 0], [60, 0]], [[60, 0], [60, 60]]]  # the second stroke starts where the first ended
    for strokes in (from_centre, same_spot):
        prepared = sketching.pointer_strokes_to_stroke3(strokes)
        assert prepared.any(axis=1).all()
        assert np.allclose(prepared[~prepared[:, 2].astype(bool) & (np.abs(prepared[:, :2]).sum(1) < 1e-3)][:, :2],
                           [sketching.NUDGE, 0])  # fmt: skip
    assert np.allclose(sketching.pointer_strokes_to_stroke3(from_centre)[0], [sketching.NUDGE, 0, 0])
    for sketch in sketching.prepare_sketches(SHAPES.strokes):
        assert sketch.any(axis=1).all()


# ---- pointer events -> stroke-3 ------------------------------------------------------------------------------


def test_canvas_points_become_exactly_the_training_preparation():
    for sketch in SHAPES.strokes:
        from_canvas = sketching.pointer_strokes_to_stroke3(as_canvas_pixels(sketch))
        assert from_canvas.dtype == np.float32
        assert np.allclose(from_canvas, sketching.prepare_sketch(sketch), atol=1e-4)


def test_canvas_points_lifts_and_y_axis():
    strokes = [[[0, 0], [10, 0], [10, 10]], [[50, 50]], [[20, 30, 123.0], [20, 40, 130.0]]]  # extra values ignored
    sketch = sketching.pointer_strokes_to_stroke3(strokes, spacing=1000)  # so long: each stroke keeps its two ends
    assert sketch[:, 2].tolist() == [0, 1, 1, 0, 1]
    points = np.cumsum(sketch[:, :2], axis=0)
    assert points[1, 1] < points[0, 1] and points[1, 0] > points[0, 0]  # 10 pixels down on screen is lower
    assert np.isclose(np.ptp(points, axis=0).max(), 1)
    up = sketching.pointer_strokes_to_stroke3(strokes, y_down=False, spacing=1000)
    assert np.allclose(np.cumsum(up[:, :2], axis=0)[:, 1], -points[:, 1], atol=1e-6)


def test_canvas_points_are_resampled_like_training_data():
    dense = [[[100 + 80 * np.cos(t), 100 + 80 * np.sin(t)] for t in np.linspace(0, 2 * np.pi, 500)]]
    sketch = sketching.pointer_strokes_to_stroke3(dense)
    assert abs(len(sketch) - round(np.pi / sketching.SPACING)) <= 2  # a circle of diameter 1: length pi


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ([], ValueError, "nothing was drawn"),
        ([[]], ValueError, r"strokes\[0\] has no points"),
        ("abc", TypeError, "list of strokes"),
        ([[[1, 2]], 5], TypeError, r"strokes\[1\]"),
        ([[[1, "a"]]], TypeError, r"strokes\[0\]\[0\]"),
        ([[[1]]], TypeError, r"\[x, y\] pair"),
        ([[[1, True]]], TypeError, r"\[x, y\] pair"),
        ([[[1, float("inf")]]], ValueError, "infinite"),
        (None, TypeError, "list of strokes"),
    ],
)
def test_canvas_points_are_validated(bad, error, message):
    with pytest.raises(error, match=message):
        sketching.pointer_strokes_to_stroke3(bad)


def test_canvas_y_down_must_be_a_bool():
    with pytest.raises(TypeError, match="y_down"):
        sketching.pointer_strokes_to_stroke3([[[0, 0]]], y_down="yes")


# ---- images ----------------------------------------------------------------------------------------------


def test_rasterize_shape_range_and_ink():
    image = sketching.rasterize(SHAPES.strokes[0], size=28)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert 0 <= image.min() and image.max() <= 1 and image.max() > 0.9
    assert image[:2].sum() == 0 and image[:, :2].sum() == 0  # the margin stays empty


def test_rasterize_y_up_and_no_ink_between_strokes():
    # an "L": down the left side, then along the bottom, as one stroke; and a dot far right, top
    sketch = strokes_to_stroke3([np.array([[0.0, 10.0], [0.0, 0.0], [10.0, 0.0]]), np.array([[10.0, 10.0]])])
    image = sketching.rasterize(sketch, size=12, margin=1)
    assert image[-2, 1:-1].min() > 0.5  # the bottom row of the drawing is the bottom of the image
    assert image[1:-1, 1].min() > 0.5
    assert image[1, 10] > 0.5 and image[3:9, 4:9].sum() == 0  # the pen-up move leaves no ink


def test_an_image_loses_the_direction_of_drawing():
    for sketch in SHAPES.strokes:
        backwards = strokes_to_stroke3([stroke[::-1] for stroke in sketch_polylines(sketch)[::-1]])
        assert np.allclose(sketching.rasterize(sketch), sketching.rasterize(backwards), atol=1e-5)


def test_rasterize_all_and_validation():
    assert sketching.rasterize_all(SHAPES.strokes[:3], size=16).shape == (3, 16, 16)
    with pytest.raises(ValueError, match="margin"):
        sketching.rasterize(SHAPES.strokes[0], size=8, margin=4)


# ---- direction pair, upright, guesses ----------------------------------------------------------------------


def test_circles_by_direction():
    pair = sketching.circles_by_direction(30, seed=1)
    assert pair.class_names == sketching.DIRECTION_CLASSES and len(pair.strokes) == 60
    assert np.bincount(pair.labels).tolist() == [30, 30]
    areas = np.array([sketching.signed_area(sketch) for sketch in pair.strokes])
    assert np.array_equal(areas > 0, pair.labels == 1)  # 1: counter-clockwise (y up)
    again = sketching.circles_by_direction(30, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(pair.strokes, again.strokes))


def test_signed_area_of_a_counter_clockwise_square():
    square = strokes_to_stroke3([np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])])
    assert np.isclose(sketching.signed_area(square), 1.0)


def test_upright_flips_quickdraw_only():
    sketch = np.array([[1.0, 2.0, 0.0], [3.0, -4.0, 1.0]], dtype=np.float32)
    quickdraw = Sketches([sketch], np.array([0]), ("cat",), "quickdraw")
    assert np.array_equal(sketching.upright(quickdraw).strokes[0], [[1, -2, 0], [3, 4, 1]])
    assert sketching.upright(SHAPES) is SHAPES
    with pytest.raises(TypeError, match="Sketches"):
        sketching.upright([sketch])


def test_top_guesses():
    assert sketching.top_guesses([0.1, 0.6, 0.3], ("a", "b", "c"), top=2) == [("b", 0.6), ("c", 0.3)]
    with pytest.raises(ValueError, match="class names"):
        sketching.top_guesses([0.5, 0.5], ("a", "b", "c"))


def test_plot_sketch_draws_each_stroke():
    cross = next(s for s, label in zip(SHAPES.strokes, SHAPES.labels) if SHAPES.class_names[label] == "cross")
    ax = sketching.plot_sketch(cross, title="cross")
    assert len(ax.lines) == 3 and ax.get_title() == "cross"  # two strokes and the start marker


# ---- the canvas widget and its fallback ---------------------------------------------------------------------


def uniform(n_classes):
    return lambda sketch: np.arange(1, n_classes + 1) / np.arange(1, n_classes + 1).sum()


def test_widgets_need_a_front_end(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("VSCODE_PID", raising=False)
    can, reason = sketching.widgets_can_display()
    assert can is False and reason  # pytest is no notebook


def test_fallback_shows_the_same_guesses_on_a_stored_example(capsys):
    seen = []

    def predict(sketch):
        seen.append(sketch)
        return np.array([0.2, 0.5, 0.3])

    assert sketching.draw_and_guess(predict, ("circle", "square", "star"), example=SHAPES.strokes[0]) is None
    out = capsys.readouterr().out
    assert "cannot display here" in out and "1. square: 50%" in out and "3. circle: 20%" in out
    assert np.allclose(seen[0], sketching.prepare_sketch(SHAPES.strokes[0]), atol=1e-4)  # the canvas's conversion


def test_draw_and_guess_validates():
    with pytest.raises(TypeError, match="predict"):
        sketching.draw_and_guess("model", ("a",), example=SHAPES.strokes[0])
    with pytest.raises(ValueError, match="stroke-3"):
        sketching.draw_and_guess(uniform(2), ("a", "b"), example=np.zeros((3, 2)))


def test_canvas_widget_turns_strokes_into_guesses():
    pytest.importorskip("anywidget")
    received = []

    def predict(sketch):
        received.append(sketch)
        return np.array([0.1, 0.7, 0.2])

    canvas = sketching.SketchCanvas(predict, ("circle", "square", "star"), top=2)
    assert canvas.guesses == [] and "Draw" in canvas.status
    canvas.strokes = as_canvas_pixels(SHAPES.strokes[1])  # what the browser sends
    assert canvas.guesses == [["square", 0.7], ["star", 0.2]]
    assert np.allclose(received[-1], sketching.prepare_sketch(SHAPES.strokes[1]), atol=1e-4)
    canvas.strokes = [[[1, 2]], []]  # a broken message: the canvas says so instead of failing
    assert canvas.guesses == [] and "Cannot read the drawing" in canvas.status
    canvas.strokes = []
    assert canvas.guesses == [] and "Draw" in canvas.status
    assert isinstance(canvas, sketching.SketchCanvas)
    with pytest.raises(TypeError, match="predict"):
        sketching.SketchCanvas(None, ("a",))


def test_drawing_predictor_matches_the_model_for_any_length():
    keras = pytest.importorskip("keras")
    inputs = keras.Input(shape=(None, 3))
    hidden = keras.layers.LSTM(4)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    predict = sketching.drawing_predictor(model)
    for sketch in sketching.prepare_sketches(SHAPES.strokes[:3]):  # drawings of different lengths
        assert np.allclose(predict(sketch), model(sketch[np.newaxis]).numpy()[0], atol=1e-5)
    with pytest.raises(ValueError, match="stroke-3"):
        predict(np.zeros((4, 2)))
    with pytest.raises(TypeError, match="model"):
        sketching.drawing_predictor("model")
