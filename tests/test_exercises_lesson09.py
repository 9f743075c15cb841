"""Unit tests for utils/exercises/lesson09.py: placeholders, typical wrong answers (each with its own message,
none giving the answer away) and right answers in several forms."""

import math

import numpy as np
import pytest

from tests.exercise_helpers import failure_of, placeholder
from utils.checks import NotAttempted
from utils.exercises import lesson09 as check

keras = pytest.importorskip("keras")


# ---------- 9.1 top-k sampling ----------


def top_k_choice(logits, k, rng):
    top = np.argsort(logits)[-k:]
    p = np.exp(logits[top] - logits[top].max())
    return int(rng.choice(top, p=p / p.sum()))


def top_k_masked(logits, k, rng):  # another way: mask everything below the kth largest, sample from the softmax
    logits = np.asarray(logits, dtype=np.float64)
    threshold = np.sort(logits)[-min(k, len(logits))]  # k may be larger than the vocabulary: keep them all
    masked = np.where(logits >= threshold, logits, -np.inf)
    p = np.exp(masked - masked.max())
    return rng.choice(len(logits), p=p / p.sum())  # a NumPy integer


def top_k_tensorflow(logits, k, rng):  # TensorFlow's top_k and categorical, the generator ignored
    import tensorflow as tf

    values, indices = tf.math.top_k(tf.constant(logits[None], dtype=tf.float64), k=min(k, len(logits)))
    choice = tf.random.categorical(values, 1)[0, 0]
    return indices[0, choice]


def top_k_inverse_cdf(logits, k, rng):  # by hand: cumulative probabilities and one uniform draw
    order = np.argsort(logits)[::-1][:k]
    p = np.exp(logits[order] - logits[order].max())
    cumulative = np.cumsum(p / p.sum())
    return int(order[min(np.searchsorted(cumulative, rng.random()), k - 1)])


@pytest.mark.parametrize("right", [top_k_choice, top_k_masked, top_k_tensorflow, top_k_inverse_cdf])
def test_9_1_right(right, capsys):
    check.exercise_9_1(right)
    assert "Exercise 9.1: correct" in capsys.readouterr().out


def test_9_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_1(...)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_1(placeholder)


def _shifted_top_k(shift):
    def sampler(logits, k, rng):
        return top_k_choice(logits, k + shift, rng) if k + shift >= 1 else int(np.argmax(logits))

    return sampler


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda logits, k, rng: int(np.argmax(logits)), "same token in all"),
        (lambda logits, k, rng: int(rng.choice(np.argsort(logits)[-k:])), "too flat"),
        (lambda logits, k, rng: int(rng.choice(len(logits), p=check._softmax(np.asarray(logits, float)))),
         "outside the k largest"),
        (lambda logits, k, rng: int(rng.choice(np.argsort(logits)[:k])), "SMALLEST"),
        (_shifted_top_k(+1), "one token too many"),
        (_shifted_top_k(-1), "only k - 1 tokens"),
        (lambda logits, k, rng: float(top_k_choice(logits, k, rng)) + 0.5, "whole number"),
        (lambda logits, k, rng: check._top_k_probabilities(np.asarray(logits, float), k), "one token id"),
        (lambda logits, k, rng: len(logits) + 3, "not an index"),
    ],
)  # fmt: skip
def test_9_1_typical_mistakes_are_named(wrong, words):
    assert words in failure_of(check.exercise_9_1, wrong)


def test_9_1_softmax_applied_twice_is_too_flat():
    def twice(logits, k, rng):
        top = np.argsort(logits)[-k:]
        p = check._softmax(check._softmax(np.asarray(logits[top], dtype=float)))
        return int(rng.choice(top, p=p))

    message = failure_of(check.exercise_9_1, twice)
    assert "too flat" in message and "a second time" in message


def test_9_1_k_larger_than_the_vocabulary():
    def partition(logits, k, rng):  # np.argpartition refuses k above the number of logits
        top = np.argpartition(logits, -k)[-k:]
        p = np.exp(logits[top] - logits[top].max())
        return int(rng.choice(top, p=p / p.sum()))

    message = failure_of(check.exercise_9_1, partition)
    assert "raised ValueError" in message and "larger than the number of logits" in message


def test_9_1_ordinals():
    assert [check._ordinal(n) for n in (1, 2, 3, 4, 6, 11, 12, 13, 21, 22, 53, 74, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "6th", "11th", "12th", "13th", "21st", "22nd", "53rd", "74th", "101st", "111th"
    ]  # fmt: skip
    message = failure_of(check.exercise_9_1, _shifted_top_k(+2))
    assert "7th largest" in message and ")th" not in message


def test_9_1_weights_without_renormalising_is_named():
    def full_softmax_probabilities(logits, k, rng):
        top = np.argsort(logits)[-k:]
        p = np.exp(logits - logits.max())
        p = p / p.sum()
        q = p[top] / p[top].sum()
        draw = rng.random()
        # keep the probabilities of the full softmax: the leftover mass falls on the largest logit
        cumulative = np.cumsum(p[top][::-1])
        index = np.searchsorted(cumulative, draw)
        return int(top[::-1][min(index, k - 1)]) if q is not None else 0

    message = failure_of(check.exercise_9_1, full_softmax_probabilities)
    assert "wrong probabilities" in message or "ALL the" in message


def test_9_1_probabilities_proportional_to_logits_are_wrong():
    def linear(logits, k, rng):
        top = np.argsort(logits)[-k:]
        weights = logits[top] - logits[top].min() + 1e-3
        return int(rng.choice(top, p=weights / weights.sum()))

    assert "wrong probabilities" in failure_of(check.exercise_9_1, linear)


def test_9_1_overflow_is_reported_with_the_students_error():
    def no_max_subtracted(logits, k, rng):
        top = np.argsort(logits)[-k:]
        p = np.exp(np.asarray(logits[top], dtype=np.float64))
        return int(rng.choice(top, p=p / p.sum()))

    message = failure_of(check.exercise_9_1, no_max_subtracted)
    assert "raised ValueError" in message and "large" in message


def test_9_1_probabilities_not_renormalised_are_explained():
    def not_renormalised(logits, k, rng):
        top = np.argsort(logits)[-k:]
        p = np.exp(logits - logits.max())
        return int(rng.choice(top, p=(p / p.sum())[top]))  # the softmax over ALL logits, cut to the k

    message = failure_of(check.exercise_9_1, not_renormalised)
    assert "sum to 1" in message and "THEIR sum" in message


def test_9_1_hints_come_in_stages():
    first = failure_of(check.exercise_9_1, lambda logits, k, rng: 0)
    second = failure_of(check.exercise_9_1, lambda logits, k, rng: 0)
    assert "Hint 1 of 3" in first and "Hint 2 of 3" not in first
    assert "Hint 2 of 3" in second


def test_9_1_student_error_is_reported_as_theirs():
    def broken(logits, k, rng):
        return logits.nonexistent

    assert "your `my_top_k_sample` raised AttributeError" in failure_of(check.exercise_9_1, broken)


def test_9_1_reference_distribution():
    probabilities = check._top_k_probabilities(np.array([0.0, 3.0, 1.0, 2.0]), 2)
    assert np.allclose(probabilities, [0, math.e / (1 + math.e), 0, 1 / (1 + math.e)])


# ---------- 9.2 the loss against the window length ----------


@pytest.fixture(scope="module")
def lesson_like():
    """A stand-in for the lesson's model and validation ids: a small GRU over 20 characters, text-like ids. Its output
    bias holds the log-frequencies of the ids, so that like a trained model it beats the uniform guess (ln 20)."""
    return _better_than_uniform(check._small_model(vocab=20, units=6, seed=5)), check.structured_ids(12_000, 20, seed=3)


def _better_than_uniform(model, ids=None):
    ids = check.structured_ids(12_000, 20, seed=3) if ids is None else ids
    weights = model.get_weights()
    weights[-2] = weights[-2] * 0.1
    weights[-1] = np.log(np.bincount(ids, minlength=20) + 1.0).astype(np.float32)
    model.set_weights(weights)
    return model


def windowed_tf_data(model, ids, length):
    import tensorflow as tf

    pieces = tf.data.Dataset.from_tensor_slices(ids).batch(length + 1, drop_remainder=True)
    windows = pieces.map(lambda piece: (piece[:-1], piece[1:])).batch(512)
    losses = [
        keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True).numpy().reshape(-1)
        for x, y in windows
    ]
    return float(np.concatenate(losses).mean())


def windowed_reshape(model, ids, length):
    n = len(ids) // (length + 1)
    pieces = np.asarray(ids)[: n * (length + 1)].reshape(n, length + 1)
    logits = model.predict(pieces[:, :-1], verbose=0)
    return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(pieces[:, 1:], logits, from_logits=True))


def windowed_evaluate(model, ids, length):
    n = len(ids) // (length + 1)
    pieces = np.asarray(ids)[: n * (length + 1)].reshape(n, length + 1)
    return model.evaluate(pieces[:, :-1], pieces[:, 1:], verbose=0, batch_size=n)


def measured(function, model, ids):
    return {length: float(function(model, ids, length)) for length in check.WINDOW_LENGTHS}


GUESS = {10: 2.0, 25: 1.8, 50: 1.7, 100: 1.6, 200: 1.6, 500: 1.6}


@pytest.mark.parametrize("right", [windowed_tf_data, windowed_reshape, windowed_evaluate])
def test_9_2_right(right, lesson_like, capsys):
    model, ids = lesson_like
    check.exercise_9_2(right, GUESS, measured(windowed_reshape, model, ids), model, ids)
    out = capsys.readouterr().out
    assert "Exercise 9.2: correct" in out
    assert "your guess" in out and "measured" in out  # the guesses next to the measurements, once measured


def test_9_2_placeholder(lesson_like):
    model, ids = lesson_like
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_2(placeholder, ..., ..., model, ids)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_2(placeholder, GUESS, ..., model, ids)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_2(windowed_reshape, {**GUESS, 500: ...}, {}, model, ids)


def test_9_2_guesses_must_be_possible_losses(lesson_like):
    model, ids = lesson_like
    right = measured(windowed_reshape, model, ids)
    for bad in (-5.0, 0.0, math.log(20) + 0.1):
        message = failure_of(check.exercise_9_2, windowed_reshape, {**GUESS, 25: bad}, right, model, ids)
        assert "my_guess[25]" in message and "ln 20" in message
    assert "should be a number" in failure_of(check.exercise_9_2, windowed_reshape, {**GUESS, 10: "low"}, right,
                                              model, ids)  # fmt: skip


def test_9_2_a_copy_of_the_measurements_is_not_a_guess(lesson_like):
    model, ids = lesson_like
    right = measured(windowed_reshape, model, ids)
    assert "copy" in failure_of(check.exercise_9_2, windowed_reshape, dict(right), right, model, ids)
    near = {length: value + 1e-5 for length, value in right.items()}
    assert "copy" in failure_of(check.exercise_9_2, windowed_reshape, near, right, model, ids)


def _variant(loss_of_logits=None, stride_extra=1, window_shift=0, scale=1.0, stride=None, keep_end=False):
    def my_windowed_loss(model, ids, length):
        piece_length = length + 1 + window_shift
        step = stride or (length + stride_extra)
        starts = list(range(0, len(ids) - piece_length + 1, step))
        pieces = np.stack([ids[s : s + piece_length] for s in starts])
        function = loss_of_logits or (lambda y, z: keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True))
        losses = np.asarray(function(pieces[:, 1:], model.predict(pieces[:, :-1], verbose=0))).reshape(-1)
        rest = ids[starts[-1] + step :] if keep_end else ids[:0]
        if len(rest) >= 2:
            losses = np.concatenate(
                [losses, np.asarray(function(rest[None, 1:], model.predict(rest[None, :-1], verbose=0))).reshape(-1)]
            )
        return scale * float(np.mean(losses))

    return my_windowed_loss


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (_variant(scale=1 / math.log(2)), "bits"),
        (_variant(loss_of_logits=lambda y, z: keras.losses.sparse_categorical_crossentropy(y, z)), "logits"),
        (_variant(loss_of_logits=lambda y, z: keras.losses.sparse_categorical_crossentropy(
            y, np.exp(z) / np.exp(z).sum(-1, keepdims=True), from_logits=True)), "softmax is applied twice"),
        (_variant(stride_extra=0), "overlap by one character"),
        (_variant(window_shift=-1, stride_extra=0), "the windows read 6 characters, not 7"),
        (_variant(window_shift=+1, stride_extra=2), "the windows read 8 characters, not 7"),
        (_variant(stride=1), "at every position"),
        (_variant(keep_end=True), "incomplete piece at the end"),
        (_variant(scale=-1), "wrong sign"),
    ],
)  # fmt: skip
def test_9_2_typical_mistakes_are_named(wrong, words, lesson_like):
    model, ids = lesson_like
    assert words in failure_of(check.exercise_9_2, wrong, GUESS, {}, model, ids)


def test_9_2_mistakes_are_told_apart_on_the_first_case(lesson_like):
    """On the first case every named mistake gives its own number, far beyond the tolerance: a mistake that is not
    in the list cannot borrow another's name."""
    description, model, ids, length = check._windowed_cases(*lesson_like)[0]
    values = [check._reference_windowed_loss(model, ids, length)] + [
        value for value, _ in check._windowed_variants(model, ids, length)
    ]
    gaps = [abs(a - b) / max(1, abs(b)) for i, a in enumerate(values) for b in values[i + 1 :]]
    assert min(gaps) > 10 * check._TOLERANCE


def test_9_2_an_unlisted_mistake_gets_a_direction_not_a_wrong_name(lesson_like):
    model, ids = lesson_like

    def drops_first_window(model, ids, length):
        return windowed_reshape(model, ids[length + 1 :], length)

    message = failure_of(check.exercise_9_2, drops_first_window, GUESS, {}, model, ids).split("Hint")[0]
    assert "too large" in message or "too small" in message
    for name in ("overlap", "every position", "incomplete", "the windows read"):
        assert name not in message


def test_9_2_unshifted_targets_and_sums_are_named(lesson_like):
    model, ids = lesson_like

    def unshifted(model, ids, length):
        pieces = check._pieces(np.asarray(ids), length + 1)
        logits = model.predict(pieces[:, :-1], verbose=0)
        return float(np.mean(keras.losses.sparse_categorical_crossentropy(pieces[:, :-1], logits, from_logits=True)))

    def summed_over_positions(model, ids, length):
        return windowed_reshape(model, ids, length) * length

    assert "NEXT character" in failure_of(check.exercise_9_2, unshifted, GUESS, {}, model, ids)
    assert "times too large" in failure_of(check.exercise_9_2, summed_over_positions, GUESS, {}, model, ids)


def test_9_2_carried_state_is_suspected(lesson_like):
    model, ids = lesson_like

    def one_long_window(model, ids, length):  # reads everything as one window: the state is never reset
        logits = model.predict(np.asarray(ids)[None, :-1], verbose=0)
        return float(
            np.mean(keras.losses.sparse_categorical_crossentropy(np.asarray(ids)[None, 1:], logits, from_logits=True))
        )

    message = failure_of(check.exercise_9_2, one_long_window, GUESS, {}, model, ids)
    assert "zero state" in message or "too" in message


def test_9_2_array_instead_of_number(lesson_like):
    model, ids = lesson_like

    def per_window(model, ids, length):
        pieces = check._pieces(np.asarray(ids), length + 1)
        logits = model.predict(pieces[:, :-1], verbose=0)
        return np.mean(keras.losses.sparse_categorical_crossentropy(pieces[:, 1:], logits, from_logits=True), axis=1)

    assert "one number" in failure_of(check.exercise_9_2, per_window, GUESS, {}, model, ids)


def test_9_2_measurements_must_be_the_lessons(lesson_like):
    model, ids = lesson_like
    right = measured(windowed_reshape, model, ids)
    message = failure_of(check.exercise_9_2, windowed_reshape, GUESS, {**right, 50: right[50] + 0.1}, model, ids)
    assert "losses_by_length[50]" in message and "too large" in message
    assert f"{right[50]:.3f}" not in message
    on_a_part = measured(windowed_reshape, model, ids[:30_000] if len(ids) > 30_000 else ids[:5_000])
    if len(ids) <= 30_000:  # the stand-in ids are shorter than the lesson's: check the 'part' wording directly
        message = failure_of(check.exercise_9_2, windowed_reshape, GUESS, on_a_part, model, ids)
        assert "too" in message
    missing = {length: value for length, value in right.items() if length != 200}
    assert "[200]" in failure_of(check.exercise_9_2, windowed_reshape, GUESS, missing, model, ids)
    assert "should be a dict" in failure_of(check.exercise_9_2, windowed_reshape, [1.0] * 6, right, model, ids)


def test_9_2_measured_on_the_first_30000_is_named():
    ids = np.concatenate(
        [check.structured_ids(30_000, 20, seed=4), check.structured_ids(10_000, 20, seed=6, noise=0.6)]
    )
    model = _better_than_uniform(check._small_model(vocab=20, units=6, seed=5), ids)
    on_a_part = measured(windowed_reshape, model, ids[:30_000])
    assert "a part of the validation characters" in failure_of(
        check.exercise_9_2, windowed_reshape, GUESS, on_a_part, model, ids
    )


def test_9_2_message_does_not_give_the_value(lesson_like):
    model, ids = lesson_like
    description, small, small_ids, length = check._windowed_cases(model, ids)[0]
    want = check._reference_windowed_loss(small, small_ids, length)
    message = failure_of(check.exercise_9_2, lambda model, ids, length: 0.123, GUESS, {}, model, ids)
    assert f"{want:.3f}" not in message and f"{want:.2f}" not in message


def test_9_2_hints_stop_at_the_method(lesson_like):
    model, ids = lesson_like
    message = ""
    for _ in range(3):
        message = failure_of(check.exercise_9_2, lambda model, ids, length: 0.123, GUESS, {}, model, ids)
    assert "Hint 3 of 3" in message
    for code in ("make_windows", "model.evaluate", "sparse_categorical_crossentropy", "model.predict"):
        assert code not in message


# ---------- 9.3 mixing two models ----------


@pytest.fixture(scope="module")
def two_models():
    """Per-character losses of two models that are each better on different characters."""
    rng = np.random.default_rng(11)
    shared = rng.gamma(2.0, 0.7, 8_000)
    return shared + rng.normal(0, 0.5, 8_000).clip(-0.9 * shared, None), shared + rng.normal(0, 0.5, 8_000).clip(
        -0.9 * shared, None
    )


def mixture_logaddexp(a, b, w):
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.logaddexp(np.log(w) - a, np.log(1 - w) - b)))


def mixture_plain(a, b, w):
    return -np.mean(np.log(w * np.exp(-a) + (1 - w) * np.exp(-b)))


GRID = np.linspace(0, 1, 21)


def solved(function, a, b, conclusion="C"):
    """first_half_curve, chosen_weight, mixture_loss, my_conclusion as the exercise asks."""
    half = len(a) // 2
    curve = [function(a[:half], b[:half], w) for w in GRID]
    weight = GRID[int(np.argmin(curve))]
    return curve, weight, function(a[half:], b[half:], weight), conclusion


@pytest.mark.parametrize("right", [mixture_logaddexp, mixture_plain])
def test_9_3_right(right, two_models, capsys):
    a, b = two_models
    check.exercise_9_3(right, *solved(right, a, b), a, b)
    assert "Exercise 9.3: correct" in capsys.readouterr().out


def test_9_3_answers_in_other_forms(two_models, capsys):
    a, b = two_models
    curve, weight, loss, _ = solved(mixture_plain, a, b)
    check.exercise_9_3(mixture_plain, np.array(curve), np.float32(weight), np.float64(loss), " c ", a, b)
    assert "correct" in capsys.readouterr().out


def test_9_3_placeholder(two_models):
    a, b = two_models
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_3(placeholder, ..., ..., ..., ..., a, b)
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_9_3(mixture_plain, ..., ..., ..., ..., a, b)
    curve, weight, loss, _ = solved(mixture_plain, a, b)
    with pytest.raises(NotAttempted, match="my_conclusion"):
        check.exercise_9_3(mixture_plain, curve, weight, loss, ..., a, b)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda a, b, w: np.mean(w * a + (1 - w) * b), "mixes the losses"),
        (lambda a, b, w: mixture_plain(b, a, w), "wrong model"),
        (lambda a, b, w: -mixture_plain(a, b, w), "wrong sign"),
        (lambda a, b, w: -np.log(np.mean(w * np.exp(-a) + (1 - w) * np.exp(-b))), "average probability"),
        (lambda a, b, w: mixture_plain(a, b, w) / math.log(2), "bits"),
        (lambda a, b, w: -np.log(w * np.exp(-a) + (1 - w) * np.exp(-b)), "one number"),
    ],
)
def test_9_3_typical_mistakes_are_named(wrong, words, two_models):
    a, b = two_models
    assert words in failure_of(check.exercise_9_3, wrong, *solved(mixture_plain, a, b), a, b)


def test_9_3_the_curve_must_come_from_the_first_half(two_models):
    a, b = two_models
    half = len(a) // 2
    _, weight, loss, conclusion = solved(mixture_plain, a, b)
    second = [mixture_plain(a[half:], b[half:], w) for w in GRID]
    everything = [mixture_plain(a, b, w) for w in GRID]
    first = [mixture_plain(a[:half], b[:half], w) for w in GRID]
    assert "SECOND half" in failure_of(check.exercise_9_3, mixture_plain, second, weight, loss, conclusion, a, b)
    assert "ALL the characters" in failure_of(check.exercise_9_3, mixture_plain, everything, weight, loss,
                                              conclusion, a, b)  # fmt: skip
    assert "backwards" in failure_of(check.exercise_9_3, mixture_plain, first[::-1], weight, loss, conclusion, a, b)
    assert "one loss for each of the 21" in failure_of(check.exercise_9_3, mixture_plain, first[:20], weight, loss,
                                                       conclusion, a, b)  # fmt: skip
    nudged = list(first)
    nudged[7] += 0.01
    message = failure_of(check.exercise_9_3, mixture_plain, nudged, weight, loss, conclusion, a, b)
    assert "at weight 0.35" in message and "too large" in message


def test_9_3_weight_chosen_from_the_curve(two_models):
    a, b = two_models
    half = len(a) // 2
    curve, on_first, loss, conclusion = solved(mixture_plain, a, b)
    on_second = GRID[int(np.argmin([mixture_plain(a[half:], b[half:], w) for w in GRID]))]
    if on_second != on_first:
        message = failure_of(check.exercise_9_3, mixture_plain, curve, on_second, loss, conclusion, a, b)
        assert "SECOND half" in message
    other = 0.0 if on_first > 0.5 else 1.0
    message = failure_of(check.exercise_9_3, mixture_plain, curve, other, loss, conclusion, a, b)
    assert "not the weight where" in message and f"{on_first:g}" not in message.split("not the weight")[1]
    assert "between 0 and 1" in failure_of(check.exercise_9_3, mixture_plain, curve, 1.5, loss, conclusion, a, b)


def test_9_3_loss_reported_on_the_wrong_half(two_models):
    a, b = two_models
    half = len(a) // 2
    curve, weight, loss, conclusion = solved(mixture_plain, a, b)
    first = mixture_plain(a[:half], b[:half], weight)
    everything = mixture_plain(a, b, weight)
    assert "first half" in failure_of(check.exercise_9_3, mixture_plain, curve, weight, first, conclusion, a, b)
    assert "all the characters" in failure_of(check.exercise_9_3, mixture_plain, curve, weight, everything,
                                              conclusion, a, b)  # fmt: skip
    message = failure_of(check.exercise_9_3, mixture_plain, curve, weight, loss + 0.05, conclusion, a, b)
    assert "too large" in message and f"{loss:.3f}" not in message


@pytest.mark.parametrize(("letter", "words"), [("A", "never saw"), ("B", "standard error"), ("D", "useless model")])
def test_9_3_each_wrong_conclusion_gets_its_reason(letter, words, two_models):
    a, b = two_models
    curve, weight, loss, _ = solved(mixture_plain, a, b)
    message = failure_of(check.exercise_9_3, mixture_plain, curve, weight, loss, letter, a, b)
    assert f"{letter} does not" in message and words in message
    for other in "ABCD":
        assert f"{other} holds" not in message and f"answer is {other}" not in message


def test_9_3_conclusion_must_be_a_letter(two_models):
    a, b = two_models
    curve, weight, loss, _ = solved(mixture_plain, a, b)
    assert "one of A, B, C, D" in failure_of(check.exercise_9_3, mixture_plain, curve, weight, loss, "yes", a, b)
    assert "one of A, B, C, D" in failure_of(check.exercise_9_3, mixture_plain, curve, weight, loss, True, a, b)


def test_9_3_when_one_model_is_much_better_the_mix_is_not_clearly_better(capsys):
    rng = np.random.default_rng(5)
    good = rng.gamma(2.0, 0.5, 4_000)
    bad = good + 1.5
    assert check.supported_conclusion(good, bad, 1.0) == "B"
    curve, weight, loss, _ = solved(mixture_plain, good, bad)
    message = failure_of(check.exercise_9_3, mixture_plain, curve, weight, loss, "C", good, bad)
    assert "C does not follow" in message
    check.exercise_9_3(mixture_plain, curve, weight, loss, "B", good, bad)
    assert "correct" in capsys.readouterr().out


def test_9_3_hints_stop_at_the_method(two_models):
    a, b = two_models
    message = ""
    for _ in range(3):
        message = failure_of(check.exercise_9_3, lambda a, b, w: 0.5, *solved(mixture_plain, a, b), a, b)
    assert "Hint 3 of 3" in message and "np.exp(" not in message and "np.log(" not in message
