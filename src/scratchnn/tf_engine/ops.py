"""The TensorFlow twins of ``scratchnn.activations`` and ``scratchnn.losses``.

Same formulas as the NumPy engine's, so both engines compute the same numbers; here the samples
are rows (the NumPy layers' matrices transposed), so no batch needs a transpose.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..dropout_masks import stream_key, threshold, unit_bits, unit_counters
from ..losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    HalfSquaredError,
    Loss,
    MeanSquaredError,
    Poisson,
)
from ..tf_runtime import activation_function

__all__ = ["activation_function", "dropout_mask", "per_sample_loss", "total_weight"]


def total_weight(x: tf.Tensor, w: tf.Tensor | None) -> tf.Tensor:
    """What a batch's mean divides by, in ``x``'s dtype: its number of rows, or the total of
    its sample weights ``w`` (``scratchnn.losses.batch_weight``'s twin)."""
    return tf.cast(tf.shape(x)[0], x.dtype) if w is None else tf.reduce_sum(w)

def _clip(y_pred: tf.Tensor) -> tf.Tensor:
    eps = float(np.finfo(y_pred.dtype.as_numpy_dtype).eps)
    return tf.clip_by_value(y_pred, eps, 1 - eps)


def per_sample_loss(loss: Loss, y: tf.Tensor, z: tf.Tensor, y_hat: tf.Tensor,
                    fused: bool) -> tf.Tensor:
    """Per-sample loss, shape (n_samples,), from the output's ``z`` and ``ŷ = f(z)``, both
    (n_samples, n_outputs).

    ``fused``: the output activation is the loss's canonical one, and the loss is computed
    from ``z`` (so the tape's gradient is ``ŷ - y``, as the NumPy engine's fused gradient).
    """
    if isinstance(loss, HalfSquaredError):
        return 0.5 * tf.reduce_mean(tf.square(y_hat - y), axis=1)
    if isinstance(loss, MeanSquaredError):
        return 0.5 * tf.reduce_sum(tf.square(y_hat - y), axis=1)
    if isinstance(loss, Poisson):
        if fused:  # y log(y / e^z) - y + e^z = y log y - y z - y + e^z
            return tf.reduce_sum(tf.math.xlogy(y, y) - y * z - y + tf.math.exp(z), axis=1)
        prediction = tf.maximum(y_hat, np.finfo(y_hat.dtype.as_numpy_dtype).tiny)
        return tf.reduce_sum(tf.math.xlogy(y, y / prediction) - y + y_hat, axis=1)
    if isinstance(loss, BinaryCrossEntropy):
        if fused:
            return tf.reduce_sum(tf.math.softplus(z) - y * z, axis=1)
        p = _clip(y_hat)
        return -tf.reduce_sum(y * tf.math.log(p) + (1 - y) * tf.math.log1p(-p), axis=1)
    if isinstance(loss, CategoricalCrossEntropy):
        if fused:  # log Σ_j e^(z_j) - Σ_k y_k z_k, one operation (y is one-hot)
            return tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)
        return -tf.reduce_sum(y * tf.math.log(_clip(y_hat)), axis=1)
    raise ValueError(
        f"the tensorflow engine supports the losses binary_crossentropy, "
        f"categorical_crossentropy, mean_squared_error, squared_error and poisson, got {loss!r}"
    )


class TensorFlowOps:
    """``scratchnn.dropout_masks.UInt64Ops`` on ``tf.uint64`` tensors (XLA compiles them)."""

    def constant(self, value: int) -> tf.Tensor:
        return tf.constant(value, tf.uint64)

    def add(self, a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        return tf.math.add(a, b)

    def xor(self, a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        return tf.bitwise.bitwise_xor(a, b)

    def xor_shift(self, x: tf.Tensor, bits: int) -> tf.Tensor:
        return tf.bitwise.bitwise_xor(x, self.shift_right(x, bits))

    def multiply_by(self, x: tf.Tensor, factor: int) -> tf.Tensor:
        return tf.math.multiply(x, self.constant(factor))

    def shift_right(self, x: tf.Tensor, bits: int) -> tf.Tensor:
        return tf.bitwise.right_shift(x, self.constant(bits))


def dropout_mask(shape: tf.Tensor, rate: float, seed: tf.Tensor, step: tf.Tensor, layer: int,
                 replica: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    """Inverted dropout's mask for a (n_samples, n_units) batch: each unit kept with
    probability ``1 - rate`` and scaled by ``1 / (1 - rate)``.  The NumPy engine's mask for
    the same ``seed``, ``step`` and ``layer`` (``scratchnn.dropout_masks``): a function of
    integers, so it needs no state and runs under XLA."""
    def unsigned(value: tf.Tensor | int) -> tf.Tensor:
        return tf.cast(tf.cast(value, tf.int64), tf.uint64)

    ops = TensorFlowOps()
    counters = tf.reshape(tf.cast(tf.range(tf.cast(shape[0] * shape[1], tf.int64)), tf.uint64),
                          shape)
    key = stream_key(unsigned(seed), unsigned(step), unsigned(layer), unsigned(replica), ops)
    bits = unit_bits(key, unit_counters(counters, ops), ops)
    # The 53 bits fit an int64 exactly, which every device compares.
    keep = tf.cast(bits, tf.int64) >= threshold(rate)
    return tf.cast(keep, dtype) * (1 / (1 - rate))
