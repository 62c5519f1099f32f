"""An upload's file read into rows: CSV (dotted headers), a JSON array, or NDJSON.

What is wrong with the file as a whole (empty, not UTF-8, not an array, CSV columns the
resource does not have, too many rows) is a 400 before any job exists. What is wrong with
one row (a line that is not JSON, an element that is not an object) becomes that row's error
in the result, with its row number, so nothing is dropped without being reported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from connector.errors import BadRequestError

FORMATS = ("csv", "json", "ndjson")
_INDEX = re.compile(r"^\d+$")


@dataclass
class Rows:
    format: str
    rows: list[dict[str, Any]] = field(
        default_factory=list
    )  # {"row": n, "data"} or {"row", "error"}
    columns: list[str] = field(default_factory=list)


def detect(filename: str | None, content_type: str | None, text: str) -> str:
    name = (filename or "").lower()
    kind = (content_type or "").split(";")[0].strip().lower()
    if name.endswith(".csv") or kind in ("text/csv", "application/csv"):
        return "csv"
    if name.endswith((".ndjson", ".jsonl")) or kind in (
        "application/x-ndjson",
        "application/jsonl",
    ):
        return "ndjson"
    start = text.lstrip()[:1]
    if name.endswith(".json") or kind == "application/json":
        return "json"  # a JSON file is one array; NDJSON says so by name or type
    if start == "[":
        return "json"
    if start == "{":
        return "ndjson"
    return "csv"


def decode(data: bytes) -> str:
    if not data or not data.strip():
        raise BadRequestError("The uploaded file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequestError(
            f"The uploaded file is not UTF-8 text (byte {exc.start} is not valid UTF-8)"
        ) from None
    return text.removeprefix("\ufeff")


def read(data: bytes, filename: str | None, content_type: str | None, max_rows: int) -> Rows:
    text = decode(data)
    kind = detect(filename, content_type, text)
    parsed = {"csv": _csv, "json": _json_array, "ndjson": _ndjson}[kind](text)
    if not parsed.rows:
        raise BadRequestError("The uploaded file holds no rows")
    if len(parsed.rows) > max_rows:
        raise BadRequestError(
            f"The file holds {len(parsed.rows)} rows; BULK_MAX_ROWS is {max_rows}"
        )
    return parsed


def _csv(text: str) -> Rows:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BadRequestError("The CSV file has no header row") from None
    except csv.Error as exc:
        raise BadRequestError(f"The CSV file cannot be read: {exc}") from None
    header = [h.strip() for h in header]
    if not any(header) or any(not h for h in header):
        raise BadRequestError("Every CSV column needs a name in the header row")
    if len(set(header)) != len(header):
        raise BadRequestError("The CSV header names a column twice")
    out = Rows("csv", columns=header)
    number = 0
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # a blank line is no row
            number += 1
            if len(values) != len(header):
                out.rows.append(
                    {"row": number, "error": f"{len(values)} values for {len(header)} columns"}
                )
                continue
            out.rows.append({"row": number, "data": unflatten(zip(header, values, strict=True))})
    except csv.Error as exc:
        raise BadRequestError(f"The CSV file cannot be read after row {number}: {exc}") from None
    return out


def unflatten(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Dotted CSV columns back to a record: `emails.0.address` -> `{"emails": [{...}]}`.
    Empty cells are left out (a CSV cannot tell an empty string from no value)."""
    record: dict[str, Any] = {}
    for column, value in pairs:
        if value == "":
            continue
        parts = column.split(".")
        node: Any = record
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            child: Any = value if last else ([] if _INDEX.match(parts[index + 1]) else {})
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if node[position] is None or last:
                    node[position] = child
                node = node[position]
            else:
                if part not in node or last:
                    node[part] = child
                node = node[part]
    return _compact(record)


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not None]
    return value


def _json_array(text: str) -> Rows:
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise BadRequestError(f"The JSON file is not valid JSON: {exc}") from None
    if not isinstance(parsed, list):
        raise BadRequestError("A JSON upload must be an array of records (or NDJSON lines)")
    out = Rows("json")
    for number, item in enumerate(parsed, start=1):
        if isinstance(item, dict):
            out.rows.append({"row": number, "data": item})
        else:
            out.rows.append({"row": number, "error": "This element is not a JSON object"})
    return out


def _ndjson(text: str) -> Rows:
    out = Rows("ndjson")
    number = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        number += 1
        try:
            item = json.loads(line)
        except ValueError as exc:
            out.rows.append({"row": number, "error": f"This line is not valid JSON: {exc}"})
            continue
        if isinstance(item, dict):
            out.rows.append({"row": number, "data": item})
        else:
            out.rows.append({"row": number, "error": "This line is not a JSON object"})
    return out


def unknown_columns(columns: list[str], known_paths: Iterable[str]) -> list[str]:
    """CSV columns that name no field of the resource (list indexes ignored)."""
    known = {p.lower() for p in known_paths if p}
    unknown = []
    for column in columns:
        path = ".".join(p for p in column.split(".") if not _INDEX.match(p)).lower()
        if not any(
            path == k or path.startswith(k + ".") or k.startswith(path + ".") for k in known
        ):
            unknown.append(column)
    return unknown
