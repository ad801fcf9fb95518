"""Dropout masks from a counter-based generator: the same masks on both engines.

A mask holds no state to carry from one batch to the next: whether unit ``j`` of sample ``i``
is kept at a training step is a function of five integers, hashed with 64-bit unsigned
arithmetic (splitmix64's finaliser, Steele, Lea and Flood, 2014):

    key  = mix(... mix(mix(seed + γ) ^ step + γ) ^ layer + γ ...)     (then ^ replica)
    bits = mix(key ^ mix(i · n_units + j + γ))
    kept = bits >> 11 >= ⌈rate · 2⁵³⌉        (the uniform (bits >> 11) / 2⁵³ is >= rate)

``seed`` is drawn once per fit from its generator, ``step`` is the optimizer's count of
updates before this one, ``layer`` the layer's index in the network and ``replica`` the
data-parallel replica (0 without a strategy); ``i`` is the sample's row in the batch.  The
NumPy engine computes it with NumPy's ``uint64`` ufuncs and the TensorFlow engine with
``tf.bitwise`` on ``tf.uint64`` (which XLA compiles), from the one function ``kept`` below,
so both engines drop the same units and train the same weights.  A kept unit is scaled by
``1 / (1 - rate)`` (inverted dropout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["DropoutKey", "UInt64Ops", "kept", "threshold"]

#: splitmix64's increment, 2⁶⁴ / φ; added before each mix so that 0 does not hash to 0.
GOLDEN = 0x9E3779B97F4A7C15
#: splitmix64's finaliser: shift, multiply, shift, multiply, shift.
SHIFTS = (30, 27, 31)
MULTIPLIERS = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
#: The bits a uniform in [0, 1) keeps of the 64: a float64's mantissa.
UNIFORM_BITS = 53


class UInt64Ops(Protocol):
    """Wrapping 64-bit unsigned arithmetic on an engine's arrays."""

    def constant(self, value: int) -> Any: ...
    def add(self, a: Any, b: Any) -> Any: ...
    def multiply(self, a: Any, b: Any) -> Any: ...
    def xor(self, a: Any, b: Any) -> Any: ...
    def shift_right(self, a: Any, bits: int) -> Any: ...


class NumPyOps:
    """``UInt64Ops`` with NumPy's ufuncs (which wrap without a warning, unlike the scalar
    operators)."""

    def constant(self, value: int) -> Any:
        return np.uint64(value)

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b, dtype=np.uint64)

    def multiply(self, a: Any, b: Any) -> Any:
        return np.multiply(a, b, dtype=np.uint64)

    def xor(self, a: Any, b: Any) -> Any:
        return np.bitwise_xor(a, b, dtype=np.uint64)

    def shift_right(self, a: Any, bits: int) -> Any:
        return np.right_shift(a, np.uint64(bits), dtype=np.uint64)


def _mix(x: Any, ops: UInt64Ops) -> Any:
    """splitmix64's finaliser: a bijection of 64-bit integers whose every output bit depends
    on every input bit."""
    for shift, multiplier in zip(SHIFTS, MULTIPLIERS, strict=False):
        x = ops.multiply(ops.xor(x, ops.shift_right(x, shift)), ops.constant(multiplier))
    return ops.xor(x, ops.shift_right(x, SHIFTS[-1]))


def _absorb(key: Any, field: Any, ops: UInt64Ops) -> Any:
    return _mix(ops.add(ops.xor(key, field), ops.constant(GOLDEN)), ops)


def threshold(rate: float) -> int:
    """``⌈rate · 2⁵³⌉``: a unit is kept when its 53 random bits are at least this (the
    product is exact, 2⁵³ being a power of two)."""
    return math.ceil(rate * 2**UNIFORM_BITS)


def kept(seed: Any, step: Any, layer: Any, replica: Any, counters: Any,
         ops: UInt64Ops) -> Any:
    """The 53 random bits of each counter ``i · n_units + j`` (``uint64`` arrays in,
    ``uint64`` out), to compare with ``threshold(rate)``."""
    key = _mix(ops.add(seed, ops.constant(GOLDEN)), ops)
    for field in (step, layer, replica):
        key = _absorb(key, field, ops)
    bits = _mix(ops.xor(key, _mix(ops.add(counters, ops.constant(GOLDEN)), ops)), ops)
    return ops.shift_right(bits, 64 - UNIFORM_BITS)


@dataclass(frozen=True)
class DropoutKey:
    """Where the NumPy engine's masks come from: the fit's ``seed``, the training ``step``
    (updates before this one) and the ``layer``'s index."""

    seed: int
    step: int = 0
    layer: int = 0

    def at_layer(self, layer: int) -> DropoutKey:
        return replace(self, layer=layer)

    def mask(self, rate: float, n_units: int, n_samples: int,
             dtype: np.dtype[np.floating]) -> NDArray[np.floating]:
        """The layer's mask in its layout, (n_units, n_samples): ``1 / (1 - rate)`` where
        the unit is kept, 0 where it is dropped."""
        # Counter i · n_units + j: sample i's row, unit j's column, as TensorFlow's rows.
        counters = np.arange(n_samples * n_units, dtype=np.uint64).reshape(n_samples, n_units)
        ops = NumPyOps()
        bits = kept(np.uint64(self.seed), np.uint64(self.step), np.uint64(self.layer),
                    np.uint64(0), counters, ops)
        return (bits >= np.uint64(threshold(rate))).T * dtype.type(1 / (1 - rate))
