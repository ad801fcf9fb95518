"""Check a solution of document A, the XOR network in low-level TensorFlow, step by step.

The course's file holds ``tf.Variable``s ``W1, b1, W2, b2`` shaped from ``input_size``,
``hidden_size``, ``output_size`` (samples as rows: ``x @ W1 + b1``), and a ``train_step``
decorated with ``@tf.function`` that runs the forward pass under a ``tf.GradientTape``, takes
the gradients and updates the variables with the learning rate.  ``check_tf(module, tree)``
judges, in this order: the shapes; normal weights and zero biases (from the syntax tree and
the values); the decorator; then one step, run as plain Python (``train_step``'s undecorated
function, under a profiler that reads its local variables): the forward pass, the loss, the
gradients in the order of the variables and the update, each against scratchnn's TensorFlow
engine (``TFPerceptron``, built with ``scratchnn.course.from_course_weights``) from the same
weights and data.  A binary cross-entropy loss is expected; a mean squared error is accepted.
"""

from __future__ import annotations

import ast
import inspect
from types import ModuleType
from typing import Any

import numpy as np

from .check_report import Check, Report, Spy, numeric, plain
from .course import from_course_weights
from .datasets import xor

__all__ = ["check_tf"]

VARIABLES = ("W1", "b1", "W2", "b2")
SIZES = ("input_size", "hidden_size", "output_size")
#: The names the course's data may have in the file.
DATA = (("X", "x", "X_train", "inputs"), ("y", "Y", "y_train", "targets", "labels"))
RTOL, ATOL = 1e-4, 1e-5  # float32
#: The reference takes one step: as plain Python, not worth a graph or an XLA compilation.
EAGER: dict[str, Any] = {"run_eagerly": True, "loop": "python", "jit_compile": False}


def _close(expected: Any, received: Any) -> bool:
    try:
        received = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return received.shape == expected.shape and bool(
        np.allclose(received, expected, rtol=RTOL, atol=ATOL))


def _judged(key: str, expected: Any, received: Any, hint: str = "other") -> Check:
    if _close(expected, received):
        return Check(key, True)
    return Check(key, False, plain(np.asarray(expected, dtype=float)),
                 plain(np.asarray(received, dtype=float)) if numeric(received) else None,
                 hint)


def _initialiser(tree: ast.Module, name: str) -> str:
    """The source of the expression the file assigns ``name`` at its top level."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.unparse(node.value)
    return ""


def _shapes_check(module: ModuleType, data: tuple[Any, Any]) -> tuple[Check, list[tuple[int, ...]]]:
    """The variables' shapes from ``input_size``, ``hidden_size``, ``output_size`` (or, when
    the file does not name them, from the data and W1)."""
    sizes = [getattr(module, name, None) for name in SIZES]
    if not all(isinstance(size, int) for size in sizes):
        sizes = [data[0].shape[1], tuple(module.W1.shape)[-1], data[1].shape[1]]
    n_in, hidden, out = sizes
    expected = [(n_in, hidden), (hidden,), (hidden, out), (out,)]
    received = [tuple(getattr(module, name).shape) for name in VARIABLES]
    if all(r == e or (len(e) == 1 and r == (1, *e)) for r, e in zip(received, expected,
                                                                      strict=True)):
        return Check("tf_shapes", True), received
    transposed = any(len(r) == 2 and r == e[::-1] != e for r, e in zip(received, expected,
                                                                       strict=True))
    return Check("tf_shapes", False, str(expected), str(received),
                 "tf_transposed" if transposed else "tf_shapes"), received


def _init_check(module: ModuleType, tree: ast.Module, before: list[Any]) -> Check:
    """Weights drawn from a normal distribution, biases zero."""
    sources = {name: _initialiser(tree, name) for name in VARIABLES}
    normal = all(("normal" in sources[name] or "randn" in sources[name])
                 and np.any(before[index] != 0) for index, name in ((0, "W1"), (2, "W2")))
    zero = all(not np.any(before[index]) for index in (1, 3))
    if normal and zero:
        return Check("tf_init", True)
    return Check("tf_init", False, "W1, W2: tf.random.normal(...); b1, b2: tf.zeros(...)",
                 "; ".join(f"{name} = {sources[name] or '?'}" for name in VARIABLES),
                 "tf_init_biases" if normal else "tf_init_weights")


def _gradients(frame: dict[str, Any], shapes: list[tuple[int, ...]]) -> list[Any] | None:
    """The gradients ``train_step`` computed: a list of four of the variables' shapes, or
    four variables named after them (``dW1``, ``grad_W1``, ...)."""
    for value in frame.values():
        if isinstance(value, list | tuple) and len(value) == len(shapes) and sorted(
                tuple(getattr(g, "shape", ())) for g in value) == sorted(shapes):
            return list(value)
    for prefix in ("d", "grad_", "d_", "g"):
        named = [frame.get(prefix + name) for name in VARIABLES]
        if all(g is not None for g in named):
            return named
    return None


def _forward_check(frame: dict[str, Any], X: Any, before: list[Any]) -> Check:
    """The output, found among ``train_step``'s variables by its value; if it is not
    there, which layer went wrong."""
    def sigmoid(z: Any) -> Any:
        return 1 / (1 + np.exp(-z))

    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in before)
    z1 = X @ W1 + b1.reshape(1, -1)
    hidden = sigmoid(z1)
    output = sigmoid(hidden @ W2 + b2.reshape(1, -1))
    values = [v for v in frame.values() if numeric(v)]
    if any(_close(output, v) for v in values):
        return Check("tf_forward", True)
    hint = ("tf_output" if any(_close(hidden, v) for v in values) else
            "tf_no_sigmoid" if any(_close(z1, v) for v in values) else "tf_hidden")
    return Check("tf_forward", False, plain(output), None, hint)


def _run_step(module: ModuleType, data: tuple[Any, Any]) -> tuple[
        dict[str, Any], Any, BaseException | None]:
    """Run ``train_step`` once as plain Python: its local variables at its end, what it
    returned, and the error it stopped on, if any."""
    function = getattr(module.train_step, "python_function", module.train_step)
    count = len(inspect.signature(function).parameters)
    spy = Spy(function)
    returned, error = None, None
    with spy.watching():
        try:
            returned = function(*data[:count])
        except (Exception, SystemExit) as failure:  # the student's code: reported
            error = failure
    return (spy.returns[-1] if spy.returns else {}), returned, error


def _data(module: ModuleType) -> tuple[Any, Any]:
    """The file's XOR inputs and targets (the course's names), else scratchnn's table."""
    found = [next((getattr(module, name) for name in names if numeric(
        getattr(module, name, None))), None) for names in DATA]
    if found[0] is None or found[1] is None:
        X, y = xor()
        return X.astype(np.float32), y.astype(np.float32)
    return found[0], found[1]


def check_tf(module: ModuleType, tree: ast.Module, filename: str) -> Report:
    """Check the document-A solution ``module`` (whose syntax tree is ``tree``, from the
    file ``filename``) step by step."""
    import tensorflow as tf

    missing = [name for name in VARIABLES
               if not isinstance(getattr(module, name, None), tf.Variable)]
    if missing:
        return Report(problem=["tf_no_variables", {"missing": ", ".join(missing),
                                                    "names": ", ".join(VARIABLES)}])
    if not isinstance(getattr(module, "learning_rate", None), int | float):
        return Report(problem=["tf_no_learning_rate", {}])
    data = _data(module)
    shapes, received_shapes = _shapes_check(module, data)
    report = Report([shapes])
    if not shapes.right:
        return report
    before = [getattr(module, name).numpy().copy() for name in VARIABLES]
    report.checks += [_init_check(module, tree, before),
                      Check("tf_function", True) if hasattr(module.train_step,
                                                            "python_function")
                      else Check("tf_function", False, "@tf.function", "none",
                                 "tf_function")]
    frame, returned, error = _run_step(module, data)
    after = [getattr(module, name).numpy() for name in VARIABLES]
    X = np.asarray(data[0], dtype=np.float32)
    y = np.asarray(data[1], dtype=np.float32)
    forward = _forward_check(frame, X, before)
    report.checks.append(forward)
    loss = returned if numeric(returned) and np.size(returned) == 1 else frame.get("loss")
    if error is not None and loss is None:  # stopped before its loss: the error says where
        return report.stopped(error, "check", filename)

    # The loss: binary cross-entropy, or else a mean squared error (scratchnn's holds a ½).
    reference_bce = from_course_weights(*before, engine="tensorflow", layout="course",
                                        **EAGER)
    reference_mse = from_course_weights(*before, engine="tensorflow", layout="course",
                                        loss="mean_squared_error", **EAGER)
    bce = float(reference_bce.evaluate(X, y)[0])  # type: ignore[index]
    half_mse = float(reference_mse.evaluate(X, y)[0])  # type: ignore[index]
    kinds = [(reference_bce, bce, 1.0), (reference_mse, 2 * half_mse, 2.0),
             (reference_mse, half_mse, 1.0)]
    reference, value, factor = next((kind for kind in kinds if _close(kind[1], loss)),
                                     kinds[0])
    loss_check = _judged("tf_loss", value, loss, "tf_loss")
    loss_check.follows = not loss_check.right and not forward.right
    report.checks.append(loss_check)

    rate = float(module.learning_rate)
    reference.fit(X, y, epochs=1, learning_rate=rate * factor, batch_size=None, verbose=False)
    expected_after = [(w.T if index % 2 == 0 else w).reshape(shape) for index, (w, shape)
                      in enumerate(zip(reference.get_weights(), received_shapes, strict=True))]
    expected_grads = [(b - a) / rate for b, a in zip(before, expected_after, strict=True)]
    grads = _gradients(frame, received_shapes)
    if error is not None and grads is None:
        return report.stopped(error, "check", filename)
    report.checks.append(_gradients_check(expected_grads, grads,
                                          not (forward.right and loss_check.right)))
    if error is not None:
        return report.stopped(error, "check", filename)
    report.checks.append(_update_check(before, expected_after, after, grads or expected_grads,
                                       rate, not report.checks[-1].right))
    return report


def _gradients_check(expected: list[Any], grads: list[Any] | None,
                     earlier_wrong: bool) -> Check:
    """The gradients, in the order of the variables ``W1, b1, W2, b2``."""
    if grads is None:
        return Check("tf_gradients", False, None, None, "tf_no_gradients")
    if all(_close(e, g) for e, g in zip(expected, grads, strict=True)):
        return Check("tf_gradients", True)
    reordered = all(any(_close(e, g) for g in grads) for e in expected)
    return Check("tf_gradients", False, [plain(np.asarray(g)) for g in expected],
                 [plain(np.asarray(g, dtype=float)) for g in grads],
                 "tf_gradient_order" if reordered else "other",
                 follows=earlier_wrong and not reordered)


def _update_check(before: list[Any], expected: list[Any], after: list[Any], grads: list[Any],
                  rate: float, earlier_wrong: bool) -> Check:
    """Each variable decreased by its gradient times the learning rate."""
    def flat(arrays: list[Any]) -> Any:
        return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])

    update = _judged("tf_update", flat(expected), flat(after))
    if not update.right:
        if _close(flat(before) - flat(grads), flat(after)):
            update.hint = "tf_learning_rate"
        elif _close(flat(before) + rate * flat(grads), flat(after)):
            update.hint = "tf_sign"
        update.follows = earlier_wrong and _close(flat(before) - rate * flat(grads),
                                                  flat(after))
    return update
