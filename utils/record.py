"""Record a lesson's key results so that `make bench` can collect them.

`record("naive_mse", 0.0202)` appends the value as one JSON line to the file named by the
environment variable COURSE_RECORD_FILE (set by `make bench`). It prints nothing, so a notebook on a
projector stays quiet; the lesson shows its numbers in its own tables.
"""

from __future__ import annotations

import json
import numbers
import os
import re

import numpy as np

RECORD_FILE_VARIABLE = "COURSE_RECORD_FILE"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def record(name: str, value) -> None:
    """Save one key result for `make bench` (integers stay integers); print nothing."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be snake_case text such as 'naive_mse', got {name!r}.")
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"value must be a number or a short text, not the bool {value}.")
    if isinstance(value, numbers.Integral | np.integer):
        saved = int(value)
    elif isinstance(value, str):
        saved = value
    else:
        # Python, NumPy and TensorFlow scalars convert with float(); anything else is refused.
        try:
            saved = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"value must be a number or a short text, got {type(value).__name__}.") from None
    path = os.environ.get(RECORD_FILE_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"name": name, "value": saved}) + "\n")
