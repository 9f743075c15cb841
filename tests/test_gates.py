"""utils.gates: the memory task's split, its recipe, and the opened LSTM / GRU gates."""

import numpy as np
import pytest

from utils.gates import fit_memory, memory_split, open_forget_gate, open_update_gate

keras = pytest.importorskip("keras")


def _built(layer, features=1):
    layer.build((None, None, features))
    return layer


def test_memory_split_shapes_and_disjoint_sequences():
    X_train, y_train, X_test, y_test = memory_split(5)
    assert X_train.shape == (4_000, 6, 1) and y_train.shape == (4_000,)
    assert X_test.shape == (1_000, 6, 1) and y_test.shape == (1_000,)
    assert not np.array_equal(X_train[:1_000], X_test)  # other sequences for the test
    again = memory_split(5)
    assert np.array_equal(again[0], X_train)  # reproducible
    other = memory_split(5, seed=1)
    assert not np.array_equal(other[0], X_train)  # the seed chooses the sequences


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "50"])
def test_memory_split_refuses_bad_distances(bad):
    with pytest.raises((TypeError, ValueError), match="n_distractors"):
        memory_split(bad)


def test_open_forget_gate_sets_only_the_second_block():
    lstm = _built(keras.layers.LSTM(4))
    before = [weight.copy() for weight in lstm.get_weights()]
    open_forget_gate(lstm, bias=3.0)
    kernel, recurrent_kernel, bias = lstm.get_weights()
    np.testing.assert_array_equal(kernel, before[0])
    np.testing.assert_array_equal(recurrent_kernel, before[1])
    np.testing.assert_array_equal(bias[4:8], 3.0)  # blocks i, [f], c, o
    np.testing.assert_array_equal(np.delete(bias, np.s_[4:8]), np.delete(before[2], np.s_[4:8]))


def test_open_update_gate_sets_z_of_the_input_bias_in_both_variants():
    gru = _built(keras.layers.GRU(3))  # reset_after=True: bias [2, 9]
    before = gru.get_weights()[2].copy()
    open_update_gate(gru)
    bias = gru.get_weights()[2]
    np.testing.assert_array_equal(bias[0, :3], 5.0)
    np.testing.assert_array_equal(bias[0, 3:], before[0, 3:])
    np.testing.assert_array_equal(bias[1], before[1])  # the recurrent bias row is untouched

    slide_gru = _built(keras.layers.GRU(3, reset_after=False))  # one bias vector [9]
    open_update_gate(slide_gru, bias=2.0)
    np.testing.assert_array_equal(slide_gru.get_weights()[2][:3], 2.0)


def test_opened_update_gate_keeps_the_state():
    gru = _built(keras.layers.GRU(3))
    open_update_gate(gru, bias=20.0)  # z = 1: the old state is kept exactly
    start = np.array([[0.3, -0.2, 0.5]], dtype="float32")
    step = np.ones((1, 1, 1), dtype="float32")
    np.testing.assert_allclose(np.asarray(gru(step, initial_state=[start])), start, atol=1e-6)


def test_gate_helpers_refuse_the_wrong_layer_or_an_unbuilt_one():
    with pytest.raises(TypeError, match="LSTM"):
        open_forget_gate(_built(keras.layers.GRU(2)))
    with pytest.raises(TypeError, match="GRU"):
        open_update_gate(_built(keras.layers.LSTM(2)))
    with pytest.raises(ValueError, match="build"):
        open_forget_gate(keras.layers.LSTM(2))
    with pytest.raises(ValueError, match="no bias"):
        open_forget_gate(_built(keras.layers.LSTM(2, use_bias=False)))
    with pytest.raises(ValueError, match="bias"):
        open_update_gate(_built(keras.layers.GRU(2)), bias=float("nan"))


def test_fit_memory_refuses_bad_arguments():
    with pytest.raises(TypeError, match="cell"):
        fit_memory("LSTM", 5)
    with pytest.raises(TypeError, match="prepare"):
        fit_memory(keras.layers.LSTM, 5, prepare=5.0)
    with pytest.raises(TypeError, match="recurrent layer"):
        fit_memory(keras.layers.Dense, 5)
    with pytest.raises((TypeError, ValueError), match="n_distractors"):
        fit_memory(keras.layers.LSTM, 0)
    for bad_epochs in (0, 2.5, "8"):
        with pytest.raises((TypeError, ValueError), match="epochs"):
            fit_memory(keras.layers.LSTM, 5, epochs=bad_epochs)


def test_fit_memory_trains_and_applies_prepare():
    seen = []

    def prepare(layer):
        seen.append(layer)
        open_forget_gate(layer)

    accuracy, model, seconds = fit_memory(keras.layers.LSTM, 2, prepare=prepare)
    assert seen and seen[0] is model.layers[0]
    assert 0.9 <= accuracy <= 1.0  # two distractors: easy
    assert seconds > 0 and isinstance(accuracy, float)
    assert int(model.optimizer.iterations.numpy()) == 8 * 32  # the recipe: 8 epochs of 32 batches of up to 128


def test_fit_memory_uses_the_number_of_epochs_asked_for():
    _, model, _ = fit_memory(keras.layers.SimpleRNN, 1, epochs=1)
    assert int(model.optimizer.iterations.numpy()) == 32
