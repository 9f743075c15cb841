"""`setup()`: one call at the top of every notebook.

It seeds every random generator, makes TensorFlow deterministic and quiet,
sets the course's plot style and prints a one-line summary of where we run.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys

from .validation import positive_int

DEFAULT_SEED = 42


def where_am_i() -> str:
    """'Colab', 'Binder' or 'local'."""
    if "google.colab" in sys.modules:
        return "Colab"
    if "BINDER_LAUNCH_HOST" in os.environ or "BINDER_REQUEST" in os.environ:
        return "Binder"
    return "local"


def quiet_tensorflow_before_import() -> None:
    # Must happen before TensorFlow is first imported to take effect.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # oneDNN's fused CPU kernels change results with thread timing; off means the
    # same numbers run after run (and no start-up notice on stderr).
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def import_keras():
    """The keras module, imported after TensorFlow's start-up logs are quieted (for utils that need it lazily)."""
    quiet_tensorflow_before_import()
    import keras

    return keras


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and TensorFlow/Keras in one go (call again before each model)."""
    seed = positive_int(seed, "seed", minimum=0)
    quiet_tensorflow_before_import()
    import keras

    keras.utils.set_random_seed(seed)  # seeds python's random, NumPy and the backend


def setup(seed: int = DEFAULT_SEED, *, deterministic: bool = True, verbose: bool = True) -> None:
    """Prepare a notebook: seeds, determinism, quiet logs, plot style, exercise-check display.

    Prints a one-line environment summary unless verbose is False.
    """
    seed = positive_int(seed, "seed", minimum=0)
    if not isinstance(deterministic, bool):
        raise TypeError(f"deterministic must be True or False, got {deterministic!r}.")
    quiet_tensorflow_before_import()

    import logging

    import keras
    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    if deterministic:
        # On the CPU this costs little; it makes reductions run in a fixed order.
        tf.config.experimental.enable_op_determinism()
    seed_everything(seed)

    from . import checks, plots

    plots.use_course_style()
    checks.install_notebook_display()

    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    summary = (
        f"Python {platform.python_version()} | TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"{device} | {where_am_i()} | seed {seed}"
    )
    if verbose:
        print(summary)


@contextlib.contextmanager
def one_blas_thread():
    """Run NumPy/scikit-learn linear algebra on one thread inside the block.

    Tiny matrices (an MLP on 8x8 digits) train several times faster on one BLAS thread than on
    two that keep handing work to each other; TensorFlow is not affected.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
