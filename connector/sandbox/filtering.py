"""Autotask filter JSON -> a parameterised SQL `WHERE` clause (reference section 3.3).

- The top-level array is an implicit AND; groups are `{"op": "and"|"or", "items": [...]}`.
- Field names and operators match case-insensitively; strings compare case-insensitively
  (the columns are NOCASE; LIKE folds ASCII case).
- SQL three-valued logic is kept: `noteq` and `notIn` never match null, `exist`/`notExist`
  test null (blank strings are stored as null, so they count as missing).
- An unknown operator drops its condition silently (Autotask ignores it); a group left with
  no condition drops out too. `filter: []` is handled by the caller: it matches nothing.
- An unknown or non-queryable field, a second user-defined field, or more than 500 conditions
  under OR groups, is a 500.
"""

from __future__ import annotations

from typing import Any

from connector.sandbox.catalog import EntityDef, FieldDef
from connector.sandbox.errors import ONE_UDF_ONLY, autotask_error, unknown_field
from connector.sandbox.store import quote
from connector.sandbox.values import filter_value

_OPS = {
    "eq": "=",
    "noteq": "<>",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "beginswith": "beginsWith",
    "endswith": "endsWith",
    "contains": "contains",
    "exist": "exist",
    "notexist": "notExist",
    "in": "in",
    "notin": "notIn",
}
_LIKE = {"beginswith": "{}%", "endswith": "%{}", "contains": "%{}%"}
_UDF_FIELD = FieldDef(name="udf", data_type="string")
MAX_OR_CONDITIONS = 500  # the SOAP API's limit; the REST one is assumed the same (reference 3.3)


class _Compiler:
    def __init__(self, entity: EntityDef) -> None:
        self.entity = entity
        self.params: list[Any] = []
        self.udf_names: set[str] = set()
        self.or_conditions = 0

    def items(self, items: list[Any], joiner: str) -> str | None:
        if joiner == "OR":
            self.or_conditions += sum(1 for item in items if not _is_group(item))
            if self.or_conditions > MAX_OR_CONDITIONS:
                raise autotask_error(f"A query may hold at most {MAX_OR_CONDITIONS} OR conditions.")
        parts = [part for part in (self.item(item) for item in items) if part is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return "(" + f" {joiner} ".join(parts) + ")"

    def item(self, item: Any) -> str | None:
        if not isinstance(item, dict):
            raise autotask_error("Invalid filter: each filter item must be an object.")
        keyed = {str(key).lower(): value for key, value in item.items()}
        op = str(keyed.get("op") or "").lower()
        if op in ("and", "or"):
            children = keyed.get("items")
            if not isinstance(children, list):
                raise autotask_error(f"Invalid filter: the '{op}' group needs an items array.")
            return self.items(children, op.upper())
        if op not in _OPS:
            return None  # Autotask ignores an operator it does not know
        name = keyed.get("field")
        if not isinstance(name, str) or not name:
            raise autotask_error("Invalid filter: a condition needs a field.")
        if _truthy(keyed.get("udf")):
            column, field = self.udf_column(name), _UDF_FIELD
        else:
            field = self.entity.field(name)
            if field is None:
                raise unknown_field(name, self.entity.singular)
            if not field.queryable:
                raise autotask_error(
                    f"The field {field.name} of the {self.entity.singular} entity is not queryable."
                )
            column = quote(field.name)
        return self.condition(op, column, field, keyed.get("value"))

    def udf_column(self, name: str) -> str:
        udf = self.entity.udf(name)
        if udf is None:
            raise unknown_field(name, self.entity.singular)
        self.udf_names.add(udf.name)
        if len(self.udf_names) > 1:
            raise autotask_error(ONE_UDF_ONLY)
        self.params.append(f'$."{udf.name}"')
        return 'json_extract("_udf", ?)'

    def condition(self, op: str, column: str, field: FieldDef, value: Any) -> str:
        collate = " COLLATE NOCASE" if field is _UDF_FIELD else ""
        if op == "exist":
            return f"{column} IS NOT NULL"
        if op == "notexist":
            return f"{column} IS NULL"
        if op in ("in", "notin"):
            values = value if isinstance(value, list) else [value]
            converted = [self.operand(field, item) for item in values]
            if not converted:
                return "0" if op == "in" else f"{column} IS NOT NULL"
            self.params.extend(converted)
            marks = ", ".join("?" for _ in converted)
            keyword = "IN" if op == "in" else "NOT IN"
            return f"{column}{collate} {keyword} ({marks})"
        if op in _LIKE:
            text = (
                ""
                if value is None
                else str(value).lower()
                if isinstance(value, bool)
                else str(value)
            )
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            self.params.append(_LIKE[op].format(escaped))
            target = column if field.is_string else f"CAST({column} AS TEXT)"
            return f"{target} LIKE ? ESCAPE '\\'"
        self.params.append(self.operand(field, value))
        return f"{column}{collate} {_OPS[op]} ?"

    def operand(self, field: FieldDef, value: Any) -> Any:
        if field is _UDF_FIELD:
            return None if value is None else str(value)
        try:
            return filter_value(field, value)
        except Exception:
            raise autotask_error(
                f"Invalid filter value {value!r} for field {field.name}."
            ) from None


def _is_group(item: Any) -> bool:
    return isinstance(item, dict) and any(str(k).lower() == "items" for k in item)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def compile_filter(entity: EntityDef, items: list[Any]) -> tuple[str, list[Any]]:
    """A non-empty filter array -> (`WHERE` text, parameters). "1" when nothing constrains."""
    compiler = _Compiler(entity)
    where = compiler.items(items, "AND")
    return (where or "1"), compiler.params
