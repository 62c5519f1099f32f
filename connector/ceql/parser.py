"""A recursive-descent parser from CEQL text to the tree in `connector.ceql.ast`.

Grammar (keywords case-insensitive; NOT binds tighter than AND, AND tighter than OR):

    where     := or_expr
    or_expr   := and_expr (OR and_expr)*
    and_expr  := not_expr (AND not_expr)*
    not_expr  := NOT not_expr | '(' or_expr ')' | predicate
    predicate := name ( cmp_op value
                      | [NOT] LIKE string
                      | [NOT] IN '(' value (',' value)* ')'
                      | IS [NOT] NULL )
    cmp_op    := '=' | '!=' | '<>' | '<' | '>' | '<=' | '>='
    value     := string | number | TRUE | FALSE

Every failure is a `QuerySyntaxError` (400) naming the 1-based position and what was expected.
"""

from __future__ import annotations

from connector.ceql.ast import And, Compare, Expr, In, IsNull, Like, Not, Or, Value
from connector.ceql.lexer import (
    COMMA,
    EOF,
    KEYWORD,
    LPAREN,
    NAME,
    NUMBER,
    OP,
    RPAREN,
    STRING,
    Lexer,
    Token,
)

# Deeper nesting than this is refused rather than risking Python's recursion limit.
MAX_NESTING = 64

_OPERATORS = "an operator (=, !=, <, >, <=, >=, LIKE, NOT LIKE, IN, NOT IN, IS NULL, IS NOT NULL)"
_COMPARE = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


def parse(where: str | None) -> Expr | None:
    """Parse a CEQL `where`; blank or None gives None (no condition)."""
    if where is None or not where.strip():
        return None
    return _Parser(where).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.lexer = Lexer(text, "CEQL")
        self.depth = 0

    def parse(self) -> Expr:
        expr = self.or_expr("")
        token = self.lexer.peek()
        if token.kind == RPAREN:
            raise self.lexer.error(token, "AND, OR or end of input", "')' without a matching '('")
        if token.kind != EOF:
            raise self.lexer.error(token, "AND, OR or end of input")
        return expr

    def or_expr(self, context: str) -> Expr:
        items = [self.and_expr(context)]
        while self._keyword("OR"):
            items.append(self.and_expr(" after OR"))
        return _flatten(Or, items)

    def and_expr(self, context: str) -> Expr:
        items = [self.not_expr(context)]
        while self._keyword("AND"):
            items.append(self.not_expr(" after AND"))
        return _flatten(And, items)

    def not_expr(self, context: str) -> Expr:
        token = self.lexer.peek()
        if token.kind == KEYWORD and token.value == "NOT":
            self.lexer.advance()
            with _Nesting(self, token):
                return Not(self.not_expr(" after NOT"))
        if token.kind == LPAREN:
            self.lexer.advance()
            with _Nesting(self, token):
                expr = self.or_expr(" after '('")
            closing = self.lexer.peek()
            if closing.kind != RPAREN:
                raise self.lexer.error(
                    closing, f"AND, OR or ')' to close the '(' at position {token.position}"
                )
            self.lexer.advance()
            return expr
        if token.kind == NAME:
            return self.predicate()
        raise self.lexer.error(token, f"a field name, NOT or '('{context}")

    def predicate(self) -> Expr:
        name = self.lexer.advance()
        field = str(name.value)
        token = self.lexer.advance()
        if token.kind == OP:
            if token.text not in _COMPARE:
                raise self.lexer.error(token, _OPERATORS)
            op = _COMPARE[token.text]
            return Compare(field, op, self.value(f"a value after '{token.text}'"))
        if token.kind == KEYWORD:
            negated = token.value == "NOT"
            if negated:
                token = self.lexer.advance()
                if not (token.kind == KEYWORD and token.value in ("LIKE", "IN")):
                    raise self.lexer.error(token, "LIKE or IN after NOT")
            if token.value == "LIKE":
                pattern = self.lexer.advance()
                if pattern.kind != STRING:
                    raise self.lexer.error(pattern, "a quoted pattern after LIKE")
                return Like(field, str(pattern.value), negated)
            if token.value == "IN":
                return In(field, self.value_list(), negated)
            if token.value == "IS":
                return self.null_check(field)
        raise self.lexer.error(token, f"{_OPERATORS} after the field {name.text}")

    def null_check(self, field: str) -> Expr:
        token = self.lexer.advance()
        negated = token.kind == KEYWORD and token.value == "NOT"
        if negated:
            token = self.lexer.advance()
        if not (token.kind == KEYWORD and token.value == "NULL"):
            expected = "NULL after IS NOT" if negated else "NULL or NOT NULL after IS"
            raise self.lexer.error(token, expected)
        return IsNull(field, negated)

    def value_list(self) -> tuple[Value, ...]:
        token = self.lexer.advance()
        if token.kind != LPAREN:
            raise self.lexer.error(token, "'(' to open the IN list")
        values = [self.value("a value in the IN list")]
        while True:
            token = self.lexer.advance()
            if token.kind == RPAREN:
                return tuple(values)
            if token.kind != COMMA:
                raise self.lexer.error(token, "',' or ')' in the IN list")
            values.append(self.value("a value after ',' in the IN list"))

    def value(self, wanted: str) -> Value:
        token = self.lexer.advance()
        if token.kind in (STRING, NUMBER):
            return token.value  # type: ignore[return-value]
        if token.kind == KEYWORD and token.value in ("TRUE", "FALSE"):
            return token.value == "TRUE"
        expected = f"{wanted} (a quoted string, a number, true or false)"
        if token.kind == KEYWORD and token.value == "NULL":
            raise self.lexer.error(token, expected, "NULL (write IS NULL or IS NOT NULL)")
        raise self.lexer.error(token, expected)

    def _keyword(self, word: str) -> bool:
        token = self.lexer.peek()
        if token.kind == KEYWORD and token.value == word:
            self.lexer.advance()
            return True
        return False


class _Nesting:
    """Counts open parentheses and NOTs; refuses nesting past MAX_NESTING."""

    def __init__(self, parser: _Parser, token: Token) -> None:
        self.parser, self.token = parser, token

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_NESTING:
            raise self.parser.lexer.error(
                self.token, f"at most {MAX_NESTING} nested parentheses or NOTs", "deeper nesting"
            )

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


def _flatten(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    if len(items) == 1:
        return items[0]
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat))
