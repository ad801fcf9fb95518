"""The weights of scikit-learn's ``MLPClassifier`` and ``MLPRegressor``, both ways.

scikit-learn stores a layer's weights as (n_in, n_out) in ``coefs_`` and its biases as
(n_out,) in ``intercepts_``; scratchnn as ``W`` (n_out, n_in) and ``b`` (n_out, 1), so
``W = coefs_[i].T``.  Its hidden activation is one for every layer (``identity``,
``logistic``, ``tanh``, ``relu``), its output one of ``logistic`` (binary and multi-label),
``softmax``, ``identity`` (squared error) and ``exp`` (Poisson).
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

__all__ = ["from_sklearn", "to_sklearn"]

HIDDEN = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OUTPUT = {"logistic": ("sigmoid", "binary_crossentropy"),
          "softmax": ("softmax", "categorical_crossentropy"),
          "identity": ("linear", "squared_error"), "exp": ("exp", "poisson")}


def from_sklearn(estimator: Any) -> BaseModel:
    """A Perceptron with the layers, activations, loss and weights of a fitted scikit-learn
    ``MLPClassifier`` or ``MLPRegressor`` (scikit-learn's or scratchnn's)."""
    if not all(hasattr(estimator, name) for name in ("coefs_", "intercepts_", "activation",
                                                    "out_activation_")):
        raise TypeError(f"from_sklearn takes a fitted MLPClassifier or MLPRegressor, got "
                        f"{type(estimator).__name__}")
    if estimator.activation not in HIDDEN or estimator.out_activation_ not in OUTPUT:
        raise ValueError(f"unsupported activations: activation={estimator.activation!r}, "
                         f"out_activation_={estimator.out_activation_!r}")
    output, loss = OUTPUT[estimator.out_activation_]
    coefs, intercepts = list(estimator.coefs_), list(estimator.intercepts_)
    layers = []
    for index, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
        activation = get_activation(output if index == len(coefs) - 1
                                    else HIDDEN[estimator.activation])
        layers.append(LayerSpec(activation, default_initializer(activation),
                                np.array(coef.T), np.reshape(intercept, (-1, 1)).astype(
                                    coef.dtype)))
    return NetworkSpec(layers, get_loss(loss)).build("numpy")


def to_sklearn(spec: NetworkSpec) -> Any:
    """A fitted scikit-learn ``MLPClassifier`` (sigmoid or softmax output) or ``MLPRegressor``
    (linear or exponential output) with the weights of the network ``spec`` describes;
    classes are 0, 1, ... (the network's outputs).  Its hidden layers must share one
    activation."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import LabelBinarizer

    hidden_names = {value: key for key, value in HIDDEN.items()}
    output_names = {value[0]: key for key, value in OUTPUT.items()}
    layers = dense_layers(spec, {**hidden_names, **{"softmax": "softmax", "exp": "exp"}},
                          "scikit-learn")
    hidden = {name for _, _, name in layers[:-1]}
    if len(hidden) > 1 or hidden & {"softmax", "exp"}:
        raise ValueError(f"scikit-learn's MLPs have one hidden activation among "
                         f"{sorted(HIDDEN)}, this network has {sorted(hidden)}")
    output = spec.layers[-1].activation.name
    if output not in output_names:
        raise ValueError(f"scikit-learn's MLPs have no {output!r} output layer")
    out_activation = output_names[output]
    n_outputs = spec.n_outputs
    settings = {"hidden_layer_sizes": tuple(layer.n_neurons for layer in spec.layers[:-1]),
                "activation": hidden.pop() if hidden else "relu"}
    if out_activation in ("logistic", "softmax"):
        estimator: Any = MLPClassifier(**settings)
        labels = (np.arange(n_outputs) if out_activation == "softmax" else
                  np.array([0, 1]) if n_outputs == 1 else np.eye(n_outputs, dtype=int))
        estimator._label_binarizer = LabelBinarizer().fit(labels)
        estimator.classes_ = estimator._label_binarizer.classes_
    else:
        estimator = MLPRegressor(loss="poisson" if output == "exp" else "squared_error",
                                 **settings)
    estimator.coefs_ = [np.array(w.T) for w, _, _ in layers]
    estimator.intercepts_ = [np.array(b) for _, b, _ in layers]
    estimator.n_features_in_ = spec.n_features
    estimator.n_outputs_ = n_outputs
    estimator.n_layers_ = len(layers) + 1
    estimator.out_activation_ = out_activation
    estimator.n_iter_ = len(spec.history)
    return estimator
