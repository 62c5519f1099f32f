"""Java date patterns (Cloud Elements' `transformDate`), to format and parse dates in Python.

Cloud Elements writes date masks in Java's SimpleDateFormat letters, e.g.
`yyyy-MM-dd'T'HH:mm:ss'Z'` or `MM/dd/yyyy HH:mm`. The letters understood here:

    yyyy yy  year        MM M  month (MMM Jan, MMMM January)   dd d  day
    HH H  hour 0-23      hh h  hour 1-12     a  AM/PM          mm m  minute
    ss s  second         SSS   milliseconds  EEE Mon, EEEE Monday (formatting; skipped in parsing)
    Z  +0000             X  +00 / Z          XX +0000 / Z      XXX +00:00 / Z
    'text'  literal text ('' is a quote)

A pattern without a zone letter is read and written in UTC, as Autotask stores dates.
Names are English: the patterns describe a wire format, not a reader's locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

MONTHS = (
    "January February March April May June July August September October November December"
).split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_LETTERS = set("yMdHhamsSEZX")


class PatternError(ValueError):
    """A pattern with a letter this module does not understand."""


@dataclass(frozen=True)
class _Token:
    letter: str  # "" for literal text
    width: int
    text: str = ""


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(pattern):
        char = pattern[pos]
        if char == "'":
            text, pos = _quoted(pattern, pos)
            tokens.append(_Token("", 0, text))
        elif char.isalpha():
            if char not in _LETTERS:
                raise PatternError(f"date pattern {pattern!r}: letter {char!r} is not supported")
            end = pos
            while end < len(pattern) and pattern[end] == char:
                end += 1
            tokens.append(_Token(char, end - pos))
            pos = end
        else:
            tokens.append(_Token("", 0, char))
            pos += 1
    return tuple(tokens)


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    """The text of a quoted run starting at `start` (`''` is one quote) and where it ends."""
    if pattern.startswith("''", start):
        return "'", start + 2
    text, pos = "", start + 1
    while pos < len(pattern):
        if pattern[pos] == "'":
            if pattern.startswith("''", pos):
                text, pos = text + "'", pos + 2
                continue
            return text, pos + 1
        text, pos = text + pattern[pos], pos + 1
    raise PatternError(f"date pattern {pattern!r}: quote at {start} is never closed")


def check(pattern: str) -> str | None:
    """What is wrong with a pattern, or None."""
    try:
        compile_pattern(pattern)
    except PatternError as error:
        return str(error)
    return None


def format_date(moment: datetime, pattern: str) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return "".join(_format_token(t, moment) for t in compile_pattern(pattern))


def _format_token(token: _Token, moment: datetime) -> str:
    letter, width = token.letter, token.width
    if not letter:
        return token.text
    if letter == "y":
        return f"{moment.year % 100:02d}" if width == 2 else f"{moment.year:0{max(width, 4)}d}"
    if letter == "M":
        if width >= 4:
            return MONTHS[moment.month - 1]
        return MONTHS[moment.month - 1][:3] if width == 3 else f"{moment.month:0{width}d}"
    if letter == "E":
        day = DAYS[moment.weekday()]
        return day if width >= 4 else day[:3]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "h":
        return f"{(moment.hour % 12) or 12:0{width}d}"
    if letter == "S":
        return f"{moment.microsecond // 1000:03d}"[:width].ljust(width, "0")
    if letter in "ZX":
        return _offset(moment, letter, width)
    value = {"d": moment.day, "H": moment.hour, "m": moment.minute, "s": moment.second}[letter]
    return f"{value:0{width}d}"


def _offset(moment: datetime, letter: str, width: int) -> str:
    delta = moment.utcoffset() or timedelta(0)
    if letter == "X" and not delta:
        return "Z"
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    if letter == "X" and width == 1:
        return f"{sign}{hours:02d}"
    if letter == "X" and width >= 3:
        return f"{sign}{hours:02d}:{mins:02d}"
    return f"{sign}{hours:02d}{mins:02d}"


_GROUPS = {
    "y": r"(?P<y>\d{4}|\d{2})",
    "M": r"(?P<M>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "H": r"(?P<H>\d{1,2})",
    "h": r"(?P<h>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
    "s": r"(?P<s>\d{1,2})",
    "S": r"(?P<S>\d{1,9})",
    "a": r"(?P<a>[AaPp][Mm])",
    "E": r"[A-Za-z]+",
    "Z": r"(?P<Z>Z|[+-]\d{2}:?\d{2})",
    "X": r"(?P<X>Z|[+-]\d{2}(?::?\d{2})?)",
}


@lru_cache(maxsize=256)
def _parser(pattern: str) -> re.Pattern[str]:
    parts = []
    for token in compile_pattern(pattern):
        if not token.letter:
            parts.append(re.escape(token.text))
        elif token.letter == "M" and token.width >= 3:
            parts.append(r"(?P<Mn>[A-Za-z]+)")
        else:
            parts.append(_GROUPS[token.letter])
    return re.compile("".join(parts), re.IGNORECASE)


def parse_date(text: str, pattern: str) -> datetime:
    """An aware datetime read with `pattern`; ValueError when the text does not fit it."""
    found = _parser(pattern).fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} does not match the date pattern {pattern!r}")
    parts = {k: v for k, v in found.groupdict().items() if v is not None}
    year = int(parts.get("y", 1970))
    year += 2000 if len(parts.get("y", "0000")) == 2 else 0
    month = int(parts["M"]) if "M" in parts else _month(parts.get("Mn"))
    hour = int(parts.get("H", parts.get("h", 0)))
    if "h" in parts and "a" in parts:
        hour = hour % 12 + (12 if parts["a"].upper() == "PM" else 0)
    fraction = parts.get("S", "0")
    micro = int((fraction + "000000")[:6]) if len(fraction) > 3 else int(fraction) * 1000
    zone = _zone(parts.get("Z") or parts.get("X"))
    return datetime(
        year,
        month,
        int(parts.get("d", 1)),
        hour,
        int(parts.get("m", 0)),
        int(parts.get("s", 0)),
        micro,
        tzinfo=zone,
    )


def _month(name: str | None) -> int:
    if name is None:
        return 1
    for number, full in enumerate(MONTHS, start=1):
        if full.lower().startswith(name.lower()) and len(name) >= 3:
            return number
    raise ValueError(f"unknown month name {name!r}")


def _zone(text: str | None) -> timezone:
    if not text or text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
