"""Issue 28's table: each of its rows as the ratio measured in this run, beside its goal."""

from __future__ import annotations

from typing import Any

#: (the issue's row, the section, how its figure comes from the section's results, the goal)
GOALS: list[tuple[str, str, Any, float]] = [
    ("MLPClassifier(engine='tensorflow') fit on digits vs the NumPy engine", "tf_small_fit",
     lambda r: r["table"]["MLPClassifier fit on digits, (64,), after the first fit"]["vs_numpy"],
     3.0),
    ("cross_val_score, TensorFlow engine vs NumPy engine", "tf_small_fit",
     lambda r: r["table"]["cross_val_score, 5 folds"]["vs_numpy"], 3.0),
    ("TensorFlow's retracing warnings in model selection (a count)", "tf_small_fit",
     lambda r: r["table"]["retracing warnings in model selection, 5 epochs a fit"]["warnings"], 0),
    ("one epoch, memory-mapped, streamed, vs the NumPy engine", "larger_than_memory",
     lambda r: r["table"]["scratchnn tensorflow, memmap"]["vs_numpy"], 1.3),
    ("one epoch, in memory, streamed, vs the NumPy engine", "larger_than_memory",
     lambda r: r["table"]["scratchnn tensorflow, memory"]["vs_numpy"], 1.3),
    ("MNIST-shaped epoch, MirroredStrategy, 1 device vs no strategy", "distributed",
     lambda r: r["table"]["MirroredStrategy, 1 logical CPU device"]["vs_one_device"], 1.3),
    ("the same, 2 logical CPU devices vs no strategy", "distributed",
     lambda r: r["table"]["MirroredStrategy, 2 logical CPU devices"]["vs_one_device"], 1.6),
    ("NumPy engine, MNIST-shaped epoch vs the BLAS floor", "mnist",
     lambda r: r["table"]["scratchnn numpy"]["vs_floor"], 1.15),
    ("scratchnn.sklearn, large classification, (256, 128), 10 epochs, vs its floor",
     "sklearn", lambda r: next(row for name, row in r["table"].items()
                               if "(256, 128)" in name)["vs_floor"], 1.3),
    ("scratchnn.sklearn, digits, (64,), defaults, vs its floor", "sklearn",
     lambda r: r["table"]["digits, (64,), defaults"]["vs_floor"], 2.0),
    ("NumPy engine, (64, 32) at batch 512 vs its floor", "scaling",
     lambda r: r["table"]["hidden (64, 32), batch 512"]["vs_floor"], 1.5),
]


def table(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rows of the issue whose section ran: the measured figure, the goal, whether met."""
    rows = {}
    for name, section, figure, goal in GOALS:
        if section in results:
            measured = figure(results[section])
            rows[name] = {"measured": float(measured), "goal": float(goal),
                          "met": bool(measured <= goal)}
    return rows
