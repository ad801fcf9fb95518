"""``TFPerceptron``: the spec's TensorFlow network (document A), for any list of layers."""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import itertools
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self

import numpy as np
import tensorflow as tf
from numpy.typing import NDArray

from ..activations import Activation
from ..base import Array, BaseModel
from ..errors import NonFiniteLoss
from ..initializers import random_seed
from ..interrupt import InterruptGuard
from ..layers import Layer
from ..losses import Loss, batch_weight
from ..numpy_engine import Perceptron
from ..optimizers import SGD, Optimizer
from ..preprocessing import Standardization
from ..regularizers import L2
from ..trainer import FitPlan, iter_batches
from .distributed import distributed_epochs, replica_step
from .graphs import graph_functions
from .ops import activation_function, dropout_mask, per_sample_loss, total_weight
from .optimizers import SlotVariables, signature
from .streaming import batches, batches_per_chunk, streams

__all__ = ["TFPerceptron"]

#: The largest number of sample indices (epochs x samples) sent to one graph call.
GRAPH_CHUNK = 1 << 16
#: Where each variable (or constant) the graph functions read lives on the model: the graph
#: functions shared by models of one shape (``graphs``) take them as an argument.  A new one
#: must be listed here, or the shared graphs would keep using the first model's.
STATE = ("network.parameters", "network.statistics", "optimizer_variables.hyperparameters",
         "optimizer_variables.iterations", "optimizer_variables.slots", "dropout_seed",
         "_input_scaling")


class Network(tf.Module):  # type: ignore[misc]  # TensorFlow ships no type stubs
    """The parameters as named ``tf.Variable``s: ``W1, b1, W2, b2, ...`` (with ``gamma1,
    beta1`` after ``b1`` for a layer with batch normalisation), and batch normalisation's
    moving statistics as variables that no gradient reaches (``moving_mean1``, ...).

    ``W`` has shape (n_neurons, n_inputs) and ``b`` (n_neurons, 1), as in the NumPy engine.
    """

    def __init__(self, parameters: list[tuple[str, Array]],
                 statistics: list[tuple[str, Array]]) -> None:
        super().__init__(name="perceptron")
        # Under a distribution strategy every replica applies the same, all-reduced update;
        # the first replica's is the one kept.
        self.parameters = [
            tf.Variable(value, name=name, aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            for name, value in parameters
        ]
        self.statistics = [
            tf.Variable(value, name=name, trainable=False,
                        aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
            for name, value in statistics
        ]


class VariableLayer:
    """A layer of the TensorFlow engine: a ``Layer``'s settings, and its parameters read from
    the network's variables (``weights``, ``biases`` and batch normalisation's ``gamma``,
    ``beta``, ``moving_mean`` and ``moving_variance`` are copies of their current values)."""

    def __init__(self, layer: Layer | VariableLayer, variables: list[tf.Variable],
                 statistics: list[tf.Variable]) -> None:
        self.activation: Activation = layer.activation
        self.init: str = layer.init
        self.kernel_regularizer: L2 | None = copy.deepcopy(layer.kernel_regularizer)
        self.dropout: float = layer.dropout
        self.batch_norm: bool = layer.batch_norm
        self.momentum: float = layer.momentum
        self.epsilon: float = layer.epsilon
        #: ``(W, b)``, or ``(W, b, gamma, beta)`` with batch normalisation.
        self.variables = tuple(variables)
        #: ``(moving_mean, moving_variance)`` with batch normalisation, else ``()``.
        self.statistics = tuple(statistics)

    @property
    def n_neurons(self) -> int:
        return int(self.variables[0].shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.variables[0].shape[1])

    @property
    def weights(self) -> Array:
        """The weights (n_neurons, n_inputs), as they are now."""
        return self.variables[0].numpy()

    @property
    def biases(self) -> Array:
        """The biases (n_neurons, 1), as they are now."""
        return self.variables[1].numpy()

    @property
    def gamma(self) -> Array | None:
        """Batch normalisation's scale (n_neurons, 1), as it is now (None without)."""
        return self.variables[2].numpy() if self.batch_norm else None

    @property
    def beta(self) -> Array | None:
        """Batch normalisation's shift (n_neurons, 1), as it is now (None without)."""
        return self.variables[3].numpy() if self.batch_norm else None

    @property
    def moving_mean(self) -> Array | None:
        return self.statistics[0].numpy() if self.batch_norm else None

    @property
    def moving_variance(self) -> Array | None:
        return self.statistics[1].numpy() if self.batch_norm else None

    @property
    def n_parameters(self) -> int:
        return sum(int(np.prod(variable.shape)) for variable in self.variables)

    __repr__ = Layer.__repr__


def layer_arrays(layers: list[Any], weights: list[Array]) -> tuple[list[tuple[str, Array]],
                                                                   list[tuple[str, Array]]]:
    """The named trainable arrays (``weights`` ``[W1, b1, ...]``, and each batch-normalised
    layer's ``gamma`` and ``beta``) and moving statistics of ``layers``, in ``weights``'s
    dtype."""
    dtype = weights[0].dtype
    parameters: list[tuple[str, Array]] = []
    statistics: list[tuple[str, Array]] = []
    for index, layer in enumerate(layers):
        number = index + 1
        parameters += [(f"W{number}", weights[2 * index]), (f"b{number}", weights[2 * index + 1])]
        if layer.batch_norm:
            parameters += [(f"{name}{number}", getattr(layer, name).astype(dtype))
                           for name in ("gamma", "beta")]
            statistics += [(f"{name}{number}", getattr(layer, name).astype(dtype))
                           for name in ("moving_mean", "moving_variance")]
    return parameters, statistics


def normalize(z: tf.Tensor, layer: VariableLayer, training: bool,
              scale_shift: tuple[tf.Variable, tf.Variable],
              statistics: tuple[tf.Variable, tf.Variable]) -> tf.Tensor:
    """Batch normalisation of ``z`` (n_samples, n_neurons), the NumPy layer's formulas on rows:
    ``γ ⊙ (z - μ) / √(σ² + ε) + β`` with the batch's ``μ`` and biased ``σ²`` when
    ``training`` (the moving statistics updated: ``m · momentum + batch · (1 - momentum)``),
    else with the moving statistics.  ``scale_shift``: the layer's ``(γ, β)``,
    ``statistics``: its ``(moving_mean, moving_variance)``.  The tape derives the backward
    pass."""
    gamma, beta = (tf.reshape(variable, [-1]) for variable in scale_shift)
    moving_mean, moving_variance = statistics
    if not training:
        return ((z - tf.reshape(moving_mean, [-1]))
                / tf.sqrt(tf.reshape(moving_variance, [-1]) + layer.epsilon) * gamma + beta)
    mean = tf.reduce_mean(z, axis=0)
    centred = z - mean
    variance = tf.reduce_mean(centred * centred, axis=0)  # biased: over N
    momentum = tf.constant(layer.momentum, z.dtype)
    moving_mean.assign(moving_mean * momentum + tf.reshape(mean, [-1, 1]) * (1 - momentum))
    moving_variance.assign(moving_variance * momentum
                           + tf.reshape(variance, [-1, 1]) * (1 - momentum))
    return gamma * (centred / tf.sqrt(variance + layer.epsilon)) + beta


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
        super().__init__(layers, loss)
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
        self._build([param for layer in self.layers for param in (layer.weights, layer.biases)])

    @classmethod
    def from_perceptron(cls, model: BaseModel, **settings: Any) -> TFPerceptron:
        """A TFPerceptron with a copy of everything ``model`` holds (architecture, loss,
        weights, optimizer and its state, history, standardisation, labels); keyword
        arguments (``strategy``, ``loop``, ...) go to the constructor."""
        return cls.from_spec(model.get_spec(), adopt=True, **settings)

    def to_perceptron(self) -> Perceptron:
        """A NumPy-engine Perceptron with a copy of everything this model holds."""
        return Perceptron.from_spec(self.get_spec(), adopt=True)

    def _settings(self) -> dict[str, Any]:
        """What a copy keeps of the constructor's settings (not the strategy: a copy is made
        for another process or another device)."""
        return {"run_eagerly": self.run_eagerly, "loop": self.loop,
                "jit_compile": self.jit_compile}

    # -- parameters ------------------------------------------------------------------------
    def _scope(self) -> Any:
        """Where variables are created: the strategy's scope, if there is one."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def _build(self, weights: list[Array]) -> None:
        """Create the variables and the graph functions for the dtype of ``weights``
        (``[W1, b1, ...]``; batch normalisation's arrays are the layers', converted)."""
        with self._scope():
            self.network = Network(*layer_arrays(self.layers, weights))
            self.layers = [
                VariableLayer(layer, [kernel, bias, *(scale_shift or ())],
                              list(statistics or ()))
                for layer, (kernel, bias, scale_shift, statistics)
                in zip(self.layers, self._layer_variables(), strict=True)]
            self.optimizer_variables = SlotVariables(SGD(0.01), self.network.parameters)
            # The dropout masks of step t are a function of (this seed, t), the NumPy engine's:
            # set from the fit's generator, so a seeded fit is reproducible.
            self.dropout_seed = tf.Variable(0, dtype=tf.int64, trainable=False,
                                            name="dropout_seed",
                                            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
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
        self._check_one_order(inspect.signature(BaseModel.fit).bind(self, *args, **kwargs))
        return super().fit(*args, **kwargs)

    def _check_one_order(self, call: inspect.BoundArguments) -> None:
        """Several workers must draw one order of the samples and one validation split: each
        worker draws them from ``random_state``, so it must be the same seed on all."""
        if self.strategy is None or call.arguments.get("random_state") is not None:
            return
        resolver = getattr(self.strategy, "cluster_resolver", None)
        try:
            workers = resolver.cluster_spec().num_tasks("worker") if resolver else 1
        except (AttributeError, ValueError):
            workers = 1
        randomised = [name for name in ("shuffle", "validation_split", "early_stopping")
                      if call.arguments.get(name) not in (None, False)]
        if workers > 1 and randomised:
            raise ValueError(
                f"{' and '.join(randomised)} on {workers} workers needs a random_state, the "
                f"same on every worker: each draws the order of the samples and the "
                f"validation split from it, and without one they would train on different "
                f"orders (samples seen twice or never)")

    def _compile(self) -> None:
        """Take the training step, the whole-fit loops and prediction as ``tf.function``s:
        those of this network's shape, traced once in the process (without a strategy)."""
        scaling = self.standardization
        dtype = self.network.parameters[0].dtype
        self._input_scaling = None if scaling is None else [
            tf.constant(scaling.mean, dtype), tf.constant(scaling.scale, dtype)]
        functions = graph_functions(self, shared=self._shares_graphs())
        self.train_step = functions["train_step"]
        self._weighted_train_step = functions["weighted_train_step"]
        self._fit_graph = {(in_order, weighted): functions[f"epochs_{in_order}_{weighted}"]
                           for in_order, weighted in itertools.product((True, False),
                                                                       (False, True))}
        self._fit_stream = {False: functions["stream"], True: functions["weighted_stream"]}
        self._predict = functions["predict"]
        self._data_loss = {False: functions["data_loss"], True: functions["weighted_data_loss"]}
        self._loss_and_gradient = {False: functions["loss_and_gradient"],
                                   True: functions["weighted_loss_and_gradient"]}
        if self.strategy is not None:
            compile_ = (lambda f: f) if self.run_eagerly else tf.function
            # A partial: this model's traces add to no other model's count of retracing.
            self._distributed_epoch = compile_(functools.partial(self._epoch_on_replicas))

    def _shares_graphs(self) -> bool:
        """Whether this model runs the graph functions of its shape (a strategy's variables are
        its own: its graphs capture them)."""
        return self.strategy is None and not self.run_eagerly

    def _graph_key(self) -> tuple[object, ...]:
        """What the graph functions hold as Python values: models alike in all of it share
        them (the variables' values, the standardisation's and the data are arguments)."""
        layers = tuple((layer.n_inputs, layer.n_neurons, type(layer.activation), layer.dropout,
                        layer.kernel_regularizer, layer.batch_norm, layer.momentum,
                        layer.epsilon) for layer in self.layers)
        return (type(self), self.network.parameters[0].dtype, layers, type(self.loss),
                self._fused_output, self.optimizer_variables.signature, self.jit_compile,
                self.standardization is not None)

    def _state(self) -> dict[str, Any]:
        """The variables the shared graph functions take as their first argument (none for a
        model with its own functions)."""
        if not self._shares_graphs():
            return {}
        values = {path: operator.attrgetter(path)(self) for path in STATE}
        return {path: value for path, value in values.items() if value is not None}

    @contextlib.contextmanager
    def _bound(self, state: dict[str, Any]) -> Iterator[None]:
        """Point this model's attributes at ``state`` (the arguments of a graph function being
        traced) for the duration."""
        def assign(values: dict[str, Any]) -> None:
            for path, value in values.items():
                owner, _, name = path.rpartition(".")
                setattr(operator.attrgetter(owner)(self) if owner else self, name, value)

        saved = {path: operator.attrgetter(path)(self) for path in state}
        assign(state)
        try:
            yield
        finally:
            assign(saved)

    def _epoch_on_replicas(self, batches: Any, n_batches: tf.Tensor
                           ) -> tuple[tf.Tensor, tf.Tensor]:
        """Train on the next ``n_batches`` global batches of the distributed iterator
        ``batches``, in one graph (one call per epoch, not per batch).

        Returns the summed loss (in float64, as the batches' losses added in Python would
        be), and the number (from 1) of the batch whose loss was not finite, where training
        stopped (0 if none).
        """
        self.trace_count += 1
        total, failed_batch = tf.zeros([], tf.float64), tf.constant(0)
        for number in tf.range(1, n_batches + 1):
            loss = self._run_on_replicas(next(batches))
            if not tf.math.is_finite(loss):
                failed_batch = number
                break
            total += tf.cast(loss, tf.float64)
        return total, failed_batch

    def _run_on_replicas(self, batch: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:
        """One data-parallel step: every replica trains on its share; the summed loss."""
        strategy = self.strategy
        assert strategy is not None
        losses = strategy.run(replica_step, args=(self, *batch))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    @property
    def dtype(self) -> np.dtype[np.floating]:
        return np.dtype(self.network.parameters[0].dtype.as_numpy_dtype)

    @property
    def standardization(self) -> Standardization | None:
        """Standardised inputs, applied before the first layer (the graph functions take its
        values as arguments)."""
        return self._standardization

    @standardization.setter
    def standardization(self, value: Standardization | None) -> None:
        changed = value is not getattr(self, "_standardization", None)
        self._standardization = value
        if changed and hasattr(self, "network"):
            self._compile()

    def get_weights(self) -> list[Array]:
        return [variable.numpy() for variable in self._weights_and_biases()]

    def _weights_and_biases(self) -> list[tf.Variable]:
        """``[W1, b1, W2, b2, ...]``, the variables (batch normalisation's left out)."""
        return [variable for layer in self.layers for variable in layer.variables[:2]]

    def set_weights(self, weights: list[Array]) -> None:
        arrays = self._check_weights(weights)
        if arrays[0].dtype != self.dtype:
            self._build(arrays)
            return
        for variable, value in zip(self._weights_and_biases(), arrays, strict=True):
            variable.assign(value)

    def _set_batch_norm(self, normalizations: Sequence[tuple[Array, ...] | None]) -> None:
        for layer, arrays in zip(self.layers, normalizations, strict=True):
            if layer.batch_norm and arrays is not None:
                for variable, array in zip(layer.variables[2:] + layer.statistics, arrays,
                                           strict=True):
                    variable.assign(array)

    def _snapshot(self) -> list[Array]:
        """Every parameter, and batch normalisation's moving statistics."""
        return [variable.numpy() for variable in
                self.network.parameters + self.network.statistics]

    def _restore(self, snapshot: list[Array]) -> None:
        for variable, value in zip(self.network.parameters + self.network.statistics, snapshot,
                                   strict=True):
            variable.assign(value)

    # -- the network -----------------------------------------------------------------------
    def _forward(self, a: tf.Tensor, training: bool = False) -> tuple[tf.Tensor, tf.Tensor]:
        """Forward pass on rows, (n_samples, n_features) in; the output's ``z`` and ``a`` out,
        (n_samples, n_outputs).

        Each layer computes the NumPy engine's ``z = W · a + b`` transposed,
        ``zᵀ = aᵀ · Wᵀ + bᵀ``: the samples stay rows, and no batch is ever transposed.
        ``training``: the layers with dropout multiply their outputs by a mask, and batch
        normalisation uses (and updates) the batch's statistics.
        """
        if self._input_scaling is not None:
            mean, scale = self._input_scaling
            a = (a - mean) / scale
        z = a
        for index, (activation, layer, variables) in enumerate(zip(
                self._activations, self.layers, self._layer_variables(), strict=True)):
            weights, biases, scale_shift, statistics = variables
            if scale_shift is None or statistics is None:
                z = tf.matmul(a, weights, transpose_b=True) + tf.reshape(biases, [-1])
            else:
                # The batch's mean takes b out: its gradient is exactly 0, as the NumPy
                # layer sets it (no gradient reaches it), and b stays where it is.
                z = tf.matmul(a, weights, transpose_b=True) + tf.stop_gradient(
                    tf.reshape(biases, [-1]))
                z = normalize(z, layer, training, scale_shift, statistics)
            a = activation(z)
            if training and layer.dropout:
                a = a * dropout_mask(tf.shape(a), layer.dropout, self.dropout_seed,
                                     self.optimizer_variables.iterations, index,
                                     self._replica(), a.dtype)
        return z, a

    def _layer_variables(self) -> list[tuple[Any, Any, tuple[Any, Any] | None,
                                             tuple[Any, Any] | None]]:
        """Each layer's ``(W, b, (γ, β), (moving_mean, moving_variance))`` (None for a layer
        without batch normalisation), read from ``network`` as the graph functions receive
        it (bound to their arguments while a shared function is traced), never from the
        layers' own variables, which are one model's."""
        parameters, statistics = iter(self.network.parameters), iter(self.network.statistics)
        return [(next(parameters), next(parameters),
                 (next(parameters), next(parameters)) if layer.batch_norm else None,
                 (next(statistics), next(statistics)) if layer.batch_norm else None)
                for layer in self.layers]

    @staticmethod
    def _replica() -> tf.Tensor:
        """This replica's number (0 without a strategy): each draws its own masks."""
        context = tf.distribute.get_replica_context()
        return tf.constant(0) if context is None else context.replica_id_in_sync_group

    def _per_sample_loss(self, x: tf.Tensor, y: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The loss of each row of ``(x, y)``, shape (n_samples,)."""
        z, y_hat = self._forward(x, training)
        return per_sample_loss(self.loss, y, z, y_hat, self._fused_output)

    def _penalty(self, batch_weight: tf.Tensor) -> tf.Tensor:
        """The layers' weight penalties for a batch of total weight ``batch_weight``."""
        penalty = tf.zeros([], batch_weight.dtype)
        for layer, (weights, *_) in zip(self.layers, self._layer_variables(), strict=True):
            if layer.kernel_regularizer is not None:
                penalty += (layer.kernel_regularizer.coefficient(batch_weight)
                            * tf.reduce_sum(tf.square(weights)))
        return penalty

    def _summed_loss(self, x: tf.Tensor, y: tf.Tensor, w: tf.Tensor | None,
                     training: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """``Σ w_i l_i`` over the batch, and ``Σ w_i`` (its size without weights)."""
        losses = self._per_sample_loss(x, y, training)
        weighted = losses if w is None else w * losses
        return tf.reduce_sum(weighted), total_weight(x, w)

    def _data_loss_sum(self, x: tf.Tensor, y: tf.Tensor, w: tf.Tensor | None = None) -> tf.Tensor:
        """``Σ w_i l_i`` over the rows ``(x, y)``, without penalty and without training."""
        return self._summed_loss(x, y, w, training=False)[0]

    def _mean_loss(self, x: tf.Tensor, y: tf.Tensor, w: tf.Tensor | None = None,
                   training: bool = False) -> tf.Tensor:
        """The batch's (weighted) mean loss plus its weight penalty."""
        total, weight = self._summed_loss(x, y, w, training)
        if any(layer.kernel_regularizer is not None for layer in self.layers):
            return total / weight + self._penalty(weight)
        return total / weight

    def _full_batch_objective(self, x: tf.Tensor, y: tf.Tensor,
                              w: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        """The mean loss of the whole set and its gradient, flattened (for L-BFGS)."""
        params = self.network.parameters
        with tf.GradientTape() as tape:
            loss = self._mean_loss(x, y, w)
        gradients = tape.gradient(loss, params,
                                  unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return loss, tf.concat([tf.reshape(g, [-1]) for g in gradients], axis=0)

    def _train_step(self, x: tf.Tensor, y: tf.Tensor, w: tf.Tensor | None = None) -> tf.Tensor:
        """One gradient-descent step on the batch ``(x, y)`` (rows); return its mean loss."""
        self.trace_count += 1  # Python side effect: runs only when TensorFlow traces
        return self._step(x, y, w)

    def _step(self, x: tf.Tensor, y: tf.Tensor, w: tf.Tensor | None = None) -> tf.Tensor:
        """Update unless the loss is NaN or infinite (training stops there)."""
        params = self.network.parameters
        with tf.GradientTape() as tape:
            loss = self._mean_loss(x, y, w, training=True)
        gradients = tape.gradient(loss, params,  # dW1, db1, dW2, db2, ...
                                  unconnected_gradients=tf.UnconnectedGradients.ZERO)
        finite = tf.math.is_finite(loss)
        if self.jit_compile:
            self.optimizer_variables.apply(params, gradients, keep=finite)
        elif finite:  # a plain graph skips the update's operations
            self.optimizer_variables.apply(params, gradients)
        return loss

    def _graph_step(self) -> Any:
        """The step as a whole-fit loop being traced calls it: its own XLA cluster, or inline."""
        if not self.jit_compile:
            return self._step
        # One function per loop traced, a partial: its traces add to no other's count of
        # retracing (TensorFlow counts them by the Python code traced).
        return tf.function(functools.partial(self._step), jit_compile=True)

    def _fit_epochs(self, X: tf.Tensor, Y: tf.Tensor, W: tf.Tensor, orders: tf.Tensor,
                    batch_size: tf.Tensor, in_order: bool,
                    weighted: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Train one epoch per row of ``orders``, each epoch's order of the samples; with
        ``in_order``, ``orders`` has no columns and the batches are slices of ``X`` and ``Y``.
        ``weighted``: ``W`` holds the sample weights (else it is empty and unused).

        Returns the summed loss of each completed epoch, and the number (from 1) of the batch
        whose loss was not finite, where training stopped (0 if none).
        """
        self.trace_count += 1
        step = self._graph_step()
        n_epochs = tf.shape(orders)[0]
        n_samples = tf.shape(X)[0] if in_order else tf.shape(orders)[1]
        totals = tf.TensorArray(X.dtype, size=0, dynamic_size=True)
        failed_batch = tf.constant(0)
        for epoch in tf.range(n_epochs):
            total = tf.zeros([], X.dtype)
            for start in tf.range(0, n_samples, batch_size):
                w = None
                if in_order:
                    x, y = X[start:start + batch_size], Y[start:start + batch_size]
                    if weighted:
                        w = W[start:start + batch_size]
                else:
                    batch = orders[epoch, start:start + batch_size]
                    x, y = tf.gather(X, batch), tf.gather(Y, batch)
                    if weighted:
                        w = tf.gather(W, batch)
                loss = step(x, y, w)
                if not tf.math.is_finite(loss):
                    failed_batch = start // batch_size + 1
                    break
                total += loss * total_weight(x, w)
            if failed_batch > 0:
                break
            totals = totals.write(epoch, total)
        return totals.stack(), failed_batch

    def _fit_batches(self, dataset: tf.data.Dataset, batch_size: tf.Tensor,
                     weighted: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Train on each batch of ``dataset``, one epoch of a streamed set: its elements are
        chunks ``(x, y[, w])`` of whole batches of ``batch_size`` rows (but the epoch's last).

        Returns the summed loss, and the number (from 1) of the batch whose loss was not
        finite, where training stopped (0 if none).
        """
        self.trace_count += 1
        step = self._graph_step()
        dtype = self.network.parameters[0].dtype
        total, number, failed_batch = tf.zeros([], dtype), tf.constant(0), tf.constant(0)
        for chunk in iter(dataset):  # an iterator: autograph stops it at a break
            for start in tf.range(0, tf.shape(chunk[0])[0], batch_size):
                number += 1
                x, y = chunk[0][start:start + batch_size], chunk[1][start:start + batch_size]
                w = chunk[2][start:start + batch_size] if weighted else None
                loss = step(x, y, w)
                if not tf.math.is_finite(loss):
                    failed_batch = number
                    break
                total += loss * total_weight(x, w)
            if failed_batch > 0:
                break
        return total, failed_batch

    def _predict_rows(self, x: tf.Tensor) -> tf.Tensor:
        return self._forward(x)[1]

    def _forward_rows(self, X: Array) -> Array:
        return self._predict(tf.constant(X)).numpy()

    def _summed_data_loss(self, X: Array, Y: Array, W: Array | None) -> float:
        arguments = (tf.constant(X), tf.constant(Y)) + (() if W is None else (tf.constant(W),))
        return float(self._data_loss[W is not None](*arguments))

    def _penalty_value(self, weight: float) -> float:
        return float(self._penalty(tf.constant(weight, self.network.parameters[0].dtype)))

    def _objective(self, X: Array, Y: Array, W: Array | None) -> tuple[float, Array]:
        arguments = (tf.constant(X), tf.constant(Y)) + (() if W is None else (tf.constant(W),))
        loss, gradient = self._loss_and_gradient[W is not None](*arguments)
        return float(loss), gradient.numpy()

    def _set_flat_parameters(self, flat: NDArray[np.float64]) -> None:
        offset = 0
        for variable in self.network.parameters:
            size = int(np.prod(variable.shape))
            variable.assign(flat[offset:offset + size].reshape(variable.shape)
                            .astype(variable.dtype.as_numpy_dtype))
            offset += size

    def _run_epochs(
        self, plan: FitPlan, orders: Iterator[NDArray[np.intp] | None], optimizer: Optimizer,
        guard: InterruptGuard, per_epoch: bool,
    ) -> Iterator[list[float]]:
        X, Y, W, batch_size = plan.X, plan.Y, plan.W, plan.batch_size
        self._use_optimizer(optimizer)
        if any(layer.dropout for layer in self.layers):
            self.dropout_seed.assign(random_seed(plan.rng))
        try:
            if self.strategy is not None:
                chunk = 1 if per_epoch else max(1, GRAPH_CHUNK // plan.n_samples)
                for total in distributed_epochs(self, plan, orders, guard, chunk):
                    self.optimizer_variables.store(optimizer)
                    yield [total]
                    self.optimizer_variables.load_learning_rate(optimizer)
                return
            if self.loop == "python" or self.run_eagerly:
                # Called as its one concrete function, on tensors, the step skips the dispatch
                # on its arguments (about two thirds of an XOR step's time), and a NumPy batch
                # made a tensor costs less than an eager slice of a tensor.
                function = self.train_step if W is None else self._weighted_train_step
                step: Callable[..., Any] = (function if self.run_eagerly
                                            else function.get_concrete_function())
                for order in orders:
                    total = 0.0
                    for number, batch in enumerate(iter_batches(plan.n_samples, batch_size, order),
                                                   1):
                        x, y = tf.constant(X[batch]), tf.constant(Y[batch])
                        w = None if W is None else W[batch]
                        mean = step(x, y) if w is None else step(x, y, tf.constant(w))
                        batch_loss = float(mean) * batch_weight(int(x.shape[0]), w)
                        if not math.isfinite(batch_loss):
                            raise NonFiniteLoss(number)
                        total += batch_loss
                        guard.check()
                    self.optimizer_variables.store(optimizer)
                    yield [total]
                    self.optimizer_variables.load_learning_rate(optimizer)
                return
            if streams(X):
                per_chunk = batches_per_chunk(plan)
                for order in orders:
                    epoch = np.arange(plan.n_samples) if order is None else order
                    total, failed_batch = self._fit_stream[W is not None](
                        batches(plan, epoch[np.newaxis], per_chunk),
                        tf.constant(batch_size, tf.int32))
                    self.optimizer_variables.store(optimizer)
                    if failed_batch > 0:
                        raise NonFiniteLoss(int(failed_batch))
                    yield [float(total)]
                    self.optimizer_variables.load_learning_rate(optimizer)
                    guard.check()
                return
            X_tensor, Y_tensor = tf.constant(X), tf.constant(Y)
            W_tensor = tf.constant(np.empty(0, X.dtype) if W is None else W)
            chunk = 1 if per_epoch else max(1, GRAPH_CHUNK // plan.n_samples)
            while block := list(itertools.islice(orders, chunk)):
                shuffled = [order for order in block if order is not None]  # all or none
                stacked = np.stack(shuffled) if shuffled else np.empty((len(block), 0))
                totals, failed_batch = self._fit_graph[not shuffled, W is not None](
                    X_tensor, Y_tensor, W_tensor, tf.constant(stacked, tf.int32),
                    tf.constant(batch_size, tf.int32))
                self.optimizer_variables.store(optimizer)
                yield [float(total) for total in totals.numpy()]
                if failed_batch > 0:
                    raise NonFiniteLoss(int(failed_batch))
                self.optimizer_variables.load_learning_rate(optimizer)
                guard.check()
        finally:
            self.optimizer_variables.store(optimizer)
