"""ONNX export: one ``Gemm`` and one activation operator per layer.

The graph takes ``input``, of shape (batch, n_features) with the batch left open, and gives
``output``, (batch, n_outputs): the model's ``predict_proba``.  A layer is
``Gemm(a, W, b, transB=1)`` (``a · Wᵀ + b``, the samples being rows) followed by ``Relu``,
``Sigmoid``, ``Tanh``, ``Softmax`` (over the last axis), ``Exp`` or ``Identity``; weights are
stored in the model's dtype (float32 or float64).  Built with the ``onnx`` package's helpers
and checked by ``onnx.checker``.

Keras's activations are written with operators that onnxruntime runs in float64 too:
``leaky_relu`` as ``PRelu`` with its slope a constant of the model's dtype (``LeakyRelu``'s
``alpha`` is a float32 attribute), ``elu`` as ``Relu(z) + Exp(Min(z, 0)) - 1`` and ``softplus``
as ``Relu(z) + Log(1 + Exp(-|z|))`` (onnxruntime has no float64 ``Elu`` or ``Softplus``),
``silu`` as ``Mul(z, Sigmoid(z))``, and ``gelu`` as ``Gelu`` (the exact form), which needs opset
20, used only then.  onnxruntime has no float64 ``Erf``, so it runs only float32 ``gelu``
graphs (other runtimes may run them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..activations import LeakyReLU
from .layers import dense_layers

if TYPE_CHECKING:
    from ..spec import NetworkSpec

__all__ = ["INPUT", "OPSET", "OUTPUT", "network_graph", "opset", "to_onnx", "write"]

INPUT, OUTPUT = "input", "output"
#: ONNX's opset 17 (2022): read by every maintained runtime.
OPSET = 17
#: The first opset with ``Gelu`` (2023), used only for a network with a gelu layer.
GELU_OPSET = 20
OPERATORS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
             "exp": "Exp", "linear": "Identity", "gelu": "Gelu"}
ELEMENT_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}

Node = onnx.NodeProto
Composite = Callable[[str, str, str, np.dtype[np.floating]], list[Node]]


def _leaky_relu(z: str, a: str, prefix: str, dtype: np.dtype[np.floating]) -> list[Node]:
    return [_constant(f"{prefix}_slope", LeakyReLU.negative_slope, dtype),
            helper.make_node("PRelu", [z, f"{prefix}_slope"], [a], name=prefix)]


def _elu(z: str, a: str, prefix: str, dtype: np.dtype[np.floating]) -> list[Node]:
    """``Relu(z) + (Exp(Min(z, 0)) - 1)``, α = 1."""
    return [_constant(f"{prefix}_zero", 0.0, dtype), _constant(f"{prefix}_one", 1.0, dtype),
            helper.make_node("Min", [z, f"{prefix}_zero"], [f"{prefix}_negative"]),
            helper.make_node("Exp", [f"{prefix}_negative"], [f"{prefix}_exp"]),
            helper.make_node("Sub", [f"{prefix}_exp", f"{prefix}_one"], [f"{prefix}_expm1"]),
            helper.make_node("Relu", [z], [f"{prefix}_positive"]),
            helper.make_node("Add", [f"{prefix}_positive", f"{prefix}_expm1"], [a], name=prefix)]


def _softplus(z: str, a: str, prefix: str, dtype: np.dtype[np.floating]) -> list[Node]:
    """``Relu(z) + Log(1 + Exp(-|z|))``: no exponential overflows."""
    return [_constant(f"{prefix}_one", 1.0, dtype),
            helper.make_node("Abs", [z], [f"{prefix}_abs"]),
            helper.make_node("Neg", [f"{prefix}_abs"], [f"{prefix}_neg"]),
            helper.make_node("Exp", [f"{prefix}_neg"], [f"{prefix}_exp"]),
            helper.make_node("Add", [f"{prefix}_exp", f"{prefix}_one"], [f"{prefix}_sum"]),
            helper.make_node("Log", [f"{prefix}_sum"], [f"{prefix}_log"]),
            helper.make_node("Relu", [z], [f"{prefix}_positive"]),
            helper.make_node("Add", [f"{prefix}_positive", f"{prefix}_log"], [a], name=prefix)]


def _silu(z: str, a: str, prefix: str, dtype: np.dtype[np.floating]) -> list[Node]:
    return [helper.make_node("Sigmoid", [z], [f"{prefix}_sigmoid"]),
            helper.make_node("Mul", [z, f"{prefix}_sigmoid"], [a], name=prefix)]


#: Activations written as several operators, by scratchnn's name.
COMPOSITES: dict[str, Composite] = {"leaky_relu": _leaky_relu, "elu": _elu,
                                    "softplus": _softplus, "silu": _silu}


def _constant(name: str, value: float, dtype: np.dtype[np.floating]) -> Node:
    """A scalar ``Constant`` node of ``dtype``."""
    return helper.make_node("Constant", [], [name], name=name,
                            value=numpy_helper.from_array(np.array(value, dtype), name))


def network_graph(spec: NetworkSpec, inputs: str, outputs: str, prefix: str = ""
                  ) -> tuple[list[Node], list[onnx.TensorProto]]:
    """The nodes and initializers that compute the network ``spec`` describes from the
    tensor named ``inputs`` (batch, n_features) of the model's dtype into ``outputs``; every
    other name starts with ``prefix`` (so that the network can sit in a larger graph)."""
    layers = dense_layers(spec, {**OPERATORS, **{name: name for name in COMPOSITES}}, "ONNX")
    dtype = np.dtype(spec.dtype)
    nodes, initializers = [], []
    previous = inputs
    for index, (weights, biases, operator) in enumerate(layers, start=1):
        W, b = f"{prefix}W{index}", f"{prefix}b{index}"
        initializers += [numpy_helper.from_array(weights, W), numpy_helper.from_array(biases, b)]
        z = f"{prefix}z{index}"
        a = outputs if index == len(layers) else f"{prefix}a{index}"
        nodes.append(helper.make_node("Gemm", [previous, W, b], [z],
                                      name=f"{prefix}dense{index}", transB=1))
        if operator in COMPOSITES:
            nodes += COMPOSITES[operator](z, a, f"{prefix}activation{index}", dtype)
        else:
            activation = helper.make_node(operator, [z], [a], name=f"{prefix}activation{index}")
            if operator == "Softmax":
                activation.attribute.append(helper.make_attribute("axis", -1))
            nodes.append(activation)
        previous = a
    return nodes, initializers


def opset(spec: NetworkSpec) -> int:
    """The ONNX opset the network needs: ``OPSET``, or ``GELU_OPSET`` with a gelu layer."""
    return GELU_OPSET if any(layer.activation.name == "gelu" for layer in spec.layers) else OPSET


def write(proto: onnx.ModelProto, path: str | os.PathLike[str] | None) -> onnx.ModelProto:
    """Check ``proto`` with ``onnx.checker`` and write it to ``path`` if given."""
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        from ..io import write_atomically

        write_atomically(path, lambda file: file.write(proto.SerializeToString()))
    return proto


def to_onnx(spec: NetworkSpec, path: str | os.PathLike[str] | None = None) -> onnx.ModelProto:
    """The ONNX model of the network ``spec`` describes (``model.get_spec()``, either
    engine), written to ``path`` if given."""
    element_type = ELEMENT_TYPES[np.dtype(spec.dtype)]
    nodes, initializers = network_graph(spec, INPUT, OUTPUT)
    graph = helper.make_graph(
        nodes, "scratchnn",
        [helper.make_tensor_value_info(INPUT, element_type, ["batch", spec.n_features])],
        [helper.make_tensor_value_info(OUTPUT, element_type, ["batch", spec.n_outputs])],
        initializers)
    from ..version import __version__

    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset(spec))],
                              producer_name="scratchnn", producer_version=__version__)
    return write(proto, path)
