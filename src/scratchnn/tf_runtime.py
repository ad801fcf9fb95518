"""TensorFlow, imported quietly, and the TensorFlow function of each activation: what the
TensorFlow engine and the SavedModel export share (neither imports the other).

TensorFlow's start-up notes (oneDNN, CPU instructions, XLA) are silenced unless the user sets
``TF_CPP_MIN_LOG_LEVEL`` to ask for them.  Importing this module imports TensorFlow
(``pip install 'scratchnn[tf]'``).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterator

from .activations import (
    ELU,
    GELU,
    Activation,
    Exponential,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)

__all__ = ["activation_function", "tf"]


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send the process's standard error (file descriptor 2, where TensorFlow's C++ writes
    before its logging starts) to /dev/null for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


#: Marks the log level as set by scratchnn, not by the user, for the processes it starts too.
OURS = "SCRATCHNN_QUIETS_TENSORFLOW"
quiet: contextlib.AbstractContextManager[None]
if "TF_CPP_MIN_LOG_LEVEL" not in os.environ or os.environ.get(OURS) == "1":
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # warnings and notes off; errors still shown
    os.environ[OURS] = "1"
    quiet = _quiet_stderr()
else:
    quiet = contextlib.nullcontext()
with quiet:
    try:
        import tensorflow as tf
    except ImportError:
        raise ImportError("the TensorFlow engine needs TensorFlow: pip install "
                          "'scratchnn[tf]'") from None


def _leaky_relu(z: tf.Tensor) -> tf.Tensor:
    # Not tf.nn.leaky_relu: its slope is a float32 attribute, 0.2000000029... in float64.
    return tf.maximum(z, LeakyReLU.negative_slope * z)


def _gelu(z: tf.Tensor) -> tf.Tensor:
    """``z Φ(z) = ½ z erfc(-z/√2)``.  Not tf.nn.gelu: it casts 1/√2 through float32, which
    puts its float64 values 4e-9 away from the exact ones (NumPy's)."""
    return 0.5 * z * tf.math.erfc(-z * math.sqrt(0.5))


_ACTIVATIONS: dict[type[Activation], Callable[[tf.Tensor], tf.Tensor]] = {
    ReLU: tf.nn.relu,
    Sigmoid: tf.math.sigmoid,
    Tanh: tf.math.tanh,
    Linear: tf.identity,
    Softmax: tf.nn.softmax,
    Exponential: tf.math.exp,
    LeakyReLU: _leaky_relu,
    ELU: tf.nn.elu,  # α = 1
    GELU: _gelu,
    SiLU: tf.nn.silu,
    Softplus: tf.math.softplus,
}


def activation_function(activation: Activation) -> Callable[[tf.Tensor], tf.Tensor]:
    """Return the TensorFlow function computing ``activation``."""
    try:
        return _ACTIVATIONS[type(activation)]
    except KeyError:
        known = sorted(a.name for a in _ACTIVATIONS)
        raise ValueError(
            f"the tensorflow engine supports the activations {known}, got {activation!r}"
        ) from None
