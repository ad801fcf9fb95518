"""A student's course file imported for ``scratchnn check``, without its top-level training.

The course's files build and train their network at the bottom of the file, with no
``if __name__ == "__main__":``; importing them as they are would train for minutes before
anything is checked, and a slip in the training would stop the import.  ``load`` reads the
file's syntax tree and runs only what defines things:

- imports, function and class definitions, and ``if __name__ == "__main__":`` blocks (which
  do not run on import anyway) are kept;
- a top-level loop (``for``, ``while``) is left out, and so is any other statement that uses
  a function or class of the file, or a name such a left-out statement set (``model =
  Perceptron(...)``, ``model.fit(...)``, ``print(model.forward(x))``), except an instance
  built from constants (``relu = ReLU()``, which the file's own code needs; what uses it
  at the top level is left out too);
- everything else (constants, ``np.array``, ``tf.Variable(tf.random.normal(...))``) is kept.

The report names the lines left out.  When the folder has no ``utils.py``, ``from utils
import X_train, y_train, relu, sigmoid`` (as the course writes it) reads ``scratchnn.utils``.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

__all__ = ["Loaded", "load", "location", "run_lines"]

_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass
class Loaded:
    """The imported module, the line ranges ``(first, last)`` left out, whether
    ``scratchnn.utils`` stood for a ``utils`` module the folder does not have, and the
    file's syntax tree."""

    module: ModuleType
    skipped: list[tuple[int, int]]
    utils: bool
    tree: ast.Module


def _is_main_block(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":``."""
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def _is_constant_instance(node: ast.stmt, classes: set[str]) -> bool:
    """``name = SomeClassOfTheFile(constants...)``, such as ``relu = ReLU()``."""
    value = node.value if isinstance(node, ast.Assign) else None
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id in classes
            and all(isinstance(arg, ast.Constant) for arg in value.args)
            and all(isinstance(kw.value, ast.Constant) for kw in value.keywords))


def run_lines(tree: ast.Module) -> tuple[list[ast.stmt], list[tuple[int, int]]]:
    """The top-level statements to run, and the line ranges of those left out."""
    defined = {node.name for node in tree.body if isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    tainted = set(defined)
    kept: list[ast.stmt] = []
    skipped: list[tuple[int, int]] = []
    previous_skipped = False
    for node in tree.body:
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        bound = {n.id for n in ast.walk(node)
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        instance = _is_constant_instance(node, classes)
        if instance:  # kept, but what later uses it at the top level is not run
            tainted |= bound
        if (isinstance(node, _DEFINITIONS) or _is_main_block(node) or instance
                or not (isinstance(node, ast.For | ast.While | ast.AsyncFor) or names & tainted)):
            kept.append(node)
            previous_skipped = False
            continue
        tainted |= bound
        last = node.end_lineno or node.lineno
        if previous_skipped:
            skipped[-1] = (skipped[-1][0], last)
        else:
            skipped.append((node.lineno, last))
        previous_skipped = True
    return kept, skipped


def _imports_utils(node: ast.stmt) -> bool:
    """``import utils`` or ``from utils import ...``."""
    if isinstance(node, ast.ImportFrom):
        return node.module == "utils" and not node.level
    return isinstance(node, ast.Import) and any(alias.name == "utils" for alias in node.names)


def load(path: Path) -> Loaded:
    """Import the file at ``path`` as a module, without its top-level training.

    Its folder comes first on ``sys.path`` (the student's own ``utils.py`` beside it).  A
    syntax error is raised as Python would raise it on import.
    """
    source = path.read_text(encoding="utf-8")
    filename = str(path)
    tree = ast.parse(source, filename)
    kept, skipped = run_lines(tree)
    sys.path.insert(0, str(path.parent))
    utils = (not (path.parent / "utils.py").exists() and "utils" not in sys.modules
             and any(_imports_utils(node) for node in kept))
    if utils:
        sys.modules["utils"] = importlib.import_module(f"{__package__}.utils")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: dataclasses and pickle look there
    code = compile(ast.Module(body=kept, type_ignores=[]), filename, "exec")
    exec(code, module.__dict__)
    return Loaded(module, skipped, utils, tree)


def location(failure: BaseException, filename: str) -> tuple[int, str, str] | None:
    """Where in the file ``filename`` the ``failure`` happened, as the innermost frame of
    its traceback in that file: its line number, the line, and the function's name."""
    frames = [frame for frame in traceback.extract_tb(failure.__traceback__)
              if frame.filename == filename]
    if isinstance(failure, SyntaxError) and failure.filename == filename and failure.lineno:
        return failure.lineno, (failure.text or "").strip(), "<module>"
    if not frames:
        return None
    frame = frames[-1]
    return frame.lineno or 0, (frame.line or "").strip(), frame.name
