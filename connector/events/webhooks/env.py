"""What the webhook intake, registration and drain share: built once by the composition root
(connector.api.deps), read by requests and jobs alike."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from connector.config import Settings
from connector.hub.registry import Registry
from connector.storage.keys import Keys
from connector.tenancy.clients import ClientFactory
from connector.tenancy.instances import InstanceStore
from connector.tenancy.secrets_box import SecretBox

EXTENSION = "connector.events.webhooks"


@dataclass(frozen=True)
class WebhookEnv:
    settings: Settings
    redis: redis.Redis
    keys: Keys
    box: SecretBox  # seals each instance's hook id and webhook secret key at rest
    instances: InstanceStore
    clients: ClientFactory  # the instance's Autotask client: webhooks are created as its user
    registry: Registry  # which entity a watched resource reads, and the fields its map reads
