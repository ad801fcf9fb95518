"""The learner's tools: ``scratchnn check`` on a course solution and on wrong ones, and
``scratchnn trace`` against the hand-worked example."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from scratchnn import Layer, Perceptron, check
from scratchnn.trace import trace

SOLUTION = (Path(__file__).parent / "course" / "solution.py").read_text()
SCRATCHNN = str(Path(sys.executable).parent / "scratchnn")

#: Each slip a student makes, as the line changed, and where the check must report it.
WRONG = {
    "transposed d_weights": (("d_weights = np.dot(dz, self.inputs.T)",
                              "d_weights = np.dot(self.inputs, dz.T)"),
                             "d_weights = dz · a_prevᵀ", "looks transposed"),
    "no learning rate": (("learning_rate * d_", "d_"),
                         "weights -= learning_rate · d_weights", "does not use the learning"),
    "d_biases of the wrong sign": (("d_biases = dz", "d_biases = -dz"), "d_biases = dz",
                                   "sign is the other way round"),
    "da_prev from the updated weights": (
        ("        da_prev = np.dot(self.weights.T, dz)\n        self.weights -= learning_rate"
         " * d_weights\n        self.biases -= learning_rate * d_biases\n",
         "        self.weights -= learning_rate * d_weights\n        self.biases -= "
         "learning_rate * d_biases\n        da_prev = np.dot(self.weights.T, dz)\n"),
        "da_prev = Wᵀ · dz", "from before the update"),
    "loss derivative of the wrong sign": (("da = (y_hat - y)", "da = (y - y_hat)"),
                                          "daⁿ = (ŷ - y) / (ŷ (1 - ŷ))", "sign is the other"),
}


def run_check(tmp_path: Path, source: str, *options: str) -> tuple[int, str]:
    path = tmp_path / "solution.py"
    path.write_text(source)
    result = subprocess.run([SCRATCHNN, "check", str(path), *options], capture_output=True,
                            text=True, timeout=120, check=False)
    return result.returncode, result.stdout + result.stderr


def test_a_right_solution_passes(tmp_path: Path) -> None:
    code, output = run_check(tmp_path, SOLUTION)
    assert code == 0, output
    assert output.count(" right\n") == 10
    assert "All 10 checks are right" in output


@pytest.mark.parametrize("slip", list(WRONG))
def test_each_slip_is_reported_at_its_formula(slip: str, tmp_path: Path) -> None:
    (old, new), formula, hint = WRONG[slip]
    assert old in SOLUTION
    code, output = run_check(tmp_path, SOLUTION.replace(old, new))
    assert code == 1, output
    first_wrong = next(line for line in output.splitlines() if line.endswith(" WRONG"))
    assert first_wrong.startswith(formula), output
    details = output.split(first_wrong)[1]
    assert "    expected: " in details and "    received: " in details
    assert hint in next(line for line in details.splitlines() if line.startswith("    hint: "))


def test_an_endless_loop_is_stopped_and_reported(tmp_path: Path) -> None:
    start = time.perf_counter()
    code, output = run_check(tmp_path, SOLUTION.replace("for epoch in range(epochs):",
                                                        "while True:\n            epoch = 0"),
                             "--timeout", "5")
    assert code == 1 and "did not finish within 5 s" in output
    assert time.perf_counter() - start < 30


def test_a_crash_is_reported_not_inherited(tmp_path: Path) -> None:
    code, output = run_check(tmp_path, SOLUTION.replace("return da_prev", "return da_prv"))
    assert code == 1 and "NameError" in output and "Traceback" not in output


def test_the_report_in_french(tmp_path: Path) -> None:
    (old, new), _, _ = WRONG["d_biases of the wrong sign"]
    code, output = run_check(tmp_path, SOLUTION.replace(old, new), "--lang", "fr")
    assert code == 1
    assert "d_biases = dz" in output and " FAUX" in output and "le signe est inversé" in output
    assert "vérifications sur 10 sont fausses" in output


def test_the_same_from_python(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(SOLUTION, namespace)
    report = check(namespace["Layer"], namespace["Perceptron"],  # type: ignore[arg-type]
                   namespace["sigmoid"])
    assert report.ok and len(report.checks) == 10
    assert check(Layer, Perceptron).ok is False  # scratchnn's own Layer: other signature


def test_trace_shows_the_hand_worked_example() -> None:
    # The step worked out by hand in test_hand_worked.py, printed formula by formula.
    model = Perceptron([Layer(2, 2, "relu"), Layer(2, 1, "sigmoid")])
    model.set_weights([np.array([[0.5, -0.5], [1.0, 0.5]]), np.zeros((2, 1)),
                       np.array([[1.0, -0.2]]), np.zeros((1, 1))])
    text = "\n".join(trace(model, np.array([2.0, 1.0]), np.array([1.0]), 0.1))
    for line in ["z¹ = W¹·a⁰ + b¹ = (0.5, 2.5)ᵀ", "a² = sigmoid(z²) = (0.5)ᵀ",
                 "L = binary_crossentropy(y, a²) = 0.6931", "da² = ∂L/∂a² = (-2)ᵀ",
                 "dz² = da² ⊙ f'(z²) = (-0.5)ᵀ", "d_weights² = dz² · a¹ᵀ = (-0.25, -1.25)",
                 "da¹ = W²ᵀ · dz² = (-0.5, 0.1)ᵀ",
                 "d_weights¹ = dz¹ · a⁰ᵀ = [[-1, -0.5], [0.2, 0.1]]",
                 "W¹ ← W¹ - 0.1 · d_weights¹ = [[0.6, -0.45], [0.98, 0.49]]",
                 "b² ← b² - 0.1 · d_biases² = (0.05)ᵀ"]:
        assert line in text, line
    np.testing.assert_allclose(model.layers[0].weights, [[0.6, -0.45], [0.98, 0.49]])


def test_trace_from_the_command_line_in_both_languages() -> None:
    english = subprocess.run([SCRATCHNN, "trace"], capture_output=True, text=True, timeout=60,
                             check=True).stdout
    french = subprocess.run([SCRATCHNN, "trace", "--lang", "fr"], capture_output=True,
                            text=True, timeout=60, check=True).stdout
    assert english.startswith("One training step of the 2-2-1 sigmoid network on sample 1")
    assert french.startswith("Un pas d'entraînement du réseau 2-2-1 sigmoid")
    assert "Propagation avant" in french and "Rétropropagation" in french
    numbers = re.compile(r"-?\d+\.\d+")
    assert numbers.findall(english) == numbers.findall(french)  # the same step
