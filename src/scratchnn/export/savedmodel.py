"""TensorFlow SavedModel export: the network's parameters and a serving signature.

``tf.saved_model.load(path)`` gives an object whose ``serve(x)`` (and signature
``serving_default``, input ``input`` (batch, n_features), output ``output``) computes the
model's ``predict_proba``; TensorFlow Serving reads it as it is.  Written from the network's
description, the standardisation folded into the first layer, for a model of either engine.
"""

from __future__ import annotations

import os
from typing import Any

from ..spec import NetworkSpec
from ..tf_runtime import activation_function, tf

__all__ = ["export_savedmodel"]


class Serving(tf.Module):  # type: ignore[misc]  # TensorFlow ships no type stubs
    """A network's folded layers as constants and its forward pass as a ``tf.function``."""

    def __init__(self, spec: NetworkSpec) -> None:
        super().__init__(name="scratchnn")
        self.layers = [(tf.constant(weights), tf.constant(biases), activation_function(f))
                       for weights, biases, f in spec.folded_layers()]
        signature = tf.TensorSpec([None, spec.n_features], tf.as_dtype(spec.dtype),
                                  name="input")
        self.serve = tf.function(self._serve, input_signature=[signature])

    def _serve(self, x: tf.Tensor) -> dict[str, Any]:
        a = x
        for weights, biases, activation in self.layers:
            a = activation(tf.matmul(a, weights, transpose_b=True) + biases)
        return {"output": a}


def export_savedmodel(spec: NetworkSpec, path: str | os.PathLike[str]) -> None:
    """Write the network ``spec`` describes (``model.get_spec()``) as a SavedModel directory
    at ``path``."""
    serving = Serving(spec)
    tf.saved_model.save(serving, os.fspath(path),
                        signatures={"serving_default": serving.serve})
