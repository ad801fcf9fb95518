"""The NumPy engine: a multilayer perceptron of ``Layer``s, trained by backpropagation.

Its layers (``scratchnn.layers``) hold the parameters as NumPy arrays, samples as columns,
and compute the course's formulas; this module chains them (``forward``, ``_backward``), and
gives the trainer the hooks of ``scratchnn.engine.Engine``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .activations import Activation
from .base import Array, BaseModel
from .dropout_masks import DropoutKey
from .errors import NonFiniteLoss
from .initializers import RandomState, check_random_state, random_seed
from .interrupt import InterruptGuard
from .layers import Layer
from .losses import Loss, batch_weight
from .optimizers import Optimizer
from .regularizers import L2
from .trainer import Batch, FitPlan, iter_batches
from .validation import check_X

__all__ = ["Perceptron"]


class Perceptron(BaseModel):
    """A multilayer perceptron: layers run in order, trained by backpropagation.

    Parameters
    ----------
    layers : list of Layer
        The layers, input to output; each layer's ``n_inputs`` must equal the previous
        layer's ``n_neurons``.
    loss : str or Loss, default "binary_crossentropy"
        ``"binary_crossentropy"``, ``"categorical_crossentropy"`` or ``"mean_squared_error"``.

    Examples
    --------
    >>> from scratchnn import Layer, Perceptron
    >>> from scratchnn.utils import X_train, y_train, sigmoid
    >>> model = Perceptron([Layer(2, 2, sigmoid, random_state=0), Layer(2, 1, sigmoid)])
    >>> model.fit(X_train, y_train, epochs=2, learning_rate=0.01)  # doctest: +SKIP
    Loss at epoch 1: 0.71...
    """

    engine = "numpy"

    def __init__(self, layers: list[Layer], loss: str | Loss = "binary_crossentropy") -> None:
        super().__init__(layers, loss)
        self._fused_output = self.loss.is_fused_with(self.layers[-1].activation)

    @property
    def dtype(self) -> np.dtype[np.floating]:
        return self.layers[0].weights.dtype

    @classmethod
    def from_sizes(
        cls,
        sizes: Sequence[int],
        activation: str | Activation,
        output_activation: str | Activation,
        loss: str | Loss,
        init: str | None = None,
        random_state: RandomState = None,
        dtype: DTypeLike = np.float64,
        kernel_regularizer: L2 | float | None = None,
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> Perceptron:
        """A network of layer sizes ``sizes`` (inputs first, outputs last).

        The hidden layers use ``activation``, the last one ``output_activation``; every
        layer's weights come from ``init`` (default: by activation), drawn in order from one
        generator seeded by ``random_state``.  Every layer's weights get the penalty
        ``kernel_regularizer``; every hidden layer the ``dropout`` and, with ``batch_norm``,
        batch normalisation.
        """
        rng = check_random_state(random_state)
        last = len(sizes) - 2
        layers = [Layer(n_in, n_out, activation if index < last else output_activation,
                        init=init, random_state=rng, dtype=dtype,
                        kernel_regularizer=kernel_regularizer,
                        dropout=dropout if index < last else 0.0,
                        batch_norm=batch_norm and index < last)
                  for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes))]
        return cls(layers, loss)

    @classmethod
    def from_sklearn(cls, estimator: Any) -> Perceptron:
        """The network of a fitted scikit-learn ``MLPClassifier`` or ``MLPRegressor``: its
        layers, activations, loss and weights (see ``scratchnn.export.sklearn``)."""
        from .export.sklearn import from_sklearn

        return cast(Perceptron, from_sklearn(estimator))

    @classmethod
    def from_keras(cls, model: Any, loss: str | Loss | None = None) -> Perceptron:
        """The network of a Keras ``Sequential`` of ``Dense``, ``BatchNormalization``,
        ``Activation`` and ``Dropout`` layers (see ``scratchnn.export.keras``); ``loss`` by
        default from the compiled model or the output activation."""
        from .export.keras import from_keras

        return cast(Perceptron, from_keras(model, loss))

    def get_weights(self) -> list[Array]:
        return [array.copy() for array in self._weights_and_biases()]

    def set_weights(self, weights: list[Array]) -> None:
        arrays = self._check_weights(weights)
        if hasattr(self, "_flat_parameters") and arrays[0].dtype == self.dtype:
            # Into the arrays the layers (and a running fit) hold, so training goes on
            # from these values.
            for parameter, value in zip(self._weights_and_biases(), arrays, strict=True):
                np.copyto(parameter, value)
            return
        for index, layer in enumerate(self.layers):
            layer.weights = arrays[2 * index].copy()
            layer.biases = arrays[2 * index + 1].copy()
            layer.d_weights = np.zeros_like(layer.weights)
            layer.d_biases = np.zeros_like(layer.biases)
            if layer.batch_norm:  # batch normalisation's arrays follow the new dtype
                for name, gradient in (("gamma", "d_gamma"), ("beta", "d_beta"),
                                       ("moving_mean", None), ("moving_variance", None)):
                    setattr(layer, name, getattr(layer, name).astype(arrays[0].dtype))
                    if gradient is not None:
                        setattr(layer, gradient, np.zeros_like(getattr(layer, name)))
        if hasattr(self, "_flat_parameters"):
            self._flatten()

    def _weights_and_biases(self) -> list[Array]:
        """``[W1, b1, W2, b2, ...]`` as the layers hold them (not copies)."""
        return [array for layer in self.layers for array in (layer.weights, layer.biases)]

    def _set_batch_norm(self, normalizations: Sequence[tuple[Array, ...] | None]) -> None:
        for layer, arrays in zip(self.layers, normalizations, strict=True):
            if layer.batch_norm and arrays is not None:
                for name, array in zip(("gamma", "beta", "moving_mean", "moving_variance"),
                                       arrays, strict=True):
                    np.copyto(getattr(layer, name), array)

    def parameters(self) -> list[Array]:
        """The trainable arrays of every layer, ``[W1, b1, W2, b2, ...]`` (with batch
        normalisation's ``gamma, beta`` after a layer's ``W, b``; not copies)."""
        return [param for layer in self.layers for param in layer.parameters()]

    def _prepare(self, dtype: np.dtype[Any]) -> None:
        super()._prepare(dtype)
        self._flatten()

    def _set_flat_parameters(self, flat: NDArray[np.float64]) -> None:
        self._flat_parameters[...] = flat

    def _flatten(self) -> None:
        """Gather every parameter, and every gradient, into one contiguous array each.

        The layers' ``weights``, ``biases``, ``d_weights`` and ``d_biases`` become views into
        them, so an optimizer updates the whole network in one vectorised step.
        """
        params = self.parameters()
        flat_params = np.concatenate([p.ravel() for p in params])
        flat_grads = np.zeros_like(flat_params)
        offset = 0
        for layer in self.layers:
            for name, grad_name in layer.parameter_names():
                shape = getattr(layer, name).shape
                size = int(np.prod(shape))
                setattr(layer, name, flat_params[offset:offset + size].reshape(shape))
                setattr(layer, grad_name, flat_grads[offset:offset + size].reshape(shape))
                offset += size
        self._flat_parameters, self._flat_gradients = flat_params, flat_grads

    def _snapshot(self) -> Array:
        """The parameters, and batch normalisation's moving statistics after them."""
        return np.concatenate([self._flat_parameters]
                              + [array.ravel() for array in self._statistics()])

    def _restore(self, snapshot: Array) -> None:
        offset = self._flat_parameters.size
        np.copyto(self._flat_parameters, snapshot[:offset])
        for array in self._statistics():
            array[...] = snapshot[offset:offset + array.size].reshape(array.shape)
            offset += array.size

    def _statistics(self) -> list[Array]:
        """Every layer's moving statistics (batch normalisation's), in order."""
        return [array for layer in self.layers for array in layer.statistics()]

    def _is_finite(self, snapshot: Array) -> bool:
        return bool(np.isfinite(snapshot).all())

    def gradients(self) -> list[Array]:
        """The gradients of the last backward pass, ``[dW1, db1, dW2, db2, ...]`` (as
        ``parameters``)."""
        return [grad for layer in self.layers for grad in layer.gradients()]

    def forward(self, X: object) -> Array:
        """Run the layers in order on ``X`` (n_samples, n_features); return (n_samples, n_outputs).

        Each layer keeps what its ``backward`` needs.
        """
        rows = check_X(X, self.n_features)
        return self._forward(rows.astype(self.dtype, copy=False).T).T

    def _forward(self, activations: Array, dropout: DropoutKey | None = None, *,
                 training: bool = False) -> Array:
        """Forward pass in the layer layout: (n_features, n_samples) to (n_outputs, n_samples).

        ``dropout``: training, so the layers with dropout draw their masks from this key.
        ``training``: batch normalisation uses (and updates) the batch's statistics.
        """
        if self.standardization is not None:
            activations = self.standardization.columns(activations)
        for index, layer in enumerate(self.layers):
            activations = layer.forward(activations,
                                        None if dropout is None else dropout.at_layer(index),
                                        training=training)
        return activations

    def _backward(self, Y: Array, Y_hat: Array, sample_weight: Array | None = None,
                  batch_weight: float | None = None) -> None:
        """Backpropagate the mean loss of ``(Y, Y_hat)``, both (n_outputs, n_samples),
        weighted by ``sample_weight`` (n_samples,), whose sum is ``batch_weight``.

        Fills every layer's ``d_weights`` and ``d_biases``; updates nothing.
        """
        output_layer = self.layers[-1]
        first = len(self.layers) == 1
        if self._fused_output:
            dz = self.loss.fused_output_gradient(Y, Y_hat, sample_weight)
            da = output_layer.backward_from_dz(dz, input_gradient=not first,
                                               batch_weight=batch_weight)
        else:
            da = output_layer.backward(self.loss.derivative(Y, Y_hat, sample_weight),
                                       overwrite_da=True, input_gradient=not first,
                                       batch_weight=batch_weight)
        for index in range(len(self.layers) - 2, -1, -1):
            assert da is not None
            da = self.layers[index].backward(da, overwrite_da=True, input_gradient=index > 0,
                                             batch_weight=batch_weight)

    def _batch_losses(self, Y: Array, Y_hat: Array) -> Array:
        """Per-sample losses of the last forward pass, shape (n_samples,)."""
        if self._fused_output:
            return self.loss.per_sample_from_logits(Y, self.layers[-1].z)
        return self.loss.per_sample(Y, Y_hat)

    def _summed_loss(self, Y: Array, Y_hat: Array, sample_weight: Array | None,
                     batch_weight: float) -> float:
        """``Σ w_i l_i`` over the batch of the last forward pass, plus its weight penalty
        times ``batch_weight`` (so that divided by ``batch_weight`` it is the batch's mean
        loss, penalty included)."""
        return (self._loss_sum(Y, Y_hat, sample_weight)
                + self._penalty_value(batch_weight) * batch_weight)

    def _loss_sum(self, Y: Array, Y_hat: Array, sample_weight: Array | None) -> float:
        """``Σ w_i l_i`` over the batch of the last forward pass (no penalty)."""
        losses = self._batch_losses(Y, Y_hat)
        return float(np.add.reduce(losses) if sample_weight is None
                     else np.dot(sample_weight, losses))

    def _penalty_value(self, weight: float) -> float:
        return sum((layer.penalty(weight) for layer in self.layers
                    if layer.kernel_regularizer is not None), 0.0)

    def _summed_data_loss(self, X: Array, Y: Array, W: Array | None) -> float:
        return self._loss_sum(Y.T, self._forward(X.T), W)

    def _objective(self, X: Array, Y: Array, W: Array | None) -> tuple[float, Array]:
        weight = batch_weight(X.shape[0], W)
        Y_hat = self._forward(X.T)
        loss = self._summed_loss(Y.T, Y_hat, W, weight) / weight
        self._backward(Y.T, Y_hat, W, weight)
        return loss, self._flat_gradients

    def _forward_rows(self, X: Array) -> Array:
        return self._forward(X.T).T

    def _run_epochs(
        self, plan: FitPlan, orders: Iterator[NDArray[np.intp] | None], optimizer: Optimizer,
        guard: InterruptGuard, per_epoch: bool,
    ) -> Iterator[list[float]]:
        params, grads = [self._flat_parameters], [self._flat_gradients]
        # One seed per fit, drawn as the TensorFlow engine draws it: the same masks.
        seed = random_seed(plan.rng) if any(layer.dropout for layer in self.layers) else None
        for order in orders:
            yield [self._train_epoch(plan, iter_batches(plan.n_samples, plan.batch_size, order),
                                     optimizer, guard, params, grads, seed)]

    def _train_epoch(
        self, plan: FitPlan, batches: Iterator[Batch], optimizer: Optimizer,
        guard: InterruptGuard, params: list[Array], grads: list[Array],
        dropout_seed: int | None,
    ) -> float:
        """Train on each batch in turn; return the sum of the per-sample losses (weighted,
        with each batch's penalty times its weight).  ``dropout_seed``: the fit's seed of the
        dropout masks (None: no layer has dropout)."""
        X, Y, W = plan.X, plan.Y, plan.W
        total = 0.0
        # Overflow is not warned about but caught: a non-finite loss stops training.
        with np.errstate(over="ignore", invalid="ignore"):
            for number, batch in enumerate(batches, start=1):
                Y_batch = Y[batch].T
                key = None if dropout_seed is None else DropoutKey(dropout_seed,
                                                                   optimizer.iterations)
                Y_hat = self._forward(X[batch].T, key, training=True)
                weights = None if W is None else W[batch]
                weight = batch_weight(Y_batch.shape[1], weights)
                batch_loss = self._summed_loss(Y_batch, Y_hat, weights, weight)
                if not math.isfinite(batch_loss):
                    raise NonFiniteLoss(number)
                total += batch_loss
                self._backward(Y_batch, Y_hat, weights, weight)
                optimizer.step(params, grads)
                guard.check()
        return total
