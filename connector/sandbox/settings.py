"""The sandbox's settings: the fixed API user, and the tunables tests turn down to seconds.

Tunables live in the database (`_config`), so every gunicorn worker sees the same values and
`POST /_sandbox/config` changes them for all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_USERNAME = "api-user@sandbox.local"
DEFAULT_SECRET = "sandbox-secret"  # noqa: S105 - the documented test key, like a payment sandbox's
DEFAULT_INTEGRATION_CODE = "SANDBOX0INTEGRATION0CODE000"

DEFAULTS: dict[str, Any] = {
    # Autotask's limits (reference section 7): requests per rolling window per database, the
    # latency added at 50 % and 75 % of it, and concurrent requests per code and endpoint.
    "threshold": 10000,
    "threshold_window_seconds": 3600,
    "latency_at_50": 0.5,
    "latency_at_75": 1.0,
    "thread_limit": 3,
    "request_max_seconds": 300,
    # Webhook delivery (reference section 9): timeout, retry delay, attempts per event, and
    # consecutive failed attempts after which the webhook is deactivated.
    "webhook_timeout": 10.0,
    "webhook_retry_delay": 30.0,
    "webhook_max_attempts": 5,
    "webhook_failure_limit": 25,
    "webhook_poll_interval": 0.5,
    # Who may call: API users (username, secret, optional resourceID) and integration codes.
    "api_users": [{"username": DEFAULT_USERNAME, "secret": DEFAULT_SECRET, "resourceID": None}],
    "integration_codes": [DEFAULT_INTEGRATION_CODE],
    # What zoneInformation answers besides the URLs.
    "zone_name": "Sandbox",
    "ci": 31337,
    # Tenant switches the Tickets rules read.
    "change_management_enabled": True,
    "rma_enabled": False,
    "request_log_limit": 10000,
}


def unknown_settings(values: dict[str, Any]) -> list[str]:
    return sorted(set(values) - set(DEFAULTS))


@dataclass
class SandboxConfig:
    """How to build one sandbox: where its data lives, what to seed, and tunable overrides."""

    database: str | None = None  # a file path; None keeps the data in memory
    records: int = 10  # companies to seed; the other entities scale from it
    seed_counts: dict[str, int] = field(default_factory=dict)  # exact counts per entity
    seed: int = 20240601  # the random seed: the same inputs give the same data
    reseed: bool = False  # wipe and seed even when the database already holds data
    public_url: str | None = None  # the base its links use; default: the request's host
    settings: dict[str, Any] = field(default_factory=dict)  # overrides of DEFAULTS
    deliver_webhooks: bool = True  # run the background delivery thread in this process

    def __post_init__(self) -> None:
        unknown = unknown_settings(self.settings)
        if unknown:
            raise ValueError(f"unknown sandbox settings: {', '.join(unknown)}")
