"""What a streamed epoch costs on the TensorFlow engine, and where: the same set streamed or
in one tensor, with and without XLA, against the NumPy engine.

One epoch of a 784-64-10 network (batch 128, shuffled) on ``rows`` x 784 float32 rows in
memory, the five ways alternating epoch by epoch so that each ratio compares the same states
of the machine: the NumPy engine; the TensorFlow engine streaming its batches (the pipeline of
``scratchnn.tf_engine.streaming``, in chunks) or running its whole-fit graph on one tensor of
the set, each with XLA (the default) and without (``jit_compile=False``).  The set stays under
the streaming threshold, and the streamed rows lower it, so that both ways run on the same
rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from benchmarks.larger_than_memory import BATCH, CLASSES, FEATURES, HIDDEN
from benchmarks.timing import paired_seconds


@contextmanager
def streaming(stream: bool) -> Iterator[None]:
    """Every set streamed (``stream``), or none."""
    from scratchnn.tf_engine import streaming as pipeline

    threshold = pipeline.STREAM_BYTES
    pipeline.STREAM_BYTES = 0 if stream else 1 << 62
    try:
        yield
    finally:
        pipeline.STREAM_BYTES = threshold


def run(rows: int, repeats: int) -> dict[str, Any]:
    """Seconds per epoch of each way, and its ratio to the NumPy engine's."""
    from scratchnn import Perceptron
    from scratchnn.tf_engine import TFPerceptron

    rng = np.random.default_rng(0)
    X = rng.random((rows, FEATURES), dtype=np.float32)
    y = np.arange(rows) % CLASSES
    network = Perceptron.from_sizes([FEATURES, HIDDEN, CLASSES], "relu", "softmax",
                                    "categorical_crossentropy", random_state=0,
                                    dtype=np.float32)

    def epoch(model: Any, stream: bool = False) -> Callable[[], None]:
        def train() -> None:
            with streaming(stream):
                model.fit(X, y, epochs=1, batch_size=BATCH, learning_rate=0.01, shuffle=True,
                          random_state=0, verbose=0)
        return train

    ways = {"scratchnn numpy": epoch(network)}
    for xla in (True, False):
        for stream in (True, False):
            name = (f"tensorflow, {'streamed' if stream else 'one tensor, whole-fit graph'}"
                    f"{'' if xla else ', jit_compile=False'}")
            ways[name] = epoch(TFPerceptron.from_perceptron(network, jit_compile=xla), stream)
    seconds = paired_seconds(ways, repeats)
    table = {name: {"seconds": value, "vs_numpy": value / seconds["scratchnn numpy"]}
             for name, value in seconds.items()}
    return {"rows": rows, "table": table}
