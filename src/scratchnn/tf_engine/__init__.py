"""The TensorFlow engine: the same networks, built from TensorFlow primitives.

``tf.Variable`` parameters in a ``tf.Module``, a ``tf.GradientTape`` for the gradients, a
``@tf.function`` training step (compiled with XLA) that updates with ``assign``: no Keras
layers or optimizers.  Importing this package imports TensorFlow (``pip install 'scratchnn[tf]'``).

TensorFlow's start-up notes (oneDNN, CPU instructions, XLA) are silenced unless the user sets
``TF_CPP_MIN_LOG_LEVEL`` to ask for them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


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
        import tensorflow
    except ImportError:
        raise ImportError("the TensorFlow engine needs TensorFlow: pip install "
                          "'scratchnn[tf]'") from None

from .model import TFPerceptron  # noqa: E402

__all__ = ["TFPerceptron", "tensorflow"]
