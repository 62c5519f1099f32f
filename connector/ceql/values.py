"""How a record's value compares with a CEQL literal, the way Autotask's SQL Server would.

- Strings compare case-insensitively (Autotask's collation is case-insensitive).
- A number and a numeric string compare as numbers (`'42' = 42`).
- Two ISO 8601 date strings compare as instants: offsets (`-0500`, `-05:00`, `Z`) are
  normalized to UTC and a string without an offset is UTC (Autotask stores UTC).
- Booleans compare with true/false, 1/0 and the strings 'true'/'false'/'1'/'0'.
- Anything else (null, `'abc' < 5`, a nested object) cannot be compared: the answer is None,
  which the evaluator treats like SQL's unknown.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from typing import Any

_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"\s*-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*")
_BOOLEAN_WORDS = {"true": True, "false": False, "1": True, "0": False}


class _Wildcard:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


ANY, ONE = _Wildcard("%"), _Wildcard("_")  # LIKE wildcards in a tokenized pattern


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime for an ISO 8601 string, date or datetime; None otherwise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            moment = datetime.fromisoformat(value.strip().upper())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_iso(value: Any) -> str | None:
    """An ISO date string rewritten in UTC as Autotask accepts it (`2012-05-25T16:13:29Z`)."""
    moment = parse_datetime(value)
    if moment is None:
        return None
    text = moment.isoformat().replace("+00:00", "Z")
    return text


def compare(actual: Any, literal: Any) -> int | None:
    """-1, 0 or 1 as `actual` sorts before, with or after `literal`; None when incomparable."""
    if actual is None or literal is None:
        return None
    if isinstance(literal, bool) or isinstance(actual, bool):
        left, right = as_boolean(actual), as_boolean(literal)
    elif isinstance(literal, (int, float)) or isinstance(actual, (int, float)):
        left, right = as_number(actual), as_number(literal)
    elif isinstance(actual, (str, date)) and isinstance(literal, (str, date)):
        left, right = parse_datetime(actual), parse_datetime(literal)
        if left is None or right is None:
            if not (isinstance(actual, str) and isinstance(literal, str)):
                return None
            left, right = actual.casefold(), literal.casefold()
    else:
        return None
    if left is None or right is None:
        return None
    return (left > right) - (left < right)


def as_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str):
        return _BOOLEAN_WORDS.get(value.strip().casefold())
    return None


def as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        text = value.strip()
        return int(text) if text.lstrip("-").isdigit() else float(text)
    return None


def like_text(value: Any) -> str | None:
    """The text LIKE matches against: strings, and numbers as SQL Server would convert them."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def like_matches(text: str, pattern: str) -> bool:
    """SQL LIKE, case-insensitive: `%` any run, `_` one character, `\\` escapes the next."""
    return like_regex(pattern).fullmatch(text.casefold()) is not None


@functools.lru_cache(maxsize=256)
def like_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for token in like_tokens(pattern):
        if token is ANY:
            parts.append(".*")
        elif token is ONE:
            parts.append(".")
        else:
            parts.append(re.escape(token.casefold()))
    return re.compile("".join(parts), re.DOTALL)


def like_tokens(pattern: str) -> list[Any]:
    """Literal runs (unescaped `str`) and wildcards (`ANY`, `ONE`); runs of `%` merge."""
    tokens: list[Any] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            char, i = pattern[i + 1], i + 2
        elif char in "%_":
            i += 1
            if not (char == "%" and tokens and tokens[-1] is ANY):
                tokens.append(ANY if char == "%" else ONE)
            continue
        else:
            i += 1
        if tokens and isinstance(tokens[-1], str):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens
