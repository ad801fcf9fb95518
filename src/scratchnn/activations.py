"""Activation functions ``f`` and their derivatives ``f'``.

Every activation is an object: call it on pre-activations ``z`` to get ``a = f(z)``, and ask
``derivative(z)`` for ``f'(z)``.  Inside a layer, ``z`` has shape (n_neurons, n_samples).

``backward(da, z, a)`` turns the gradient with respect to the activations into the gradient
with respect to the pre-activations, ``dz = da ⊙ f'(z)``.  Element-wise activations reuse the
cached ``a`` where ``f'`` is cheaper from it (σ' = a(1 - a), tanh' = 1 - a²); softmax, whose
Jacobian is not diagonal, applies its Jacobian-vector product.

Besides the course's activations, ``leaky_relu``, ``elu``, ``gelu``, ``silu`` and ``softplus``
follow Keras's definitions and defaults (``keras.activations``), so that a network keeps its
numbers between scratchnn, TensorFlow, Keras and ONNX.
"""

from __future__ import annotations

import functools
import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "Activation",
    "Exponential",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "elu",
    "exponential",
    "floating",
    "gelu",
    "get_activation",
    "leaky_relu",
    "linear",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]


def floating(z: object) -> Array:
    """``z`` as a floating-point array: Python numbers, lists and integer arrays compute in
    float64; a floating array is used as it is (float32 stays float32)."""
    if isinstance(z, np.ndarray) and z.dtype.kind == "f":
        return z
    array = np.asarray(z)
    return array if array.dtype.kind == "f" else array.astype(np.float64)


class Activation:
    """Base class: an element-wise function ``a = f(z)`` with derivative ``f'(z)``.

    ``__call__`` and ``backward`` take an optional ``out`` array to write into (which may be
    ``z`` or ``da`` itself): the training loop passes its own buffers so that no array is
    allocated per batch; called without it they return new arrays.
    """

    name: ClassVar[str] = ""

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        """Return ``f(z)``, same shape and dtype as ``z``."""
        raise NotImplementedError

    def derivative(self, z: Array) -> Array:
        """Return ``f'(z)`` element-wise, same shape and dtype as ``z``."""
        raise NotImplementedError

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        """Return ``dz = da ⊙ f'(z)``; ``a = f(z)`` is the cached forward output."""
        return np.multiply(da, self.derivative(z), out=out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class ReLU(Activation):
    """``f(z) = max(0, z)``, ``f'(z) = 1 if z > 0 else 0``."""

    name = "relu"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        return np.maximum(floating(z), 0, out=out)

    def derivative(self, z: Array) -> Array:
        z = floating(z)
        return (z > 0).astype(z.dtype)

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        return np.multiply(da, a > 0, out=out)


@functools.cache
def zero(dtype: np.dtype[Any]) -> Array:
    """A 0-d zero of ``dtype``: a ufunc takes it with less overhead than the literal ``0``
    (which it must convert on every call), which counts on the tiny arrays of XOR."""
    return np.zeros((), dtype)


class Sigmoid(Activation):
    """``σ(z) = 1 / (1 + e^(-z))``, ``σ'(z) = σ(z)(1 - σ(z))``.

    Computed as ``exp(-log(1 + e^(-z)))`` with NumPy's stable ``logaddexp``: no exponential
    overflows, and ``σ`` reaches exactly 0 and 1 far from the origin, without a warning.
    """

    name = "sigmoid"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        if z.ndim == 0:  # a number: computed in place in a one-element array
            return self(z.reshape(1))[0]
        a = np.negative(z, out=out)
        np.logaddexp(a, zero(a.dtype), out=a)
        np.negative(a, out=a)
        return np.exp(a, out=a)

    def derivative(self, z: Array) -> Array:
        a = self(z)
        return a * (1 - a)

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        dz = np.multiply(da, a, out=out)
        dz -= dz * a
        return dz


class Tanh(Activation):
    """``f(z) = tanh(z)``, ``f'(z) = 1 - tanh(z)²``."""

    name = "tanh"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        return np.tanh(floating(z), out=out)

    def derivative(self, z: Array) -> Array:
        return 1 - np.tanh(floating(z)) ** 2

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        return np.multiply(da, 1 - a * a, out=out)


class Linear(Activation):
    """The identity: ``f(z) = z``, ``f'(z) = 1``."""

    name = "linear"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        return np.positive(floating(z), out=out)

    def derivative(self, z: Array) -> Array:
        return np.ones_like(floating(z))

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        return np.positive(da, out=out)


class Exponential(Activation):
    """``f(z) = e^z``, ``f'(z) = e^z``: the output of a Poisson regression (a positive mean).

    The canonical link of the Poisson loss, so ``dz = ŷ - y`` there, as scikit-learn's
    ``MLPRegressor(loss="poisson")``.
    """

    name = "exp"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        return np.exp(floating(z), out=out)

    def derivative(self, z: Array) -> Array:
        return np.exp(floating(z))

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        return np.multiply(da, a, out=out)


class Softmax(Activation):
    """``a_i = e^(z_i) / Σ_j e^(z_j)`` over the neurons (axis 0) of each sample (column).

    Shifted by the column maximum so that no exponential overflows.  Softmax is not
    element-wise: ``derivative(z)`` returns the Jacobian, of shape
    (n_neurons, n_neurons, n_samples), with ``J[i, j, s] = a_i (δ_ij - a_j)``, and ``backward``
    applies it to ``da`` without building it: ``dz = a ⊙ (da - Σ_i a_i da_i)``.
    """

    name = "softmax"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        a = np.subtract(z, z.max(axis=0, keepdims=True), out=out)
        np.exp(a, out=a)
        a /= a.sum(axis=0, keepdims=True)
        return a

    def derivative(self, z: Array) -> Array:
        a = self(z)
        eye = np.eye(a.shape[0], dtype=a.dtype)[:, :, np.newaxis]
        return a[:, np.newaxis, :] * (eye - a[np.newaxis, :, :])

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        weighted_sum = (a * da).sum(axis=0, keepdims=True)
        dz = np.subtract(da, weighted_sum, out=out)
        dz *= a
        return dz


class LeakyReLU(Activation):
    """``f(z) = z if z > 0 else 0.2 z``, ``f'(z) = 1 if z > 0 else 0.2``: Keras's
    ``leaky_relu`` with its default ``negative_slope=0.2``."""

    name = "leaky_relu"
    negative_slope: ClassVar[float] = 0.2

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        return np.maximum(z, self.negative_slope * z, out=out)  # the slope is below 1

    def derivative(self, z: Array) -> Array:
        z = floating(z)
        return np.where(z > 0, 1, self.negative_slope).astype(z.dtype)


class ELU(Activation):
    """``f(z) = z if z > 0 else α(e^z - 1)``, ``f'(z) = 1 if z > 0 else α e^z``: Keras's
    ``elu`` with its default ``alpha=1.0`` (``e^z - 1`` computed as ``expm1``)."""

    name = "elu"
    alpha: ClassVar[float] = 1.0

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        negative = self.alpha * np.expm1(np.minimum(z, 0))  # before ``out``, which may be z
        a = np.maximum(z, 0, out=out)
        a += negative
        return a

    def derivative(self, z: Array) -> Array:
        z = floating(z)
        return np.where(z > 0, 1, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype)

    def backward(self, da: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        # f'(z) = f(z) + α where z <= 0: from the cached output, no exponential.
        return np.multiply(da, np.where(z > 0, 1, a + self.alpha).astype(a.dtype), out=out)


@functools.cache
def _standard_normal_cdf() -> Any:
    """SciPy's ``ndtr``, ``Φ(z) = ½ erfc(-z/√2)``, imported on first use: SciPy is not a
    dependency of the core, and NumPy has no ``erf``."""
    try:
        from scipy.special import ndtr
    except ImportError as error:
        raise ImportError("the gelu activation needs SciPy's erf: pip install scipy") from error
    return ndtr


class GELU(Activation):
    """``f(z) = z Φ(z) = ½ z (1 + erf(z/√2))``, ``f'(z) = Φ(z) + z φ(z)``: Keras's ``gelu`` with
    its default ``approximate=False`` (the exact form; ``Φ`` from ``scipy.special.ndtr``,
    which needs SciPy)."""

    name = "gelu"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        return np.multiply(z, _standard_normal_cdf()(z), out=out)

    def derivative(self, z: Array) -> Array:
        z = floating(z)
        density = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return (_standard_normal_cdf()(z) + z * density).astype(z.dtype)


class SiLU(Activation):
    """``f(z) = z σ(z)``, ``f'(z) = σ(z)(1 + z(1 - σ(z)))``: Keras's ``silu`` (or ``swish``)."""

    name = "silu"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        return np.multiply(z, sigmoid(z), out=out)

    def derivative(self, z: Array) -> Array:
        z = floating(z)
        s = sigmoid(z)
        return s * (1 + z * (1 - s))


class Softplus(Activation):
    """``f(z) = log(1 + e^z)``, ``f'(z) = σ(z)``: Keras's ``softplus``, computed with the
    stable ``logaddexp(0, z)`` (no overflow, exact far from the origin)."""

    name = "softplus"

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        z = floating(z)
        return np.logaddexp(zero(z.dtype), z, out=out)

    def derivative(self, z: Array) -> Array:
        return sigmoid(floating(z))


relu = ReLU()
sigmoid = Sigmoid()
tanh = Tanh()
linear = Linear()
softmax = Softmax()
exponential = Exponential()
leaky_relu = LeakyReLU()
elu = ELU()
gelu = GELU()
silu = SiLU()
softplus = Softplus()

ACTIVATIONS: dict[str, Activation] = {
    f.name: f for f in (relu, sigmoid, tanh, linear, softmax, exponential, leaky_relu, elu, gelu,
                        silu, softplus)
}


def get_activation(activation: str | Activation) -> Activation:
    """Return the activation named ``activation`` (or ``activation`` itself if an object)."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return ACTIVATIONS[activation.lower()]
    raise ValueError(
        f"activation must be one of {sorted(ACTIVATIONS)} or an Activation object, "
        f"got {activation!r}"
    )
