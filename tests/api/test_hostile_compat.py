"""A hostile tenant against the Cloud Elements drop-in routes (#18), over real HTTP: what it
stores through the token-scoped VDR routes is bounded before any reader renders it (the hub,
the instance's OpenAPI and Swagger 2.0 documents), and odd element ids in element-scoped
paths are a 404, not a 500."""

from __future__ import annotations

import pytest
import requests

from connector.virtual.schemas import MAX_FIELDS, MAX_PATH_STEPS


def _call(hub, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, hub.url + path, headers=hub.headers, timeout=60, **kwargs)


def _nested(steps: int) -> str:
    return ".".join(["a"] * steps)


@pytest.mark.parametrize("steps", [MAX_PATH_STEPS + 1, 5000])
def test_a_definition_path_past_the_bound_is_a_400_and_the_documents_stay_served(hub, steps):
    # 5,000 names nested the record and its schema past every JSON encoder: the hub list,
    # /instances/docs and its Swagger 2.0 form were 500s for the tenant's own instance
    definition = {"fields": [{"path": _nested(steps), "type": "string"}]}
    refused = _call(hub, "POST", "/instances/objects/deep/definitions", json=definition)
    assert refused.status_code == 400, refused.text
    assert f"at most {MAX_PATH_STEPS} names" in refused.text
    transformation = {
        "vendorName": "Contacts",
        "fields": [{"path": _nested(steps), "type": "string", "vendorPath": "firstName"}],
    }
    refused = _call(hub, "POST", "/instances/transformations/deep", json=transformation)
    assert refused.status_code == 400, refused.text
    assert _call(hub, "GET", "/instances/objects/deep/definitions").status_code == 404
    served = _call(hub, "GET", "/instances/docs")
    assert served.status_code == 200, served.text
    assert "/hubs/crm/deep" not in served.json()["paths"]
    served = _call(hub, "GET", "/instances/docs", params={"format": "swagger2"})
    assert served.status_code == 200, served.text
    assert "deep" not in served.json()["definitions"]


def test_a_path_at_the_bound_is_served_on_the_hub_and_in_both_documents(hub):
    path = _nested(MAX_PATH_STEPS)
    saved = _call(
        hub,
        "POST",
        "/instances/objects/deep/definitions",
        json={"fields": [{"path": path, "type": "string"}]},
    )
    assert saved.status_code == 200, saved.text
    transformation = {
        "vendorName": "Contacts",
        "fields": [{"path": path, "type": "string", "vendorPath": "firstName"}],
    }
    saved = _call(hub, "POST", "/instances/transformations/deep", json=transformation)
    assert saved.status_code == 200, saved.text
    listed = _call(hub, "GET", "/deep", params={"pageSize": 1})  # no hub segment
    assert listed.status_code == 200, listed.text
    node = listed.json()[0]
    for _ in range(MAX_PATH_STEPS):
        node = node["a"]
    assert isinstance(node, str)
    assert "/hubs/crm/deep" in _call(hub, "GET", "/instances/docs").json()["paths"]
    swagger = _call(hub, "GET", "/instances/docs", params={"format": "swagger2"})
    assert swagger.status_code == 200, swagger.text
    assert "deep" in swagger.json()["definitions"]


def test_a_definition_past_the_field_bound_is_a_400(hub):
    fields = [{"path": f"f{i}", "type": "string"} for i in range(MAX_FIELDS + 1)]
    refused = _call(hub, "POST", "/instances/objects/many/definitions", json={"fields": fields})
    assert refused.status_code == 400, refused.text
    assert _call(hub, "GET", "/instances/objects/many/definitions").status_code == 404
    saved = _call(
        hub, "POST", "/instances/objects/many/definitions", json={"fields": fields[:MAX_FIELDS]}
    )
    assert saved.status_code == 200, saved.text


def test_a_nested_field_beside_its_parent_is_still_refused(hub):
    fields = [{"path": f"f{i}", "type": "string"} for i in range(50)]
    fields.append({"path": "f7.inner.leaf", "type": "string"})
    refused = _call(hub, "POST", "/instances/objects/mixed/definitions", json={"fields": fields})
    assert refused.status_code == 400, refused.text
    assert "'f7.inner.leaf' is inside 'f7'" in refused.text


@pytest.mark.parametrize("key", ["%C2%B2", "9" * 5000, "%D9%A3", "0050x"])
@pytest.mark.parametrize("suffix", ["", "/metadata", "/instances", "/instances/1"])
def test_an_element_key_of_odd_digits_is_a_404(hub, key, suffix):
    # str.isdigit() took '²' and 5,000 digits as an id, which int() then refused: a 500
    answer = _call(hub, "GET", f"/elements/{key}{suffix}")
    assert answer.status_code == 404, answer.text
    assert "No element" in answer.json()["message"]


def _big_definition(tag: str) -> dict:
    """About 1.9 MB: 1,000 fields of long names, under the 2 MiB body limit."""
    return {"fields": [{"path": f"{tag}{i}" + "x" * 1900, "type": "string"} for i in range(1000)]}


def test_one_organizations_documents_are_bounded_and_another_keeps_its_room(
    hub, live_server, make_tenant
):
    # documents have no TTL: unbounded, one tenant's would fill Redis (noeviction), and every
    # tenant's writes would then be refused with a 503 until room is made
    org_path = "/organizations/objects/{}/definitions"
    for n in range(4):  # about 7.7 MB of the 8 MiB
        saved = _call(hub, "POST", org_path.format(f"big{n}"), json=_big_definition("a"))
        assert saved.status_code == 200, saved.text[:300]
    refused = _call(hub, "POST", org_path.format("big4"), json=_big_definition("a"))
    assert refused.status_code == 400, refused.text[:300]
    assert "8 MiB" in refused.json()["message"]
    # the instance level counts toward the same organization's bound
    refused = _call(hub, "POST", "/instances/objects/big4/definitions", json=_big_definition("a"))
    assert refused.status_code == 400, refused.text[:300]
    assert _call(hub, "GET", org_path.format("big4")).status_code == 404
    other = make_tenant("Other org")
    saved = requests.post(
        live_server.url + "/elements/api-v2" + org_path.format("big0"),
        json=_big_definition("b"),
        headers=other.headers(),
        timeout=60,
    )
    assert saved.status_code == 200, saved.text[:300]
    assert _call(hub, "DELETE", org_path.format("big0")).status_code == 200
    saved = _call(hub, "POST", org_path.format("big4"), json=_big_definition("a"))
    assert saved.status_code == 200, saved.text[:300]
