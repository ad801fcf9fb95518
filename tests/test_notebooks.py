"""The exercise notebooks of ``docs/`` run from top to bottom in a Jupyter kernel, and say what
they claim: the solution passes ``check``, and scratchnn's engine, from the same weights, ends
at the solution's weights."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

DOCS = Path(__file__).resolve().parent.parent / "docs"


def run(name: str, folder: Path) -> str:
    """Execute ``docs/<name>`` in ``folder`` (its files land there); the text it printed."""
    notebook = nbformat.read(DOCS / name, as_version=4)
    nbclient.NotebookClient(notebook, timeout=240, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []) if output.get("name") == "stdout")


def largest_gap(printed: str) -> float:
    return float(re.findall(r"plus grand écart entre les poids : (\S+)", printed)[-1])


def test_the_numpy_exercise_notebook(tmp_path: Path) -> None:
    printed = run("exercice-b-numpy.ipynb", tmp_path)
    assert "Les 11 vérifications sont justes" in printed
    assert "Loss at epoch 5000: 0.001" in printed and "Rétropropagation" in printed
    assert largest_gap(printed) < 1e-12   # the same arithmetic, sample after sample


@pytest.mark.slow
@pytest.mark.tensorflow
def test_the_tensorflow_exercise_notebook(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    printed = run("exercice-a-tensorflow.ipynb", tmp_path)
    assert "Les 7 vérifications sont justes" in printed and (tmp_path / "xor_tf.py").exists()
    assert largest_gap(printed) < 1e-4    # float32, 1000 steps from the same weights
