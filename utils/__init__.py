"""The course's helper package: what the lessons share but do not need to show.

    import utils
    utils.setup()                      # seeds, determinism, quiet logs, plot style
    utils.record("naive_mse", 0.0202)  # a key result, collected by `make bench`

Modules: plots (shared figures), checks (exercise feedback), exercises (one module
of checks per lesson), validation (argument checks), course (repository facts;
`python -m utils.course` re-renders every notebook's badges and setup cell), data (datasets).
Importing utils does not import TensorFlow; `setup()` does, after quieting it.
"""

from . import checks, plots, validation
from .environment import one_blas_thread, seed_everything, setup, where_am_i
from .plots import plot_image_grid, plot_learning_curves, plot_series
from .record import record

__all__ = [
    "checks",
    "one_blas_thread",
    "plot_image_grid",
    "plot_learning_curves",
    "plot_series",
    "plots",
    "record",
    "seed_everything",
    "setup",
    "validation",
    "where_am_i",
]
