"""The ONNX graph of a fitted ``MLPClassifier`` or ``MLPRegressor``, alone or inside a
scikit-learn pipeline converted by skl2onnx.

The graph is the network's (``scratchnn.export.onnx.network_graph``, the one exporter) with,
around it, what the estimator adds, in skl2onnx's conventions for scikit-learn's own MLPs:

- the input, float32 whatever the model's dtype, cast to float64 inside the graph for a
  float64 model (a float32 value is exactly a float64 one, so the network computes what
  ``predict`` computes from the same float32 data);
- a classifier gives ``label``, the predicted class (the labels of ``classes_``: strings as
  strings, integers, booleans and (integral) floats as int64; for multi-label targets, the
  0/1 indicator matrix), and ``probabilities``, (n_samples,
  n_classes) as ``predict_proba``; the label is picked from the probabilities in the model's
  precision, as ``predict`` picks it, before they are cast to the output's float32;
- a regressor gives ``variable``, (n_samples, n_outputs) as skl2onnx's regressors do.

No ``ZipMap``: ``est.to_onnx()`` gives ``probabilities`` as a plain tensor (skl2onnx's
``zipmap=False``), which every runtime reads as an array.  Inside a pipeline, skl2onnx's own
parser adds its ``ZipMap`` (a list of {label: probability}) unless told
``options={MLPClassifier: {"zipmap": False}}``, as for every scikit-learn classifier.

``register_converters()`` tells skl2onnx about the estimators (``scratchnn.sklearn.
register_onnx_converters()`` calls it); skl2onnx is imported only then.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

from .onnx import ELEMENT_TYPES, Node, network_graph, opset, write

__all__ = ["estimator_graph", "estimator_to_onnx", "label_type", "register_converters"]

INPUT = "X"
LABEL, PROBABILITIES, VARIABLE = "label", "probabilities", "variable"


def label_type(classes: NDArray[Any]) -> int:
    """The ONNX element type of the labels ``classes``: STRING, or INT64 for integers,
    booleans and floats (which scikit-learn's classifiers accept only integral)."""
    if classes.dtype.kind in "biuf":
        return TensorProto.INT64
    if all(isinstance(label, str) for label in classes):
        return TensorProto.STRING
    return label_type(np.asarray(list(classes)))


def _constant(name: str, values: NDArray[Any], element_type: int) -> Node:
    """A ``Constant`` node holding ``values`` as ``element_type``."""
    if element_type == TensorProto.STRING:
        tensor = helper.make_tensor(name, TensorProto.STRING, values.shape, [
            str(value).encode() for value in values.ravel()])  # type: ignore[misc]  # bytes
    else:
        numpy_type = helper.tensor_dtype_to_np_dtype(element_type)
        tensor = numpy_helper.from_array(np.asarray(values).astype(numpy_type), name)
    return helper.make_node("Constant", [], [name], name=name, value=tensor)


def _cast_or_copy(source: str, target: str, from_type: int, to_type: int) -> Node:
    if from_type == to_type:
        return helper.make_node("Identity", [source], [target], name=f"{target}_identity")
    return helper.make_node("Cast", [source], [target], name=f"{target}_cast", to=to_type)


def _is_classifier(estimator: Any) -> bool:
    return hasattr(estimator, "classes_")


def _multilabel(estimator: Any) -> bool:
    return bool(estimator._label_binarizer.y_type_ == "multilabel-indicator")


def estimator_graph(estimator: Any, inputs: str, input_type: int, outputs: list[str],
                    output_type: int, prefix: str = "", classes: NDArray[Any] | None = None
                    ) -> tuple[list[Node], list[TensorProto]]:
    """The nodes and initializers computing a fitted estimator's ``outputs`` (a classifier's
    label and probabilities, a regressor's values, the values of ``output_type``) from the
    tensor ``inputs`` (n_samples, n_features) of ``input_type``; every other name starts with
    ``prefix``.  ``classes``: the labels to give (default ``classes_``)."""
    spec = estimator.model_.get_spec()
    model_type = ELEMENT_TYPES[np.dtype(spec.dtype)]
    rows = f"{prefix}rows"
    network = f"{prefix}network_output"
    nodes = [_cast_or_copy(inputs, rows, input_type, model_type)]
    network_nodes, initializers = network_graph(spec, rows, network, prefix)
    nodes += network_nodes
    if not _is_classifier(estimator):
        return [*nodes, _cast_or_copy(network, outputs[0], model_type, output_type)], \
            initializers
    label, probabilities = outputs
    model_probabilities = network
    if estimator.n_outputs_ == 1:  # one sigmoid unit: P(classes_[1]), as predict_proba
        one, negative = f"{prefix}one", f"{prefix}negative"
        model_probabilities = f"{prefix}model_probabilities"
        nodes += [_constant(one, np.array(1.0), model_type),
                  helper.make_node("Sub", [one, network], [negative], name=negative),
                  helper.make_node("Concat", [negative, network], [model_probabilities],
                                   name=model_probabilities, axis=1)]
    if _multilabel(estimator):  # as LabelBinarizer.inverse_transform: 1 where p > 0.5
        half, above = f"{prefix}half", f"{prefix}above_half"
        nodes += [_constant(half, np.array(0.5), model_type),
                  helper.make_node("Greater", [network, half], [above], name=above),
                  _cast_or_copy(above, label, TensorProto.BOOL, TensorProto.INT64)]
    else:  # the first class of highest probability, as numpy's argmax
        labels = estimator.classes_ if classes is None else classes
        constant, index = f"{prefix}classes", f"{prefix}class_index"
        nodes += [_constant(constant, labels, label_type(labels)),
                  helper.make_node("ArgMax", [model_probabilities], [index], name=index,
                                   axis=1, keepdims=0),
                  helper.make_node("Gather", [constant, index], [label], name=label, axis=0)]
    nodes.append(_cast_or_copy(model_probabilities, probabilities, model_type, output_type))
    return nodes, initializers


def estimator_to_onnx(estimator: Any, path: str | os.PathLike[str] | None = None
                      ) -> onnx.ModelProto:
    """The ONNX model of a fitted estimator (see the module's description), written to
    ``path`` if given."""
    n_samples = "batch"
    if _is_classifier(estimator):
        n_classes = len(estimator.classes_)
        label_shape: list[str | int] = [n_samples, n_classes] if _multilabel(estimator) \
            else [n_samples]
        label_element = TensorProto.INT64 if _multilabel(estimator) \
            else label_type(estimator.classes_)
        outputs = [helper.make_tensor_value_info(LABEL, label_element, label_shape),
                   helper.make_tensor_value_info(PROBABILITIES, TensorProto.FLOAT,
                                                 [n_samples, n_classes])]
    else:
        outputs = [helper.make_tensor_value_info(VARIABLE, TensorProto.FLOAT,
                                                 [n_samples, estimator.n_outputs_])]
    nodes, initializers = estimator_graph(estimator, INPUT, TensorProto.FLOAT,
                                          [output.name for output in outputs],
                                          TensorProto.FLOAT)
    graph = helper.make_graph(
        nodes, type(estimator).__name__,
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT,
                                       [n_samples, estimator.n_features_in_])],
        outputs, initializers)
    from ..version import __version__

    proto = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset(estimator.model_.get_spec()))],
        producer_name="scratchnn", producer_version=__version__)
    return write(proto, path)


# -- skl2onnx ---------------------------------------------------------------------------------
def _classifier_shapes(operator: Any) -> None:
    """The label's type and shape, and the probabilities' (n_samples, n_classes), of the
    input's float type."""
    from skl2onnx.common.data_types import (
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils_classifier import get_label_classes

    estimator = operator.raw_operator
    n_samples = operator.inputs[0].get_first_dimension()
    n_classes = len(estimator.classes_)
    if _multilabel(estimator):
        operator.outputs[0].type = Int64TensorType([n_samples, n_classes])
    else:
        strings = label_type(get_label_classes(operator.scope_inst, estimator)) \
            == TensorProto.STRING
        operator.outputs[0].type = (StringTensorType if strings else Int64TensorType)(
            [n_samples])
    operator.outputs[1].type = _float_type(operator)([n_samples, n_classes])


def _regressor_shapes(operator: Any) -> None:
    estimator = operator.raw_operator
    operator.outputs[0].type = _float_type(operator)(
        [operator.inputs[0].get_first_dimension(), estimator.n_outputs_])


def _float_type(operator: Any) -> Any:
    """Double for a double input, else float: skl2onnx's rule for its own estimators."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    return DoubleTensorType if isinstance(operator.inputs[0].type, DoubleTensorType) \
        else FloatTensorType


def _convert(scope: Any, operator: Any, container: Any) -> None:
    """Add the estimator's nodes (``estimator_graph``) to skl2onnx's container."""
    from skl2onnx.common.data_types import guess_proto_type
    from skl2onnx.common.utils_classifier import get_label_classes
    from sklearn.utils.validation import check_is_fitted

    estimator = operator.raw_operator
    check_is_fitted(estimator, "model_")
    needed = opset(estimator.model_.get_spec())
    if container.target_opset is not None and container.target_opset < needed:
        raise ValueError(f"{type(estimator).__name__}'s network needs ONNX opset {needed} "
                         f"(gelu), got target_opset={container.target_opset}")
    nodes, initializers = estimator_graph(
        estimator, operator.inputs[0].full_name, guess_proto_type(operator.inputs[0].type),
        [output.full_name for output in operator.outputs],
        guess_proto_type(operator.outputs[-1].type),
        prefix=scope.get_unique_variable_name("scratchnn") + "_",
        classes=get_label_classes(scope, estimator) if _is_classifier(estimator) else None)
    for tensor in initializers:
        container.add_initializer(tensor.name, tensor.data_type, list(tensor.dims), tensor)
    for node in nodes:
        container.add_node(node.op_type, list(node.input), list(node.output),
                           op_domain=node.domain, name=node.name,
                           **{attribute.name: helper.get_attribute_value(attribute)
                              for attribute in node.attribute})


def register_converters(classifier: type, regressor: type) -> None:
    """Register the shape calculators and converters of the estimator classes
    (``MLPClassifier`` and ``MLPRegressor``) with skl2onnx."""
    from skl2onnx import update_registered_converter

    update_registered_converter(classifier, "ScratchnnMLPClassifier", _classifier_shapes,
                                _convert, options={"zipmap": [True, False, "columns"],
                                                   "nocl": [False, True]})
    update_registered_converter(regressor, "ScratchnnMLPRegressor", _regressor_shapes,
                                _convert)
