"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_the_ten_line_example_and_the_gradient_check(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    namespace: dict[str, object] = {}
    exec(BLOCKS[0], namespace)  # the ten lines
    shown = README.split("print(model.summary())\n```\n\nIt prints:\n\n```text\n")[1]
    assert capsys.readouterr().out == shown.split("```")[0]  # exactly what the README shows
    custom = next(block for block in BLOCKS if "class Softplus" in block)
    exec(custom.replace("print(", "errors = ("), namespace)
    assert max(namespace["errors"].values()) < 1e-6  # type: ignore[attr-defined]


def test_the_training_tools_example(capsys: pytest.CaptureFixture[str]) -> None:
    block = next(block for block in BLOCKS if "CosineDecay" in block)
    exec(block, {})
    rates, score = capsys.readouterr().out.splitlines()[-2:]
    assert rates.startswith("[0.01, 0.009997") and float(score) == 1.0
