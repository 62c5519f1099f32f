"""An OpenAPI 3.x document as Swagger 2.0, for Cloud Elements' clients of `/instances/{id}/docs`.

Our own code rather than a library: no maintained Python OAS3 -> Swagger 2.0 converter exists
on PyPI (fastapi-swagger2 builds Swagger from a FastAPI app's routes and needs FastAPI;
LucyBot's api-spec-converter is a Node tool). What is converted:
- `servers[0]` -> `host`, `basePath`, `schemes`; `components.schemas` -> `definitions`,
  `components.responses` -> `responses`; `securitySchemes` -> `securityDefinitions`;
- parameters: a JSON `requestBody` -> an `in: body` parameter, a multipart one -> `formData`
  parameters (`format: binary` -> `type: file`); query, path and header parameters carry their
  schema's type inline (cookies have no Swagger 2.0 form and are left out);
- responses: the JSON content's schema, headers inlined with their types;
- schemas (JSON Schema 2020-12 -> Swagger's subset): `type: [x, "null"]` -> `type: x` and
  `x-nullable`, `const` -> a one-value `enum`, numeric `exclusiveMinimum` -> `minimum` plus
  `exclusiveMinimum: true`, `examples` -> `example`, `oneOf`/`anyOf` -> the one non-null
  alternative (else `x-oneOf`/`x-anyOf` with no type); any other keyword is kept as `x-<key>`.

    >>> swagger2({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    ...           "servers": [{"url": "http://h:1/b"}], "paths": {}})["basePath"]
    '/b'
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

REF_PREFIXES = {
    "#/components/schemas/": "#/definitions/",
    "#/components/responses/": "#/responses/",
    "#/components/parameters/": "#/parameters/",
}
SCHEMA_KEYS = frozenset(
    {
        "$ref", "format", "title", "description", "default", "multipleOf", "maximum",
        "minimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "maxProperties", "minProperties", "required", "enum", "type", "items", "allOf",
        "properties", "additionalProperties", "discriminator", "readOnly", "xml",
        "externalDocs", "example",
    }
)  # fmt: skip
SIMPLE_KEYS = (
    "format", "items", "enum", "default", "maximum", "minimum", "maxLength", "minLength",
    "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf",
)  # fmt: skip
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
JSON_TYPES = ("application/json", "application/x-ndjson", "*/*")


def swagger2(doc: dict[str, Any]) -> dict[str, Any]:
    components = doc.get("components", {})
    ctx = _Context(components)
    server = urlsplit((doc.get("servers") or [{"url": "/"}])[0]["url"])
    out: dict[str, Any] = {"swagger": "2.0", "info": doc["info"]}
    if server.netloc:
        out["host"] = server.netloc
    out["basePath"] = server.path or "/"
    out["schemes"] = [server.scheme] if server.scheme else ["http", "https"]
    out["consumes"] = ["application/json"]
    out["produces"] = ["application/json"]
    out["paths"] = {path: _path_item(item, ctx) for path, item in doc.get("paths", {}).items()}
    out["definitions"] = {k: schema(v) for k, v in components.get("schemas", {}).items()}
    out["responses"] = {
        k: _response(v, ctx) for k, v in components.get("responses", {}).items() if "$ref" not in v
    }
    security = {k: _security(v) for k, v in components.get("securitySchemes", {}).items()}
    if security:
        out["securityDefinitions"] = security
    for key in ("security", "tags", "externalDocs"):
        if key in doc:
            out[key] = doc[key]
    return out


class _Context:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def resolved(self, node: dict[str, Any], kind: str) -> dict[str, Any]:
        """A `#/components/{kind}/...` reference's target (headers and request bodies have no
        Swagger 2.0 home, so they are inlined)."""
        seen = 0
        while "$ref" in node and node["$ref"].startswith(f"#/components/{kind}/") and seen < 20:
            node = self.components.get(kind, {}).get(node["$ref"].rsplit("/", 1)[1], {})
            seen += 1
        return node


def _ref(ref: str) -> str:
    for old, new in REF_PREFIXES.items():
        if ref.startswith(old):
            return new + ref[len(old) :]
    return ref


def schema(node: Any) -> Any:
    """One JSON Schema (OpenAPI 3.x) as a Swagger 2.0 schema object."""
    if not isinstance(node, dict):
        return {} if node is True else node
    if "$ref" in node:
        return {"$ref": _ref(node["$ref"])}
    node = dict(node)
    out: dict[str, Any] = {}
    for alt in ("oneOf", "anyOf"):
        if alt not in node:
            continue
        options = node.pop(alt)
        non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if len(non_null) < len(options):
            out["x-nullable"] = True
        if len(non_null) == 1 and "$ref" in non_null[0]:
            out["allOf"] = [{"$ref": _ref(non_null[0]["$ref"])}]
        elif len(non_null) == 1:
            node = {**non_null[0], **node}  # the alternative's keywords; the outer ones win
        else:
            out[f"x-{alt}"] = [schema(o) for o in non_null]
    kind = node.pop("type", None)
    if isinstance(kind, list):
        if "null" in kind:
            out["x-nullable"] = True
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "null":
        out["x-nullable"], kind = True, None
    if kind is not None:
        out["type"] = kind
    if "nullable" in node:  # OpenAPI 3.0
        out["x-nullable"] = bool(node.pop("nullable"))
    return _rest(node, out)


def _rest(node: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    for key, value in node.items():
        if key in ("oneOf", "anyOf", "type"):
            continue
        if key == "required" and not value:
            continue  # Swagger 2.0 wants one name or more
        if key == "const":
            out["enum"] = [value]
        elif key == "examples" and isinstance(value, list) and value:
            out.setdefault("example", value[0])
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            out[key] = True
        elif key == "properties":
            out[key] = {name: schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = schema(value)
        elif key == "allOf":
            out[key] = [schema(sub) for sub in value]
        elif key in SCHEMA_KEYS or key.startswith("x-"):
            out[key] = value
        else:
            out[f"x-{key}"] = value
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}
    return out


def _simple(node: dict[str, Any]) -> dict[str, Any]:
    """A parameter's, header's or form field's schema inline: Swagger 2.0 wants a type."""
    converted = schema(node or {})
    if "$ref" in converted or "allOf" in converted or "type" not in converted:
        converted = {"type": "string", **{k: converted[k] for k in ("enum",) if k in converted}}
    out = {"type": converted["type"]}
    if out["type"] == "object":
        out["type"] = "string"
    for key in SIMPLE_KEYS:
        if key == "items" and key in converted and out["type"] == "array":
            out["items"] = _simple(converted["items"])
        elif key != "items" and key in converted:
            out[key] = converted[key]
    if out["type"] == "array" and "items" not in out:
        out["items"] = {"type": "string"}
    return out


def _path_item(item: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "parameters" in item:
        out["parameters"] = _parameters(item["parameters"], ctx)
    for method in METHODS:
        if method in item:
            out[method] = _operation(item[method], ctx)
    return out


def _parameters(found: list[dict[str, Any]], ctx: _Context) -> list[dict[str, Any]]:
    out = []
    for raw in found:
        param = ctx.resolved(raw, "parameters")
        if param.get("in") == "cookie":
            continue
        converted = {k: param[k] for k in ("name", "in", "description", "required") if k in param}
        if param.get("in") == "path":
            converted["required"] = True
        out.append({**converted, **_simple(param.get("schema", {}))})
    return out


def _operation(op: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    out = {k: v for k, v in op.items() if k in ("tags", "summary", "description", "security")}
    for key in ("operationId", "deprecated"):
        if key in op:
            out[key] = op[key]
    params = _parameters(op.get("parameters", []), ctx)
    body = ctx.resolved(op.get("requestBody") or {}, "requestBodies")
    content = body.get("content", {})
    if "multipart/form-data" in content:
        form = content["multipart/form-data"].get("schema", {})
        required = set(form.get("required", []))
        for name, field in form.get("properties", {}).items():
            shape = {"type": "file"} if field.get("format") == "binary" else _simple(field)
            params.append({"name": name, "in": "formData", "required": name in required, **shape})
        out["consumes"] = ["multipart/form-data"]
    elif content:
        media = next((m for m in JSON_TYPES if m in content), next(iter(content)))
        params.append(
            {
                "name": "body",
                "in": "body",
                "required": bool(body.get("required", False)),
                "schema": schema(content[media].get("schema", {})),
                **({"description": body["description"]} if "description" in body else {}),
            }
        )
    if params:
        out["parameters"] = params
    produces = sorted({m for r in op.get("responses", {}).values() for m in r.get("content", {})})
    if produces and produces != ["application/json"]:
        out["produces"] = produces
    out["responses"] = {
        str(code): _response(response, ctx) for code, response in op.get("responses", {}).items()
    }
    return out


def _response(response: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    if "$ref" in response:
        return {"$ref": _ref(response["$ref"])}
    out: dict[str, Any] = {"description": response.get("description") or ""}
    content = response.get("content", {})
    media = next((m for m in JSON_TYPES if m in content), next(iter(content), None))
    if media is not None and "schema" in content[media]:
        out["schema"] = schema(content[media]["schema"])
    headers = {
        name: _header(ctx.resolved(header, "headers"))
        for name, header in response.get("headers", {}).items()
    }
    if headers:
        out["headers"] = headers
    return out


def _header(header: dict[str, Any]) -> dict[str, Any]:
    shape = _simple(header.get("schema", {}))
    return {**({"description": header["description"]} if "description" in header else {}), **shape}


def _security(scheme: dict[str, Any]) -> dict[str, Any]:
    about = {"description": scheme["description"]} if "description" in scheme else {}
    if scheme.get("type") == "apiKey" and scheme.get("in") in ("header", "query"):
        return {"type": "apiKey", "in": scheme["in"], "name": scheme["name"], **about}
    if scheme.get("type") == "http" and scheme.get("scheme") == "basic":
        return {"type": "basic", **about}
    # bearer and the rest: an Authorization header Swagger 2.0 can describe
    return {"type": "apiKey", "in": "header", "name": "Authorization", **about}
