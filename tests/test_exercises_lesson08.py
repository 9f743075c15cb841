"""Unit tests for utils/exercises/lesson08.py: placeholders, typical wrong answers (each with its own message,
none giving the answer away) and right answers in several forms."""

import re
import string

import numpy as np
import pytest

from tests.exercise_helpers import failure_of
from utils.checks import NotAttempted
from utils.environment import quiet_tensorflow_before_import
from utils.exercises import lesson08 as check

quiet_tensorflow_before_import()
import keras  # noqa: E402

# ---------- 8.1 text to ids by hand ----------


def vectorize_with_dict(text, vocabulary, sequence_length):
    index = {word: i for i, word in enumerate(vocabulary)}
    words = text.lower().translate(str.maketrans("", "", string.punctuation)).split()
    ids = [index.get(word, 1) for word in words][:sequence_length]
    return np.array(ids + [0] * (sequence_length - len(ids)))


def vectorize_with_regex(text, vocabulary, sequence_length):
    words = re.sub(f"[{re.escape(string.punctuation)}]", "", text.lower()).split()
    ids = [vocabulary.index(word) if word in vocabulary[2:] else 1 for word in words]
    return (ids + [0] * sequence_length)[:sequence_length]  # a plain list


def test_8_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_1(...)


def test_8_1_function_returning_placeholder():
    def my_vectorize(text, vocabulary, sequence_length):
        return ...

    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_1(my_vectorize)


@pytest.mark.parametrize("right", [vectorize_with_dict, vectorize_with_regex])
def test_8_1_right(right, capsys):
    check.exercise_8_1(right)
    assert "Exercise 8.1: correct" in capsys.readouterr().out


def _mistake(**changes):
    def my_vectorize(text, vocabulary, sequence_length):
        return check._variant_vectorize(text, vocabulary, sequence_length, **changes)

    return my_vectorize


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"unknown": 0}, "got the padding id"),
        ({"skip_unknown": True}, "were dropped"),
        ({"lower": False}, "capital letters were not lowered"),
        ({"strip": "none"}, "punctuation was left in place"),
        ({"strip": "space"}, "replaced by a space"),
        ({"strip": "ends"}, "removed only at the ends of words"),
        ({"keep": "last"}, "should keep its first words"),
        ({"pad": "start"}, "padding is in front"),
    ],
)
def test_8_1_typical_mistakes_are_named(changes, words):
    message = failure_of(check.exercise_8_1, _mistake(**changes))
    assert words in message
    assert "[2 " not in message and "array(" not in message  # no expected ids shown


def test_8_1_strip_at_the_ends_is_not_mistaken_for_capitals():
    def my_vectorize(text, vocabulary, sequence_length):  # lowers, but strips punctuation only around words
        index = {word: i for i, word in enumerate(vocabulary)}
        words = [word.strip(string.punctuation) for word in text.lower().split()]
        ids = [index.get(word, 1) for word in words if word][:sequence_length]
        return ids + [0] * (sequence_length - len(ids))

    message = failure_of(check.exercise_8_1, my_vectorize)
    assert "only at the ends of words" in message and "capital" not in message


def test_8_1_the_layer_itself_is_refused():
    def my_vectorize(text, vocabulary, sequence_length):
        layer = keras.layers.TextVectorization(vocabulary=vocabulary, output_sequence_length=sequence_length)
        return layer(np.array([text], dtype=object)).numpy()[0]

    assert "calls the TextVectorization layer" in failure_of(check.exercise_8_1, my_vectorize)


def layer_ids(text, vocabulary, sequence_length):
    """A helper that hides the layer one call deeper than `my_vectorize`."""
    layer = keras.layers.TextVectorization(vocabulary=vocabulary, output_sequence_length=sequence_length)
    return layer(np.array([text], dtype=object)).numpy()[0]


def test_8_1_the_layer_inside_a_helper_is_refused_and_restored_afterwards():
    def my_vectorize(text, vocabulary, sequence_length):
        return layer_ids(text, vocabulary, sequence_length)

    assert "calls the TextVectorization layer" in failure_of(check.exercise_8_1, my_vectorize)
    assert list(layer_ids("the film", ["", "[UNK]", "the", "film"], 3)) == [2, 3, 0]  # switched on again


def test_8_1_ids_outside_the_vocabulary():
    def my_vectorize(text, vocabulary, sequence_length):  # ids from some other, larger vocabulary
        ids = [100 + len(word) for word in text.lower().split()][:sequence_length]
        return ids + [0] * (sequence_length - len(ids))

    assert "not positions in `vocabulary`" in failure_of(check.exercise_8_1, my_vectorize)


def test_8_1_off_by_one():
    def my_vectorize(text, vocabulary, sequence_length):
        ids = vectorize_with_dict(text, vocabulary, sequence_length)
        return np.where(ids > 1, ids + 1, ids)

    assert "off by one" in failure_of(check.exercise_8_1, my_vectorize)


def test_8_1_wrong_length():
    def no_padding(text, vocabulary, sequence_length):
        ids = vectorize_with_dict(text, vocabulary, sequence_length)
        return ids[ids > 0]

    assert "too few" in failure_of(check.exercise_8_1, no_padding)

    def no_truncation(text, vocabulary, sequence_length):
        index = {word: i for i, word in enumerate(vocabulary)}
        words = text.lower().translate(str.maketrans("", "", string.punctuation)).split()
        ids = [index.get(word, 1) for word in words]
        return ids + [0] * (sequence_length - len(ids))

    assert "too many" in failure_of(check.exercise_8_1, no_truncation)


def test_8_1_crash_is_reported_as_the_students_error():
    def my_vectorize(text, vocabulary, sequence_length):
        return [vocabulary[word] for word in text.split()]

    assert "your `my_vectorize` raised TypeError" in failure_of(check.exercise_8_1, my_vectorize)


def test_8_1_hints_come_in_stages():
    messages = [failure_of(check.exercise_8_1, _mistake(unknown=0)) for _ in range(3)]
    assert "Hint 1 of 3" in messages[0] and "Hint 2" not in messages[0]
    assert "Hint 3 of 3" in messages[2]


# ---------- 8.2 the masked average ----------


def masked_mean_numpy(embedded, mask):
    weights = mask[..., np.newaxis].astype(float)
    return (embedded * weights).sum(axis=1) / weights.sum(axis=1)


def masked_mean_where(embedded, mask):
    kept = np.where(mask[:, :, None], embedded, 0.0)
    return kept.sum(axis=1) / mask.sum(axis=1, keepdims=True)


def masked_mean_loop(embedded, mask):
    return np.stack([embedded[i][mask[i]].mean(axis=0) for i in range(len(embedded))])


def test_8_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_2(...)


@pytest.mark.parametrize("right", [masked_mean_numpy, masked_mean_where, masked_mean_loop])
def test_8_2_right(right, capsys):
    check.exercise_8_2(right)
    assert "Exercise 8.2: correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda e, m: e.mean(axis=1), "padded positions were counted"),
        (lambda e, m: (e * m[..., None]).sum(axis=1), "a sum over the real words"),
        (lambda e, m: (e * m[..., None]).mean(axis=1), "divided by the number of steps"),
        (lambda e, m: e.sum(axis=1) / m.sum(axis=1, keepdims=True), "still includes the padded vectors"),
        (lambda e, m: (e * m[..., None]).sum(axis=2) / m.sum(axis=1, keepdims=True), "which is not right yet"),
        (lambda e, m: masked_mean_numpy(e, m) * 2, "exactly 2 times too large"),
    ],
)
def test_8_2_typical_mistakes_are_named(wrong, words):
    message = failure_of(check.exercise_8_2, wrong)
    assert words in message


def test_8_2_the_pooling_layer_is_refused_and_restored_afterwards():
    def my_masked_mean(embedded, mask):
        return keras.layers.GlobalAveragePooling1D()(embedded, mask=mask).numpy()

    assert "calls the GlobalAveragePooling1D layer" in failure_of(check.exercise_8_2, my_masked_mean)
    pooled = keras.layers.GlobalAveragePooling1D()(np.ones((1, 2, 3)), mask=np.array([[True, False]]))
    assert np.allclose(pooled, 1.0)  # switched on again


def test_8_2_message_does_not_show_the_expected_values():
    message = failure_of(check.exercise_8_2, lambda e, m: masked_mean_numpy(e, m) + 0.1)
    fixed = np.random.default_rng(8)
    embedded = fixed.normal(size=(3, 5, 4))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
    expected = masked_mean_numpy(embedded, mask)
    assert "too large" in message
    assert f"{expected[0, 0]:.4f}"[:6] not in message


# ---------- 8.3 a word tagger that reads both ways ----------


def tagger(recurrent, *, mask_zero=True, return_sequences=True, head=None, vocabulary=2000):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = keras.layers.Embedding(vocabulary, 8, mask_zero=mask_zero)(inputs)
    x = recurrent(return_sequences)(x)
    x = (head or keras.layers.Dense(1, activation="sigmoid"))(x)
    return keras.Model(inputs, x)


def bidirectional_gru(return_sequences):
    return keras.layers.Bidirectional(keras.layers.GRU(6, return_sequences=return_sequences))


def test_8_3_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_3(...)


def test_8_3_right(capsys):
    check.exercise_8_3(tagger(bidirectional_gru))
    check.exercise_8_3(
        tagger(lambda seq: keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=seq), merge_mode="sum"))
    )
    assert capsys.readouterr().out.count("Exercise 8.3: correct") == 2


def test_8_3_sequential_model_is_fine(capsys):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int64"),
            keras.layers.Embedding(1000, 8, mask_zero=True),
            keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True)),
            keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    check.exercise_8_3(model)
    assert "Exercise 8.3: correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("model", "words"),
    [
        (lambda: tagger(lambda seq: keras.layers.GRU(6, return_sequences=seq)), "only reads the words before it"),
        (  # go_backwards returns its outputs in reverse order: the last word's score comes first
            lambda: tagger(lambda seq: keras.layers.GRU(6, return_sequences=seq, go_backwards=True)),
            "padding ids (0) added at the end",
        ),
        (lambda: tagger(bidirectional_gru, mask_zero=False), "padding ids (0) added at the end"),
        (lambda: tagger(bidirectional_gru, return_sequences=False), "the time axis is missing"),
        (lambda: tagger(bidirectional_gru, head=keras.layers.Dense(2, activation="softmax")), "one score per word"),
        (lambda: tagger(bidirectional_gru, head=keras.layers.Dense(1)), "not all strictly between 0 and 1"),
        (
            lambda: tagger(bidirectional_gru, head=keras.layers.Dense(1, activation="relu")),
            "not all strictly between 0 and 1",
        ),
        (
            lambda: tagger(lambda seq: keras.layers.Dense(6), head=keras.layers.Dense(1, activation="sigmoid")),
            "neither with the first nor with the last word",
        ),
    ],
)
def test_8_3_typical_mistakes_are_named(model, words):
    assert words in failure_of(check.exercise_8_3, model())


def test_8_3_backward_reader_only():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = keras.layers.Embedding(2000, 8, mask_zero=True)(inputs)
    _, backward = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True), merge_mode=None)(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(backward))
    assert "only reads the words after it" in failure_of(check.exercise_8_3, model)


def test_8_3_not_a_model_and_no_input():
    assert "should be a keras Model" in failure_of(check.exercise_8_3, keras.layers.GRU(3))
    no_input = keras.Sequential([keras.layers.Embedding(100, 4), keras.layers.Dense(1)])
    assert "keras.Input" in failure_of(check.exercise_8_3, no_input)


def test_8_3_embedding_too_small_for_the_vocabulary():
    model = tagger(bidirectional_gru, vocabulary=50)
    message = failure_of(check.exercise_8_3, model)
    assert "has room for 50 ids" in message and "vocabulary_size" in message


def test_8_3_fixed_length_input():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(12,), dtype="int64")
    x = keras.layers.Embedding(2000, 8, mask_zero=True)(inputs)
    x = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True))(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    assert "fixed number of steps" in failure_of(check.exercise_8_3, model)


# ---------- 8.4 does the recurrent model read word order? ----------


TOY = [  # (test text, label, a hand-made shuffle): flips both ways, so that every typical mistake gives another number
    ("good film , not bad", 1, "bad not , film good"),
    ("bad film , not good", 0, "good not , film bad"),
    ("not a good film at all", 0, "film at all a not good"),
    ("a dull start but a fun end", 1, "fun end a dull start but a"),
    ("a bad and dull story", 0, "story dull a and bad"),
    ("a good and fun story", 1, "fun a story and good"),
    ("good", 1, "good"),
    ("what a fun and good ride", 1, "ride good a what and fun"),
    ("fun at first , then dull and bad", 0, "then fun , first at dull and bad"),
    ("bad jokes , good heart", 1, "heart bad , jokes good"),
    ("dull", 0, "dull"),
    ("fun fun fun", 1, "fun fun fun"),
    ("bad acting , fun anyway", 1, "acting bad anyway , fun"),
    ("bad acting , fun cast", 1, "acting bad cast , fun"),
    ("fun , not dull", 1, "dull not , fun"),
]
TEST_TEXTS = [text for text, _, _ in TOY]
TEST_LABELS = np.array([label for _, label, _ in TOY])
HAND_SHUFFLED = [shuffled for _, _, shuffled in TOY]


class BagModel:
    """Stands in for the TF-IDF pipeline: positive when 'good' or 'fun' occurs anywhere."""

    def predict(self, texts):
        return np.array([int(any(word in ("good", "fun") for word in text.split())) for text in texts])


class FirstWordModel:
    """Stands in for the recurrent model: reads order (the first 'good'/'bad'-like word decides)."""

    def predict(self, strings, verbose=0, batch_size=32):
        probabilities = []
        for text in strings:
            words = [w for w in str(text).split() if w in ("good", "fun", "bad", "dull")]
            probabilities.append(0.9 if words and words[0] in ("good", "fun") else 0.1)
        return np.array(probabilities)[:, np.newaxis]


LESSON = {
    "test_texts": TEST_TEXTS,
    "test_labels": TEST_LABELS,
    "tfidf_model": BagModel(),
    "text_model": FirstWordModel(),
    "seed_accuracies": [0.75, 0.76, 0.77],
}


def shuffle_words(texts, seed=0):
    rng = np.random.default_rng(seed)
    shuffled = []
    for text in texts:
        words = text.split()
        for _ in range(20):  # make sure every sentence with several words moves (short list: tests must be stable)
            order = rng.permutation(len(words))
            if len(words) < 2 or list(order) != list(range(len(words))):
                break
        shuffled.append(" ".join(words[i] for i in order))
    return shuffled


def scores(shuffled):
    """The right answers: tfidf, rnn, drop, flipped share, verdict."""
    labels = TEST_LABELS
    tfidf = float(np.mean(BagModel().predict(shuffled) == labels))
    shuffled_labels = FirstWordModel().predict(shuffled)[:, 0] > 0.5
    original_labels = FirstWordModel().predict(TEST_TEXTS)[:, 0] > 0.5
    rnn = float(np.mean(shuffled_labels == labels))
    drop = float(np.mean(original_labels == labels)) - rnn
    flipped = float(np.mean(shuffled_labels != original_labels))
    return tfidf, rnn, drop, flipped, drop > 0.02


def answers(seed=None, **changes):
    """The right answers for one shuffle (seed None: the hand-made one), with some replaced:
    (shuffled, tfidf, rnn, drop, flipped, verdict)."""
    shuffled = list(HAND_SHUFFLED) if seed is None else shuffle_words(TEST_TEXTS, seed)
    right = dict(zip(["tfidf", "rnn", "drop", "flipped", "verdict"], scores(shuffled)))
    right.update(changes)
    return shuffled, right["tfidf"], right["rnn"], right["drop"], right["flipped"], right["verdict"]


def original_accuracy():
    return float(np.mean((FirstWordModel().predict(TEST_TEXTS)[:, 0] > 0.5) == TEST_LABELS))


def test_8_4_the_toy_case_tells_the_mistakes_apart():
    _, tfidf, rnn, drop, flipped, _ = answers()
    original = original_accuracy()
    assert len({rnn, original, tfidf}) == 3  # the accuracy mistakes
    seeds_mean = float(np.mean(LESSON["seed_accuracies"]))
    assert drop > 0.02 and len({drop, -drop, seeds_mean - rnn, 0.0}) == 4  # the drop mistakes; the verdict is True
    assert len({flipped, 1 - flipped, abs(drop)}) == 3  # the flipped-share mistakes


def test_8_4_placeholders():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_4(..., ..., ..., ..., ..., ..., **LESSON)
    shuffled, tfidf, rnn, drop, flipped, verdict = answers()
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_4(shuffled, tfidf, rnn, ..., flipped, verdict, **LESSON)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_8_4(shuffled, tfidf, rnn, drop, ..., verdict, **LESSON)


def test_8_4_right(capsys):
    for seed in (None, 0, 1, 2):
        check.exercise_8_4(*answers(seed), **LESSON)
    assert capsys.readouterr().out.count("Exercise 8.4: correct") == 4


def test_8_4_sentences_shuffled_instead_of_words():
    _, *numbers = answers()
    message = failure_of(check.exercise_8_4, list(reversed(TEST_TEXTS)), *numbers, **LESSON)
    assert "test sentences in another order" in message


def test_8_4_words_changed():
    shuffled, *numbers = answers()
    shuffled[2] = shuffled[2].replace("good", "great")
    assert "does not hold the same words" in failure_of(check.exercise_8_4, shuffled, *numbers, **LESSON)


def test_8_4_not_shuffled():
    _, *numbers = answers()
    assert "in a new order" in failure_of(check.exercise_8_4, list(TEST_TEXTS), *numbers, **LESSON)


def test_8_4_wrong_accuracies():
    _, tfidf, rnn, *_ = answers()
    message = failure_of(check.exercise_8_4, *answers(tfidf=tfidf - 0.25), **LESSON)
    assert "`tfidf_shuffled_accuracy` is not what" in message and "too low" in message
    assert f"{tfidf:.3f}" not in message
    wrong_rnn = rnn + 0.25 if rnn < 0.7 else rnn - 0.25
    message = failure_of(check.exercise_8_4, *answers(rnn=wrong_rnn), **LESSON)
    assert "`rnn_shuffled_accuracy` is not what" in message and f"{rnn:.3f}" not in message
    assert "percentage" in failure_of(check.exercise_8_4, *answers(tfidf=100 * tfidf), **LESSON)


def test_8_4_tolerance_is_half_a_sentence():
    _, tfidf, rnn, *_ = answers()
    one_sentence = 1 / len(TEST_TEXTS)
    assert "`rnn_shuffled_accuracy`" in failure_of(check.exercise_8_4, *answers(rnn=rnn + one_sentence), **LESSON)
    assert "`tfidf_shuffled_accuracy`" in failure_of(check.exercise_8_4, *answers(tfidf=tfidf - one_sentence), **LESSON)


def test_8_4_accuracy_on_the_original_sentences_is_named():
    message = failure_of(check.exercise_8_4, *answers(rnn=original_accuracy()), **LESSON)
    assert "accuracy on the original sentences" in message


def test_8_4_rnn_scored_with_tfidf_is_named():
    _, tfidf, *_ = answers()
    assert "TF-IDF's accuracy" in failure_of(check.exercise_8_4, *answers(rnn=tfidf), **LESSON)


def test_8_4_drop_mistakes_are_named():
    _, _, rnn, drop, *_ = answers()
    assert drop != 0
    assert "wrong sign" in failure_of(check.exercise_8_4, *answers(drop=-drop), **LESSON)
    assert "percentage points" in failure_of(check.exercise_8_4, *answers(drop=100 * drop), **LESSON)
    seeds_mean = float(np.mean(LESSON["seed_accuracies"]))
    assert "mean accuracy over seeds" in failure_of(check.exercise_8_4, *answers(drop=seeds_mean - rnn), **LESSON)
    assert "TF-IDF's drop" in failure_of(check.exercise_8_4, *answers(drop=0.0), **LESSON)
    message = failure_of(check.exercise_8_4, *answers(drop=drop + 0.25), **LESSON)
    assert "too large" in message and f"{drop:.3f}" not in message


def test_8_4_flipped_share_mistakes_are_named():
    _, _, _, drop, flipped, _ = answers()
    n_flipped = round(flipped * len(TEST_TEXTS))
    assert n_flipped > 1 and abs(drop) != flipped
    assert "the number of sentences" in failure_of(check.exercise_8_4, *answers(flipped=n_flipped), **LESSON)
    assert "percentage" in failure_of(check.exercise_8_4, *answers(flipped=100 * flipped + 0.5), **LESSON)
    assert "kept their label" in failure_of(check.exercise_8_4, *answers(flipped=1 - flipped), **LESSON)
    message = failure_of(check.exercise_8_4, *answers(flipped=abs(drop)), **LESSON)
    assert "equals the change in accuracy" in message and "right to wrong" in message
    message = failure_of(check.exercise_8_4, *answers(flipped=flipped + 0.125), **LESSON)
    assert "too high" in message and f"{flipped:.3f}" not in message


class NudgedModel(FirstWordModel):
    """Every probability moves a little when the words move, but labels flip only where FirstWordModel's do."""

    def predict(self, strings, verbose=0, batch_size=32):
        base = super().predict(strings)
        return base + np.array([0.01 * (str(text).split()[0] in ("good", "bad")) + 0.001 for text in strings])[:, None]


def test_8_4_every_moved_probability_is_not_a_flip():
    lesson = dict(LESSON, text_model=NudgedModel())
    shuffled, tfidf, rnn, drop, flipped, verdict = answers()
    moved = np.abs(NudgedModel().predict(shuffled) - NudgedModel().predict(TEST_TEXTS))[:, 0] > 0
    assert not np.isclose(moved.mean(), flipped)
    message = failure_of(check.exercise_8_4, shuffled, tfidf, rnn, drop, float(moved.mean()), verdict, **lesson)
    assert "every probability that moved" in message


def test_8_4_verdict_must_follow_the_numbers():
    _, _, _, _, _, verdict = answers()
    message = failure_of(check.exercise_8_4, *answers(verdict=not verdict), **LESSON)
    assert "contradicts your own numbers" in message
    assert "(remove the quotes)" in failure_of(check.exercise_8_4, *answers(verdict=str(verdict)), **LESSON)


def test_8_4_hints_come_in_stages():
    messages = [failure_of(check.exercise_8_4, *answers(flipped=0.99), **LESSON) for _ in range(3)]
    assert "Hint 1 of 3" in messages[0] and "Hint 3 of 3" in messages[2]
