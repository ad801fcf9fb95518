"""The TensorFlow engine: the same networks, built from TensorFlow primitives.

``tf.Variable`` parameters in a ``tf.Module``, a ``tf.GradientTape`` for the gradients, a
``@tf.function`` training step (compiled with XLA) that updates with ``assign``: no Keras
layers or optimizers.  Importing this package imports TensorFlow (``pip install 'scratchnn[tf]'``).

TensorFlow's start-up notes (oneDNN, CPU instructions, XLA) are silenced unless the user sets
``TF_CPP_MIN_LOG_LEVEL`` to ask for them (``scratchnn.tf_runtime``).
"""

from __future__ import annotations

from ..tf_runtime import tf  # noqa: F401  # TensorFlow, imported quietly, before the engine
from .model import TFPerceptron

__all__ = ["TFPerceptron"]
