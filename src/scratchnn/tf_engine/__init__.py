"""The TensorFlow engine: the same networks, built from TensorFlow primitives.

``tf.Variable`` parameters in a ``tf.Module``, a ``tf.GradientTape`` for the gradients, a
``@tf.function`` training step (compiled with XLA) that updates with ``assign``: no Keras
layers or optimizers.  Importing this package imports TensorFlow (``pip install 'scratchnn[tf]'``).
"""

from .model import TFPerceptron

__all__ = ["TFPerceptron"]
