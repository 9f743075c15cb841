"""What the tests of every lesson's exercise checks share."""

import pytest

from utils.checks import ExerciseCheckFailed, NotAttempted


def failure_of(exercise, *answers, **keywords) -> str:
    """The message of the check's failure on these answers; the answers must count as attempted."""
    with pytest.raises(ExerciseCheckFailed) as failure:
        exercise(*answers, **keywords)
    assert not isinstance(failure.value, NotAttempted), str(failure.value)
    return str(failure.value)


def placeholder(*args):
    """A student's function that is still the starter cell's `...`."""
    return ...
