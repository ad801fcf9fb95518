"""Keras's callbacks, with Keras's meanings: ``EarlyStopping``, ``ModelCheckpoint``,
``CSVLogger`` and ``LearningRateScheduler``.

A callback is any object with ``on_epoch_end(epoch, logs)`` (returning True stops training);
``fit`` also calls, when a callback has them, ``set_model(model)`` once before training and
``on_epoch_begin(epoch)`` before each epoch.  As in Keras, callbacks receive epochs counted
from 0: the epoch ``history.epoch[i]`` (counted from 1, as the per-epoch line counts them) is
``i`` here, and a later fit continues the count.
"""

from __future__ import annotations

import csv
import inspect
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .optimizers import Optimizer
from .training import MONITORS, EarlyStopping

if TYPE_CHECKING:
    from .base import BaseModel

__all__ = ["CSVLogger", "EarlyStopping", "LearningRateScheduler", "ModelCheckpoint"]


class _ModelCallback:
    """A callback that acts on the model it is given by ``set_model``."""

    model: BaseModel

    def set_model(self, model: BaseModel) -> None:
        self.model = model


class ModelCheckpoint(_ModelCallback):
    """Save the model after each epoch (``model.save``, atomic: a crash never leaves a
    half-written file).

    ``filepath`` may hold ``{epoch}`` and the logs' names (``{val_loss:.3f}``), as in Keras
(which fills ``{epoch}`` with the epoch counted from 1, as ``history.epoch``);
    with ``save_best_only`` the model is saved only when ``monitor`` reaches its best value
    so far, so the file always holds the best model.
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 save_best_only: bool = False) -> None:
        if monitor not in MONITORS:
            raise ValueError(f"monitor must be one of {sorted(MONITORS)}, got {monitor!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.best = -math.inf if MONITORS[monitor] else math.inf

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.save_best_only:
            if self.monitor not in logs:
                raise ValueError(f"ModelCheckpoint monitors {self.monitor!r}, which this fit "
                                 f"does not compute (it has {sorted(logs)})")
            value = logs[self.monitor]
            if not (value > self.best if MONITORS[self.monitor] else value < self.best):
                return
            self.best = value
        self.model.save(self.filepath.format(epoch=epoch + 1, **logs))


class CSVLogger:
    """Write each epoch's logs as a row of a CSV file: ``epoch`` (from 0, as Keras writes it)
    then the values, with a header line; ``append`` continues an existing file."""

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",",
                 append: bool = False) -> None:
        self.path = Path(filename)
        self.separator = separator
        self.append = append
        self.columns: list[str] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        new = self.columns is None
        if new:
            self.columns = ["epoch", *logs]
            new = not (self.append and self.path.exists() and self.path.stat().st_size)
        assert self.columns is not None
        with self.path.open("a" if (self.append or not new) else "w", newline="") as file:
            writer = csv.writer(file, delimiter=self.separator)
            if new:
                writer.writerow(self.columns)
            writer.writerow([epoch, *(logs.get(name, "") for name in self.columns[1:])])


class LearningRateScheduler(_ModelCallback):
    """Set the learning rate before each epoch to ``schedule(epoch, learning_rate)`` or
    ``schedule(epoch)`` (the epoch from 0 and the current rate), as Keras's: which of the two
    is read from the function's signature once, here."""

    def __init__(self, schedule: Callable[..., float]) -> None:
        if not callable(schedule):
            raise TypeError(f"schedule must be a function of (epoch, learning_rate) or of "
                            f"(epoch), got {schedule!r}")
        self.schedule = schedule
        self.takes_rate = _takes_rate(schedule)

    def on_epoch_begin(self, epoch: int) -> None:
        optimizer = self.model.optimizer_
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"LearningRateScheduler sets an optimizer's learning rate; "
                            f"{optimizer!r} has none")
        rate = (self.schedule(epoch, optimizer.learning_rate) if self.takes_rate
                else self.schedule(epoch))
        optimizer.learning_rate = float(rate)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Nothing: the rate is set before each epoch."""


def _takes_rate(schedule: Callable[..., float]) -> bool:
    """Whether ``schedule`` is called as ``schedule(epoch, learning_rate)`` (True) or
    ``schedule(epoch)`` (False); raise if it can be called as neither."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):  # a callable without a signature: Keras's call first
        return True
    for arguments, takes_rate in (((0, 0.1), True), ((0,), False)):
        try:
            signature.bind(*arguments)
        except TypeError:
            continue
        return takes_rate
    raise TypeError(f"schedule must be a function of (epoch, learning_rate) or of (epoch), "
                    f"got {schedule!r} with the signature {signature}")


def callback_hook(callback: Any, name: str) -> Callable[..., Any] | None:
    """The callback's optional method ``name`` (``set_model``, ``on_epoch_begin``), if any."""
    hook = getattr(callback, name, None)
    return hook if callable(hook) else None
