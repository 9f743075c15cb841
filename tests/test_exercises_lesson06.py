"""Unit tests for utils/exercises/lesson06.py: placeholders, typical wrong answers, right answers, no leaks."""

import keras
import numpy as np
import pytest

from tests.exercise_helpers import placeholder
from utils.checks import ExerciseCheckFailed, NotAttempted
from utils.exercises import lesson06 as check

# ---------- 6.1 receptive field ----------


def receptive_field(kernel_size, dilations):
    return 1 + (kernel_size - 1) * sum(dilations)


def test_6_1_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_6_1(...)
    with pytest.raises(NotAttempted, match="still returns `...`"):
        check.exercise_6_1(placeholder)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda k, d: (k - 1) * sum(d), "one step short"),
        (lambda k, d: k * sum(d), "counted with all kernel_size taps"),
        (lambda k, d: 1 + (k - 1) * len(d), "ignores the dilations"),
        (lambda k, d: 1 + (k - 1) * max(d), "counts one layer only"),
        (lambda k, d: k ** len(d), "do not multiply"),
        (lambda k, d: 1 + (k - 1) * sum(set(d)), "appears twice counts twice"),
        (lambda k, d: (d[-2] if len(d) > 1 else 0) + d[-1] + 1, "top two dilations only"),
        (lambda k, d: ((d[-2] if len(d) > 1 else 0) + d[-1]) * k + k, "top two dilations only"),
    ],
)
def test_6_1_typical_mistakes_are_named(wrong, words):
    with pytest.raises(ExerciseCheckFailed, match=words) as failure:
        check.exercise_6_1(wrong)
    assert "Hint 1 of 3" in str(failure.value)


def test_6_1_unrecognised_mistake_says_the_direction_only():
    with pytest.raises(ExerciseCheckFailed, match="too large") as failure:
        check.exercise_6_1(lambda k, d: receptive_field(k, d) + 7)
    message = str(failure.value)
    assert "`my_receptive_field(2, [1])` = 9 is too large" in message  # every case is wrong: the first is shown
    rest = message.replace("my_receptive_field(2, [1])", "").replace("Exercise 6.1", "").replace("Hint 1 of 3", "")
    assert "2" not in rest  # its measured receptive field


def test_6_1_too_small():
    with pytest.raises(ExerciseCheckFailed, match="too small: the built stack's last output reacts"):
        check.exercise_6_1(lambda k, d: receptive_field(k, d) - 3 if len(d) > 1 else receptive_field(k, d))


def test_6_1_message_never_gives_the_measured_value():
    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_6_1(lambda k, d: (k - 1) * sum(d))
    message = str(failure.value)
    assert "`my_receptive_field(2, [1])` = 1 does not match" in message  # the one case this mistake is clear on
    rest = message.replace("my_receptive_field(2, [1])", "").replace("Exercise 6.1", "").replace("Hint 1 of 3", "")
    assert "2" not in rest  # the measured receptive field of that stack


def test_6_1_not_a_whole_number_and_errors_are_reported():
    with pytest.raises(ExerciseCheckFailed, match="whole number"):
        check.exercise_6_1(lambda k, d: receptive_field(k, d) + 0.5)

    def broken(kernel_size, dilations):
        return 1 + (kernel_size - 1) * dilations.sum()  # a list has no .sum()

    with pytest.raises(ExerciseCheckFailed, match="your `my_receptive_field` raised AttributeError") as failure:
        check.exercise_6_1(broken)
    assert "dilations.sum()" in str(failure.value)  # the student's own line


@pytest.mark.parametrize(
    "right",
    [
        receptive_field,
        lambda k, d: np.int64(1 + (k - 1) * np.sum(d)),
        lambda k, d: float(1 + sum((k - 1) * rate for rate in d)),
    ],
)
def test_6_1_right(right, capsys):
    check.exercise_6_1(right)
    assert "Exercise 6.1: correct" in capsys.readouterr().out


def test_6_1_a_measurement_wrapper_with_a_short_sequence_fails():
    def measured_on_120_steps(kernel_size, dilations):  # a stack measured on too few steps cannot see far
        return min(receptive_field(kernel_size, dilations), 120)

    with pytest.raises(ExerciseCheckFailed, match="too small"):
        check.exercise_6_1(measured_on_120_steps)


def test_6_1_reference_is_a_measurement():
    assert check._measured_receptive_field(2, [2**layer for layer in range(10)]) == 1024
    assert check._measured_receptive_field(2, [1, 2, 4, 8] * 2) == 31
    assert check._measured_receptive_field(2, [1, 2, 4, 8]) == 16
    assert check._measured_receptive_field(3, [1, 3, 9]) == 27
    assert check._measured_receptive_field(4, [1]) == 4
    assert check._measured_receptive_field(5, [2]) == 9  # the span, though a lone dilated layer reads 5 of its steps


# ---------- 6.2 causal dilated convolution ----------


def causal_conv(x, kernel, dilation):
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    reach = (len(kernel) - 1) * dilation
    padded = np.concatenate([np.zeros(reach), x])
    taps = np.arange(len(kernel)) * dilation
    return np.array([kernel @ padded[t + taps] for t in range(len(x))])


def causal_conv_by_shift(x, kernel, dilation):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i, weight in enumerate(kernel[::-1]):  # weight of the step i * dilation back
        shift = i * dilation
        out[shift:] += weight * x[: len(x) - shift]
    return out.reshape(-1, 1)  # a column is accepted too


def same_conv(x, kernel, dilation):
    reach = (len(kernel) - 1) * dilation
    return causal_conv(np.concatenate([x, np.zeros(reach // 2)]), kernel, dilation)[reach // 2 :]


def flipped_conv(x, kernel, dilation):
    return causal_conv(x, np.asarray(kernel)[::-1], dilation)


def undilated_conv(x, kernel, dilation):
    return causal_conv(x, kernel, 1)


def late_conv(x, kernel, dilation):
    return np.concatenate([[0.0], causal_conv(x, kernel, dilation)[:-1]])


def valid_conv(x, kernel, dilation):
    reach = (len(kernel) - 1) * dilation
    return causal_conv(x, kernel, dilation)[reach:]


def test_6_2_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_6_2(...)
    with pytest.raises(NotAttempted):
        check.exercise_6_2(placeholder)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (same_conv, "looks into the future"),
        (flipped_conv, "reverse order"),
        (undilated_conv, "ignores the dilation"),
        (late_conv, "one step late"),
        (valid_conv, "one output per input step"),
        (lambda x, k, d: 2 * causal_conv(x, k, d), "values wrong"),
    ],
)
def test_6_2_typical_mistakes_are_named(wrong, words):
    with pytest.raises(ExerciseCheckFailed, match=words):
        check.exercise_6_2(wrong)


def keras_wrapper(x, kernel, dilation):
    layer = keras.layers.Conv1D(1, len(kernel), padding="causal", dilation_rate=dilation, use_bias=False)
    layer.build((None, None, 1))
    layer.set_weights([np.asarray(kernel, dtype="float32").reshape(-1, 1, 1)])
    return keras.ops.convert_to_numpy(layer(np.asarray(x, dtype="float32").reshape(1, -1, 1)))[0, :, 0]


def test_6_2_calling_the_keras_layer_is_not_by_hand():
    with pytest.raises(ExerciseCheckFailed, match="only to float32 precision"):
        check.exercise_6_2(keras_wrapper)


def causal_conv_by_convolve(x, kernel, dilation):
    spread = np.zeros((len(kernel) - 1) * dilation + 1)
    spread[::dilation] = kernel
    return np.convolve(x, spread[::-1])[: len(x)]  # np.convolve flips its kernel: flip it first


@pytest.mark.parametrize("right", [causal_conv, causal_conv_by_shift, causal_conv_by_convolve])
def test_6_2_right(right, capsys):
    check.exercise_6_2(right)
    assert "Exercise 6.2: correct" in capsys.readouterr().out


def test_6_2_reference_is_keras():
    x, kernel = np.arange(6.0), np.array([1.0, 10.0])
    assert np.allclose(check._keras_causal_conv(x, kernel, 2), causal_conv(x, kernel, 2))
    assert np.allclose(check._keras_causal_conv(x, kernel, 2), [0, 10, 20, 31, 42, 53])
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=25), rng.normal(size=3)
    assert np.allclose(check._exact_causal_conv(x, kernel, 4), check._keras_causal_conv(x, kernel, 4), atol=1e-5)


# ---------- 6.3 aligned targets ----------


def aligned(Y_seq, kernel_sizes, strides):
    start, step = 0, 1
    for kernel_size, stride in zip(kernel_sizes, strides):
        start += (kernel_size - 1) * step  # this layer's last tap, in input steps
        step *= stride
    return Y_seq[:, start::step]


def aligned_layer_by_layer(Y_seq, kernel_sizes, strides):
    rows = np.arange(Y_seq.shape[1])
    for kernel_size, stride in zip(kernel_sizes, strides):
        rows = rows[kernel_size - 1 :: stride]
    return Y_seq[:, rows]


def aligned_by_loop(Y_seq, kernel_sizes, strides):
    rows, output = [], 0
    while True:
        step = output
        for kernel_size, stride in zip(kernel_sizes[::-1], strides[::-1]):  # from the top layer down
            step = step * stride + kernel_size - 1
        if step >= Y_seq.shape[1]:
            return np.stack([Y_seq[:, row] for row in rows], axis=1)
        rows.append(step)
        output += 1


def test_6_3_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_6_3(...)
    with pytest.raises(NotAttempted):
        check.exercise_6_3(placeholder)


def first_layer_only(Y, ks, ss):
    return Y[:, ks[0] - 1 :: ss[0]]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda Y, ks, ss: Y[:, :: ss[0]][:, : (Y.shape[1] - ks[0]) // ss[0] + 1], "BEFORE the last one"),
        (lambda Y, ks, ss: Y[:, ks[0] :: ss[0]], "output steps|after the last one"),
        (lambda Y, ks, ss: Y[:, ks[0] - 1 :], "fewer output steps|more output steps"),
        (lambda Y, ks, ss: Y[:, 3::2], "fewer output steps"),  # section 3's slice, copied
        (first_layer_only, "the stack has fewer output steps"),
        (lambda Y, ks, ss: Y[:, sum(k - 1 for k in ks) :: int(np.prod(ss))], "spaced right but start too early"),
        (lambda Y, ks, ss: aligned(Y, ks, ss)[:, ::-1], "not the ones"),
        (lambda Y, ks, ss: aligned(Y, ks, ss)[0], "axes"),
    ],
)
def test_6_3_typical_mistakes_are_named(wrong, words):
    with pytest.raises(ExerciseCheckFailed, match=words):
        check.exercise_6_3(wrong)


def test_6_3_late_by_one_is_named():
    def late(Y_seq, kernel_sizes, strides):
        rows = np.arange(kernel_sizes[0] - 1, Y_seq.shape[1], strides[0]) + 1  # one step after each window's end
        return Y_seq[:, np.minimum(rows, Y_seq.shape[1] - 1)]

    with pytest.raises(ExerciseCheckFailed, match="after the last one"):
        check.exercise_6_3(late)


def test_6_3_messages_never_give_the_row_count_away():
    with pytest.raises(ExerciseCheckFailed) as failure:
        check.exercise_6_3(first_layer_only)
    message = str(failure.value)
    assert "keeps 24 steps" in message and "11" not in message  # the stack's 11 output steps stay unsaid


@pytest.mark.parametrize("right", [aligned, aligned_layer_by_layer, aligned_by_loop])
def test_6_3_right(right, capsys):
    check.exercise_6_3(right)
    assert "Exercise 6.3: correct" in capsys.readouterr().out


def test_6_3_reference_is_measured_on_a_keras_stack():
    assert check._last_step_seen([4], [2], 50).tolist() == list(range(3, 50, 2))
    assert check._last_step_seen([1], [4], 17).tolist() == [0, 4, 8, 12, 16]
    assert check._last_step_seen([4, 4], [2, 2], 50).tolist() == list(range(9, 50, 4))


# ---------- 6.4 the echo model ----------


def conv_model(kernel_size, *, padding="causal", dilation_rate=1, taps=None, scale=1.0):
    """A one-layer linear Conv1D model with chosen weights (no training needed)."""
    model = keras.Sequential(
        [
            keras.Input(shape=(None, 1)),
            keras.layers.Conv1D(1, kernel_size, padding=padding, dilation_rate=dilation_rate, use_bias=False),
        ]
    )
    weights = np.zeros((kernel_size, 1, 1)) if taps is None else np.asarray(taps, dtype=float).reshape(-1, 1, 1)
    model.layers[0].set_weights([weights * scale])
    return model


def perfect_echo_model():
    taps = np.zeros(40)
    taps[0] = 0.9  # kernel[0] weighs the step 39 before the current one: x_(t+1-40)
    return conv_model(40, taps=taps)


def test_6_4_placeholder():
    with pytest.raises(NotAttempted, match="not attempted yet"):
        check.exercise_6_4(...)


def test_6_4_not_a_model():
    with pytest.raises(ExerciseCheckFailed, match="should be a Keras model"):
        check.exercise_6_4(0.19)


def test_6_4_wrong_output_shape():
    model = keras.Sequential([keras.Input(shape=(200, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(ExerciseCheckFailed, match="next value at every step"):
        check.exercise_6_4(model)


def test_6_4_not_causal():
    taps = np.zeros(79)
    taps[0] = 0.9
    with pytest.raises(ExerciseCheckFailed, match="not causal"):
        check.exercise_6_4(conv_model(79, padding="same", taps=taps + 0.01))


def test_6_4_the_lessons_wavenet_block_cannot_see_the_echo():
    keras.utils.set_random_seed(0)
    layers = [keras.Input(shape=(None, 1))]
    layers += [
        keras.layers.Conv1D(8, 2, padding="causal", activation="relu", dilation_rate=rate) for rate in (1, 2, 4, 8) * 2
    ]
    with pytest.raises(ExerciseCheckFailed, match="receptive field is too short"):
        check.exercise_6_4(keras.Sequential([*layers, keras.layers.Conv1D(1, 1)]))


def test_6_4_sees_far_enough_but_untrained():
    rng = np.random.default_rng(0)
    with pytest.raises(ExerciseCheckFailed, match="has not learned to use the echo") as failure:
        check.exercise_6_4(conv_model(40, taps=rng.normal(scale=0.05, size=40)))
    assert "Hint 1 of 3" in str(failure.value)


def test_6_4_right(capsys):
    check.exercise_6_4(perfect_echo_model())
    assert "Exercise 6.4: correct" in capsys.readouterr().out


def test_6_4_right_with_a_dilated_layer_and_2d_output(capsys):
    # kernel 2 with dilation 39 reads x_(t-39) and x_t; the output squeezed to [batch, steps] is accepted too
    inner = conv_model(2, dilation_rate=39, taps=[0.9, 0.0])
    squeezed = keras.Sequential([inner, keras.layers.Reshape((-1,))])
    check.exercise_6_4(squeezed)
    assert "Exercise 6.4: correct" in capsys.readouterr().out


# ---------- utils.convolutions: the lesson's two series ----------


def test_echo_series_has_the_promised_statistics():
    from utils.convolutions import echo_series

    series = echo_series(400, 300, lag=40, seed=3)
    assert series.shape == (400, 300, 1) and series.dtype == np.float32
    assert np.array_equal(series, echo_series(400, 300, lag=40, seed=3))  # seeded
    assert abs(series.var() - 1) < 0.05  # steady state from the first step
    best = np.mean((series[:, 40:] - 0.9 * series[:, :-40]) ** 2)
    assert abs(best - (1 - 0.9**2)) < 0.01  # the best forecast's MSE is the noise variance
    assert abs(np.corrcoef(series[:, 1:].ravel(), series[:, :-1].ravel())[0, 1]) < 0.05  # recent steps: no help


def test_local_rule_series_follows_its_rule():
    from utils.convolutions import local_rule_series

    series = local_rule_series(300, 80, seed=1)[:, :, 0].astype(np.float64)
    assert series.shape == (300, 80)
    rule = np.sin(2.5 * series[:, 1:-1] - 1.5 * series[:, :-2])
    assert abs(np.mean((series[:, 2:] - rule) ** 2) - 0.05**2) < 0.0005  # what is left is the noise


def test_series_reject_bad_arguments():
    from utils.convolutions import echo_series, local_rule_series

    with pytest.raises(ValueError, match="rho"):
        echo_series(5, 10, rho=1.0)
    with pytest.raises(ValueError):
        local_rule_series(0, 10)
