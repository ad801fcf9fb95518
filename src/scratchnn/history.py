"""The record of a training run: one value per epoch, as Keras's ``History``."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The per-epoch series, as Keras names them in ``History.history``.
SERIES = ("loss", "val_loss", "val_accuracy", "learning_rate")


@dataclass
class History:
    """Per-epoch values of a fit.

    Attributes
    ----------
    epoch : list of int
        Epoch numbers, counted from 1 over every call to ``fit`` on the model.
    loss : list of float
        Mean training loss of each epoch, over its samples.
    val_loss, val_accuracy : list of float
        With validation data: the loss and the accuracy (R² for a regression) on it.
    learning_rate : list of float
        The learning rate of each epoch's first update (it changes within an epoch only with
        a schedule by step).
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    #: Which of the ``restarts`` initialisations won (0: the model's own), when there were any.
    start: int | None = None

    def append(self, epoch: int, loss: float, val_loss: float | None = None,
               val_accuracy: float | None = None, learning_rate: float | None = None) -> None:
        """Record one finished epoch."""
        self.epoch.append(epoch)
        self.loss.append(loss)
        if learning_rate is not None:
            self.learning_rate.append(learning_rate)
        if val_loss is not None:
            self.val_loss.append(val_loss)
        if val_accuracy is not None:
            self.val_accuracy.append(val_accuracy)

    def copy(self) -> History:
        """An independent copy: new lists holding the same values."""
        return History(list(self.epoch), list(self.loss), list(self.val_loss),
                       list(self.val_accuracy), list(self.learning_rate), self.start)

    @property
    def history(self) -> dict[str, list[float]]:
        """The series recorded, by name, as Keras's ``history.history``."""
        return {name: getattr(self, name) for name in SERIES if getattr(self, name)}

    def __getitem__(self, name: str) -> list[float]:
        """``history["loss"]``: a series by name."""
        series = self.history
        if name not in series:
            raise KeyError(f"no {name!r} in this history; it has {sorted(series)}")
        return series[name]

    def __len__(self) -> int:
        return len(self.epoch)
