"""Checks for lesson 09 (character-level text generation): `from utils.exercises import lesson09 as check`.

Each `exercise_9_M` checks one exercise of notebooks/09_char_rnn.ipynb. The sampler is run thousands of
times on several sets of logits (some random, some huge, k larger than the vocabulary) and judged by
what it returns; the windowed loss is compared with a reference computed here, on a model built here
reading structured ids (so that every way of cutting windows wrongly gives its own number) and on the
lesson's own model; the mixture's weight is verified through the whole curve it was chosen from, and
the conclusion against the student's own numbers. No message gives the expected value away.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..checks import (
    ExerciseCheckFailed,
    NotAttempted,
    StudentCodeError,
    call,
    exercise,
    expect,
    require,
    require_number,
)
from ..environment import import_keras as _keras

# ---- Exercise 9.1: top-k sampling ----------------------------------------------------------------------


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st, ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


def _top_k_probabilities(logits: np.ndarray, k: int) -> np.ndarray:
    """The distribution top-k sampling draws from: softmax over the k largest logits, 0 elsewhere."""
    keep = np.argsort(logits)[::-1][:k]
    probabilities = np.zeros(len(logits))
    probabilities[keep] = _softmax(logits[keep])
    return probabilities


def _sampling_cases() -> list[tuple[str, np.ndarray, int, int]]:
    """(description, logits, k, draws): random logits of the lesson's size, a small vocabulary, k = 1,
    k = every token, k above the number of tokens, logits too large for a plain exp, all-negative logits.
    No ties near the cut."""
    rng = np.random.default_rng(91)
    cases = []
    spread = np.sort(rng.normal(scale=2.0, size=78))[::-1]
    cases.append(("random logits for 78 characters, k=5", rng.permutation(spread), 5, 3000))
    cases.append(("random logits for 78 characters, k=12", rng.normal(scale=1.0, size=78), 12, 3000))
    cases.append(("logits [0.5, 2.0, -1.0, 1.0, 0.0, 3.0], k=3", np.array([0.5, 2.0, -1.0, 1.0, 0.0, 3.0]), 3, 3000))
    cases.append(("random logits for 78 characters, k=1", rng.normal(size=78), 1, 60))
    cases.append(
        (
            "logits [1.0, 0.2, -0.5, 0.8, 0.0, -1.5], k=6 (every token)",
            np.array([1.0, 0.2, -0.5, 0.8, 0.0, -1.5]),
            6,
            3000,
        )
    )
    cases.append(
        (
            "logits [0.3, -0.4, 1.2, 0.9, -1.0], k=8 (more than there are tokens: all of them are kept)",
            np.array([0.3, -0.4, 1.2, 0.9, -1.0]),
            8,
            3000,
        )
    )
    cases.append(
        (
            "large logits (around 800, as an untempered model can give), k=4",
            800 + rng.normal(scale=1.5, size=20),
            4,
            2000,
        )
    )
    cases.append(("all-negative float32 logits, k=4", (-5 + rng.normal(size=30)).astype(np.float32), 4, 2000))
    return cases  # fmt: skip


def _as_token(result, name: str, description: str, vocab: int) -> int:
    value = result
    if hasattr(value, "numpy") and callable(value.numpy):  # a TensorFlow tensor
        value = value.numpy()
    array = np.asarray(value)
    if array.size != 1:
        raise ExerciseCheckFailed(
            f"`{name}` should return one token id (a whole number), but for {description} it returned "
            f"{array.size} values (shape {array.shape}). Draw one token, not the whole distribution."
        )
    item = array.reshape(()).item()
    if isinstance(item, bool) or not isinstance(item, numbers.Integral):
        if isinstance(item, float) and float(item).is_integer():
            item = int(item)
        else:
            raise ExerciseCheckFailed(
                f"`{name}` should return a token id (a whole number, the index of a logit), but for {description} "
                f"it returned {item!r}. Is it a probability instead of an index?"
            )
    item = int(item)
    if not 0 <= item < vocab:
        raise ExerciseCheckFailed(
            f"`{name}` returned {item} for {description}, which is not an index of the logits (0 to {vocab - 1})."
        )
    return item


def _diagnose_sampling(tokens: np.ndarray, logits: np.ndarray, k: int, description: str) -> str:
    """What is wrong with the drawn tokens, or '' when they fit top-k sampling."""
    vocab, n_draws = len(logits), len(tokens)
    rank = np.empty(vocab, dtype=int)
    rank[np.argsort(logits)[::-1]] = np.arange(vocab)  # 0 = the largest logit
    ranks = rank[tokens]
    if (ranks >= k).any():
        worst = int(ranks.max())
        if k < vocab and (ranks >= vocab - k).all():
            return (f"on {description}, every token it returned is among the k SMALLEST logits: "
                    "keep the largest ones.")  # fmt: skip
        if worst == k:
            return (f"on {description}, it sometimes returned the token with the {_ordinal(k + 1)} largest logit: "
                    "one token too many is kept (off by one).")  # fmt: skip
        return (f"on {description}, it returned tokens outside the k largest logits (one had only the "
                f"{_ordinal(worst + 1)} largest logit): tokens outside the top k must never be drawn.")  # fmt: skip
    want = _top_k_probabilities(np.asarray(logits, dtype=float), k)
    counts = np.bincount(tokens, minlength=vocab)
    freq = counts / n_draws
    if k > 1 and len(np.unique(tokens)) == 1:
        return (f"on {description}, it returned the same token in all {n_draws} draws: that is a choice, not a "
                "sample. Draw at random, with the probabilities of the k tokens.")  # fmt: skip
    top = np.argsort(logits)[::-1][:k]
    if k > 1 and counts[top[-1]] == 0 and want[top[-1]] > 10 / n_draws:
        return (f"on {description}, it never returned the token with the kth largest logit: only k - 1 tokens "
                "are kept (off by one).")  # fmt: skip
    tolerance = 5.5 * np.sqrt(want * (1 - want) / n_draws) + 1.5 / n_draws
    if np.all(np.abs(freq - want) <= tolerance):
        return ""

    def fits(distribution: np.ndarray) -> bool:
        spread = 5.5 * np.sqrt(distribution * (1 - distribution) / n_draws) + 1.5 / n_draws
        return bool(np.all(np.abs(freq - distribution) <= spread))

    uniform = np.zeros(vocab)
    uniform[top] = 1 / len(top)
    twice = np.zeros(vocab)
    twice[top] = _softmax(_softmax(np.asarray(logits, dtype=float)[top]))  # a softmax of probabilities
    if fits(uniform) or fits(twice):
        return (f"on {description}, the k tokens come out closer to equally often than their logits say: the "
                "distribution is too flat. A token with a larger logit must come out more often, in proportion to "
                "exp(logit). (Weighting the k tokens equally does this, and so does a softmax applied a second "
                "time, to numbers that are already probabilities.)")  # fmt: skip
    full = np.zeros(vocab)
    full[top] = _softmax(np.asarray(logits, dtype=float))[top]
    if k < vocab and fits(full):
        return (f"on {description}, the k tokens come out with their probabilities under the softmax of ALL the "
                "logits: after dropping the others, the k probabilities must be scaled to sum to 1.")  # fmt: skip
    best = top[0]
    direction = "too often" if freq[best] > want[best] else "too rarely"
    return (f"on {description}, the tokens are drawn with the wrong probabilities: the largest-logit token came out "
            f"{direction}. The probabilities of the k tokens should be the softmax of their logits "
            "(exp, then divide by the sum), renormalised over the k.")  # fmt: skip


def _error_note(message: str, logits: np.ndarray, k: int) -> str:
    if k > len(logits):
        return (
            f": here k = {k} is larger than the number of logits ({len(logits)}). Then every token is kept: "
            "make sure your code works when k is at least the number of logits."
        )
    if "sum to 1" in message:
        return (
            ": the probabilities given to a sampler must sum to 1. After keeping the k largest logits, divide "
            "their exponentials by THEIR sum (not by the sum over all the logits); compute in float64."
        )
    if np.max(np.abs(logits)) > 100:
        return (
            ": logits this large overflow np.exp (exp(800) is inf, and inf / inf is nan). Subtracting the "
            "largest logit first changes nothing in the softmax and keeps every exp at most 1."
        )
    return ""


def exercise_9_1(my_top_k_sample) -> None:
    """my_top_k_sample(logits, k, rng) -> one token id, drawn from the softmax of the k largest logits."""
    hints = [
        "two steps: find the k largest logits, then draw one of those k tokens at random, the larger logits more "
        "often. The tokens outside the top k must never come out.",
        "sorting the logits tells you which k indices to keep. Their probabilities are the softmax of THEIR logits "
        "alone, so that the k probabilities sum to 1; subtract the largest logit before exponentiating, so that "
        "large logits do not overflow.",
        "the generator you are given can draw one item from a list with given probabilities (a weighted choice); "
        "draw among the kept indices, and return the index itself, as a plain int.",
    ]
    with exercise("9.1", hints=hints):
        require(my_top_k_sample, "my_top_k_sample")
        for number, (description, logits, k, n_draws) in enumerate(_sampling_cases()):
            rng = np.random.default_rng(900 + number)
            np.random.seed(900 + number)  # for a sampler that uses NumPy's global generator instead of rng
            tokens = np.empty(n_draws, dtype=int)
            for draw in range(n_draws):
                try:
                    result = call(my_top_k_sample, "my_top_k_sample", logits.copy(), k, rng)
                except StudentCodeError as failure:
                    raise StudentCodeError(
                        f"{failure}\n  on {description}{_error_note(str(failure), logits, k)}"
                    ) from None
                tokens[draw] = _as_token(result, "my_top_k_sample", description, len(logits))
            problem = _diagnose_sampling(tokens, logits, k, description)
            if problem:
                raise ExerciseCheckFailed(f"`my_top_k_sample` {problem}")


# ---- Exercise 9.2: the loss against the window length ----------------------------------------------------

WINDOW_LENGTHS = (10, 25, 50, 100, 200, 500)
_TOLERANCE = 1e-4  # relative (and absolute below 1): float32 against float64, batches of any size


def _numpy(tensor) -> np.ndarray:
    return np.asarray(_keras().ops.convert_to_numpy(tensor), dtype=np.float64)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _pieces(ids: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """Consecutive pieces of `size` ids, `stride` apart (side by side by default), the incomplete end dropped."""
    stride = size if stride is None else stride
    starts = np.arange(0, len(ids) - size + 1, stride)
    return np.stack([ids[start : start + size] for start in starts]) if len(starts) else np.zeros((0, size), int)


def _logits(model, inputs: np.ndarray) -> np.ndarray:
    return _numpy(model.predict(inputs.astype(np.int32), batch_size=256, verbose=0))


def _cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    log_p = _log_softmax(logits)
    return float(-np.take_along_axis(log_p, targets[..., None], axis=-1).mean())


def _windowed(model, pieces: np.ndarray) -> float:
    return _cross_entropy(_logits(model, pieces[:, :-1]), pieces[:, 1:]) if len(pieces) else float("nan")


def _reference_windowed_loss(model, ids, length: int) -> float:
    return _windowed(model, _pieces(np.asarray(ids), length + 1))


def _with_incomplete_end(model, ids: np.ndarray, length: int) -> float:
    """The side-by-side windows plus a shorter last one from the leftover characters (if 2 or more)."""
    pieces = _pieces(ids, length + 1)
    rest = ids[len(pieces) * (length + 1) :]
    if len(rest) < 2:
        return float("nan")
    logits = _logits(model, pieces[:, :-1])
    log_p = np.take_along_axis(_log_softmax(logits), pieces[:, 1:, None], axis=-1).reshape(-1)
    last = np.take_along_axis(_log_softmax(_logits(model, rest[None, :-1])), rest[None, 1:, None], axis=-1)
    return float(-np.concatenate([log_p, last.reshape(-1)]).mean())


def _windowed_variants(model, ids, length: int) -> list[tuple[float, str]]:
    """(value, what is wrong) for the mistakes students make most often."""
    ids = np.asarray(ids)
    pieces = _pieces(ids, length + 1)
    logits = _logits(model, pieces[:, :-1])
    targets = pieces[:, 1:]
    right = _cross_entropy(logits, targets)
    found = [
        (right / math.log(2), "it is in bits, not nats: use the natural logarithm (as Keras's losses do)."),
        (-right, "it has the wrong sign: the cross-entropy is MINUS the mean log-probability."),
    ]
    if length > 1:
        found.append((right * length, f"it is {length} times too large: average over the characters of a window "
                                      "too, not only over the windows."))  # fmt: skip
    probabilities = np.exp(_log_softmax(logits))
    found.append((_cross_entropy(probabilities, targets),
                  "the softmax is applied twice: the model's outputs are logits, which the loss turns into "
                  "probabilities itself (from_logits=True); do not apply a softmax yourself first."))  # fmt: skip
    as_probabilities = _keras().losses.sparse_categorical_crossentropy(targets, logits.astype(np.float32))
    found.append((float(np.mean(_numpy(as_probabilities))),
                  "the model's outputs are taken for probabilities: they are logits (scores before the softmax). "
                  "Keras's losses need from_logits=True for them."))  # fmt: skip
    found.append((_cross_entropy(logits, pieces[:, :-1]),
                  "each position is scored against the character it just read: the target is the NEXT character, "
                  "the input shifted by one."))  # fmt: skip
    if length > 1:
        found.append((_windowed(model, _pieces(ids, length)),
                      f"the windows read {length - 1} characters, not {length}: cut pieces of length + 1, then the "
                      "input is all but the last character and the target all but the first."))  # fmt: skip
    found.append((_windowed(model, _pieces(ids, length + 2)),
                  f"the windows read {length + 1} characters, not {length}: pieces of length + 1 characters give "
                  f"windows of length."))  # fmt: skip
    found.append((_windowed(model, _pieces(ids, length + 1, stride=length)),
                  "the pieces overlap by one character (they start `length` apart): cut pieces of length + 1 "
                  "side by side, so that each character is predicted once."))  # fmt: skip
    found.append((_windowed(model, _pieces(ids, length + 1, stride=1)),
                  "it cuts a window at every position, as the deck does for training: here the windows are side "
                  "by side, each character predicted once."))  # fmt: skip
    found.append((_with_incomplete_end(model, ids, length),
                  "it keeps the incomplete piece at the end: drop it, so that every window has `length` "
                  "characters."))  # fmt: skip
    return [(value, problem) for value, problem in found if np.isfinite(value)]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOLERANCE * max(1.0, abs(b))


def _small_model(vocab: int = 12, units: int = 8, seed: int = 92):
    """A small Embedding + GRU + Dense model with fixed random weights, compiled with the lesson's loss."""
    keras = _keras()
    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            keras.layers.Embedding(vocab, 5),
            keras.layers.GRU(units, return_sequences=True),
            keras.layers.Dense(vocab),
        ]
    )
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.8, size=w.shape).astype(np.float32) for w in model.get_weights()])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def structured_ids(n: int, vocab: int, seed: int, noise: float = 0.1) -> np.ndarray:
    """Text-like ids: a few short phrases repeated in a random order, a fraction `noise` of the ids replaced
    at random. What came before changes what a recurrent model predicts, so windows cut differently score
    differently (on uniform random ids they would nearly agree)."""
    rng = np.random.default_rng(seed)
    phrases = [rng.integers(0, vocab, size) for size in rng.integers(3, 9, 5)]
    ids = np.concatenate([phrases[index] for index in rng.integers(0, len(phrases), n)])[:n]
    swap = rng.random(n) < noise
    ids[swap] = rng.integers(0, vocab, swap.sum())
    return ids.astype(np.int64)


def _windowed_cases(model, valid_ids):
    small = _small_model()
    valid = np.asarray(valid_ids)
    start = int(np.random.default_rng(29).integers(0, max(1, len(valid) - 1_000)))
    return [
        ("a small GRU of the check's on 200 text-like ids, windows of 7", small, structured_ids(200, 12, 1), 7),
        ("a small GRU of the check's on 151 text-like ids, windows of 30", small, structured_ids(151, 12, 2), 30),
        ("a small GRU of the check's on 40 text-like ids, windows of 1", small, structured_ids(40, 12, 3), 1),
        ("the lesson's model on valid_ids[:3_000], windows of 50", model, valid[:3_000], 50),
        (f"the lesson's model on valid_ids[{start:_}:{start + 1_000:_}], windows of 12", model,
         valid[start : start + 1_000], 12),
    ]  # fmt: skip


def _as_loss_dict(answer, name: str) -> dict:
    require(answer, name)
    expect(isinstance(answer, dict), f"`{name}` should be a dict: window length -> loss, got {type(answer).__name__}.")
    missing = [length for length in WINDOW_LENGTHS if length not in answer]
    expect(
        not missing,
        f"`{name}` has no entry for the window lengths {missing}: give one for each of {list(WINDOW_LENGTHS)}.",
    )
    values = {}
    for length in WINDOW_LENGTHS:
        value = answer[length]
        if value is Ellipsis or value is None:
            raise NotAttempted(f"`{name}[{length}]` is still `...`: fill in a number for every length.")
        try:
            values[length] = float(np.asarray(value, dtype=float).reshape(()))
        except (TypeError, ValueError):
            raise ExerciseCheckFailed(
                f"`{name}[{length}]` should be a number (nats per character), got {value!r}."
            ) from None
    return values


def _as_float(got, name: str, description: str) -> float:
    try:
        return float(np.asarray(_numpy(got) if hasattr(got, "shape") else got, dtype=float).reshape(()))
    except (TypeError, ValueError):
        shape = np.shape(got)
        raise ExerciseCheckFailed(
            f"`{name}` on {description} should return one number (the mean loss), got "
            f"{'an array of shape ' + str(shape) if shape else type(got).__name__}."
        ) from None


def exercise_9_2(my_windowed_loss, my_guess, losses_by_length, model, valid_ids) -> None:
    """my_windowed_loss(model, ids, length) -> mean loss on side-by-side windows of `length` read from a zero state;
    my_guess, losses_by_length: dicts window length -> loss (the guess, then the measurement on valid_ids)."""
    hints = [
        "cut the ids into pieces of length + 1 characters, side by side, and drop an incomplete piece at the end; "
        "each piece gives one input window (all but its last character) and its target (all but its first).",
        "the model gives logits for every position of every window; the loss is the mean, over windows AND "
        "positions, of the cross-entropy of the target character: natural log, computed from logits.",
        "the lesson built its validation windows exactly this way for windows of 100, and its compiled loss is this "
        "cross-entropy: the same recipe works for any length. A batch of windows is read from a zero state each.",
    ]
    with exercise("9.2", hints=hints):
        require(my_guess, "my_guess")
        require(my_windowed_loss, "my_windowed_loss")
        require(losses_by_length, "losses_by_length")
        guess = _as_loss_dict(my_guess, "my_guess")
        vocab = int(model.output_shape[-1])
        for length, value in guess.items():
            expect(
                0 < value <= math.log(vocab),
                f"`my_guess[{length}]` = {value:g} is not a loss this model can be expected to have: a cross-entropy "
                f"is above 0, and guessing uniformly among the {vocab} ids costs ln {vocab} = {math.log(vocab):.2f} "
                "nats, which any trained model beats. Guess between the two.",
            )
        for description, case_model, ids, length in _windowed_cases(model, valid_ids):
            want = _reference_windowed_loss(case_model, ids, length)
            got = _as_float(call(my_windowed_loss, "my_windowed_loss", case_model, ids.copy(), length),
                            "my_windowed_loss", description)  # fmt: skip
            if _close(got, want):
                continue
            matches = [problem for value, problem in _windowed_variants(case_model, ids, length) if _close(got, value)]
            if len(matches) == 1:
                raise ExerciseCheckFailed(f"`my_windowed_loss` on {description}: {matches[0]}")
            raise ExerciseCheckFailed(
                f"`my_windowed_loss` on {description} is {'too large' if got > want else 'too small'}"
                + (": is every window read from a zero state (no state carried from one window to the next)?"
                   if got < want else ".")
            )  # fmt: skip
        measured = _as_loss_dict(losses_by_length, "losses_by_length")
        ids = np.asarray(valid_ids)
        reference = {}
        for length in WINDOW_LENGTHS:
            reference[length] = want = _reference_windowed_loss(model, ids, length)
            if abs(measured[length] - want) > 2e-3:
                part = _reference_windowed_loss(model, ids[:30_000], length)
                hint = (" It looks measured on a part of the validation characters: measure on all of valid_ids."
                        if abs(measured[length] - part) <= 2e-3 else "")  # fmt: skip
                raise ExerciseCheckFailed(
                    f"`losses_by_length[{length}]` is not what my_windowed_loss(model, valid_ids, {length}) gives "
                    f"for the lesson's model: it is {'too large' if measured[length] > want else 'too small'}." + hint
                )
        expect(
            any(abs(guess[length] - measured[length]) > 1e-3 for length in WINDOW_LENGTHS),
            "`my_guess` is a copy of `losses_by_length`: a guess is written BEFORE measuring (any honest guess "
            "passes; it is only there to be compared with the measurements).",
        )
        print("window length   your guess   measured   guess - measured")
        for length in WINDOW_LENGTHS:
            print(f"{length:>13}   {guess[length]:>10.3f}   {reference[length]:>8.3f}   "
                  f"{guess[length] - reference[length]:>+16.3f}")  # fmt: skip


# ---- Exercise 9.3: mixing two models ----------------------------------------------------------------------

WEIGHT_GRID = np.linspace(0, 1, 21)
CONCLUSIONS = ("A", "B", "C", "D")
_BLOCKS = 20


def _reference_mixture(gru_losses, ngram_losses, weight: float) -> float:
    return float(_mixture_per_character(gru_losses, ngram_losses, weight).mean())


def _mixture_per_character(gru_losses, ngram_losses, weight: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -np.logaddexp(
            np.log(weight) - np.asarray(gru_losses, float), np.log1p(-weight) - np.asarray(ngram_losses, float)
        )


def _mixture_variants(a: np.ndarray, b: np.ndarray, w: float) -> list[tuple[float, str]]:
    return [
        (float(np.mean(w * a + (1 - w) * b)),
         "it mixes the losses (the logs), not the probabilities: a character's mixed probability is "
         "w * p_GRU + (1 - w) * p_ngram, with p = exp(-loss); its loss is -log of that."),
        (_reference_mixture(b, a, w), "the weight is on the wrong model: w goes with the GRU, 1 - w with the n-gram."),
        (-_reference_mixture(a, b, w), "it has the wrong sign: a loss is MINUS the log-probability."),
        (float(-np.log(np.mean(w * np.exp(-a) + (1 - w) * np.exp(-b)))),
         "it takes -log of the average probability; take -log of each character's mixed probability, then average."),
        (_reference_mixture(a, b, w) / math.log(2), "it is in bits, not nats: use the natural logarithm."),
    ]  # fmt: skip


def _mixture_cases(gru_char_losses, ngram_char_losses):
    rng = np.random.default_rng(93)
    a, b = rng.exponential(1.5, 60), rng.exponential(1.5, 60)
    lesson_a, lesson_b = np.asarray(gru_char_losses, float)[:5_000], np.asarray(ngram_char_losses, float)[:5_000]
    return [
        ("60 random losses, weight 0.3", a, b, 0.3),
        ("60 random losses, weight 0.85", a, b, 0.85),
        ("60 random losses, weight 0 (the n-gram alone)", a, b, 0.0),
        ("60 random losses, weight 1 (the GRU alone)", a, b, 1.0),
        ("the first 5,000 characters of the lesson's losses, weight 0.5", lesson_a, lesson_b, 0.5),
    ]


def _block_error(differences: np.ndarray) -> float:
    """The standard error of the mean of per-character differences, from 20 consecutive blocks (Section 6)."""
    blocks = differences[: len(differences) // _BLOCKS * _BLOCKS].reshape(_BLOCKS, -1).mean(axis=1)
    return float(blocks.std(ddof=1) / math.sqrt(_BLOCKS))


def supported_conclusion(gru_char_losses, ngram_char_losses, weight: float) -> str:
    """'C' when, on the second half, the mixture with `weight` beats the better model alone by more than 3 block
    standard errors; 'B' otherwise. ('A' and 'D' are claims the numbers never support.)"""
    gru, ngram = np.asarray(gru_char_losses, float), np.asarray(ngram_char_losses, float)
    half = len(gru) // 2
    better = gru[half:] if gru[half:].mean() <= ngram[half:].mean() else ngram[half:]
    gain = better - _mixture_per_character(gru[half:], ngram[half:], weight)
    return "C" if gain.mean() > 3 * _block_error(gain) else "B"


def _check_mixture_function(my_mixture_loss, gru_char_losses, ngram_char_losses) -> None:
    for description, a, b, w in _mixture_cases(gru_char_losses, ngram_char_losses):
        want = _reference_mixture(a, b, w)
        got = call(my_mixture_loss, "my_mixture_loss", a.copy(), b.copy(), w)
        try:
            got = float(np.asarray(got, dtype=float).reshape(()))
        except (TypeError, ValueError):
            raise ExerciseCheckFailed(
                f"`my_mixture_loss` on {description} should return one number (the mean loss), got "
                f"shape {np.shape(got)}: average over the characters."
            ) from None
        if abs(got - want) <= 1e-6 + 1e-6 * abs(want):
            continue
        matches = [
            problem for value, problem in _mixture_variants(a, b, w) if abs(got - value) <= 1e-6 + 1e-6 * abs(value)
        ]
        if len(matches) == 1:
            raise ExerciseCheckFailed(f"`my_mixture_loss` on {description}: {matches[0]}")
        raise ExerciseCheckFailed(
            f"`my_mixture_loss` on {description} is {'too large' if got > want else 'too small'}."
        )


def _check_curve(first_half_curve, gru: np.ndarray, ngram: np.ndarray) -> np.ndarray:
    require(first_half_curve, "first_half_curve")
    try:
        curve = np.asarray(first_half_curve, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseCheckFailed(
            "`first_half_curve` should hold numbers: one mixture loss for each weight of weight_grid."
        ) from None
    expect(
        curve.shape == WEIGHT_GRID.shape,
        f"`first_half_curve` should hold one loss for each of the {len(WEIGHT_GRID)} weights of weight_grid, in the "
        f"grid's order; it has shape {curve.shape}.",
    )
    half = len(gru) // 2
    curves = {
        part: np.array([_reference_mixture(gru[chars], ngram[chars], w) for w in WEIGHT_GRID])
        for part, chars in {"first": slice(None, half), "second": slice(half, None), "all": slice(None)}.items()
    }
    if np.allclose(curve, curves["first"], rtol=1e-5, atol=1e-6):
        return curve
    if np.allclose(curve[::-1], curves["first"], rtol=1e-5, atol=1e-6):
        raise ExerciseCheckFailed("`first_half_curve` runs backwards: give the losses in the order of weight_grid "
                                  "(weight 0 first).")  # fmt: skip
    if np.allclose(curve, curves["second"], rtol=1e-5, atol=1e-6):
        raise ExerciseCheckFailed("`first_half_curve` is measured on the SECOND half: the weight is chosen on the "
                                  "first half, and the second half is kept for the report.")  # fmt: skip
    if np.allclose(curve, curves["all"], rtol=1e-5, atol=1e-6):
        raise ExerciseCheckFailed("`first_half_curve` is measured on ALL the characters: choose the weight on the "
                                  "first half only, and keep the second half for the report.")  # fmt: skip
    wrong = int(np.argmax(np.abs(curve - curves["first"]) > 1e-6 + 1e-5 * np.abs(curves["first"])))
    raise ExerciseCheckFailed(
        f"`first_half_curve` is not the mixture's loss on the first half for every weight: at weight "
        f"{WEIGHT_GRID[wrong]:.2f} it is {'too large' if curve[wrong] > curves['first'][wrong] else 'too small'}. "
        "Use your my_mixture_loss on the first len(gru_char_losses) // 2 characters."
    )


def _conclusion_refused(choice: str, supported: str) -> str:
    if choice == "A":
        return ("A does not hold: your weight was chosen on the first half, and `mixture_loss` comes from the second "
                "half, which the choice never saw. That is what a fair test of a tuned number looks like; see also "
                "how little the best weight of the second half would have gained over yours.")  # fmt: skip
    if choice == "D":
        return ("D does not hold: mix the GRU with a useless model, the uniform guess (a loss of ln 78 on every "
                "character), with w = 0.5, and compare with the GRU alone. A mixture gains only where each model is "
                "right when the other hesitates.")  # fmt: skip
    if choice == "B":
        return ("B does not follow from your numbers: compute the per-character gain of the mixture over the "
                "better model on the second half, and its standard error from 20 blocks as in Section 6; compare "
                "the two.")  # fmt: skip
    return ("C does not follow from your numbers: the mixture's lead over the better model on the second half is "
            "within three standard errors (20 blocks, as in Section 6).")  # fmt: skip


def exercise_9_3(
    my_mixture_loss,
    first_half_curve,
    chosen_weight,
    mixture_loss,
    my_conclusion,
    gru_char_losses,
    ngram_char_losses,
) -> None:
    """my_mixture_loss(gru_losses, ngram_losses, weight) -> the mixture's mean loss; first_half_curve: its loss on the
    first half for each weight of WEIGHT_GRID; chosen_weight: the grid weight where that curve is lowest;
    mixture_loss: with it, on the second half; my_conclusion: the letter of the statement the numbers support."""
    hints = [
        "a loss is -log p, so p = exp(-loss): turn each character's two losses back into probabilities, mix those "
        "with the weight, and turn each mixed probability back into a loss before averaging.",
        "the curve is one mixture loss per weight of the grid, each computed on the first half only; the chosen "
        "weight is where that curve is lowest; the second half is used once, for the report.",
        "to judge, test each statement against numbers: Section 6's 20-block standard error works for any "
        "per-character difference, for example between the better model alone and the mixture on the second half.",
    ]
    with exercise("9.3", hints=hints):
        require(my_mixture_loss, "my_mixture_loss")
        _check_mixture_function(my_mixture_loss, gru_char_losses, ngram_char_losses)
        gru, ngram = np.asarray(gru_char_losses, float), np.asarray(ngram_char_losses, float)
        half = len(gru) // 2
        curve = _check_curve(first_half_curve, gru, ngram)
        weight = require_number(chosen_weight, "chosen_weight")
        expect(0 <= weight <= 1, f"`chosen_weight` = {weight:g} is not a weight: it must be between 0 and 1.")
        best = float(WEIGHT_GRID[int(np.argmin(curve))])
        if abs(weight - best) > 1e-9:
            second = min(WEIGHT_GRID, key=lambda w: _reference_mixture(gru[half:], ngram[half:], w))
            if abs(weight - second) < 1e-9:
                raise ExerciseCheckFailed("`chosen_weight` is the best weight on the SECOND half: choose it where "
                                          "your first-half curve is lowest.")  # fmt: skip
            raise ExerciseCheckFailed(f"`chosen_weight` is not the weight where `first_half_curve` is lowest: it is "
                                      f"{'too large' if weight > best else 'too small'}.")  # fmt: skip
        loss = require_number(mixture_loss, "mixture_loss")
        want = _reference_mixture(gru[half:], ngram[half:], weight)
        if abs(loss - want) > 1e-4:
            if abs(loss - _reference_mixture(gru[:half], ngram[:half], weight)) <= 1e-4:
                raise ExerciseCheckFailed("`mixture_loss` is measured on the first half, where the weight was "
                                          "chosen: report it on the second half.")  # fmt: skip
            if abs(loss - _reference_mixture(gru, ngram, weight)) <= 1e-4:
                raise ExerciseCheckFailed("`mixture_loss` is measured on all the characters: report it on the "
                                          "second half only.")  # fmt: skip
            raise ExerciseCheckFailed(
                f"`mixture_loss` is not the mixture's loss with your chosen weight on the second half: it is "
                f"{'too large' if loss > want else 'too small'}."
            )
        choice = require(my_conclusion, "my_conclusion")
        expect(
            isinstance(choice, str) and choice.strip().upper() in CONCLUSIONS,
            f"`my_conclusion` should be the letter of one statement, one of {', '.join(CONCLUSIONS)}, got {choice!r}.",
        )
        choice = choice.strip().upper()
        supported = supported_conclusion(gru, ngram, weight)
        expect(choice == supported, _conclusion_refused(choice, supported))
