"""utils/char_text.py: the vectorised n-gram model agrees with the dictionary version, is a distribution, and
refuses bad arguments with clear messages; the weights cache keys files by the recipe and round-trips."""

import math

import numpy as np
import pytest

from utils.char_text import (
    TINY_SHAKESPEARE_ALPHABET,
    TINY_SHAKESPEARE_LENGTH,
    WEIGHTS_CACHE_DIR,
    bits,
    load_cached_weights,
    ngram_log_probs,
    save_weights,
    slow_ngram_log_probs,
    weights_cache_path,
)


def _text(seed=0, length=3_000, vocab=7):
    """Random ids with some structure (a few repeated phrases), so that long n-grams recur."""
    rng = np.random.default_rng(seed)
    phrases = [rng.integers(0, vocab, rng.integers(3, 9)) for _ in range(6)]
    parts, total = [], 0
    while total < length:
        part = phrases[rng.integers(len(phrases))] if rng.random() < 0.6 else rng.integers(0, vocab, 2)
        parts.append(part)
        total += len(part)
    return np.concatenate(parts)[:length]


@pytest.mark.parametrize("smoothing", ["add-k", "kneser-ney"])
@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_vectorised_agrees_with_dictionaries(smoothing, order):
    train, valid = _text(1), _text(2, length=400)
    options = dict(vocab_size=7, smoothing=smoothing, k=0.2, discount=0.7)
    for history in (train, None):
        fast = ngram_log_probs(train, valid, order, history=history, **options)
        slow = slow_ngram_log_probs(train, valid, order, history=history, **options)
        assert fast.shape == slow.shape == (len(valid) if history is not None else len(valid) - order + 1,)
        assert np.allclose(fast, slow, atol=1e-12)


@pytest.mark.parametrize("smoothing", ["add-k", "kneser-ney"])
@pytest.mark.parametrize("order", [1, 2, 4, 6])
def test_probabilities_sum_to_one_over_the_next_character(smoothing, order):
    vocab = 7
    train = _text(3)
    rng = np.random.default_rng(4)
    seen = [train[start : start + order - 1] for start in (100, 777)]  # contexts that occur in training
    for context in [*seen, *(rng.integers(0, vocab, order - 1) for _ in range(3))]:  # and random ones
        total = sum(
            math.exp(ngram_log_probs(train, np.append(context, c), order, vocab_size=vocab, smoothing=smoothing)[-1])
            for c in range(vocab)
        )
        assert total == pytest.approx(1.0, abs=1e-9)


def test_unseen_characters_keep_a_probability():
    train = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    for smoothing in ("add-k", "kneser-ney"):
        log_p = ngram_log_probs(train, np.array([0, 1, 2, 3]), 3, vocab_size=4, smoothing=smoothing, history=train)
        assert np.isfinite(log_p).all() and log_p[0] > log_p[2]


def test_longer_context_helps_on_repetitive_text():
    train, valid = _text(6, length=20_000), _text(6, length=20_000)[:2_000]
    losses = [-ngram_log_probs(train, valid, n, vocab_size=7, history=train).mean() for n in (1, 2, 4)]
    assert losses[0] > losses[1] > losses[2]


def test_bad_arguments_are_explained():
    train = _text(7)
    with pytest.raises(ValueError, match="character ids in"):
        ngram_log_probs(train, np.array([0, 9]), 2, vocab_size=7)
    with pytest.raises(ValueError, match="smoothing must be one of"):
        ngram_log_probs(train, train[:10], 2, vocab_size=7, smoothing="laplace")
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        ngram_log_probs(train, train[:10], 2, vocab_size=7, discount=1.0)
    with pytest.raises(ValueError, match="k must be above 0"):
        ngram_log_probs(train, train[:10], 2, vocab_size=7, smoothing="add-k", k=0)
    with pytest.raises(ValueError, match="history must hold at least"):
        ngram_log_probs(train, train[:10], 4, vocab_size=7, history=train[:2])
    with pytest.raises(ValueError, match="too short"):
        ngram_log_probs(train, train[:3], 4, vocab_size=7)
    with pytest.raises(ValueError, match="int64 key"):
        ngram_log_probs(train, train[:30], 30, vocab_size=78)
    with pytest.raises(TypeError, match="order must be an int"):
        ngram_log_probs(train, train[:10], 2.0, vocab_size=7)
    with pytest.raises(TypeError, match="must hold numbers"):
        ngram_log_probs(train, np.array([0.5, 1.0]), 2, vocab_size=7)
    with pytest.raises(ValueError, match="must be 1-D"):
        ngram_log_probs(train, train[:10].reshape(2, 5), 2, vocab_size=7)


def test_bits_and_constants():
    assert bits(math.log(2)) == pytest.approx(1.0)
    assert np.allclose(bits(np.array([math.log(4), 0.0])), [2.0, 0.0])
    assert len(TINY_SHAKESPEARE_ALPHABET) == len(set(TINY_SHAKESPEARE_ALPHABET)) == 65
    assert TINY_SHAKESPEARE_LENGTH == 1_115_394


# ---- the weights cache ----------------------------------------------------------------------------

RECIPE = {"units": 8, "learning_rate": 0.01, "seeds": [1, 2], "train_ids": np.arange(50, dtype=np.int32), "xla": False}


def test_cache_path_is_a_fingerprint_of_the_recipe(tmp_path):
    path = weights_cache_path("gru", RECIPE, folder=tmp_path)
    assert path.parent == tmp_path and path.name.startswith("gru-") and path.name.endswith(".weights.h5")
    assert weights_cache_path("gru", dict(reversed(list(RECIPE.items()))), folder=tmp_path) == path  # order-free
    assert weights_cache_path("gru", {**RECIPE, "train_ids": RECIPE["train_ids"].copy()}, folder=tmp_path) == path
    changed = [
        {**RECIPE, "units": 9},
        {**RECIPE, "learning_rate": 0.02},
        {**RECIPE, "seeds": [1, 3]},
        {**RECIPE, "xla": True},
        {**RECIPE, "train_ids": np.arange(1, 51, dtype=np.int32)},  # same shape, other text
        {**RECIPE, "train_ids": np.arange(50, dtype=np.int64)},  # same values, other dtype
        {**RECIPE, "passes": 4},
    ]
    paths = {weights_cache_path("gru", recipe, folder=tmp_path) for recipe in changed}
    assert len(paths) == len(changed) and path not in paths
    assert weights_cache_path("lstm", RECIPE, folder=tmp_path) != path
    assert weights_cache_path("gru", RECIPE).parent == WEIGHTS_CACHE_DIR
    assert WEIGHTS_CACHE_DIR.parts[-2:] == ("build", "cache")


def test_cache_folder_is_ignored_by_git():
    ignored = (WEIGHTS_CACHE_DIR.parents[1] / ".gitignore").read_text().splitlines()
    assert "build/" in ignored


def test_cache_path_refuses_bad_arguments():
    with pytest.raises(ValueError, match="file-name stem"):
        weights_cache_path("../escape", RECIPE)
    with pytest.raises(ValueError, match="file-name stem"):
        weights_cache_path("", RECIPE)
    with pytest.raises(TypeError, match="non-empty dict"):
        weights_cache_path("gru", {})
    with pytest.raises(TypeError, match="non-empty dict"):
        weights_cache_path("gru", [("units", 8)])
    with pytest.raises(TypeError, match="keys must be strings"):
        weights_cache_path("gru", {1: 8})
    with pytest.raises(TypeError, match=r"config\['optimizer'\] is a object"):
        weights_cache_path("gru", {"optimizer": object()})
    with pytest.raises(TypeError, match="array of numbers"):
        weights_cache_path("gru", {"names": np.array(["a", "b"])})
    with pytest.raises(ValueError, match="finite"):
        weights_cache_path("gru", {"learning_rate": float("nan")})


@pytest.fixture(scope="module")
def tiny_models():
    keras = pytest.importorskip("keras")

    def build():
        return keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(5, 3),
                                 keras.layers.GRU(4, return_sequences=True), keras.layers.Dense(5)])  # fmt: skip

    keras.utils.set_random_seed(1)
    first = build()
    keras.utils.set_random_seed(2)
    return first, build(), keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(5, 7)])


def test_weights_round_trip_through_the_cache(tmp_path, tiny_models):
    trained, fresh, _ = tiny_models
    path = weights_cache_path("tiny", RECIPE, folder=tmp_path / "new" / "folder")
    assert not load_cached_weights(fresh, path)  # nothing saved yet: the caller trains
    assert save_weights(trained, path) == path and path.is_file()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left behind
    assert load_cached_weights(fresh, path)
    assert all(np.array_equal(a, b) for a, b in zip(trained.get_weights(), fresh.get_weights()))


def test_a_file_that_does_not_fit_is_not_loaded(tmp_path, tiny_models, capsys):
    trained, _, other = tiny_models
    path = save_weights(trained, tmp_path / "tiny.weights.h5")
    before = [w.copy() for w in other.get_weights()]
    assert not load_cached_weights(other, path)
    assert "could not be loaded" in capsys.readouterr().out
    assert all(np.array_equal(a, b) for a, b in zip(before, other.get_weights()))


def test_saving_where_nothing_can_be_written_is_a_note(tmp_path, tiny_models, capsys):
    trained, _, _ = tiny_models
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert save_weights(trained, blocker / "tiny.weights.h5") is None
    assert "could not save" in capsys.readouterr().out


def test_save_and_load_refuse_bad_arguments(tmp_path, tiny_models):
    trained, _, _ = tiny_models
    with pytest.raises(ValueError, match="must end with '.weights.h5'"):
        save_weights(trained, tmp_path / "tiny.h5")
    with pytest.raises(TypeError, match="file path"):
        load_cached_weights(trained, 3)
    with pytest.raises(TypeError, match="must be a Keras model"):
        save_weights("model", tmp_path / "tiny.weights.h5")
    with pytest.raises(TypeError, match="must be a Keras model"):
        load_cached_weights(None, tmp_path / "tiny.weights.h5")


def test_weights_of_a_trained_model_load_quietly_into_a_compiled_one(tmp_path, recwarn):
    keras = pytest.importorskip("keras")

    def build():
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        return model

    trained = build()
    trained.fit(np.ones((8, 3)), np.zeros((8, 2)), epochs=1, verbose=0)  # the optimizer now has its variables
    path = save_weights(trained, tmp_path / "dense.weights.h5")
    fresh = build()
    assert load_cached_weights(fresh, path)
    assert all(np.array_equal(a, b) for a, b in zip(trained.get_weights(), fresh.get_weights()))
    assert not [w for w in recwarn if "optimizer" in str(w.message)]
