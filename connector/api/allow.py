"""The methods a path really accepts, for `Allow` (OPTIONS answers and 405s).

Werkzeug lists every method of every rule the path matches, so `/hubs/crm/ping` would
advertise POST because `/hubs/<hub>/<name>` (a resource's create) matches it too, although
`ping` is no resource and a POST there is refused. A path belongs to its most specific rule:
the one whose segments are literal (or typed) where the others are variables, as OpenAPI
matches concrete paths before templated ones. `Allow` lists the methods of that rule alone.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


_TYPED = ("<int", "<float", "<uuid")


def _specificity(rule: Rule) -> tuple[int, ...]:
    """Per segment, left to right: 2 literal, 1 a typed variable (`<int:id>`), 0 any text.
    Higher is more specific: `bulk/<int:id>` (a job) beats `bulk/<name>` (an upload)."""
    return tuple(
        2 if "<" not in part else 1 if part.startswith(_TYPED) else 0
        for part in rule.rule.strip("/").split("/")
    )


def allowed_methods(app: Flask, path: str, environ: dict) -> list[str]:
    adapter = app.url_map.bind_to_environ(environ)
    matched: dict[str, Rule] = {}
    for method in METHODS:
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except HTTPException:
            continue
        matched[method] = rule
    if not matched:
        return []
    best = max(_specificity(rule) for rule in matched.values())
    methods = {m for m, rule in matched.items() if _specificity(rule) == best}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})
