"""``python -m benchmarks``: scratchnn against scikit-learn, Keras and the BLAS floor.

Prints a table per section and writes ``benchmarks/results.json``.  Every figure is the
median of ``--repeats`` runs after a warm-up, all in this one process (the memory figure in a
fresh process of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import (
    distributed,
    goals,
    gpu,
    larger_than_memory,
    mnist,
    scaling,
    sklearn_dropin,
    streaming,
    tf_small_fit,
    xor,
)
from benchmarks.timing import in_subprocess


def print_table(title: str, table: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    columns = sorted({key for row in table.values() for key in row}, key=COLUMN_ORDER.index)
    width = max(58, *(len(name) + 2 for name in table))
    print(" " * width + "".join(f"{column:>18}" for column in columns))
    for name, row in table.items():
        cells = []
        for column in columns:
            value = row.get(column, "")
            if isinstance(value, float):
                value = f"{value * 1e6:.1f} us" if column == "seconds_per_epoch" else (
                    f"{value:.3f}")
            cells.append(f"{value!s:>18}")
        print(f"{name:<{width}}" + "".join(cells))


COLUMN_ORDER = ["seconds", "numpy_seconds", "sklearn_seconds", "floor_seconds",
                "seconds_per_epoch", "vs_floor", "vs_numpy", "vs_sklearn", "sklearn_vs_floor",
                "vs_keras", "vs_reference", "vs_python_loop", "vs_one_device", "warnings",
                "accuracy", "epochs", "same_predictions", "skipped", "first_epoch_seconds",
                "peak_mb", "measured", "goal", "met"]
#: The sections, in the order they run; ``--only`` picks some of them.
SECTIONS = ["mnist", "sklearn", "tf-small-fit", "xor", "scaling", "distributed",
            "larger-than-memory", "streaming", "gpu"]


def sections(text: str) -> list[str]:
    """``--only``'s value: section names, separated by commas."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"expected section names among {', '.join(SECTIONS)}, got {text!r}")
    return names


def run_section(name: str, args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Run section ``name``, print its table and put its results in ``results``."""
    if name == "mnist":
        results["mnist"] = mnist.run(args.rows, args.repeats)
        memory = in_subprocess("benchmarks.memory", str(args.rows))
        memory["limit_mb"] = 1.25 * memory["x_mb"] + 100
        results["mnist"]["memory"] = memory
        print_table(f"MNIST-shaped epoch, {args.rows} rows, 784-256-128-10, batch 128 "
                    f"(median of {args.repeats})", results["mnist"]["table"])
        print(f"BLAS floor timed again after the rows: {results['mnist']['floor_drift']:.2f}x "
              f"the first time (far from 1: the machine changed speed during the run)")
        print(f"peak resident memory of the numpy engine's run: {memory['peak_mb']:.0f} MB "
              f"(X is {memory['x_mb']:.0f} MB; limit 1.25 X + 100 MB = "
              f"{memory['limit_mb']:.0f} MB)")
    elif name == "sklearn":
        results["sklearn"] = sklearn_dropin.run(args.repeats, quick=args.quick)
        print_table("scratchnn.sklearn against scikit-learn's MLPClassifier, the same "
                    "parameters and data (fit)", results["sklearn"]["table"])
    elif name == "tf-small-fit":
        results["tf_small_fit"] = tf_small_fit.run(args.repeats, quick=args.quick)
        print_table(f"scratchnn.sklearn's MLPClassifier on the TensorFlow engine against the "
                    f"NumPy engine, {results['tf_small_fit']['samples']} digits",
                    results["tf_small_fit"]["table"])
    elif name == "xor":
        results["xor"] = xor.run(args.xor_epochs, args.repeats)
        print_table(f"XOR, time per epoch over {args.xor_epochs} epochs", results["xor"]["table"])
    elif name == "scaling":
        results["scaling"] = scaling.run(args.scaling_rows, args.repeats)
        print_table(f"NumPy engine scaling, {args.scaling_rows} rows", results["scaling"]["table"])
    elif name == "distributed":
        results["distributed"] = distributed.run(args.rows, args.repeats)
        print_table(f"TensorFlow engine under tf.distribute, MNIST-shaped epoch, {args.rows} "
                    f"rows", results["distributed"]["table"])
    elif name == "larger-than-memory":
        large = results["larger_than_memory"] = larger_than_memory.run(args.large_rows)
        print_table(f"One epoch on a {args.large_rows} x 784 float32 set ({large['x_mb']:.0f} "
                    f"MB), memory-mapped or in memory, 784-64-10, batch 128; peak_mb: resident "
                    f"memory over the engine's own", large["table"])
    elif name == "streaming":
        results["streaming"] = streaming.run(args.rows, args.repeats)
        print_table(f"TensorFlow engine, streamed or in one tensor, with XLA or without, "
                    f"against the NumPy engine: {args.rows} x 784 float32 rows in memory, "
                    f"784-64-10, batch 128 (epochs alternating)", results["streaming"]["table"])
    elif name == "gpu":
        if args.device == "cpu" or not gpu.gpu_visible():
            if args.device == "gpu":
                raise SystemExit("python -m benchmarks: --device gpu, but TensorFlow sees no GPU")
            return
        results["gpu"] = gpu.run(args.rows, args.repeats, quick=args.quick)
        print_table(f"On the GPU: MNIST-shaped epoch, {args.rows} rows, and digits",
                    results["gpu"]["table"])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=60_000, help="MNIST-shaped rows")
    parser.add_argument("--scaling-rows", type=int, default=10_000)
    parser.add_argument("--xor-epochs", type=int, default=2_000)
    parser.add_argument("--large-rows", type=int, default=400_000,
                        help="rows of the memory-mapped set (784 float32 columns)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("results.json"))
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repeat: checks that everything runs")
    parser.add_argument("--only", type=sections, default=SECTIONS, metavar="SECTION[,...]",
                        help=f"run only these sections: {', '.join(SECTIONS)}")
    parser.add_argument("--device", choices=["auto", "cpu", "gpu"], default="auto",
                        help="the gpu section: when TensorFlow sees a GPU (auto), never (cpu), "
                             "or required (gpu)")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.scaling_rows, args.xor_epochs, args.repeats = 1024, 1024, 20, 1
        args.large_rows = 5_000
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.device == "gpu" and "gpu" not in args.only:
        args.only = [*args.only, "gpu"]

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "numpy": np.__version__, "platform": platform.platform()},
    }
    for name in SECTIONS:
        if name in args.only:
            run_section(name, args, results)
    results["goals"] = goals.table(results)
    if results["goals"]:
        print_table("Issue 28's rows: each ratio as measured in this run, and its goal",
                    results["goals"])
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
