"""Plumbing for the text lessons (08): drawing words coloured by a score, and the naive-Bayes scaling step of
the word-pair baseline (NB-LR) as a scikit-learn transformer.

    from utils.text_models import NaiveBayesScaling, plot_word_scores
    plot_word_scores([words], [scores], labels=["P(positive) 0.93"])
    make_pipeline(CountVectorizer(ngram_range=(1, 2), binary=True), NaiveBayesScaling(), LogisticRegression())

Computing the scores (occlusion: drop each word, see the change) is the lesson and stays in
the notebook; this module only draws them.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .validation import as_array, number, positive_int

#: Monospaced text: every character has the same width, so words can be laid out without measuring them.
_CHAR_WIDTH_EM = 0.6  # width of one monospaced character, in font sizes (DejaVu Sans Mono: 0.602)


def _wrap(words, max_chars: int) -> list[list[int]]:
    """Indices of the words on each line, no line longer than max_chars (a longer word gets its own line)."""
    lines, current, used = [], [], 0
    for index, word in enumerate(words):
        width = len(word) + (1 if current else 0)
        if current and used + width > max_chars:
            lines.append(current)
            current, used = [], 0
            width = len(word)
        current.append(index)
        used += width
    if current:
        lines.append(current)
    return lines


def plot_word_scores(
    sentences,
    scores,
    *,
    labels=None,
    title: str = "Which words moved the prediction",
    colorbar_label: str = "score",
    vmax: float | None = None,
    max_chars: int = 90,
    fontsize: float = 11,
    cmap: str = "RdBu",
):
    """Draw sentences word by word, each word on a background coloured by its score.

    sentences: a list of sentences, each a list of words; scores: one array of scores per sentence
    (same lengths). All sentences share one symmetric diverging colour scale (-vmax..vmax, default:
    the largest absolute score), with a colour bar: blue for positive scores, red for negative.
    labels: an optional line of text drawn above each sentence. Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    if isinstance(sentences, str) or not isinstance(sentences, list | tuple) or not sentences:
        raise TypeError("sentences must be a non-empty list of sentences, each a list of words (text.split()).")
    for index, sentence in enumerate(sentences):
        if isinstance(sentence, str) or not isinstance(sentence, list | tuple | np.ndarray):
            raise TypeError(
                f"sentences[{index}] must be a list of words (text.split()), got {type(sentence).__name__}."
            )
    sentences = [[str(word) for word in sentence] for sentence in sentences]
    if isinstance(scores, str) or not hasattr(scores, "__len__"):
        raise TypeError(f"scores must be a list with one array of scores per sentence, got {type(scores).__name__}.")
    scores = [as_array(score, f"scores[{index}]", ndim=(0, 1, 2)).astype(float).reshape(-1)
              for index, score in enumerate(scores)]  # fmt: skip
    if len(sentences) != len(scores):
        raise ValueError(f"give one score array per sentence: {len(sentences)} sentences, {len(scores)} score arrays.")
    for index, (sentence, score) in enumerate(zip(sentences, scores)):
        if len(sentence) != len(score):
            raise ValueError(f"sentence {index} has {len(sentence)} words but {len(score)} scores.")
        if not np.all(np.isfinite(score)):
            raise ValueError(f"scores[{index}] holds NaN or infinite values.")
    if labels is not None and (isinstance(labels, str) or len(labels) != len(sentences)):
        raise ValueError(f"give one label per sentence: {len(sentences)} sentences, labels {labels!r}.")
    max_chars = positive_int(max_chars, "max_chars")
    fontsize = number(fontsize, "fontsize", low=1, high=100)
    if vmax is None:
        vmax = max(float(np.abs(score).max()) if score.size else 0.0 for score in scores) or 1.0
    vmax = number(vmax, "vmax", low=0)
    if vmax == 0:
        raise ValueError("vmax must be positive: it is the score at the ends of the colour scale.")
    norm, colours = Normalize(-vmax, vmax), plt.get_cmap(cmap)  # an unknown cmap name raises ValueError

    layout = [_wrap(sentence, max_chars) for sentence in sentences]
    n_rows = sum(len(lines) + (1 if labels is not None else 0) for lines in layout) + 0.6 * (len(sentences) - 1)
    line_height_in = 1.9 * fontsize / 72
    text_width_in = max_chars * _CHAR_WIDTH_EM * fontsize / 72
    fig_width, fig_height = text_width_in + 1.6, n_rows * line_height_in + 1.0
    fig = plt.figure(figsize=(fig_width, fig_height))
    ax = fig.add_axes((0.2 / fig_width, 0.3 / fig_height, text_width_in / fig_width, 1 - 0.75 / fig_height))
    ax.set_xlim(0, max_chars)
    ax.set_ylim(n_rows, 0)
    ax.axis("off")
    ax.set_title(title)

    row = 0.5
    for index, (sentence, score, lines) in enumerate(zip(sentences, scores, layout)):
        if labels is not None:
            ax.text(0, row, str(labels[index]), ha="left", va="center", fontsize=fontsize * 0.9, style="italic")
            row += 1
        for line in lines:
            x = 0
            for word_index in line:
                colour = colours(norm(score[word_index]))
                dark = np.dot(colour[:3], (0.299, 0.587, 0.114)) < 0.45
                ax.text(
                    x,
                    row,
                    sentence[word_index],
                    ha="left",
                    va="center",
                    family="monospace",
                    fontsize=fontsize,
                    color="white" if dark else "black",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": colour, "edgecolor": "none"},
                )
                x += len(sentence[word_index]) + 1
            row += 1
        row += 0.6
    bar_ax = fig.add_axes((1 - 1.2 / fig_width, 0.3 / fig_height, 0.18 / fig_width, 1 - 0.75 / fig_height))
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=colours), cax=bar_ax)
    bar.set_label(colorbar_label)
    return fig


class NaiveBayesScaling(TransformerMixin, BaseEstimator):
    """Scale each count feature by its naive-Bayes log-count ratio (Wang & Manning, ACL 2012: "NBSVM").

    fit(X, y): X [texts, features] counts or 0/1 presences (sparse or dense), y 0/1 labels with both classes. For each
    feature, ratio_ = log(share of the positive texts' feature mass on it / the same for negative texts), each count
    smoothed by `alpha`: > 0 for a feature more typical of positive texts. transform(X) = X times ratio_ (column-wise),
    so a logistic regression after it starts from the naive-Bayes evidence of each word or word pair. A scikit-learn
    transformer: it goes into make_pipeline between a vectorizer and the classifier.
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    @staticmethod
    def _matrix(X, name: str = "X"):
        from scipy import sparse

        if sparse.issparse(X):
            return sparse.csr_matrix(X, dtype=np.float64)
        if isinstance(X, str) or (hasattr(X, "dtype") and np.asarray(X).dtype.kind in "OUS"):
            raise TypeError(f"{name} must be numbers (counts per text and feature): put a vectorizer before this step.")
        return as_array(X, name, ndim=2).astype(np.float64)

    def fit(self, X, y):
        X = self._matrix(X)
        alpha = number(self.alpha, "alpha", low=0)
        if alpha == 0:
            raise ValueError("alpha must be positive: it keeps the ratio finite for features seen in one class only.")
        y = as_array(y, "y", ndim=1, dtype_kind="fiub").astype(np.float64)
        if len(y) != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows (texts) but y has {len(y)} labels.")
        if not np.all((y == 0) | (y == 1)) or len(np.unique(y)) != 2:
            raise ValueError("y must hold 0/1 labels, with both classes present.")
        if (X.min() if X.shape[0] and X.shape[1] else 0) < 0:
            raise ValueError("X must hold counts (no negative values).")
        positive = alpha + np.asarray(X[y == 1].sum(axis=0)).reshape(-1)
        negative = alpha + np.asarray(X[y == 0].sum(axis=0)).reshape(-1)
        self.ratio_ = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
        return self

    def transform(self, X):
        if not hasattr(self, "ratio_"):
            raise RuntimeError("NaiveBayesScaling is not fitted yet: call fit(X, y) (or fit the pipeline) first.")
        X = self._matrix(X)
        if X.shape[1] != self.ratio_.size:
            raise ValueError(f"X has {X.shape[1]} features, but the scaling was fitted on {self.ratio_.size}.")
        from scipy import sparse

        return sparse.csr_matrix(X.multiply(self.ratio_)) if sparse.issparse(X) else X * self.ratio_
