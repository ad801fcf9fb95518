"""Check a student's course solution against the formulas: ``scratchnn check solution.py``.

The course's exercise writes ``Layer(n_inputs, n_neurons, activation)`` with
``forward(inputs)`` and ``backward(da, learning_rate)``, and ``Perceptron(layers)`` with
``fit(training_data, labels, epochs, learning_rate)``.  ``check(Layer, Perceptron)`` runs them
from the same weights as scratchnn's own, and judges each formula in the course's order:

1. on random data, one layer (3 inputs, 2 neurons, sigmoid): the forward pass, then in
   ``backward`` ``dz``, ``d_weights``, ``d_biases``, ``da_prev`` (read from the local
   variables of that name, or the value returned) and the update of the weights;
2. on the XOR table, the 2-2-1 network: ``daⁿ`` (the ``da`` the output layer receives
   first), the loss of the first epoch (from the printed line), the weights after two
   epochs, and the printed ``Loss at epoch N: L.LLL`` lines.

Each check is right or wrong; for a wrong one the report gives the expected and received
numbers and a hint in words (a transposed product, a missing learning rate, a sign, ...).
``check_in_subprocess`` (``scratchnn check``) runs the student's file in a process of its own
with a time limit, so an endless loop, a crash or an ``exit()`` in it is reported, not
inherited; the report comes back in a file the student's code is not told of, not in its
output, and every process the file started is killed when it ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import signal
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import numpy as np

from .bounded_process import run_bounded
from .datasets import xor
from .language import words
from .layers import Layer
from .numpy_engine import Perceptron

__all__ = ["Check", "Report", "check", "check_file", "check_in_subprocess"]

LEARNING_RATE = 0.1
TOLERANCE = 1e-9
LINE = re.compile(r"Loss at epoch (\d+): (-?\d+\.\d{3})$")


@dataclass
class Check:
    """One formula: whether the student's numbers are right, and if not, what was expected."""

    key: str
    right: bool
    expected: Any = None
    received: Any = None
    hint: str | None = None


@dataclass
class Report:
    """The checks in the course's order, or what stopped the student's code: an error, the
    time limit, or a ``SystemExit`` (``exited_at`` "import" or "check", with its code)."""

    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    timeout: float | None = None
    exited_at: str | None = None
    exit_code: str = ""

    @property
    def ok(self) -> bool:
        return (self.error is None and self.timeout is None and self.exited_at is None
                and all(c.right for c in self.checks))

    def stopped(self, failure: BaseException, when: str) -> Report:
        """Record what stopped the student's code ``when`` ("import" or "check")."""
        if isinstance(failure, SystemExit):
            code = failure.code
            self.exited_at = when
            self.exit_code = "" if code is None else repr(code)
        else:
            self.error = f"{type(failure).__name__}: {failure}"
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        return cls(**{**data, "checks": [Check(**item) for item in data["checks"]]})

    def text(self, language: str = "en") -> str:
        """The report for a person: every check, the first wrong one in detail."""
        say = words(language)
        lines = []
        first_wrong = next((c for c in self.checks if not c.right), None)
        for item in self.checks:
            verdict = say["right"] if item.right else say["wrong"]
            lines.append(f"{say['check_' + item.key]:<72} {verdict}")
            if item is first_wrong:
                lines += [f"    {say['expected']}: {_show(item.expected)}",
                          f"    {say['received']}: {_show(item.received)}",
                          f"    {say['hint']}: {say['hint_' + (item.hint or 'other')]}"]
        if self.timeout is not None:
            lines.append(say["timeout"].format(seconds=f"{self.timeout:g}"))
        elif self.exited_at is not None:
            lines.append(say["exit_" + self.exited_at].format(code=self.exit_code))
        elif self.error is not None:
            lines.append(say["crashed"].format(error=self.error))
        elif first_wrong is None:
            lines.append(say["all_right"].format(count=len(self.checks)))
        else:
            wrong = sum(not c.right for c in self.checks)
            lines.append(say["some_wrong"].format(wrong=wrong, count=len(self.checks),
                                                  name=say["check_" + first_wrong.key]))
        return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return np.array2string(np.array(value, dtype=object), precision=4, separator=", ")
    return str(value)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: arrays as (rounded) nested lists."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return np.round(value.astype(float), 6).tolist()
    return None if value is None else repr(value)


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
    return Check(key, False, _plain(np.asarray(expected)), _plain(
        received if isinstance(received, np.ndarray) else np.asarray(received)
        if received is not None else None), _hint(expected, received, also))


class _Spy:
    """Records the arguments and the local variables of one function (the student's
    ``Layer.backward``) at each call and at each return, through ``sys.setprofile``."""

    def __init__(self, function: Any) -> None:
        self.code = getattr(function, "__code__", None)
        self.calls: list[dict[str, Any]] = []
        self.returns: list[dict[str, Any]] = []

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if frame.f_code is not self.code:
            return
        if event == "call":
            self.calls.append({k: _copy(v) for k, v in frame.f_locals.items()})
        elif event == "return":
            self.returns.append({k: _copy(v) for k, v in frame.f_locals.items()})

    @contextlib.contextmanager
    def watching(self) -> Any:
        previous = sys.getprofile()
        sys.setprofile(self._profile)
        try:
            yield self
        finally:
            sys.setprofile(previous)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


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
    checks = [_judge("forward", expected_a, student.forward(x.copy()))]
    assert reference.z is not None and reference.output is not None
    dz = reference.activation.backward(da, reference.z, reference.output)
    d_weights, d_biases, da_prev = dz @ x.T, dz, W.T @ dz
    new_W, new_b = W - LEARNING_RATE * d_weights, b - LEARNING_RATE * d_biases
    spy = _Spy(layer_class.backward)  # type: ignore[attr-defined]
    error = None
    with spy.watching():
        try:
            returned = student.backward(da.copy(), LEARNING_RATE)
        except (Exception, SystemExit) as failure:  # the student's code: reported
            returned, error = None, failure
    found = spy.returns[-1] if spy.returns else {}

    def local(name: str) -> Any:
        return found.get(name, getattr(student, name, None))

    checks += [
        _judge("dz", dz, local("dz")),
        _judge("d_weights", d_weights, local("d_weights")),
        _judge("d_biases", d_biases, local("d_biases")),
        _judge("da_prev", da_prev, returned if returned is not None else local("da_prev"),
               {"updated_weights": new_W.T @ dz}),
        _judge("update", np.vstack([new_W.T, new_b.T]),
               np.vstack([np.asarray(student.weights).T, np.asarray(student.biases).T])
               if np.shape(student.weights) == W.shape and np.shape(student.biases) == b.shape
               else student.weights,
               {"learning_rate": np.vstack([(W - d_weights).T, (b - d_biases).T])}),
    ]
    if error is not None:
        raise _StudentError(checks, error)
    return checks


def _network_checks(layer_class: type, perceptron_class: type, activation: Any) -> list[Check]:
    """The 2-2-1 network on the XOR table, two epochs, from the same weights as ours."""
    X, y = xor()
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(2, 2)), np.zeros((2, 1)), rng.normal(size=(1, 2)),
               np.zeros((1, 1))]
    reference = Perceptron([Layer(2, 2, "sigmoid"), Layer(2, 1, "sigmoid")])
    reference.set_weights([w.copy() for w in weights])
    expected_out = io.StringIO()
    with contextlib.redirect_stdout(expected_out):
        reference.fit(X, y, epochs=2, learning_rate=LEARNING_RATE)
    expected_lines = [line for line in expected_out.getvalue().splitlines()
                      if line.startswith("Loss at epoch")]
    first = Layer(2, 2, "sigmoid")
    first.weights, first.biases = weights[0].copy(), weights[1].copy()
    y_hat = Layer(2, 1, "sigmoid")
    y_hat.weights, y_hat.biases = weights[2].copy(), weights[3].copy()
    output = y_hat.forward(first.forward(X[0].reshape(-1, 1)))
    expected_da = (output - y[0]) / (output * (1 - output))

    layers = [layer_class(2, 2, activation), layer_class(2, 1, activation)]
    for layer, (W, b) in zip(layers, zip(weights[0::2], weights[1::2], strict=True),
                             strict=True):
        layer.weights, layer.biases = W.copy(), b.copy()
    student = perceptron_class(layers)
    spy = _Spy(layer_class.backward)  # type: ignore[attr-defined]
    printed = _LossLines()
    with contextlib.redirect_stdout(printed), spy.watching():
        student.fit(X.copy(), y.copy(), 2, LEARNING_RATE)
    lines = printed.lines()
    first_loss = LINE.match(lines[0]) if lines else None
    received_da = None
    if spy.calls:
        arguments = layer_class.backward.__code__.co_varnames  # type: ignore[attr-defined]
        received_da = spy.calls[0].get(arguments[1])
    return [
        _judge("daL", expected_da, received_da),
        _judge("loss", float(expected_lines[0].split(": ")[1]),
               float(first_loss.group(2)) if first_loss else None),
        _judge("fit", np.concatenate([w.ravel() for w in reference.get_weights()]),
               np.concatenate([np.asarray(a, dtype=float).ravel() for layer in layers
                               for a in (layer.weights, layer.biases)])),
        Check("line", True) if lines == expected_lines else Check(
            "line", False, "\n".join(expected_lines), "\n".join(lines) or None, "other"),
    ]


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


def check(layer_class: type, perceptron_class: type, activation: Any = None) -> Report:
    """Check a ``Layer`` and a ``Perceptron`` class against the formulas (in this process).

    ``activation``: the sigmoid object the student's layers are built with (default
    scratchnn's ``sigmoid``, which has the course's ``__call__`` and ``derivative``).
    """
    from .activations import sigmoid

    activation = sigmoid if activation is None else activation
    report = Report()
    try:
        report.checks += _layer_checks(layer_class, activation)
        report.checks += _network_checks(layer_class, perceptron_class, activation)
    except _StudentError as failure:
        report.checks += failure.checks
        report.stopped(failure.error, "check")
    except (Exception, SystemExit) as failure:  # the student's code: reported
        report.stopped(failure, "check")
    return report


def _import(path: Path) -> ModuleType:
    sys.path.insert(0, str(path.parent))  # the student's own utilities beside the file
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_file(path: str) -> Report:
    """Import the student's file and check its ``Layer`` and ``Perceptron``; its own
    ``sigmoid`` (or its utilities') builds the layers when it has one."""
    try:
        module = _import(Path(path))
    except (Exception, SystemExit) as failure:  # the student's code: reported
        return Report().stopped(failure, "import")
    missing = [name for name in ("Layer", "Perceptron") if not hasattr(module, name)]
    if missing:
        return Report(error=f"the file defines no {' and no '.join(missing)}")
    return check(module.Layer, module.Perceptron, getattr(module, "sigmoid", None))


def check_in_subprocess(path: str, timeout: float = 30.0) -> Report:
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
            return Report(error=_last_words(finished.returncode, finished.output))


def _last_words(returncode: int, output: bytes) -> str:
    """Why a process ended without a report: the signal that ended it, or the last line it
    wrote (a traceback's ends with the error), or its exit status."""
    if returncode < 0:
        return f"ended by signal {signal.Signals(-returncode).name}"
    lines = output.decode("utf-8", errors="replace").strip().splitlines()
    if lines:
        last = lines[-1].strip()
        return last if len(last) <= 200 else last[:200] + "…"
    return f"ended with exit status {returncode} and no report"


def _child() -> None:
    """The process of ``check_in_subprocess``: ``python -c ... REPORT SOLUTION``.  The
    report's path is taken out of ``sys.argv`` before the file is imported; once written,
    the process ends at once (no thread or exit handler of the file can hold it)."""
    report_path, solution = sys.argv[1:3]
    sys.argv = [solution]
    report = check_file(solution)
    Path(report_path).write_text(report.to_json(), encoding="utf-8")
    os._exit(0)
