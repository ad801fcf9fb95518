"""The record of a training run: one value per epoch, as Keras's ``History``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    """Per-epoch values of a fit.

    Attributes
    ----------
    epoch : list of int
        Epoch numbers, counted from 1 over every call to ``fit`` on the model.
    loss : list of float
        Mean training loss of each epoch, over its samples.
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)

    def append(self, epoch: int, loss: float) -> None:
        """Record one finished epoch."""
        self.epoch.append(epoch)
        self.loss.append(loss)

    def __len__(self) -> int:
        return len(self.epoch)
