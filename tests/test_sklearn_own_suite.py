"""scikit-learn's own MLP tests, run on scratchnn's estimators.

The installed scikit-learn's ``sklearn/neural_network/tests/test_mlp.py`` is copied with only
its import of ``MLPClassifier`` and ``MLPRegressor`` changed to ``scratchnn.sklearn``, and run
by pytest in a process of its own, outside this project's pytest settings.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sklearn = pytest.importorskip("sklearn")

IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
# scikit-learn's conftest parametrises this fixture; 42 is its default seed.
CONFTEST = '''import pytest


@pytest.fixture
def global_random_seed() -> int:
    return 42
'''


def test_scikit_learns_own_mlp_tests_pass(tmp_path: Path) -> None:
    from sklearn import neural_network

    source = (Path(neural_network.__file__).parent / "tests" / "test_mlp.py").read_text()
    assert source.count(IMPORT) == 1, "scikit-learn's test module imports its MLPs otherwise"
    (tmp_path / "test_mlp_on_scratchnn.py").write_text(
        source.replace(IMPORT, "from scratchnn.sklearn import MLPClassifier, MLPRegressor\n"))
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
         str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    summary = result.stdout.strip().splitlines()[-1]
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}
    assert counts.get("passed", 0) >= 59 and not counts.get("failed") and not counts.get(
        "error"), result.stdout[-5000:]
