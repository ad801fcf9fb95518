"""Pictures of training: the loss curve and, for 2-D inputs, the decision boundary, with
their words in the current language (``scratchnn.language.speaking``).

Needs matplotlib (``pip install 'scratchnn[plot]'``).  Figures are built with
``matplotlib.figure.Figure``, without pyplot, so they render headless (Agg) and never open a
window.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy.typing import NDArray

try:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
except ImportError:  # pragma: no cover - exercised only without the extra
    raise ImportError("pictures need matplotlib: pip install 'scratchnn[plot]'") from None

from .base import BaseModel
from .language import say
from .outputs import OutputKind
from .plane import Plane

__all__ = ["plot_decision_boundary", "plot_loss", "plot_training"]


def plot_loss(model: BaseModel, ax: Axes) -> Axes:
    """Draw the training loss per epoch, the validation loss when there is one, and the epoch
    whose weights early stopping restored."""
    history = model.history
    ax.plot(history.epoch, history.loss, label=say("plot_training_loss"))
    if history.val_loss:
        ax.plot(history.epoch[-len(history.val_loss):], history.val_loss,
                label=say("plot_validation_loss"))
    best = model.best_epoch_
    if best:  # early stopping kept this epoch's weights
        ax.axvline(best, color="gray", linestyle="--", label=say("plot_restored", epoch=best))
    ax.set_xlabel(say("plot_epoch"))
    ax.set_ylabel(say("plot_loss_axis", name=model.loss.name))
    ax.set_yscale("log")
    ax.set_title(say("loss"))
    ax.legend()
    return ax


def plot_decision_boundary(model: BaseModel, X: NDArray[Any], y: NDArray[Any], ax: Axes,
                           resolution: int = 200) -> Axes:
    """Colour the plane by the model's prediction and draw the points ``(X, y)`` on it.

    ``X`` must have 2 features.  For one sigmoid output the colour is the probability of
    class 1, with the 0.5 contour drawn; for softmax, the predicted class.
    """
    plane = Plane.around(X)
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y).reshape(len(X), -1)
    labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
    low, high = plane.low, plane.high
    grid_x, grid_y = plane.grid(resolution)
    grid = plane.points(resolution)
    if model.output_kind is OutputKind.MULTICLASS:
        surface = model.predict(grid).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, surface, levels=np.arange(model.n_outputs + 1) - 0.5,
                    cmap="tab10", alpha=0.35, vmin=0, vmax=9)
    else:
        surface = model.predict_proba(grid)[:, 0].reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, surface, levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                    alpha=0.6, vmin=0, vmax=1)
        ax.contour(grid_x, grid_y, surface, levels=[0.5], colors="black", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="tab10" if labels.max() > 1 else "RdBu_r",
               vmin=0, vmax=9 if labels.max() > 1 else 1, edgecolors="black", s=40)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel(say("plot_feature", index=1))
    ax.set_ylabel(say("plot_feature", index=2))
    ax.set_title(say("plot_boundary"))
    return ax


def plot_training(model: BaseModel, X: NDArray[Any], y: NDArray[Any],
                  path: str | os.PathLike[str] | None = None) -> Figure:
    """One figure: the loss curve and, for 2-D inputs, the decision boundary beside it.

    Saved as PNG to ``path`` if given.
    """
    two_d = np.asarray(X).ndim == 2 and np.asarray(X).shape[1] == 2
    figure = Figure(figsize=(11 if two_d else 5.5, 4.5), layout="constrained")
    axes = figure.subplots(1, 2 if two_d else 1, squeeze=False)[0]
    if model.history.loss:
        plot_loss(model, axes[0])
    else:
        axes[0].set_title(say("plot_not_trained"))
    if two_d:
        plot_decision_boundary(model, X, y, axes[1])
    if path is not None:
        figure.savefig(path, dpi=100)
    return figure
