"""Loss functions: the value ``L(y, ŷ)`` and its derivative ``∂L/∂ŷ``.

Arrays are in the layer layout, shape (n_outputs, n_samples): one column per sample.  A loss
is the mean over the samples of a per-sample loss (weighted by sample weights when there are
any), so its derivative carries the factor ``1 / n_samples`` (or ``w_i / Σ w``):
``scale_to_mean`` is the one place where the batch size divides a gradient.

Predictions are clipped to ``[eps, 1 - eps]`` (``eps = np.finfo(dtype).eps``) before a
logarithm or a division, so a saturated output still gives a finite loss and gradient.

``fused_output_gradient`` gives ``dz = ∂L/∂z`` at the output layer directly when the output
activation is the canonical link of the loss (sigmoid + binary cross-entropy, softmax +
categorical cross-entropy, linear + squared error, exponential + Poisson): there the chain
``∂L/∂ŷ ⊙ f'(z)`` simplifies to ``(ŷ - y) / n_samples``, which is exact, cheaper, and stays
useful where ``f'(z)`` has underflowed to 0 and the chain would give 0 · ∞.  For the same pairs,
``per_sample_from_logits`` computes the loss from ``z`` without clipping.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from .activations import Activation, Exponential, Linear, Sigmoid, Softmax, zero

Array = NDArray[np.floating]

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "HalfSquaredError",
    "Loss",
    "MeanSquaredError",
    "Poisson",
    "batch_weight",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get_loss",
    "mean_squared_error",
    "poisson",
    "scale_to_mean",
    "squared_error",
]


def _clip(y_pred: Array) -> Array:
    eps = np.finfo(y_pred.dtype).eps
    return np.clip(y_pred, eps, 1 - eps)


def _xlogy(x: Array, y: Array) -> Array:
    """``x log y``, taken as 0 where ``x = 0`` (the limit), as ``scipy.special.xlogy``."""
    positive = x > 0
    return np.where(positive, x * np.log(np.where(positive, y, 1)), 0)


def batch_weight(n_samples: int, sample_weight: Array | None) -> float:
    """What a batch's mean divides by: its number of samples, or their total weight."""
    return float(n_samples if sample_weight is None else sample_weight.sum())


def scale_to_mean(per_sample_gradient: Array, sample_weight: Array | None) -> Array:
    """Turn per-sample gradients (n_outputs, n_samples) into the gradient of the mean loss.

    This is the one place where the batch size divides: by ``n_samples``, or, with sample
    weights ``w`` (n_samples,), each column by ``w_i / Σ w`` (a weighted mean, so a weight of 2
    counts a sample twice and a weight of 0 removes it).  Works in place.
    """
    if sample_weight is not None:
        per_sample_gradient *= sample_weight / sample_weight.sum()
    elif per_sample_gradient.shape[1] > 1:  # one sample, the spec's case, needs no division
        per_sample_gradient /= per_sample_gradient.shape[1]
    return per_sample_gradient


class Loss:
    """Base class: ``L = mean over samples of per_sample(y, ŷ)``, weighted if sample weights
    are given (``Σ w_i l_i / Σ w_i``)."""

    name: ClassVar[str] = ""
    #: The output activation whose pairing with this loss gives ``dz = ŷ - y``.
    canonical_activation: ClassVar[type[Activation]] = Activation

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        """Return the loss of each sample, shape (n_samples,)."""
        raise NotImplementedError

    def per_sample_gradient(self, y_true: Array, y_pred: Array) -> Array:
        """Return ``∂l_i/∂ŷ`` of each sample's loss, shape (n_outputs, n_samples)."""
        raise NotImplementedError

    def __call__(self, y_true: Array, y_pred: Array,
                 sample_weight: Array | None = None) -> float:
        """Return the (weighted) mean loss over the samples (columns)."""
        return float(np.average(self.per_sample(y_true, y_pred), weights=sample_weight))

    def derivative(self, y_true: Array, y_pred: Array,
                   sample_weight: Array | None = None) -> Array:
        """Return ``∂L/∂ŷ`` of the (weighted) mean loss, shape (n_outputs, n_samples)."""
        return scale_to_mean(self.per_sample_gradient(y_true, y_pred), sample_weight)

    def is_fused_with(self, activation: Activation) -> bool:
        """Whether ``activation`` is this loss's canonical output activation."""
        return type(activation) is self.canonical_activation

    def fused_output_gradient(self, y_true: Array, y_pred: Array,
                              sample_weight: Array | None = None) -> Array:
        """Return ``dz = (ŷ - y) / n_samples`` for the canonical output activation (each
        column weighted by ``w_i / Σ w`` instead, with sample weights)."""
        return scale_to_mean(y_pred - y_true, sample_weight)

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        """The per-sample loss of ``ŷ = f(z)``, ``f`` the canonical activation, from ``z``.

        Equal to ``per_sample(y, f(z))`` but exact where ``f`` saturates: no clipping.
        """
        raise NotImplementedError

    def check_targets(self, name: str, targets: NDArray[Any]) -> None:
        """Raise a ValueError naming ``name`` if ``targets`` cannot be this loss's targets."""

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

    def per_sample_gradient(self, y_true: Array, y_pred: Array) -> Array:
        p = _clip(y_pred)
        return (p - y_true) / (p * (1 - p))

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

    def per_sample_gradient(self, y_true: Array, y_pred: Array) -> Array:
        return -y_true / _clip(y_pred)

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        # -Σ y_k log softmax(z)_k = log Σ_j e^(z_j) - Σ y_k z_k, as Σ y_k = 1.
        z_max = z.max(axis=0)
        log_sum_exp = z_max + np.log(np.exp(z - z_max).sum(axis=0))
        return log_sum_exp - (y_true * z).sum(axis=0)


class MeanSquaredError(Loss):
    """``L = ½ Σ_k (ŷ_k - y_k)²`` per sample; ``∂L/∂ŷ = ŷ - y``.

    The factor ½ makes the fused gradient of a linear output exactly ``ŷ - y``.  With one
    output it is scikit-learn's squared error; with several, see ``HalfSquaredError``.
    """

    name = "mean_squared_error"
    canonical_activation = Linear

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        losses: Array = 0.5 * ((y_pred - y_true) ** 2).sum(axis=0)
        return losses

    def per_sample_gradient(self, y_true: Array, y_pred: Array) -> Array:
        return y_pred - y_true

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        return self.per_sample(y_true, z)


class HalfSquaredError(MeanSquaredError):
    """scikit-learn's ``squared_error``: ``L = ½ · mean over the outputs of (ŷ_k - y_k)²``
    per sample; ``∂L/∂ŷ = (ŷ - y) / n_outputs``.

    The same as ``MeanSquaredError`` for one output.  (scikit-learn reports this loss but,
    with several outputs, steps along ``ŷ - y``, the gradient of ``MeanSquaredError``.)
    """

    name = "squared_error"

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        return super().per_sample(y_true, y_pred) / y_true.shape[0]

    def per_sample_gradient(self, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) / y_true.shape[0]

    def fused_output_gradient(self, y_true: Array, y_pred: Array,
                              sample_weight: Array | None = None) -> Array:
        dz = super().fused_output_gradient(y_true, y_pred, sample_weight)
        if y_true.shape[0] > 1:
            dz /= y_true.shape[0]
        return dz


class Poisson(Loss):
    """Half the Poisson deviance, for count targets ``y ≥ 0`` and a positive prediction ``ŷ``
    (an exponential output): ``L = Σ_k y_k log(y_k / ŷ_k) - y_k + ŷ_k`` per sample,
    ``∂L/∂ŷ = 1 - y / ŷ``; with ``ŷ = e^z``, ``∂L/∂z = ŷ - y``.  scikit-learn's
    ``MLPRegressor(loss="poisson")``.
    """

    name = "poisson"
    canonical_activation = Exponential

    def per_sample(self, y_true: Array, y_pred: Array) -> Array:
        tiny = np.finfo(y_pred.dtype).tiny
        prediction = np.maximum(y_pred, tiny)
        losses: Array = _xlogy(y_true, y_true / prediction) - y_true + y_pred
        return losses.sum(axis=0)

    def per_sample_gradient(self, y_true: Array, y_pred: Array) -> Array:
        return 1 - y_true / np.maximum(y_pred, np.finfo(y_pred.dtype).tiny)

    def per_sample_from_logits(self, y_true: Array, z: Array) -> Array:
        # y log(y / e^z) - y + e^z = y log y - y z - y + e^z
        return np.add.reduce(_xlogy(y_true, y_true) - y_true * z - y_true + np.exp(z))

    def check_targets(self, name: str, targets: NDArray[Any]) -> None:
        if targets.size and targets.min() < 0:
            raise ValueError(f"{name} must hold counts (values >= 0) for the poisson loss, "
                             f"got a minimum of {targets.min()}")


binary_crossentropy = BinaryCrossEntropy()
categorical_crossentropy = CategoricalCrossEntropy()
mean_squared_error = MeanSquaredError()
squared_error = HalfSquaredError()
poisson = Poisson()

LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (binary_crossentropy, categorical_crossentropy,
                                 mean_squared_error, squared_error, poisson)
}
_ALIASES = {"bce": "binary_crossentropy", "mse": "mean_squared_error",
            "cross_entropy": "categorical_crossentropy", "ce": "categorical_crossentropy",
            "sparse_categorical_crossentropy": "categorical_crossentropy",
            "half_squared_error": "squared_error"}


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
