"""Loss functions: the value ``L(y, ŷ)`` and its derivative ``∂L/∂ŷ``.

Arrays are in the layer layout, shape (n_outputs, n_samples): one column per sample.  A loss
is the mean over the samples of a per-sample loss, so its derivative carries the factor
``1 / n_samples``: this is the one place where the batch size divides a gradient.

Predictions are clipped to ``[eps, 1 - eps]`` (``eps = np.finfo(dtype).eps``) before a
logarithm or a division, so a saturated output still gives a finite loss and gradient.

``fused_output_gradient`` gives ``dz = ∂L/∂z`` at the output layer directly when the output
activation is the canonical link of the loss (sigmoid + binary cross-entropy, softmax +
categorical cross-entropy, linear + squared error): there the chain ``∂L/∂ŷ ⊙ f'(z)``
simplifies to ``(ŷ - y) / n_samples``, which is exact, cheaper, and stays useful where
``f'(z)`` has underflowed to 0 and the chain would give 0 · ∞.  For the same pairs,
``per_sample_from_logits`` computes the loss from ``z`` without clipping.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from .activations import Activation, Linear, Sigmoid, Softmax, zero

Array = NDArray[np.floating]

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Loss",
    "MeanSquaredError",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get_loss",
    "mean_squared_error",
]


def _clip(y_pred: Array) -> Array:
    eps = np.finfo(y_pred.dtype).eps
    return np.clip(y_pred, eps, 1 - eps)


class Loss:
    """Base class: ``L = mean over samples of per_sample(y, ŷ)``."""

    name: ClassVar[str] = ""
    #: The output activation whose pairing with this loss gives ``dz = ŷ - y``.
    canonical_activation: ClassVar[type[Activation]] = Activation

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        """Return the loss of each sample, shape (n_samples,)."""
        raise NotImplementedError

    def __call__(self, y_true: Array, y_pred: Array) -> float:
        """Return the mean loss over the samples (columns)."""
        return float(self.per_sample(y_true, y_pred).mean())

    def derivative(self, y_true: Array, y_pred: Array) -> Array:
        """Return ``∂L/∂ŷ`` of the mean loss, shape (n_outputs, n_samples)."""
        raise NotImplementedError

    def is_fused_with(self, activation: Activation) -> bool:
        """Whether ``activation`` is this loss's canonical output activation."""
        return type(activation) is self.canonical_activation

    def fused_output_gradient(self, y_true: Array, y_pred: Array) -> Array:
        """Return ``dz = (ŷ - y) / n_samples`` for the canonical output activation."""
        dz = y_pred - y_true
        if y_true.shape[1] > 1:  # one sample, the spec's case, needs no division
            dz /= y_true.shape[1]
        return dz

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        """The per-sample loss of ``ŷ = f(z)``, ``f`` the canonical activation, from ``z``.

        Equal to ``per_sample(y, f(z))`` but exact where ``f`` saturates: no clipping.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BinaryCrossEntropy(Loss):
    """``L = -(y log ŷ + (1 - y) log(1 - ŷ))``; ``∂L/∂ŷ = (ŷ - y) / (ŷ(1 - ŷ))``.

    For one sigmoid output (the spec's case) the sum over outputs is the loss itself; for
    several independent sigmoid outputs (multi-label) it is their sum.
    """

    name = "binary_crossentropy"
    canonical_activation = Sigmoid

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        p = _clip(y_pred)
        losses: Array = -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))
        return losses.sum(axis=0)

    def derivative(self, y_true: Array, y_pred: Array) -> Array:
        p = _clip(y_pred)
        return (p - y_true) / (p * (1 - p)) / y_true.shape[1]

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        # -(y log σ(z) + (1 - y) log(1 - σ(z))) = log(1 + e^z) - y z, summed over outputs.
        return np.add.reduce(np.logaddexp(z, zero(z.dtype)) - y_true * z)  # Σ over outputs


class CategoricalCrossEntropy(Loss):
    """``L = -Σ_k y_k log ŷ_k`` with one-hot ``y``; ``∂L/∂ŷ_k = -y_k / ŷ_k``."""

    name = "categorical_crossentropy"
    canonical_activation = Softmax

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        losses: Array = -(y_true * np.log(_clip(y_pred))).sum(axis=0)
        return losses

    def derivative(self, y_true: Array, y_pred: Array) -> Array:
        return -y_true / _clip(y_pred) / y_true.shape[1]

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        # -Σ y_k log softmax(z)_k = log Σ_j e^(z_j) - Σ y_k z_k, as Σ y_k = 1.
        z_max = z.max(axis=0)
        log_sum_exp = z_max + np.log(np.exp(z - z_max).sum(axis=0))
        return log_sum_exp - (y_true * z).sum(axis=0)


class MeanSquaredError(Loss):
    """``L = ½ Σ_k (ŷ_k - y_k)²`` per sample; ``∂L/∂ŷ = ŷ - y``.

    The factor ½ (as in scikit-learn's squared loss) makes the fused gradient of a linear
    output exactly ``ŷ - y``.
    """

    name = "mean_squared_error"
    canonical_activation = Linear

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        losses: Array = 0.5 * ((y_pred - y_true) ** 2).sum(axis=0)
        return losses

    def derivative(self, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) / y_true.shape[1]

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        return self.per_sample(y_true, z)


binary_crossentropy = BinaryCrossEntropy()
categorical_crossentropy = CategoricalCrossEntropy()
mean_squared_error = MeanSquaredError()

LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (binary_crossentropy, categorical_crossentropy, mean_squared_error)
}
_ALIASES = {"bce": "binary_crossentropy", "mse": "mean_squared_error",
            "cross_entropy": "categorical_crossentropy", "ce": "categorical_crossentropy"}


def get_loss(loss: str | Loss) -> Loss:
    """Return the loss named ``loss`` (or ``loss`` itself if a Loss object)."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        name = _ALIASES.get(loss.lower(), loss.lower())
        if name in LOSSES:
            return LOSSES[name]
    raise ValueError(
        f"loss must be one of {sorted(LOSSES)} (or {sorted(_ALIASES)}) or a Loss object, "
        f"got {loss!r}"
    )
