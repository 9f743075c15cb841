"""Exercise checks that talk to students, not at them.

A lesson's checks live in `utils/exercises/lessonNN.py` and are built from the
pieces here. Every failure is an `ExerciseCheckFailed` (an AssertionError) whose
message says what was expected, what was received and gives a hint. In a
notebook, `setup()` makes IPython show just that message, without a traceback
into utils.

    def exercise_1_1(learning_rate):
        with exercise("1.1", hint="Try values between 0.01 and 0.5."):
            value = require_number(learning_rate, "learning_rate")
            expect(0 < value < 1, f"learning_rate should be between 0 and 1, got {value}.")
"""

from __future__ import annotations

import contextlib
import numbers

import numpy as np


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


def require_array(answer, name: str, *, shape=None) -> np.ndarray:
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
        shape = tuple(shape)
        fits = array.ndim == len(shape) and all(want is None or want == got for want, got in zip(shape, array.shape))
        if not fits:
            sizes = ["any" if size is None else str(size) for size in shape]
            wanted = "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"
            raise ExerciseCheckFailed(f"`{name}` should have shape {wanted}, got {array.shape}.")
    return array


def expect_close(answer, expected, name: str, *, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Numbers or arrays equal within tolerance; the message shows the largest difference."""
    expected = np.asarray(expected, dtype=float)
    got = require_array(answer, name, shape=expected.shape) if expected.ndim else require_number(answer, name)
    if not np.allclose(got, expected, atol=atol, rtol=rtol):
        if expected.ndim:
            gap = np.abs(np.asarray(got) - expected)
            where = np.unravel_index(int(np.argmax(gap)), gap.shape)
            raise ExerciseCheckFailed(
                f"`{name}` is off by up to {gap.max():.4g} (at index {tuple(int(i) for i in where)}: "
                f"expected {expected[where]:.4g}, got {np.asarray(got)[where]:.4g})."
            )
        raise ExerciseCheckFailed(f"`{name}` should be {float(expected):.6g}, got {got:.6g}.")


def expect_shape(answer, expected_shape, name: str) -> None:
    """The answer is a shape (tuple/list of ints, None allowed for the batch) equal to `expected_shape`."""
    require(answer, name)
    if not isinstance(answer, tuple | list) or not all(a is None or isinstance(a, numbers.Integral) for a in answer):
        raise ExerciseCheckFailed(f"`{name}` should be a shape such as (32, 10, 5), got {answer!r}.")
    if tuple(answer) != tuple(expected_shape):
        raise ExerciseCheckFailed(f"`{name}` should be {tuple(expected_shape)}, got {tuple(answer)}.")


@contextlib.contextmanager
def exercise(exercise_id: str, *, hint: str = ""):
    """Run one exercise's check: prefix failures with the exercise id and the hint, report success.

    Any other exception raised while checking (the student's object misbehaving)
    is turned into a short ExerciseCheckFailed instead of a traceback.
    """
    label = f"Exercise {exercise_id}"
    suffix = f"\nHint: {hint}" if hint else ""
    try:
        yield
    except NotAttempted as failure:
        raise NotAttempted(f"{label} not attempted yet: {failure}") from None
    except ExerciseCheckFailed as failure:
        raise ExerciseCheckFailed(f"{label} not passed yet: {failure}{suffix}") from None
    except Exception as error:  # noqa: BLE001 - any error in the student's code becomes feedback
        raise ExerciseCheckFailed(
            f"{label} not passed yet: checking your answer raised {type(error).__name__}: {error}{suffix}"
        ) from None
    print(f"{label}: correct. Well done!")


def _show_without_traceback(shell, etype, value, tb, tb_offset=None):
    short_traceback = [f"\x1b[1;31m✗\x1b[0m {value}"]
    shell._showtraceback(etype, value, short_traceback)  # IPython leaves the display to the handler
    return short_traceback


def install_notebook_display() -> None:
    """In IPython, show ExerciseCheckFailed as its message alone (called by `setup()`)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to do
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((ExerciseCheckFailed,), _show_without_traceback)
