"""The `url` of a Cloud Elements poller entry, honored as far as it says what a poll reads.

Cloud Elements documents the url as the query its poller runs on the hub, e.g.

    /hubs/crm/accounts?where=lastActivityDate >= '${date:yyyy-MM-dd'T'HH:mm:ssZ}'

with `${date:<pattern>}` (or `${gmtDate:...}`) standing for the last poll time. Here a poll
reads one change date from the watermark on (polling.scan), so a url is honored when it says
just that: its path is the resource the entry configures, and its one parameter, `where`, is
`<field> >= '${date:<pattern>}'` (or `>`) on a field of the resource's map, which becomes the
change date polled (as datesConfiguration.updatedDateField does). Anything more (another
resource, other conditions, other parameters) would be silently dropped, so it is refused.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from connector import ceql
from connector.errors import ConnectorError

PLACEHOLDER = re.compile(r"'?\$\{(?:date|gmtDate):[^}]{1,64}\}'?")
_MOMENT = "2000-01-01T00:00:00Z"  # what the placeholder is read as, to parse the where
SHAPE = "<date field> >= '${date:<pattern>}'"


class PollerUrlError(ValueError):
    """Why a poller url is refused (the message names what to change)."""


def polled_field(resource: str, url: str) -> str:
    """The normalized field a poller url polls on; PollerUrlError when it says more than a
    poll does (or something else)."""
    parts = urlsplit(url)
    expected = f"/hubs/crm/{resource}"
    if parts.scheme or parts.netloc or unquote(parts.path).rstrip("/") != expected:
        raise PollerUrlError(f"must be {expected}?where={SHAPE} (the resource it configures)")
    params = parse_qs(parts.query, keep_blank_values=True)
    if set(params) != {"where"} or len(params["where"]) != 1:
        raise PollerUrlError(f"takes one parameter, where={SHAPE}")
    where = params["where"][0]
    if len(PLACEHOLDER.findall(where)) != 1:
        raise PollerUrlError("must hold one ${date:<pattern>} or ${gmtDate:<pattern>}")
    try:
        expr = ceql.parse(PLACEHOLDER.sub(f"'{_MOMENT}'", where))
    except ConnectorError as error:
        raise PollerUrlError(f"where is not CEQL: {error.message[:200]}") from None
    if not (isinstance(expr, ceql.Compare) and expr.op in (">=", ">") and expr.value == _MOMENT):
        raise PollerUrlError(
            f"where must be {SHAPE} alone: a poll reads one change date, and other conditions "
            "would not be applied"
        )
    return expr.field
