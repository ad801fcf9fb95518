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
    assert capsys.readouterr().out == shown_after(BLOCKS[0])  # exactly what the README shows
    custom = next(block for block in BLOCKS if "class Softplus" in block)
    exec(custom, namespace)
    assert capsys.readouterr().out == shown_after(custom) == "True\n"


def shown_after(block: str) -> str:
    """The output the README shows below a Python example ("It prints:")."""
    return README.split(block + "```\n\nIt prints:\n\n```text\n")[1].split("```")[0]


def test_the_training_tools_example(capsys: pytest.CaptureFixture[str]) -> None:
    block = next(block for block in BLOCKS if "CosineDecay" in block)
    exec(block, {})
    assert capsys.readouterr().out == shown_after(block)


def test_every_example_that_prints_shows_what_it_prints() -> None:
    printing = [block for block in BLOCKS if "print(" in block]
    assert len(printing) == 3 and all(shown_after(block) for block in printing)
