"""The report of ``scratchnn check``: each check, right or wrong, and what stopped the student's
code; and ``Spy``, which reads a function's local variables as it runs.

Shared by the checks of the NumPy exercise (``scratchnn.check``) and of the TensorFlow one
(``scratchnn.check_tf``).
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from types import FrameType
from typing import Any

import numpy as np

from .language import words
from .student_file import location

__all__ = ["NAMES", "Check", "Report", "Spy", "numeric", "plain"]

#: The names a ``backward`` may give each quantity: the course's first, then common ones.
NAMES = {
    "dz": ("dz", "dZ", "delta"),
    "d_weights": ("d_weights", "dW", "dw", "d_W", "dweights", "grad_weights"),
    "d_biases": ("d_biases", "db", "dB", "d_b", "dbiases", "grad_biases"),
    "da_prev": ("da_prev", "dA_prev", "da_previous", "dinputs", "d_inputs"),
}


@dataclass
class Check:
    """One formula: whether the student's numbers are right, and if not, what was expected;
    ``follows``: wrong only because an earlier check is (the student's numbers agree with
    the formula applied to the student's own wrong inputs); ``detail``: words for the hint
    (the variable names looked for, separated by spaces)."""

    key: str
    right: bool
    expected: Any = None
    received: Any = None
    hint: str | None = None
    follows: bool = False
    detail: str = ""


@dataclass
class Report:
    """The checks in the course's order, or what stopped the student's code: an error, the
    time limit, or a ``SystemExit`` (``exited_at`` "import" or "check", with its code).

    ``where``: the line of the student's file the error happened at, ``[number, source,
    function]``; ``skipped``: the line ranges of the file's top level that were not run;
    ``utils``: ``from utils import ...`` read ``scratchnn.utils``; ``problem``: what kept
    the check from running that is not an error of Python, as ``[key, values]`` of a phrase
    of ``scratchnn.language`` (a list among the values is a list of names missing)."""

    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    timeout: float | None = None
    exited_at: str | None = None
    exit_code: str = ""
    where: list[Any] | None = None
    skipped: list[list[int]] = field(default_factory=list)
    utils: bool = False
    problem: list[Any] | None = None

    @property
    def ok(self) -> bool:
        return (self.error is None and self.timeout is None and self.exited_at is None
                and self.problem is None and all(c.right for c in self.checks))

    def stopped(self, failure: BaseException, when: str, filename: str = "") -> Report:
        """Record what stopped the student's code ``when`` ("import" or "check"), and where
        in the file ``filename`` it happened."""
        if isinstance(failure, SystemExit):
            code = failure.code
            self.exited_at = when
            self.exit_code = "" if code is None else repr(code)
        else:
            self.error = f"{type(failure).__name__}: {_plain_message(failure)}"
            found = location(failure, filename) if filename else None
            self.where = list(found) if found else None
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
        if self.skipped:
            lines.append(say["skipped"].format(lines=", ".join(
                str(first) if first == last else f"{first}-{last}"
                for first, last in self.skipped)))
        if self.utils:
            lines.append(say["utils"])
        first_wrong = next((c for c in self.checks if not c.right), None)
        for item in self.checks:
            verdict = say["right"] if item.right else say["wrong"]
            if item.follows:
                verdict += say["follows"]
            lines.append(f"{say['check_' + item.key]:<72} {verdict}")
            if item is first_wrong:
                lines += [f"    {say['expected']}{say['colon']} {_show(item.expected)}",
                          f"    {say['received']}{say['colon']} {_show(item.received)}",
                          f"    {say['hint']}{say['colon']} "
                          + say["hint_" + (item.hint or "other")].format(
                              names=f" {say['or']} ".join(item.detail.split()))]
        if self.timeout is not None:
            lines.append(say["timeout"].format(seconds=f"{self.timeout:g}"))
        elif self.exited_at is not None:
            lines.append(say["exit_" + self.exited_at].format(code=self.exit_code))
        elif self.problem is not None:
            key, values = self.problem
            lines.append(say[key].format(**{name: say["and_no"].join(value)
                                            if isinstance(value, list) else value
                                            for name, value in values.items()}))
        elif self.error is not None:
            lines.append(say["crashed"].format(error=self.error))
            if self.where:
                number, source, function = self.where
                formula = _formula_of(source)
                lines.append(say["error_at"].format(line=number, source=source,
                                                    function=function)
                             + (f"  ({say['check_' + formula]})" if formula else ""))
        elif first_wrong is None:
            lines.append(say["all_right"].format(count=len(self.checks)))
        else:
            wrong = sum(not c.right for c in self.checks)
            lines.append(say["some_wrong"].format(wrong=wrong, count=len(self.checks),
                                                  name=say["check_" + first_wrong.key]))
        return "\n".join(lines)


def _plain_message(failure: BaseException) -> str:
    """The error's message without what TensorFlow adds around it (the graph node it ran
    in, the operation's name)."""
    message = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", str(failure))
    return re.sub(r"\s*\[Op:\w+\]( name: \S*)?\s*$", "", message)


def _formula_of(source: str) -> str | None:
    """The check a line of the student's code computes, from the name it assigns
    (``dW = ...``: ``d_weights``; ``self.weights -= ...``: the update), if any."""
    try:
        statement = ast.parse(source.strip()).body[0]
    except (SyntaxError, IndexError):
        return None
    targets = (statement.targets if isinstance(statement, ast.Assign) else
               [statement.target] if isinstance(statement, ast.AugAssign | ast.AnnAssign)
               else [])
    for target in targets:
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if isinstance(statement, ast.AugAssign) and name in ("weights", "biases"):
            return "update"
        for key, names in NAMES.items():
            if name in names:
                return key
    return None


def _show(value: Any) -> str:
    if isinstance(value, list):
        return np.array2string(np.array(value, dtype=object), precision=4, separator=", ")
    return str(value)


def numeric(value: Any) -> bool:
    """Whether ``value`` is a number or an array of numbers (what a formula's value is)."""
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return value is not None


def plain(value: Any) -> Any:
    """A value as JSON can hold it: arrays as (rounded) nested lists."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return np.round(value.astype(float), 6).tolist()
    return None if value is None else repr(value)


class Spy:
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
