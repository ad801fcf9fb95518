"""The weights of a Keras ``Sequential`` of ``Dense`` layers, both ways.

A ``Dense`` layer stores its kernel as (n_in, n_out) and computes ``a · kernel + bias``;
scratchnn's ``W`` is the kernel transposed.  ``Dropout`` layers become the dropout of the
layer before them; ``InputLayer`` is taken as the input's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..activations import get_activation
from ..initializers import default_initializer
from ..losses import get_loss
from ..spec import LayerSpec, NetworkSpec
from .layers import dense_layers

if TYPE_CHECKING:
    from ..base import BaseModel
    from ..losses import Loss

__all__ = ["from_keras", "to_keras"]

ACTIVATIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "linear": "linear",
               "softmax": "softmax", "exponential": "exp"}
#: The loss a network's output suggests when the Keras model has none compiled.
DEFAULT_LOSS = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy",
                "linear": "squared_error", "exp": "poisson"}
KERAS_LOSSES = {"binary_crossentropy": "binary_crossentropy",
                "categorical_crossentropy": "categorical_crossentropy",
                "sparse_categorical_crossentropy": "categorical_crossentropy",
                "mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
                "poisson": "poisson"}


def from_keras(model: Any, loss: str | Loss | None = None) -> BaseModel:
    """A Perceptron with the layers, activations and weights of a Keras ``Sequential`` of
    ``Dense`` (and ``Dropout``) layers; the loss is ``loss``, else the model's compiled loss,
    else the one its output activation suggests."""
    import keras

    if not isinstance(model, keras.Sequential):
        raise TypeError(f"from_keras takes a keras.Sequential of Dense layers, got "
                        f"{type(model).__name__}")
    layers: list[LayerSpec] = []
    for keras_layer in model.layers:
        if isinstance(keras_layer, keras.layers.Dropout) and layers:
            layers[-1].dropout = float(keras_layer.rate)
            continue
        if not isinstance(keras_layer, keras.layers.Dense):
            raise ValueError(f"from_keras reads Dense and Dropout layers; {keras_layer.name!r} "
                             f"is a {type(keras_layer).__name__}")
        name = keras.activations.serialize(keras_layer.activation)
        name = name if isinstance(name, str) else name.get("config", {}).get("name", name)
        if name not in ACTIVATIONS:
            raise ValueError(f"the layer {keras_layer.name!r} has the activation {name!r}; "
                             f"scratchnn has {sorted(ACTIVATIONS)}")
        kernel = np.asarray(keras_layer.kernel)
        bias = (np.asarray(keras_layer.bias) if keras_layer.use_bias
                else np.zeros(kernel.shape[1], kernel.dtype))
        activation = get_activation(ACTIVATIONS[name])
        layers.append(LayerSpec(activation, default_initializer(activation), kernel.T.copy(),
                                bias.reshape(-1, 1).astype(kernel.dtype)))
    if not layers:
        raise ValueError("from_keras found no Dense layer in the model")
    compiled = getattr(model, "loss", None)
    chosen = loss or (KERAS_LOSSES.get(compiled) if isinstance(compiled, str) else None) or (
        DEFAULT_LOSS.get(layers[-1].activation.name, "squared_error"))
    return NetworkSpec(layers, get_loss(chosen)).build("numpy")


def to_keras(spec: NetworkSpec) -> Any:
    """A Keras ``Sequential`` of ``Dense`` layers with the weights of the network ``spec``
    describes, in its dtype (not compiled: choose the loss and optimizer with ``compile``)."""
    import keras

    names = {value: key for key, value in ACTIVATIONS.items()}
    layers = dense_layers(spec, names, "Keras")
    dtype = str(np.dtype(spec.dtype))
    sequential = keras.Sequential([keras.Input((spec.n_features,), dtype=dtype)] + [
        keras.layers.Dense(len(b), activation=name, dtype=dtype) for _, b, name in layers])
    for dense, (weights, biases, _) in zip(sequential.layers, layers, strict=True):
        dense.set_weights([weights.T, biases])
    return sequential
