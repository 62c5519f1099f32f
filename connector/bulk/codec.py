"""How a result is kept and sent: NDJSON chunks as gzip members, CSV with dotted headers.

Each stored chunk is one complete gzip member of NDJSON lines. Concatenated gzip members are
one valid gzip stream, so a gzip download of NDJSON sends the stored bytes as they are, and a
plain one inflates one chunk at a time: memory stays one chunk whatever the result's size.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

LEVEL = 6


def pack(records: Iterable[dict[str, Any]]) -> bytes:
    lines = "".join(
        json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in records
    )
    return gzip.compress(lines.encode(), compresslevel=LEVEL, mtime=0)


def unpack(blob: bytes) -> bytes:
    return gzip.decompress(blob)


def records(blob: bytes) -> Iterator[dict[str, Any]]:
    for line in unpack(blob).splitlines():
        if line:
            yield json.loads(line)


def flatten(record: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}, "l": [{"x": 2}]}` -> `{"a.b": 1, "l.0.x": 2}`; scalars kept."""
    out: dict[str, Any] = {}
    if isinstance(record, dict):
        if not record and prefix:
            out[prefix] = None
        for key, value in record.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(record, list):
        if not record and prefix:
            out[prefix] = None
        for index, value in enumerate(record):
            out.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix] = record
    return out


def columns_of(records_: Iterable[dict[str, Any]], known: list[str]) -> list[str]:
    """`known` with the new dotted columns of `records_` appended, in first-seen order."""
    seen = dict.fromkeys(known)
    for record in records_:
        for name in flatten(record):
            seen.setdefault(name, None)
    return list(seen)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_lines(columns: list[str], blobs: Iterable[bytes]) -> Iterator[bytes]:
    """The header, then each chunk's rows as CSV (one chunk per yielded piece)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield buffer.getvalue().encode()
    for blob in blobs:
        buffer.seek(0)
        buffer.truncate()
        for record in records(blob):
            flat = flatten(record)
            writer.writerow([csv_cell(flat.get(name)) for name in columns])
        yield buffer.getvalue().encode()


def ndjson_lines(blobs: Iterable[bytes]) -> Iterator[bytes]:
    for blob in blobs:
        yield unpack(blob)


def gzipped(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """One gzip stream of the pieces, compressed as they come."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)
    for piece in pieces:
        out = compressor.compress(piece)
        if out:
            yield out
    yield compressor.flush()
