"""Check backpropagation against central finite differences."""

from __future__ import annotations

import numpy as np

from .base import Array
from .dropout_masks import DropoutKey
from .losses import batch_weight
from .numpy_engine import Perceptron
from .validation import check_sample_weight, check_X_y

__all__ = ["backprop_gradients", "gradcheck", "numerical_gradients", "relative_error"]


def _masks(seed: int | None) -> DropoutKey | None:
    """The same dropout masks at every call: the seed's at step 0 (None: no dropout)."""
    return None if seed is None else DropoutKey(seed)


def _mean_loss(model: Perceptron, X: Array, Y: Array, W: Array | None = None,
               dropout_seed: int | None = None) -> float:
    """The (weighted) mean loss, penalty included, with the dropout masks of the seed, as
    training computes it (batch normalisation with the batch's statistics)."""
    Y_hat = model._forward(X.T, _masks(dropout_seed), training=True)
    weight = batch_weight(X.shape[0], W)
    return model._summed_loss(Y.T, Y_hat, W, weight) / weight


def backprop_gradients(model: Perceptron, X: Array, Y: Array, W: Array | None = None,
                       dropout_seed: int | None = None) -> list[Array]:
    """Gradients of the mean loss by backpropagation, ``[dW1, db1, ...]`` (nothing updated
    but batch normalisation's moving statistics)."""
    Y_hat = model._forward(X.T, _masks(dropout_seed), training=True)
    model._backward(Y.T, Y_hat, W, batch_weight(X.shape[0], W))
    return [grad.copy() for grad in model.gradients()]


def numerical_gradients(model: Perceptron, X: Array, Y: Array, step: float = 1e-6,
                        W: Array | None = None, dropout_seed: int | None = None) -> list[Array]:
    """Gradients of the mean loss by central differences ``(L(θ + h) - L(θ - h)) / 2h``."""
    def loss() -> float:
        return _mean_loss(model, X, Y, W, dropout_seed)

    gradients = []
    for param in model.parameters():
        gradient = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            original = param[index]
            param[index] = original + step
            loss_plus = loss()
            param[index] = original - step
            loss_minus = loss()
            param[index] = original
            gradient[index] = (loss_plus - loss_minus) / (2 * step)
        gradients.append(gradient)
    return gradients


def gradcheck(model: Perceptron, X: object, y: object, step: float = 1e-6,
              sample_weight: object = None, dropout_seed: int | None = None) -> dict[str, float]:
    """Compare backpropagation with central finite differences on ``(X, y)``.

    Runs in float64 on a copy of the model (the model itself is not changed), so it also
    checks user-defined ``Activation`` and ``Loss`` classes.  The loss is the one training
    minimises: weighted by ``sample_weight``, with the layers' weight penalties, batch
    normalisation over the batch ``X`` and, given a ``dropout_seed``, with the layers'
    dropout, its masks fixed by that seed.

    Returns
    -------
    dict
        For each parameter (``"W1"``, ``"b1"``, ``"W2"``, ..., and ``"gamma1"``, ``"beta1"``
        for a layer with batch normalisation) the relative error
        ``‖g_bp - g_fd‖ / (‖g_bp‖ + ‖g_fd‖)`` between its backpropagated and numerical
        gradients; below about 1e-6 means they agree.

    Examples
    --------
    >>> from scratchnn import Layer, Perceptron, gradcheck
    >>> from scratchnn.utils import X_train, y_train
    >>> model = Perceptron([Layer(2, 3, "tanh", random_state=0), Layer(3, 1, "sigmoid")])
    >>> max(gradcheck(model, X_train, y_train).values()) < 1e-6
    True
    """
    X_checked, Y = check_X_y(X, y, model.n_features, model.n_outputs, model.loss)
    W = check_sample_weight(sample_weight, X_checked.shape[0], np.dtype(np.float64))
    float64_model = model.numpy_copy()
    float64_model.set_weights([w.astype(np.float64) for w in model.get_weights()])
    X64, Y64 = X_checked.astype(np.float64), Y.astype(np.float64)
    analytic = backprop_gradients(float64_model, X64, Y64, W, dropout_seed)
    numeric = numerical_gradients(float64_model, X64, Y64, step, W, dropout_seed)
    names = [f"{name}{number}" for number, layer in enumerate(float64_model.layers, start=1)
             for name in (("W", "b", "gamma", "beta") if layer.batch_norm else ("W", "b"))]
    # A batch-normalised layer's bias has a gradient of exactly 0 (the normalisation takes
    # out its effect): the differences are rounding noise, and a relative error means nothing.
    unchecked = {f"b{number}" for number, layer in enumerate(float64_model.layers, start=1)
                 if layer.batch_norm}
    return {name: relative_error(a, n)
            for name, a, n in zip(names, analytic, numeric, strict=True)
            if name not in unchecked}


def relative_error(a: Array, b: Array) -> float:
    """``‖a - b‖ / (‖a‖ + ‖b‖)``: 0 when equal, 1 for opposite signs, 1/3 for a factor 2."""
    scale = float(np.linalg.norm(a) + np.linalg.norm(b))
    return float(np.linalg.norm(a - b)) / scale if scale > 0 else 0.0
