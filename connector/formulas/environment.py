"""Everything formulas work with in one process, web or worker: stores, the hub's parts,
the outbound client and the job queues.

The API's composition step (`connector.api.formulas.init_app`) builds it from the app's own
parts and keeps it in `app.extensions[EXTENSION]`; a worker builds the app once per deployment
and takes the same object, so a job and a request see identically wired parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from connector.config import Settings
from connector.formulas.executions import ExecutionStore
from connector.formulas.store import FormulaStore
from connector.outbound import OutboundClient, OutboundPolicy
from connector.storage.keys import Keys

EXTENSION = "connector.formulas"


def formula_policy(allow_private: bool) -> OutboundPolicy:
    """Tenants' URLs: http or https to any host; private addresses only if the operator says."""
    return OutboundPolicy.from_settings("http://*", allow_private)


@dataclass
class FormulaEnv:
    settings: Settings
    redis: redis.Redis
    keys: Keys
    services: Any  # connector.tenancy.services.Services
    registry: Any  # connector.hub.registry.Registry
    tokens: Any  # connector.hub.tokens.PageTokens
    store: FormulaStore
    executions: ExecutionStore
    outbound: OutboundClient
    jobs: Any  # connector.jobs.Jobs
    bulk: Any = None  # connector.bulk.runtime.Runtime, for elementRequest's /bulk/... calls

    @classmethod
    def build(
        cls,
        settings: Settings,
        client: redis.Redis,
        keys: Keys,
        services: Any,
        registry: Any,
        tokens: Any,
        jobs: Any,
    ) -> FormulaEnv:
        return cls(
            settings=settings,
            redis=client,
            keys=keys,
            services=services,
            registry=registry,
            tokens=tokens,
            store=FormulaStore(client, keys),
            executions=ExecutionStore(
                client,
                keys,
                settings.formula_retention_days,
                max_count=settings.formula_executions_max_count,
                max_bytes=settings.formula_executions_max_bytes,
            ),
            outbound=OutboundClient(formula_policy(settings.formulas_allow_private_urls)),
            jobs=jobs,
        )
