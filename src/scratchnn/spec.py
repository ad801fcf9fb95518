"""The description of a network: the one thing every road in and out reads or writes.

A ``NetworkSpec`` holds, per layer, its sizes, activation, initialiser, penalty, dropout and
parameters; the loss; the standardisation of the inputs; the class labels; the names of the
features and of the target; the history; and the optimizer with its state.  ``model.get_spec()``
takes one from a model of either engine (copies: the model and the description share nothing),
``spec.build(engine)`` makes a model of it, and saving, loading, pickling, every export and
import and each engine's copy of the other go through it, as Keras's ``get_config`` and
``from_config`` do.  The engines are found by name (``ENGINES``), so this module imports
neither: loading a file never imports a model class it does not need.
"""

from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .activations import Activation, Linear
from .history import History
from .layers import EPSILON, MOMENTUM, Layer
from .losses import Loss
from .optimizers import Optimizer
from .outputs import OutputKind
from .preprocessing import Standardization
from .regularizers import L2
from .solvers import LBFGS

if TYPE_CHECKING:
    from .base import BaseModel

__all__ = ["ENGINES", "LayerSpec", "NetworkSpec", "copy_optimizer", "optimizer_state",
           "set_optimizer_state"]

Array = NDArray[np.floating]

#: Where each engine's model class lives, by engine name.
ENGINES = {"numpy": ("scratchnn.numpy_engine", "Perceptron"),
           "tensorflow": ("scratchnn.tf_engine", "TFPerceptron")}


def optimizer_state(optimizer: Optimizer | LBFGS) -> dict[str, Any]:
    """A copy of ``optimizer``'s state, its schedule's included."""
    state = optimizer.state()
    if optimizer.schedule is not None:
        state["schedule"] = dict(optimizer.schedule.state())
    return {k: [a.copy() for a in v] if isinstance(v, list) else v for k, v in state.items()}


def set_optimizer_state(optimizer: Optimizer | LBFGS, state: dict[str, Any]) -> None:
    """Put back a state that ``optimizer_state`` took."""
    optimizer.set_state(state)
    if optimizer.schedule is not None:
        optimizer.schedule.set_state(state["schedule"])


def copy_optimizer(optimizer: Optimizer | LBFGS | None) -> Optimizer | LBFGS | None:
    """An independent optimizer with the settings and the state of ``optimizer`` (its
    schedule's state included), and no scratch arrays."""
    if optimizer is None:
        return None
    twin = optimizer.fresh()
    set_optimizer_state(twin, optimizer_state(optimizer))
    return twin


@dataclass
class LayerSpec:
    """One dense layer: ``a = f(W · a_prev + b)``, ``W`` (n_neurons, n_inputs), ``b``
    (n_neurons, 1); with ``batch_norm``, ``z = W · a_prev + b`` is normalised first (see
    ``scratchnn.layers``), with ``gamma``, ``beta``, ``moving_mean`` and ``moving_variance``
    (n_neurons, 1) each (None without)."""

    activation: Activation
    init: str
    weights: Array
    biases: Array
    kernel_regularizer: L2 | None = None
    dropout: float = 0.0
    batch_norm: bool = False
    gamma: Array | None = None
    beta: Array | None = None
    moving_mean: Array | None = None
    moving_variance: Array | None = None
    momentum: float = MOMENTUM
    epsilon: float = EPSILON

    @property
    def n_inputs(self) -> int:
        return int(self.weights.shape[1])

    @property
    def n_neurons(self) -> int:
        return int(self.weights.shape[0])

    def normalization(self) -> tuple[Array, Array, Array, Array] | None:
        """``(gamma, beta, moving_mean, moving_variance)``, or None without batch
        normalisation."""
        if not self.batch_norm:
            return None
        arrays = (self.gamma, self.beta, self.moving_mean, self.moving_variance)
        if any(array is None for array in arrays):
            raise ValueError("a batch-normalised layer needs gamma, beta, moving_mean and "
                             "moving_variance")
        return arrays  # type: ignore[return-value]  # none is None, checked above

    @classmethod
    def of(cls, layer: Any) -> LayerSpec:
        """The description of ``layer`` (a ``Layer``, or an engine's layer with the same
        attributes), with copies of its parameters."""
        normalization = ({name: np.array(getattr(layer, name)) for name in
                          ("gamma", "beta", "moving_mean", "moving_variance")}
                         if layer.batch_norm else {})
        return cls(layer.activation, layer.init, np.array(layer.weights),
                   np.array(layer.biases), copy.deepcopy(layer.kernel_regularizer),
                   layer.dropout, layer.batch_norm, momentum=layer.momentum,
                   epsilon=layer.epsilon, **normalization)

    def layer(self) -> Layer:
        """A new ``Layer`` with these settings and these parameters (not copies)."""
        return Layer.from_parameters(self.weights, self.biases, self.activation, self.init,
                                     self.kernel_regularizer, self.dropout,
                                     self.normalization(), self.momentum, self.epsilon)

    def folded(self) -> tuple[Array, Array]:
        """``(W, b)`` of the same layer at inference, batch normalisation (with its moving
        statistics) folded into the product: ``γ ⊙ (W·a + b - mean) / √(var + ε) + β`` is
        ``W'·a + b'`` with ``W' = s ⊙ W``, ``b' = s ⊙ (b - mean) + β``, ``s = γ / √(var + ε)``.
        Without batch normalisation, ``(W, b)`` themselves."""
        normalization = self.normalization()
        if normalization is None:
            return self.weights, self.biases
        gamma, beta, mean, variance = normalization
        scale = gamma / np.sqrt(variance + self.epsilon)
        return scale * self.weights, scale * (self.biases - mean) + beta


@dataclass
class NetworkSpec:
    """A whole network and what it knows besides its layers (see the module's description)."""

    layers: list[LayerSpec]
    loss: Loss
    #: Standardised inputs, applied before the first layer (None: the inputs as they are).
    standardization: Standardization | None = None
    #: The label of each class, for the command line's output (None: 0, 1, ...).
    class_labels: list[Any] | None = None
    #: The names of the input columns, as scikit-learn's ``feature_names_in_``.
    feature_names: list[str] | None = None
    #: The name of the target column.
    target_name: str | None = None
    history: History = field(default_factory=History)
    optimizer: Optimizer | LBFGS | None = None
    #: The standardisation of a regression's targets (None: learnt as they are).
    target_standardization: Standardization | None = None

    @property
    def dtype(self) -> np.dtype[np.floating]:
        return self.layers[0].weights.dtype

    @property
    def n_features(self) -> int:
        return self.layers[0].n_inputs

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_neurons

    @property
    def output_kind(self) -> OutputKind:
        return OutputKind.of(self.layers[-1].activation, self.n_outputs)

    def weights(self) -> list[Array]:
        """The parameters ``[W1, b1, W2, b2, ...]`` (not copies)."""
        return [array for layer in self.layers for array in (layer.weights, layer.biases)]

    def copy(self) -> NetworkSpec:
        """An independent copy: nothing mutable is shared."""
        return replace(
            self, layers=[LayerSpec.of(layer) for layer in self.layers],
            loss=copy.deepcopy(self.loss), standardization=copy.deepcopy(self.standardization),
            class_labels=copy.copy(self.class_labels),
            feature_names=copy.copy(self.feature_names), history=self.history.copy(),
            optimizer=copy_optimizer(self.optimizer),
            target_standardization=copy.deepcopy(self.target_standardization))

    def folded_layers(self, batch_norm: bool = True) -> list[tuple[Array, Array, Activation]]:
        """``(W, b, activation)`` per layer, ``W`` (n_neurons, n_inputs) and ``b``
        (n_neurons,), as prediction computes them: batch normalisation folded into its layer's
        product (``LayerSpec.folded``; with ``batch_norm=False`` it is not, for an export
        that writes it as a step of its own); the standardisation folded into the first layer:
        ``W·(x - m)/s + b`` is ``(W/s)·x + (b - (W/s)·m)``, the same outputs with no step of its
        own; and a regression's target scale into the last (a linear output):
        ``(W·a + b)·s + m`` is ``(s·W)·a + (s·b + m)``.  What every export writes."""
        weights = [array for layer in self.layers for array in
                   (layer.folded() if batch_norm else (layer.weights, layer.biases))]
        if (not batch_norm and self.target_standardization is not None
                and self.layers[-1].batch_norm):
            raise ValueError("a standardised target is folded into the output layer's "
                             "product, which batch normalisation would undo: this network "
                             "can only be exported with its normalisation folded in")
        if self.standardization is not None:
            scale = self.standardization.scale.astype(self.dtype)
            mean = self.standardization.mean.astype(self.dtype)
            weights[0] = weights[0] / scale
            weights[1] = weights[1] - weights[0] @ mean.reshape(-1, 1)
        if self.target_standardization is not None:
            if not isinstance(self.layers[-1].activation, Linear):
                raise ValueError(f"a standardised target is folded into a linear output layer; "
                                 f"this one is {self.layers[-1].activation.name}")
            scale = self.target_standardization.scale.astype(self.dtype).reshape(-1, 1)
            mean = self.target_standardization.mean.astype(self.dtype).reshape(-1, 1)
            weights[-2] = weights[-2] * scale
            weights[-1] = weights[-1] * scale + mean
        return [(weights[2 * index], weights[2 * index + 1].reshape(-1), layer.activation)
                for index, layer in enumerate(self.layers)]

    def build(self, engine: str = "numpy", *, adopt: bool = False,
              **settings: Any) -> BaseModel:
        """A model of this network on ``engine`` (``"numpy"`` or ``"tensorflow"``), with a copy
        of everything here (``adopt``: with these arrays and objects themselves, this
        description being given up); ``settings`` go to the engine's constructor."""
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
        module, name = ENGINES[engine]
        model_class = getattr(importlib.import_module(module), name)
        model: BaseModel = model_class.from_spec(self, adopt=adopt, **settings)
        return model
