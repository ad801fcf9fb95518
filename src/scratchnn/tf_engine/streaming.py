"""Batches for TensorFlow from the NumPy arrays of a fit: ``tf.data`` pipelines.

A small training set becomes one tensor, and the batches are gathered from it inside the
graph.  A large one (or a memory-mapped one, whose rows are on disk) is never copied whole:
its rows are gathered from the NumPy array by ``tf.numpy_function`` inside the pipeline,
which prefetches while the steps run, so memory holds a few pieces, not a copy of the set.
Either way, an epoch's batches are the rows of its order cut into ``batch_size`` pieces, the
same batches the NumPy engine trains on.

A pipeline's element can be several whole batches of one epoch, a chunk, that the training
graph cuts into batches: the pipeline's cost per element (the Python call that gathers, the
hand-over to the graph: about 250 us) is then paid once per chunk, not once per batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import tensorflow as tf
from numpy.typing import NDArray

if TYPE_CHECKING:
    from ..trainer import FitPlan

__all__ = ["CHUNK_BYTES", "STREAM_BYTES", "batches", "batches_per_chunk", "streams"]

#: A training set in memory of more bytes than this is streamed batch by batch, not copied
#: into one tensor (which TensorFlow holds beside the NumPy array, with more copies while
#: converting: 3.5 times the data in all); below it, the whole-fit graph is faster.
STREAM_BYTES = 256 << 20
#: Elements prepared ahead of the steps that train on them.
PREFETCH = 4
#: The size of a streamed chunk of whole batches: a few MB, so that a chunk's gathering
#: overlaps the steps of the one before, and the prefetched chunks take little memory.
CHUNK_BYTES = 4 << 20


def streams(X: NDArray[Any]) -> bool:
    """Whether ``X`` is streamed: over ``STREAM_BYTES``, or a view of a memory-mapped file."""
    base: Any = X
    while base is not None:
        if isinstance(base, np.memmap):
            return True
        base = getattr(base, "base", None)
    return X.nbytes > STREAM_BYTES


def batches_per_chunk(run: FitPlan) -> int:
    """How many whole batches of ``run`` make a streamed chunk of about ``CHUNK_BYTES``."""
    row_bytes = sum(array[:1].nbytes for array in (run.X, run.Y, run.W) if array is not None)
    return max(1, CHUNK_BYTES // max(1, run.batch_size * row_bytes))


def batches(run: FitPlan, orders: NDArray[np.intp], per_element: int = 1) -> tf.data.Dataset:
    """The batches ``(x, y)`` or ``(x, y, w)`` of one epoch per row of ``orders`` (each a
    permutation of the training rows), ``run.batch_size`` rows each; no batch spans two
    epochs.  ``per_element``: each element holds up to this many consecutive batches of one
    epoch (all whole but an epoch's last), a chunk to cut into batches."""
    arrays = tuple(array for array in (run.X, run.Y, run.W) if array is not None)
    rows_per_element = run.batch_size * per_element
    indices = tf.data.Dataset.from_tensor_slices(orders).flat_map(
        lambda order: tf.data.Dataset.from_tensor_slices(order).batch(rows_per_element))
    if not streams(run.X):
        tensors = tuple(tf.constant(array) for array in arrays)
        return indices.map(lambda rows: tuple(tf.gather(tensor, rows) for tensor in tensors))

    def gather(rows: NDArray[np.intp]) -> list[NDArray[Any]]:
        return [array[rows] for array in arrays]

    def gathered(rows: tf.Tensor) -> tuple[tf.Tensor, ...]:
        values = tf.numpy_function(gather, [rows], [tf.as_dtype(a.dtype) for a in arrays],
                                   stateful=False)
        for value, array in zip(values, arrays, strict=True):
            value.set_shape([None, *array.shape[1:]])
        return tuple(values)

    return indices.map(gathered).prefetch(PREFETCH)
