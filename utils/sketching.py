"""Sketches as pen strokes (lesson 07): one preparation for every drawing, images of them, a canvas.

Stroke-3 (utils.data.sketches): a drawing is an array [n_points, 3] of rows (dx, dy, lifted).
Every model in lesson 07 reads drawings prepared the same way, whether they come from the data
layer or from the canvas a student draws on:

    prepare_sketch(sketch)         centred on its bounding box, largest side 1, resampled every
                                   SPACING along each stroke (as Quick, Draw! resampled its drawings);
                                   never a row of zeros (those mean padding)
    pointer_strokes_to_stroke3(strokes)
                                   canvas pointer positions [[[x, y], ...], ...] (pixels, y down)
                                   -> the same prepared stroke-3
    rasterize(sketch, size=28)     the ink as a float32 image [size, size] in [0, 1]
    upright(sketches)              Quick, Draw! stores y pointing down; turn it up like the shapes
    circles_by_direction(...)      clockwise against counter-clockwise circles (same images)
    plot_sketch(sketch)            the strokes, coloured by drawing order, with the start marked
    drawing_predictor(model)       a fast function: one prepared drawing -> class probabilities
    draw_and_guess(predict, ...)   the drawing canvas with the model's top guesses, or, where
                                   widgets cannot display, the same guesses on a stored example
"""

from __future__ import annotations

import functools
import numbers
import os
import sys

import numpy as np

from .data.sketches import Sketches, sketch_polylines, strokes_to_stroke3, synthetic_sketches
from .validation import as_array, number, positive_int

#: Distance between resampled points, in units of the drawing's largest side (prepare_sketch).
SPACING = 0.2
#: The move prepare_sketch gives a row that would otherwise be all zeros (padding to a masked model).
NUDGE = 1e-4
#: Names of the two classes of circles_by_direction, in label order.
DIRECTION_CLASSES = ("clockwise circle", "counter-clockwise circle")


# ---- one preparation for every drawing --------------------------------------------------------------


def _as_sketch(sketch, name: str = "sketch") -> np.ndarray:
    rows = as_array(sketch, name, ndim=2, dtype_kind="fiub")
    if rows.shape[1] != 3 or len(rows) == 0:
        raise ValueError(f"{name} must be a stroke-3 array [n_points >= 1, 3] (dx, dy, lifted), got {rows.shape}.")
    if not np.isfinite(rows).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return rows.astype(np.float32)


def _polylines(sketch) -> list[np.ndarray]:
    """Absolute pen-down strokes; a drawing whose last row is not lifted still ends its last stroke."""
    rows = _as_sketch(sketch)
    rows = rows.copy()
    rows[-1, 2] = 1
    return sketch_polylines(rows)


def normalize_sketch(sketch) -> np.ndarray:
    """The drawing moved so that its bounding box is centred on (0, 0) and scaled so its largest side is 1.

    Row 0 then holds the first point's position relative to the centre. The pen flags are kept.
    """
    rows = _as_sketch(sketch)
    points = np.cumsum(rows[:, :2].astype(np.float64), axis=0)
    low, high = points.min(axis=0), points.max(axis=0)
    size = float((high - low).max())
    points = (points - (low + high) / 2) / (size if size > 0 else 1.0)
    normalized = rows.copy()
    normalized[:, :2] = np.diff(points, axis=0, prepend=np.zeros((1, 2)))
    return normalized


def _resample_polyline(points: np.ndarray, spacing: float) -> np.ndarray:
    """Points every `spacing` along a polyline (its first and last point kept), at least one point."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    length = along[-1]
    if length == 0:
        return points[:1]
    n_steps = max(1, int(round(length / spacing)))
    targets = np.linspace(0.0, length, n_steps + 1)
    keep = np.concatenate([[True], steps > 0])  # np.interp needs increasing positions
    return np.stack([np.interp(targets, along[keep], points[keep, axis]) for axis in range(2)], axis=1)


def resample_sketch(sketch, spacing: float = SPACING) -> np.ndarray:
    """The same strokes with points every `spacing` (in the drawing's units) along each stroke."""
    spacing = number(spacing, "spacing", low=1e-6)
    resampled = [_resample_polyline(stroke.astype(np.float64), spacing) for stroke in _polylines(sketch)]
    return strokes_to_stroke3(resampled)


def prepare_sketch(sketch, spacing: float = SPACING) -> np.ndarray:
    """What every model of lesson 07 reads: normalize_sketch, then resample_sketch (float32 [n, 3]).

    A prepared drawing never holds a row of zeros, which a masked model would take for padding: a
    row that neither moves nor lifts the pen (a drawing that starts exactly at its centre, a stroke
    that starts where the previous one ended) gets a move of NUDGE along x instead.
    """
    prepared = resample_sketch(normalize_sketch(sketch), spacing)
    prepared[~prepared.any(axis=1), 0] = NUDGE
    return prepared


def prepare_sketches(strokes, spacing: float = SPACING) -> list[np.ndarray]:
    """prepare_sketch on every drawing of a list."""
    return [prepare_sketch(sketch, spacing) for sketch in strokes]


def upright(sketches: Sketches) -> Sketches:
    """Sketches with y pointing up. Quick, Draw! stores screen coordinates (y down): flip those;
    the synthetic shapes already have y up and come back unchanged."""
    if not isinstance(sketches, Sketches):
        raise TypeError(f"sketches must be what load_sketches() returns (Sketches), got {type(sketches).__name__}.")
    if sketches.source != "quickdraw":
        return sketches
    flipped = [np.asarray(sketch, dtype=np.float32) * np.array([1, -1, 1], dtype=np.float32) for sketch in sketches[0]]
    return sketches._replace(strokes=flipped)


# ---- images ----------------------------------------------------------------------------------------


def rasterize(sketch, size: int = 28, margin: int = 2) -> np.ndarray:
    """The drawing's ink as a float32 image [size, size] in [0, 1], y up, scaled to fill the frame.

    Each segment within a stroke is drawn one pixel wide (anti-aliased); the pen-up moves between
    strokes leave no ink. Order and direction of drawing are lost: two drawings with the same
    lines give the same image.
    """
    size = positive_int(size, "size", minimum=4)
    margin = positive_int(margin, "margin", minimum=0)
    if 2 * margin >= size - 1:
        raise ValueError(f"margin must leave room to draw: 2 * margin < size - 1, got margin {margin}, size {size}.")
    image = np.zeros((size, size), dtype=np.float32)
    scale = size - 1 - 2 * margin
    for stroke in _polylines(normalize_sketch(sketch)):
        pixels = (stroke + 0.5) * scale + margin  # [-0.5, 0.5] -> [margin, size - 1 - margin]
        if len(pixels) == 1:
            samples = pixels
        else:  # points every third of a pixel along each segment, both ends included
            starts, moves = pixels[:-1], np.diff(pixels, axis=0)
            counts = np.maximum(2, np.ceil(np.linalg.norm(moves, axis=1) * 3).astype(int) + 1)
            segment = np.repeat(np.arange(len(counts)), counts)
            first = np.concatenate([[0], np.cumsum(counts)[:-1]])
            fraction = (np.arange(counts.sum()) - first[segment]) / (counts[segment] - 1)
            samples = starts[segment] + fraction[:, np.newaxis] * moves[segment]
        columns, rows = samples[:, 0], (size - 1) - samples[:, 1]  # y up: row 0 is the top
        left, top = np.floor(columns).astype(int), np.floor(rows).astype(int)
        dx, dy = columns - left, rows - top
        for offset_row, offset_col, weight in [(0, 0, (1 - dx) * (1 - dy)), (0, 1, dx * (1 - dy)),
                                               (1, 0, (1 - dx) * dy), (1, 1, dx * dy)]:  # fmt: skip
            r, c = np.clip(top + offset_row, 0, size - 1), np.clip(left + offset_col, 0, size - 1)
            np.maximum.at(image, (r, c), weight.astype(np.float32))
    return image


def rasterize_all(strokes, size: int = 28) -> np.ndarray:
    """rasterize on every drawing: float32 [n, size, size]."""
    return np.stack([rasterize(sketch, size) for sketch in strokes])


# ---- a pair that looks the same but is drawn differently ---------------------------------------------


def signed_area(sketch) -> float:
    """The shoelace area enclosed by the drawing's points, in order: positive when they turn
    counter-clockwise (y up), negative when clockwise."""
    points = np.cumsum(_as_sketch(sketch)[:, :2].astype(np.float64), axis=0)
    x, y = points[:, 0], points[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def circles_by_direction(n_per_class: int = 200, seed: int = 0) -> Sketches:
    """Hand-drawn circles labelled by the direction they were drawn in: 0 clockwise, 1 counter-clockwise.

    The circles come from utils.data.synthetic_sketches (which draws each one either way at random);
    n_per_class of each direction are kept, shuffled. As images the two classes are the same set of
    shapes; only the order of the points tells them apart.
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    seed = positive_int(seed, "seed", minimum=0)
    circles = synthetic_sketches(3 * n_per_class, classes=("circle",), seed=seed).strokes
    by_direction = {0: [], 1: []}
    for sketch in circles:
        by_direction[int(signed_area(sketch) > 0)].append(sketch)
    if min(len(found) for found in by_direction.values()) < n_per_class:  # never seen: p < 1e-30
        raise RuntimeError("not enough circles of one direction; try another seed.")
    drawings = by_direction[0][:n_per_class] + by_direction[1][:n_per_class]
    labels = np.repeat(np.arange(2, dtype=np.int64), n_per_class)
    order = np.random.default_rng(seed).permutation(len(drawings))
    return Sketches([drawings[i] for i in order], labels[order], DIRECTION_CLASSES, "synthetic")


# ---- plots -----------------------------------------------------------------------------------------


def plot_sketch(sketch, ax=None, *, title: str | None = None, order_colours: bool = True):
    """Draw a stroke-3 drawing, y up: each stroke a line, points coloured from dark (first) to light
    (last) when order_colours, the first point circled. Returns the axes."""
    import matplotlib.pyplot as plt

    rows = _as_sketch(sketch)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 2.5))
    strokes = _polylines(rows)
    n_points = sum(len(stroke) for stroke in strokes)
    seen = 0
    for stroke in strokes:
        ax.plot(stroke[:, 0], stroke[:, 1], "-", color="0.35", lw=1.5)
        if order_colours:
            ax.scatter(stroke[:, 0], stroke[:, 1], c=np.arange(seen, seen + len(stroke)), cmap="viridis",
                       vmin=0, vmax=max(n_points - 1, 1), s=12, zorder=3)  # fmt: skip
        seen += len(stroke)
    ax.plot(*strokes[0][0], "o", ms=9, mfc="none", mec="tab:red", mew=2, zorder=4)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=9, fontweight="normal")
    return ax


# ---- from the canvas to stroke-3 ---------------------------------------------------------------------


def _is_point(point) -> bool:
    if isinstance(point, str | bytes) or not hasattr(point, "__len__") or len(point) < 2:
        return False
    return all(isinstance(value, numbers.Real) and not isinstance(value, bool) for value in point[:2])


def pointer_strokes_to_stroke3(strokes, *, y_down: bool = True, spacing: float = SPACING) -> np.ndarray:
    """Pointer positions captured on a canvas -> the prepared stroke-3 every lesson-07 model reads.

    strokes: one entry per pen-down stroke (pointerdown ... pointerup), each a sequence of [x, y]
    positions in canvas pixels (extra values per point, such as a time stamp, are ignored).
    y_down: canvas and screen coordinates grow downwards; they are flipped so that y points up,
    as in the training drawings. The result is prepare_sketch(...) of the drawing: the same
    centring, scaling, resampling and pen flags as the training data.
    """
    if not isinstance(y_down, bool):
        raise TypeError(f"y_down must be True or False, got {y_down!r}.")
    if isinstance(strokes, str | bytes | dict) or not hasattr(strokes, "__len__"):
        raise TypeError(
            f"strokes must be a list of strokes, each a list of [x, y] points, got {type(strokes).__name__}."
        )
    if len(strokes) == 0:
        raise ValueError("strokes is empty: nothing was drawn yet.")
    polylines = []
    for index, stroke in enumerate(strokes):
        if isinstance(stroke, str | bytes | dict) or not hasattr(stroke, "__len__"):
            raise TypeError(f"strokes[{index}] must be a list of [x, y] points, got {type(stroke).__name__}.")
        if len(stroke) == 0:
            raise ValueError(f"strokes[{index}] has no points; every stroke needs at least one.")
        for point_index, point in enumerate(stroke):
            if not _is_point(point):
                raise TypeError(f"strokes[{index}][{point_index}] must be an [x, y] pair of numbers, got {point!r}.")
        points = np.array([[float(point[0]), float(point[1])] for point in stroke])
        if not np.isfinite(points).all():
            raise ValueError(f"strokes[{index}] holds NaN or infinite coordinates.")
        if y_down:
            points[:, 1] = -points[:, 1]
        polylines.append(points)
    return prepare_sketch(strokes_to_stroke3(polylines), spacing)


def top_guesses(probabilities, class_names, top: int = 3) -> list[tuple[str, float]]:
    """The `top` most probable classes as (name, probability), most probable first."""
    probabilities = as_array(probabilities, "probabilities", ndim=1)
    if len(probabilities) != len(class_names):
        raise ValueError(f"probabilities has {len(probabilities)} values for {len(class_names)} class names.")
    top = positive_int(top, "top")
    order = np.argsort(-probabilities, kind="stable")[:top]
    return [(str(class_names[i]), float(probabilities[i])) for i in order]


def drawing_predictor(model):
    """model -> predict(sketch): one prepared drawing [n_rows, 3] in, its class probabilities out.

    Calling a Keras model eagerly on one drawing re-runs its recurrent layer step by step in Python
    (about a second per call on a busy CPU); this compiles the call once for drawings of any length,
    so a canvas can guess while the student draws and a loop can try every beginning of a drawing.
    """
    import tensorflow as tf

    if not callable(model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}.")
    compiled = tf.function(
        lambda batch: model(batch, training=False),
        input_signature=[tf.TensorSpec((None, None, 3), tf.float32)],
        reduce_retracing=True,
    )

    def predict(sketch):
        return compiled(_as_sketch(sketch)[np.newaxis]).numpy()[0]

    return predict


# ---- the canvas widget -------------------------------------------------------------------------------

_CANVAS_ESM = """
function render({ model, el }) {
  const size = model.get("size");
  const box = document.createElement("div");
  box.className = "sketch-canvas";
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const side = document.createElement("div");
  side.className = "sketch-side";
  const guesses = document.createElement("ol");
  guesses.className = "sketch-guesses";
  const status = document.createElement("div");
  status.className = "sketch-status";
  const clear = document.createElement("button");
  clear.textContent = "Clear";
  side.append(guesses, status, clear);
  box.append(canvas, side);
  el.appendChild(box);

  const context = canvas.getContext("2d");
  context.lineWidth = 4;
  context.lineCap = "round";
  context.lineJoin = "round";
  let strokes = [];
  let current = null;
  let lastSent = 0;

  const position = (event) => {
    const frame = canvas.getBoundingClientRect();
    return [
      Math.round(((event.clientX - frame.left) * canvas.width) / frame.width * 10) / 10,
      Math.round(((event.clientY - frame.top) * canvas.height) / frame.height * 10) / 10,
    ];
  };
  const send = (now) => {
    lastSent = performance.now();
    model.set("strokes", current ? [...strokes, current] : [...strokes]);
    model.save_changes();
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [position(event)];
    context.beginPath();
    context.moveTo(...current[0]);
    context.lineTo(...current[0]);
    context.stroke();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    const point = position(event);
    current.push(point);
    context.lineTo(...point);
    context.stroke();
    if (performance.now() - lastSent > model.get("update_ms")) send();  // guesses while drawing
  });
  const finish = () => {
    if (!current) return;
    strokes.push(current);
    current = null;
    send();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  clear.addEventListener("click", () => {
    strokes = [];
    current = null;
    context.clearRect(0, 0, canvas.width, canvas.height);
    send();
  });

  const show = () => {
    guesses.replaceChildren(
      ...model.get("guesses").map(([name, probability]) => {
        const item = document.createElement("li");
        item.textContent = `${name}: ${(100 * probability).toFixed(0)}%`;
        return item;
      }),
    );
    status.textContent = model.get("status");
  };
  model.on("change:guesses", show);
  model.on("change:status", show);
  show();
  return () => {};
}
export default { render };
"""

_CANVAS_CSS = """
.sketch-canvas { display: flex; gap: 16px; align-items: flex-start; font-family: sans-serif; }
.sketch-canvas canvas { border: 1px solid #888; background: #fff; touch-action: none; cursor: crosshair; }
.sketch-canvas .sketch-guesses { font-size: 16px; margin: 0 0 8px 0; min-width: 14em; }
.sketch-canvas .sketch-status { color: #666; margin-bottom: 8px; }
"""


@functools.cache
def _canvas_class():
    import anywidget
    import traitlets

    class SketchCanvas(anywidget.AnyWidget):
        """A canvas to draw on with a mouse, pen or finger; `predict` turns the drawing into guesses.

        predict(sketch) -> probabilities, where sketch is the prepared stroke-3 array of what is drawn
        (pointer_strokes_to_stroke3). The top guesses update while drawing and after each stroke.
        """

        _esm = _CANVAS_ESM
        _css = _CANVAS_CSS
        size = traitlets.Int(280).tag(sync=True)
        update_ms = traitlets.Int(150).tag(sync=True)
        strokes = traitlets.List().tag(sync=True)
        guesses = traitlets.List().tag(sync=True)
        status = traitlets.Unicode("Draw a shape in the box.").tag(sync=True)

        def __init__(self, predict, class_names, *, top: int = 3, **kwargs):
            if not callable(predict):
                raise TypeError(f"predict must be a function sketch -> probabilities, got {type(predict).__name__}.")
            super().__init__(**kwargs)
            self._predict, self._class_names, self._top = predict, tuple(class_names), positive_int(top, "top")
            self.observe(self._guess, names="strokes")

        def _guess(self, change=None):
            if not self.strokes:
                self.guesses, self.status = [], "Draw a shape in the box."
                return
            try:
                sketch = pointer_strokes_to_stroke3(self.strokes)
                guesses = top_guesses(np.asarray(self._predict(sketch)).ravel(), self._class_names, self._top)
            except (TypeError, ValueError) as error:
                self.guesses, self.status = [], f"Cannot read the drawing: {error}"
                return
            self.guesses = [[name, probability] for name, probability in guesses]
            self.status = f"{len(self.strokes)} stroke(s), {len(sketch)} points after preparation."

    return SketchCanvas


def widgets_can_display() -> tuple[bool, str]:
    """(True, "") when a live notebook front end can show the canvas, else (False, the reason).

    The canvas needs anywidget and a Jupyter kernel with a front end: JupyterLab or Notebook (which
    name the kernel's session in JPY_SESSION_NAME), Colab or VS Code. A kernel run headless (nbval,
    nbclient, `jupyter nbconvert --execute`) or a plain Python console has none.
    """
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False, "anywidget is not installed (pip install -r requirements.txt)"
    try:
        from IPython import get_ipython
    except ImportError:
        return False, "this is not IPython"
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return False, "this is a plain Python console, not a notebook"
    if "google.colab" in sys.modules or "JPY_SESSION_NAME" in os.environ or "VSCODE_PID" in os.environ:
        return True, ""
    return False, "this kernel runs without a notebook front end (as under nbval or nbconvert)"


def draw_and_guess(predict, class_names, example, *, top: int = 3, size: int = 280):
    """Show the drawing canvas with `predict`'s top guesses; returns the canvas widget.

    Where widgets cannot display (see widgets_can_display), it says so, draws `example` (a stroke-3
    drawing) and prints the same guesses for it, made by the same conversion and `predict`, and
    returns None.
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function sketch -> probabilities, got {type(predict).__name__}.")
    example = _as_sketch(example, "example")
    can_display, reason = widgets_can_display()
    if can_display:
        from IPython.display import display

        canvas = _canvas_class()(predict, class_names, top=top, size=positive_int(size, "size", minimum=50))
        display(canvas)
        return canvas
    import matplotlib.pyplot as plt

    print(f"The drawing canvas cannot display here: {reason}.")
    print("Instead, the same guesses on a stored example, through the same conversion as the canvas:")
    polylines = _polylines(example)
    pixels = [np.column_stack([stroke[:, 0], -stroke[:, 1]]) * 100 for stroke in polylines]  # as a canvas sends
    sketch = pointer_strokes_to_stroke3([stroke.tolist() for stroke in pixels])
    guesses = top_guesses(np.asarray(predict(sketch)).ravel(), class_names, top)
    plot_sketch(sketch, title="stored example")
    plt.show()
    for rank, (name, probability) in enumerate(guesses, start=1):
        print(f"  {rank}. {name}: {100 * probability:.0f}%")
    return None


def __getattr__(name: str):
    if name == "SketchCanvas":  # built on first use, so that importing utils.sketching needs no anywidget
        return _canvas_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
