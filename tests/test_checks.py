"""The shared pieces of every exercise check (utils/checks.py): feedback that helps and gives nothing away."""

import numpy as np
import pytest

from utils import checks
from utils.checks import ExerciseCheckFailed, NotAttempted, StudentCodeError, exercise


@pytest.fixture(autouse=True)
def _fresh_hint_stages():
    checks.reset_hints()
    yield
    checks.reset_hints()


def check_answer(answer):
    with exercise("9.1", hints=["Add the two numbers.", "1 + 2."]):
        checks.expect_close(answer, 3.0, "total")


def test_check_passes_and_says_so(capsys):
    check_answer(3.0)
    assert "Exercise 9.1: correct" in capsys.readouterr().out


@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholder_is_not_attempted(placeholder):
    with pytest.raises(NotAttempted, match=r"Exercise 9.1 not attempted yet: replace the `...` in `total`"):
        check_answer(placeholder)


def test_wrong_answer_says_what_is_wrong_but_never_the_expected_value():
    with pytest.raises(ExerciseCheckFailed) as failure:
        check_answer(4)
    message = str(failure.value)
    assert "too large" in message and "3" not in message.replace("9.1", "")


def test_hints_come_in_stages_and_reset_on_success(capsys):
    messages = []
    for _ in range(3):
        with pytest.raises(ExerciseCheckFailed) as failure:
            check_answer(4)
        messages.append(str(failure.value))
    assert "Hint 1 of 2: Add the two numbers." in messages[0] and "Hint 2" not in messages[0]
    assert "Hint 2 of 2: 1 + 2." in messages[1] and "Hint 2 of 2" in messages[2]
    check_answer(3)
    with pytest.raises(ExerciseCheckFailed) as failure:
        check_answer(4)
    assert "Hint 2" not in str(failure.value)


def test_placeholder_does_not_use_up_a_hint():
    with pytest.raises(NotAttempted):
        check_answer(...)
    with pytest.raises(ExerciseCheckFailed) as failure:
        check_answer(5)
    assert "Hint 2" not in str(failure.value)


@pytest.mark.parametrize(
    ("got", "words"),
    [(-3.0, "wrong sign"), (6.0, "2 times too large"), (0.3, "10 times too small"), (2.0, "too small")],
)
def test_direction_and_factor_are_named(got, words):
    with pytest.raises(ExerciseCheckFailed, match=words):
        check_answer(got)


def test_wrong_type_is_feedback_not_a_traceback():
    with pytest.raises(ExerciseCheckFailed, match="should be a number, got the text 'three'"):
        check_answer("three")
    with pytest.raises(ExerciseCheckFailed, match="remove the quotes"):
        check_answer("3")
    with pytest.raises(ExerciseCheckFailed, match="should be a shape"):
        checks.expect_shape("32x10", (32, 10), "output_shape")


def test_shape_messages_name_the_axis_not_the_size():
    with pytest.raises(ExerciseCheckFailed) as failure:
        checks.require_array(np.zeros((3, 2)), "weights", shape=(2, 3), axis_names=("inputs", "units"))
    message = str(failure.value)
    assert "axis 0 (inputs) is too large" in message and "axis 1 (units) is too small" in message
    assert "(2, 3)" not in message
    with pytest.raises(ExerciseCheckFailed, match="1 too few"):
        checks.require_array(np.zeros(3), "X", shape=(None, 3))
    with pytest.raises(ExerciseCheckFailed, match="axis 1 is too large") as failure:
        checks.expect_shape((32, 16), (32, 8), "shape")
    assert "8" not in str(failure.value).replace("(32, 16)", "")


def test_a_tensorshape_is_a_shape():
    tf = pytest.importorskip("tensorflow")
    assert checks.expect_shape(tf.TensorShape([None, 5]), (None, 5), "shape") == (None, 5)


def test_numpy_scalars_are_numbers():
    assert checks.require_number(np.float32(3.0), "x") == 3.0
    assert checks.require_number(np.array([2.5]), "x") == 2.5


def test_a_flag_must_be_a_real_bool():
    assert checks.require_flag(np.bool_(True), "flag") is True
    assert checks.require_flag(False, "flag") is False
    with pytest.raises(NotAttempted):
        checks.require_flag(..., "flag")
    with pytest.raises(ExerciseCheckFailed, match="remove the quotes"):
        checks.require_flag("True", "flag")
    with pytest.raises(ExerciseCheckFailed, match="True or False, got 1"):
        checks.require_flag(1, "flag")


def test_error_inside_a_check_becomes_a_short_failure():
    class Broken:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("layer not built")

    def check_model(model):
        with exercise("9.2", hint="Build the model first."):
            np.asarray(model)

    with pytest.raises(ExerciseCheckFailed, match="raised RuntimeError: layer not built") as failure:
        check_model(Broken())
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_array_mismatch_says_where_and_which_way_without_the_value():
    with pytest.raises(ExerciseCheckFailed) as failure:
        checks.expect_close([[1, 2], [5, 4]], [[1, 2], [3, 4]], "feature_map")
    message = str(failure.value)
    assert "1 of 4 values wrong" in message and "(1, 0)" in message and "too large" in message
    assert "3" not in message.replace("(1, 0)", "")
    with pytest.raises(ExerciseCheckFailed, match="wrong sign everywhere"):
        checks.expect_close([-1.0, -2.0], [1.0, 2.0], "x")


# ---- functions the student wrote ---------------------------------------------------------------


def test_not_a_function_is_explained():
    with pytest.raises(NotAttempted):
        checks.call(..., "my_mae", 1)
    with pytest.raises(ExerciseCheckFailed, match=r"should be a function \(def my_mae"):
        checks.call(3.0, "my_mae", 1)


def test_forgotten_return_and_placeholder_body():
    def forgot(x):
        x + 1

    def placeholder(x):
        return ...

    with pytest.raises(ExerciseCheckFailed, match="did you forget the `return`"):
        checks.call(forgot, "forgot", 1)
    with pytest.raises(NotAttempted, match="still returns `...`"):
        checks.call(placeholder, "placeholder", 1)


def test_error_in_student_code_shows_their_line_and_the_argument_shapes():
    def my_mae(y_true, y_pred):
        difference = y_true - y_pred.T
        return np.mean(difference @ np.ones(7))

    with pytest.raises(StudentCodeError) as failure:
        checks.call(my_mae, "my_mae", np.zeros((3, 2)), np.zeros((3, 2)))
    message = str(failure.value)
    assert message.startswith("your `my_mae` raised ValueError")
    assert "difference = y_true - y_pred.T" in message
    assert "ndarray of shape (3, 2)" in message
    assert "utils/checks.py" not in message


def test_student_function_cannot_spoil_the_inputs():
    data = np.arange(3.0)

    def in_place(values):
        values *= 0
        return values

    checks.call(in_place, "in_place", data)
    assert data.tolist() == [0.0, 1.0, 2.0]


def test_gradient_none_says_why():
    with pytest.raises(ExerciseCheckFailed, match="tape.watch"):
        checks.require_gradient(None, "gradient")
    with pytest.raises(NotAttempted):
        checks.require_gradient(..., "gradient")


def test_notebook_display_shows_the_message_only():
    shell_calls = []

    class FakeShell:
        def _showtraceback(self, etype, value, stb):
            shell_calls.append(stb)

    stb = checks._show_without_traceback(
        FakeShell(), ExerciseCheckFailed, ExerciseCheckFailed("Exercise 1.1: no"), None
    )
    assert shell_calls == [stb] and len(stb) == 1 and "Exercise 1.1: no" in stb[0]


def test_importing_the_exercises_installs_the_short_display(monkeypatch):
    import importlib

    installed = []

    class FakeShell:
        def set_custom_exc(self, exc_tuple, handler):
            installed.append(exc_tuple)

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    import utils.exercises

    importlib.reload(utils.exercises)
    assert installed and set(installed) == {(ExerciseCheckFailed,)}
