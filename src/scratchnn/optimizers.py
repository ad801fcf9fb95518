"""Optimizers: apply gradients to parameters, in place.

Backpropagation computes the gradients; an optimizer decides how they move the parameters.
``step(params, grads)`` takes two lists of arrays of the same shapes and updates ``params``
in place.  Its state (``iterations`` and, per slot, one array per parameter) lives in the
optimizer, so a model that trains again with the same optimizer continues where it stopped;
``state()`` and ``set_state()`` read and write it as plain arrays, which is how it is saved
and how the TensorFlow engine takes it over.  The formulas are Keras's.

The learning rate is a number or a ``Schedule`` (``scratchnn.schedules``), as in Keras:
``SGD(ExponentialDecay(0.1, 1000, 0.5))``; ``learning_rate`` reads the rate of the next step.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from .schedules import Schedule
from .validation import check_bool, check_number

Array = NDArray[np.floating]

__all__ = ["OPTIMIZERS", "SGD", "Adam", "Optimizer", "check_learning_rate", "get_optimizer"]


def check_learning_rate(learning_rate: object, name: str = "learning_rate") -> float:
    """Return ``learning_rate`` as a float if it is a positive finite number, else raise."""
    value = check_number(name, learning_rate, "a positive number")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {learning_rate!r}")
    return value


def _check_fraction(name: str, value: object, allow_zero: bool = False) -> float:
    number = check_number(name, value)
    if not ((number >= 0 if allow_zero else number > 0) and number < 1):
        low = "[0, 1)" if allow_zero else "(0, 1)"
        raise ValueError(f"{name} must be in {low}, got {value!r}")
    return number


class Optimizer:
    """Base class: hyperparameters, the update rule, and the state it keeps."""

    name: ClassVar[str] = ""
    #: Names of the per-parameter state arrays (one array per parameter each).
    slot_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, learning_rate: float | Schedule) -> None:
        if isinstance(learning_rate, Schedule):
            self.schedule: Schedule | None = learning_rate
            self._rate = learning_rate.initial_learning_rate
        else:
            self.schedule = None
            self._rate = check_learning_rate(learning_rate)
        self.iterations = 0
        self.slots: dict[str, list[Array]] = {}
        self._scratch: dict[tuple[str, int], Array] = {}

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (settable, as in Keras, when it is a number)."""
        return self.learning_rate_at(self.iterations)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if self.schedule is not None:
            raise ValueError(f"this optimizer's learning rate follows {self.schedule!r}; "
                             f"it cannot be set to a number")
        self._rate = check_learning_rate(value)

    def learning_rate_at(self, iteration: int) -> float:
        """The learning rate of update number ``iteration`` (from 0), as the schedule is now."""
        if self.schedule is None:
            return self._rate
        return float(self.schedule.value(iteration))

    def config(self) -> dict[str, Any]:
        """The hyperparameters, as keyword arguments of the constructor."""
        return {"learning_rate": self.schedule or self._rate}

    def fresh(self) -> Optimizer:
        """A new optimizer with the same settings and no state (its schedule from the start)."""
        config = self.config()
        if self.schedule is not None:
            config["learning_rate"] = type(self.schedule)(**self.schedule.config())
        return type(self)(**config)

    def step(self, params: list[Array], grads: list[Array]) -> None:
        """Update every array of ``params`` in place from the matching one of ``grads``."""
        self._ensure_slots(params)
        learning_rate = self.learning_rate
        self.iterations += 1
        self._update(params, grads, learning_rate)

    def _update(self, params: list[Array], grads: list[Array], learning_rate: float) -> None:
        raise NotImplementedError

    def _buffer(self, name: str, index: int, like: Array) -> Array:
        """A scratch array shaped like ``like``, kept between steps, so an update allocates
        nothing."""
        buffer = self._scratch.get((name, index))
        if buffer is None or buffer.shape != like.shape or buffer.dtype != like.dtype:
            buffer = self._scratch[name, index] = np.empty_like(like)
        return buffer

    def check_state(self, n_parameters: int) -> None:
        """Raise, before anything changes, if this optimizer holds state for a network with
        another number of parameters (its slots are one flat array per slot)."""
        for name, arrays in self.slots.items():
            size = sum(a.size for a in arrays)
            if self.iterations and size != n_parameters:
                raise ValueError(
                    f"this {type(self).__name__} holds state ({name}) for {size} parameters, "
                    f"not {n_parameters}; use a new optimizer for another network")

    def _ensure_slots(self, params: list[Array]) -> None:
        if not self.slot_names:
            return
        shapes = [(p.shape, p.dtype) for p in params]
        current = [(s.shape, s.dtype) for s in self.slots.get(self.slot_names[0], [])]
        if current == shapes:
            return
        if self.iterations and [s for s, _ in current] != [s for s, _ in shapes]:
            raise ValueError(
                f"this {type(self).__name__} holds state for parameters of shapes "
                f"{[s for s, _ in current]}, not {[s for s, _ in shapes]}; use a new optimizer "
                f"for another network"
            )
        if self.iterations:  # same shapes, other dtype: keep the state, in the new dtype
            self.slots = {k: [s.astype(p.dtype) for s, p in zip(v, params, strict=True)]
                          for k, v in self.slots.items()}
        else:
            self.slots = {name: [np.zeros_like(p) for p in params] for name in self.slot_names}

    def state(self) -> dict[str, Any]:
        """``{"iterations": int, slot name: [array per parameter], ...}``."""
        return {"iterations": self.iterations, **{k: list(v) for k, v in self.slots.items()}}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what ``state()`` returned."""
        self.iterations = int(state["iterations"])
        self.slots = {name: [np.array(a) for a in state[name]] for name in self.slot_names
                      if name in state}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({arguments})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Plain: ``θ ← θ - η g``.  With momentum ``μ``: ``v ← μ v - η g``, then ``θ ← θ + v``, or
    with Nesterov ``θ ← θ + μ v - η g``.
    """

    name = "sgd"

    def __init__(self, learning_rate: float | Schedule = 0.01, momentum: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(learning_rate)
        self.momentum = _check_fraction("momentum", momentum, allow_zero=True)
        if check_bool("nesterov", nesterov) and not self.momentum:
            raise ValueError("nesterov=True needs a momentum above 0")
        self.nesterov = nesterov
        self.slot_names = ("velocity",) if self.momentum else ()  # type: ignore[misc]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}

    def _update(self, params: list[Array], grads: list[Array], learning_rate: float) -> None:
        for index, (param, grad) in enumerate(zip(params, grads, strict=True)):
            step = np.multiply(grad, -learning_rate, out=self._buffer("step", index, grad))  # -ηg
            if self.momentum:
                velocity = self.slots["velocity"][index]
                velocity *= self.momentum
                velocity += step
                if self.nesterov:
                    step += self.momentum * velocity
                else:
                    step = velocity
            param += step


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), as Keras writes it.

    ``m ← β₁ m + (1 - β₁) g``, ``v ← β₂ v + (1 - β₂) g²``, then with ``t`` the step number,
    ``θ ← θ - η √(1 - β₂ᵗ) / (1 - β₁ᵗ) · m / (√v + ε)``.
    """

    name = "adam"
    slot_names = ("m", "v")

    def __init__(self, learning_rate: float | Schedule = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate)
        self.beta_1 = _check_fraction("beta_1", beta_1)
        self.beta_2 = _check_fraction("beta_2", beta_2)
        self.epsilon = check_learning_rate(epsilon, "epsilon")

    def config(self) -> dict[str, Any]:
        return {**super().config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}

    def _update(self, params: list[Array], grads: list[Array], learning_rate: float) -> None:
        t = self.iterations
        step_size = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        for index, (param, grad, m, v) in enumerate(zip(params, grads, self.slots["m"],
                                                        self.slots["v"], strict=True)):
            # In place, in two scratch arrays: the same operations, in the same order, as
            # m += (1 - β₁)(g - m); v += (1 - β₂)(g² - v); θ -= step · m / (√v + ε).
            change, root = self._buffer("change", index, grad), self._buffer("root", index, grad)
            np.subtract(grad, m, out=change)
            change *= 1 - self.beta_1
            m += change
            np.multiply(grad, grad, out=change)
            change -= v
            change *= 1 - self.beta_2
            v += change
            np.sqrt(v, out=root)
            root += self.epsilon
            np.multiply(m, step_size, out=change)
            change /= root
            param -= change


OPTIMIZERS: dict[str, type[SGD] | type[Adam]] = {"sgd": SGD, "adam": Adam}


def get_optimizer(optimizer: str | Optimizer,
                  learning_rate: float | Schedule | None) -> Optimizer:
    """An optimizer from a name (with ``learning_rate`` if given) or an Optimizer object."""
    if isinstance(optimizer, Optimizer):
        if learning_rate is not None:
            raise ValueError(
                "give the learning rate to the optimizer object, not to fit, "
                f"(got learning_rate={learning_rate!r} and optimizer={optimizer!r})"
            )
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
        kind = OPTIMIZERS[optimizer.lower()]
        return kind() if learning_rate is None else kind(learning_rate)
    raise ValueError(
        f"optimizer must be one of {sorted(OPTIMIZERS)} or an Optimizer object, "
        f"got {optimizer!r}"
    )
