"""The utils package: set-up, records, exercise checks, plots and argument validation."""

import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import utils  # noqa: E402
from utils import validation  # noqa: E402

# ---- setup -----------------------------------------------------------------------------------------


def test_setup_prints_one_line_summary_and_seeds(capsys, monkeypatch):
    # The same on any machine: where we run is whatever where_am_i() says, the device CPU or GPU.
    monkeypatch.setattr(utils.environment, "where_am_i", lambda: "Binder")
    utils.setup(seed=7)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    python, tensorflow, keras, device, where, seed = out[0].split(" | ")
    assert python.startswith("Python 3.") and tensorflow.startswith("TensorFlow 2.") and keras.startswith("Keras 3.")
    assert device in ("CPU", "GPU") and where == "Binder" and seed == "seed 7"
    first = np.random.rand(3)
    utils.seed_everything(7)
    assert np.array_equal(first, np.random.rand(3)), "setup(seed) and seed_everything(seed) must seed NumPy alike"


def test_training_is_reproducible_after_seeding():
    import keras

    def train_once():
        utils.seed_everything(3)
        model = keras.Sequential(
            [keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
        )
        model.compile(optimizer="adam", loss="mse")
        X = np.random.rand(64, 4).astype("float32")
        model.fit(X, X.sum(axis=1), epochs=3, batch_size=16, verbose=0)
        return model.predict(X[:4], verbose=0)

    assert np.array_equal(train_once(), train_once())


@pytest.mark.parametrize(
    ("kwargs", "error"), [({"seed": -1}, ValueError), ({"seed": 1.5}, TypeError), ({"deterministic": "yes"}, TypeError)]
)
def test_setup_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match="seed|deterministic"):
        utils.setup(**kwargs)


# ---- record ----------------------------------------------------------------------------------------


def test_record_appends_json_quietly_and_keeps_integers(tmp_path, monkeypatch, capsys):
    target = tmp_path / "records.jsonl"
    monkeypatch.setenv("COURSE_RECORD_FILE", str(target))
    utils.record("naive_mse", np.float32(0.0202))
    utils.record("best_model", "GRU")
    utils.record("n_parameters", np.int64(10_502))
    assert capsys.readouterr().out == ""
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert rows[0]["name"] == "naive_mse" and rows[0]["value"] == pytest.approx(0.0202)
    assert rows[1] == {"name": "best_model", "value": "GRU"}
    assert rows[2] == {"name": "n_parameters", "value": 10502} and isinstance(rows[2]["value"], int)


def test_record_without_file_writes_nothing(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("COURSE_RECORD_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    utils.record("accuracy", 0.5)
    assert capsys.readouterr().out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [("Naive MSE", 1.0, ValueError), ("x", [1, 2], TypeError), ("x", True, TypeError), (3, 1.0, ValueError)],
)
def test_record_rejects_bad_input(name, value, error):
    with pytest.raises(error):
        utils.record(name, value)


# ---- plots -----------------------------------------------------------------------------------------


def test_plots_draw_and_label():
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4]}
    ax = utils.plot_learning_curves(history)
    assert len(ax.lines) == 2 and ax.get_xlabel() == "epoch"
    ax = utils.plot_series(np.arange(10.0), forecasts={"naive": [9.0, 9.0]}, target=[10.0, 11.0])
    assert [line.get_label() for line in ax.lines] == ["series", "truth", "naive"]
    fig = utils.plot_image_grid(np.zeros((5, 3, 3)), titles=list("abcde"), ncols=3)
    assert len(fig.axes) == 6


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda: utils.plot_learning_curves([1, 2]), TypeError, "History"),
        (lambda: utils.plot_learning_curves({"loss": [1.0]}, metrics="mae"), ValueError, "has \\['loss'\\]"),
        (lambda: utils.plot_series(np.zeros((5, 2))), ValueError, "univariate"),
        (lambda: utils.plot_series(np.zeros(5), x=np.arange(4)), ValueError, "one value per series step"),
        (lambda: utils.plot_image_grid(np.zeros((4, 4))), ValueError, "3-D or 4-D"),
        (lambda: utils.plot_image_grid(np.zeros((2, 4, 4)), titles=["a"]), ValueError, "one entry per image"),
        (lambda: utils.plot_image_grid(np.zeros((2, 4, 4)), ncols=0), ValueError, "ncols must be an int >= 1"),
    ],
)
def test_plots_reject_bad_input(call, error, text):
    with pytest.raises(error, match=text):
        call()


# ---- validation ------------------------------------------------------------------------------------


def test_validation_messages_name_what_was_expected():
    with pytest.raises(ValueError, match="must be 2-D or 3-D, got shape \\(4,\\)"):
        validation.as_array(np.zeros(4), "X", ndim=(2, 3))
    with pytest.raises(TypeError, match="must hold numbers"):
        validation.as_array(["a", "b"], "labels")
    with pytest.raises(TypeError, match="an int >= 1, got float"):
        validation.positive_int(2.0, "epochs")
    with pytest.raises(ValueError, match="between 0 and 1, got 2.0"):
        validation.number(2, "rate", low=0, high=1)
    with pytest.raises(ValueError, match="one of \\['gru', 'lstm'\\]"):
        validation.one_of("rnn", "cell", {"lstm", "gru"})


def test_badges_point_at_the_notebook_itself():
    from utils import course

    text = course.badges_markdown("notebooks/01_mlp_recap.ipynb")
    assert "colab.research.google.com/github/" in text and text.count("notebooks/01_mlp_recap.ipynb") == 2
