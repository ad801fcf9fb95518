"""``scratchnn check`` on a solution of document A (XOR in low-level TensorFlow), and
``scratchnn.course.from_course_weights``, the course's weight layout turned into scratchnn's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from scratchnn.check import Report, check_file
from scratchnn.course import from_course_weights
from tests.conftest import COURSE, slipped

SCRATCHNN = str(Path(sys.executable).parent / "scratchnn")
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.tensorflow


def test_the_tensorflow_engine_from_the_course_weights_computes_the_same_step() -> None:
    rng = np.random.default_rng(1)
    W1, W2 = rng.normal(size=(2, 2)).astype("float32"), rng.normal(size=(2, 1)).astype("float32")
    model = from_course_weights(W1, np.zeros(2, "float32"), W2, np.zeros(1, "float32"),
                                engine="tensorflow", layout="course", jit_compile=False)
    np.testing.assert_allclose(model.predict_proba(X).ravel(),
                               sigmoid(sigmoid(X @ W1) @ W2).ravel(), rtol=1e-5)


@pytest.fixture
def checked() -> Iterator[object]:
    """``check_file`` in this process, leaving ``sys.path`` and ``sys.modules`` as found."""
    path, modules = list(sys.path), set(sys.modules)

    def run(name: str | Path) -> Report:
        return check_file(str(COURSE / name))

    yield run
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        if not name.startswith(("tensorflow", "keras", "scratchnn")):
            del sys.modules[name]


#: Each slip of document A: its edits of the right solution (tests/course/xor_tf.py), the
#: check it makes wrong and its hint (English, French).
TF_SLIPS = {
    "no_decorator": ([("@tf.function\n", "")], "tf_function",
                     "decorate train_step with @tf.function",
                     "décorez train_step avec @tf.function"),
    "no_learning_rate": ([(f"{name}.assign_sub(learning_rate * gradients[{index}])",
                           f"{name}.assign_sub(gradients[{index}])")
                          for index, name in enumerate(["W1", "b1", "W2", "b2"])],
                         "tf_update", "does not use the learning rate",
                         "n'utilise pas le taux d'apprentissage"),
    "gradient_order": ([("tape.gradient(loss, [W1, b1, W2, b2])",
                         "tape.gradient(loss, [W1, W2, b1, b2])")],
                       "tf_gradients", "in the order of the variables",
                       "dans l'ordre des variables"),
    "zero_weights": ([("W1 = tf.Variable(tf.random.normal([input_size, hidden_size]))",
                       "W1 = tf.Variable(tf.zeros([input_size, hidden_size]))")],
                     "tf_init", "draw the weights from a normal distribution",
                     "tirez les poids d'une loi normale"),
}


def test_a_right_tensorflow_solution_passes(checked) -> None:  # type: ignore[no-untyped-def]
    report = checked("xor_tf.py")
    assert report.ok, report.text()
    assert [c.key for c in report.checks] == ["tf_shapes", "tf_init", "tf_function",
                                              "tf_forward", "tf_loss", "tf_gradients",
                                              "tf_update"]
    assert report.skipped == [[34, 37]]  # the training loop at the bottom


@pytest.mark.parametrize("slip", list(TF_SLIPS))
def test_each_tensorflow_slip_is_named(slip: str, checked,  # type: ignore[no-untyped-def]
                                       tmp_path: Path) -> None:
    edits, key, english, french = TF_SLIPS[slip]
    report = checked(slipped("xor_tf.py", edits, tmp_path))
    wrong = [c for c in report.checks if not c.right]
    assert wrong and wrong[0].key == key, report.text()
    assert english in report.text("en") and french in report.text("fr")


def test_the_gradient_order_slip_stops_at_its_line(  # type: ignore[no-untyped-def]
        checked, tmp_path: Path) -> None:
    report = checked(slipped("xor_tf.py", TF_SLIPS["gradient_order"][0], tmp_path))
    assert report.where is not None and report.where[1:] == [
        "b1.assign_sub(learning_rate * gradients[1])", "train_step"]


@pytest.mark.slow
def test_the_tensorflow_solution_from_the_command_line() -> None:
    result = subprocess.run([SCRATCHNN, "check", str(COURSE / "xor_tf.py")],
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 7 checks are right" in result.stdout
    assert "(lines 34-37) were not run" in result.stdout


def test_a_step_that_stops_in_the_forward_pass_is_checked_no_further(
        checked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "crash.py"
    path.write_text((COURSE / "xor_tf.py").read_text().replace("tf.matmul(X, W1)",
                                                               "tf.matmul(W1, X)"))
    report = checked(path)
    assert [(c.key, c.right) for c in report.checks][-1] == ("tf_forward", False)
    assert report.where is not None and report.where[0] == 23
    assert report.error == ("InvalidArgumentError: Matrix size-incompatible: In[0]: [2,2], "
                            "In[1]: [4,2]")
