"""The Python examples of the README and of the pages under ``docs/`` run as written, and
print what the page shows below them; every link between the pages leads to a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {path: path.read_text()
         for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
BLOCKS = {block: text for text in PAGES.values()
          for block in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)}


def block_with(words: str) -> str:
    return next(block for block in BLOCKS if words in block)


def shown_after(block: str) -> str:
    """The output a page shows below a Python example ("It prints:")."""
    return BLOCKS[block].split(block + "```\n\nIt prints:\n\n```text\n")[1].split("```")[0]


def test_the_ten_line_example_and_the_gradient_check(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    namespace: dict[str, object] = {}
    ten_lines = block_with("model.summary()")
    exec(ten_lines, namespace)
    assert capsys.readouterr().out == shown_after(ten_lines)  # exactly what the README shows
    custom = block_with("class Softplus")
    exec(custom, namespace)
    assert capsys.readouterr().out == shown_after(custom) == "True\n"


def test_the_training_tools_example(capsys: pytest.CaptureFixture[str]) -> None:
    block = block_with("CosineDecay")
    exec(block, {})
    assert capsys.readouterr().out == shown_after(block)


def test_every_example_that_prints_shows_what_it_prints() -> None:
    printing = [block for block in BLOCKS if "print(" in block]
    assert len(printing) == 3 and all(shown_after(block) for block in printing)


def test_every_link_between_the_pages_leads_to_a_file() -> None:
    links = [(path, target) for path, text in PAGES.items()
             for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)]
    assert len(links) > 20
    missing = [f"{path.name} -> {target}" for path, target in links
               if not (path.parent / target).exists()]
    assert not missing


def test_the_front_page_is_short_and_has_a_path_for_each_reader() -> None:
    front = PAGES[ROOT / "README.md"]
    assert len(front.splitlines()) < 160
    for reader in ("You follow the course", "En français", "You use scikit-learn",
                   "You use Keras"):
        assert reader in front
