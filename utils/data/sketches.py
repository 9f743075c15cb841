"""Pen sketches in Quick, Draw!'s stroke-3 format: synthetic shapes offline, real doodles online.

Stroke-3 (Ha & Eck, "A Neural Representation of Sketch Drawings", 2017): a drawing is an array of
shape [n_points, 3]; row i holds (dx, dy, lifted), the pen's move from point i-1 to point i
(row 0: the first point's offset from the origin) and lifted = 1 when the pen leaves the paper
after point i (the end of a stroke; always 1 on the last row).
"""

from __future__ import annotations

import pickle
import urllib.parse
import zipfile
from typing import NamedTuple

import numpy as np

from ..validation import as_array, number, one_of, positive_int
from ._cache import DEFAULT_TIMEOUT, DataUnavailableError, fetch_url, load_npz

#: The synthetic shape classes, in label order.
SKETCH_SHAPES = ("circle", "square", "triangle", "star", "zigzag", "cross")
#: The Quick, Draw! classes load_quickdraw fetches by default (any of the 345 names works).
QUICKDRAW_CLASSES = ("cat", "airplane", "basketball")
QUICKDRAW_URL = "https://storage.googleapis.com/quickdraw_dataset/sketchrnn/{}.npz"
#: Half the width of a synthetic shape at scale 1, in Quick, Draw!-like units (its drawings fit 256 x 256).
_BASE_SIZE = 60.0


class Sketches(NamedTuple):
    """Drawings with their classes; unpack as `strokes, labels, class_names, source = ...`."""

    strokes: list  #: one float32 array [n_points, 3] per drawing (variable n_points)
    labels: np.ndarray  #: int64 [n_drawings], an index into class_names
    class_names: tuple  #: the class of each label, e.g. ("circle", "square", ...)
    source: str  #: "synthetic" or "quickdraw"


# ---- synthetic shapes ------------------------------------------------------------------------------


def _subdivide(corners: np.ndarray, rng, low: int, high: int) -> np.ndarray:
    """Points along a path through `corners`, each segment cut into a random number (low..high) of steps."""
    points = [corners[:1]]
    for start, end in zip(corners[:-1], corners[1:]):
        steps = rng.integers(low, high + 1)
        fractions = np.arange(1, steps + 1)[:, np.newaxis] / steps
        points.append(start + fractions * (end - start))
    return np.concatenate(points)


def _closed(vertices: np.ndarray, rng, low: int, high: int) -> np.ndarray:
    """A closed outline through the vertices, from a random vertex in a random direction."""
    vertices = np.roll(vertices, -rng.integers(len(vertices)), axis=0)
    if rng.random() < 0.5:
        vertices = vertices[::-1]
    return _subdivide(np.concatenate([vertices, vertices[:1]]), rng, low, high)


def _on_circle(angles_degrees, radii=1.0) -> np.ndarray:
    angles = np.radians(angles_degrees)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1) * np.reshape(radii, (-1, 1))


def _shape_strokes(shape: str, rng) -> list[np.ndarray]:
    """The strokes of one shape, in unit coordinates (roughly within [-1, 1]), before any transform."""
    if shape == "circle":
        n_points = rng.integers(14, 37)
        start, direction = rng.uniform(0, 360), rng.choice([-1, 1])
        overshoot = rng.uniform(0, 30)  # people often close a circle past its start
        angles = start + direction * np.linspace(0, 360 + overshoot, n_points)
        return [_on_circle(angles) * [rng.uniform(0.8, 1.2), 1.0]]
    if shape == "square":
        return [_closed(np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float), rng, 2, 7)]
    if shape == "triangle":
        return [_closed(_on_circle([90, 210, 330]), rng, 3, 9)]
    if shape == "star":
        return [_closed(_on_circle(90 + 36 * np.arange(10), [1.0, 0.4] * 5), rng, 1, 3)]
    if shape == "zigzag":
        teeth = rng.integers(3, 8)
        xs = np.linspace(-1, 1, 2 * teeth + 1)
        ys = 0.5 * (-1.0) ** np.arange(2 * teeth + 1) * rng.choice([-1, 1])
        path = _subdivide(np.stack([xs, ys], axis=1), rng, 1, 2)
        return [path[::-1] if rng.random() < 0.5 else path]
    if shape == "cross":
        strokes = [
            _subdivide(np.array([[-1.0, -1.0], [1.0, 1.0]]), rng, 4, 10),
            _subdivide(np.array([[-1.0, 1.0], [1.0, -1.0]]), rng, 4, 10),
        ]
        strokes = [stroke[::-1] if rng.random() < 0.5 else stroke for stroke in strokes]
        return strokes[::-1] if rng.random() < 0.5 else strokes
    raise ValueError(f"shape must be one of {list(SKETCH_SHAPES)}, got {shape!r}.")


def strokes_to_stroke3(strokes: list[np.ndarray]) -> np.ndarray:
    """Absolute polylines [[x, y], ...] (one per pen-down stroke) -> one float32 stroke-3 array."""
    points = np.concatenate(strokes)
    rows = np.zeros((len(points), 3), dtype=np.float32)
    rows[:, :2] = np.diff(points, axis=0, prepend=np.zeros((1, 2)))
    rows[np.cumsum([len(stroke) for stroke in strokes]) - 1, 2] = 1
    return rows


def sketch_polylines(sketch) -> list[np.ndarray]:
    """One stroke-3 drawing -> its pen-down strokes as absolute [x, y] polylines (e.g. to plot them)."""
    rows = as_array(sketch, "sketch", ndim=2)
    if rows.shape[1] != 3:
        raise ValueError(f"sketch must have shape [n_points, 3] (dx, dy, lifted), got {rows.shape}.")
    points = np.cumsum(rows[:, :2], axis=0)
    ends = np.flatnonzero(rows[:, 2] > 0.5) + 1
    return [part for part in np.split(points, ends) if len(part)]


def _check_classes(classes, name: str, allowed=None) -> tuple[str, ...]:
    valid = not isinstance(classes, str) and hasattr(classes, "__iter__")
    names = tuple(classes) if valid else ()
    if not valid or not all(isinstance(c, str) and c.strip() and "/" not in c for c in names):
        raise TypeError(f"{name} must be a list of class names (strings), got {classes!r}.")
    classes = names
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"{name} must name at least one class, each once, got {list(classes)}.")
    if allowed is not None:
        for value in classes:
            one_of(value, f"each of {name}", set(allowed))
    return classes


def synthetic_sketches(
    n_per_class: int = 200,
    classes=SKETCH_SHAPES,
    seed: int = 0,
    jitter: float = 0.03,
    max_rotation: float = 30.0,
    scale_range=(0.6, 1.4),
) -> Sketches:
    """Hand-drawn-looking shapes in stroke-3 format: the offline stand-in for Quick, Draw!.

    classes: any of SKETCH_SHAPES ("circle", "square", "triangle", "star", "zigzag", "cross";
    the cross takes two strokes, so the pen is lifted mid-drawing). Each drawing gets a random
    start point and direction, a random number of points (so lengths vary, about 8 to 40 rows),
    a random size (scale_range times 60 units, stretched up to 15 % along each axis), a random
    rotation within +-max_rotation degrees, and Gaussian jitter of `jitter` times its size on
    every point. Drawings are shuffled; the same seed gives the same drawings.
    Returns Sketches(strokes: list of float32 [n_points, 3], labels: int64 [n_per_class *
    len(classes)], class_names: tuple(classes), source: "synthetic").
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    classes = _check_classes(classes, "classes", SKETCH_SHAPES)
    seed = positive_int(seed, "seed", minimum=0)
    jitter = number(jitter, "jitter", low=0, high=0.5)
    max_rotation = number(max_rotation, "max_rotation", low=0, high=180)
    if isinstance(scale_range, str) or not hasattr(scale_range, "__len__") or len(scale_range) != 2:
        raise TypeError(f"scale_range must be a pair (low, high), got {scale_range!r}.")
    low = number(scale_range[0], "scale_range[0]", low=0.01, high=100)
    high = number(scale_range[1], "scale_range[1]", low=low, high=100)
    rng = np.random.default_rng(seed)
    drawings, labels = [], []
    for label, shape in enumerate(classes):
        for _ in range(n_per_class):
            size = _BASE_SIZE * rng.uniform(low, high)
            stretch = size * rng.uniform(0.85, 1.15, size=2)
            angle = np.radians(rng.uniform(-max_rotation, max_rotation))
            rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
            strokes = [
                (stroke * stretch) @ rotation + rng.normal(0, jitter * size, stroke.shape)
                for stroke in _shape_strokes(shape, rng)
            ]
            drawings.append(strokes_to_stroke3(strokes))
            labels.append(label)
    order = rng.permutation(len(drawings))
    return Sketches([drawings[i] for i in order], np.asarray(labels, dtype=np.int64)[order], classes, "synthetic")


# ---- Quick, Draw! (online only) ---------------------------------------------------------------------


def _check_sketch_rnn_file(path) -> None:
    """Raise unless `path` reads as a sketch-rnn .npz file (train, valid and test arrays of drawings)."""
    arrays = load_npz(path)
    missing = [split for split in ("train", "valid", "test") if split not in arrays]
    if missing:
        raise ValueError(f"no {', '.join(missing)} split in it")
    for split in ("train", "valid", "test"):
        if not len(arrays[split]) or np.asarray(arrays[split][0]).ndim != 2:
            raise ValueError(f"its {split} split does not hold stroke-3 drawings")


def fetch_quickdraw_file(name: str, timeout: float = DEFAULT_TIMEOUT):
    """Path of the cached sketch-rnn file of one Quick, Draw! class, downloaded if needed (online)."""
    url = QUICKDRAW_URL.format(urllib.parse.quote(name))
    return fetch_url(f"online/quickdraw/{name}.npz", url, validate=_check_sketch_rnn_file, timeout=timeout)


def load_quickdraw(
    classes=QUICKDRAW_CLASSES,
    n_per_class: int = 200,
    split: str = "train",
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
) -> Sketches:
    """Real Quick, Draw! doodles in stroke-3 format from the public sketch-rnn files. Online only.

    Each class file (https://storage.googleapis.com/quickdraw_dataset/sketchrnn/<class>.npz:
    70,000 train, 2,500 valid and 2,500 test drawings, simplified, at most about 250 points) is
    downloaded once into the cache; the SHA-256 of that first download is recorded and checked on
    every later use. n_per_class drawings of `split` are picked at random (seed), then shuffled.
    Returns Sketches(strokes: list of float32 [n_points, 3], labels int64, class_names, "quickdraw").
    Raises DataUnavailableError when offline (load_sketches falls back to synthetic_sketches).
    """
    classes = _check_classes(classes, "classes")
    n_per_class = positive_int(n_per_class, "n_per_class")
    one_of(split, "split", {"train", "valid", "test"})
    seed = positive_int(seed, "seed", minimum=0)
    timeout = number(timeout, "timeout", low=0.1, high=600)
    rng = np.random.default_rng(seed)
    drawings, labels = [], []
    for label, name in enumerate(classes):
        path = fetch_quickdraw_file(name, timeout)
        try:
            pool = load_npz(path)[split]
        except (pickle.UnpicklingError, ValueError, KeyError, EOFError, OSError, zipfile.BadZipFile) as error:
            raise DataUnavailableError(f"could not read {path.name} as a sketch-rnn file ({error}).") from None
        for index in rng.choice(len(pool), size=min(n_per_class, len(pool)), replace=False):
            drawings.append(np.asarray(pool[index], dtype=np.float32))
            labels.append(label)
    order = rng.permutation(len(drawings))
    return Sketches([drawings[i] for i in order], np.asarray(labels, dtype=np.int64)[order], classes, "quickdraw")


def load_sketches(source: str = "auto", classes=None, n_per_class: int = 200, seed: int = 0,
                  timeout: float = DEFAULT_TIMEOUT) -> Sketches:  # fmt: skip
    """Sketches for the classification lesson, from Quick, Draw! when reachable, else synthetic.

    source: "quickdraw" (online only), "synthetic" (offline) or "auto" (Quick, Draw! if its files
    are cached or can be fetched within `timeout` seconds, else the synthetic shapes). classes
    defaults to QUICKDRAW_CLASSES or SKETCH_SHAPES for the source used (with "auto", classes name
    Quick, Draw! classes; the fallback uses every synthetic shape). Prints which source it used.
    Returns Sketches (strokes, labels, class_names, source); `.source` tells which one you got.
    """
    one_of(source, "source", {"auto", "quickdraw", "synthetic"})
    if source in ("auto", "quickdraw"):
        try:
            sketches = load_quickdraw(classes or QUICKDRAW_CLASSES, n_per_class, seed=seed, timeout=timeout)
        except (DataUnavailableError, OSError) as error:  # OSError: a cache problem must not stop the lesson
            if source == "quickdraw":
                raise
            print(f"Sketches: Quick, Draw! is unavailable: {error} Using the offline synthetic shapes instead.")
            classes = None
        else:
            print(f"Sketches: Quick, Draw! (online), {len(sketches.class_names)} classes "
                  f"({', '.join(sketches.class_names)}) x {n_per_class} drawings.")  # fmt: skip
            return sketches
    sketches = synthetic_sketches(n_per_class, classes or SKETCH_SHAPES, seed=seed)
    print(f"Sketches: synthetic shapes (offline), {len(sketches.class_names)} classes "
          f"({', '.join(sketches.class_names)}) x {n_per_class} drawings.")  # fmt: skip
    return sketches


def pad_strokes(strokes, max_length: int | None = None) -> np.ndarray:
    """Stack variable-length stroke-3 drawings into one float32 array [n, max_length, 3].

    Shorter drawings are padded with rows of zeros at the end (mask them, e.g. keras.layers.Masking);
    longer ones are cut to max_length. max_length=None uses the longest drawing.
    """
    if isinstance(strokes, np.ndarray) and strokes.dtype != object:
        strokes = list(strokes)
    drawings = [as_array(s, f"strokes[{i}]", ndim=2) for i, s in enumerate(strokes)]
    if not drawings:
        raise ValueError("strokes must hold at least one drawing, got none.")
    for i, drawing in enumerate(drawings):
        if drawing.shape[1] != 3:
            raise ValueError(f"strokes[{i}] must have shape [n_points, 3], got {drawing.shape}.")
    longest = max(len(d) for d in drawings)
    max_length = longest if max_length is None else positive_int(max_length, "max_length")
    padded = np.zeros((len(drawings), max_length, 3), dtype=np.float32)
    for i, drawing in enumerate(drawings):
        padded[i, : min(len(drawing), max_length)] = drawing[:max_length]
    return padded
