"""Data-parallel training with ``tf.distribute``: one copy of the network per replica.

Each global batch of a ``tf.data.Dataset`` is split across the replicas by the strategy.  A
replica computes the loss summed over its samples divided by the number of samples in the
whole global batch (found with an all-reduce, so a batch that does not divide evenly is still
weighted right), takes its gradients, and the strategy's all-reduce sums them: the result is
the gradient of the mean loss over the global batch, whatever the number of replicas.  Every
replica then applies the same update to its copy of the variables.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorflow as tf
from numpy.typing import NDArray

from ..errors import NonFiniteLoss
from ..interrupt import InterruptGuard
from .streaming import batches

if TYPE_CHECKING:
    from ..trainer import FitPlan
    from .model import TFPerceptron

__all__ = ["distributed_epochs", "make_strategy"]


def replica_step(model: TFPerceptron, x: tf.Tensor, y: tf.Tensor,
                 w: tf.Tensor | None = None) -> tf.Tensor:
    """One update on this replica's share of the batch (weighted by ``w``); return its summed
    loss, with its share of the batch's penalty."""
    context = tf.distribute.get_replica_context()
    params = model.network.parameters
    with tf.GradientTape() as tape:
        local_sum, local_weight = model._summed_loss(x, y, w, training=True)
        n_global = context.all_reduce(tf.distribute.ReduceOp.SUM, local_weight)
        # Each replica adds its share of the penalty, so that the all-reduced sum has it once.
        penalty = model._penalty(n_global) / context.num_replicas_in_sync
        local_sum += penalty * n_global
        scaled = local_sum / n_global
    gradients = context.all_reduce(tf.distribute.ReduceOp.SUM, tape.gradient(
        scaled, params, unconnected_gradients=tf.UnconnectedGradients.ZERO))
    # Every replica skips the update alike when the batch's loss is not finite.
    batch_sum = context.all_reduce(tf.distribute.ReduceOp.SUM, local_sum)
    model.optimizer_variables.apply(params, gradients, keep=tf.math.is_finite(batch_sum))
    return local_sum


def distributed_epochs(
    model: TFPerceptron, run: FitPlan, orders: Iterator[NDArray[np.intp] | None],
    guard: InterruptGuard, chunk: int,
) -> Iterator[float]:
    """Train one epoch per order under ``model.strategy``; yield each epoch's summed loss.

    The batches of ``chunk`` epochs at a time come from one distributed ``tf.data.Dataset``
    of sample indices (each epoch's order cut into batches, so no batch spans two epochs);
    each epoch is one call of a graph that loops over its batches.
    """
    strategy = model.strategy
    assert strategy is not None
    batch_size = run.batch_size
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    natural = np.arange(run.n_samples)
    batches_per_epoch = -(-run.n_samples // batch_size)
    while block := list(itertools.islice(orders, chunk)):
        epochs = np.stack([natural if order is None else order for order in block])
        dataset = batches(run, epochs).with_options(options)
        global_batches = iter(strategy.experimental_distribute_dataset(dataset))
        for _ in block:
            total, failed_batch = model._distributed_epoch(
                global_batches, tf.constant(batches_per_epoch))
            if failed_batch > 0:
                raise NonFiniteLoss(int(failed_batch))
            guard.check()
            yield float(total)


def make_strategy(devices: str) -> Any:
    """A ``MirroredStrategy`` over ``devices``: "all" (every GPU, else the CPU) or a number N
    of logical CPU devices, which must be set before TensorFlow starts using the CPU."""
    if devices == "all":
        return tf.distribute.MirroredStrategy()
    count = int(devices)
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    return tf.distribute.MirroredStrategy([f"/cpu:{index}" for index in range(count)])
