"""Optimizers: apply gradients to parameters, in place.

Backpropagation computes the gradients; an optimizer decides how they move the parameters.
``step(params, grads)`` takes two lists of arrays of the same shapes and updates ``params``
in place, keeping whatever state it needs (one slot per parameter, in order).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]

__all__ = ["SGD", "Optimizer", "check_learning_rate"]


def check_learning_rate(learning_rate: object) -> float:
    """Return ``learning_rate`` as a float if it is a positive finite number, else raise."""
    if isinstance(learning_rate, bool) or not isinstance(
        learning_rate, int | float | np.integer | np.floating
    ):
        raise TypeError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive finite number, got {learning_rate!r}")
    return float(learning_rate)


class Optimizer:
    """Base class for optimizers."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_learning_rate(learning_rate)

    def step(self, params: list[Array], grads: list[Array]) -> None:
        """Update every array of ``params`` in place from the matching one of ``grads``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate!r})"


class SGD(Optimizer):
    """Plain stochastic gradient descent: ``θ ← θ - η ∂L/∂θ``."""

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self._scaled: list[Array] = []

    def step(self, params: list[Array], grads: list[Array]) -> None:
        if [s.shape for s in self._scaled] != [g.shape for g in grads]:
            self._scaled = [np.empty_like(grad) for grad in grads]
        for param, grad, scaled in zip(params, grads, self._scaled, strict=True):
            param -= np.multiply(grad, self.learning_rate, out=scaled)
