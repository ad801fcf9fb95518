"""The learner's tools: ``scratchnn check`` on a course solution and on wrong ones, and
``scratchnn trace`` against the hand-worked example."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from scratchnn import Layer, Perceptron, check
from scratchnn.bounded_process import run_bounded
from scratchnn.check import Check, Report
from scratchnn.trace import trace

SOLUTION = (Path(__file__).parent / "course" / "solution.py").read_text()
SCRATCHNN = str(Path(sys.executable).parent / "scratchnn")
#: The checks of a NumPy solution: six of one layer, five of the network (sigmoid, ReLU).
N_CHECKS = 11

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
    assert output.count(" right\n") == N_CHECKS
    assert f"All {N_CHECKS} checks are right" in output


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
    assert f"vérifications sur {N_CHECKS} sont fausses" in output


def test_the_same_from_python(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(SOLUTION, namespace)
    report = check(namespace["Layer"], namespace["Perceptron"],  # type: ignore[arg-type]
                   namespace["sigmoid"])
    assert report.ok and len(report.checks) == N_CHECKS
    assert check(Layer, Perceptron).ok is False  # scratchnn's own Layer: other signature


def test_trace_shows_the_hand_worked_example() -> None:
    # The step worked out by hand in test_hand_worked.py, printed formula by formula.
    model = Perceptron([Layer(2, 2, "relu"), Layer(2, 1, "sigmoid")])
    model.set_weights([np.array([[0.5, -0.5], [1.0, 0.5]]), np.zeros((2, 1)),
                       np.array([[1.0, -0.2]]), np.zeros((1, 1))])
    text = "\n".join(trace(model, np.array([2.0, 1.0]), np.array([1.0]), 0.1))
    for line in ["z¹ = W¹·a⁰ + b¹ = (0.5, 2.5)ᵀ", "a² = sigmoid(z²) = (0.5)ᵀ",
                 "L = binary_crossentropy(y, a²) = 0.6931",
                 "L = -(y log(a²) + (1 - y) log(1 - a²)) = -(1 · log(0.5) + 0 · log(0.5)) = "
                 "0.6931",
                 "da² = ∂L/∂a² = (a² - y) / (a² (1 - a²)) = (0.5 - 1) / (0.5 · 0.5) = (-2)ᵀ",
                 "f'(z²) = sigmoid'(z²) = (0.25)ᵀ", "f'(z¹) = relu'(z¹) = (1, 1)ᵀ",
                 "dz² = da² ⊙ f'(z²) = (-0.5)ᵀ", "d_weights² = dz² · a¹ᵀ = (-0.25, -1.25)",
                 "da_prev = da¹ = W²ᵀ · dz² = (-0.5, 0.1)ᵀ",
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
    assert french.startswith("Un pas d'entraînement du réseau 2-2-1 sigmoïde")
    assert "Propagation avant" in french and "Rétropropagation" in french
    assert "  Couche 2\u00a0:\n    f'(z²) = sigmoid'(z²) = (" in french
    assert "\nPerte\u00a0: L = " in french and "    da_prev = da¹ = W²ᵀ · dz² = (" in english
    numbers = re.compile(r"-?\d+\.\d+")
    assert numbers.findall(english) == numbers.findall(french)  # the same step


# A hostile course file: each is checked on its real code, within the time limit, with little
# memory, and leaves no process behind.

#: The check in a process that says, on its last line of standard error, its own peak memory
#: and its children's (the student's file), in kB.  Its own is read in /proc: on Linux its
#: ru_maxrss would keep the peak of the process it was started from (here, pytest).
MEASURED = """\
import re, resource, sys
from pathlib import Path
from scratchnn.cli import main
try:
    main(sys.argv[1:])
finally:
    print(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text()).group(1),
          resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""
#: The solution, and at its top a process that sleeps and writes its pid to PID.
LEAVES_A_PROCESS = """\
import pathlib, subprocess, sys
sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]{output})
pathlib.Path({pid_file!r}).write_text(str(sleeper.pid))
"""


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to read its status does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def gone_soon(pid: int, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.fixture
def pid_file(tmp_path: Path) -> Iterator[Path]:
    """Where the file writes the pid of the process it leaves; that process is killed after
    the test if the check did not."""
    path = tmp_path / "pid"
    yield path
    if path.exists() and alive(pid := int(path.read_text())):
        os.kill(pid, signal.SIGKILL)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@needs_proc
def test_a_flood_of_output_costs_no_memory(tmp_path: Path) -> None:
    # 256 MiB printed past the capture at import (in a class body: a top-level loop is not
    # run), 256 MiB printed by fit: neither is kept.
    flood = "for _ in range(256):\n    print('x' * 2**20{})\n"
    source = ("class Flood:\n    " + flood.format(", file=sys.__stdout__").replace(
        "\n", "\n    ") + "\n" + SOLUTION.replace(
        "        for epoch in range(epochs):",
        "        " + flood.format("").replace("\n", "\n        ") + "for epoch in range(epochs):"))
    path = tmp_path / "solution.py"
    path.write_text("import sys\n" + source)
    result = subprocess.run([sys.executable, "-c", MEASURED, "check", str(path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert f"All {N_CHECKS} checks are right" in result.stdout
    checker, student = map(int, result.stderr.split()[-2:])
    assert checker < 100_000 and student < 120_000, (checker, student)  # kB; 256 MiB each


def test_a_forged_report_in_the_output_is_not_the_verdict(tmp_path: Path) -> None:
    (old, new), formula, _ = WRONG["d_biases of the wrong sign"]
    forged = Report([Check(key, True) for key in (
        "forward", "dz", "d_weights", "d_biases", "da_prev", "update", "daL", "loss", "fit",
        "line", "fit_relu")]).to_json()
    code, output = run_check(tmp_path, f"import atexit, sys\nFORGED = {forged!r}\n"
                             "print(FORGED, file=sys.__stdout__)\natexit.register(print, FORGED)\n"
                             + SOLUTION.replace(old, new))
    assert code == 1, output
    assert next(line for line in output.splitlines() if line.endswith(" WRONG")).startswith(
        formula)


@needs_proc
def test_a_process_the_file_leaves_is_killed_at_the_time_limit(tmp_path: Path,
                                                                pid_file: Path) -> None:
    source = LEAVES_A_PROCESS.format(output=", stdout=subprocess.DEVNULL",
                                     pid_file=str(pid_file))
    code, output = run_check(tmp_path, source + "class Endless:\n    while True:\n        pass\n",
                             "--timeout", "2")
    assert code == 1 and "did not finish within 2 s" in output
    assert gone_soon(int(pid_file.read_text()))


@needs_proc
@pytest.mark.parametrize("left", ["a process holding the output", "a thread"])
def test_what_the_file_leaves_running_does_not_delay_a_right_solution(
        left: str, tmp_path: Path, pid_file: Path) -> None:
    source = (LEAVES_A_PROCESS.format(output="", pid_file=str(pid_file)) if left == "a process "
              "holding the output" else "import threading, time\nthreading.Thread(target="
              "time.sleep, args=(60,)).start()\n")
    start = time.monotonic()
    code, output = run_check(tmp_path, source + SOLUTION, "--timeout", "8")
    assert code == 0 and f"All {N_CHECKS} checks are right" in output, output
    assert time.monotonic() - start < 5
    if pid_file.exists():
        assert gone_soon(int(pid_file.read_text()))


@pytest.mark.parametrize(("where", "language", "said"), [
    ("import", "en", "The file stopped the program as it was imported: SystemExit(3), from "
                     "exit() or sys.exit()."),
    ("import", "fr", "Le fichier a arrêté le programme pendant son import\u00a0: SystemExit(3)"),
    ("fit", "en", "The code stopped the program while it was checked: SystemExit(), from "
                  "exit() or sys.exit()."),
    ("fit", "fr", "Le code a arrêté le programme pendant la vérification\u00a0: SystemExit()"),
])
def test_exit_in_the_file_is_reported_as_such(where: str, language: str, said: str,
                                              tmp_path: Path) -> None:
    source = (SOLUTION + "\nimport sys\nsys.exit(3)\n" if where == "import" else
              SOLUTION.replace("for epoch in range(epochs):",
                                              "exit()\n        for epoch in range(epochs):"))
    code, output = run_check(tmp_path, source, "--lang", language)
    assert code == 1 and said in output, output
    assert "Traceback" not in output and "runpy" not in output


def test_a_process_that_ends_without_a_report_says_how(tmp_path: Path) -> None:
    code, output = run_check(tmp_path, "import os\nos._exit(7)\n" + SOLUTION)
    assert code == 1 and "ended with exit status 7 and no report" in output, output


def test_only_the_end_of_the_output_is_kept() -> None:
    finished = run_bounded([sys.executable, "-c", "print('x' * 200_000); print('end')"], 10)
    assert finished.returncode == 0
    assert len(finished.output) == 64 * 1024 and finished.output.endswith(b"x\nend\n")
