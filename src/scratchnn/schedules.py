"""Learning-rate schedules, held by the optimizer (as in Keras: ``SGD(ExponentialDecay(...))``).

Two kinds:

- **by step** (Keras's ``ExponentialDecay`` and ``CosineDecay``): the learning rate of update
  number ``t`` (from 0) is a formula of ``t``; ``value(t, math)`` computes it with NumPy or, in
  the TensorFlow engine's graph, with ``tf.math``, so both engines use one formula;
- **by epoch** (scikit-learn's ``invscaling`` and ``adaptive``, Keras's
  ``ReduceLROnPlateau``): the rate is constant during an epoch and ``end_epoch`` sets the next
  one from what the epoch gave (samples seen, losses); ``end_epoch`` may also ask training to
  stop (``adaptive``, once the rate is below 1e-6).

The rate used in each epoch is recorded in ``history.learning_rate``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from .training import Plateau
from .validation import check_non_negative, check_positive_int

__all__ = [
    "SCHEDULES",
    "Adaptive",
    "CosineDecay",
    "ExponentialDecay",
    "InverseScaling",
    "ReduceOnPlateau",
    "Schedule",
    "get_schedule",
]


class Schedule:
    """Base class: a learning rate that changes during training."""

    name: ClassVar[str] = ""
    #: Changes only between epochs (``end_epoch``), not within one.
    by_epoch: ClassVar[bool] = True

    def __init__(self, initial_learning_rate: float) -> None:
        self.initial_learning_rate = check_non_negative("initial_learning_rate",
                                                        initial_learning_rate, strict=True)
        self.current = self.initial_learning_rate

    def value(self, step: Any, math: ModuleType = np) -> Any:
        """The learning rate of update ``step`` (counted from 0)."""
        return self.current

    def end_epoch(self, logs: dict[str, float], n_samples: int) -> bool:
        """Update after an epoch of ``n_samples`` samples (``logs`` as the callbacks get
        them); True stops training."""
        return False

    def config(self) -> dict[str, Any]:
        """The settings, as keyword arguments of the constructor."""
        return {"initial_learning_rate": self.initial_learning_rate}

    def state(self) -> dict[str, Any]:
        """What changes during training, as JSON-able values."""
        return {"current": self.current}

    def set_state(self, state: dict[str, Any]) -> None:
        self.current = float(state["current"])

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({arguments})"


class ExponentialDecay(Schedule):
    """Keras's ``ExponentialDecay``: ``lr0 · decay_rate ^ (t / decay_steps)``, the exponent
    rounded down with ``staircase``."""

    name = "exponential"
    by_epoch = False

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False) -> None:
        super().__init__(initial_learning_rate)
        self.decay_steps = check_positive_int("decay_steps", decay_steps)
        self.decay_rate = check_non_negative("decay_rate", decay_rate, strict=True)
        if not isinstance(staircase, bool):
            raise TypeError(f"staircase must be True or False, got {staircase!r}")
        self.staircase = staircase

    def value(self, step: Any, math: ModuleType = np) -> Any:
        exponent = step / self.decay_steps
        if self.staircase:
            exponent = math.floor(exponent)
        return self.initial_learning_rate * self.decay_rate ** exponent

    def config(self) -> dict[str, Any]:
        return {**super().config(), "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}


class CosineDecay(Schedule):
    """Keras's ``CosineDecay``: ``lr0 · ((1 - alpha) · ½(1 + cos(π · min(t, T) / T)) + alpha)``
    with ``T = decay_steps``."""

    name = "cosine"
    by_epoch = False

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 alpha: float = 0.0) -> None:
        super().__init__(initial_learning_rate)
        self.decay_steps = check_positive_int("decay_steps", decay_steps)
        self.alpha = check_non_negative("alpha", alpha)

    def value(self, step: Any, math: ModuleType = np) -> Any:
        completed = math.minimum(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1 + math.cos(np.pi * completed))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "decay_steps": self.decay_steps, "alpha": self.alpha}


class InverseScaling(Schedule):
    """scikit-learn's ``invscaling``: after each epoch, ``lr = lr0 / (t + 1) ^ power_t``, ``t``
    the number of samples trained on so far (scikit-learn's ``t_``)."""

    name = "invscaling"

    def __init__(self, initial_learning_rate: float, power_t: float = 0.5) -> None:
        super().__init__(initial_learning_rate)
        self.power_t = check_non_negative("power_t", power_t)
        self.samples_seen = 0

    def end_epoch(self, logs: dict[str, float], n_samples: int) -> bool:
        self.samples_seen += n_samples
        self.current = self.initial_learning_rate / (self.samples_seen + 1) ** self.power_t
        return False

    def config(self) -> dict[str, Any]:
        return {**super().config(), "power_t": self.power_t}

    def state(self) -> dict[str, Any]:
        return {**super().state(), "samples_seen": self.samples_seen}

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.samples_seen = int(state["samples_seen"])


class _OnPlateau(Schedule):
    """Divides the rate by ``1 / factor`` when ``monitor`` has not improved by ``min_delta``
    for ``patience`` epochs in a row (the ``Plateau`` rule)."""

    def __init__(self, initial_learning_rate: float, monitor: str, factor: float,
                 patience: int, min_delta: float) -> None:
        super().__init__(initial_learning_rate)
        self.plateau = Plateau(monitor, min_delta, patience)
        self.factor = check_non_negative("factor", factor, strict=True)
        if self.factor >= 1:
            raise ValueError(f"factor must be below 1, got {factor!r}")

    def end_epoch(self, logs: dict[str, float], n_samples: int) -> bool:
        self.plateau.update(logs)
        if not self.plateau.reached:
            return False
        self.plateau.waited = 0
        return self._reduce()

    def _reduce(self) -> bool:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        return {**super().config(), "monitor": self.plateau.monitor, "factor": self.factor,
                "patience": self.plateau.patience, "min_delta": self.plateau.min_delta}

    def state(self) -> dict[str, Any]:
        return {**super().state(), **self.plateau.state()}

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.plateau.set_state(state)


class Adaptive(_OnPlateau):
    """scikit-learn's ``adaptive``: divide the rate by 5 each time the training loss (or
    another ``monitor``, such as ``"val_accuracy"`` with early stopping) has not improved by
    ``tol`` for ``n_iter_no_change + 1`` epochs in a row; stop when the rate is already at or
    below 1e-6 then."""

    name = "adaptive"

    def __init__(self, initial_learning_rate: float, tol: float = 1e-4,
                 n_iter_no_change: int = 10, monitor: str = "loss") -> None:
        super().__init__(initial_learning_rate, monitor, 0.2,
                         check_positive_int("n_iter_no_change", n_iter_no_change) + 1, tol)

    def _reduce(self) -> bool:
        if self.current <= 1e-6:
            return True
        self.current /= 5.0
        return False

    def config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "tol": self.plateau.min_delta, "n_iter_no_change": self.plateau.patience - 1,
                "monitor": self.plateau.monitor}


class ReduceOnPlateau(_OnPlateau):
    """Keras's ``ReduceLROnPlateau``, as a schedule: multiply the rate by ``factor`` when the
    validation loss (``monitor``) has not improved by ``min_delta`` for ``patience`` epochs in
    a row, not below ``min_lr``."""

    name = "plateau"

    def __init__(self, initial_learning_rate: float, monitor: str = "val_loss",
                 factor: float = 0.1, patience: int = 10, min_delta: float = 1e-4,
                 min_lr: float = 0.0) -> None:
        super().__init__(initial_learning_rate, monitor, factor, patience, min_delta)
        self.min_lr = check_non_negative("min_lr", min_lr)

    def _reduce(self) -> bool:
        self.current = max(self.current * self.factor, self.min_lr)
        return False

    def config(self) -> dict[str, Any]:
        return {**super().config(), "min_lr": self.min_lr}


SCHEDULES: dict[str, type[Schedule]] = {
    kind.name: kind for kind in (ExponentialDecay, CosineDecay, InverseScaling, Adaptive,
                                 ReduceOnPlateau)
}


def get_schedule(name: str, learning_rate: float, **settings: Any) -> Schedule | float:
    """A schedule by name (``"constant"`` gives the rate itself), starting at
    ``learning_rate``; ``settings`` go to its constructor."""
    if name == "constant":
        return learning_rate
    if name not in SCHEDULES:
        raise ValueError(f"schedule must be one of {['constant', *SCHEDULES]}, got {name!r}")
    return SCHEDULES[name](learning_rate, **settings)
