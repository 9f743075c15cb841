"""Checks for lesson 08 (sentiment from text): `from utils.exercises import lesson08 as check`.

Each `exercise_8_M` checks one exercise of notebooks/08_sentiment.ipynb. Text encoding is checked against
keras' own TextVectorization, the masked average against GlobalAveragePooling1D with a mask, the word
tagger by what it does (change one word, add padding, see which outputs move) and the shuffle experiment
by re-scoring the student's shuffled sentences with the lesson's models. No message gives the expected
value away.
"""

from __future__ import annotations

import collections
import contextlib
import string

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    StudentCodeError,
    all_layers,
    call,
    exercise,
    expect,
    expect_close,
    require,
    require_array,
    require_flag,
    require_function,
    require_number,
)
from ..environment import import_keras as _keras


def _numpy(tensor) -> np.ndarray:
    return np.asarray(_keras().ops.convert_to_numpy(tensor), dtype=np.float64)


_SWITCHED_OFF = "switched off while the check runs your function"


def _switched_off(*args, **kwargs):
    raise RuntimeError(f"this layer is {_SWITCHED_OFF}")


@contextlib.contextmanager
def _layer_switched_off(layer_class):
    """While the block runs, calling any instance of `layer_class` (the lesson's own or a new one) raises."""
    original = layer_class.__dict__["call"]
    try:
        layer_class.call = _switched_off
        yield
    finally:
        layer_class.call = original


def _call_without(layer_class, layer_name, function, name, *arguments):
    """checks.call with `layer_class` switched off: the exercise asks for what that layer does, by hand."""
    try:
        with _layer_switched_off(layer_class):
            return call(function, name, *arguments)
    except StudentCodeError as failure:
        if _SWITCHED_OFF in str(failure):
            raise ExerciseCheckFailed(
                f"`{name}` calls the {layer_name} layer (directly or through another function): the exercise asks "
                "you to write what it does yourself; use the layer only to compare, outside your function."
            ) from None
        raise


# ---- Exercise 8.1: text to ids by hand -----------------------------------------------------------------------

_VOCABULARY_8_1 = ["", "[UNK]", "the", "film", "not", "good", "bad", "at", "all", "is", "its", "a", "was", "i", "it"]
_UNKNOWN_8_1 = ["popcorn", "zany", "xylophone", "meh", "sequel", "dull"]


def _reference_vectorize(texts, vocabulary, sequence_length: int) -> np.ndarray:
    """keras' TextVectorization with this vocabulary (index 0 padding, 1 unknown), one row per text."""
    keras = _keras()
    layer = keras.layers.TextVectorization(vocabulary=list(vocabulary), output_sequence_length=sequence_length)
    return _numpy(layer(np.array(list(texts), dtype=object))).astype(np.int64)


def _variant_vectorize(
    text,
    vocabulary,
    sequence_length,
    *,
    unknown=1,
    lower=True,
    strip="remove",
    keep="first",
    pad="end",
    skip_unknown=False,
):
    """What a typical mistake gives: unknown words as padding, no lower-casing, punctuation kept, turned into
    spaces or stripped from the ends of words only, the last words kept, padding in front, unknown words dropped."""
    if lower:
        text = text.lower()
    if strip == "remove":
        text = text.translate(str.maketrans("", "", string.punctuation))
    elif strip == "space":
        text = text.translate(str.maketrans(string.punctuation, " " * len(string.punctuation)))
    words = text.split()
    if strip == "ends":
        words = [stripped for stripped in (word.strip(string.punctuation) for word in words) if stripped]
    index = {word: i for i, word in enumerate(vocabulary) if i >= 2}
    ids = [index.get(word, unknown) for word in words]
    if skip_unknown:
        ids = [i for i in ids if i != unknown]
    ids = ids[:sequence_length] if keep == "first" else ids[-sequence_length:]
    padding = [0] * (sequence_length - len(ids))
    return np.array(ids + padding if pad == "end" else padding + ids, dtype=np.int64)


_MISTAKES_8_1 = [
    (
        {"unknown": 0},
        "a word that is not in the vocabulary got the padding id (0). Padding marks 'no word here'; an unknown "
        "word is still a word, and the vocabulary has an entry for it.",
    ),
    (
        {"skip_unknown": True},
        "words that are not in the vocabulary were dropped: each one should still take a place in the sequence.",
    ),
    ({"lower": False}, "capital letters were not lowered, so 'Film' and 'film' are treated as different words."),
    (
        {"strip": "ends"},
        "punctuation was removed only at the ends of words: every punctuation character goes, also inside a word "
        '("it\'s" becomes one word without its apostrophe).',
    ),
    ({"strip": "none"}, "punctuation was left in place, so 'film,' is not recognised as 'film'."),
    (
        {"strip": "space"},
        'punctuation was replaced by a space instead of being removed: "it\'s" should become one word, not two.',
    ),
    ({"keep": "last"}, "a text longer than `sequence_length` should keep its first words, not its last ones."),
    ({"pad": "start"}, "the padding is in front of the words; TextVectorization pads at the end."),
]


def _cases_8_1():
    cases = [
        ("The film is not good", 8),
        ("Not bad, at ALL!", 6),
        ("It's a good film.", 5),
        ("The popcorn was good; the film was not.", 5),  # longer than the sequence: truncated
        ("the zany sequel is dull", 7),  # unknown words
        ("   good  ", 3),
    ]
    rng = np.random.default_rng()
    words = _VOCABULARY_8_1[2:] + _UNKNOWN_8_1
    for _ in range(3):
        n_words = int(rng.integers(1, 12))
        chosen = [str(rng.choice(words)) for _ in range(n_words)]
        chosen = [w.capitalize() if rng.random() < 0.3 else w for w in chosen]
        chosen = [w + str(rng.choice(list(",.!?;"))) if rng.random() < 0.3 else w for w in chosen]
        cases.append((" ".join(chosen), int(rng.integers(2, 12))))
    return cases


def exercise_8_1(my_vectorize):
    """my_vectorize(text, vocabulary, sequence_length) -> sequence_length ids, as TextVectorization gives them."""
    hints = [
        "Follow TextVectorization's three steps in order: standardize the text, split it into words, look each word "
        "up; then make every sequence exactly `sequence_length` long.",
        "Standardize = lower-case, then delete every character of `string.punctuation`; split on whitespace. A dict "
        "from word to position in `vocabulary` makes the look-up fast; remember the two special entries at the start.",
        "Words missing from the dict get the id of '[UNK]'. Cut the list of ids after `sequence_length` ids, then "
        "append the padding id until it is long enough.",
    ]
    with exercise("8.1", hints=hints):
        require_function(my_vectorize, "my_vectorize")
        keras = _keras()
        cases = []  # (text, sequence_length, label, what my_vectorize gave, what the layer gives)
        for text, sequence_length in _cases_8_1():
            label = f"my_vectorize({text!r}, vocabulary, sequence_length={sequence_length})"
            want = _reference_vectorize([text], _VOCABULARY_8_1, sequence_length)[0]  # before the layer is off
            arguments = (text, list(_VOCABULARY_8_1), sequence_length)
            result = _call_without(
                keras.layers.TextVectorization, "TextVectorization", my_vectorize, "my_vectorize", *arguments
            )
            got = require_array(result, label)
            got = got.reshape(-1) if got.size == sequence_length else got
            expect(
                got.ndim == 1,
                f"`{label}` has shape {got.shape}: return one flat sequence of ids for one text.",
            )
            if got.size < sequence_length:
                raise ExerciseCheckFailed(
                    f"`{label}` holds {got.size} ids, too few: every sequence must be exactly `sequence_length` long "
                    "(short texts are padded)."
                )
            if got.size > sequence_length:
                raise ExerciseCheckFailed(
                    f"`{label}` holds {got.size} ids, too many: a longer text is cut to `sequence_length` ids."
                )
            expect(
                np.allclose(got, np.round(got)),
                f"`{label}` holds numbers that are not whole: ids are positions in the vocabulary.",
            )
            cases.append((text, sequence_length, label, got, want))
        wrong = [case for case in cases if not np.array_equal(case[3], case[4])]
        if not wrong:
            return
        _, _, label, got, want = wrong[0]
        for mistake, message in _MISTAKES_8_1:  # a mistake is named only if it explains every case
            if all(
                np.array_equal(answer, _variant_vectorize(text, _VOCABULARY_8_1, length, **mistake))
                for text, length, _, answer, _ in cases
            ):
                raise ExerciseCheckFailed(f"`{label}`: {message}")
        words = want > 0
        if any(np.array_equal(got[words], want[words] + shift) for shift in (-1, 1)):
            raise ExerciseCheckFailed(
                f"`{label}`: the ids are off by one: a word's id is its position in `vocabulary`, counted from 0."
            )
        if got.min() < 0 or got.max() >= len(_VOCABULARY_8_1):
            raise ExerciseCheckFailed(
                f"`{label}` holds ids that are not positions in `vocabulary`: look each word up in the `vocabulary` "
                "argument (the check passes its own, smaller one)."
            )
        position = int(np.flatnonzero(got != want)[0])
        raise ExerciseCheckFailed(f"`{label}`: the id at position {position} is not right yet.")


# ---- Exercise 8.2: the masked average ------------------------------------------------------------------------


def _reference_masked_mean(embedded, mask) -> np.ndarray:
    keras = _keras()
    pooled = keras.layers.GlobalAveragePooling1D()(embedded.astype("float32"), mask=mask.astype(bool))
    return _numpy(pooled)


def _cases_8_2():
    fixed = np.random.default_rng(8)
    embedded = fixed.normal(size=(3, 5, 4))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
    cases = [(embedded, mask)]
    rng = np.random.default_rng()
    batch, steps, dim = (int(n) for n in rng.integers([2, 3, 2], [6, 12, 9]))
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = 1 if steps > 1 else lengths[0]  # one sequence with a single real word
    random_mask = np.arange(steps)[np.newaxis, :] < lengths[:, np.newaxis]
    cases.append((rng.normal(loc=0.5, size=(batch, steps, dim)), random_mask))
    return cases


def exercise_8_2(my_masked_mean):
    """my_masked_mean(embedded [batch, steps, dim], mask [batch, steps] bool) -> [batch, dim]: the mean of the
    vectors of the real words only."""
    hints = [
        "The padded positions still hold vectors (the embedding of id 0 is a trained vector like any other): "
        "they must not count, neither in the sum nor in the number you divide by.",
        "Turn the mask into 0s and 1s with a trailing axis of size 1 so that it multiplies every vector of its "
        "step; sum over the time axis.",
        "Divide by the number of real words of each sequence (the mask summed over the time axis, kept as a "
        "column so that it divides every component).",
    ]
    with exercise("8.2", hints=hints):
        pooling = _keras().layers.GlobalAveragePooling1D
        for embedded, mask in _cases_8_2():
            label = f"my_masked_mean(embedded of shape {embedded.shape}, mask of shape {mask.shape})"
            want = _reference_masked_mean(embedded, mask)  # before the layer is switched off
            result = _call_without(pooling, "GlobalAveragePooling1D", my_masked_mean, "my_masked_mean", embedded, mask)
            got = require_array(result, label, shape=want.shape, axis_names=("batch", "embedding dimensions"))
            if np.allclose(got, want, atol=1e-5):
                continue
            weights = mask[..., np.newaxis].astype(float)
            if np.allclose(got, embedded.mean(axis=1), atol=1e-5):
                raise ExerciseCheckFailed(
                    f"`{label}` is the mean over every step: the padded positions were counted as words."
                )
            if np.allclose(got, (embedded * weights).sum(axis=1), atol=1e-5):
                raise ExerciseCheckFailed(f"`{label}` is a sum over the real words, not their mean.")
            if np.allclose(got, (embedded * weights).mean(axis=1), atol=1e-5):
                raise ExerciseCheckFailed(
                    f"`{label}`: the padding was zeroed, but the sum was divided by the number of steps rather than "
                    "the number of real words of each sequence."
                )
            if np.allclose(got, embedded.sum(axis=1) / weights.sum(axis=1), atol=1e-5):
                raise ExerciseCheckFailed(
                    f"`{label}`: the division counts the real words, but the sum still includes the padded vectors."
                )
            expect_close(got, want, label, atol=1e-5, axis_names=("batch", "embedding dimensions"))


# ---- Exercise 8.3: a word tagger that reads both ways ---------------------------------------------------------

_IDS_8_3 = 1000  # the check feeds ids below this; any vocabulary at least this large accepts them


def _tagger_outputs(model, ids) -> np.ndarray:
    return _numpy(model(np.asarray(ids, dtype="int64"), training=False))


def exercise_8_3(word_tagger):
    """A keras model: ids [batch, steps] -> one score in [0, 1] per word [batch, steps, 1], where every word's score
    can depend on the words before it and after it, and padding (id 0) at the end changes nothing."""
    hints = [
        "Start from the lesson's bidirectional model: which option makes a recurrent layer give an output at every "
        "step instead of its last one only?",
        "A Dense layer applied to a 3-D tensor works at every step (lesson 03). A sigmoid keeps each score "
        "between 0 and 1.",
        "If more padding changes the scores of the real words, the recurrent layers do not know where the words "
        "end: which argument of the Embedding layer tells the layers after it to skip id 0?",
    ]
    with exercise("8.3", hints=hints):
        require(word_tagger, "word_tagger")
        keras = _keras()
        expect(
            isinstance(word_tagger, keras.Model),
            f"`word_tagger` should be a keras Model, got {type(word_tagger).__name__}.",
        )
        try:
            inputs, outputs = word_tagger.inputs, word_tagger.outputs
        except AttributeError:  # a Sequential model without keras.Input has no inputs yet
            inputs, outputs = None, None
        expect(
            bool(inputs) and len(inputs) == 1,
            '`word_tagger` should start from one keras.Input(shape=(None,), dtype="int64"), so that its input is '
            "known.",
        )
        expect(
            len(inputs[0].shape) == 2,
            f"the input of `word_tagger` has {len(inputs[0].shape)} axes; it reads ids [batch, steps]: "
            "keras.Input(shape=(None,), ...).",
        )
        expect(
            inputs[0].shape[1] is None,
            "the input of `word_tagger` has a fixed number of steps; with shape=(None,) it reads sentences of any "
            "length.",
        )
        expect(len(outputs) == 1, f"`word_tagger` should have one output, got {len(outputs)}.")
        out_shape = tuple(outputs[0].shape)
        expect(
            len(out_shape) == 3,
            f"the output of `word_tagger` has {len(out_shape)} axes; a score per word needs [batch, steps, 1]: "
            + ("the time axis is missing." if len(out_shape) == 2 else "check the layers after the recurrent one."),
        )
        expect(
            out_shape[2] == 1,
            "the last axis of the output of `word_tagger` should hold one score per word, not several.",
        )

        rng = np.random.default_rng()
        n_words = 12
        ids = rng.integers(2, _IDS_8_3, size=(4, n_words))
        try:
            before = _tagger_outputs(word_tagger, ids)
        except Exception as error:  # noqa: BLE001 - the student's model failing on ids is feedback
            small = [
                layer.input_dim
                for layer in all_layers(word_tagger)
                if isinstance(layer, keras.layers.Embedding) and layer.input_dim < _IDS_8_3
            ]
            if small:
                raise ExerciseCheckFailed(
                    f"the Embedding of `word_tagger` has room for {small[0]} ids, fewer than the lesson's vocabulary: "
                    "its first argument is the number of ids it can look up (`vocabulary_size`)."
                ) from None
            raise ExerciseCheckFailed(
                f"`word_tagger` failed on a batch of ids of shape {ids.shape}: {type(error).__name__}: "
                f"{str(error).strip().splitlines()[0][:200]}"
            ) from None
        expect(
            before.shape == (4, n_words, 1),
            f"for ids of shape {ids.shape} `word_tagger` returned shape {before.shape}: one score per word expected.",
        )
        expect(
            before.min() > 0.0 and before.max() < 1.0,
            "the scores of `word_tagger` are not all strictly between 0 and 1 (some are below 0, above 1, or "
            "exactly 0 or 1): end with the activation that turns any number into a probability.",
        )
        changed_last = ids.copy()
        changed_last[:, -1] = (ids[:, -1] + rng.integers(1, _IDS_8_3 - 2, size=4) - 2) % (_IDS_8_3 - 2) + 2
        reads_future = np.abs(_tagger_outputs(word_tagger, changed_last)[:, 0] - before[:, 0]).max() > 1e-6
        changed_first = ids.copy()
        changed_first[:, 0] = (ids[:, 0] + rng.integers(1, _IDS_8_3 - 2, size=4) - 2) % (_IDS_8_3 - 2) + 2
        reads_past = np.abs(_tagger_outputs(word_tagger, changed_first)[:, -1] - before[:, -1]).max() > 1e-6
        expect(
            reads_future or reads_past,
            "the score of a word of `word_tagger` changes neither with the first nor with the last word of the "
            f"sentence ({n_words} words): it does not read its context.",
        )
        expect(
            reads_future,
            "the score of the first word of `word_tagger` does not change when the last word changes: it only reads "
            "the words before it.",
        )
        expect(
            reads_past,
            "the score of the last word of `word_tagger` does not change when the first word changes: it only reads "
            "the words after it.",
        )
        padded = np.concatenate([ids, np.zeros((4, 5), dtype=ids.dtype)], axis=1)
        with_padding = _tagger_outputs(word_tagger, padded)[:, :n_words]
        expect(
            np.abs(with_padding - before).max() < 1e-5,
            "with five padding ids (0) added at the end, the scores of the real words of `word_tagger` change: the "
            "layers that read backwards start in the padding instead of at the last word.",
        )


# ---- Exercise 8.4: does the recurrent model read word order? --------------------------------------------------


def _words(text: str) -> list[str]:
    return str(text).split()


def _share(answer, name: str) -> float:
    """An accuracy: a fraction from 0 to 1."""
    value = require_number(answer, name)
    if 1 < value <= 100:
        raise ExerciseCheckFailed(f"`{name}` = {value:g} looks like a percentage; give a fraction between 0 and 1.")
    expect(0 <= value <= 1, f"`{name}` = {value:g} is not an accuracy: an accuracy lies between 0 and 1.")
    return value


def _labels(probabilities) -> np.ndarray:
    return (np.asarray(probabilities, dtype=float).reshape(-1) > 0.5).astype(np.int64)


def exercise_8_4(
    shuffled_test_texts,
    tfidf_shuffled_accuracy,
    rnn_shuffled_accuracy,
    rnn_accuracy_drop,
    flipped_share,
    order_matters,
    *,
    test_texts,
    test_labels,
    tfidf_model,
    text_model,
    seed_accuracies,
):
    """The test sentences with their words shuffled; both models' accuracy on them; how much accuracy the recurrent
    model loses and what share of its predictions flip; the verdict: does it lose more than the seed spread?"""
    hints = [
        "Shuffle the words inside each sentence (split on spaces, shuffle, join), keeping the sentences in their "
        "order, then score the shuffled list with both models exactly as the lesson scored the test set.",
        "A bag of single words sees which words occur, not where: think about what shuffling can change for "
        "TF-IDF. For `text_model`, keep its predicted labels (probability above 0.5) on the original and on the "
        "shuffled sentences: the drop compares two accuracies, the flipped share compares the two label arrays.",
        "`rnn_accuracy_drop` is text_model's accuracy on `test_texts` minus `rnn_shuffled_accuracy`; "
        "`flipped_share` is the mean of (label on the original != label on the shuffled sentence); `order_matters` "
        "is True only if the drop is larger than max(seed_accuracies) - min(seed_accuracies).",
    ]
    with exercise("8.4", hints=hints):
        require(shuffled_test_texts, "shuffled_test_texts")
        originals = [str(text) for text in test_texts]
        n_texts = len(originals)
        tfidf_value = _share(tfidf_shuffled_accuracy, "tfidf_shuffled_accuracy")
        rnn_value = _share(rnn_shuffled_accuracy, "rnn_shuffled_accuracy")
        drop_value = require_number(rnn_accuracy_drop, "rnn_accuracy_drop")
        flipped_value = require_number(flipped_share, "flipped_share")
        verdict = require_flag(order_matters, "order_matters")

        expect(
            not isinstance(shuffled_test_texts, str) and hasattr(shuffled_test_texts, "__len__"),
            f"`shuffled_test_texts` should be a list of sentences, got {type(shuffled_test_texts).__name__}.",
        )
        shuffled = list(shuffled_test_texts)
        expect(
            len(shuffled) == n_texts,
            f"`shuffled_test_texts` holds {len(shuffled)} sentences, but the test set has {n_texts}: "
            "one shuffled sentence per test sentence.",
        )
        not_text = [i for i, text in enumerate(shuffled) if not isinstance(text, str | np.str_)]
        expect(
            not not_text,
            f"`shuffled_test_texts[{not_text[0] if not_text else 0}]` is not a string: join each sentence's shuffled "
            "words back into one text with spaces.",
        )
        bags = collections.Counter
        same_bag = [bags(_words(new)) == bags(_words(old)) for new, old in zip(shuffled, originals)]
        if not all(same_bag):
            if collections.Counter(shuffled) == collections.Counter(originals):
                raise ExerciseCheckFailed(
                    "`shuffled_test_texts` holds the test sentences in another order: shuffle the words inside each "
                    "sentence and keep the sentences where they are (the labels follow them)."
                )
            first = same_bag.index(False)
            raise ExerciseCheckFailed(
                f"`shuffled_test_texts[{first}]` does not hold the same words as `test_texts[{first}]`: shuffling may "
                "move words, not add, drop or change them."
            )
        movable = [i for i, text in enumerate(originals) if len(set(_words(text))) >= 4]
        moved = np.mean([_words(shuffled[i]) != _words(originals[i]) for i in movable]) if movable else 1.0
        expect(
            moved >= 0.8,
            f"only {100 * moved:.0f}% of the test sentences with four or more different words are in a new order: "
            "shuffle the words of every sentence.",
        )

        # the check's own numbers; answers are exact shares of the test set, so half a sentence is the tolerance
        tolerance = 0.5 / n_texts

        def close(value, reference) -> bool:
            return abs(value - reference) <= tolerance

        labels = np.asarray(test_labels).reshape(-1)
        tfidf_reference = float(np.mean(np.asarray(tfidf_model.predict(shuffled)).reshape(-1) == labels))
        tfidf_original = float(np.mean(np.asarray(tfidf_model.predict(originals)).reshape(-1) == labels))
        probabilities = text_model.predict(np.array(shuffled, dtype=object), verbose=0, batch_size=512)
        original_probabilities = text_model.predict(np.array(originals, dtype=object), verbose=0, batch_size=512)
        shuffled_labels, original_labels = _labels(probabilities), _labels(original_probabilities)
        rnn_reference = float(np.mean(shuffled_labels == labels))
        rnn_original = float(np.mean(original_labels == labels))
        drop_reference = rnn_original - rnn_reference
        flipped_reference = float(np.mean(shuffled_labels != original_labels))

        if not close(tfidf_value, tfidf_reference):
            raise ExerciseCheckFailed(
                "`tfidf_shuffled_accuracy` is not what `tfidf_model` scores on `shuffled_test_texts`: "
                + ("it is too high." if tfidf_value > tfidf_reference else "it is too low.")
            )
        if not close(rnn_value, rnn_reference):
            if close(rnn_value, rnn_original):
                raise ExerciseCheckFailed(
                    "`rnn_shuffled_accuracy` is `text_model`'s accuracy on the original sentences (`test_texts`): "
                    "score `shuffled_test_texts` instead."
                )
            if close(rnn_value, tfidf_reference):
                raise ExerciseCheckFailed(
                    "`rnn_shuffled_accuracy` is TF-IDF's accuracy on the shuffled sentences: score them with "
                    "`text_model`."
                )
            raise ExerciseCheckFailed(
                "`rnn_shuffled_accuracy` is not what `text_model` scores on `shuffled_test_texts` (a review is "
                "positive when its probability is above 0.5): "
                + ("it is too high." if rnn_value > rnn_reference else "it is too low.")
            )

        if not close(drop_value, drop_reference):
            if 1 < abs(drop_value) <= 100:
                raise ExerciseCheckFailed(
                    f"`rnn_accuracy_drop` = {drop_value:g} looks like percentage points; give the difference of two "
                    "accuracies between 0 and 1."
                )
            if close(drop_value, -drop_reference):
                raise ExerciseCheckFailed(
                    "`rnn_accuracy_drop` has the wrong sign: the drop is the accuracy before shuffling minus the "
                    "accuracy after (positive when shuffling costs accuracy)."
                )
            seeds = np.asarray(seed_accuracies, dtype=float).reshape(-1)
            if seeds.size and close(drop_value, float(seeds.mean()) - rnn_reference):
                raise ExerciseCheckFailed(
                    "`rnn_accuracy_drop` starts from the mean accuracy over seeds; `text_model` is one trained model: "
                    "compare its own accuracy on `test_texts` with its accuracy on the shuffled sentences."
                )
            if close(drop_value, tfidf_original - tfidf_reference):
                raise ExerciseCheckFailed("`rnn_accuracy_drop` is TF-IDF's drop: measure `text_model`'s.")
            raise ExerciseCheckFailed(
                "`rnn_accuracy_drop` is not `text_model`'s accuracy on `test_texts` minus its accuracy on "
                "`shuffled_test_texts`: " + ("it is too large." if drop_value > drop_reference else "it is too small.")
            )

        if not close(flipped_value, flipped_reference):
            n_flipped = int(round(flipped_reference * n_texts))
            if flipped_value > 1 and float(flipped_value).is_integer():
                what = "the number" if flipped_value == n_flipped else "a number"
                raise ExerciseCheckFailed(
                    f"`flipped_share` = {flipped_value:g} looks like {what} of sentences; give a share (0 to 1)."
                )
            if 1 < flipped_value <= 100:
                raise ExerciseCheckFailed(
                    f"`flipped_share` = {flipped_value:g} looks like a percentage; give a share (0 to 1)."
                )
            if close(flipped_value, 1 - flipped_reference):
                raise ExerciseCheckFailed(
                    "`flipped_share` is the share of predictions that kept their label: count the ones that changed."
                )
            if close(flipped_value, abs(drop_reference)):
                raise ExerciseCheckFailed(
                    "`flipped_share` equals the change in accuracy, but that is not the share of flipped "
                    "predictions: one prediction can flip from right to wrong while another flips from wrong to "
                    "right, and the accuracy does not see either. Compare the two arrays of labels directly."
                )
            moved = np.abs(np.asarray(probabilities, float) - np.asarray(original_probabilities, float)) > 0
            if close(flipped_value, float(np.mean(moved))):
                raise ExerciseCheckFailed(
                    "`flipped_share` counts every probability that moved; count only the predictions whose label "
                    "changes (the probability crosses 0.5)."
                )
            raise ExerciseCheckFailed(
                "`flipped_share` is not the share of test sentences whose predicted label (probability above 0.5) "
                "differs between the original and the shuffled sentence: "
                + ("it is too high." if flipped_value > flipped_reference else "it is too low.")
            )

        seeds = np.asarray(seed_accuracies, dtype=float).reshape(-1)
        spread = float(seeds.max() - seeds.min())
        if abs(drop_reference - spread) > tolerance:  # on the boundary, either verdict is accepted
            expect(
                verdict == (drop_reference > spread),
                "`order_matters` contradicts your own numbers: compare `rnn_accuracy_drop` with the spread of the "
                "recurrent model's accuracy between seeds.",
            )
