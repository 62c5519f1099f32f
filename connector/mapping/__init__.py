"""The mapping engine: transformation maps (transformations/*.yaml) applied in both directions.

    maps = load_maps("transformations")  # validates every map; MappingError names file+field
    record = maps["accounts"].to_normalized(vendor_record, ctx)
    body = maps["accounts"].to_vendor(request_body, ctx, partial=False)

It knows nothing of HTTP, Redis or Autotask's transport; the tenant's picklists, user-defined
fields, links and instance settings come in through a `MappingContext`.
"""

from __future__ import annotations

from connector.errors import MappingError
from connector.mapping.context import MappingContext
from connector.mapping.fields import FIELD_TYPES, FieldMapper
from connector.mapping.loader import build_map, load_map, load_maps
from connector.mapping.resource import ChildLink, ParentLink, ResourceMap

__all__ = [
    "FIELD_TYPES",
    "ChildLink",
    "FieldMapper",
    "MappingContext",
    "MappingError",
    "ParentLink",
    "ResourceMap",
    "build_map",
    "load_map",
    "load_maps",
]
