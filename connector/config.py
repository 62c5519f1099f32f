"""Settings read from environment variables, in one place.

Every variable is documented in the README's configuration table; `Settings.from_env` is the
only code that reads them, so the table and this module are the whole story.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_ZONE_URL = "https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation"
PACKAGE_ROOT = Path(__file__).resolve().parent


def _default_transformations_dir() -> str:
    """The maps beside the package in a source checkout, else the copy installed with it."""
    beside = PACKAGE_ROOT.parent / "transformations"
    return str(beside if beside.is_dir() else PACKAGE_ROOT / "transformations")


def _default_compat_dir() -> str:
    """The Cloud Elements model's maps, shipped beside the normalized ones."""
    return str(Path(_default_transformations_dir()) / "cloud-elements")


MODELS = ("normalized", "cloudElements")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_INSTANCES_RANGE = (1, 10_000)  # each instance polls up to 4 resources, holds cache and state
MIN_SECRET_LENGTH = 16  # operator-set secrets: shorter ones are guessable
OPERATOR_SECRETS = {
    "org_secret": "CONNECTOR_ORG_SECRET",
    "user_secret": "CONNECTOR_USER_SECRET",
    "metrics_token": "METRICS_TOKEN",
}


@dataclass(frozen=True)
class Settings:
    """The service's configuration; immutable once the app is built."""

    redis_url: str | None = None
    data_dir: str = ".connector"
    key_prefix: str = "atc:"
    secret_key: str | None = None
    org_secret: str | None = None
    user_secret: str | None = None
    log_format: str = "text"
    log_level: str = "INFO"
    rq_log_level: str = "WARNING"  # RQ's own job start/finish lines (INFO: every 1 s drain)
    autotask_zone_url: str = DEFAULT_ZONE_URL
    autotask_integration_code: str | None = None
    autotask_allowed_hosts: str = ""
    autotask_max_response_bytes: int = 16 * 1024 * 1024
    web_threads: int = 4
    instance_thread_share: float = 0.5
    autotask_timeout: float = 30.0
    autotask_threshold_share: float = 0.5
    autotask_max_concurrency: int = 3
    autotask_max_wait: float = 30.0
    autotask_retries: int = 3
    autotask_threshold_refresh: int = 120
    transformations_dir: str = field(default_factory=_default_transformations_dir)
    metadata_ttl: int = 3600
    local_cache_ttl: float = 5.0
    zone_ttl: int = 86400
    bulk_retention_hours: float = 72.0
    bulk_max_rows: int = 1_000_000
    bulk_max_upload_bytes: int = 50 * 1024 * 1024
    max_content_length: int = 2 * 1024 * 1024
    instance_create_failures: int = 20  # failed proofs per organization in 10 minutes
    max_instances: int = 100  # instances one organization holds (MAX_INSTANCES_RANGE)
    bulk_lease_seconds: float = 30.0
    metrics_token: str | None = None
    events_allow_private_callbacks: bool = False
    # where Autotask reaches this service (webhook callouts); None: events poll instead
    public_url: str | None = None
    events_min_poll_seconds: float = 60.0  # the shortest poll interval a tenant may set
    events_retention_days: float = 7.0  # the event log keeps events this long
    events_retry_hours: float = 24.0  # a failing callback is retried this long, then parked
    events_retry_base_seconds: float = 10.0  # the first retry's wait; each next one doubles
    events_lease_seconds: float = 30.0  # a delivery worker's hold on an instance's callback
    events_gather_seconds: float = 1.0  # changes gathered this long for one read-back query
    formula_retention_days: int = 7
    formula_executions_max_count: int = 10_000  # kept per organization (execution_budget.py)
    formula_executions_max_bytes: int = 256 * 1024 * 1024
    formulas_allow_private_urls: bool = False
    compat_transformations_dir: str = field(default_factory=_default_compat_dir)
    default_model: str = "normalized"
    readable_tokens: bool = False
    cors_origins: str = ""

    def __post_init__(self) -> None:
        if self.default_model not in MODELS:
            raise ValueError(
                f"CONNECTOR_DEFAULT_MODEL must be one of {', '.join(MODELS)}, "
                f"not {self.default_model!r}"
            )
        if self.rq_log_level.upper() not in LOG_LEVELS:
            raise ValueError(f"RQ_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        low, high = MAX_INSTANCES_RANGE
        if not low <= self.max_instances <= high:
            raise ValueError(f"CONNECTOR_MAX_INSTANCES must be between {low} and {high}")
        for name, var in OPERATOR_SECRETS.items():
            value = getattr(self, name)
            if value is not None and len(value.strip()) < MIN_SECRET_LENGTH:
                raise ValueError(  # the value itself is never shown
                    f"{var} must have at least {MIN_SECRET_LENGTH} characters; generate one with "
                    '`python -c "import secrets; print(secrets.token_urlsafe(32))"`'
                )
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
                raise ValueError(
                    "CONNECTOR_PUBLIC_URL must be the service's http(s) base URL, such as "
                    "https://connector.example.com"
                )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (var, convert) in _ENV.items():
            raw = env.get(var)
            if raw not in (None, ""):
                values[name] = convert(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def environment(self) -> dict[str, str]:
        """These settings as the variables `from_env` reads (for a child process: a worker)."""
        env = {}
        for name, (var, _convert) in _ENV.items():
            value = getattr(self, name)
            if value is None:
                continue
            env[var] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return env

    def with_overrides(self, **overrides: Any) -> Settings:
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in overrides.items() if k in known})


def _flag(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


_ENV: dict[str, tuple[str, Any]] = {
    "redis_url": ("REDIS_URL", str),
    "data_dir": ("CONNECTOR_DATA_DIR", str),
    "key_prefix": ("CONNECTOR_KEY_PREFIX", str),
    "secret_key": ("CONNECTOR_SECRET_KEY", str),
    "org_secret": ("CONNECTOR_ORG_SECRET", str),
    "user_secret": ("CONNECTOR_USER_SECRET", str),
    "log_format": ("LOG_FORMAT", str),
    "log_level": ("LOG_LEVEL", str),
    "rq_log_level": ("RQ_LOG_LEVEL", str),
    "autotask_zone_url": ("AUTOTASK_ZONE_URL", str),
    "autotask_integration_code": ("AUTOTASK_INTEGRATION_CODE", str),
    "autotask_allowed_hosts": ("AUTOTASK_ALLOWED_HOSTS", str),
    "autotask_max_response_bytes": ("AUTOTASK_MAX_RESPONSE_BYTES", int),
    "web_threads": ("CONNECTOR_WEB_THREADS", int),
    "instance_thread_share": ("CONNECTOR_INSTANCE_THREAD_SHARE", float),
    "autotask_timeout": ("AUTOTASK_TIMEOUT", float),
    "autotask_threshold_share": ("AUTOTASK_THRESHOLD_SHARE", float),
    "autotask_max_concurrency": ("AUTOTASK_MAX_CONCURRENCY", int),
    "autotask_max_wait": ("AUTOTASK_MAX_WAIT", float),
    "autotask_retries": ("AUTOTASK_RETRIES", int),
    "autotask_threshold_refresh": ("AUTOTASK_THRESHOLD_REFRESH", int),
    "transformations_dir": ("CONNECTOR_TRANSFORMATIONS_DIR", str),
    "metadata_ttl": ("CONNECTOR_METADATA_TTL", int),
    "local_cache_ttl": ("CONNECTOR_LOCAL_CACHE_TTL", float),
    "zone_ttl": ("CONNECTOR_ZONE_TTL", int),
    "bulk_retention_hours": ("BULK_RETENTION_HOURS", float),
    "bulk_max_rows": ("BULK_MAX_ROWS", int),
    "bulk_max_upload_bytes": ("BULK_MAX_UPLOAD_BYTES", int),
    "max_content_length": ("MAX_CONTENT_LENGTH", int),
    "instance_create_failures": ("CONNECTOR_CREATE_FAILURES", int),
    "max_instances": ("CONNECTOR_MAX_INSTANCES", int),
    "bulk_lease_seconds": ("BULK_LEASE_SECONDS", float),
    "metrics_token": ("METRICS_TOKEN", str),
    "events_allow_private_callbacks": ("EVENTS_ALLOW_PRIVATE_CALLBACKS", _flag),
    "public_url": ("CONNECTOR_PUBLIC_URL", str),
    "events_min_poll_seconds": ("EVENTS_MIN_POLL_SECONDS", float),
    "events_retention_days": ("EVENTS_RETENTION_DAYS", float),
    "events_retry_hours": ("EVENTS_RETRY_HOURS", float),
    "events_retry_base_seconds": ("EVENTS_RETRY_BASE_SECONDS", float),
    "events_lease_seconds": ("EVENTS_LEASE_SECONDS", float),
    "events_gather_seconds": ("EVENTS_GATHER_SECONDS", float),
    "formula_retention_days": ("FORMULA_RETENTION_DAYS", int),
    "formula_executions_max_count": ("FORMULA_EXECUTIONS_MAX_COUNT", int),
    "formula_executions_max_bytes": ("FORMULA_EXECUTIONS_MAX_BYTES", int),
    "formulas_allow_private_urls": ("FORMULAS_ALLOW_PRIVATE_URLS", _flag),
    "compat_transformations_dir": ("CONNECTOR_CE_TRANSFORMATIONS_DIR", str),
    "default_model": ("CONNECTOR_DEFAULT_MODEL", str),
    "readable_tokens": ("CONNECTOR_READABLE_TOKENS", _flag),
    "cors_origins": ("CONNECTOR_CORS_ORIGINS", str),
}
