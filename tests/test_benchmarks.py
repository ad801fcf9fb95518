"""The benchmark runs end to end on tiny sizes (the real figures come from `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmark_smoke(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--output",
                             str(output)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads(output.read_text())
    mnist = results["mnist"]["table"]
    assert mnist["BLAS floor"]["vs_floor"] == 1.0
    assert mnist["scratchnn numpy"]["seconds"] > 0
    assert 0 <= mnist["scratchnn numpy"]["accuracy"] <= 1
    assert mnist["hand-written tf.function epoch"]["vs_keras"] > 0
    assert results["mnist"]["memory"]["peak_mb"] > results["mnist"]["memory"]["x_mb"]
    assert results["mnist"]["floor_drift"] > 0
    assert "BLAS floor timed again after the rows" in result.stdout
    xor = results["xor"]["table"]
    assert xor["spec reference loop (per sample)"]["vs_reference"] == 1.0
    assert xor["the same, jit_compile=False (no XLA)"]["seconds_per_epoch"] > 0
    assert len(results["scaling"]["table"]) == 9
    assert len(results["distributed"]["table"]) == 3
    dropin = results["sklearn"]["table"]
    assert len(dropin) == 3 and all(row["vs_sklearn"] > 0 for row in dropin.values())
    assert all(row["same_predictions"] for row in dropin.values())
    assert "MNIST-shaped epoch" in result.stdout
    small_fit = results["tf_small_fit"]["table"]
    assert all(row["vs_numpy"] > 0 for name, row in small_fit.items() if "warnings" not in row)
    assert small_fit["retracing warnings in model selection, 5 epochs a fit"]["warnings"] == 0
    assert len(results["goals"]) == 11 and "Issue 28's rows" in result.stdout
    large = results["larger_than_memory"]["table"]
    assert len(large) == 5 and all(row["seconds"] > 0 and row["peak_mb"] > 0
                                   for row in large.values())
    assert large["scratchnn tensorflow, memmap"]["vs_numpy"] > 0
    assert large["scratchnn tensorflow, memmap, jit_compile=False"]["vs_numpy"] > 0
    streamed = results["streaming"]["table"]
    assert len(streamed) == 5 and streamed["scratchnn numpy"]["vs_numpy"] == 1.0
    assert all(row["seconds"] > 0 for row in streamed.values())


@pytest.mark.slow
def test_batch_norm_benchmark_runs(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks.batch_norm", "--activation",
                             "sigmoid", "--seeds", "1", "--epochs", "2", "--early", "1",
                             "--plot", str(tmp_path / "curves.png")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("sigmoid")]
    assert [row[1] for row in rows] == ["False", "True"]
    assert (tmp_path / "curves.png").stat().st_size > 0


@pytest.mark.slow
def test_only_runs_the_sections_named(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "sklearn",
                             "--output", str(output)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads(output.read_text())
    assert set(results) == {"machine", "sklearn", "goals"}
    assert set(results["goals"]) == {
        "scratchnn.sklearn, large classification, (256, 128), 10 epochs, vs its floor",
        "scratchnn.sklearn, digits, (64,), defaults, vs its floor"}


def test_only_refuses_an_unknown_section() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "mnist,speed"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "expected section names among mnist, sklearn, tf-small-fit" in result.stderr
    assert "got 'mnist,speed'" in result.stderr
