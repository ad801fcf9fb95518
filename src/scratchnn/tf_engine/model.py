"""``TFPerceptron``: the spec's TensorFlow network (document A), for any list of layers."""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import math
from collections.abc import Iterator
from typing import Any, Self

import numpy as np
import tensorflow as tf
from numpy.typing import NDArray

from ..base import Array, BaseModel, iter_batches
from ..errors import NonFiniteLoss
from ..interrupt import InterruptGuard
from ..layers import Layer
from ..losses import Loss
from ..models import Perceptron
from ..optimizers import SGD, Optimizer
from .distributed import distributed_epochs, replica_step
from .ops import activation_function, per_sample_loss
from .optimizers import SlotVariables, signature

__all__ = ["TFPerceptron"]

#: The largest number of sample indices (epochs x samples) sent to one graph call.
GRAPH_CHUNK = 1 << 16


class Network(tf.Module):  # type: ignore[misc]  # TensorFlow ships no type stubs
    """The parameters as named ``tf.Variable``s: ``W1, b1, W2, b2, ...``.

    ``W`` has shape (n_neurons, n_inputs) and ``b`` (n_neurons, 1), as in the NumPy engine.
    """

    def __init__(self, weights: list[Array]) -> None:
        super().__init__(name="perceptron")
        # Under a distribution strategy every replica applies the same, all-reduced update;
        # the first replica's is the one kept.
        self.parameters = [
            tf.Variable(value, name=f"{'Wb'[index % 2]}{index // 2 + 1}",
                        aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            for index, value in enumerate(weights)
        ]


class TFPerceptron(BaseModel):
    """A multilayer perceptron trained with TensorFlow primitives.

    Takes the same layers as ``Perceptron`` (their sizes, activations and initial weights)
    and trains with the same ``fit``.  The forward pass multiplies by the weights, adds the
    bias and applies the activation, layer by layer; ``tf.GradientTape`` gives the
    gradients; each parameter is updated with ``assign(W - learning_rate * dW)``.

    Parameters
    ----------
    layers : list of Layer
        The architecture and initial weights (biases start at zero, as the layers').
    loss : str or Loss, default "binary_crossentropy"
    run_eagerly : bool, default False
        Run the training step as plain Python, for debugging; otherwise it is a graph.
    loop : {"graph", "python"}, default "graph"
        ``"graph"`` runs whole epochs, and for small data sets the whole fit, inside one
        ``tf.function``; ``"python"`` calls ``train_step`` from a Python loop, once per batch.
    jit_compile : bool, default True
        Compile the training step with XLA (``tf.function(jit_compile=True)``, as Keras does
        by default): its element-wise operations fuse, and a step runs in one call.  It is
        compiled once per batch shape; False runs it as a plain TensorFlow graph.
    strategy : tf.distribute.Strategy, optional
        Train data-parallel on the strategy's replicas (``MirroredStrategy`` for several GPUs
        or CPU devices, ``MultiWorkerMirroredStrategy`` across machines); see
        ``scratchnn.tf_engine.distributed``.
    """

    engine = "tensorflow"

    def __init__(
        self,
        layers: list[Layer],
        loss: str | Loss = "binary_crossentropy",
        run_eagerly: bool = False,
        loop: str = "graph",
        strategy: tf.distribute.Strategy | None = None,
        jit_compile: bool = True,
    ) -> None:
        super().__init__(copy.deepcopy(list(layers)) if isinstance(layers, list | tuple)
                         else layers, loss)
        if loop not in ("graph", "python"):
            raise ValueError(f"loop must be 'graph' or 'python', got {loop!r}")
        self._activations = [activation_function(layer.activation) for layer in self.layers]
        self._fused_output = self.loss.is_fused_with(self.layers[-1].activation)
        self.run_eagerly = run_eagerly
        self.loop = loop
        if not isinstance(jit_compile, bool):
            raise TypeError(f"jit_compile must be True or False, got {jit_compile!r}")
        self.jit_compile = jit_compile
        self.trace_count = 0
        self.strategy = strategy
        self._build([param for layer in self.layers for param in layer.parameters()])

    @classmethod
    def from_perceptron(cls, model: Perceptron, **kwargs: Any) -> TFPerceptron:
        """A TFPerceptron with the architecture, loss, current weights and history of
        ``model``; keyword arguments (``strategy``, ``loop``, ...) go to the constructor."""
        tf_model = cls(model.layers, model.loss, **kwargs)  # the layers hold the current weights
        tf_model.history = model.history.copy()
        if hasattr(model, "optimizer_"):
            tf_model.optimizer_ = model.optimizer_
        return tf_model

    def numpy_copy(self) -> Perceptron:
        return self.to_perceptron()

    def to_perceptron(self) -> Perceptron:
        """A NumPy-engine Perceptron with this model's architecture, loss and weights."""
        model = Perceptron(copy.deepcopy(self.layers), self.loss)
        model.set_weights(self.get_weights())
        model.history = self.history.copy()
        if hasattr(self, "optimizer_"):
            model.optimizer_ = copy.deepcopy(self.optimizer_)
        return model

    # -- parameters ------------------------------------------------------------------------
    def _scope(self) -> Any:
        """Where variables are created: the strategy's scope, if there is one."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def _build(self, weights: list[Array]) -> None:
        """Create the variables and the graph functions for the dtype of ``weights``."""
        with self._scope():
            self.network = Network(weights)
            self.optimizer_variables = SlotVariables(SGD(0.01), self.network.parameters)
        self._compile()

    def _use_optimizer(self, optimizer: Optimizer) -> None:
        """Load ``optimizer`` into variables; retrace only if its update rule changed."""
        if self.optimizer_variables.signature != signature(optimizer):
            with self._scope():
                self.optimizer_variables = SlotVariables(optimizer, self.network.parameters)
            self._compile()
        self.optimizer_variables.load(optimizer)

    def use_strategy(self, strategy: tf.distribute.Strategy | None) -> None:
        """Move the variables under ``strategy`` (or off any strategy, with None)."""
        if strategy is not self.strategy:
            self.strategy = strategy
            self._build(self.get_weights())

    def fit(self, *args: Any, strategy: tf.distribute.Strategy | None = None,
            **kwargs: Any) -> Self:
        """``Perceptron.fit``, plus ``strategy``: train under this ``tf.distribute.Strategy``
        (the model keeps it for later fits)."""
        if strategy is not None:
            self.use_strategy(strategy)
        return super().fit(*args, **kwargs)

    def _compile(self) -> None:
        """Wrap the training step, the whole-fit loop and prediction in ``tf.function``."""
        dtype = self.network.parameters[0].dtype
        rows = tf.TensorSpec([None, self.n_features], dtype)
        labels = tf.TensorSpec([None, self.n_outputs], dtype)
        compile_ = (lambda f, **_: f) if self.run_eagerly else tf.function
        self.train_step = compile_(self._train_step, input_signature=[rows, labels],
                                   jit_compile=self.jit_compile)
        # The step as the whole-fit loop calls it: its own XLA cluster, or inline.
        self._graph_step = (compile_(self._step, jit_compile=True) if self.jit_compile
                            else self._step)
        self._fit_graph = {
            in_order: compile_(functools.partial(self._fit_epochs, in_order=in_order),
                               input_signature=[rows, labels, tf.TensorSpec([None, None], tf.int32),
                                                tf.TensorSpec([], tf.int32)])
            for in_order in (True, False)
        }
        self._predict = compile_(self._predict_rows, input_signature=[rows])
        self._loss = compile_(self._mean_loss, input_signature=[rows, labels])
        if self.strategy is not None:
            self._distributed_step = compile_(self._run_on_replicas)

    def _run_on_replicas(self, batch: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:
        """One data-parallel step: every replica trains on its share; the summed loss."""
        self.trace_count += 1
        strategy = self.strategy
        assert strategy is not None
        losses = strategy.run(replica_step, args=(self, *batch))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    @property
    def dtype(self) -> np.dtype[np.floating]:
        return np.dtype(self.network.parameters[0].dtype.as_numpy_dtype)

    def get_weights(self) -> list[Array]:
        return [variable.numpy() for variable in self.network.parameters]

    def set_weights(self, weights: list[Array]) -> None:
        self._check_weight_shapes(weights)
        dtype = np.asarray(weights[0]).dtype
        if dtype != self.dtype:
            self._build([np.asarray(w, dtype=dtype) for w in weights])
            return
        for variable, value in zip(self.network.parameters, weights, strict=True):
            variable.assign(value)

    # -- the network -----------------------------------------------------------------------
    def _forward(self, a: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Forward pass on rows, (n_samples, n_features) in; the output's ``z`` and ``a`` out,
        (n_samples, n_outputs).

        Each layer computes the NumPy engine's ``z = W · a + b`` transposed,
        ``zᵀ = aᵀ · Wᵀ + bᵀ``: the samples stay rows, and no batch is ever transposed.
        """
        params = self.network.parameters
        z = a
        for weights, biases, activation in zip(params[0::2], params[1::2], self._activations,
                                               strict=True):
            z = tf.matmul(a, weights, transpose_b=True) + tf.reshape(biases, [-1])
            a = activation(z)
        return z, a

    def _per_sample_loss(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        """The loss of each row of ``(x, y)``, shape (n_samples,)."""
        z, y_hat = self._forward(x)
        return per_sample_loss(self.loss, y, z, y_hat, self._fused_output)

    def _mean_loss(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        return tf.reduce_mean(self._per_sample_loss(x, y))

    def _train_step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        """One gradient-descent step on the batch ``(x, y)`` (rows); return its mean loss."""
        self.trace_count += 1  # Python side effect: runs only when TensorFlow traces
        return self._step(x, y)

    def _step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        """Update unless the loss is NaN or infinite (training stops there)."""
        params = self.network.parameters
        with tf.GradientTape() as tape:
            loss = self._mean_loss(x, y)
        gradients = tape.gradient(loss, params)  # dW1, db1, dW2, db2, ...
        finite = tf.math.is_finite(loss)
        if self.jit_compile:
            self.optimizer_variables.apply(params, gradients, keep=finite)
        elif finite:  # a plain graph skips the update's operations
            self.optimizer_variables.apply(params, gradients)
        return loss

    def _fit_epochs(self, X: tf.Tensor, Y: tf.Tensor, orders: tf.Tensor,
                    batch_size: tf.Tensor, in_order: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Train one epoch per row of ``orders``, each epoch's order of the samples; with
        ``in_order``, ``orders`` has no columns and the batches are slices of ``X`` and ``Y``.

        Returns the summed loss of each completed epoch, and the number (from 1) of the batch
        whose loss was not finite, where training stopped (0 if none).
        """
        self.trace_count += 1
        n_epochs, n_samples = tf.shape(orders)[0], tf.shape(X)[0]
        totals = tf.TensorArray(X.dtype, size=0, dynamic_size=True)
        failed_batch = tf.constant(0)
        for epoch in tf.range(n_epochs):
            total = tf.zeros([], X.dtype)
            for start in tf.range(0, n_samples, batch_size):
                if in_order:
                    x, y = X[start:start + batch_size], Y[start:start + batch_size]
                else:
                    batch = orders[epoch, start:start + batch_size]
                    x, y = tf.gather(X, batch), tf.gather(Y, batch)
                loss = self._graph_step(x, y)
                if not tf.math.is_finite(loss):
                    failed_batch = start // batch_size + 1
                    break
                total += loss * tf.cast(tf.shape(x)[0], X.dtype)
            if failed_batch > 0:
                break
            totals = totals.write(epoch, total)
        return totals.stack(), failed_batch

    def _predict_rows(self, x: tf.Tensor) -> tf.Tensor:
        return self._forward(x)[1]

    def _forward_rows(self, X: Array) -> Array:
        return self._predict(tf.constant(X)).numpy()

    def _evaluation_loss(self, X: Array, Y: Array) -> float:
        return float(self._loss(tf.constant(X), tf.constant(Y)))

    def _run_epochs(
        self, X: Array, Y: Array, orders: Iterator[NDArray[np.intp] | None], batch_size: int,
        optimizer: Optimizer, guard: InterruptGuard, per_epoch: bool,
    ) -> Iterator[list[float]]:
        self._use_optimizer(optimizer)
        try:
            if self.strategy is not None:
                chunk = 1 if per_epoch else max(1, GRAPH_CHUNK // X.shape[0])
                for total in distributed_epochs(self, X, Y, orders, batch_size, guard, chunk):
                    self.optimizer_variables.store(optimizer)
                    yield [total]
                return
            if self.loop == "python" or self.run_eagerly:
                # Called as its one concrete function, on tensors, the step skips the dispatch
                # on its arguments (about two thirds of an XOR step's time), and a NumPy batch
                # made a tensor costs less than an eager slice of a tensor.
                step = (self.train_step if self.run_eagerly
                        else self.train_step.get_concrete_function())
                for order in orders:
                    total = 0.0
                    for number, batch in enumerate(iter_batches(X.shape[0], batch_size, order),
                                                   1):
                        x, y = tf.constant(X[batch]), tf.constant(Y[batch])
                        batch_loss = float(step(x, y)) * int(x.shape[0])
                        if not math.isfinite(batch_loss):
                            raise NonFiniteLoss(number)
                        total += batch_loss
                        guard.check()
                    self.optimizer_variables.store(optimizer)
                    yield [total]
                return
            X_tensor, Y_tensor = tf.constant(X), tf.constant(Y)
            chunk = 1 if per_epoch else max(1, GRAPH_CHUNK // X.shape[0])
            while block := list(itertools.islice(orders, chunk)):
                shuffled = [order for order in block if order is not None]  # all or none
                stacked = np.stack(shuffled) if shuffled else np.empty((len(block), 0))
                totals, failed_batch = self._fit_graph[not shuffled](
                    X_tensor, Y_tensor, tf.constant(stacked, tf.int32),
                    tf.constant(batch_size, tf.int32))
                self.optimizer_variables.store(optimizer)
                yield [float(total) for total in totals.numpy()]
                if failed_batch > 0:
                    raise NonFiniteLoss(int(failed_batch))
                guard.check()
        finally:
            self.optimizer_variables.store(optimizer)
