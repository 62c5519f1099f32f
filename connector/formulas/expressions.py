"""CEL expressions: compiled once, checked for size and names, evaluated under a cost budget.

The implementation is `cel-python` (module `celpy`), a pure-Python interpreter: its evaluator
visits the parse tree node by node, so a subclass counts visits and watches the clock and stops
a runaway expression between two nodes. (The Rust-backed binding evaluates in one native call
that nothing can interrupt.) Never `eval`, never Python: CEL has no side effects or loops.

    check = compile_expression("trigger.record.status in ['New', 'In Progress']")
    check.evaluate({"trigger": {...}, "steps": {...}, "config": {...}})  # -> True
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import celpy
import lark
from celpy import celtypes
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, Evaluator

from connector.formulas import cpu_clock, limits

ROOTS = frozenset({"trigger", "steps", "config", "execution"})
# identifiers CEL itself defines: type names usable as values
_BUILTIN_IDENTS = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn"}
)
_MACROS = frozenset({"map", "filter", "all", "exists", "exists_one"})
_ENV = celpy.Environment()  # the parser is built once per process (about 0.2 s)


class ExpressionError(Exception):
    """An expression that does not compile or does not evaluate; the message is safe to show."""


class ExpressionLimitError(BaseException):
    """Raised between two nodes when an evaluation spends its budget.

    A BaseException on purpose: celpy turns ordinary exceptions inside functions and macros
    into CEL error values (and `exists()` ignores some), which would let a runaway go on.
    """


class _Budget:
    """What one evaluation may still spend: nodes, CPU time, and bytes of values it builds.
    Time is the thread's CPU time, not the wall clock: CEL does no I/O, so a runaway spends
    CPU, while a preempted worker (or another thread holding the GIL) fails nothing; and a
    garbage collection that happens to run in it is not charged (see cpu_clock.py).

    A node count alone does not bound memory: `a + a` is one node that doubles a string, and
    nested macros (`[a + a + a + a].map(b, [b + b + b + b].map(c, ...))`) multiply it again at
    every level, so a 250-character expression would build gigabytes in a few dozen nodes.
    So every value a node builds is weighed (its JSON-ish size, shared parts counted where they
    appear) and charged against `bytes_left`; a value a node only looks up (a variable, a
    field, an index) is not charged, nor is a value charged twice as it passes up the tree.
    """

    __slots__ = ("left", "deadline", "bytes_left", "free", "charged", "weights")

    def __init__(self, cost: int, seconds: float, size: int) -> None:
        self.left = cost
        self.deadline = cpu_clock.Deadline(seconds)
        self.bytes_left = size
        # id -> value (kept alive so an id is not reused within the evaluation)
        self.free: dict[int, Any] = {}
        self.charged: dict[int, Any] = {}
        self.weights: dict[int, tuple[int, Any]] = {}

    def charge(self, tree: lark.Tree, value: Any) -> None:
        if not isinstance(value, str | bytes | dict | celtypes.ListType):
            # numbers, booleans, timestamps, errors: bounded by the node count; a plain
            # list is celpy's own (a node's operands, each charged where it was built)
            return
        key = id(value)
        if key in self.free or key in self.charged or tree.data in _PASSED:
            return
        if _looks_up(tree):
            self.free[key] = value
            return
        self.charged[key] = value
        self.bytes_left -= _weight(value, self.weights)
        if self.bytes_left < 0:
            raise ExpressionLimitError(
                "expression stopped: the values it built are larger than "
                f"{limits.MAX_EVALUATION_BYTES} bytes"
            )


# nodes that answer a value that already exists (a variable, a field, an item, a literal)
_LOOKUPS = frozenset({"ident", "dot_ident", "member_dot", "member_index", "literal"})
# a list of arguments (or of a list literal's items, charged where `primary` answers it)
_PASSED = frozenset({"exprlist"})


def _looks_up(tree: lark.Tree) -> bool:
    if tree.data in _LOOKUPS:
        return True
    # celpy's `primary` reads a variable itself, without visiting its `ident` child
    first = tree.children[0] if tree.children else None
    return tree.data == "primary" and isinstance(first, lark.Tree) and first.data in _LOOKUPS


_UNIT = 8  # what an item weighs besides its content (a number, a separator, a pointer)
_SHARED = 256  # strings from this length are weighed once per evaluation


def _weight(value: Any, weights: dict[int, tuple[int, Any]]) -> int:
    """About how many bytes `value` takes as JSON; containers (and long strings) are weighed
    once per evaluation, so weighing a list of lists walks each inner list only once."""
    if isinstance(value, str | bytes) and len(value) < _SHARED:
        return len(value) + _UNIT
    if not isinstance(value, str | bytes | dict | list | tuple):
        return _UNIT
    found = weights.get(id(value))
    if found is not None:
        return found[0]
    if isinstance(value, dict):
        size = _UNIT + sum(_weight(k, weights) + _weight(v, weights) for k, v in value.items())
    elif isinstance(value, list | tuple):
        size = _UNIT + sum(_weight(item, weights) for item in value)
    else:
        size = len(value) + _UNIT
    weights[id(value)] = (size, value)
    return size


class _BudgetEvaluator(Evaluator):
    """celpy's evaluator, charging one unit per parse-tree node visited (macros included) and
    the weight of every value a node builds. `_visit_tree` is where lark's Interpreter visits
    every node, `visit` and `visit_children` alike (celpy calls both)."""

    budget: _Budget

    def _visit_tree(self, tree: lark.Tree) -> Any:
        budget = self.budget
        budget.left -= 1
        if budget.left < 0:
            raise ExpressionLimitError(
                f"expression stopped: it needed more than {limits.MAX_EVALUATION_COST} steps"
            )
        if budget.left % 16 == 0 and budget.deadline.passed():
            raise ExpressionLimitError(
                f"expression stopped: it used more than {limits.MAX_EVALUATION_SECONDS} s of CPU"
            )
        value = super()._visit_tree(tree)
        budget.charge(tree, value)
        return value

    def sub_evaluator(self, ast: lark.Tree) -> Evaluator:
        nested = _BudgetEvaluator(ast, activation=self.activation)
        nested.budget = self.budget
        return nested


class Expression:
    """One compiled CEL expression, reusable across evaluations and threads."""

    def __init__(self, source: str, ast: lark.Tree, references: frozenset[tuple[str, str]]):
        self.source = source
        self._ast = ast
        self._runner = _ENV.program(ast)
        # (root, first member) pairs such as ("steps", "lookup") or ("config", "crm")
        self.references = references

    def evaluate(self, variables: dict[str, Any]) -> Any:
        """The value as plain JSON-able Python; ExpressionError if it fails or overspends."""
        return self.evaluate_cel(to_cel(variables))

    def evaluate_cel(self, activation: dict[str, Any]) -> Any:
        """Like `evaluate`, on variables already converted with `to_cel` (once per step)."""
        evaluator = _BudgetEvaluator(self._ast, activation=self._runner.new_activation())
        evaluator.budget = _Budget(
            limits.MAX_EVALUATION_COST, limits.MAX_EVALUATION_SECONDS, limits.MAX_EVALUATION_BYTES
        )
        try:
            value = evaluator.evaluate(activation)
        except ExpressionLimitError as exc:
            raise ExpressionError(str(exc)) from None
        except CELEvalError as exc:
            raise ExpressionError(_eval_message(exc)) from None
        except RecursionError:
            raise ExpressionError("expression nested too deeply") from None
        except Exception as exc:  # celpy raises plain Python errors for some type mismatches
            raise ExpressionError(f"expression failed: {type(exc).__name__}") from None
        result = to_python(value)
        if len(json.dumps(result, default=str)) > limits.MAX_RESULT_BYTES:
            raise ExpressionError(f"expression result larger than {limits.MAX_RESULT_BYTES} bytes")
        return result


def compile_expression(source: Any) -> Expression:
    """Parse and check one expression: size, syntax, depth and the names it reads."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("an expression must be a non-empty string")
    if len(source) > limits.MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {limits.MAX_EXPRESSION_LENGTH} characters")
    try:
        ast = _ENV.compile(source)
    except CELParseError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        where = f" at column {column}" if line in (None, 1) and column else ""
        raise ExpressionError(f"expression does not parse{where}: {first[:120]}") from None
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None
    if _depth(ast) > limits.MAX_EXPRESSION_DEPTH:
        raise ExpressionError("expression nested too deeply")
    return Expression(source, ast, _references(ast))


def to_cel(variables: dict[str, Any]) -> dict[str, Any]:
    """JSON values to CEL values, the activation one evaluation reads."""
    return {name: celpy.json_to_cel(value) for name, value in variables.items()}


def to_python(value: Any) -> Any:
    """A CEL value as JSON-able Python (timestamps as ISO 8601, durations as seconds)."""
    if value is None or isinstance(value, celtypes.NullType):
        return None
    if isinstance(value, celtypes.BoolType | bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(to_python(k)): to_python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_python(v) for v in value]
    return str(value)


def _eval_message(exc: CELEvalError) -> str:
    text = str(exc.args[0]) if exc.args else "evaluation error"
    # celpy appends the whole activation (every variable's value) to some messages
    text = text.split(" (in activation", 1)[0]
    return f"expression failed: {text[:200]}"


def _depth(tree: lark.Tree) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, lark.Tree))
    return deepest


def _references(ast: lark.Tree) -> frozenset[tuple[str, str]]:
    """Root names read (`steps.lookup` gives ("steps", "lookup")); unknown names refused."""
    for node in ast.iter_subtrees():
        if node.data == "member_dot_arg" and str(node.children[1]) == "reduce":
            raise ExpressionError("reduce() is not part of CEL and is not allowed")
    bound = set(_macro_variables(ast))
    found: set[tuple[str, str]] = set()
    for node in ast.iter_subtrees():
        if node.data == "member_dot":
            root = _ident_of(node.children[0])
            if root in ROOTS:
                found.add((root, str(node.children[1])))
        elif node.data == "ident":
            name = str(node.children[0])
            if name not in ROOTS and name not in bound and name not in _BUILTIN_IDENTS:
                raise ExpressionError(
                    f"unknown name '{name}': expressions read trigger, steps, config, execution"
                )
    return frozenset(found)


def _macro_variables(ast: lark.Tree) -> Iterator[str]:
    for node in ast.iter_subtrees():
        if node.data == "member_dot_arg" and str(node.children[1]) in _MACROS:
            args = node.children[2] if len(node.children) > 2 else None
            if isinstance(args, lark.Tree) and args.children:
                name = _ident_of(args.children[0])
                if name:
                    yield name


def _ident_of(node: Any) -> str | None:
    """The identifier a bare `member`/`primary`/`expr` chain consists of, if it is one."""
    while isinstance(node, lark.Tree):
        if node.data == "ident":
            return str(node.children[0])
        if len(node.children) != 1:
            return None
        node = node.children[0]
    return None
