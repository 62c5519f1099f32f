"""What a hub call cost the customer's Autotask budget, as response headers.

- `Autotask-Calls`: the requests this call's Autotask client sent (retries and
  ThresholdInformation reads included), on every hub answer that needed a client;
- `Autotask-Threshold-Used`, `Autotask-Threshold-Limit`: the database's hourly use now
  (Autotask's last ThresholdInformation figure plus what the connector sent since, from the
  shared counters) and its limit, when a ThresholdInformation read is known.

No Redis read of its own (the last call's slot release read the usage), never an Autotask
call. A cache hit that needed no client carries none.
"""

from __future__ import annotations

import logging

import redis as redis_lib

from connector.hub.context import HubContext

CALLS = "Autotask-Calls"
THRESHOLD_USED = "Autotask-Threshold-Used"
THRESHOLD_LIMIT = "Autotask-Threshold-Limit"

log = logging.getLogger("connector.hub")


def headers(ctx: HubContext) -> dict[str, str]:
    client = ctx.built_client
    if client is None:
        return {}
    found = {CALLS: str(client.stats.calls)}
    try:
        usage = client.caller.limits.current()  # as of its last call: no round trip
    except redis_lib.RedisError as exc:  # the answer is ready; the budget figures can wait
        log.info("budget headers left out: %s", type(exc).__name__)
        return found
    if usage.limit:
        found[THRESHOLD_USED] = str(usage.estimated_used)
        found[THRESHOLD_LIMIT] = str(usage.limit)
    return found
