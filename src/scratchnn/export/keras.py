"""The weights of a Keras ``Sequential`` of ``Dense`` layers, both ways, with what they train.

A ``Dense`` layer stores its kernel as (n_in, n_out) and computes ``a · kernel + bias``;
scratchnn's ``W`` is the kernel transposed.  ``from_keras`` keeps what changes the numbers a
fit gives, or refuses by name what scratchnn cannot hold:

- an ``Activation`` layer becomes the activation of the linear ``Dense`` layer before it, a
  ``Dropout`` layer the dropout of the layer before it (one before the first ``Dense`` layer,
  which would drop inputs, is refused);
- a ``BatchNormalization`` layer right after a linear ``Dense`` layer becomes that layer's
  batch normalisation (``Dense``, ``BatchNormalization``, ``Activation``, in that order), with
  its ``gamma``, ``beta``, moving statistics, ``momentum`` and ``epsilon``; a ``Dense`` layer
  before it may have ``use_bias=False`` (its bias, zero, gets a zero gradient there, so it
  stays zero).  One elsewhere, or with ``center=False``, ``scale=False``, ``renorm``, another
  axis, a regularizer or a constraint, is refused;
- a ``kernel_regularizer`` ``L2(l)`` (or ``L1L2`` with ``l1 = 0``) becomes scratchnn's
  ``L2(l)``, the same ``l · Σ W²`` added to the mean loss; an ``L1`` penalty, a bias or activity
  regularizer, a constraint and ``use_bias=False`` without batch normalisation after it
  (scratchnn's layers always train their biases) are refused;
- the loss is ``loss=``, else the compiled one, else the one the output suggests; a compiled
  loss scratchnn does not have (``"mae"``, ``"huber"``, ...) is refused, never replaced.  A
  linear output compiled with ``from_logits=True`` becomes the activation the loss applies:
  softmax for (sparse) categorical cross-entropy, sigmoid for binary cross-entropy, so that the
  model's ``predict_proba`` is Keras's ``softmax(model(x))`` and it trains on the same loss.

``to_keras`` writes the layers, their ``L2`` penalties as ``kernel_regularizer``, their
batch normalisation as ``Dense`` (linear), ``BatchNormalization`` and ``Activation`` layers and
their dropout as ``Dropout`` layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..activations import get_activation
from ..initializers import default_initializer
from ..losses import get_loss
from ..regularizers import L2
from ..spec import LayerSpec, NetworkSpec
from .layers import dense_layers

if TYPE_CHECKING:
    from ..base import BaseModel
    from ..losses import Loss

__all__ = ["from_keras", "to_keras"]

ACTIVATIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "linear": "linear",
               "softmax": "softmax", "exponential": "exp", "leaky_relu": "leaky_relu",
               "elu": "elu", "gelu": "gelu", "silu": "silu", "softplus": "softplus"}
#: The loss a network's output suggests when the Keras model has none compiled.
DEFAULT_LOSS = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy",
                "linear": "squared_error", "exp": "poisson"}
#: Keras's losses by the names of its strings and functions, as scratchnn's.  Keras's ``mse``
#: is the mean over the outputs of (ŷ - y)², twice scratchnn's ``squared_error``.
KERAS_LOSSES = {"binary_crossentropy": "binary_crossentropy",
                "categorical_crossentropy": "categorical_crossentropy",
                "sparse_categorical_crossentropy": "categorical_crossentropy",
                "mse": "squared_error", "mean_squared_error": "squared_error",
                "poisson": "poisson"}
#: The output activation a loss computed ``from_logits`` applies, by scratchnn's loss.
LOGITS_OUTPUTS = {"binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax"}
#: BatchNormalization settings scratchnn has no equivalent for.
UNSUPPORTED_NORMALIZATION = ("beta_regularizer", "gamma_regularizer", "beta_constraint",
                             "gamma_constraint")
#: Dense settings scratchnn has no equivalent for.
UNSUPPORTED_SETTINGS = ("bias_regularizer", "activity_regularizer", "kernel_constraint",
                        "bias_constraint")


def _activation_name(keras: Any, function: Any, where: str) -> str:
    """scratchnn's name of the Keras activation ``function``, else a ValueError."""
    name = keras.activations.serialize(function)
    name = name if isinstance(name, str) else name.get("config", {}).get("name", name)
    if name not in ACTIVATIONS:
        raise ValueError(f"{where} has the activation {name!r}; scratchnn has "
                         f"{sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def _penalty(keras: Any, regularizer: Any, where: str) -> L2 | None:
    """scratchnn's ``L2`` for a Keras ``L2`` or ``L1L2`` without ``l1``, else a ValueError."""
    if regularizer is None:
        return None
    if not isinstance(regularizer, keras.regularizers.L2 | keras.regularizers.L1L2):
        raise ValueError(f"{where} has the kernel_regularizer {type(regularizer).__name__}; "
                         f"scratchnn has only L2 penalties")
    config = regularizer.get_config()
    if config.get("l1", 0.0):
        raise ValueError(f"{where} has an L1 penalty (l1={config['l1']}); scratchnn has only "
                         f"L2 penalties")
    return L2(float(config["l2"])) if config["l2"] else None


def _dense(keras: Any, keras_layer: Any) -> LayerSpec:
    """The Dense layer as scratchnn's (a bias of zeros for ``use_bias=False``)."""
    where = f"the layer {keras_layer.name!r}"
    for setting in UNSUPPORTED_SETTINGS:
        if getattr(keras_layer, setting, None) is not None:
            raise ValueError(f"{where} has a {setting}; scratchnn has none")
    activation = get_activation(_activation_name(keras, keras_layer.activation, where))
    kernel = np.asarray(keras_layer.kernel)
    biases = (np.asarray(keras_layer.bias).reshape(-1, 1) if keras_layer.use_bias
              else np.zeros((kernel.shape[1], 1)))
    return LayerSpec(activation, default_initializer(activation), kernel.T.copy(),
                     biases.astype(kernel.dtype),
                     _penalty(keras, keras_layer.kernel_regularizer, where))


def _batch_norm(keras_layer: Any, layers: list[LayerSpec]) -> None:
    """Make the Keras ``BatchNormalization`` layer the batch normalisation of the last of
    ``layers``, or raise a ValueError naming what scratchnn cannot hold."""
    where = f"the layer {keras_layer.name!r}"
    if (not layers or layers[-1].activation.name != "linear" or layers[-1].dropout
            or layers[-1].batch_norm):
        raise ValueError(f"{where} is a BatchNormalization that does not follow a linear Dense "
                         f"layer directly; scratchnn normalises a layer's z = W·a + b, before "
                         f"its activation (Dense, BatchNormalization, Activation)")
    refused = [setting for setting in UNSUPPORTED_NORMALIZATION
               if getattr(keras_layer, setting, None) is not None]
    refused += [f"{name}=False" for name in ("center", "scale")
                if not getattr(keras_layer, name)]
    refused += ["renorm=True"] if keras_layer.renorm else []
    refused += [] if keras_layer.axis in (-1, 1) else [f"axis={keras_layer.axis}"]
    if refused:
        raise ValueError(f"{where} has {', '.join(refused)}; scratchnn's batch normalisation "
                         f"(Keras's defaults otherwise) has no equivalent")
    layer = layers[-1]
    layer.batch_norm = True
    layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance = (
        np.asarray(variable).reshape(-1, 1).astype(layer.weights.dtype)
        for variable in (keras_layer.gamma, keras_layer.beta, keras_layer.moving_mean,
                         keras_layer.moving_variance))
    layer.momentum, layer.epsilon = float(keras_layer.momentum), float(keras_layer.epsilon)


def _set_activation(layer: LayerSpec, name: str) -> None:
    layer.activation = get_activation(name)
    layer.init = default_initializer(layer.activation)


def _layers(keras: Any, model: Any) -> list[LayerSpec]:
    """The Sequential's layers as scratchnn's: Dense layers, with the BatchNormalization,
    Activation and Dropout layers that follow each merged into it."""
    layers: list[LayerSpec] = []
    unbiased: dict[int, str] = {}  # Dense layers with use_bias=False, by index
    for keras_layer in model.layers:
        where = f"the layer {keras_layer.name!r}"
        if isinstance(keras_layer, keras.layers.Dense):
            if not keras_layer.use_bias:
                unbiased[len(layers)] = where
            layers.append(_dense(keras, keras_layer))
        elif isinstance(keras_layer, keras.layers.BatchNormalization):
            _batch_norm(keras_layer, layers)
        elif isinstance(keras_layer, keras.layers.Dropout):
            if not layers:
                raise ValueError(f"{where} is a Dropout before the first Dense layer; "
                                 f"scratchnn's dropout drops a layer's outputs, not the inputs")
            if layers[-1].dropout:
                raise ValueError(f"{where} is a second Dropout after one Dense layer; "
                                 f"scratchnn's layers have one dropout rate")
            layers[-1].dropout = float(keras_layer.rate)
        elif isinstance(keras_layer, keras.layers.Activation):
            if not layers or layers[-1].activation.name != "linear" or layers[-1].dropout:
                raise ValueError(f"{where} is an Activation that does not follow a linear "
                                 f"Dense layer directly; scratchnn applies one activation per "
                                 f"layer, before its dropout")
            _set_activation(layers[-1], _activation_name(keras, keras_layer.activation, where))
        else:
            raise ValueError(f"from_keras reads Dense, BatchNormalization, Dropout and "
                             f"Activation layers; {keras_layer.name!r} is a "
                             f"{type(keras_layer).__name__}")
    if not layers:
        raise ValueError("from_keras found no Dense layer in the model")
    for index, where in unbiased.items():
        if not layers[index].batch_norm:
            raise ValueError(f"{where} has use_bias=False; scratchnn's layers always have and "
                             f"train biases, so a fit would not keep it (only batch "
                             f"normalisation after it, which leaves the bias at zero)")
    return layers


def _compiled_loss(keras: Any, model: Any) -> tuple[str | None, bool]:
    """The name of the model's compiled loss (None: not compiled) and its ``from_logits``."""
    compiled = getattr(model, "loss", None)
    if compiled is None or isinstance(compiled, str):
        return compiled, False
    if isinstance(compiled, keras.losses.Loss):
        config = compiled.get_config()
        if config.get("label_smoothing"):
            raise ValueError(f"the model's loss has label_smoothing="
                             f"{config['label_smoothing']}; scratchnn has none")
        function = getattr(compiled, "fn", None)
        return (getattr(function, "__name__", None) or type(compiled).__name__,
                bool(config.get("from_logits", False)))
    if callable(compiled):
        return getattr(compiled, "__name__", repr(compiled)), False
    raise ValueError(f"from_keras reads a model compiled with one loss, got {compiled!r}")


def _loss(keras: Any, model: Any, output: LayerSpec) -> str:
    """The scratchnn loss of the compiled model (its linear output made the activation the
    loss applies to logits), or the one ``output`` suggests."""
    name, from_logits = _compiled_loss(keras, model)
    if name is None:
        return DEFAULT_LOSS.get(output.activation.name, "squared_error")
    if name not in KERAS_LOSSES:
        raise ValueError(f"the model is compiled with the loss {name!r}, which scratchnn does "
                         f"not have (it reads {sorted(KERAS_LOSSES)}); choose one with loss=")
    loss = KERAS_LOSSES[name]
    if from_logits:
        if loss not in LOGITS_OUTPUTS or output.activation.name != "linear":
            raise ValueError(f"the model's loss {name!r} takes logits from an output layer "
                             f"with the activation {output.activation.name!r}; scratchnn "
                             f"reads logits from a linear output for {sorted(LOGITS_OUTPUTS)}")
        _set_activation(output, LOGITS_OUTPUTS[loss])
    return loss


def from_keras(model: Any, loss: str | Loss | None = None) -> BaseModel:
    """A Perceptron with the layers, activations, penalties, dropout and weights of a Keras
    ``Sequential`` of ``Dense``, ``Activation`` and ``Dropout`` layers; the loss is ``loss``,
    else the model's compiled loss (a linear output trained ``from_logits`` made the softmax
    or sigmoid the loss applies), else the one its output activation suggests (see the
    module's description)."""
    import keras

    if not isinstance(model, keras.Sequential):
        raise TypeError(f"from_keras takes a keras.Sequential of Dense layers, got "
                        f"{type(model).__name__}")
    layers = _layers(keras, model)
    chosen = loss if loss is not None else _loss(keras, model, layers[-1])
    return NetworkSpec(layers, get_loss(chosen)).build("numpy")


def _regularizer(keras: Any, layer: LayerSpec, index: int) -> Any:
    penalty = layer.kernel_regularizer
    if penalty is None:
        return None
    if penalty.per_sample:
        raise ValueError(f"layers[{index}] has the penalty {penalty!r}, divided by the batch "
                         f"size (scikit-learn's alpha); Keras's regularizers have no "
                         f"equivalent")
    return keras.regularizers.L2(penalty.l2)


def to_keras(spec: NetworkSpec) -> Any:
    """A Keras ``Sequential`` of ``Dense`` layers (a batch-normalised layer as a linear
    ``Dense``, a ``BatchNormalization`` with its momentum and epsilon and an ``Activation``;
    ``Dropout`` layers after those with dropout) with the weights, activations and ``L2``
    penalties (as ``kernel_regularizer``) of the network ``spec`` describes, in its dtype (not
    compiled: choose the loss and optimizer with ``compile``)."""
    import keras

    names = {value: key for key, value in ACTIVATIONS.items()}
    layers = dense_layers(spec, names, "Keras", batch_norm=False)
    dtype = str(np.dtype(spec.dtype))
    keras_layers: list[Any] = [keras.Input((spec.n_features,), dtype=dtype)]
    weighted: list[tuple[Any, list[Any]]] = []  # each Keras layer with its weights
    for index, ((weights, biases, name), layer) in enumerate(zip(layers, spec.layers,
                                                                 strict=True)):
        dense = keras.layers.Dense(len(biases), activation=None if layer.batch_norm else name,
                                   dtype=dtype,
                                   kernel_regularizer=_regularizer(keras, layer, index))
        keras_layers.append(dense)
        weighted.append((dense, [weights.T, biases]))
        normalization = layer.normalization()
        if normalization is not None:
            keras_layers.append(keras.layers.BatchNormalization(
                momentum=layer.momentum, epsilon=layer.epsilon, dtype=dtype))
            weighted.append((keras_layers[-1], [array.reshape(-1) for array in normalization]))
            keras_layers.append(keras.layers.Activation(name, dtype=dtype))
        if layer.dropout:
            keras_layers.append(keras.layers.Dropout(layer.dropout, dtype=dtype))
    sequential = keras.Sequential(keras_layers)
    for keras_layer, values in weighted:
        keras_layer.set_weights(values)
    return sequential
