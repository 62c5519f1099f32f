"""From an instance's configuration to a working Autotask connection: zone, then one probe.

The server URL decides where the zone is asked: an Autotask web URL (`https://wwN.autotask.net`)
goes through Autotask's global zoneInformation endpoint (`AUTOTASK_ZONE_URL`); any other base URL
(the sandbox, a proxy) is asked for its own zone. Every URL involved (the lookup, the zone
answer's API base) must pass the outbound guard's Autotask rules (AUTOTASK_ALLOWED_HOSTS, see
connector/autotask/guard.py): a refusal is a 400 naming the field and the rule, before
anything is sent there. The zone answer never proves the credentials (Autotask's advice), so
one cheap authenticated call does; only after it succeeded is the zone kept in the shared
zone cache (and pinned to the instance by the caller), so a failed create re-points nobody.

A host that failed proving is not trusted with words: of its error texts only the items of
Autotask's documented `errors` list are passed on (bounded, control characters removed), never
a `Message`, an HTML page or an exception text. The probe counts under a provisional key of
(lookup URL, username), never under the counters of the database the zone answer claims, so a
tenant who guesses another database's zone cannot spend that database's budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from connector.autotask import Credentials, Zone, guard, relocation
from connector.autotask.zones import remember_zone
from connector.config import Settings
from connector.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderForbiddenError,
    ProviderValidationError,
    ValidationError,
)
from connector.tenancy import element

if TYPE_CHECKING:
    from connector.tenancy.clients import ClientFactory

_AUTOTASK_HOST = re.compile(r"^(ww\d+|webservices\d*|prde|pres)\.autotask\.net$", re.IGNORECASE)


def zone_lookup_url(server_url: str, settings: Settings) -> str:
    """Where the zone of an instance on `server_url` is asked; AutotaskHostError (a 400
    naming crm.autotask.server.url and the rule) when the guard refuses it."""
    parts = urlsplit(server_url.strip())
    if _AUTOTASK_HOST.match(parts.hostname or ""):
        if parts.scheme.lower() != "https":
            raise guard.AutotaskHostError(element.SERVER_URL, "scheme")
        return settings.autotask_zone_url
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    lookup = f"{base}/atservicesrest/v1.0/zoneInformation"
    guard.check_url(lookup, settings, element.SERVER_URL)
    return lookup


@dataclass(frozen=True)
class Connection:
    credentials: Credentials
    zone: Zone
    zone_url: str


def credentials_from(config: dict[str, str | None], settings: Settings) -> Credentials:
    """Credentials from configuration values in clear; a 400 naming what is missing."""
    code = config.get(element.INTEGRATION_CODE)
    if not code and guard.default_code_allowed(settings):
        code = settings.autotask_integration_code  # the operator's: only to hosts it names
    values = {
        element.USERNAME: config.get(element.USERNAME),
        element.PASSWORD: config.get(element.PASSWORD),
        element.SERVER_URL: config.get(element.SERVER_URL),
        element.INTEGRATION_CODE: code,
    }
    missing = [key for key, value in values.items() if not value]
    if missing:
        hint = ""
        if element.INTEGRATION_CODE in missing:
            hint = (
                " (the Autotask REST API needs the API user's integration code; the operator"
                " may set a default with AUTOTASK_INTEGRATION_CODE)"
            )
        raise ValidationError(
            "Invalid instance: missing configuration: " + ", ".join(missing) + hint
        )
    return Credentials(
        username=str(values[element.USERNAME]).strip(),
        secret=str(values[element.PASSWORD]),
        integration_code=str(code).strip(),
    )


def connect(config: dict[str, str | None], clients: ClientFactory) -> Connection:
    """Discover the zone and prove the credentials; a 400 carrying Autotask's text if refused."""
    credentials = credentials_from(config, clients.settings)
    zone_url = zone_lookup_url(str(config[element.SERVER_URL]), clients.settings)
    try:
        zone = clients.zone(credentials.username, zone_url, refresh=True, remember=False)
    except (ProviderAuthError, ProviderValidationError) as exc:
        raise ValidationError(
            "Autotask does not know this username (zone discovery failed); check "
            f"{element.USERNAME} and {element.SERVER_URL}",
            provider_message=listed_text(exc),
        ) from None
    except ProviderError as exc:
        exc.provider_message = listed_text(exc)
        raise
    autotask = clients.build(credentials, zone, zone_url)
    caller = autotask.caller
    caller.limits = caller.limits_for(
        zone, database=relocation.provisional_database(zone_url, credentials.username)
    )
    try:
        answer = caller.read_threshold(kind="probe")
    except (ProviderAuthError, ProviderForbiddenError, ProviderValidationError) as exc:
        raise ValidationError(
            "Autotask refused the credentials; check the username, password (secret) and "
            "integration code of the API user",
            provider_message=listed_text(exc),
        ) from None
    except ProviderError as exc:
        exc.provider_message = listed_text(exc)
        raise  # outages keep their own status (502/503): nothing is created
    caller.limits_for(zone).store_threshold(answer)  # proved: the database's own snapshot
    remember_zone(
        clients.redis, clients.keys, zone_url, credentials.username, zone, clients.settings.zone_ttl
    )
    return Connection(credentials, zone, zone_url)


def listed_text(exc: ProviderError) -> str | None:
    """What of an unproved host's error text may be shown: its `errors` items, else nothing."""
    return exc.provider_message if getattr(exc, "provider_listed", False) else None
