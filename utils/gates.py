"""Plumbing for lesson 05 (LSTM and GRU): the memory task's split, its training recipe, opened gates.

    from utils.gates import memory_split, fit_memory, open_forget_gate, open_update_gate
    X_train, y_train, X_test, y_test = memory_split(50)        # 4,000 / 1,000 sequences of 1 + 50 steps
    accuracy, model, seconds = fit_memory(keras.layers.LSTM, 50, prepare=open_forget_gate)
    accuracy, model, seconds = fit_memory(keras.layers.GRU, 50, epochs=32)  # the recipe, 4 times longer

The recipe (section 3 of the lesson): the cell with 16 units, then Dense(1, sigmoid); Adam with a
learning rate of 0.01; 8 epochs of batches of 128 (256 updates) on 4,000 sequences; the test accuracy
on 1,000 other sequences. `open_forget_gate` and `open_update_gate` start a layer's memory gate nearly
open (section 4 and 5 show why and which block of the bias that is).
"""

from __future__ import annotations

from .data import long_memory_task
from .forecasting import Stopwatch
from .validation import number, positive_int

#: The memory task's recipe; the lesson's text quotes these numbers.
MEMORY_TRAIN, MEMORY_TEST = 4_000, 1_000
MEMORY_UNITS, MEMORY_EPOCHS, MEMORY_BATCH, MEMORY_LEARNING_RATE = 16, 8, 128, 0.01


def memory_split(n_distractors: int, *, seed: int = 0):
    """The memory task with `n_distractors` distractors: X_train, y_train, X_test, y_test.

    4,000 training and 1,000 test sequences, drawn with seeds 2 * seed and 2 * seed + 1 (never the same).
    """
    n_distractors = positive_int(n_distractors, "n_distractors")
    seed = positive_int(seed, "seed", minimum=0)
    X_train, y_train = long_memory_task(MEMORY_TRAIN, n_distractors, seed=2 * seed)
    X_test, y_test = long_memory_task(MEMORY_TEST, n_distractors, seed=2 * seed + 1)
    return X_train, y_train, X_test, y_test


def fit_memory(cell, n_distractors: int, *, prepare=None, seed: int = 0, epochs: int = MEMORY_EPOCHS):
    """Train cell(16) + Dense(1, sigmoid) on the memory task; return the test accuracy, the model and the seconds.

    cell: a recurrent layer class (keras.layers.SimpleRNN, LSTM, GRU) or any callable units -> layer.
    prepare: an optional function applied to the built recurrent layer before training (e.g. open_forget_gate).
    seed: seeds the weights and chooses the training and test sequences (memory_split(n_distractors, seed=seed)).
    epochs: passes over the 4,000 training sequences (the recipe's 8 by default; each is 32 updates).
    """
    from .environment import seed_everything

    if not callable(cell):
        raise TypeError(f"cell must be a recurrent layer class such as keras.layers.LSTM, got {cell!r}.")
    if prepare is not None and not callable(prepare):
        raise TypeError(f"prepare must be a function of the recurrent layer (or None), got {prepare!r}.")
    epochs = positive_int(epochs, "epochs")
    X_train, y_train, X_test, y_test = memory_split(n_distractors, seed=seed)
    import keras

    seed_everything(seed)
    recurrent = cell(MEMORY_UNITS)
    if not isinstance(recurrent, keras.layers.RNN):
        raise TypeError(f"cell(16) must be a recurrent layer (SimpleRNN, LSTM, GRU), got {type(recurrent).__name__}.")
    model = keras.Sequential([keras.Input(shape=(None, 1)), recurrent, keras.layers.Dense(1, activation="sigmoid")])
    if prepare is not None:
        prepare(recurrent)
    model.compile(
        loss="binary_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=MEMORY_LEARNING_RATE),
        metrics=["accuracy"],
    )
    with Stopwatch() as watch:
        model.fit(X_train, y_train, epochs=epochs, batch_size=MEMORY_BATCH, verbose=0)
    accuracy = model.evaluate(X_test, y_test, batch_size=MEMORY_TEST, verbose=0)[1]
    return float(accuracy), model, watch.seconds


def _built(layer, kind, name):
    if not isinstance(layer, kind):
        raise TypeError(f"{name} needs a keras.layers.{kind.__name__}, got {type(layer).__name__}.")
    if not layer.built:
        raise ValueError(f"{name}: build the layer first (put it in a model after keras.Input, or call .build()).")
    if not layer.use_bias:
        raise ValueError(f"{name}: the layer has no bias (use_bias=False), so there is no gate bias to open.")


def open_forget_gate(lstm, bias: float = 5.0) -> None:
    """Set the LSTM's forget-gate bias (the second of the blocks i, f, c, o) to `bias`, in place.

    sigmoid(5) = 0.993: the cell state keeps about half of itself over 100 steps.
    """
    import keras

    _built(lstm, keras.layers.LSTM, "open_forget_gate")
    bias = number(bias, "bias", low=-50, high=50)
    kernel, recurrent_kernel, biases = lstm.get_weights()
    biases[lstm.units : 2 * lstm.units] = bias
    lstm.set_weights([kernel, recurrent_kernel, biases])


def open_update_gate(gru, bias: float = 5.0) -> None:
    """Set the GRU's update-gate bias to `bias`, in place: with Keras's z (the share of the old state kept),
    a positive bias keeps the memory. The first block (z, r, h) of the input bias row (reset_after=True),
    or of the one bias vector (reset_after=False)."""
    import keras

    _built(gru, keras.layers.GRU, "open_update_gate")
    bias = number(bias, "bias", low=-50, high=50)
    kernel, recurrent_kernel, biases = gru.get_weights()
    if biases.ndim == 2:  # reset_after=True: [input bias, recurrent bias]
        biases[0, : gru.units] = bias
    else:
        biases[: gru.units] = bias
    gru.set_weights([kernel, recurrent_kernel, biases])
