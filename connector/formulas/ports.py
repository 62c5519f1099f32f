"""The real I/O of one execution's steps: the hub, outbound HTTP, the instance's state.

Every door is scoped to the formula instance: element requests reach only the element
instances its configuration names (of its own organization, checked at save and again here),
state keys live under its id, and HTTP goes through the outbound guard.
"""

from __future__ import annotations

import json
from typing import Any

from connector.formulas import limits, state_budget
from connector.formulas.environment import FormulaEnv
from connector.formulas.hub_calls import call_hub
from connector.formulas.steps.base import StepFailed
from connector.hub.service import Hub
from connector.outbound import (
    OutboundConnectError,
    OutboundError,
    OutboundTimeoutError,
    OutboundTooLargeError,
)


class ExecutionPorts:
    def __init__(self, env: FormulaEnv, formula_instance: dict[str, Any]) -> None:
        self.env = env
        self.instance = formula_instance
        self.element_calls = 0

    # -- the hub -------------------------------------------------------------------------
    def element_request(
        self, instance_key: Any, method: str, path: str, query: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        element_id = int(instance_key) if str(instance_key).isdigit() else None
        if element_id is None or element_id not in self.instance["elementInstanceIds"]:
            raise StepFailed(
                "elementInstance is not an element instance of this formula instance",
                field_name="elementInstance",
            )
        element = self.env.services.instances.get_for_org(
            element_id, self.instance["organizationId"]
        )
        if element is None:
            raise StepFailed(
                f"element instance {element_id} was deleted", field_name="elementInstance"
            )
        if element.disabled:
            raise StepFailed(f"element instance {element_id} is disabled")
        hub = Hub(
            element,
            deps=self.env.services,
            redis_client=self.env.redis,
            registry=self.env.registry,
            tokens=self.env.tokens,
        )
        self.element_calls += 1
        return call_hub(hub, method, path, query, body, bulk=self.env.bulk)

    # -- outbound HTTP -------------------------------------------------------------------
    def http_request(
        self, method: str, url: str, headers: dict[str, str], body: Any, timeout: float
    ) -> dict[str, Any]:
        try:
            answer = self.env.outbound.request(
                method,
                url,
                headers=headers,
                json=body if body is not None and method != "GET" else None,
                deadline_seconds=timeout,
                max_response_bytes=limits.MAX_RESPONSE_BYTES,
            )
        except (OutboundTimeoutError, OutboundConnectError) as exc:
            raise StepFailed(exc.message, transient=True) from None
        except OutboundTooLargeError as exc:
            raise StepFailed(exc.message) from None
        except OutboundError as exc:  # refused by the rules: scheme, host, address
            raise StepFailed(exc.message, field_name="url") from None
        text = answer.body.decode("utf-8", "replace") if answer.body else ""
        try:
            parsed: Any = json.loads(text) if text else None
        except ValueError:
            parsed = text
        kept = {
            k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "location")
        }
        return {"status": answer.status, "body": parsed, "headers": kept}

    # -- state -----------------------------------------------------------------------------
    def _key(self, key: str) -> str:
        return self.env.keys.formula_state(self.instance["id"], key)

    def state_get(self, key: str) -> tuple[bool, Any]:
        raw = self.env.redis.get(self._key(key))
        return (raw is not None, json.loads(raw) if raw is not None else None)

    def state_put(self, key: str, value: Any, ttl: int | None) -> None:
        ttl = ttl or limits.MAX_STATE_TTL_SECONDS
        put = state_budget.put(
            self.env.redis,
            self.env.keys,
            self.instance,
            self._key(key),
            json.dumps(value),
            ttl,
        )
        if put == state_budget.TOO_MANY:
            raise StepFailed(
                f"this formula instance's state holds {limits.MAX_STATE_KEYS:,} values at most; "
                "delete some (action delete) or give them a shorter ttl",
                field_name="key",
            )
        if put == state_budget.TOO_BIG:
            raise StepFailed(
                f"this formula instance's state values take {limits.MAX_STATE_BYTES:,} bytes at "
                "most together; delete some (action delete) or keep smaller values",
                field_name="value",
            )
        if put == state_budget.ORG_TOO_BIG:
            raise StepFailed(
                f"the state values of this organization's formula instances take "
                f"{limits.MAX_ORG_STATE_BYTES:,} bytes at most together; delete some (action "
                "delete), give them a shorter ttl or keep smaller values",
                field_name="value",
            )

    def state_delete(self, key: str) -> bool:
        return state_budget.delete(self.env.redis, self.env.keys, self.instance, self._key(key))
