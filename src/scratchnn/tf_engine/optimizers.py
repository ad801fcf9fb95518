"""The optimizers' update rules on ``tf.Variable``s, with ``assign``: no Keras optimizer.

``SlotVariables`` holds an optimizer's hyperparameters and state as variables (so changing a
value does not retrace the training step) and applies the same formulas as
``scratchnn.optimizers``.  State moves between the optimizer object and the variables as the
optimizer's flat arrays (one per slot, the parameters raveled in order ``W1, b1, W2, ...``),
the layout the NumPy engine uses, so either engine can continue the other's training.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..optimizers import SGD, Adam, Optimizer

__all__ = ["SlotVariables"]


def signature(optimizer: Optimizer) -> tuple[object, ...]:
    """What decides the shape of the update graph (hyperparameter values do not, but a
    schedule by step is part of the graph)."""
    schedule = optimizer.schedule
    by_step = None if schedule is None or schedule.by_epoch else (
        type(schedule), tuple(sorted(schedule.config().items())))
    return (type(optimizer), getattr(optimizer, "momentum", 0) > 0,
            getattr(optimizer, "nesterov", False), by_step)


class SlotVariables(tf.Module):  # type: ignore[misc]  # TensorFlow ships no type stubs
    """An optimizer's hyperparameters and state as variables, for the parameters ``params``."""

    def __init__(self, optimizer: Optimizer, params: list[tf.Variable]) -> None:
        super().__init__(name="optimizer")
        self.signature = signature(optimizer)
        self.schedule = None if self.signature[3] is None else optimizer.schedule
        dtype = params[0].dtype
        first = tf.VariableAggregation.ONLY_FIRST_REPLICA  # replicas apply the same update
        self.hyperparameters = {
            name: tf.Variable(0.0, dtype=dtype, trainable=False, name=name, aggregation=first)
            for name in optimizer.config() if name != "nesterov"
        }
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations",
                                      aggregation=first)
        self.slots = {
            name: [tf.Variable(tf.zeros_like(p), trainable=False, name=f"{name}_{index}",
                               aggregation=first)
                   for index, p in enumerate(params)]
            for name in optimizer.slot_names
        }
        self._shapes = [tuple(p.shape) for p in params]

    def load(self, optimizer: Optimizer) -> None:
        """Take the optimizer's hyperparameters and state."""
        for name, variable in self.hyperparameters.items():
            variable.assign(getattr(optimizer, name))
        self.iterations.assign(optimizer.iterations)
        for name, variables in self.slots.items():
            flat = optimizer.slots.get(name)
            values = (np.split(flat[0], np.cumsum([int(np.prod(s)) for s in self._shapes])[:-1])
                      if flat else [np.zeros(s) for s in self._shapes])
            for variable, value, shape in zip(variables, values, self._shapes, strict=True):
                variable.assign(np.reshape(value, shape).astype(variable.dtype.as_numpy_dtype))

    def load_learning_rate(self, optimizer: Optimizer) -> None:
        """Take the optimizer's current learning rate (a schedule by epoch changed it)."""
        self.hyperparameters["learning_rate"].assign(optimizer.learning_rate)

    def store(self, optimizer: Optimizer) -> None:
        """Give the state back to the optimizer, in its flat layout."""
        optimizer.iterations = int(self.iterations.numpy())
        optimizer.slots = {
            name: [np.concatenate([v.numpy().ravel() for v in variables])]
            for name, variables in self.slots.items()
        }

    def apply(self, params: list[tf.Variable], gradients: list[tf.Tensor],
              keep: tf.Tensor | None = None) -> None:
        """One update of ``params`` (inside the traced training step); with ``keep``, a
        boolean scalar, only where it is true.

        The update is then selected, ``v ← keep ? new : v``, rather than branched on: under
        XLA a select fuses into the update's own loop where a branch copies every variable,
        and replicas need no synchronisation around it.
        """
        def update(variable: tf.Variable, new_value: tf.Tensor) -> tf.Tensor:
            variable.assign(new_value if keep is None else tf.where(keep, new_value, variable))
            return new_value

        learning_rate = self.hyperparameters["learning_rate"]
        if self.schedule is not None:  # the same formula as the NumPy engine's, in tf.math
            learning_rate = tf.cast(self.schedule.value(
                tf.cast(self.iterations, learning_rate.dtype), math=tf.math), learning_rate.dtype)
        iterations = update(self.iterations, self.iterations + 1)
        kind, has_momentum, nesterov, _ = self.signature
        if kind is Adam:
            beta_1, beta_2 = self.hyperparameters["beta_1"], self.hyperparameters["beta_2"]
            t = tf.cast(iterations, learning_rate.dtype)
            step_size = learning_rate * tf.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            for param, grad, m, v in zip(params, gradients, self.slots["m"], self.slots["v"],
                                         strict=True):
                m_new = update(m, m + (1 - beta_1) * (grad - m))
                v_new = update(v, v + (1 - beta_2) * (grad * grad - v))
                update(param, param - step_size * m_new
                       / (tf.sqrt(v_new) + self.hyperparameters["epsilon"]))
        elif kind is SGD and has_momentum:
            momentum = self.hyperparameters["momentum"]
            for param, grad, velocity in zip(params, gradients, self.slots["velocity"],
                                             strict=True):
                velocity_new = update(velocity, momentum * velocity - learning_rate * grad)
                step = momentum * velocity_new - learning_rate * grad if nesterov else velocity_new
                update(param, param + step)
        else:
            for param, grad in zip(params, gradients, strict=True):
                update(param, param - learning_rate * grad)
