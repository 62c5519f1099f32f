"""`instances check`: one probe proves the credentials; the zone, the share of Autotask's
hourly threshold in use and the state of the instance's cache are reported beside it."""

from __future__ import annotations

from typing import Any

from connector.errors import ConnectorError
from connector.tenancy.instances import Instance
from connector.tenancy.services import Services


def check(services: Services, instance: Instance) -> dict[str, Any]:
    report: dict[str, Any] = {
        "instance": instance.id,
        "name": instance.name,
        "zone": instance.zone.get("name") or "",
        "zoneUrl": instance.zone.get("url") or "",
    }
    try:
        client = services.clients(instance)
        threshold = client.threshold()  # the one probe: ThresholdInformation
    except ConnectorError as error:
        report["credentials"] = f"refused: {error.message}"
        if error.provider_message:
            report["autotask"] = error.provider_message
        return report
    report["credentials"] = "ok"
    report["zone"] = client.zone.name or report["zone"]
    report["zoneUrl"] = client.zone.url
    used = threshold.get("currentTimeframeRequestCount")
    limit = threshold.get("externalRequestThreshold")
    report["threshold"] = (
        f"{used} of {limit} requests per {threshold.get('requestThresholdTimeframe')} min"
    )
    if isinstance(used, int) and isinstance(limit, int) and limit:
        report["thresholdUsed"] = round(used / limit, 4)
    report["cache"] = _cache_state(services, instance)
    return report


def _cache_state(services: Services, instance: Instance) -> str:
    if not instance.cachingEnabled:
        return "off"
    entries = services.local.redis.zcard(services.keys.cache_index(instance.id))
    return (
        f"on, {entries} entries (at most {instance.maxCacheSize or 'unbounded'}), "
        f"TTL {instance.cacheTimeToLive} s"
    )
