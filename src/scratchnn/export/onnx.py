"""ONNX export: one ``Gemm`` and one activation operator per layer.

The graph takes ``input``, of shape (batch, n_features) with the batch left open, and gives
``output``, (batch, n_outputs): the model's ``predict_proba``.  A layer is
``Gemm(a, W, b, transB=1)`` (``a · Wᵀ + b``, the samples being rows) followed by ``Relu``,
``Sigmoid``, ``Tanh``, ``Softmax`` (over the last axis), ``Exp`` or ``Identity``; weights are
stored in the model's dtype (float32 or float64).  Built with the ``onnx`` package's helpers
and checked by ``onnx.checker``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .layers import dense_layers

if TYPE_CHECKING:
    from ..spec import NetworkSpec

__all__ = ["INPUT", "OPSET", "OUTPUT", "to_onnx"]

INPUT, OUTPUT = "input", "output"
#: ONNX's opset 17 (2022): read by every maintained runtime.
OPSET = 17
OPERATORS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
             "exp": "Exp", "linear": "Identity"}
ELEMENT_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}


def to_onnx(spec: NetworkSpec, path: str | os.PathLike[str] | None = None) -> onnx.ModelProto:
    """The ONNX model of the network ``spec`` describes (``model.get_spec()``, either
    engine), written to ``path`` if given."""
    layers = dense_layers(spec, OPERATORS, "ONNX")
    element_type = ELEMENT_TYPES[np.dtype(spec.dtype)]
    nodes, initializers = [], []
    previous = INPUT
    for index, (weights, biases, operator) in enumerate(layers, start=1):
        initializers += [numpy_helper.from_array(weights, f"W{index}"),
                         numpy_helper.from_array(biases, f"b{index}")]
        z = f"z{index}"
        a = OUTPUT if index == len(layers) else f"a{index}"
        nodes.append(helper.make_node("Gemm", [previous, f"W{index}", f"b{index}"], [z],
                                      name=f"dense{index}", transB=1))
        activation = helper.make_node(operator, [z], [a], name=f"activation{index}")
        if operator == "Softmax":
            activation.attribute.append(helper.make_attribute("axis", -1))
        nodes.append(activation)
        previous = a
    graph = helper.make_graph(
        nodes, "scratchnn",
        [helper.make_tensor_value_info(INPUT, element_type, ["batch", spec.n_features])],
        [helper.make_tensor_value_info(OUTPUT, element_type, ["batch", spec.n_outputs])],
        initializers)
    from ..version import __version__

    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="scratchnn", producer_version=__version__)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        from ..io import write_atomically

        write_atomically(path, lambda file: file.write(proto.SerializeToString()))
    return proto
