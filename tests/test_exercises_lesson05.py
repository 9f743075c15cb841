"""Unit tests for utils/exercises/lesson05.py: placeholders, typical wrong answers (each with its own message,
none giving the answer away) and right answers in several forms."""

import numpy as np
import pytest

from tests.exercise_helpers import failure_of
from utils.checks import NotAttempted
from utils.exercises import lesson05 as check

keras = pytest.importorskip("keras")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ---------- 5.1 one GRU step with reset_after=False ----------


def right_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    units = h_prev.shape[1]
    x_z, x_r, x_h = np.split(x_t @ kernel + bias, 3, axis=-1)
    u_z, u_r, u_h = np.split(recurrent_kernel, 3, axis=-1)
    z = _sigmoid(x_z + h_prev @ u_z)
    r = _sigmoid(x_r + h_prev @ u_r)
    candidate = np.tanh(x_h + (r * h_prev) @ u_h)
    assert candidate.shape[1] == units
    return z * h_prev + (1 - z) * candidate


def right_gru_step_with_slices(x_t, h_prev, kernel, recurrent_kernel, bias):
    u = recurrent_kernel.shape[0]
    z = _sigmoid(x_t @ kernel[:, :u] + bias[:u] + h_prev @ recurrent_kernel[:, :u])
    r = _sigmoid(x_t @ kernel[:, u : 2 * u] + bias[u : 2 * u] + h_prev @ recurrent_kernel[:, u : 2 * u])
    slide_z = 1 - z  # the slide's convention, mapped back
    candidate = np.tanh(x_t @ kernel[:, 2 * u :] + bias[2 * u :] + (r * h_prev) @ recurrent_kernel[:, 2 * u :])
    return (1 - slide_z) * h_prev + slide_z * candidate


def _variant(**mistake):
    def my_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
        return check._gru_variant(x_t, h_prev, kernel, recurrent_kernel, bias, **mistake)

    return my_gru_step


def test_5_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_5_1(...)


def test_5_1_function_still_returning_placeholder():
    def my_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
        return ...

    with pytest.raises(NotAttempted, match="still returns"):
        check.exercise_5_1(my_gru_step)


@pytest.mark.parametrize(
    ("mistake", "words"),
    [
        ({"reset_after": True}, "AFTER the recurrent product"),
        ({"reset_after": True, "bias_in_reset": True}, "AFTER the recurrent product"),
        ({"bias_in_reset": True}, "also scales the candidate's bias"),
        ({"swap_z": True}, "slide's convention"),
        ({"swap_z": True, "reset_after": True}, "two things differ"),
        ({"with_reset": False}, "ignores the reset gate"),
        ({"with_bias": False}, "except for the bias"),
        ({"return_candidate": True}, "returned the candidate"),
    ],
)
def test_5_1_typical_mistakes_are_named(mistake, words):
    assert words in failure_of(check.exercise_5_1, _variant(**mistake))


@pytest.mark.parametrize(
    ("order", "wrong_gates"),
    [("rzh", "zr"), ("zhr", "rh"), ("hzr", "zrh"), ("rhz", "zrh"), ("hrz", "zh")],
)
def test_5_1_every_other_block_order_is_named(order, wrong_gates):
    message = failure_of(check.exercise_5_1, _variant(order=order))
    assert "another order than Keras stores them" in message
    names = {"z": "your update gate z reads", "r": "your reset gate r reads", "h": "your candidate h~ reads"}
    for gate, words in names.items():
        assert (words in message) == (gate in wrong_gates), (gate, message)


def keras_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """Not written by hand: Keras's own GRU(reset_after=False) run for one step."""
    layer = keras.layers.GRU(recurrent_kernel.shape[0], reset_after=False)
    layer.build((None, None, kernel.shape[0]))
    layer.set_weights([kernel, recurrent_kernel, bias])
    return np.asarray(layer(x_t[:, None, :].astype("float32"), initial_state=[h_prev.astype("float32")]))


def test_5_1_keras_gru_does_not_count_and_is_restored_afterwards():
    message = failure_of(check.exercise_5_1, keras_gru_step)
    assert "write the step yourself" in message and "NumPy" in message
    case = check._gru_cases()[0]
    assert np.allclose(keras_gru_step(*case), right_gru_step(*case), atol=1e-5)  # Keras works again
    cell = keras.layers.RNN(keras.layers.GRUCell(4, reset_after=False))

    def through_a_cell(x_t, h_prev, kernel, recurrent_kernel, bias):
        cell.build((None, None, kernel.shape[0]))
        return cell(x_t[:, None, :])

    assert "write the step yourself" in failure_of(check.exercise_5_1, through_a_cell)


def test_5_1_missing_return_and_wrong_shape():
    def no_return(x_t, h_prev, kernel, recurrent_kernel, bias):
        right_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias)

    assert "forget the `return`" in failure_of(check.exercise_5_1, no_return)

    def transposed(x_t, h_prev, kernel, recurrent_kernel, bias):
        return right_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias).T

    assert "axis 0 (batch)" in failure_of(check.exercise_5_1, transposed)


def test_5_1_own_error_is_reported_with_its_line():
    def my_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
        return x_t @ recurrent_kernel  # wrong matrix: shapes do not match

    message = failure_of(check.exercise_5_1, my_gru_step)
    assert "your `my_gru_step` raised ValueError" in message and "x_t @ recurrent_kernel" in message


def test_5_1_unknown_wrong_answer_says_where_not_what():
    def my_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
        return right_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) * 1.5

    message = failure_of(check.exercise_5_1, my_gru_step)
    assert "values wrong" in message
    case = check._gru_cases()[0]
    expected = check._reference_gru_step(*case)
    assert not any(f"{value:.3f}" in message for value in expected.ravel())


def test_5_1_hints_come_in_stages():
    wrong = _variant(swap_z=True)
    messages = [failure_of(check.exercise_5_1, wrong) for _ in range(3)]
    assert "Hint 1 of 3" in messages[0] and "Hint 2 of 3" not in messages[0]
    assert "Hint 3 of 3" in messages[2]


@pytest.mark.parametrize("answer", [right_gru_step, right_gru_step_with_slices])
def test_5_1_right(answer, capsys):
    check.exercise_5_1(answer)
    assert "Exercise 5.1: correct" in capsys.readouterr().out


def test_5_1_reference_is_keras_and_matches_numpy():
    for case in check._gru_cases():
        assert np.allclose(check._reference_gru_step(*case), right_gru_step(*case), atol=1e-5)


# ---------- 5.2 clip by norm ----------


def right_clip(gradient, max_norm):
    norm = np.linalg.norm(gradient)
    return gradient * (max_norm / norm) if norm > max_norm else gradient


def right_clip_other_form(gradient, max_norm):
    with np.errstate(divide="ignore"):  # a gradient of zeros: max_norm / 0 = inf, and min(1, inf) = 1
        return gradient * min(1.0, max_norm / np.sqrt(np.sum(gradient**2)))


def _clip_each_row(gradient, max_norm):
    if gradient.ndim == 1:  # a vector: right; the mistake shows on matrices
        return right_clip(gradient, max_norm)
    rows = gradient.reshape(len(gradient), -1)
    factors = np.minimum(1.0, max_norm / np.linalg.norm(rows, axis=1, keepdims=True))
    return (rows * factors).reshape(gradient.shape)


def test_5_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_5_2(...)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda g, m: np.clip(g, -m, m), "clipped each value separately"),
        (lambda g, m: g * m / np.linalg.norm(g), "already short enough"),
        (lambda g, m: g / np.linalg.norm(g) if np.linalg.norm(g) > m else g, "norm 1"),
        (_clip_each_row, "each row by its own norm"),
        (lambda g, m: -right_clip(g, m), "another direction"),
        (lambda g, m: g[::-1] if g.ndim == 1 else g, "another direction"),
    ],
)
def test_5_2_typical_mistakes_are_named(answer, words):
    assert words in failure_of(check.exercise_5_2, answer)


def test_5_2_vanished_gradients_come_back_unchanged():
    def divides_by_the_norm(g, m):  # 0 / 0 for a gradient of zeros
        norm = np.linalg.norm(g)
        return g / norm * min(norm, m)

    with np.errstate(all="ignore"):
        message = failure_of(check.exercise_5_2, divides_by_the_norm)
    assert "nan or inf" in message and "all zeros" in message

    def drops_tiny_gradients(g, m):
        return right_clip(g, m) if np.linalg.norm(g) > 1e-6 else np.zeros_like(g)

    assert "(nearly) vanished" in failure_of(check.exercise_5_2, drops_tiny_gradients)


def test_5_2_library_clipping_does_not_count_and_is_restored_afterwards():
    tf = pytest.importorskip("tensorflow")
    from tensorflow import clip_by_norm  # the same function under another name

    for cheat in [
        lambda g, m: tf.clip_by_norm(g, m).numpy(),
        lambda g, m: tf.clip_by_norm(g, m),
        lambda g, m: clip_by_norm(g, m).numpy(),
        lambda g, m: tf.clip_by_global_norm([g], m)[0][0].numpy(),
    ]:
        message = failure_of(check.exercise_5_2, cheat)
        assert "write clipping yourself" in message
    assert np.allclose(tf.clip_by_norm(np.array([3.0, -4.0]), 1.0).numpy(), [0.6, -0.8])  # TensorFlow works again


def test_5_2_right_direction_wrong_length_says_factor_not_value():
    message = failure_of(check.exercise_5_2, lambda g, m: right_clip(g, m) / 2)
    assert "2 times too small" in message
    assert "0.6" not in message and "0.8" not in message  # the clipped [3, -4] is [0.6, -0.8]


@pytest.mark.parametrize("answer", [right_clip, right_clip_other_form])
def test_5_2_right(answer, capsys):
    check.exercise_5_2(answer)
    assert "Exercise 5.2: correct" in capsys.readouterr().out


# ---------- 5.3 parameter count ----------


def _keras_count():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Bidirectional(keras.layers.GRU(32, return_sequences=True)),
            keras.layers.LSTM(16),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    return model.count_params()


def test_5_3_reference_matches_keras():
    assert check._reference_param_count() == _keras_count()


def test_5_3_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_5_3(...)


@pytest.mark.parametrize(
    ("mistake", "words"),
    [
        ({"bidirectional": False, "lstm_reads_both": False}, "counted the GRU once"),
        ({"lstm_reads_both": False}, "concatenates both directions"),
        ({"bidirectional": False}, "the LSTM's input is right"),
        ({"reset_after": False}, "two bias vectors per gate"),
        ({"with_dense": False}, "Dense output layer is missing"),
        ({"lstm_as_gru": True}, "three blocks like a GRU"),
        ({"lstm_reads_rows": True}, "as if it read the image rows"),
        ({"dense_bias": False}, "without its biases"),
    ],
)
def test_5_3_typical_mistakes_are_named(mistake, words):
    wrong = check._reference_param_count(**mistake)
    message = failure_of(check.exercise_5_3, wrong)
    assert words in message
    right = check._reference_param_count()
    assert str(right) not in message and f"{right:,}" not in message


def test_5_3_other_wrong_counts_say_direction_only():
    right = check._reference_param_count()
    assert "too large" in failure_of(check.exercise_5_3, right + 7)
    assert "too small" in failure_of(check.exercise_5_3, right - 100)
    assert "whole number" in failure_of(check.exercise_5_3, right + 0.5)
    assert "should be a number" in failure_of(check.exercise_5_3, str(right))


@pytest.mark.parametrize("form", [int, float, np.int64, lambda value: np.array([value])])
def test_5_3_right(form, capsys):
    check.exercise_5_3(form(_keras_count()))
    assert "Exercise 5.3: correct" in capsys.readouterr().out


# ---------- 5.4 a recipe that remembers 200 steps back, every time ----------


def latch(recurrent_weight=3.0, *, functional=False, seed=0):
    """One tanh unit that latches onto the sign of the first step: with a recurrent weight of 3 no distractor
    in [-1, 1] can flip it (a hand-built right answer); with 2 it is flipped now and then; with -3 it flips at
    every step. The seed nudges the output weight, as training with another seed would."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(None, 1))
    recurrent = keras.layers.SimpleRNN(1)
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = (
        keras.Model(inputs, dense(recurrent(inputs))) if functional else keras.Sequential([inputs, recurrent, dense])
    )
    recurrent.set_weights([np.ones((1, 1)), np.full((1, 1), recurrent_weight), np.zeros(1)])
    dense.set_weights([np.full((1, 1), 10.0 + seed / 1_000), np.zeros(1)])
    return model


def recipe_of(make_model):
    def my_long_memory_recipe(seed):
        return make_model(seed)

    return my_long_memory_recipe


def always(model):
    """A 'recipe' that hands back one fixed model, whatever the seed."""
    return recipe_of(lambda seed: model)


def test_5_4_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_5_4(...)

    def my_long_memory_recipe(seed):
        return ...

    with pytest.raises(NotAttempted, match="still returns"):
        check.exercise_5_4(my_long_memory_recipe)


def test_5_4_not_a_recipe_or_not_a_model():
    model = latch()
    assert "not a recipe" in failure_of(check.exercise_5_4, model)
    assert "should be a function" in failure_of(check.exercise_5_4, 0.97)
    assert "should return a trained Keras model" in failure_of(check.exercise_5_4, recipe_of(lambda seed: 0.97))
    assert "return only the model" in failure_of(check.exercise_5_4, recipe_of(lambda seed: (1.0, latch(seed=seed), 3)))
    assert "should return a trained Keras model" in failure_of(check.exercise_5_4, recipe_of(lambda s: model.layers[0]))


def test_5_4_a_recipe_must_train_a_new_model_each_time():
    assert "the very same model" in failure_of(check.exercise_5_4, always(latch()))
    assert "identical weights" in failure_of(check.exercise_5_4, recipe_of(lambda seed: latch()))


def test_5_4_models_that_existed_before_the_call_are_refused():
    """Right answers made before the check ran, handed back by recipes that train nothing: the seed only picks one,
    or is ignored altogether; a new model around old layers, or around an old model, is no better."""
    made_before = [latch(seed=1), latch(seed=2)]
    handed_in = iter(made_before)
    recipes = [
        recipe_of(lambda seed: made_before[seed % 2]),
        recipe_of(lambda seed: next(handed_in)),
        recipe_of(lambda seed: keras.Sequential([keras.Input(shape=(None, 1)), *made_before[seed % 2].layers])),
        recipe_of(lambda seed: keras.Sequential([keras.Input(shape=(None, 1)), made_before[seed % 2]])),
        recipe_of(
            lambda seed: keras.Sequential(  # a new layer around an old cell
                [
                    keras.Input(shape=(None, 1)),
                    keras.layers.RNN(made_before[seed % 2].layers[0].cell),
                    made_before[seed % 2].layers[1],
                ]
            )
        ),
    ]
    for recipe in recipes:
        message = failure_of(check.exercise_5_4, recipe)
        assert "existed before the call" in message and "my_long_memory_recipe(101)" in message


def test_5_4_untrained_gated_model_is_at_chance():
    def untrained(seed):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.LSTM(8), keras.layers.Dense(1, "sigmoid")])

    message = failure_of(check.exercise_5_4, recipe_of(untrained))
    assert "about chance" in message and "my_long_memory_recipe(101)" in message


def test_5_4_a_memory_that_fades_or_flips_is_named():
    assert "only some of the time" in failure_of(check.exercise_5_4, recipe_of(lambda seed: latch(2.0, seed=seed)))
    message = failure_of(check.exercise_5_4, recipe_of(lambda seed: latch(-3.0, seed=seed)))
    assert "OPPOSITE" in message and "199 distractors" in message  # right at 200, wrong one step shorter


def test_5_4_models_that_cheat_the_stream_are_refused():
    keras.utils.set_random_seed(0)
    flat = keras.Sequential([keras.Input(shape=(201, 1)), keras.layers.Flatten(), keras.layers.Dense(1, "sigmoid")])
    assert "no recurrent layer" in failure_of(check.exercise_5_4, always(flat))
    every_output_at_once = keras.Sequential(
        [
            keras.Input(shape=(201, 1)),
            keras.layers.SimpleRNN(4, return_sequences=True),
            keras.layers.Flatten(),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    assert "contains a Flatten operation" in failure_of(check.exercise_5_4, always(every_output_at_once))
    both_ways = keras.Sequential(
        [
            keras.Input(shape=(None, 1)),
            keras.layers.Bidirectional(keras.layers.LSTM(4)),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    assert "backwards" in failure_of(check.exercise_5_4, always(both_ways))


def _reads_step_zero(pick):
    """An untrained model that answers from the recurrent output at step 0, before any distractor: it would
    score 100 % at any distance without remembering anything."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None, 1))
    recurrent = keras.layers.SimpleRNN(1, return_sequences=True)
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Model(inputs, dense(pick(recurrent(inputs))))
    recurrent.set_weights([np.ones((1, 1)), np.zeros((1, 1)), np.zeros(1)])
    dense.set_weights([np.full((1, 1), 10.0), np.zeros(1)])
    return model


def test_5_4_answers_that_skip_the_memory_are_refused():
    by_a_layer = _reads_step_zero(keras.layers.Lambda(lambda sequence: sequence[:, 0]))
    assert "contains a Lambda operation" in failure_of(check.exercise_5_4, always(by_a_layer))
    by_slicing = _reads_step_zero(lambda sequence: sequence[:, 0])
    assert "contains a GetItem operation" in failure_of(check.exercise_5_4, always(by_slicing))
    keras.utils.set_random_seed(0)
    pooled = keras.Sequential(
        [
            keras.Input(shape=(None, 1)),
            keras.layers.LSTM(4, return_sequences=True),
            keras.layers.GlobalMaxPooling1D(),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    assert "GlobalMaxPooling1D" in failure_of(check.exercise_5_4, always(pooled))
    every_step = keras.Sequential(
        [keras.Input(shape=(None, 1)), keras.layers.LSTM(4, return_sequences=True), keras.layers.Dense(1, "sigmoid")]
    )
    assert "returns a whole sequence" in failure_of(check.exercise_5_4, always(every_step))


def test_5_4_a_fixed_length_or_a_hidden_computation_is_refused():
    keras.utils.set_random_seed(0)
    fixed = keras.Sequential([keras.Input(shape=(201, 1)), keras.layers.LSTM(2), keras.layers.Dense(1, "sigmoid")])
    assert "exactly 201 steps" in failure_of(check.exercise_5_4, always(fixed))

    class OwnCall(keras.Model):
        def __init__(self):
            super().__init__()
            self.recurrent = keras.layers.SimpleRNN(2, return_sequences=True)
            self.dense = keras.layers.Dense(1, activation="sigmoid")

        def call(self, inputs):
            return self.dense(self.recurrent(inputs)[:, 0])

    assert "its own call() method" in failure_of(check.exercise_5_4, always(OwnCall()))


def test_5_4_wrong_outputs():
    keras.utils.set_random_seed(0)
    logits = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.SimpleRNN(2), keras.layers.Dense(1)])
    logits.layers[-1].set_weights([np.full((2, 1), 50.0), np.zeros(1)])
    assert "not probabilities" in failure_of(check.exercise_5_4, always(logits))
    two = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.GRU(2), keras.layers.Dense(2, "softmax")])
    assert "one probability per sequence" in failure_of(check.exercise_5_4, always(two))


def test_5_4_messages_give_no_recipe_away():
    for recipe in [recipe_of(lambda seed: latch(2.0, seed=seed)), recipe_of(lambda seed: latch(-3.0, seed=seed))]:
        message = failure_of(check.exercise_5_4, recipe)
        assert "open_update_gate" not in message and "open_forget_gate" not in message
        assert "5.0" not in message and "sigmoid(5" not in message and "GRU" not in message


def _nested_with_per_step_layers(seed):
    """The hand-built memory inside a Sequential, with layers that act on one step at a time around it."""
    return keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.Dropout(0.1), latch(seed=seed)])


@pytest.mark.parametrize(
    "make_model",
    [
        lambda seed: latch(seed=seed),
        lambda seed: latch(functional=True, seed=seed),
        lambda seed: latch(4.0, seed=seed),
        _nested_with_per_step_layers,
    ],
)
def test_5_4_right(make_model, capsys):
    check.exercise_5_4(recipe_of(make_model))
    assert "Exercise 5.4: correct" in capsys.readouterr().out


def test_5_4_a_real_recipe_passes_and_its_trained_models_cannot_be_handed_in_again(capsys):
    """A recipe that trains, as a student's would: the opened GRU, trained where learning is reliable. The models
    it trained, returned afterwards by a recipe that ignores its seed (as the lesson's own trained models could be),
    are refused."""
    from utils.gates import fit_memory, open_update_gate

    trained = []

    def my_long_memory_recipe(seed):
        trained.append(fit_memory(keras.layers.GRU, 50, prepare=open_update_gate, seed=seed)[1])
        return trained[-1]

    check.exercise_5_4(my_long_memory_recipe)
    assert "Exercise 5.4: correct" in capsys.readouterr().out
    already_trained = iter(list(trained))
    message = failure_of(check.exercise_5_4, recipe_of(lambda seed: next(already_trained)))
    assert "existed before the call" in message
