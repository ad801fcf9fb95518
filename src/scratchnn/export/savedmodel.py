"""TensorFlow SavedModel export: the network's variables and a serving signature.

``tf.saved_model.load(path)`` gives an object whose ``serve(x)`` (and signature
``serving_default``, input ``input`` (batch, n_features), output ``output``) computes the
model's ``predict_proba``; TensorFlow Serving reads it as it is.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import tensorflow as tf

if TYPE_CHECKING:
    from ..tf_engine import TFPerceptron

__all__ = ["export_savedmodel"]


class Serving(tf.Module):  # type: ignore[misc]  # TensorFlow ships no type stubs
    """The variables of a network and its forward pass as a ``tf.function``."""

    def __init__(self, model: TFPerceptron) -> None:
        super().__init__(name="scratchnn")
        # Variables of their own, on no distribution strategy, in the model's dtype.
        self.parameters = [tf.Variable(w, name=f"{'Wb'[i % 2]}{i // 2 + 1}", trainable=False)
                           for i, w in enumerate(model.get_weights())]
        self._activations = model._activations
        spec = tf.TensorSpec([None, model.n_features], self.parameters[0].dtype, name="input")
        self.serve = tf.function(self._serve, input_signature=[spec])

    def _serve(self, x: tf.Tensor) -> dict[str, Any]:
        a = x
        for weights, biases, activation in zip(self.parameters[0::2], self.parameters[1::2],
                                               self._activations, strict=True):
            a = activation(tf.matmul(a, weights, transpose_b=True) + tf.reshape(biases, [-1]))
        return {"output": a}


def export_savedmodel(model: TFPerceptron, path: str | os.PathLike[str]) -> None:
    """Write ``model`` as a SavedModel directory at ``path``."""
    serving = Serving(model)
    tf.saved_model.save(serving, os.fspath(path),
                        signatures={"serving_default": serving.serve})
