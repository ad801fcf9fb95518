"""The page's words, in English and in French: one table, ``static/words.json``, which the page
reads too.  The Python side needs it for what the server writes: the generated code's
comments and the messages it sends (the diagnoses are the library's, in ``language.py``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ..language import LANGUAGES

__all__ = ["LANGUAGES", "check_language", "word"]

TABLE = Path(__file__).with_name("static") / "words.json"


@cache
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = json.loads(TABLE.read_text(encoding="utf-8"))
    return table


def check_language(lang: object) -> str:
    """``lang`` if it is one of ``LANGUAGES``, else a ValueError naming them."""
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


def word(lang: str, key: str, **values: object) -> str:
    """The words ``key`` in ``lang`` (English where the table has no French for them), with
    ``values`` filled in."""
    table = _table()
    words = table[lang] if key in table[lang] else table["en"]
    return words[key].format(**values)

