"""Route templates as metric labels: `/hubs/{hub}/{name}/{record_id}`, never the path itself
(which carries ids and names a tenant chose)."""

from __future__ import annotations

import re
from functools import lru_cache

from werkzeug.routing import Rule

UNMATCHED = "unmatched"
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


@lru_cache(maxsize=512)
def template(rule: str) -> str:
    """`/x/<int(max=9):record_id>` -> `/x/{record_id}`."""
    return _CONVERTER.sub(r"{\1}", rule)


def route_label(rule: Rule | None) -> str:
    return template(rule.rule) if rule is not None else UNMATCHED
