"""Query parameters of the event log API, checked (a 400 names the parameter)."""

from __future__ import annotations

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from connector.events.store import CURSOR, STATUSES

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
_TOKEN = re.compile(r"[ab]:" + CURSOR.pattern)
EVENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class EventPageQuery(Schema):
    """GET /instances/{id}/events."""

    class Meta:
        unknown = EXCLUDE

    after = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    objectType = fields.String(validate=validate.Length(1, 100))  # noqa: N815 - the API's name
    pageSize = fields.Integer(  # noqa: N815
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE)
    )
    nextPage = fields.String()  # noqa: N815

    @validates("after")
    def _cursor(self, value: str, **kwargs: object) -> None:
        if value != "0" and not CURSOR.fullmatch(value):
            raise ValidationError("must be an event's cursor (e.g. 1764680000000-0) or 0")

    @validates("nextPage")
    def _token(self, value: str, **kwargs: object) -> None:
        if not _TOKEN.fullmatch(value):
            raise ValidationError("must be the Elements-Next-Page-Token of the last page")
