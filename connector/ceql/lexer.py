"""Tokens of CEQL (and of `orderBy` / `fields`), read on demand so errors come in text order.

Positions count characters from 1, as SQL engines report them.
- Names: `lastName`, `addresses.city`, or backticked `` `a.b c` `` (a doubled backtick is a
  backtick); backticks keep a dotted name whole.
- Strings: single quotes; `''` and `\\'` are a quote, `\\\\` a backslash; any other backslash is
  kept, so `LIKE '100\\%'` reaches the LIKE matcher with its escape.
- Numbers: `42`, `-7`, `1.5`, `2e3`. Keywords are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connector.ceql.ast import KEYWORDS
from connector.errors import QuerySyntaxError

EOF, NAME, STRING, NUMBER, KEYWORD, OP = "eof", "name", "string", "number", "keyword", "op"
LPAREN, RPAREN, COMMA = "(", ")", ","

_SPACE = re.compile(r"\s*")
_NAME = re.compile(r"[^\W\d]\w*(?:\.\w+)*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_NUMBER_TAIL = re.compile(r"[\w.]")
_OP = re.compile(r"[=!<>]+")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # the source text of the token
    value: object  # the decoded value: name, string, number, upper-case keyword
    position: int  # 1-based
    quoted: bool = False  # a backticked name

    def describe(self) -> str:
        if self.kind == EOF:
            return "end of input"
        if self.kind == STRING:
            shown = self.text if len(self.text) <= 24 else self.text[:20] + "...'"
            return f"the string {shown}"
        if self.kind == NUMBER:
            return f"the number {self.text}"
        if self.kind == NAME:
            return f"the name {self.text}"
        if self.kind == KEYWORD:
            return f"the keyword {self.value}"
        return f"'{self.text}'"


def syntax_error(label: str, position: int, expected: str, found: str) -> QuerySyntaxError:
    message = f"{label} syntax error at position {position}: expected {expected}, found {found}"
    return QuerySyntaxError(message, position=position, expected=expected)


class Lexer:
    """Reads one token at a time; `label` names the parameter in error messages."""

    def __init__(self, text: str, label: str = "CEQL") -> None:
        self.text = text
        self.label = label
        self.offset = 0
        self._peeked: Token | None = None

    def peek(self) -> Token:
        if self._peeked is None:
            self._peeked = self._read()
        return self._peeked

    def advance(self) -> Token:
        token = self.peek()
        self._peeked = None
        return token

    def error(self, token: Token, expected: str, found: str | None = None) -> QuerySyntaxError:
        return syntax_error(self.label, token.position, expected, found or token.describe())

    def _read(self) -> Token:
        text = self.text
        start = self.offset = _SPACE.match(text, self.offset).end()
        if start >= len(text):
            return Token(EOF, "", None, start + 1)
        char = text[start]
        if char == "'":
            return self._string(start)
        if char == "`":
            return self._backticked(start)
        if char in "(),":
            self.offset = start + 1
            return Token(char, char, char, start + 1)
        if match := _OP.match(text, start):
            self.offset = match.end()
            return Token(OP, match.group(), match.group(), start + 1)
        if match := _NUMBER.match(text, start):
            return self._number(match)
        if match := _NAME.match(text, start):
            self.offset = match.end()
            word = match.group()
            if word.upper() in KEYWORDS:
                return Token(KEYWORD, word, word.upper(), start + 1)
            return Token(NAME, word, word, start + 1)
        if char == '"':
            raise syntax_error(
                self.label,
                start + 1,
                "a single-quoted string",
                "'\"' (CEQL strings use single quotes)",
            )
        raise syntax_error(
            self.label,
            start + 1,
            "a field name, a value, an operator or a parenthesis",
            f"'{char}'",
        )

    def _number(self, match: re.Match[str]) -> Token:
        end = match.end()
        if end < len(self.text) and _NUMBER_TAIL.match(self.text, end):
            bad = re.compile(r"-?[\w.]+").match(self.text, match.start()).group()
            raise syntax_error(self.label, match.start() + 1, "a number", f"'{bad}'")
        self.offset = end
        literal = match.group()
        value = float(literal) if match.group(1) or match.group(2) else int(literal)
        return Token(NUMBER, literal, value, match.start() + 1)

    def _string(self, start: int) -> Token:
        text, out, i = self.text, [], start + 1
        while i < len(text):
            char = text[i]
            if char == "'":
                if text.startswith("''", i):
                    out.append("'")
                    i += 2
                    continue
                self.offset = i + 1
                return Token(STRING, text[start : i + 1], "".join(out), start + 1)
            if char == "\\" and i + 1 < len(text) and text[i + 1] in "'\\":
                out.append(text[i + 1])
                i += 2
                continue
            out.append(char)
            i += 1
        raise syntax_error(
            self.label, start + 1, "a closing ' for the string that starts here", "end of input"
        )

    def _backticked(self, start: int) -> Token:
        text, out, i = self.text, [], start + 1
        while i < len(text):
            if text[i] == "`":
                if text.startswith("``", i):
                    out.append("`")
                    i += 2
                    continue
                name = "".join(out)
                if not name.strip():
                    raise syntax_error(
                        self.label, start + 1, "a field name between the backticks", "an empty name"
                    )
                self.offset = i + 1
                return Token(NAME, text[start : i + 1], name, start + 1, quoted=True)
            out.append(text[i])
            i += 1
        raise syntax_error(
            self.label, start + 1, "a closing ` for the name that starts here", "end of input"
        )
