"""An `elementRequest` to `/bulk/...`: bulk downloads through the bulk service, for formulas
that move whole resources (the nightly export):

    POST /bulk/query          start a download: query `q`, or the JSON body {"q"} or
                              {"resource", "fields", "where", "orderBy"}; answers {id, status}
    GET  /bulk/{id}/status    the job's status, as GET /hubs/crm/bulk/{id}/status answers it

The same checks as the API (the query, BULK_MAX_ROWS); only the element instance's own jobs.
"""

from __future__ import annotations

import json
from typing import Any

from connector.bulk import query as bulk_query
from connector.bulk.service import BulkService
from connector.errors import BadRequestError, MethodNotAllowedError
from connector.hub.answers import Answer

_MAX_ID = 9223372036854775807


def call_bulk(
    runtime: Any, hub: Any, method: str, parts: list[str], query: dict[str, str], body: Any
) -> Answer:
    if runtime is None:
        raise MethodNotAllowedError("bulk jobs are not available here")
    service = BulkService(runtime)
    if method == "POST" and parts == ["bulk", "query"]:
        if query.get("q") is not None:
            parsed = bulk_query.parse_q(str(query["q"]))
        else:
            parsed = bulk_query.parse_body(body)
        return _json(service.start_download(hub, parsed, None))
    if method == "GET" and len(parts) == 3 and parts[2] == "status":
        if not parts[1].isdigit() or int(parts[1]) > _MAX_ID:
            raise BadRequestError(f"'{parts[1]}' is not a bulk job id")
        return _json(service.status(int(hub.instance.id), int(parts[1])))
    raise MethodNotAllowedError(f"{method} /{'/'.join(parts)} is not a bulk call")


def _json(value: Any) -> Answer:
    return Answer(json.dumps(value), {"Content-Type": "application/json"})
