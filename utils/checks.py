"""Exercise checks that talk to students, not at them.

A lesson's checks live in `utils/exercises/lessonNN.py` and are built from the
pieces here. Every failure is an `ExerciseCheckFailed` (an AssertionError) whose
message says what is wrong, never the expected answer itself, and gives a hint
in stages: the first failure a nudge, each later failure one more stage.
In a notebook, importing `utils.exercises` (or `utils.setup()`) makes IPython
show just that message, without a traceback into utils.

    def exercise_1_1(learning_rate):
        with exercise("1.1", hints=["Look at the path.", "Smaller than 0.5.", "The zigzag ..."]):
            value = require_number(learning_rate, "learning_rate")
            expect(0 < value < 1, "learning_rate should be between 0 and 1.")

For a function the student wrote, `call(function, "my_mae", y_true, y_pred)` runs it and turns
"still `...`", "returned None" and "raised an error on line N of your cell" into feedback.
"""

from __future__ import annotations

import contextlib
import linecache
import numbers
import sys
import traceback
from pathlib import Path

import numpy as np

_UTILS_DIR = str(Path(__file__).resolve().parent)
_FAILURES: dict[str, int] = {}


class ExerciseCheckFailed(AssertionError):
    """A student's answer is not right yet (the message says why)."""


class NotAttempted(ExerciseCheckFailed):
    """The placeholder (`...` or None) is still in place."""


def is_placeholder(answer) -> bool:
    return answer is Ellipsis or answer is None


def require(answer, name: str):
    """Stop with a 'not attempted yet' message while `answer` is still a placeholder."""
    if is_placeholder(answer):
        raise NotAttempted(f"replace the `...` in `{name}` with your answer, then run this cell again.")
    return answer


def expect(condition: bool, message: str) -> None:
    """Fail with `message` unless `condition` holds."""
    if not condition:
        raise ExerciseCheckFailed(message)


# ---- Functions the student wrote -------------------------------------------------------------------


def require_function(answer, name: str):
    """The answer must be a function: a placeholder is 'not attempted', anything else is explained."""
    require(answer, name)
    if not callable(answer):
        raise ExerciseCheckFailed(
            f"`{name}` should be a function (def {name}(...): ...), but it is a {type(answer).__name__}. "
            "Did you assign a value where a function was asked for?"
        )
    return answer


def describe(value) -> str:
    """A short description of an argument: its shape for arrays, its value for small scalars."""
    if isinstance(value, bool | str) or value is None:
        return repr(value)
    if isinstance(value, numbers.Number):
        return f"{value:g}" if isinstance(value, float) else str(value)
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {tuple(shape)}"
    if isinstance(value, list | tuple):
        return f"{type(value).__name__} of {len(value)} items"
    return type(value).__name__


def _student_frame(tb):
    """The innermost traceback frame that is the student's code (not utils, not a library)."""
    libraries = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith(_UTILS_DIR) or filename.startswith(libraries) and "ipykernel_" not in filename:
            continue
        found = (frame, lineno)
    return found


class StudentCodeError(ExerciseCheckFailed):
    """The student's own function raised an error while being checked."""


def call(function, name: str, *args, **kwargs):
    """Call the student's `function`; placeholders, missing returns and errors become feedback.

    The function is `name` in messages; it is called on copies of NumPy arguments so that a
    function that changes its input in place cannot spoil the check.
    """
    require_function(function, name)
    safe_args = [arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args]
    try:
        result = function(*safe_args, **kwargs)
    except ExerciseCheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the student's error, reported as theirs
        where = ""
        found = _student_frame(error.__traceback__)
        if found is not None:
            frame, lineno = found
            line = linecache.getline(frame.f_code.co_filename, lineno).strip()
            where = f" on line {lineno} of your `{frame.f_code.co_name}`" if frame.f_code.co_name != "<module>" else ""
            where += f": `{line}`" if line else ""
        arguments = ", ".join([describe(arg) for arg in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()])
        raise StudentCodeError(
            f"your `{name}` raised {type(error).__name__}: {error}\n  where{where or ' (line not available)'}\n"
            f"  called as {name}({arguments})"
        ) from None
    if result is Ellipsis:
        raise NotAttempted(f"`{name}` still returns `...`: replace it with your code, then run this cell again.")
    if result is None:
        raise ExerciseCheckFailed(f"`{name}` returned None: did you forget the `return` statement?")
    return result


def require_gradient(gradient, name: str):
    """A gradient from tf.GradientTape; None means the tape did not watch the variable."""
    if gradient is Ellipsis:
        raise NotAttempted(f"replace the `...` in `{name}` with your answer, then run this cell again.")
    if gradient is None:
        raise ExerciseCheckFailed(
            f"`{name}` is None: the tape did not record the computation. A tape watches tf.Variable objects "
            "only; a tf.constant needs `tape.watch(...)` first, and the computation must happen inside "
            "the `with tf.GradientTape() as tape:` block."
        )
    return gradient


# ---- Numbers, arrays and shapes --------------------------------------------------------------------


def require_number(answer, name: str) -> float:
    """The answer as a float; a clear message if it is a placeholder or not a number."""
    require(answer, name)
    if isinstance(answer, bool):
        raise ExerciseCheckFailed(f"`{name}` should be a number, got the bool {answer}.")
    if isinstance(answer, str):
        raise ExerciseCheckFailed(f"`{name}` should be a number, got the text {answer!r} (remove the quotes).")
    if isinstance(answer, numbers.Real) or (isinstance(answer, np.ndarray | np.generic) and np.size(answer) == 1):
        return float(np.asarray(answer).reshape(()))
    try:  # tensors and 1-element arrays
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseCheckFailed(f"`{name}` should be a number, got {type(answer).__name__}.") from None
    if array.size != 1:
        raise ExerciseCheckFailed(f"`{name}` should be a single number, got an array of shape {array.shape}.")
    return float(array.reshape(()))


def require_flag(answer, name: str) -> bool:
    """The answer as a bool; a clear message if it is a placeholder, a string such as "True", or anything else."""
    require(answer, name)
    expect(
        isinstance(answer, bool | np.bool_),
        f"`{name}` should be True or False, got {answer!r}"
        + (" (remove the quotes)." if isinstance(answer, str) else "."),
    )
    return bool(answer)


def all_layers(model) -> list:
    """Every layer of a keras model in order, nested models opened up (a wrapper such as Bidirectional counts as
    one layer)."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        found += all_layers(layer)
    return found


def as_shape(answer, name: str) -> tuple:
    """A shape given as a tuple, list or TensorShape, as a tuple of ints (None allowed)."""
    require(answer, name)
    if hasattr(answer, "as_list") and callable(answer.as_list):  # tf.TensorShape
        answer = answer.as_list()
    if not isinstance(answer, tuple | list) or not all(
        a is None or (isinstance(a, numbers.Integral) and not isinstance(a, bool)) for a in answer
    ):
        raise ExerciseCheckFailed(
            f"`{name}` should be a shape: a tuple of whole numbers such as (4, 7), got {answer!r}."
        )
    return tuple(None if a is None else int(a) for a in answer)


def shape_problem(got, expected, axis_names=None) -> str | None:
    """What is wrong with shape `got` against `expected` (None in expected matches anything), without
    giving the expected shape away: which axis is wrong, or how many axes are missing or extra."""
    got, expected = tuple(got), tuple(expected)
    if len(got) != len(expected):
        diff = len(got) - len(expected)
        return f"it has {len(got)} axes, {abs(diff)} too {'many' if diff > 0 else 'few'}"
    names = axis_names or [None] * len(expected)
    wrong = [
        f"axis {axis}" + (f" ({names[axis]})" if names[axis] else "") + (" is too small" if g < w else " is too large")
        for axis, (g, w) in enumerate(zip(got, expected))
        if w is not None and g != w and g is not None
    ]
    wrong += [
        f"axis {axis} is None but should have a fixed size"
        for axis, (g, w) in enumerate(zip(got, expected))
        if w is not None and g is None
    ]
    return "; ".join(wrong) or None


def expect_shape(answer, expected_shape, name: str, *, axis_names=None) -> tuple:
    """The answer is a shape equal to `expected_shape`; the message says which axis is off, not its size."""
    shape = as_shape(answer, name)
    problem = shape_problem(shape, expected_shape, axis_names)
    if problem:
        raise ExerciseCheckFailed(f"`{name}` = {shape} is not right yet: {problem}.")
    return shape


def require_array(answer, name: str, *, shape=None, axis_names=None) -> np.ndarray:
    """The answer as a float array; clear messages for placeholders, non-numbers and a wrong shape.

    shape: the expected shape; None in it matches any size on that axis.
    """
    require(answer, name)
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseCheckFailed(
            f"`{name}` should be an array of numbers (a list, NumPy array or tensor), got {type(answer).__name__}."
        ) from None
    if shape is not None:
        problem = shape_problem(array.shape, shape, axis_names)
        if problem:
            raise ExerciseCheckFailed(f"`{name}` has shape {array.shape}, which is not right yet: {problem}.")
    return array


def _how_far(got: float, expected: float) -> str:
    """Too large or too small, and a recognisable pattern (sign, factor), without the expected value."""
    if expected != 0 and np.isclose(got, -expected, rtol=1e-3):
        return "it has the wrong sign"
    if expected != 0 and got != 0:
        ratio = got / expected
        for factor in (2, 4, 10, 100, 1000):
            if np.isclose(ratio, factor, rtol=1e-3):
                return f"it is exactly {factor} times too large"
            if np.isclose(ratio, 1 / factor, rtol=1e-3):
                return f"it is exactly {factor} times too small"
    return "it is too large" if got > expected else "it is too small"


def expect_close(answer, expected, name: str, *, atol: float = 1e-6, rtol: float = 1e-5, axis_names=None) -> None:
    """Numbers or arrays equal within tolerance. The message says where and in which direction the
    answer is off, never the expected value."""
    expected = np.asarray(expected, dtype=float)
    if not expected.ndim:
        got = require_number(answer, name)
        if not np.isclose(got, float(expected), atol=atol, rtol=rtol):
            raise ExerciseCheckFailed(f"`{name}` = {got:.6g} is not right yet: {_how_far(got, float(expected))}.")
        return
    got = require_array(answer, name, shape=expected.shape, axis_names=axis_names)
    wrong = ~np.isclose(got, expected, atol=atol, rtol=rtol)
    if wrong.any():
        if np.allclose(got, -expected, atol=atol, rtol=rtol):
            raise ExerciseCheckFailed(f"`{name}` has the wrong sign everywhere.")
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise ExerciseCheckFailed(
            f"`{name}` has {int(wrong.sum())} of {wrong.size} values wrong; the first is at index {first}, "
            f"where {_how_far(float(got[first]), float(expected[first]))}."
        )


# ---- One exercise's check --------------------------------------------------------------------------


def _hint_text(exercise_id: str, hints: list[str]) -> str:
    if not hints:
        return ""
    shown = min(_FAILURES.get(exercise_id, 0), len(hints))
    lines = [f"Hint {stage + 1} of {len(hints)}: {hints[stage]}" for stage in range(shown)]
    if shown < len(hints):
        lines.append("(Run the check again after your next try for another hint.)")
    return "\n" + "\n".join(lines)


def reset_hints() -> None:
    """Forget how often each exercise failed (tests use it; a fresh kernel starts from zero anyway)."""
    _FAILURES.clear()


@contextlib.contextmanager
def exercise(exercise_id: str, *, hint: str = "", hints=None):
    """Run one exercise's check: prefix failures with the exercise id, add staged hints, report success.

    hints: a list, from a gentle nudge to nearly the method (never the answer); failure k shows the
    first k. `hint=` is a single-stage shortcut. Any other exception raised while checking (the
    student's object misbehaving) is turned into a short ExerciseCheckFailed instead of a traceback.
    """
    stages = list(hints) if hints is not None else ([hint] if hint else [])
    label = f"Exercise {exercise_id}"
    try:
        yield
    except NotAttempted as failure:
        raise NotAttempted(f"{label} not attempted yet: {failure}") from None
    except ExerciseCheckFailed as failure:
        _FAILURES[exercise_id] = _FAILURES.get(exercise_id, 0) + 1
        raise ExerciseCheckFailed(f"{label} not passed yet: {failure}{_hint_text(exercise_id, stages)}") from None
    except Exception as error:  # noqa: BLE001 - any error in the student's object becomes feedback
        _FAILURES[exercise_id] = _FAILURES.get(exercise_id, 0) + 1
        raise ExerciseCheckFailed(
            f"{label} not passed yet: checking your answer raised {type(error).__name__}: {error}"
            f"{_hint_text(exercise_id, stages)}"
        ) from None
    _FAILURES.pop(exercise_id, None)
    print(f"{label}: correct. Well done!")


def _show_without_traceback(shell, etype, value, tb, tb_offset=None):
    short_traceback = [f"\x1b[1;31m✗\x1b[0m {value}"]
    shell._showtraceback(etype, value, short_traceback)  # IPython leaves the display to the handler
    return short_traceback


def install_notebook_display() -> None:
    """In IPython, show ExerciseCheckFailed as its message alone (called on import of utils.exercises)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to do
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((ExerciseCheckFailed,), _show_without_traceback)
