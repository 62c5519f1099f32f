"""Executions in Redis: one JSON document each, kept FORMULA_RETENTION_DAYS, listed per
formula instance newest first, a page at a time, within their organization's budget.

    formula:execution:{id}                 the execution (steps, outputs, status), with a TTL
    formula:execution:{id}:summary         its listing fields (a listing loads only these)
    formula:instance:{id}:executions       its ids scored by creation time (ms); an id leaves
                                           when its document is gone (execution_budget.py)
    formula:org:{org}:executions:*         the organization's figures (execution_budget.py)

A document is rewritten after every step (the runner's checkpoint), so a worker that dies
mid-execution leaves the last finished step on record, and the next run resumes after it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from connector.formulas import execution_budget as budget
from connector.formulas.views import execution_summary
from connector.storage.keys import Keys
from connector.storage.scripts import script

DAY = 86400
FINAL = frozenset({"SUCCESS", "FAILED", "STOPPED"})


class ExecutionStore:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        retention_days: int = 7,
        *,
        max_count: int = budget.DEFAULT_MAX_COUNT,
        max_bytes: int = budget.DEFAULT_MAX_BYTES,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.ttl = max(1, int(retention_days)) * DAY
        self.max_count = budget.checked(
            "FORMULA_EXECUTIONS_MAX_COUNT", max_count, budget.COUNT_RANGE
        )
        self.max_bytes = budget.checked(
            "FORMULA_EXECUTIONS_MAX_BYTES", max_bytes, budget.BYTES_RANGE
        )
        self._put = script(client, budget.PUT)

    def new_id(self) -> int:
        return int(self.redis.incr(self.keys.sequence("formula-execution")))

    def create(self, execution: dict[str, Any]) -> dict[str, Any]:
        """Store a new execution (it has its id) and index it under its formula instance;
        ExecutionStorageError when its organization's budget holds only unended ones."""
        if not self.save(execution, created_ms=int(time.time() * 1000)):
            raise budget.ExecutionStorageError(
                f"Your organization keeps {self.max_count:,} formula executions or "
                f"{self.max_bytes // (1024 * 1024):,} MiB of them at most, and none of those "
                "it holds has ended (ended ones make room, oldest first); try again when some "
                "have",
                headers={"Retry-After": "30"},
            )
        return execution  # the script listed it under its formula instance

    def save(
        self, execution: dict[str, Any], *, force: bool = False, created_ms: int | None = None
    ) -> bool:
        """Write the execution (and list it under its formula instance at `created_ms`, or
        now, when not listed yet); False (nothing written) when its organization's budget
        has no room left but unended executions, unless `force` (a small final record)."""
        now_ms = int(time.time() * 1000)
        instance = execution["formulaInstanceId"]
        before, after = self.keys.formula_executions("\0").split("\0")
        org = execution["organizationId"]
        answer = self._put(
            keys=[
                self.keys.formula_execution(execution["id"]),
                self.keys.formula_execution_summary(execution["id"]),
                self.keys.formula_org_executions(org, "sizes"),
                self.keys.formula_org_executions(org, "all"),
                self.keys.formula_org_executions(org, "ended"),
            ],
            args=[
                execution["id"],
                json.dumps(execution),
                json.dumps(execution_summary(execution)),
                self.ttl,
                created_ms or now_ms,
                1 if execution.get("status") in FINAL else 0,
                self.max_bytes,
                self.max_count,
                instance,
                self.keys.formula_execution(""),
                self.keys.formula_execution_summary("").removeprefix(
                    self.keys.formula_execution("")
                ),
                before,
                after,
                now_ms,
                1 if force else 0,
            ],
        )
        return int(answer) != budget.REFUSED

    def get(self, execution_id: int | str) -> dict[str, Any] | None:
        if not str(execution_id).isdigit():
            return None
        raw = self.redis.get(self.keys.formula_execution(execution_id))
        return json.loads(raw) if raw else None

    def list_for(self, instance_id: int | str, limit: int = 100) -> list[dict[str, Any]]:
        """The newest `limit` whole documents (for tools and tests; the API pages summaries)."""
        ids = self.redis.zrevrange(self.keys.formula_executions(instance_id), 0, limit - 1)
        raws = self.redis.mget([self.keys.formula_execution(i) for i in ids]) if ids else []
        return [json.loads(raw) for raw in raws if raw]

    def page_for(
        self, instance_id: int | str, limit: int = 100, before: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """(summaries of up to `limit` executions older than cursor `before`, newest first;
        the cursor of the next page, or None on the last)."""
        index = self.keys.formula_executions(instance_id)
        high, below = "+inf", None
        if before:
            score, _, last = before.partition(":")
            high, below = score, (int(score), int(last))
        found: list[tuple[str, int]] = []
        offset = 0
        while len(found) <= limit:
            chunk = self.redis.zrevrangebyscore(
                index, high, "-inf", start=offset, num=limit + 1, withscores=True
            )
            for member, score in chunk:
                position = (int(score), int(member))
                if below is None or position < below:
                    found.append((str(member), int(score)))
            if len(chunk) < limit + 1:
                break
            offset += len(chunk)
        found.sort(key=lambda f: (f[1], int(f[0])), reverse=True)
        page, more = found[:limit], len(found) > limit
        keys = [self.keys.formula_execution_summary(i) for i, _ in page]
        raws = self.redis.mget(keys) if keys else []
        summaries = []
        for (member, _), raw in zip(page, raws, strict=True):
            if raw is None:  # written before summaries were kept: its document, one at a time
                doc = self.get(member)
                raw = json.dumps(execution_summary(doc)) if doc else None
            if raw:
                summaries.append(json.loads(raw))
        cursor = f"{page[-1][1]}:{page[-1][0]}" if more and page else None
        return summaries, cursor
