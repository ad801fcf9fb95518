"""Training as an animation, for slides and reports: the decision boundary and the loss curve
of ``scratchnn.plot``, drawn at epochs along the way, as a GIF.

``Snapshots`` is a callback that keeps the weights every few epochs; ``animate`` draws them.
Needs matplotlib (``pip install 'scratchnn[plot]'``), and Pillow, which it brings.
"""

from __future__ import annotations

import io
import os
from typing import Any

from numpy.typing import NDArray

from .base import Array, BaseModel
from .history import History
from .io import write_atomically
from .language import say
from .plot import plot_training

__all__ = ["Snapshots", "animate"]


class Snapshots:
    """A callback keeping ``(epoch, weights)`` every ``every`` epochs of the last run (a
    restart from new weights starts the list again)."""

    def __init__(self, every: int = 1) -> None:
        self.every = every
        self.frames: list[tuple[int, list[Array]]] = []

    def set_model(self, model: BaseModel) -> None:
        self.model = model

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        epoch += 1  # callbacks count from 0 (as Keras's); the frames as ``history.epoch``
        if self.frames and epoch <= self.frames[-1][0]:  # a restart: a new run
            self.frames = []
        if epoch == 1 or epoch % self.every == 0:
            self.frames.append((epoch, self.model.get_weights()))


def _history_until(history: History, epoch: int) -> History:
    """The first ``epoch`` epochs of ``history``."""
    count = sum(1 for recorded in history.epoch if recorded <= epoch)
    return History(history.epoch[:count], history.loss[:count], history.val_loss[:count],
                   history.val_accuracy[:count], history.learning_rate[:count])


def animate(model: BaseModel, X: NDArray[Any], y: NDArray[Any],
            frames: list[tuple[int, list[Array]]], path: str | os.PathLike[str],
            seconds_per_frame: float = 0.15) -> int:
    """Write to ``path`` a GIF of ``model`` at each ``(epoch, weights)`` of ``frames`` (and at
    its final weights): the loss up to that epoch and the decision boundary over ``(X, y)``,
    the view of ``plot_training``.  Returns the number of frames."""
    from PIL import Image

    view = model.numpy_copy()
    last = model.history.epoch[-1] if model.history.epoch else 0
    if not frames or frames[-1][0] != last:
        frames = [*frames, (last, model.get_weights())]
    images = []
    for epoch, weights in frames:
        view.set_weights(weights)
        view.history = _history_until(model.history, epoch)
        figure = plot_training(view, X, y)
        figure.suptitle(say("plot_frame", epoch=epoch))
        picture = io.BytesIO()
        figure.savefig(picture, format="png", dpi=80)
        images.append(Image.open(picture).convert("RGB"))
    write_atomically(path, lambda file: images[0].save(
        file, format="GIF", save_all=True, append_images=images[1:],
        duration=round(seconds_per_frame * 1000), loop=0))
    return len(images)
