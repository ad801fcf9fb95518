"""A fully connected layer, with samples as columns so the code reads like the formulas.

Forward, for inputs ``a_prev`` of shape (n_inputs, n_samples)::

    z = W · a_prev + b          W: (n_neurons, n_inputs), b: (n_neurons, 1)
    a = f(z)

Backward, from ``da = ∂L/∂a`` of shape (n_neurons, n_samples)::

    dz        = da ⊙ f'(z)
    d_weights = dz · a_prevᵀ
    d_biases  = Σ over samples of dz  (computed as dz · 1)
    da_prev   = Wᵀ · dz

``da`` is the gradient of the *mean* loss over the batch (the loss divides by the batch size),
so these sums are the mean of the per-sample gradients; for one sample they are exactly the
spec's formulas.

Two settings of a layer change training only:

- a weight penalty (``kernel_regularizer=L2(l2)``) adds its gradient to ``d_weights``:
  ``d_weights = dz · a_prevᵀ + 2 · l2 · W``;
- dropout (``dropout=rate``, inverted dropout): during training each output unit is kept with
  probability ``1 - rate``, drawn as a 0/1 mask ``m`` (by ``scratchnn.dropout_masks``, the
  same on both engines), and scaled by ``1 / (1 - rate)``, so
  ``a = f(z) ⊙ m / (1 - rate)`` and backward starts from ``da ⊙ m / (1 - rate)``.  Its
  expectation is ``f(z)``, which is what prediction computes, unchanged.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .activations import Activation, get_activation
from .dropout_masks import DropoutKey
from .initializers import (
    RandomState,
    check_initializer,
    check_random_state,
    default_initializer,
)
from .initializers import initialize as draw_weights
from .optimizers import SGD
from .regularizers import L2, get_regularizer
from .validation import check_positive_int, check_rate

Array = NDArray[np.floating]

__all__ = ["Layer"]


class Layer:
    """A dense layer ``a = f(W · a_prev + b)``.

    Parameters
    ----------
    n_inputs : int
        Number of inputs (neurons of the previous layer, or features).
    n_neurons : int
        Number of neurons of this layer.
    activation : Activation or str
        The activation ``f``: ``relu``, ``sigmoid``, ``tanh``, ``linear`` or ``softmax``.
    init : {"he", "xavier", "normal", "uniform"}, optional
        Weight initialiser; default ``"he"`` for ReLU and ``"xavier"`` otherwise.  Biases
        start at zero.
    random_state : int, numpy.random.Generator or None
        Seeds the generator the weights are drawn from (a Generator is used as is).
    dtype : numpy dtype, default float64
        Dtype of the parameters.
    kernel_regularizer : L2, float or None
        A penalty on the weights (not the biases): ``L2(l2)``, or a number ``l2``.
    dropout : float in [0, 1), default 0
        The fraction of this layer's outputs dropped at random during training (a hidden
        layer's; not the output layer).

    Attributes
    ----------
    weights : ndarray of shape (n_neurons, n_inputs)
    biases : ndarray of shape (n_neurons, 1)
    d_weights, d_biases : ndarray, same shapes, the gradients of the last ``backward``.
    """

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        activation: Activation | str,
        init: str | None = None,
        random_state: RandomState = None,
        dtype: DTypeLike = np.float64,
        kernel_regularizer: L2 | float | None = None,
        dropout: float = 0.0,
    ) -> None:
        self._configure(n_inputs, n_neurons, activation, init, dtype, kernel_regularizer,
                        dropout)
        rng = check_random_state(random_state)
        weights = draw_weights(self.init, self.n_inputs, self.n_neurons, rng, dtype)
        self._set_parameters(weights, np.zeros((self.n_neurons, 1), dtype=weights.dtype))

    def _configure(self, n_inputs: int, n_neurons: int, activation: Activation | str,
                   init: str | None, dtype: DTypeLike, kernel_regularizer: L2 | float | None,
                   dropout: float) -> None:
        """Check and keep the settings (everything but the parameters)."""
        self.n_inputs = check_positive_int("n_inputs", n_inputs)
        self.n_neurons = check_positive_int("n_neurons", n_neurons)
        self.activation = get_activation(activation)
        self.init = check_initializer(init) if init is not None else default_initializer(
            self.activation
        )
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        self.kernel_regularizer = get_regularizer(kernel_regularizer)
        self.dropout = check_rate("dropout", dropout)

    @classmethod
    def from_parameters(
        cls, weights: Array, biases: Array, activation: Activation | str, init: str | None = None,
        kernel_regularizer: L2 | float | None = None, dropout: float = 0.0,
    ) -> Layer:
        """A layer holding ``weights`` (n_neurons, n_inputs) and ``biases`` (n_neurons, 1) as
        they are (not copies: a loaded model's), drawing nothing."""
        if not (isinstance(weights, np.ndarray) and weights.ndim == 2
                and isinstance(biases, np.ndarray) and biases.dtype == weights.dtype
                and biases.shape == (weights.shape[0], 1)):
            raise ValueError(f"weights and biases must be arrays of one dtype, of shapes "
                             f"(n_neurons, n_inputs) and (n_neurons, 1), got "
                             f"{getattr(weights, 'shape', weights)!r:.60} and "
                             f"{getattr(biases, 'shape', biases)!r:.60}")
        n_neurons, n_inputs = weights.shape
        layer = cls.__new__(cls)
        layer._configure(n_inputs, n_neurons, activation, init, weights.dtype,
                         kernel_regularizer, dropout)
        layer._set_parameters(weights, biases)
        return layer

    def _set_parameters(self, weights: Array, biases: Array) -> None:
        """Hold ``weights`` and ``biases`` (not copies), with gradients and caches to match."""
        self.weights: Array = weights
        self.biases: Array = biases
        # Zeros the system gives lazily: no memory is touched before the first backward pass.
        self.d_weights: Array = np.zeros(weights.shape, weights.dtype)
        self.d_biases: Array = np.zeros(biases.shape, biases.dtype)
        #: What the last forward pass kept for backward (None before one).
        self.inputs: Array | None = None
        self.z: Array | None = None
        self.output: Array | None = None
        #: The dropout mask of the last training forward pass, scaled by 1 / (1 - rate).
        self.mask: Array | None = None
        self._ones_column: Array = np.ones((0, 1), dtype=weights.dtype)

    @property
    def dtype(self) -> np.dtype[np.floating]:
        """Dtype of the parameters."""
        return self.weights.dtype

    @property
    def n_parameters(self) -> int:
        """Number of trainable numbers: ``n_neurons · n_inputs + n_neurons``."""
        return self.weights.size + self.biases.size

    def parameters(self) -> list[Array]:
        """The trainable arrays, ``[weights, biases]`` (updated in place by optimizers)."""
        return [self.weights, self.biases]

    def gradients(self) -> list[Array]:
        """The gradients of the last ``backward``, ``[d_weights, d_biases]``."""
        return [self.d_weights, self.d_biases]

    def forward(self, inputs: Array, dropout: DropoutKey | None = None) -> Array:
        """Return ``a = f(W · inputs + b)`` for inputs of shape (n_inputs, n_samples).

        Keeps ``inputs``, ``z`` and the output for ``backward``.  ``dropout``: training, so
        a layer with dropout multiplies by the mask of this key (its seed, step and layer).
        """
        self.inputs = inputs
        self.z = np.dot(self.weights, inputs)  # W · a: np.dot costs less per call than @
        self.z += self.biases
        self.output = self.activation(self.z)
        self.mask = None
        if dropout is not None and self.dropout:
            n_units, n_samples = self.output.shape
            self.mask = dropout.mask(self.dropout, n_units, n_samples, self.dtype)
            return self.output * self.mask
        return self.output

    def penalty(self, batch_weight: float) -> float:
        """The weight penalty's term in the loss of a batch of total weight ``batch_weight``."""
        if self.kernel_regularizer is None:
            return 0.0
        return self.kernel_regularizer.penalty(self.weights, batch_weight)

    def backward(
        self, da: Array, learning_rate: float | None = None, *, overwrite_da: bool = False,
        input_gradient: bool = True, batch_weight: float | None = None,
    ) -> Array | None:
        """Backpropagate ``da = ∂L/∂a`` (n_neurons, n_samples); return ``da_prev``.

        Computes ``dz = da ⊙ f'(z)`` and then the parameter gradients (see
        ``backward_from_dz``).  With a ``learning_rate``, also takes a plain gradient-descent
        step, as in the spec; without one, the caller's optimizer applies the gradients.
        ``overwrite_da`` lets ``dz`` be computed in the memory of ``da``.
        """
        if self.z is None or self.output is None:
            raise RuntimeError("Layer.backward called before Layer.forward")
        if self.mask is not None:  # dropout: only the kept units pass the gradient back
            da = np.multiply(da, self.mask, out=da if overwrite_da else None)
            overwrite_da = True
        dz = self.activation.backward(da, self.z, self.output, out=da if overwrite_da else None)
        return self.backward_from_dz(dz, learning_rate, input_gradient=input_gradient,
                                     batch_weight=batch_weight)

    def backward_from_dz(
        self, dz: Array, learning_rate: float | None = None, *, input_gradient: bool = True,
        batch_weight: float | None = None,
    ) -> Array | None:
        """Backpropagate ``dz = ∂L/∂z`` (n_neurons, n_samples); return ``da_prev = Wᵀ · dz``.

        Stores ``d_weights = dz · a_prevᵀ`` (plus the penalty's gradient) and
        ``d_biases = Σ_samples dz`` (overwriting the arrays of the previous call).
        ``batch_weight``: the batch's size (or total sample weight), which a per-sample
        penalty divides by; default the number of columns of ``dz``.  ``input_gradient=False``
        skips ``da_prev`` (returns None): the first layer of a network does not need it.
        """
        if self.inputs is None:
            raise RuntimeError("Layer.backward called before Layer.forward")
        np.dot(dz, self.inputs.T, out=self.d_weights)
        if self.kernel_regularizer is not None:
            self.d_weights += self.kernel_regularizer.gradient(
                self.weights, dz.shape[1] if batch_weight is None else batch_weight)
        if dz.shape[1] == 1:
            np.copyto(self.d_biases, dz)
        else:
            np.dot(dz, self._ones(dz.shape[1], dz.dtype), out=self.d_biases)
        da_prev = np.dot(self.weights.T, dz) if input_gradient else None
        if learning_rate is not None:
            SGD(learning_rate).step(self.parameters(), self.gradients())
        return da_prev

    def _ones(self, n_samples: int, dtype: np.dtype[np.floating]) -> Array:
        """A (n_samples, 1) column of ones: ``dz · 1`` sums ``dz`` over the samples, and as a
        matrix product it is three times faster than ``dz.sum(axis=1)``."""
        if self._ones_column.shape[0] != n_samples or self._ones_column.dtype != dtype:
            self._ones_column = np.ones((n_samples, 1), dtype=dtype)
        return self._ones_column

    def __repr__(self) -> str:
        extra = (f", kernel_regularizer={self.kernel_regularizer!r}"
                 if self.kernel_regularizer else "")
        extra += f", dropout={self.dropout!r}" if self.dropout else ""
        return (
            f"Layer(n_inputs={self.n_inputs}, n_neurons={self.n_neurons}, "
            f"activation={self.activation.name!r}, init={self.init!r}{extra})"
        )
