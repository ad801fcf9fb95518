"""``scratchnn check`` on files as the course's students write them: the training at the
bottom of the file not run, the course's names, ``from utils import ...``, and a hint in
English and French for each slip (each in its own file under tests/course/)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scratchnn.check import TF_TIMEOUT, TIMEOUT, Report, check, default_timeout
from scratchnn.language import LANGUAGES, WORDS, words
from scratchnn.student_file import run_lines
from tests.conftest import COURSE, slipped

SCRATCHNN = str(Path(sys.executable).parent / "scratchnn")

#: Each slip: its edits of the right solution (tests/course/solution.py), the first wrong
#: check, its hint (English, French), and the checks marked as following from it.
SLIPS = {
    "loss_not_averaged": (
        [("{total / len(training_data):.3f}", "{total:.3f}")],
        "loss", "not divided by the number of examples N",
        "n'est pas divisée par le nombre d'exemples N", {"line"}),
    "loss_assigned": (
        [("total += float(", "total = float(")],
        "loss", "assigned, not accumulated: loss += ...",
        "affectée, pas accumulée : loss += ...", {"line"}),
    "print_outside_loop": (
        [("for epoch in range(epochs):",
          "for epoch in range(epochs):  # noqa: B007  (the slip: epoch is used after the loop)"),
         ("            print(f\"Loss at epoch", "        print(f\"Loss at epoch")],
        "loss", "print inside the epoch loop", "affichez dans la boucle des époques", {"line"}),
    "wrong_format": (
        [("{total / len(training_data):.3f}", "{total / len(training_data):.4f}")],
        "line", "epochs from 1, three decimals", "trois décimales", set()),
    "da_wrong_sign": (
        [("da = (y_hat - y) / (y_hat * (1 - y_hat))", "da = (y - y_hat) / (y_hat * (1 - y_hat))")],
        "daL", "the sign is the other way round", "le signe est inversé",
        {"loss", "fit", "line", "fit_relu"}),
    "derivative_of_a": (
        [("self.activation.derivative(self.z)",
          "self.activation.derivative(self.activation(self.z))")],
        "dz", "use f'(z)", "utilisez f'(z)",
        {"d_weights", "d_biases", "da_prev", "update", "loss", "fit", "line", "fit_relu"}),
    "no_learning_rate": (
        [("self.weights -= learning_rate * d_weights", "self.weights -= d_weights"),
         ("self.biases -= learning_rate * d_biases", "self.biases -= d_biases")],
        "update", "does not use the learning rate", "n'utilise pas le taux d'apprentissage",
        {"loss", "fit", "line", "fit_relu"}),
    "layers_order": (
        [("for layer in reversed(self.layers):", "for layer in self.layers:")],
        "daL", "for layer in reversed(self.layers)", "for layer in reversed(self.layers)",
        set()),
    "unknown_names": (
        [("d_weights = np.dot(dz, self.inputs.T)", "gw = np.dot(dz, self.inputs.T)"),
         ("self.weights -= learning_rate * d_weights", "self.weights -= learning_rate * gw")],
        "d_weights", "no variable d_weights or dW in backward",
        "pas de variable d_weights ni dW dans backward", set()),
}


def checked(path: Path) -> Report:
    """The check of the classes of a file without top-level code, in this process."""
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return check(namespace["Layer"], namespace["Perceptron"],  # type: ignore[arg-type]
                 namespace["sigmoid"], namespace["relu"])


@pytest.mark.parametrize("slip", list(SLIPS))
def test_each_slip_of_the_course_is_named_with_its_formula_and_hint(slip: str,
                                                                    tmp_path: Path) -> None:
    edits, key, english, french, follow = SLIPS[slip]
    report = checked(slipped("solution.py", edits, tmp_path))
    wrong = [c for c in report.checks if not c.right]
    assert wrong[0].key == key and not wrong[0].follows, report.text()
    assert {c.key for c in wrong[1:] if c.follows} == follow, report.text()
    assert all(c.follows for c in wrong[1:]), report.text()
    en, fr = report.text("en"), report.text("fr")
    assert f"{words('en')['check_' + key]:<72} WRONG\n" in en
    assert english in en, en
    assert french.replace(" :", "\u00a0:") in fr, fr
    assert ("follows from the first wrong check above" in en) == bool(follow)


def test_the_right_solution_and_the_course_names_pass() -> None:
    assert checked(COURSE / "solution.py").ok


def test_a_crash_names_the_formula_and_the_line_of_the_file(tmp_path: Path) -> None:
    path = slipped("solution.py", [("d_weights = np.dot(dz, self.inputs.T)",
                                    "d_weights = np.dot(dz, self.inputs)")], tmp_path)
    report = checked(path)
    number = next(i for i, line in enumerate(path.read_text().splitlines(), start=1)
                  if "np.dot(dz, self.inputs)" in line)
    assert report.where == [number, "d_weights = np.dot(dz, self.inputs)", "backward"]
    assert [c.key for c in report.checks] == ["forward", "dz"]  # what ran before the error
    text = report.text()
    assert text.endswith(f"at line {number} of your file, in backward: d_weights = "
                         "np.dot(dz, self.inputs)  (d_weights = dz · a_prevᵀ)"), text
    assert "shapes (2,1) and (3,1) not aligned" in text
    assert "à la ligne" in report.text("fr")


def test_a_wrong_relu_is_named_when_the_sigmoid_network_is_right(tmp_path: Path) -> None:
    path = tmp_path / "relu.py"
    path.write_text((COURSE / "solution.py").read_text().replace(
        "return (z > 0).astype(float)", "return np.maximum(0, z)"))
    report = checked(path)
    assert [c.key for c in report.checks if not c.right] == ["fit_relu"]
    assert "the sigmoid network is right but not the ReLU one" in report.text()


def test_the_file_as_the_course_writes_it_is_checked_without_its_training() -> None:
    # 200,000 epochs at the bottom, from utils import X_train, y_train, the names dW, db, dZ.
    path = COURSE / "course_style.py"
    source = path.read_text()
    assert "model.fit(X_train, y_train, 200000, 0.01)" in source and "dW = " in source
    last = len(source.splitlines())
    result = subprocess.run([SCRATCHNN, "check", str(path), "--timeout", "20"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"(lines {last - 2}-{last}) were not run" in result.stdout
    assert "from utils import ... read scratchnn.utils" in result.stdout
    assert "All 11 checks are right" in result.stdout


def lines_left_out(source: str) -> list[tuple[int, int]]:
    return run_lines(ast.parse(source))[1]


def test_what_is_left_out_of_the_top_level() -> None:
    source = ("import numpy as np\n"                              # 1 kept
              "class Sigmoid:\n    pass\n"                        # 2-3 kept
              "sigmoid = Sigmoid()\n"                             # 4 kept: from constants
              "EPOCHS = 10\n"                                     # 5 kept
              "W1 = np.random.normal(size=(2, 2))\n"              # 6 kept
              "model = Sigmoid()\nmodel.fit(W1)\n"                # 7 kept, 8 left out
              "for epoch in range(EPOCHS):\n    print(epoch)\n"   # 9-10 left out: a loop
              "x = W1\n"                                          # 11 kept
              "result = model.predict(x)\nprint(result)\n"        # 12-13 left out
              "if __name__ == '__main__':\n    model.fit(W1)\n")  # 14-15: never run on import
    assert lines_left_out(source) == [(8, 10), (12, 13)]


def test_every_hint_and_check_has_its_words_in_each_language() -> None:
    assert set(WORDS["en"]) == set(WORDS["fr"])
    for language in LANGUAGES:
        said = words(language)
        for key in ("skipped", "utils", "follows", "error_at"):
            assert said[key]


def test_french_typography() -> None:
    said = words("fr")
    for key in WORDS["fr"]:
        assert not re.search(r" [:;?!»]|« ", said[key]), (key, said[key])
    assert "\u00a0:" in said["crashed"] and "«\u00a0Loss" in said["check_line"]
    assert "sigmoïde" in said["hint_relu"]


def test_the_time_limit_of_a_tensorflow_file() -> None:
    assert default_timeout(str(COURSE / "xor_tf.py")) == TF_TIMEOUT
    assert default_timeout(str(COURSE / "solution.py")) == TIMEOUT
