"""The templates shipped with the service, as YAML data files in `templates/`.

Each is validated like any tenant's template when first loaded; its id is its file name
(`ticket-to-alert`), and `POST /formulas/{id}/instances` installs it directly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from connector.formulas.template import CompiledTemplate, build_template

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def shipped() -> dict[str, tuple[dict[str, Any], CompiledTemplate]]:
    """id -> (the template data as written, built template); a bad file raises here."""
    found = {}
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        found[path.stem] = (data, build_template(data))
    return found


def get(template_id: str) -> tuple[dict[str, Any], CompiledTemplate] | None:
    return shipped().get(template_id)
