"""Argument checks shared by every utils function.

Each raises TypeError or ValueError with a message that names what was expected,
so that a student who passes the wrong thing learns what the right thing is.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_array(value, name: str, *, ndim=None, dtype_kind: str = "fiu", min_length: int = 0) -> np.ndarray:
    """Convert `value` to a NumPy array and check its rank and dtype kind.

    ndim: an int or a tuple of allowed ranks; dtype_kind: allowed numpy kinds
    ('f' float, 'i' signed int, 'u' unsigned int, 'b' bool).
    """
    if value is None or value is Ellipsis:
        raise TypeError(f"{name} must be an array-like of numbers, got {value!r}.")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be an array-like of numbers; could not convert it ({error}).") from None
    if array.dtype.kind not in dtype_kind:
        raise TypeError(f"{name} must hold numbers (dtype kind in {dtype_kind!r}), got dtype {array.dtype}.")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be {wanted}, got shape {array.shape} ({array.ndim}-D).")
    if array.ndim and len(array) < min_length:
        raise ValueError(f"{name} must have at least {min_length} entries along its first axis, got {len(array)}.")
    return array


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Check that `value` is an int >= minimum (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}.")
    return int(value)


def number(value, name: str, *, low=None, high=None) -> float:
    """Check that `value` is a real number, optionally within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def one_of(value, name: str, choices) -> object:
    """Check that `value` is one of `choices`."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)!r}, got {value!r}.")
    return value
