"""Weight penalties, held by the layers (as Keras's ``kernel_regularizer``).

``L2(l2)`` adds ``l2 · Σ W²`` to the loss the network minimises (Keras's ``L2``), so its
gradient adds ``2 · l2 · W`` to ``d_weights``; the biases are not penalised.  With
``per_sample=True`` the penalty is shared among the samples of the batch: divided by the
batch size ``n`` (by ``Σ w`` with sample weights), as scikit-learn's ``alpha`` is, so that
``L2(alpha / 2, per_sample=True)`` adds exactly scikit-learn's ``½ · alpha · Σ W² / n`` to a
batch's mean loss and ``alpha · W / n`` to its gradient (``L2.from_alpha(alpha)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .validation import check_bool, check_non_negative

__all__ = ["L2", "get_regularizer"]


class L2:
    """The penalty ``coefficient(n) · Σ W²`` on a layer's weights.

    Parameters
    ----------
    l2 : float
        The penalty's factor, >= 0.
    per_sample : bool, default False
        Divide the penalty by the batch size (or total sample weight) ``n``, as scikit-learn.
    """

    def __init__(self, l2: float = 0.01, per_sample: bool = False) -> None:
        self.l2 = check_non_negative("l2", l2)
        self.per_sample = check_bool("per_sample", per_sample)

    @classmethod
    def from_alpha(cls, alpha: float) -> L2:
        """scikit-learn's ``alpha``: ``½ · alpha · Σ W² / n`` added to a batch's mean loss."""
        return cls(alpha / 2, per_sample=True)

    def coefficient(self, batch_weight: Any) -> Any:
        """The factor of ``Σ W²`` for a batch of total weight ``batch_weight`` (its size,
        without sample weights); a number or a tensor, as ``batch_weight``."""
        return self.l2 / batch_weight if self.per_sample else self.l2

    def penalty(self, weights: NDArray[np.floating], batch_weight: float) -> float:
        """``coefficient · Σ W²``, the term added to the batch's mean loss."""
        flat = weights.ravel()
        return float(self.coefficient(batch_weight) * np.dot(flat, flat))

    def gradient(self, weights: NDArray[np.floating], batch_weight: float) -> NDArray[np.floating]:
        """``∂penalty/∂W = 2 · coefficient · W``."""
        return (2 * self.coefficient(batch_weight)) * weights

    def config(self) -> dict[str, Any]:
        return {"l2": self.l2, "per_sample": self.per_sample}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, L2) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash((self.l2, self.per_sample))

    def __repr__(self) -> str:
        return f"L2({self.l2!r}" + (", per_sample=True)" if self.per_sample else ")")


def get_regularizer(regularizer: object) -> L2 | None:
    """``None``, an ``L2``, or a number taken as ``L2(number)`` (0 is no penalty)."""
    if regularizer is None or isinstance(regularizer, L2):
        return regularizer
    if isinstance(regularizer, int | float | np.integer | np.floating) and not isinstance(
            regularizer, bool):
        return L2(float(regularizer)) if regularizer else None
    raise TypeError(f"kernel_regularizer must be an L2, a number or None, got {regularizer!r}")
