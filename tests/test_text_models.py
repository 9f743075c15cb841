"""utils/text_models.py: words drawn on a colour scale (lesson 08's occlusion picture)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.text_models import _wrap, plot_word_scores  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _drawn_words(fig):
    return [text for text in fig.axes[0].texts if text.get_bbox_patch() is not None]


def test_every_word_is_drawn_once_on_its_colour():
    sentences = [["not", "bad", "at", "all"], ["far", "from", "perfect"]]
    scores = [np.array([-0.2, 0.5, 0.0, 0.1]), [0.3, -0.4, 0.2]]
    fig = plot_word_scores(sentences, scores, labels=["P = 0.9", "P = 0.2"], title="t", colorbar_label="change")
    words = _drawn_words(fig)
    assert [text.get_text() for text in words] == [word for sentence in sentences for word in sentence]
    colours = [text.get_bbox_patch().get_facecolor() for text in words]
    # one shared symmetric scale: the largest |score| (0.5) is a saturated end, 0 sits in the middle (near white)
    cmap = plt.get_cmap("RdBu")
    assert np.allclose(colours[1], cmap(1.0), atol=1e-6)
    assert np.allclose(colours[2], cmap(0.5), atol=1e-6)
    assert np.allclose(colours[5], cmap(0.1), atol=1e-6)  # -0.4 on a -0.5..0.5 scale
    assert fig.axes[1].get_ylabel() == "change"  # the colour bar
    labels = [text.get_text() for text in fig.axes[0].texts if text.get_bbox_patch() is None]
    assert labels == ["P = 0.9", "P = 0.2"]


def test_explicit_vmax_and_a_single_word():
    fig = plot_word_scores([["good"]], [0.25], vmax=0.5)
    (word,) = _drawn_words(fig)
    assert np.allclose(word.get_bbox_patch().get_facecolor(), plt.get_cmap("RdBu")(0.75), atol=1e-6)


def test_all_zero_scores_still_draw():
    fig = plot_word_scores([["a", "b"]], [np.zeros(2)])
    assert len(_drawn_words(fig)) == 2


def test_long_sentences_wrap_without_losing_words():
    words = [f"word{i}" for i in range(40)]
    lines = _wrap(words, max_chars=30)
    assert [i for line in lines for i in line] == list(range(40))
    assert all(sum(len(words[i]) for i in line) + len(line) - 1 <= 30 for line in lines)
    assert _wrap(["x" * 50, "y"], max_chars=10) == [[0], [1]]  # a word longer than a line gets its own line
    fig = plot_word_scores([words], [np.linspace(-1, 1, 40)], max_chars=30)
    rows = {round(text.get_position()[1], 3) for text in _drawn_words(fig)}
    assert len(rows) == len(lines)


@pytest.mark.parametrize(
    ("arguments", "keywords", "error", "words"),
    [
        (("not bad", [[0.1, 0.2]]), {}, TypeError, "list of sentences"),
        ((["not bad"], [[0.1, 0.2]]), {}, TypeError, "text.split()"),
        (([], []), {}, TypeError, "non-empty"),
        (([["a", "b"]], [[0.1, 0.2], [0.3]]), {}, ValueError, "one score array per sentence"),
        (([["a", "b"]], [[0.1]]), {}, ValueError, "2 words but 1 scores"),
        (([["a", "b"]], [[0.1, np.nan]]), {}, ValueError, "NaN"),
        (([["a", "b"]], [["x", "y"]]), {}, TypeError, "must hold numbers"),
        (([["a", "b"]], [[0.1, 0.2]]), {"labels": ["one", "two"]}, ValueError, "one label per sentence"),
        (([["a", "b"]], [[0.1, 0.2]]), {"max_chars": 0}, ValueError, "max_chars"),
        (([["a", "b"]], [[0.1, 0.2]]), {"vmax": 0}, ValueError, "vmax must be positive"),
        (([["a", "b"]], [[0.1, 0.2]]), {"vmax": -1.0}, ValueError, "vmax"),
    ],
)
def test_wrong_inputs_are_explained(arguments, keywords, error, words):
    with pytest.raises(error, match=words):
        plot_word_scores(*arguments, **keywords)


# ---------- NaiveBayesScaling ----------


def test_naive_bayes_ratio_by_hand():
    from utils.text_models import NaiveBayesScaling

    X = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0]])  # feature 0: positive texts, 1: negative, 2: both
    y = np.array([1, 1, 0, 0])
    scaling = NaiveBayesScaling(alpha=1.0).fit(X, y)
    positive, negative = np.array([3, 1, 2]) / 6, np.array([1, 3, 2]) / 6
    assert np.allclose(scaling.ratio_, np.log(positive / negative))
    assert scaling.ratio_[0] > 0 > scaling.ratio_[1] and np.isclose(scaling.ratio_[2], 0)
    assert np.allclose(scaling.transform(X), X * scaling.ratio_)


def test_naive_bayes_scaling_in_a_pipeline_keeps_sparse_and_separates():
    from scipy import sparse
    from sklearn.base import clone
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from utils.text_models import NaiveBayesScaling

    texts = ["a good film", "good and fun", "a bad film", "dull and bad"] * 5
    labels = [1, 1, 0, 0] * 5
    model = make_pipeline(CountVectorizer(ngram_range=(1, 2), binary=True), NaiveBayesScaling(), LogisticRegression())
    model.fit(texts, labels)
    assert sparse.issparse(model[:2].transform(texts))
    assert list(model.predict(["fun and good", "bad and dull"])) == [1, 0]
    assert clone(model).get_params()["naivebayesscaling__alpha"] == 1.0


@pytest.mark.parametrize(
    "X, y, alpha, error, words",
    [
        (np.ones((3, 2)), [1, 1, 1], 1.0, ValueError, "both classes"),
        (np.ones((3, 2)), [0, 1, 2], 1.0, ValueError, "0/1 labels"),
        (np.ones((3, 2)), [0, 1], 1.0, ValueError, "3 rows"),
        (np.ones((2, 2)), [0, 1], 0.0, ValueError, "alpha must be positive"),
        (-np.ones((2, 2)), [0, 1], 1.0, ValueError, "counts"),
        (np.array([["good"], ["bad"]], dtype=object), [0, 1], 1.0, TypeError, "vectorizer"),
    ],
)
def test_naive_bayes_scaling_wrong_inputs_are_explained(X, y, alpha, error, words):
    from utils.text_models import NaiveBayesScaling

    with pytest.raises(error, match=words):
        NaiveBayesScaling(alpha=alpha).fit(X, y)


def test_naive_bayes_scaling_transform_checks():
    from utils.text_models import NaiveBayesScaling

    with pytest.raises(RuntimeError, match="not fitted"):
        NaiveBayesScaling().transform(np.ones((2, 2)))
    scaling = NaiveBayesScaling().fit(np.ones((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="fitted on 3"):
        scaling.transform(np.ones((2, 4)))
    with pytest.raises(ValueError, match="Invalid parameter"):
        scaling.set_params(beta=1)
