"""Plumbing for lesson 09 (character-level text): counting character n-grams, fast.

    from utils.char_text import ngram_log_probs
    log_p = ngram_log_probs(train_ids, valid_ids, order=7, vocab_size=78, history=train_ids)
    -log_p.mean()                       # the n-gram model's cross-entropy, nats per character

Texts are 1-D arrays of integer character ids in [0, vocab_size). An n-gram model of `order` n
predicts each character from the n - 1 characters before it, with probabilities from counts in
the training text. Two smoothings, so that no character ever gets probability 0:

- "add-k": (count(context, c) + k) / (count(context) + k * vocab_size);
- "kneser-ney": interpolated Kneser-Ney with one absolute discount d per count, the lower orders
  from continuation counts (how many different characters precede an n-gram), down to the uniform
  distribution (Chen and Goodman, "An empirical study of smoothing techniques", 1998).

The idea (count, divide, smooth) is the lesson and is shown there by hand on a small text; this
module is the same arithmetic vectorised with NumPy (every n-gram is one int64 key), so that a
7-gram model of a million characters takes about a second. `slow_ngram_log_probs` is the
by-hand version (Python dictionaries), kept as the reference the tests compare against.

The lesson's GRU takes about 100 s to train. The lesson saves its weights so that the solutions
notebook can load them instead of training again:

    path = weights_cache_path("lesson09_gru", {"units": 256, "train_ids": train_ids, ...})
    save_weights(model, path)             # in the lesson, after training
    if not load_cached_weights(model, path): ...   # in the solutions: train only if nothing was saved

The file name carries a fingerprint of everything in the recipe (arrays by their bytes), so a changed
recipe or text never loads stale weights. The folder is <repository>/build/cache/ (git-ignores build/).
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import math
import numbers
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .validation import as_array, number, one_of, positive_int

SMOOTHINGS = ("add-k", "kneser-ney")

#: The 65 characters of Karpathy's tiny-shakespeare (char-rnn's data/tinyshakespeare/input.txt,
#: 1,115,394 characters), the data set of the lecture deck and of TensorFlow's text-generation tutorial.
TINY_SHAKESPEARE_ALPHABET = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TINY_SHAKESPEARE_LENGTH = 1_115_394


def _ids(value, name: str, vocab_size: int, min_length: int = 0) -> np.ndarray:
    array = as_array(value, name, ndim=1, dtype_kind="iu", min_length=min_length)
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        raise ValueError(
            f"{name} must hold character ids in [0, {vocab_size}) (vocab_size={vocab_size}), "
            f"found ids from {array.min()} to {array.max()}."
        )
    return array.astype(np.int64)


def _check_order(order, vocab_size: int) -> int:
    order = positive_int(order, "order")
    if vocab_size**order >= 2**63:
        raise ValueError(
            f"order {order} with {vocab_size} characters does not fit one int64 key per n-gram "
            f"(vocab_size ** order must be below 2**63); use a smaller order."
        )
    return order


def _keys(ids: np.ndarray, length: int, vocab_size: int) -> np.ndarray:
    """One int64 key per window of `length` consecutive ids (base-vocab_size digits), for every start."""
    n = len(ids) - length + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.zeros(n, dtype=np.int64)
    for offset in range(length):
        keys = keys * vocab_size + ids[offset : offset + n]
    return keys


def _lookup(table: np.ndarray, values: np.ndarray, queries: np.ndarray):
    """values[i] where table[i] == query (table sorted), 0 where the query is not in the table."""
    if len(table) == 0:
        return np.zeros(len(queries)), np.zeros(len(queries), dtype=bool)
    where = np.minimum(np.searchsorted(table, queries), len(table) - 1)
    found = table[where] == queries
    return np.where(found, values[where], 0), found


def _context_totals(ngram_keys: np.ndarray, counts: np.ndarray, vocab_size: int):
    """Per context (the n-gram without its last character): the sum of counts and the number of distinct
    next characters, as sorted context keys and two arrays."""
    contexts, inverse = np.unique(ngram_keys // vocab_size, return_inverse=True)
    return contexts, np.bincount(inverse, weights=counts), np.bincount(inverse).astype(float)


def ngram_log_probs(
    train_ids,
    eval_ids,
    order: int,
    *,
    vocab_size: int,
    smoothing: str = "kneser-ney",
    discount: float = 0.75,
    k: float = 1.0,
    history=None,
) -> np.ndarray:
    """Natural log-probability of each character of eval_ids under an n-gram model counted on train_ids.

    order: n (each character is predicted from the n - 1 before it); smoothing: "add-k" (with k) or
    "kneser-ney" (with discount, 0 < discount < 1). history: the characters that come before eval_ids
    (for a validation slice that follows the training text: the training text); its last n - 1
    characters give the first predictions their context. Without history, the first n - 1
    characters of eval_ids only serve as context and get no log-probability: the result then has
    len(eval_ids) - (n - 1) values instead of len(eval_ids).
    """
    vocab_size = positive_int(vocab_size, "vocab_size", minimum=2)
    order = _check_order(order, vocab_size)
    one_of(smoothing, "smoothing", SMOOTHINGS)
    train = _ids(train_ids, "train_ids", vocab_size, min_length=order)
    target = _ids(eval_ids, "eval_ids", vocab_size)
    context_length = order - 1
    if history is not None:
        before = _ids(history, "history", vocab_size)
        if len(before) < context_length:
            raise ValueError(f"history must hold at least order - 1 = {context_length} characters, got {len(before)}.")
        target = np.concatenate([before[len(before) - context_length :], target])
    if len(target) <= context_length:
        raise ValueError(f"eval_ids is too short for order {order}: nothing is left to predict.")
    if smoothing == "add-k":
        k = number(k, "k", low=0)
        if k == 0:
            raise ValueError("k must be above 0 (k = 0 gives unseen characters probability 0).")
        return np.log(_add_k(train, target, order, vocab_size, k))
    discount = number(discount, "discount", low=0, high=1)
    if not 0 < discount < 1:
        raise ValueError(f"discount must be strictly between 0 and 1, got {discount}.")
    return np.log(_kneser_ney(train, target, order, vocab_size, discount))


_TABLES: collections.OrderedDict = collections.OrderedDict()
_TABLES_KEPT = 20  # the count tables of the last 20 (text, length, kind) asked for: a sweep over orders reuses them


def _count_table(train: np.ndarray, length: int, vocab_size: int, continuation: bool):
    """(n-gram keys, counts, context keys, context totals, distinct next characters per context), sorted by key.

    continuation=True counts, for each n-gram, how many different characters precede it in the training text.
    Tables are kept for reuse (keyed by a fingerprint of the training text), so that trying several orders,
    discounts or k on the same text counts each table once.
    """
    digest = hashlib.blake2b(train.tobytes(), digest_size=16).hexdigest()
    fingerprint = (digest, len(train), length, vocab_size, continuation)
    if fingerprint in _TABLES:
        _TABLES.move_to_end(fingerprint)
        return _TABLES[fingerprint]
    if continuation:
        seen = np.unique(_keys(train, length + 1, vocab_size)) % (vocab_size**length)
        keys, counts = np.unique(seen, return_counts=True)
    else:
        keys, counts = np.unique(_keys(train, length, vocab_size), return_counts=True)
    counts = counts.astype(float)
    table = (keys, counts, *_context_totals(keys, counts, vocab_size))
    _TABLES[fingerprint] = table
    while len(_TABLES) > _TABLES_KEPT:
        _TABLES.popitem(last=False)
    return table


def _add_k(train, target, order, vocab_size, k):
    keys, counts, contexts, totals, _ = _count_table(train, order, vocab_size, continuation=False)
    queries = _keys(target, order, vocab_size)
    count, _ = _lookup(keys, counts, queries)
    if order > 1:
        total, _ = _lookup(contexts, totals, queries // vocab_size)
    else:
        total = np.full(len(queries), counts.sum())
    return (count + k) / (total + k * vocab_size)


def _kneser_ney(train, target, order, vocab_size, discount):
    context_length = order - 1
    n_predicted = len(target) - context_length
    probability = np.full(n_predicted, 1.0 / vocab_size)
    for length in range(1, order + 1):  # unigrams first, then ever longer n-grams, each mixed with the last
        queries = _keys(target[context_length - (length - 1) :], length, vocab_size)
        # lower orders count in how many different contexts an n-gram appears; the highest order counts plainly
        keys, counts, contexts, totals, types = _count_table(train, length, vocab_size, continuation=length < order)
        count, _ = _lookup(keys, counts, queries)
        if length == 1:
            total, found = np.full(n_predicted, totals[0]), np.ones(n_predicted, dtype=bool)
            distinct = np.full(n_predicted, types[0])
        else:
            total, found = _lookup(contexts, totals, queries // vocab_size)
            distinct, _ = _lookup(contexts, types, queries // vocab_size)
        safe_total = np.maximum(total, 1.0)
        kept = np.maximum(count - discount, 0.0) / safe_total
        weight = np.where(found, discount * distinct / safe_total, 1.0)  # unseen context: all to the lower order
        probability = np.where(found, kept, 0.0) + weight * probability
    return probability


# ---- The by-hand reference (dictionaries; slow, for small texts and tests) --------------------------


def slow_ngram_log_probs(
    train_ids, eval_ids, order, *, vocab_size, smoothing="kneser-ney", discount=0.75, k=1.0, history=None
) -> np.ndarray:
    """The same numbers as ngram_log_probs, computed one character at a time with dictionaries."""
    train = [int(i) for i in train_ids]
    before = [] if history is None else [int(i) for i in history][len(history) - (order - 1) :]
    target = before + [int(i) for i in eval_ids]
    if order > 1 and history is not None and len(before) < order - 1:
        raise ValueError("history is too short")

    def counts_of(length, continuation):
        if not continuation:
            return collections.Counter(tuple(train[i : i + length]) for i in range(len(train) - length + 1))
        preceded = {tuple(train[i : i + length + 1]) for i in range(len(train) - length)}
        return collections.Counter(gram[1:] for gram in preceded)

    tables = {
        length: counts_of(length, continuation=smoothing == "kneser-ney" and length < order)
        for length in range(1, order + 1)
    }
    context_tables = {}
    for length, table in tables.items():
        totals, types = collections.Counter(), collections.Counter()
        for gram, count in table.items():
            totals[gram[:-1]] += count
            types[gram[:-1]] += 1
        context_tables[length] = (totals, types)

    def probability(context, character):
        if smoothing == "add-k":
            totals, _ = context_tables[order]
            return (tables[order][(*context, character)] + k) / (totals[tuple(context)] + k * vocab_size)
        p = 1.0 / vocab_size
        for length in range(1, order + 1):
            short = tuple(context[len(context) - (length - 1) :]) if length > 1 else ()
            totals, types = context_tables[length]
            if totals[short] == 0:
                continue
            count = tables[length][(*short, character)]
            p = max(count - discount, 0) / totals[short] + discount * types[short] / totals[short] * p
        return p

    return np.array(
        [math.log(probability(target[i - (order - 1) : i], target[i])) for i in range(order - 1, len(target))]
    )


def bits(nats) -> float | np.ndarray:
    """Nats per character in bits per character (divide by ln 2)."""
    if isinstance(nats, numbers.Real):
        return float(nats) / math.log(2)
    return np.asarray(nats, dtype=float) / math.log(2)


# ---- A cache for trained weights (the lesson trains, the solutions load) ----------------------------

#: Where trained weights are kept: <repository>/build/cache (the repository's .gitignore lists build/).
WEIGHTS_CACHE_DIR = Path(__file__).resolve().parents[1] / "build" / "cache"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SUFFIX = ".weights.h5"


def _fingerprint_value(value, where: str):
    """A JSON-able stand-in for one recipe value: arrays by dtype, shape and a hash of their bytes."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"config[{where}] must be finite, got {value}.")
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"config[{where}] must be an array of numbers, got dtype {value.dtype}.")
        array = np.ascontiguousarray(value)
        digest = hashlib.blake2b(array.tobytes(), digest_size=16).hexdigest()
        return {"array": str(array.dtype), "shape": list(array.shape), "blake2b": digest}
    if isinstance(value, list | tuple):
        return [_fingerprint_value(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise TypeError(
        f"config[{where}] is a {type(value).__name__}; a recipe may hold numbers, strings, booleans, None, "
        "NumPy arrays and lists or tuples of those."
    )


def weights_cache_path(name: str, config: Mapping, folder=None) -> Path:
    """The file for the weights of the model `name` trained with `config`: <folder>/<name>-<fingerprint>.weights.h5.

    config: a dict of everything that decides the trained weights (sizes, steps, learning rate, seeds, the
    training ids themselves); any change gives another file. folder: WEIGHTS_CACHE_DIR by default.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"name must be a short file-name stem of letters, digits, '_', '-' or '.', got {name!r}.")
    if not isinstance(config, Mapping) or not config:
        raise TypeError(f"config must be a non-empty dict (recipe item -> value), got {config!r:.80}.")
    recipe = {}
    for key, value in config.items():
        if not isinstance(key, str):
            raise TypeError(f"config keys must be strings, got {key!r}.")
        recipe[key] = _fingerprint_value(value, repr(key))
    text = json.dumps(recipe, sort_keys=True, separators=(",", ":"))
    digest = hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    return Path(WEIGHTS_CACHE_DIR if folder is None else folder) / f"{name}-{digest}{_SUFFIX}"


def _weights_path(path) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}.")
    path = Path(path)
    if not path.name.endswith(_SUFFIX):
        raise ValueError(f"path must end with {_SUFFIX!r} (Keras's weights format), got {path.name!r}.")
    return path


def _model(model):
    if not (callable(getattr(model, "save_weights", None)) and callable(getattr(model, "load_weights", None))):
        kind = type(model).__name__
        raise TypeError(f"model must be a Keras model (with save_weights and load_weights), got {kind}.")
    return model


def save_weights(model, path) -> Path | None:
    """Save the model's weights to `path` (from weights_cache_path); the folder is created if needed.

    The file is written aside and then renamed, so a reader never sees half a file. If the folder cannot be
    written, a one-line note says so and None is returned (nothing else depends on the copy).
    """
    _model(model)
    path = _weights_path(path)
    partial = path.with_name(f".{path.name[: -len(_SUFFIX)]}-{os.getpid()}-partial{_SUFFIX}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save_weights(partial)
        os.replace(partial, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        print(f"note: could not save the weights to {path} ({getattr(error, 'strerror', None) or error}).")
        return None
    return path


def load_cached_weights(model, path) -> bool:
    """Load `path` into `model` if that file exists and fits the model: True if loaded, False otherwise
    (no file yet, or a file that does not fit: a note says so, and the caller trains instead). The layers'
    weights are loaded, not the optimizer's state: enough to use the model, not to go on training it exactly."""
    _model(model)
    path = _weights_path(path)
    if not path.is_file():
        return False
    before = model.get_weights()
    try:
        with warnings.catch_warnings():  # the optimizer's state is not needed to use the model: only the layers'
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(path)
    except (OSError, ValueError) as error:
        model.set_weights(before)  # a file that fits only in part must not leave the model half loaded
        print(f"note: {path} could not be loaded into this model ({str(error)[:120]}); training instead.")
        return False
    return True
