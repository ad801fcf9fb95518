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

Batch normalisation (``batch_norm=True``, Keras's ``BatchNormalization`` between the product
and the activation) normalises ``z`` over the batch, each neuron (row) on its own, before ``f``::

    μ = (1/N) Σ z            σ² = (1/N) Σ (z - μ)²   (over the N samples: the biased variance)
    ẑ = (z - μ) / s,  s = √(σ² + ε)  (kept as ``sigma``)
    y = γ ⊙ ẑ + β            a = f(y)               γ, β: (n_neurons, 1), learnt

and keeps moving averages for prediction, which uses them instead of the batch's:
``moving_mean = moving_mean · momentum + μ · (1 - momentum)`` (the same for the variance), and
``ẑ = (z - moving_mean) / √(moving_variance + ε)``.  Backward, from ``dy = ∂L/∂y``::

    d_beta  = Σ dy                   d_gamma = Σ dy ⊙ ẑ
    dẑ      = γ ⊙ dy
    dz      = (1 / (N · s)) ⊙ (N · dẑ - Σ dẑ - ẑ ⊙ Σ (dẑ ⊙ ẑ))
            = γ / (N · s) ⊙ (N · dy - d_beta - ẑ ⊙ d_gamma)

(sums over the samples; the second form, with ``Σ dẑ = γ ⊙ d_beta`` and
``Σ dẑ ⊙ ẑ = γ ⊙ d_gamma``, is the one computed).  ``z``'s mean is taken out, so the bias
``b`` cannot change the output: its gradient ``Σ dz`` is zero, and it is set to exactly zero,
so ``b`` stays where it started (zero) whatever the optimizer; it is kept so that every layer
has ``W`` and ``b``.
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
from .validation import check_bool, check_non_negative, check_positive_int, check_rate

Array = NDArray[np.floating]

__all__ = ["Layer"]

#: Keras's ``BatchNormalization`` defaults.
MOMENTUM = 0.99
EPSILON = 1e-3


def initial_normalization(n_neurons: int, dtype: DTypeLike) -> tuple[Array, Array, Array, Array]:
    """Batch normalisation's arrays before training, Keras's: ``gamma`` ones, ``beta`` zeros,
    ``moving_mean`` zeros, ``moving_variance`` ones, each (n_neurons, 1)."""
    ones, zeros = np.ones((n_neurons, 1), dtype), np.zeros((n_neurons, 1), dtype)
    return ones, zeros, zeros.copy(), ones.copy()


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
    batch_norm : bool, default False
        Normalise ``z`` over the batch before the activation, as Keras's
        ``BatchNormalization`` (see the module's description).
    momentum : float in [0, 1), default 0.99
        Batch normalisation's: how much of the moving statistics each training batch keeps.
    epsilon : float > 0, default 1e-3
        Batch normalisation's: added to the variance before its square root.

    Attributes
    ----------
    weights : ndarray of shape (n_neurons, n_inputs)
    biases : ndarray of shape (n_neurons, 1)
    d_weights, d_biases : ndarray, same shapes, the gradients of the last ``backward``.
    gamma, beta, moving_mean, moving_variance : ndarray of shape (n_neurons, 1) or None
        With ``batch_norm``: the learnt scale and shift (initially ones and zeros) and the
        statistics prediction uses (initially zeros and ones); None without.
    d_gamma, d_beta : ndarray of shape (n_neurons, 1) or None
        Their gradients of the last ``backward``.
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
        batch_norm: bool = False,
        momentum: float = MOMENTUM,
        epsilon: float = EPSILON,
    ) -> None:
        self._configure(n_inputs, n_neurons, activation, init, dtype, kernel_regularizer,
                        dropout, batch_norm, momentum, epsilon)
        rng = check_random_state(random_state)
        weights = draw_weights(self.init, self.n_inputs, self.n_neurons, rng, dtype)
        self._set_parameters(weights, np.zeros((self.n_neurons, 1), dtype=weights.dtype))

    def _configure(self, n_inputs: int, n_neurons: int, activation: Activation | str,
                   init: str | None, dtype: DTypeLike, kernel_regularizer: L2 | float | None,
                   dropout: float, batch_norm: bool = False, momentum: float = MOMENTUM,
                   epsilon: float = EPSILON) -> None:
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
        self.batch_norm = check_bool("batch_norm", batch_norm)
        self.momentum = check_rate("momentum", momentum)
        self.epsilon = check_non_negative("epsilon", epsilon, strict=True)

    @classmethod
    def from_parameters(
        cls, weights: Array, biases: Array, activation: Activation | str, init: str | None = None,
        kernel_regularizer: L2 | float | None = None, dropout: float = 0.0,
        normalization: tuple[Array, Array, Array, Array] | None = None,
        momentum: float = MOMENTUM, epsilon: float = EPSILON,
    ) -> Layer:
        """A layer holding ``weights`` (n_neurons, n_inputs) and ``biases`` (n_neurons, 1) as
        they are (not copies: a loaded model's), drawing nothing; ``normalization``: batch
        normalisation's ``(gamma, beta, moving_mean, moving_variance)``, each (n_neurons, 1),
        held likewise (None: no batch normalisation)."""
        if not (isinstance(weights, np.ndarray) and weights.ndim == 2
                and isinstance(biases, np.ndarray) and biases.dtype == weights.dtype
                and biases.shape == (weights.shape[0], 1)):
            raise ValueError(f"weights and biases must be arrays of one dtype, of shapes "
                             f"(n_neurons, n_inputs) and (n_neurons, 1), got "
                             f"{getattr(weights, 'shape', weights)!r:.60} and "
                             f"{getattr(biases, 'shape', biases)!r:.60}")
        n_neurons, n_inputs = weights.shape
        layer = cls.__new__(cls)
        if normalization is not None and (len(normalization) != 4 or not all(
                isinstance(a, np.ndarray) and a.dtype == weights.dtype and a.shape == biases.shape
                for a in normalization)):
            raise ValueError(f"normalization must be the 4 arrays gamma, beta, moving_mean and "
                             f"moving_variance, each of the weights' dtype and "
                             f"of shape {biases.shape}")
        layer = cls.__new__(cls)
        layer._configure(n_inputs, n_neurons, activation, init, weights.dtype,
                         kernel_regularizer, dropout, normalization is not None, momentum,
                         epsilon)
        layer._set_parameters(weights, biases, normalization)
        return layer

    def _set_parameters(self, weights: Array, biases: Array,
                        normalization: tuple[Array, Array, Array, Array] | None = None) -> None:
        """Hold ``weights``, ``biases`` and batch normalisation's arrays (not copies; with
        ``batch_norm`` and no ``normalization``, Keras's initial ones), with gradients and
        caches to match."""
        self.weights: Array = weights
        self.biases: Array = biases
        self.gamma: Array | None = None
        self.beta: Array | None = None
        self.moving_mean: Array | None = None
        self.moving_variance: Array | None = None
        if self.batch_norm:
            (self.gamma, self.beta, self.moving_mean, self.moving_variance) = (
                normalization if normalization is not None
                else initial_normalization(self.n_neurons, biases.dtype))
        self.d_gamma: Array | None = None if self.gamma is None else np.zeros_like(self.gamma)
        self.d_beta: Array | None = None if self.beta is None else np.zeros_like(self.beta)
        #: Batch normalisation's ẑ and s = √(σ² + ε) of the last training forward pass.
        self.z_hat: Array | None = None
        self.sigma: Array | None = None
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
        """Number of trainable numbers: ``n_neurons · n_inputs + n_neurons``, and
        ``2 · n_neurons`` more (γ and β) with batch normalisation."""
        return sum(parameter.size for parameter in self.parameters())

    def parameter_names(self) -> list[tuple[str, str]]:
        """The attribute names of the trainable arrays and of their gradients, in order."""
        names = [("weights", "d_weights"), ("biases", "d_biases")]
        return [*names, ("gamma", "d_gamma"), ("beta", "d_beta")] if self.batch_norm else names

    def parameters(self) -> list[Array]:
        """The trainable arrays, ``[weights, biases]`` and, with batch normalisation,
        ``gamma, beta`` (updated in place by optimizers)."""
        return [getattr(self, name) for name, _ in self.parameter_names()]

    def gradients(self) -> list[Array]:
        """The gradients of the last ``backward``, ``[d_weights, d_biases]`` and, with batch
        normalisation, ``d_gamma, d_beta``."""
        return [getattr(self, name) for _, name in self.parameter_names()]

    def statistics(self) -> list[Array]:
        """Batch normalisation's moving statistics ``[moving_mean, moving_variance]``,
        updated by training but not by gradients (empty without batch normalisation)."""
        if self.moving_mean is None or self.moving_variance is None:
            return []
        return [self.moving_mean, self.moving_variance]

    def forward(self, inputs: Array, dropout: DropoutKey | None = None, *,
                training: bool = False) -> Array:
        """Return ``a = f(W · inputs + b)`` for inputs of shape (n_inputs, n_samples).

        Keeps ``inputs``, ``z`` (the activation's input: the normalised ``y`` with batch
        normalisation) and the output for ``backward``.  ``dropout``: training, so a layer
        with dropout multiplies by the mask of this key (its seed, step and layer).
        ``training``: batch normalisation uses the batch's statistics, and updates the
        moving ones; else it uses the moving ones.
        """
        self.inputs = inputs
        self.z = np.dot(self.weights, inputs)  # W · a: np.dot costs less per call than @
        self.z += self.biases
        if self.batch_norm:
            self.z = self._normalize(self.z, training)
        self.output = self.activation(self.z)
        self.mask = None
        if dropout is not None and self.dropout:
            n_units, n_samples = self.output.shape
            self.mask = dropout.mask(self.dropout, n_units, n_samples, self.dtype)
            return self.output * self.mask
        return self.output

    def _normalize(self, z: Array, training: bool) -> Array:
        """Batch normalisation of ``z`` (n_neurons, n_samples): ``y = γ ⊙ ẑ + β``, with the
        batch's ``μ`` and ``σ²`` when ``training`` (updating the moving statistics, and
        keeping ``ẑ`` and ``σ`` for backward), else with the moving ones."""
        assert self.gamma is not None and self.beta is not None
        assert self.moving_mean is not None and self.moving_variance is not None
        if not training:
            self.z_hat = self.sigma = None
            return (z - self.moving_mean) / np.sqrt(self.moving_variance + self.epsilon) \
                * self.gamma + self.beta
        ones, n_samples = self._ones(z.shape[1], z.dtype), z.shape[1]
        mean = np.dot(z, ones) / n_samples  # Σ z as z · 1, as d_biases is summed
        centred = z - mean
        variance = np.dot(centred * centred, ones) / n_samples  # biased: over N
        self.sigma = np.sqrt(variance + self.epsilon)
        self.z_hat = np.divide(centred, self.sigma, out=centred)
        momentum = self.dtype.type(self.momentum)
        self.moving_mean *= momentum
        self.moving_mean += mean * (1 - momentum)
        self.moving_variance *= momentum
        self.moving_variance += variance * (1 - momentum)
        return self.gamma * self.z_hat + self.beta

    def _normalize_backward(self, dy: Array) -> Array:
        """From ``dy = ∂L/∂y`` (n_neurons, n_samples): store ``d_gamma = Σ dy ⊙ ẑ`` and
        ``d_beta = Σ dy``; return ``dz = (1/(N·s)) ⊙ (N·dẑ - Σ dẑ - ẑ ⊙ Σ dẑ ⊙ ẑ)`` with
        ``dẑ = γ ⊙ dy`` and ``s = √(σ² + ε)`` (``sigma``; sums over the N samples).  As
        ``Σ dẑ = γ ⊙ d_beta`` and ``Σ dẑ ⊙ ẑ = γ ⊙ d_gamma``, it is computed as
        ``dz = γ / (N·s) ⊙ (N·dy - d_beta - ẑ ⊙ d_gamma)``, two sums in all."""
        if self.z_hat is None or self.sigma is None:
            raise RuntimeError("batch normalisation's backward needs a training forward pass "
                               "(Layer.forward(..., training=True)) first")
        assert self.gamma is not None and self.d_gamma is not None and self.d_beta is not None
        z_hat, n_samples = self.z_hat, dy.shape[1]
        ones = self._ones(n_samples, dy.dtype)
        np.dot(dy, ones, out=self.d_beta)
        np.dot(dy * z_hat, ones, out=self.d_gamma)
        dz = dy * n_samples
        dz -= self.d_beta
        dz -= z_hat * self.d_gamma
        dz *= self.gamma / (n_samples * self.sigma)
        return dz

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
        ``d_biases = Σ_samples dz`` (overwriting the arrays of the previous call).  With
        batch normalisation, ``dz`` comes in as ``dy``, the gradient of the activation's input:
        it goes through the normalisation's backward first, and ``d_biases`` is zero.
        ``batch_weight``: the batch's size (or total sample weight), which a per-sample
        penalty divides by; default the number of columns of ``dz``.  ``input_gradient=False``
        skips ``da_prev`` (returns None): the first layer of a network does not need it.
        """
        if self.inputs is None:
            raise RuntimeError("Layer.backward called before Layer.forward")
        if self.batch_norm:
            dz = self._normalize_backward(dz)
        np.dot(dz, self.inputs.T, out=self.d_weights)
        if self.kernel_regularizer is not None:
            self.d_weights += self.kernel_regularizer.gradient(
                self.weights, dz.shape[1] if batch_weight is None else batch_weight)
        if self.batch_norm:  # Σ dz is 0: the normalisation takes out z's mean
            self.d_biases.fill(0)
        elif dz.shape[1] == 1:
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
        if self.batch_norm:
            extra += ", batch_norm=True"
            extra += f", momentum={self.momentum!r}" if self.momentum != MOMENTUM else ""
            extra += f", epsilon={self.epsilon!r}" if self.epsilon != EPSILON else ""
        return (
            f"Layer(n_inputs={self.n_inputs}, n_neurons={self.n_neurons}, "
            f"activation={self.activation.name!r}, init={self.init!r}{extra})"
        )
