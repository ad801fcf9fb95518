"""Dropout masks from a counter-based generator: the same masks on both engines.

A mask holds no state to carry from one batch to the next: whether unit ``j`` of sample ``i``
is kept at a training step is a function of five integers, hashed with 64-bit unsigned
arithmetic (splitmix64's finaliser ``mix``, Steele, Lea and Flood, 2014; ``γ`` its
increment):

    key  = mix(seed + γ), then key = mix((key ^ v) + γ) for v = step, layer, replica
    bits = mix(key ^ mix(i · n_units + j + γ)) >> 11
    kept = bits >= ⌈rate · 2⁵³⌉             (the uniform bits / 2⁵³ is >= rate)

``seed`` is drawn once per fit from its generator, ``step`` is the optimizer's count of
updates before this one, ``layer`` the layer's index in the network and ``replica`` the
data-parallel replica (0 without a strategy); ``i`` is the sample's row in the batch.  The
NumPy engine computes it with Python integers (the key) and NumPy's ``uint64`` ufuncs (the
units), the TensorFlow engine with ``tf.bitwise`` on ``tf.uint64`` (which XLA compiles), both
from the functions below, so both engines drop the same units and train the same weights.
A kept unit is scaled by ``1 / (1 - rate)`` (inverted dropout).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["DropoutKey", "UInt64Ops", "stream_key", "threshold", "unit_bits", "unit_counters"]

#: splitmix64's increment, 2⁶⁴ / φ; added before each mix so that 0 does not hash to 0.
GOLDEN = 0x9E3779B97F4A7C15
#: splitmix64's finaliser: shift, multiply, shift, multiply, shift.
SHIFTS = (30, 27, 31)
MULTIPLIERS = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
#: The bits a uniform in [0, 1) keeps of the 64: a float64's mantissa.
UNIFORM_BITS = 53
MASK64 = 2**64 - 1


class UInt64Ops(Protocol):
    """Wrapping 64-bit unsigned arithmetic on an engine's values.  ``xor_shift``,
    ``multiply_by`` and ``shift_right`` may overwrite ``x``: the generator passes them only
    values it made itself."""

    def constant(self, value: int) -> Any: ...
    def add(self, a: Any, b: Any) -> Any: ...
    def xor(self, a: Any, b: Any) -> Any: ...
    def xor_shift(self, x: Any, bits: int) -> Any: ...  # x ^ (x >> bits)
    def multiply_by(self, x: Any, factor: int) -> Any: ...
    def shift_right(self, x: Any, bits: int) -> Any: ...


class IntOps:
    """``UInt64Ops`` on Python integers: a batch's key, a few operations on scalars."""

    def constant(self, value: int) -> int:
        return value

    def add(self, a: int, b: int) -> int:
        return (a + b) & MASK64

    def xor(self, a: int, b: int) -> int:
        return a ^ b

    def xor_shift(self, x: int, bits: int) -> int:
        return x ^ (x >> bits)

    def multiply_by(self, x: int, factor: int) -> int:
        return (x * factor) & MASK64

    def shift_right(self, x: int, bits: int) -> int:
        return x >> bits


class NumPyOps:
    """``UInt64Ops`` on ``uint64`` arrays, in place where allowed (a mask then costs what
    drawing uniforms costs); NumPy's ufuncs wrap around silently."""

    def constant(self, value: int) -> np.uint64:
        return np.uint64(value)

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b, dtype=np.uint64)

    def xor(self, a: Any, b: Any) -> Any:
        return np.bitwise_xor(a, b, dtype=np.uint64)

    def xor_shift(self, x: NDArray[np.uint64], bits: int) -> NDArray[np.uint64]:
        x ^= x >> np.uint64(bits)
        return x

    def multiply_by(self, x: NDArray[np.uint64], factor: int) -> NDArray[np.uint64]:
        x *= np.uint64(factor)
        return x

    def shift_right(self, x: NDArray[np.uint64], bits: int) -> NDArray[np.uint64]:
        x >>= np.uint64(bits)
        return x


def _mix(x: Any, ops: UInt64Ops) -> Any:
    """splitmix64's finaliser: a bijection of 64-bit integers whose every output bit depends
    on every input bit (may overwrite ``x``)."""
    for shift, multiplier in zip(SHIFTS, MULTIPLIERS, strict=False):
        x = ops.multiply_by(ops.xor_shift(x, shift), multiplier)
    return ops.xor_shift(x, SHIFTS[-1])


def stream_key(seed: Any, step: Any, layer: Any, replica: Any, ops: UInt64Ops) -> Any:
    """The key of one layer's mask at one step: the five integers hashed in turn."""
    key = _mix(ops.add(seed, ops.constant(GOLDEN)), ops)
    for field in (step, layer, replica):
        key = _mix(ops.add(ops.xor(key, field), ops.constant(GOLDEN)), ops)
    return key


def unit_counters(counters: Any, ops: UInt64Ops) -> Any:
    """Each unit's hashed counter ``mix(i · n_units + j + γ)``, from the counters (the same
    for every key: the NumPy engine computes them once per batch shape)."""
    return _mix(ops.add(counters, ops.constant(GOLDEN)), ops)


def unit_bits(key: Any, hashed_counters: Any, ops: UInt64Ops) -> Any:
    """The 53 random bits of each unit, ``mix(key ^ hashed counter) >> 11``, to compare with
    ``threshold(rate)``."""
    return ops.shift_right(_mix(ops.xor(hashed_counters, key), ops), 64 - UNIFORM_BITS)


def threshold(rate: float) -> int:
    """``⌈rate · 2⁵³⌉``: a unit is kept when its 53 random bits are at least this (the
    product is exact, 2⁵³ being a power of two)."""
    return math.ceil(rate * 2**UNIFORM_BITS)


#: The largest batch (units x samples) whose hashed counters are kept, 8 MB: a mini-batch's
#: are reused at every step; a huge full batch's are not worth the memory they would hold.
CACHED_SIZE = 1 << 20


def _hashed_counters(n_units: int, n_samples: int) -> NDArray[np.uint64]:
    """``unit_counters`` in the NumPy layers' layout, (n_units, n_samples): unit ``j`` of
    sample ``i`` has the counter ``i · n_units + j``, as in TensorFlow's rows."""
    counters = np.arange(n_samples * n_units, dtype=np.uint64).reshape(n_samples, n_units)
    return np.ascontiguousarray(unit_counters(counters, NumPyOps()).T)


@functools.lru_cache(maxsize=8)
def _cached_counters(n_units: int, n_samples: int) -> NDArray[np.uint64]:
    hashed = _hashed_counters(n_units, n_samples)
    hashed.flags.writeable = False  # shared by every mask of this shape
    return hashed


def _counters_of(n_units: int, n_samples: int) -> NDArray[np.uint64]:
    """The hashed counters of a batch: cached unless the batch is huge."""
    if n_units * n_samples <= CACHED_SIZE:
        return _cached_counters(n_units, n_samples)
    return _hashed_counters(n_units, n_samples)


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
        key = stream_key(self.seed, self.step, self.layer, 0, IntOps())
        bits = unit_bits(np.uint64(key), _counters_of(n_units, n_samples), NumPyOps())
        return (bits >= np.uint64(threshold(rate))) * dtype.type(1 / (1 - rate))
