"""The sandbox's SQLite database: one file shared by every gunicorn worker, or memory for tests.

A file database runs in WAL mode with one connection per thread, so reads run side by side and
writes queue on SQLite's lock (`BEGIN IMMEDIATE`, so a reader never has to upgrade). A memory
database lives in one process: one connection, used under a lock.
Everything the workers must agree on lives here: records, the request log, the hourly counter,
the in-flight requests of the thread limit, faults, runtime settings, the webhook outbox,
and each entity's highest id ever given (Autotask never reuses an id).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connector.sandbox.catalog import INTEGER_TYPES, Catalog, EntityDef

_INTERNAL_TABLES = """
CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS _config (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS _requests (
    id INTEGER PRIMARY KEY, time TEXT, method TEXT, path TEXT, args TEXT, body TEXT,
    status INTEGER, integration_code TEXT, username TEXT, impersonation TEXT,
    endpoint TEXT, duration_ms REAL, added_latency REAL);
CREATE TABLE IF NOT EXISTS _hits (id INTEGER PRIMARY KEY, ts REAL);
CREATE INDEX IF NOT EXISTS ix_hits_ts ON _hits (ts);
CREATE TABLE IF NOT EXISTS _inflight (id INTEGER PRIMARY KEY, key TEXT, started REAL);
CREATE INDEX IF NOT EXISTS ix_inflight_key ON _inflight (key);
CREATE TABLE IF NOT EXISTS _faults (
    id INTEGER PRIMARY KEY, spec TEXT, remaining INTEGER, matched INTEGER DEFAULT 0,
    applied INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS _ticket_numbers (prefix TEXT PRIMARY KEY, last INTEGER);
CREATE TABLE IF NOT EXISTS _id_marks (entity TEXT PRIMARY KEY, last INTEGER);
CREATE TABLE IF NOT EXISTS _resource_roles (
    resource_id INTEGER, role_id INTEGER, PRIMARY KEY (resource_id, role_id));
CREATE TABLE IF NOT EXISTS _webhook_events (
    id INTEGER PRIMARY KEY, webhook_entity TEXT, webhook_id INTEGER, action TEXT,
    entity_id INTEGER, payload TEXT, created REAL, attempts INTEGER DEFAULT 0,
    next_attempt REAL, status TEXT DEFAULT 'pending', last_error TEXT, claimed_until REAL);
CREATE INDEX IF NOT EXISTS ix_webhook_events_due ON _webhook_events (status, next_attempt);
CREATE TABLE IF NOT EXISTS _webhook_state (
    webhook_entity TEXT, webhook_id INTEGER, sequence INTEGER DEFAULT 0,
    failures INTEGER DEFAULT 0, PRIMARY KEY (webhook_entity, webhook_id));
"""


def column_type(data_type: str) -> str:
    if data_type in INTEGER_TYPES or data_type == "boolean":
        return "INTEGER"
    if data_type in ("decimal", "double"):
        return "REAL"
    if data_type == "string":
        return "TEXT COLLATE NOCASE"  # Autotask compares strings case-insensitively
    return "TEXT"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _raise_mark(conn: sqlite3.Connection, entity: EntityDef, value: int) -> None:
    conn.execute(
        "INSERT INTO _id_marks (entity, last) VALUES (?, ?) "
        "ON CONFLICT (entity) DO UPDATE SET last = MAX(last, excluded.last)",
        (entity.name, value),
    )


def next_id(conn: sqlite3.Connection, entity: EntityDef) -> int:
    """One past the highest id this entity ever had: a deleted record's id is never reused.

    The mark lives in `_id_marks` (in the data folder, so it survives restarts): creates and
    deletes raise it; the table's own MAX(id) covers seeded rows never deleted.
    """
    mark = conn.execute("SELECT last FROM _id_marks WHERE entity = ?", (entity.name,)).fetchone()
    top = conn.execute(f"SELECT MAX(id) FROM {quote(entity.table)}").fetchone()[0]
    value = max((mark[0] if mark else 0) + 1, (top or 0) + 1, entity.id_start)
    _raise_mark(conn, entity, value)
    return value


def delete_rows(conn: sqlite3.Connection, entity: EntityDef, where: str, params: tuple) -> int:
    """Delete the rows matching `where`, keeping their ids out of reuse; how many went."""
    table = quote(entity.table)
    top = conn.execute(f"SELECT MAX(id) FROM {table} WHERE {where}", params).fetchone()[0]  # noqa: S608
    if top is None:
        return 0
    _raise_mark(conn, entity, top)
    return conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount  # noqa: S608


def entity_ddl(entity: EntityDef) -> list[str]:
    columns = []
    for item in entity.fields:
        if item.name == "id":
            columns.append('"id" INTEGER PRIMARY KEY')
        else:
            columns.append(f"{quote(item.name)} {column_type(item.data_type)}")
    columns.append('"_udf" TEXT')
    statements = [f"CREATE TABLE IF NOT EXISTS {quote(entity.table)} ({', '.join(columns)})"]
    for item in entity.fields:
        if item.index:
            name = quote(f"ix_{entity.table}_{item.name}")
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {name} ON {quote(entity.table)} ({quote(item.name)})"
            )
    return statements


class Store:
    """Connections and transactions; `path=None` keeps the database in memory."""

    def __init__(self, path: str | Path | None, catalog: Catalog) -> None:
        self.path = str(path) if path else None
        self.catalog = catalog
        self._local = threading.local()
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        if self.path is None:
            self._shared = self._open(":memory:")
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.create_schema()

    # -- connections ----------------------------------------------------------------------
    def _open(self, target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        if target != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32000")
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open(self.path)  # type: ignore[arg-type]
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads: one consistent snapshot for the block."""
        with self._maybe_lock():
            conn = self._connection()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed when the block ends, rolled back on error."""
        with self._maybe_lock():
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _maybe_lock(self):
        return self._lock if self._shared is not None else contextlib.nullcontext()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    # -- schema ---------------------------------------------------------------------------
    def schema_fingerprint(self) -> str:
        """Changes whenever the tables the catalog asks for change."""
        shape = [_INTERNAL_TABLES] + [
            entity_ddl(entity) for _, entity in sorted(self.catalog.entities.items())
        ]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]

    def create_schema(self) -> None:
        """Create missing tables; a database made for other definitions is emptied first
        (its data is seed data: `prepare_store` seeds it again)."""
        fingerprint = self.schema_fingerprint()
        with self.write() as conn:
            has_meta = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_meta'"
            ).fetchone()
            stored = (
                has_meta and conn.execute("SELECT value FROM _meta WHERE key = 'schema'").fetchone()
            )
            if stored and stored[0] != fingerprint:
                tables = [
                    row[0]
                    for row in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                for table in tables:
                    conn.execute(f"DROP TABLE {quote(table)}")
            for statement in _INTERNAL_TABLES.strip().split(";"):
                if statement.strip():
                    conn.execute(statement)
            for entity in self.catalog.entities.values():
                for statement in entity_ddl(entity):
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO _meta (key, value) VALUES ('token_secret', ?)",
                (secrets.token_hex(32),),
            )
            conn.execute(
                "INSERT OR REPLACE INTO _meta (key, value) VALUES ('schema', ?)", (fingerprint,)
            )

    def wipe(self) -> None:
        """Delete every record and all runtime state except the settings (before a reseed)."""
        with self.write() as conn:
            for entity in self.catalog.entities.values():
                conn.execute(f"DELETE FROM {quote(entity.table)}")
            for table in (
                "_requests",
                "_hits",
                "_inflight",
                "_faults",
                "_ticket_numbers",
                "_id_marks",
                "_resource_roles",
                "_webhook_events",
            ):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM _meta WHERE key NOT IN ('token_secret', 'schema')")

    # -- small key/value helpers ----------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.read() as conn:
            row = conn.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as conn:
            conn.execute("INSERT OR REPLACE INTO _meta (key, value) VALUES (?, ?)", (key, value))

    def config_values(self, conn: sqlite3.Connection | None = None) -> dict[str, Any]:
        if conn is None:
            with self.read() as own:
                return self.config_values(own)
        return {key: json.loads(value) for key, value in conn.execute("SELECT * FROM _config")}

    def set_config_values(self, values: dict[str, Any]) -> None:
        with self.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO _config (key, value) VALUES (?, ?)",
                [(key, json.dumps(value)) for key, value in values.items()],
            )

    def count(self, entity: EntityDef) -> int:
        with self.read() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {quote(entity.table)}").fetchone()[0]
