"""Data-parallel training with tf.distribute gives the numbers of one device."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("tensorflow")
pytestmark = pytest.mark.tensorflow

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize("devices", [2, 4])
def test_distributed_fit_matches_one_device_and_numpy(devices: int) -> None:
    result = subprocess.run([sys.executable, "-m", "tests.distributed_check", str(devices)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == devices
    for name in ("full", "mini", "per_sample", "uneven", "regularised", "streamed"):
        assert report[f"{name}_loss_vs_numpy"] < 1e-9, report
        assert report[f"{name}_weights_vs_numpy"] < 1e-9, report
        assert report.get(f"{name}_weights_vs_single", 0) < 1e-9, report
    assert report["dropout_reproducible"] == 1
    assert report["diverged_at_the_same_batch"] == 1
    assert report["diverged_weights_vs_numpy"] < 1e-6, report
    for engine in ("numpy", "tensorflow"):
        assert report[f"loaded_{engine}_prediction"] < 1e-12
        assert report[f"loaded_{engine}_same_classes"] == 1


@pytest.mark.slow
def test_cli_trains_on_two_devices() -> None:
    from tests.test_cli import run

    result = run("train", "--engine", "tensorflow", "--devices", "2", "--epochs", "1000",
                 "--learning-rate", "4", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1])["train_accuracy"] == 1.0
    bad = run("train", "--devices", "2")
    assert bad.returncode == 2 and "--devices takes a positive number" in bad.stderr


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_two_workers_share_one_order_and_match_the_numpy_engine() -> None:
    ports = [str(free_port()), str(free_port())]
    workers = [subprocess.Popen([sys.executable, "-m", "tests.multiworker_check", str(index),
                                 *ports], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for index in range(2)]
    try:
        outputs = [worker.communicate(timeout=240) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
        report = json.loads(out.strip().splitlines()[-1])
        assert report["workers"] == 2
        assert report["seeded_shuffle"] < 1e-12 and report["in_order"] < 1e-12, report
        assert "needs a random_state, the same on every worker" in report["unseeded_shuffle"]
