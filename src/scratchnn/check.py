"""Check a student's course solution against the formulas: ``scratchnn check solution.py``.

The course's exercise writes ``Layer(n_inputs, n_neurons, activation)`` with
``forward(inputs)`` and ``backward(da, learning_rate)``, and ``Perceptron(layers)`` with
``fit(training_data, labels, epochs, learning_rate)``.  ``check(Layer, Perceptron)`` runs them
from the same weights as scratchnn's own, and judges each formula in the course's order:

1. on random data, one layer (3 inputs, 2 neurons, sigmoid): the forward pass, then in
   ``backward`` ``dz``, ``d_weights``, ``d_biases``, ``da_prev`` (read from the local
   variables of those names or the course's ``dZ``, ``dW``, ``db``, ``dA_prev`` ... (``NAMES``),
   or the value returned) and the update of the weights;
2. on the XOR table, the 2-2-1 network: ``daⁿ`` (the ``da`` the output layer receives
   first), the loss of the first epoch (from the printed line), the weights after two
   epochs, the printed ``Loss at epoch N: L.LLL`` lines; then the weights after two epochs
   of a network with a ReLU hidden layer.

Each check is right or wrong; for a wrong one the report gives the expected and received
numbers and a hint in words (a transposed product, a missing learning rate, a sign, a loss
not averaged, ...); a wrong check whose numbers follow from an earlier wrong one is marked
so.  An error names the line of the student's file it happened at.
``check_file`` imports the file without its top-level training (``scratchnn.student_file``)
and checks a TensorFlow solution of the XOR exercise with ``scratchnn.check_tf``.
``check_in_subprocess`` (``scratchnn check``) runs the student's file in a process of its own
with a time limit, so an endless loop, a crash or an ``exit()`` in it is reported, not
inherited; the report comes back in a file the student's code is not told of, not in its
output, and every process the file started is killed when it ends.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .bounded_process import run_bounded
from .check_report import NAMES, Check, Report, Spy, numeric, plain
from .datasets import xor
from .layers import Layer
from .student_file import load

__all__ = ["Check", "Report", "check", "check_file", "check_in_subprocess"]

LEARNING_RATE = 0.1
TOLERANCE = 1e-9
EPOCHS = 2
#: The course's line, exactly; and any line that gives an epoch and a loss.
LINE = re.compile(r"Loss at epoch (\d+): (-?\d+\.\d{3})$")
LOOSE = re.compile(r"Loss at epoch (-?\d+): ?(-?\d+(?:\.\d*)?)")


def _same(expected: Any, received: Any) -> bool:
    try:
        received = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return False
    return received.shape == np.shape(expected) and bool(
        np.allclose(received, expected, rtol=TOLERANCE, atol=TOLERANCE))


def _hint(expected: Any, received: Any, also: dict[str, Any] | None = None) -> str:
    """The likeliest slip that turns ``expected`` into ``received``: one of ``also`` (a
    named alternative result), a transposed product, a sign, a constant factor."""
    for hint, alternative in (also or {}).items():
        if _same(alternative, received):
            return hint
    try:
        array = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return "other"
    expected = np.asarray(expected, dtype=float)
    if array.shape == expected.T.shape and array.shape != expected.shape:
        return "transposed"
    if array.shape == expected.shape:
        if array.shape == expected.T.shape and np.allclose(array, expected.T):
            return "transposed"
        if np.allclose(array, -expected):
            return "sign"
        ratio = array / np.where(expected == 0, np.nan, expected)
        if np.nanstd(ratio) < 1e-9 * max(1.0, float(np.nanmean(np.abs(ratio)))):
            return "scale"
    return "other"


def _judge(key: str, expected: Any, received: Any,
           also: dict[str, Any] | None = None) -> Check:
    if _same(expected, received):
        return Check(key, True)
    return Check(key, False, plain(np.asarray(expected)), plain(
        received if isinstance(received, np.ndarray) else np.asarray(received)
        if received is not None else None), _hint(expected, received, also))


def _found(names: tuple[str, ...], frame: dict[str, Any], owner: Any) -> Any:
    """The first of ``names`` among ``backward``'s local variables, else the layer's
    attributes; None if there is none."""
    for name in names:
        if name in frame:
            return frame[name]
    for name in names:
        if hasattr(owner, name):
            return getattr(owner, name)
    return None


def _missing(key: str, expected: Any) -> Check:
    """The check of a quantity ``backward`` has no variable for."""
    return Check(key, False, plain(np.asarray(expected)), None, "missing_variable",
                 detail=" ".join(NAMES[key][:2]))


def _follows(check: Check, earlier_wrong: bool, consistent: bool) -> Check:
    """Mark a wrong ``check`` as following from an earlier wrong one when the student's
    numbers agree with the formula applied to the student's own (wrong) inputs."""
    check.follows = not check.right and earlier_wrong and consistent
    return check


def _layer_checks(layer_class: type, activation: Any) -> list[Check]:
    """One layer, 3 inputs and 2 neurons, on random numbers: forward, then backward."""
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    x, da = rng.normal(size=(3, 1)), rng.normal(size=(2, 1))
    reference = Layer(3, 2, "sigmoid")
    reference.weights, reference.biases = W.copy(), b.copy()
    student = layer_class(3, 2, activation)
    student.weights, student.biases = W.copy(), b.copy()
    expected_a = reference.forward(x.copy())
    forward = _judge("forward", expected_a, student.forward(x.copy()))
    checks = [forward]
    assert reference.z is not None and reference.output is not None
    derivative = reference.activation.derivative
    dz = da * derivative(reference.z)
    d_weights, d_biases, da_prev = dz @ x.T, dz, W.T @ dz
    new_W, new_b = W - LEARNING_RATE * d_weights, b - LEARNING_RATE * d_biases
    spy = Spy(layer_class.backward)  # type: ignore[attr-defined]
    error = None
    with spy.watching():
        try:
            returned = student.backward(da.copy(), LEARNING_RATE)
        except (Exception, SystemExit) as failure:  # the student's code: reported
            returned, error = None, failure
    frame = spy.returns[-1] if spy.returns else {}
    got = {key: _found(names, frame, student) for key, names in NAMES.items()}
    if returned is not None:
        got["da_prev"] = returned

    def judged(key: str, expected: Any, also: dict[str, Any] | None = None) -> Check:
        if got[key] is None:
            return _missing(key, expected)
        return _judge(key, expected, got[key], also)

    student_z = getattr(student, "z", None)
    dz_check = _follows(judged("dz", dz, {"derivative_of_a": da * derivative(expected_a)}),
                        not forward.right, student_z is not None and got["dz"] is not None
                        and _same(da * derivative(np.asarray(student_z, dtype=float)),
                                  got["dz"]))
    own_dz = np.asarray(got["dz"], dtype=float) if numeric(got["dz"]) else dz
    wrong_dz = not dz_check.right
    checks += [
        dz_check,
        _follows(judged("d_weights", d_weights), wrong_dz,
                 _same_product(own_dz, x.T, got["d_weights"])),
        _follows(judged("d_biases", d_biases), wrong_dz, _same(own_dz, got["d_biases"])),
        _follows(judged("da_prev", da_prev, {"updated_weights": new_W.T @ dz}), wrong_dz,
                 _same_product(W.T, own_dz, got["da_prev"])),
    ]
    received_update = (np.vstack([np.asarray(student.weights).T, np.asarray(student.biases).T])
                       if np.shape(student.weights) == W.shape
                       and np.shape(student.biases) == b.shape else student.weights)
    own_dw, own_db = (np.asarray(got[key], dtype=float) if numeric(got[key])
                      and np.shape(got[key]) == shape else None
                      for key, shape in (("d_weights", W.shape), ("d_biases", b.shape)))
    checks.append(_follows(
        _judge("update", np.vstack([new_W.T, new_b.T]), received_update,
               {"learning_rate": np.vstack([(W - d_weights).T, (b - d_biases).T])}),
        any(not c.right for c in checks[2:4]),
        own_dw is not None and own_db is not None and _same(
            np.vstack([(W - LEARNING_RATE * own_dw).T, (b - LEARNING_RATE * own_db).T]),
            received_update)))
    if error is not None:  # what backward computed before its error; the error says the rest
        done = next((index for index, c in enumerate(checks) if c.hint == "missing_variable"),
                    len(checks) - 1)
        raise _StudentError(checks[:done], error)
    return checks


def _same_product(left: Any, right: Any, received: Any) -> bool:
    try:
        return _same(np.asarray(left, dtype=float) @ np.asarray(right, dtype=float), received)
    except (TypeError, ValueError):
        return False


@dataclass
class _Reference:
    """The course's training, run with scratchnn's ``Layer``: the first ``daⁿ``, each
    epoch's per-sample losses, and the weights after the last epoch."""

    first_da: Any
    losses: list[list[float]]
    weights: Any


def _reference_fit(activations: list[str], weights: list[Any], X: Any, y: Any) -> _Reference:
    sizes = [X.shape[1]] + [w.shape[0] for w in weights[0::2]]
    layers = [Layer(n_in, n_out, name) for n_in, n_out, name
              in zip(sizes, sizes[1:], activations, strict=False)]
    for layer, W, b in zip(layers, weights[0::2], weights[1::2], strict=True):
        layer.weights, layer.biases = W.copy(), b.copy()
    first_da, losses = None, []
    for _ in range(EPOCHS):
        epoch = []
        for features, target in zip(X, y, strict=True):
            a, t = features.reshape(-1, 1), target.reshape(-1, 1)
            for layer in layers:
                a = layer.forward(a)
            epoch.append(float(np.sum(-(t * np.log(a) + (1 - t) * np.log(1 - a)))))
            da = (a - t) / (a * (1 - a))
            first_da = da if first_da is None else first_da
            for layer in reversed(layers):
                da = layer.backward(da, LEARNING_RATE)
        losses.append(epoch)
    return _Reference(first_da, losses, np.concatenate(
        [a.ravel() for layer in layers for a in (layer.weights, layer.biases)]))


def _student_fit(layer_class: type, perceptron_class: type, activations: list[Any],
                 weights: list[Any], X: Any, y: Any) -> tuple[list[Any], Spy, list[str],
                                                              BaseException | None]:
    """The student's network from ``weights``, after its ``fit`` of ``EPOCHS`` epochs: its
    layers, the calls of ``backward``, the ``Loss at epoch`` lines and the error, if any."""
    layers = [layer_class(W.shape[1], W.shape[0], activation)
              for W, activation in zip(weights[0::2], activations, strict=True)]
    for layer, W, b in zip(layers, weights[0::2], weights[1::2], strict=True):
        layer.weights, layer.biases = W.copy(), b.copy()
    spy = Spy(layer_class.backward)  # type: ignore[attr-defined]
    printed = _LossLines()
    error = None
    with contextlib.redirect_stdout(printed), spy.watching():
        try:
            perceptron_class(layers).fit(X.copy(), y.copy(), EPOCHS, LEARNING_RATE)
        except (Exception, SystemExit) as failure:  # the student's code: reported
            error = failure
    return layers, spy, printed.lines(), error


def _da_check(layer_class: type, layers: list[Any], spy: Spy, expected: Any) -> Check:
    """``daⁿ``: the ``da`` the output layer's ``backward`` receives first."""
    if not spy.calls:
        return Check("daL", False, plain(np.asarray(expected)), None, "no_backward")
    arguments = layer_class.backward.__code__.co_varnames  # type: ignore[attr-defined]
    first = spy.calls[0]
    received = first.get(arguments[1])
    if first.get(arguments[0]) is not layers[-1]:
        return Check("daL", False, plain(np.asarray(expected)),
                     plain(np.asarray(received)) if numeric(received) else None,
                     "layers_order")
    return _judge("daL", expected, received)


def _loss_check(losses: list[list[float]], parsed: list[tuple[int, str]]) -> Check:
    """The first epoch's average loss, as printed, at the precision it is printed with."""
    exact = float(np.mean(losses[0]))
    text = parsed[0][1] if len(parsed) == EPOCHS else next(
        (value for epoch, value in parsed if epoch == 1), None)
    if text is None:
        return Check("loss", False, round(exact, 3), None,
                     "print_outside_loop" if len(parsed) == 1 else "no_line")
    value, decimals = float(text), len(text.partition(".")[2])
    if abs(value - exact) <= 0.5 * 10.0 ** -decimals + 1e-12:
        return Check("loss", True)
    first = losses[0]
    alternatives = [("loss_not_averaged", sum(first)), ("loss_assigned", first[-1] / len(first)),
                    ("loss_assigned", first[-1])]
    hint = next((name for name, alternative in alternatives
                 if abs(value - alternative) <= 0.5 * 10.0 ** -decimals + 1e-12), "other")
    return Check("loss", False, round(exact, 3), value, hint)


def _line_check(losses: list[list[float]], lines: list[str], parsed: list[tuple[int, str]],
                loss: Check) -> Check:
    """The printed lines, character for character."""
    expected = [f"Loss at epoch {epoch}: {np.mean(values):.3f}"
                for epoch, values in enumerate(losses, start=1)]
    if lines == expected:
        return Check("line", True)
    if not lines:
        hint = "no_line"
    elif len(lines) == 1 and len(expected) > 1:
        hint = "print_outside_loop"
    elif (len(lines) == len(expected) and all(LINE.match(line) for line in lines)
          and [epoch for epoch, _ in parsed] == list(range(1, len(expected) + 1))):
        hint = "other"
    else:
        hint = "format"
    check = Check("line", False, "\n".join(expected), "\n".join(lines) or None, hint)
    check.follows = not loss.right and hint in ("other", loss.hint)
    return check


def _network_checks(layer_class: type, perceptron_class: type, sigmoid: Any,
                    relu: Any, earlier_wrong: bool) -> list[Check]:
    """The 2-2-1 network on the XOR table, ``EPOCHS`` epochs, from the same weights as
    ours: sigmoid in both layers, then ReLU in the hidden one."""
    X, y = xor()
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(2, 2)), np.zeros((2, 1)), rng.normal(size=(1, 2)),
               np.zeros((1, 1))]
    reference = _reference_fit(["sigmoid", "sigmoid"], weights, X, y)
    layers, spy, lines, error = _student_fit(layer_class, perceptron_class,
                                             [sigmoid, sigmoid], weights, X, y)
    checks = [_follows(_da_check(layer_class, layers, spy, reference.first_da), earlier_wrong,
                       True)]
    if error is not None:
        raise _StudentError(checks, error)
    earlier_wrong = earlier_wrong or not checks[0].right
    parsed = [(int(match[1]), match[2]) for line in lines if (match := LOOSE.match(line))]
    loss = _follows(_loss_check(reference.losses, parsed), earlier_wrong, True)
    fit = _follows(_judge("fit", reference.weights, _flat(layers)), earlier_wrong, True)
    checks += [loss, fit, _line_check(reference.losses, lines, parsed, loss)]
    # ReLU in the hidden layer; small biases, so that no z is exactly 0 (where f' is a choice)
    relu_weights = [weights[0], rng.normal(scale=0.1, size=(2, 1)), weights[2], weights[3]]
    relu_reference = _reference_fit(["relu", "sigmoid"], relu_weights, X, y)
    layers, _, _, error = _student_fit(layer_class, perceptron_class, [relu, sigmoid],
                                       relu_weights, X, y)
    relu_check = _judge("fit_relu", relu_reference.weights, _flat(layers))
    earlier_wrong = earlier_wrong or not all(c.right for c in checks)
    if not relu_check.right and not earlier_wrong:
        relu_check.hint = "relu"
    checks.append(_follows(relu_check, earlier_wrong, True))
    if error is not None:
        raise _StudentError(checks, error)
    return checks


def _flat(layers: list[Any]) -> Any:
    try:
        return np.concatenate([np.asarray(a, dtype=float).ravel() for layer in layers
                               for a in (layer.weights, layer.biases)])
    except (TypeError, ValueError, AttributeError):
        return None


class _LossLines(io.TextIOBase):
    """What ``fit`` prints, of which only the ``Loss at epoch`` lines are kept (at most
    ``LIMIT``, of at most ``WIDTH`` characters): a ``fit`` that prints without end costs no
    memory."""

    LIMIT, WIDTH = 100, 200

    def __init__(self) -> None:
        super().__init__()
        self.kept: list[str] = []
        self.current = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self.current + text).splitlines(keepends=True)
        self.current = ""
        if lines and lines[-1] == lines[-1].splitlines()[0]:  # not ended yet
            self.current = lines.pop()[:self.WIDTH]
        for line in lines:
            self._keep(line)
        return len(text)

    def _keep(self, line: str) -> None:
        line = line[:self.WIDTH].strip()
        if line.startswith("Loss at epoch") and len(self.kept) < self.LIMIT:
            self.kept.append(line)

    def lines(self) -> list[str]:
        """The ``Loss at epoch`` lines printed, the last one even without its end of line."""
        self._keep(self.current)
        self.current = ""
        return self.kept


class _StudentError(Exception):
    def __init__(self, checks: list[Check], error: BaseException) -> None:
        super().__init__(error)
        self.checks, self.error = checks, error


def check(layer_class: type, perceptron_class: type, activation: Any = None,
          relu: Any = None) -> Report:
    """Check a ``Layer`` and a ``Perceptron`` class against the formulas (in this process).

    ``activation``: the sigmoid object the student's layers are built with, ``relu`` the
    ReLU one of the hidden layer in the last check (default scratchnn's ``sigmoid`` and
    ``relu``, which have the course's ``__call__`` and ``derivative``).
    """
    from .activations import relu as our_relu
    from .activations import sigmoid

    activation = sigmoid if activation is None else activation
    relu = our_relu if relu is None else relu
    filename = getattr(getattr(layer_class, "backward", None), "__code__", None)
    filename = filename.co_filename if filename is not None else ""
    report = Report()
    try:
        report.checks += _layer_checks(layer_class, activation)
        report.checks += _network_checks(layer_class, perceptron_class, activation, relu,
                                         not all(c.right for c in report.checks))
    except _StudentError as failure:
        report.checks += failure.checks
        report.stopped(failure.error, "check", filename)
    except (Exception, SystemExit) as failure:  # the student's code: reported
        report.stopped(failure, "check", filename)
    return report


def check_file(path: str) -> Report:
    """Import the student's file without its top-level training (``student_file.load``)
    and check its ``Layer`` and ``Perceptron``; its own ``sigmoid`` and ``relu`` (or its
    utilities') build the layers when it has them."""
    try:
        loaded = load(Path(path))
    except (Exception, SystemExit) as failure:  # the student's code: reported
        return Report().stopped(failure, "import", str(path))
    module = loaded.module
    missing = [name for name in ("Layer", "Perceptron") if not hasattr(module, name)]
    if missing and _is_tf_solution(module):
        from .check_tf import check_tf

        try:
            report = check_tf(module, loaded.tree, str(path))
        except (Exception, SystemExit) as failure:  # the student's code: reported
            report = Report().stopped(failure, "check", str(path))
    elif missing:
        report = Report(problem=["missing", {"names": missing}])
    else:
        report = check(module.Layer, module.Perceptron, getattr(module, "sigmoid", None),
                       getattr(module, "relu", None))
    report.skipped = [list(lines) for lines in loaded.skipped]
    report.utils = loaded.utils
    return report


def _is_tf_solution(module: Any) -> bool:
    """A solution of document A: a ``train_step`` (checked by ``scratchnn.check_tf``)."""
    return callable(getattr(module, "train_step", None))


#: The default time limits: a NumPy solution's, and a TensorFlow one's (importing
#: TensorFlow alone takes seconds).
TIMEOUT, TF_TIMEOUT = 30.0, 90.0


def default_timeout(path: str) -> float:
    """``TF_TIMEOUT`` for a file that imports TensorFlow, else ``TIMEOUT``."""
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return TIMEOUT
    modules = {alias.name.split(".")[0] for node in ast.walk(tree)
               if isinstance(node, ast.Import) for alias in node.names}
    modules |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom)}
    return TF_TIMEOUT if "tensorflow" in modules else TIMEOUT


def check_in_subprocess(path: str, timeout: float = TIMEOUT) -> Report:
    """``check_file(path)`` in a process of its own, for at most ``timeout`` seconds: what
    ``scratchnn check`` does.  The file's output is not read for the report (only its last
    64 kB, for the last words of a process that ended without one)."""
    with tempfile.TemporaryDirectory(prefix="scratchnn-check-") as folder:
        verdict = Path(folder) / "report.json"
        finished = run_bounded([sys.executable, "-c", "from scratchnn.check import _child; "
                                "_child()", str(verdict), str(path)], timeout)
        if finished.returncode is None:
            return Report(timeout=timeout)
        try:
            return Report.from_json(verdict.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return _last_words(finished.returncode, finished.output)


def _last_words(returncode: int, output: bytes) -> Report:
    """Why a process ended without a report: the signal that ended it, or the last line it
    wrote (a traceback's ends with the error), or its exit status."""
    if returncode < 0:
        return Report(problem=["ended_by_signal", {"signal": signal.Signals(-returncode).name}])
    lines = output.decode("utf-8", errors="replace").strip().splitlines()
    if lines:
        last = lines[-1].strip()
        return Report(error=last if len(last) <= 200 else last[:200] + "…")
    return Report(problem=["ended_with_status", {"status": returncode}])


def _child() -> None:
    """The process of ``check_in_subprocess``: ``python -c ... REPORT SOLUTION``.  The
    report's path is taken out of ``sys.argv`` before the file is imported; once written,
    the process ends at once (no thread or exit handler of the file can hold it)."""
    report_path, solution = sys.argv[1:3]
    sys.argv = [solution]
    report = check_file(solution)
    Path(report_path).write_text(report.to_json(), encoding="utf-8")
    os._exit(0)
