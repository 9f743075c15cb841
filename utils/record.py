"""Record a lesson's key results so that `make bench` can collect them.

`record("naive_mse", 0.0202)` shows the value in the notebook and, when the
environment variable COURSE_RECORD_FILE names a file, appends it there as one
JSON line.
"""

from __future__ import annotations

import json
import numbers
import os
import re

import numpy as np

RECORD_FILE_VARIABLE = "COURSE_RECORD_FILE"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def record(name: str, value, *, digits: int = 4) -> None:
    """Show one key result in the notebook and save it for `make bench` (numbers are saved as floats)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be snake_case text such as 'naive_mse', got {name!r}.")
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"value must be a number or a short text, not the bool {value}.")
    if not isinstance(value, numbers.Real | str):
        # NumPy and TensorFlow scalars convert with float(); anything else is refused.
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"value must be a number or a short text, got {type(value).__name__}.") from None
    if isinstance(value, numbers.Real):
        value = float(value)
    shown = f"{value:.{digits}g}" if isinstance(value, float) else value
    print(f"[recorded] {name} = {shown}")
    path = os.environ.get(RECORD_FILE_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"name": name, "value": value}) + "\n")
