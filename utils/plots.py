"""The few figures every lesson draws, in one style.

- `plot_learning_curves(history)`: loss (and metrics) per epoch, training vs validation.
- `plot_series(series, forecasts=...)`: a series with one or more forecasts after it.
- `plot_image_grid(images)`: a grid of images, kernels or feature maps.
- `plot_signed_grid(rows)`: rows of signed kernels or weights on one symmetric colour scale.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .validation import as_array, positive_int

COURSE_STYLE = {
    "figure.figsize": (8, 4),
    "figure.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "legend.frameon": False,
}


def use_course_style() -> None:
    """Apply the course's matplotlib style (called by `setup()`)."""
    import matplotlib as mpl

    mpl.rcParams.update(COURSE_STYLE)


def _new_axes(ax, figsize=None):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_learning_curves(history, metrics=None, *, title: str = "Learning curves", log_scale: bool = False, ax=None):
    """Plot training (solid) and validation (dashed) curves from a Keras History or its `.history` dict.

    metrics: names to plot (default: every key that does not start with 'val_').
    """
    curves = getattr(history, "history", history)
    if not isinstance(curves, dict) or not curves:
        raise TypeError("history must be what model.fit() returned (a keras History) or its non-empty .history dict.")
    if metrics is None:
        metrics = [key for key in curves if not key.startswith("val_")]
    elif isinstance(metrics, str):
        metrics = [metrics]
    unknown = [name for name in metrics if name not in curves]
    if unknown:
        raise ValueError(f"metrics {unknown} are not in the history; it has {sorted(curves)}.")
    ax = _new_axes(ax)
    for name in metrics:
        epochs = np.arange(1, len(curves[name]) + 1)
        (line,) = ax.plot(epochs, curves[name], label=f"training {name}")
        if f"val_{name}" in curves:
            ax.plot(epochs, curves[f"val_{name}"], "--", color=line.get_color(), label=f"validation {name}")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set_ylabel(metrics[0] if len(metrics) == 1 else "value")
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    return ax


def plot_series(
    series,
    forecasts=None,
    *,
    target=None,
    title: str = "Series and forecast",
    x=None,
    ax=None,
    xlabel: str = "time step",
    ylabel: str = "value",
):
    """Plot a 1-D series, then each forecast where it starts (right after the series).

    forecasts: a 1-D array or a dict {label: 1-D array}; target: the true future values, if known.
    x: optional x values for the series (forecasts continue with unit steps).
    """
    values = as_array(series, "series", ndim=(1, 2)).reshape(len(np.asarray(series)), -1)
    if values.shape[1] != 1:
        raise ValueError(f"series must be univariate (shape [n] or [n, 1]), got shape {np.shape(series)}.")
    values = values[:, 0]
    steps = np.arange(len(values)) if x is None else as_array(x, "x", ndim=1)
    if len(steps) != len(values):
        raise ValueError(f"x must have one value per series step ({len(values)}), got {len(steps)}.")
    ax = _new_axes(ax)
    ax.plot(steps, values, ".-", label="series", color="tab:blue")
    start = len(values)
    if target is not None:
        future = as_array(target, "target").ravel()
        ax.plot(np.arange(start, start + len(future)), future, "o-", color="tab:green", label="truth")
    if forecasts is not None:
        if not isinstance(forecasts, dict):
            forecasts = {"forecast": forecasts}
        for label, forecast in forecasts.items():
            forecast = as_array(forecast, f"forecast {label!r}").ravel()
            ax.plot(np.arange(start, start + len(forecast)), forecast, "x--", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_image_grid(
    images, titles=None, *, ncols: int = 8, cmap: str = "gray", suptitle: str | None = None, size: float = 1.5
):
    """Show a stack of 2-D images (shape [n, height, width] or [n, h, w, 3]) in a grid; returns the figure."""
    import matplotlib.pyplot as plt

    stack = as_array(images, "images", ndim=(3, 4), dtype_kind="fiub", min_length=1)
    if stack.ndim == 4 and stack.shape[-1] not in (1, 3):
        raise ValueError(f"4-D images must end in 1 or 3 channels, got shape {stack.shape}.")
    ncols = positive_int(ncols, "ncols")
    count = len(stack)
    if titles is not None and len(titles) != count:
        raise ValueError(f"titles must have one entry per image ({count}), got {len(titles)}.")
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    row_height = size + (0.3 if titles is not None else 0)  # room for each image's title
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * ncols, row_height * nrows + (0.5 if suptitle else 0)),
        squeeze=False,
        layout="constrained",  # keeps titles and the suptitle clear of the images
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            image = stack[index]
            ax.imshow(image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image, cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[index]), fontsize=9, fontweight="normal")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_signed_grid(
    rows,
    *,
    row_titles=None,
    titles=None,
    suptitle: str | None = None,
    size: float = 1.2,
    cmap: str = "RdBu_r",
    colorbar_label: str = "value",
):
    """Rows of small signed 2-D arrays (kernels, weights) on ONE symmetric colour scale, with a colour bar.

    rows: shape [n_rows, n_cols, height, width]. White is 0, the two colours are the two signs, and a shade
    means the same value in every panel, so the rows can be compared (kernels before and after training,
    say). titles: one per column; row_titles: one per row. Returns the figure.
    """
    import matplotlib.pyplot as plt

    grid = as_array(rows, "rows", ndim=4, dtype_kind="fiub", min_length=1).astype(float)
    n_rows, n_cols = grid.shape[:2]
    if titles is not None and len(titles) != n_cols:
        raise ValueError(f"titles must have one entry per column ({n_cols}), got {len(titles)}.")
    if row_titles is not None and len(row_titles) != n_rows:
        raise ValueError(f"row_titles must have one entry per row ({n_rows}), got {len(row_titles)}.")
    limit = float(np.abs(grid).max()) or 1.0  # symmetric: 0 is always the middle of the scale
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(size * n_cols + 1.2, size * n_rows + (0.3 if titles is not None else 0) + (0.5 if suptitle else 0)),
        squeeze=False,
        layout="constrained",
    )
    for row in range(n_rows):
        for col in range(n_cols):
            ax = axes[row, col]
            image = ax.imshow(grid[row, col], cmap=cmap, vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():  # a light frame: a kernel of zeros is white on white
                spine.set_visible(True)
                spine.set_color("0.75")
            if row == 0 and titles is not None:
                ax.set_title(str(titles[col]), fontsize=9, fontweight="normal")
        if row_titles is not None:
            axes[row, 0].set_ylabel(str(row_titles[row]), fontsize=10)
    fig.colorbar(image, ax=axes, shrink=0.9, label=colorbar_label)
    if suptitle:
        fig.suptitle(suptitle)
    return fig
