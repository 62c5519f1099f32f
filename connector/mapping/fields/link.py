"""`LinkField`: an ExecuteCommand URL that opens the record in Autotask's web UI.

Each parameter of the command takes the value of a vendor field; when one of them is null the
link is null. Read-only, and computed, so filters on it are evaluated locally. YAML:

    - {path: links.autotask, type: link, command: OpenAccount, params: {AccountID: id}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from connector.mapping import paths
from connector.mapping.context import MappingContext
from connector.mapping.fields.base import FieldMapper, SpecError
from connector.mapping.spec import FieldSpec, VendorPath


class LinkField(FieldMapper):
    class Spec(FieldSpec):
        command = fields.String(required=True, validate=validate.Length(min=1))
        params = fields.Dict(
            keys=fields.String(),
            values=VendorPath(),
            required=True,
            validate=validate.Length(min=1),
        )

    def __init__(self, spec: Mapping[str, Any], entity: str) -> None:
        self.command: str = spec["command"]
        self.params: dict[str, str] = spec["params"]
        super().__init__(spec, entity)

    def check(self) -> None:
        super().check()
        if self.direction != "read":
            raise SpecError("key 'direction': a link is read-only (direction: read)")

    def read(self, vendor: Mapping[str, Any], ctx: MappingContext) -> str | None:
        values = {name: paths.get(vendor, field) for name, field in self.params.items()}
        if any(value is None for value in values.values()):
            return None
        return ctx.link(self.command, **values)

    def read_fields(self) -> list[str]:
        return list(self.params.values())

    def describe(self, ctx: MappingContext) -> list[dict[str, Any]]:
        return [self.entry(vendorPath=None, vendorNativeType="url", command=self.command)]

    def json_schema(self) -> dict[str, Any]:
        return self.annotate(
            {
                "type": ["string", "null"],
                "format": "uri",
                "description": f"Opens it in Autotask (ExecuteCommand {self.command}).",
            }
        )
