"""Virtual resources over real HTTP, against the sandbox: definitions and transformations at
organization and instance level, then /hubs/crm/{name} like any other resource."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fixtures.hub import BASE, HubApi

ELEMENT = "/organizations/elements/autotaskcrm/transformations"


class Platform:
    """The platform APIs with the secrets (and token) of one hub's tenant."""

    def __init__(self, hub: HubApi) -> None:
        self.url = hub.url
        self.headers = hub.headers
        self.instance_id = hub.instance["id"]

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, self.url + path, json=body, headers=self.headers, timeout=60, **kwargs
        )

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = self.call(method, path, body)
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response.json()


def definition(**types: str) -> dict:
    return {"fields": [{"path": p.replace("__", "."), "type": t} for p, t in types.items()]}


def field(path: str, vendor_path: str, *config: dict, **extra: Any) -> dict:
    return {"path": path, "vendorPath": vendor_path, "configuration": list(config), **extra}


def direction(kind: str, **flags: bool) -> dict:
    return {"type": kind, "properties": flags}


NO_UNMAPPED_READS = [direction("passThrough", fromVendor=False, toVendor=True)]
MY_CONTACTS = definition(fullName="string", company="number", email="string")
MY_CONTACTS_MAP = {
    "vendorName": "contacts",
    "fields": [
        field("fullName", "lastName"),
        field("company", "accountId"),
        field("email", "emails[?(@.type=='primary')].address"),
    ],
    "configuration": NO_UNMAPPED_READS,
}


@pytest.fixture
def hub(connect_hub, sandbox) -> HubApi:
    return connect_hub(sandbox)


@pytest.fixture
def platform(hub) -> Platform:
    return Platform(hub)


@pytest.fixture
def my_contacts(platform):
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    platform.ok("POST", f"{ELEMENT}/myContacts", MY_CONTACTS_MAP)


def upstream_filter(sandbox, entity: str) -> str:
    queries = [
        r for r in sandbox.requests(path_contains=f"{entity}/query") if "count" not in r["path"]
    ]
    return repr(queries[-1]["body"])


def test_my_contacts_reads_through_both_maps_with_the_filter_pushed_down(hub, sandbox, my_contacts):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[3])
    sandbox.clear_requests()
    response = hub.get(
        "myContacts",
        where=f"company = {contact['companyID']} and fullName = '{contact['lastName']}'",
    )
    assert response.status_code == 200, response.text
    records = response.json()
    assert response.headers["Elements-Returned-Count"] == str(len(records))
    assert response.headers["Elements-Element-Instance-Id"] == str(hub.instance["id"])
    assert {
        "id": contact["id"],
        "fullName": contact["lastName"],
        "company": contact["companyID"],
        "email": contact["emailAddress"],
    } in records
    pushed = upstream_filter(sandbox, "Contacts")
    # virtual company -> normalized accountId -> Autotask companyID; fullName -> lastName
    assert f"'field': 'companyID', 'value': {contact['companyID']}" in pushed
    assert f"'field': 'lastName', 'value': '{contact['lastName']}'" in pushed
    assert all(set(r) == {"id", "fullName", "company", "email"} for r in records)


def test_a_field_behind_a_filter_path_is_matched_locally(hub, sandbox, my_contacts):
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[5])
    sandbox.clear_requests()
    records = hub.ok(
        "GET", "myContacts", params={"where": f"email = '{contact['emailAddress'].upper()}'"}
    )
    assert [r["id"] for r in records] == [
        i
        for i in sandbox.ids("Contacts")
        if (sandbox.record("Contacts", i)["emailAddress"] or "").lower()
        == contact["emailAddress"].lower()
    ]
    assert "emailAddress" not in upstream_filter(sandbox, "Contacts")  # evaluated here, not there


def test_pages_carry_the_hub_headers_and_cover_every_row(hub, sandbox, my_contacts):
    records, pages = hub.list_all("myContacts", pageSize=4)
    assert [r["id"] for r in records] == sandbox.ids("Contacts")  # each once, in id order
    assert pages >= len(records) // 4


def test_order_by_and_fields_use_the_virtual_names(hub, sandbox, my_contacts):
    records, _ = hub.list_all("myContacts", orderBy="fullName desc", pageSize=15)
    names = [r["fullName"] for r in records]
    assert names == sorted(names, key=str.lower, reverse=True) and len(records) == len(
        sandbox.ids("Contacts")
    )
    sandbox.clear_requests()
    selected = hub.ok("GET", "myContacts", params={"fields": "fullName"})
    assert selected and all(set(r) == {"fullName"} for r in selected)
    body = sandbox.requests(path_contains="Contacts/query")[-1]["body"]
    included = {f.lower() for f in body.get("IncludeFields") or body.get("includeFields")}
    assert "lastname" in included and "emailaddress" not in included


def test_create_read_update_delete_through_the_virtual_names(hub, sandbox, my_contacts):
    company = sandbox.ids("Companies")[2]
    created = hub.ok(
        "POST",
        "myContacts",
        json={
            "fullName": "Dent",
            "company": company,
            "email": "arthur@earth.test",
            "firstName": "Arthur",
        },
    )
    stored = sandbox.record("Contacts", created["id"])
    assert (
        stored["lastName"],
        stored["companyID"],
        stored["emailAddress"],
        stored["firstName"],
    ) == (
        "Dent",
        company,
        "arthur@earth.test",
        "Arthur",  # firstName passed through (toVendor)
    )
    assert created == {
        "id": created["id"],
        "fullName": "Dent",
        "company": company,
        "email": "arthur@earth.test",
    }
    updated = hub.ok("PATCH", f"myContacts/{created['id']}", json={"fullName": "Dent-Prefect"})
    assert updated["fullName"] == "Dent-Prefect"
    assert sandbox.record("Contacts", created["id"])["lastName"] == "Dent-Prefect"
    assert hub.ok("GET", f"myContacts/{created['id']}")["fullName"] == "Dent-Prefect"
    hub.ok("DELETE", f"myContacts/{created['id']}")
    assert sandbox.record("Contacts", created["id"]) is None
    assert hub.call("GET", f"myContacts/{created['id']}").status_code == 404


@pytest.mark.parametrize("sent_id", [0, 999_999, "abc"])
def test_an_id_in_a_create_body_is_ignored(hub, sandbox, my_contacts, sent_id):
    company = sandbox.ids("Companies")[2]
    existing = set(sandbox.ids("Contacts"))
    sandbox.clear_requests()
    created = hub.ok(
        "POST",
        "myContacts",
        json={"id": sent_id, "fullName": "Prefect", "company": company, "firstName": "Ford"},
    )
    assert created["id"] not in existing and created["id"] != sent_id
    assert sandbox.record("Contacts", created["id"])["lastName"] == "Prefect"
    (post,) = [r for r in sandbox.requests(method="POST") if "query" not in r["path"].lower()]
    assert "id" not in {key.lower() for key in post["body"]}  # never sent to Autotask


def test_a_body_value_of_the_wrong_type_is_a_400_naming_the_field(hub, my_contacts):
    response = hub.call("POST", "myContacts", json={"fullName": "Dent", "company": "forty-two"})
    assert response.status_code == 400
    assert "company: 'forty-two' is not a number" in response.json()["message"]


def test_objects_and_metadata_list_the_virtual_resource(hub, my_contacts):
    assert "myContacts" in hub.ok("GET", "objects")
    fields = hub.ok("GET", "objects/myContacts/metadata")["fields"]
    assert [(f["path"], f["type"], f["vendorPath"]) for f in fields] == [
        ("fullName", "string", "lastName"),
        ("company", "number", "accountId"),
        ("email", "string", "emails[?(@.type=='primary')].address"),
    ]


# -- levels ---------------------------------------------------------------------------------------
CHURROS = definition(churrosId="number", churrosName="string")
CHURROS_MAP = {
    "vendorName": "Contacts",  # an Autotask entity, as Autotask names its fields
    "fields": [field("churrosId", "id"), field("churrosName", "firstName")],
    "configuration": [direction("passThrough", fromVendor=False, toVendor=False)],
}
INHERIT = {"type": "inherit", "properties": {"fromVendor": True, "toVendor": True}}


def second_instance(hub: HubApi, sandbox) -> HubApi:
    """Another instance of the same organization (same secrets, its own token)."""
    from tests.fixtures.hub import instance_body

    secrets = hub.headers["Authorization"].split(", Element")[0]
    response = requests.post(
        hub.url + "/instances",
        json=instance_body(sandbox),
        headers={"Authorization": secrets},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    created = response.json()
    return HubApi(
        hub.url[: -len(BASE)], {"Authorization": f"{secrets}, Element {created['token']}"}, created
    )


def test_inheritance_instance_fields_add_to_and_override_the_organizations(hub, platform, sandbox):
    other = second_instance(hub, sandbox)
    platform.ok("POST", "/organizations/objects/churros/definitions", CHURROS)
    platform.ok("POST", f"{ELEMENT}/churros", CHURROS_MAP)
    first = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    assert hub.ok("GET", f"churros/{first['id']}") == {
        "id": first["id"],
        "churrosId": first["id"],
        "churrosName": first["firstName"],
    }

    own = f"/instances/{platform.instance_id}"
    platform.ok("POST", f"{own}/objects/churros/definitions", definition(churrosMod="string"))
    platform.ok(
        "POST",
        f"{own}/transformations/churros",
        {
            "vendorName": "Contacts",
            "configuration": [INHERIT],
            "fields": [field("churrosMod", "lastModifiedDate"), field("churrosName", "lastName")],
        },
    )
    view = platform.ok("GET", f"{own}/transformations/churros")
    assert [(f["path"], f["vendorPath"], f["level"]) for f in view["fields"]] == [
        ("churrosId", "id", "organization"),
        ("churrosName", "lastName", "instance"),  # the instance's field wins
        ("churrosMod", "lastModifiedDate", "instance"),
    ]
    assert hub.ok("GET", f"churros/{first['id']}") == {
        "id": first["id"],
        "churrosId": first["id"],
        "churrosName": first["lastName"],
        "churrosMod": first["lastModifiedDate"],
    }
    # the organization's other instance still sees the organization's map alone
    assert other.ok("GET", f"churros/{first['id']}") == {
        "id": first["id"],
        "churrosId": first["id"],
        "churrosName": first["firstName"],
    }


def test_without_inherit_an_instance_transformation_stands_alone(hub, platform, sandbox):
    platform.ok("POST", "/organizations/objects/churros/definitions", CHURROS)
    platform.ok("POST", f"{ELEMENT}/churros", CHURROS_MAP)
    own = {**CHURROS_MAP, "fields": [field("churrosName", "lastName")]}
    platform.ok("POST", f"/instances/{platform.instance_id}/transformations/churros", own)
    first = sandbox.record("Contacts", sandbox.ids("Contacts")[0])
    # churrosId is defined but no longer mapped: null, left out with filter.response.nulls
    assert hub.ok("GET", f"churros/{first['id']}") == {
        "id": first["id"],
        "churrosName": first["lastName"],
    }


# -- remove and passThrough, per direction ------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "read", "written"),
    [
        pytest.param([], True, True, id="a plain field is read and written"),
        pytest.param([direction("remove", fromVendor=True)], False, True, id="remove fromVendor"),
        pytest.param([direction("remove", toVendor=True)], True, False, id="remove toVendor"),
        pytest.param(
            [direction("passThrough", fromVendor=False)],
            False,
            True,
            id="passThrough fromVendor false",
        ),
        pytest.param(
            [direction("passThrough", toVendor=False)], True, False, id="passThrough toVendor false"
        ),
    ],
)
def test_field_remove_and_pass_through(hub, platform, sandbox, config, read, written):
    platform.ok(
        "POST",
        "/organizations/objects/people/definitions",
        definition(surname="string", job="string"),
    )
    platform.ok(
        "POST",
        f"{ELEMENT}/people",
        {
            "vendorName": "contacts",
            "fields": [field("surname", "lastName"), field("job", "title", *config)],
            "configuration": NO_UNMAPPED_READS,
        },
    )
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[1])
    record = hub.ok("GET", f"people/{contact['id']}")
    assert ("job" in record) is read and record["surname"] == contact["lastName"]
    hub.ok("PATCH", f"people/{contact['id']}", json={"job": "Captain", "surname": "Zaphod"})
    stored = sandbox.record("Contacts", contact["id"])
    assert stored["lastName"] == "Zaphod"
    assert (stored["title"] == "Captain") is written


@pytest.mark.parametrize(
    ("from_vendor", "to_vendor"),
    [
        pytest.param(True, True, id="unmapped fields pass both ways (the default)"),
        pytest.param(False, False, id="Remove Unmapped Fields both ways"),
        pytest.param(True, False, id="passed from the vendor only"),
        pytest.param(False, True, id="passed to the vendor only"),
    ],
)
def test_object_pass_through(hub, platform, sandbox, from_vendor, to_vendor):
    platform.ok("POST", "/organizations/objects/people/definitions", definition(surname="string"))
    platform.ok(
        "POST",
        f"{ELEMENT}/people",
        {
            "vendorName": "contacts",
            "fields": [field("surname", "lastName")],
            "configuration": [direction("passThrough", fromVendor=from_vendor, toVendor=to_vendor)],
        },
    )
    contact = sandbox.record("Contacts", sandbox.ids("Contacts")[1])
    record = hub.ok("GET", f"people/{contact['id']}")
    assert (record.get("firstName") == contact["firstName"]) is from_vendor
    assert "lastName" not in record  # mapped fields show under their virtual names only
    hub.ok("PATCH", f"people/{contact['id']}", json={"surname": "Beeblebrox", "title": "President"})
    stored = sandbox.record("Contacts", contact["id"])
    assert stored["lastName"] == "Beeblebrox"
    assert (stored["title"] == "President") is to_vendor


def test_a_date_pattern_reads_and_writes_in_its_own_format(hub, platform, sandbox):
    platform.ok(
        "POST",
        "/organizations/objects/tickets2/definitions",
        definition(title="string", due="date"),
    )
    pattern = {"type": "transformDate", "properties": {"pattern": "dd/MM/yyyy HH:mm"}}
    platform.ok(
        "POST",
        f"{ELEMENT}/tickets2",
        {
            "vendorName": "Tickets",
            "fields": [field("title", "title"), field("due", "dueDateTime", pattern)],
            "configuration": NO_UNMAPPED_READS,
        },
    )
    ticket_id = sandbox.ids("Tickets")[0]
    hub.ok("PATCH", f"tickets2/{ticket_id}", json={"due": "24/12/2030 18:30"})
    assert sandbox.record("Tickets", ticket_id)["dueDateTime"].startswith("2030-12-24T18:30")
    assert hub.ok("GET", f"tickets2/{ticket_id}")["due"] == "24/12/2030 18:30"
    found = hub.ok("GET", "tickets2", params={"where": "due = '24/12/2030 18:30'"})
    assert [r["id"] for r in found] == [ticket_id]  # not pushable: matched on virtual records


# -- a normalized name taken by a definition ------------------------------------------------------
def test_a_definition_named_like_a_normalized_resource_changes_it_for_that_instance(
    hub, platform, sandbox, connect_hub
):
    bystander = connect_hub(sandbox)  # another organization's instance
    contact_id = sandbox.ids("Contacts")[2]
    before = hub.ok("GET", f"contacts/{contact_id}")
    assert "firstName" in before and "emails" in before
    own = f"/instances/{platform.instance_id}"
    platform.ok("POST", f"{own}/objects/contacts/definitions", definition(name="string"))
    platform.ok(
        "POST",
        f"{own}/transformations/contacts",
        {
            "vendorName": "contacts",
            "fields": [field("name", "lastName")],
            "configuration": NO_UNMAPPED_READS,
        },
    )
    contact = sandbox.record("Contacts", contact_id)
    assert hub.ok("GET", f"contacts/{contact_id}") == {
        "id": contact_id,
        "name": contact["lastName"],
    }
    assert bystander.ok("GET", f"contacts/{contact_id}") == before
    platform.ok("DELETE", f"{own}/transformations/contacts")
    assert hub.ok("GET", f"contacts/{contact_id}") == before


def test_a_changed_transformation_is_not_hidden_by_the_cache(connect_hub, sandbox):
    hub = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=300)
    platform = Platform(hub)
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    platform.ok("POST", f"{ELEMENT}/myContacts", MY_CONTACTS_MAP)
    hub.ok("GET", "myContacts", params={"pageSize": 3})
    again = hub.get("myContacts", pageSize=3)
    assert again.headers["Elements-Cache"] == "hit"
    changed = {**MY_CONTACTS_MAP, "fields": [field("fullName", "firstName")]}
    platform.ok("PUT", f"{ELEMENT}/myContacts", changed)
    after = hub.get("myContacts", pageSize=3)
    assert after.headers["Elements-Cache"] == "miss"
    first = sandbox.record("Contacts", after.json()[0]["id"])
    assert after.json()[0]["fullName"] == first["firstName"]


# -- refusals -------------------------------------------------------------------------------------
ORG_MAP_CASES = [
    pytest.param(
        {
            "vendorName": "contacts",
            "fields": [field("fullName", "nickname"), field("email", "faxes[0]")],
        },
        "contacts has no field(s) nickname, faxes[0]",
        id="vendor paths a normalized resource does not have",
    ),
    pytest.param(
        {"vendorName": "contacts", "fields": [field("company", "createdDate")]},
        "company: a number does not convert from createdDate, a date",
        id="types that do not convert",
    ),
    pytest.param(
        {"vendorName": "contacts", "fields": [field("fullName", "emails")]},
        "fullName: a string does not convert from emails, a array",
        id="a scalar from a list",
    ),
    pytest.param(
        {"vendorName": "contacts", "fields": [field("fullName", "lastName", vendorType="number")]},
        "vendorType number does not match lastName, a string",
        id="a vendorType that contradicts the base",
    ),
    pytest.param(
        {"vendorName": "contacts", "fields": [field("email", "id")]},
        "",
        id="a string from a number converts (control case)",
    ),
    pytest.param(
        {"vendorName": "Widgets", "fields": [field("fullName", "name")]},
        "vendorName 'Widgets' is neither a normalized resource",
        id="an entity the hub does not list, at organization level",
    ),
    pytest.param(
        {
            "vendorName": "contacts",
            "fields": [field("fullName", "lastName")],
            "script": {"body": "done(transformedObject);"},
        },
        "scripts are not run by this connector",
        id="a script",
    ),
    pytest.param(
        {"vendorName": "contacts", "fields": [field("nickname", "lastName")]},
        "not in the definition of 'myContacts': nickname",
        id="a field the definition lacks",
    ),
]


@pytest.mark.parametrize(("body", "fragment"), ORG_MAP_CASES)
def test_an_organization_transformation_that_does_not_fit_is_a_400_naming_it(
    platform, body, fragment
):
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    response = platform.call("POST", f"{ELEMENT}/myContacts", body)
    if not fragment:
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]
    assert platform.call("GET", f"{ELEMENT}/myContacts").status_code == 404  # nothing stored


def test_an_instance_transformation_is_checked_against_the_autotask_database(platform):
    own = f"/instances/{platform.instance_id}"
    platform.ok(
        "POST", f"{own}/objects/people/definitions", definition(name="string", tier="string")
    )
    body = {
        "vendorName": "Contacts",
        "fields": [field("name", "nickName"), field("tier", "Preferred Language")],
    }
    response = platform.call("POST", f"{own}/transformations/people", body)
    assert response.status_code == 400
    assert "Contacts has no field(s) nickName" in response.json()["message"]  # a UDF name is fine
    body["fields"][0] = field("name", "LASTNAME")  # Autotask names match in any case
    platform.ok("POST", f"{own}/transformations/people", body)
    unknown = platform.call(
        "POST", f"{own}/transformations/people2", {"vendorName": "Gizmos", "fields": []}
    )
    assert unknown.status_code in (400, 404)


def test_an_organization_map_of_an_entity_is_checked_on_each_instances_first_call(
    hub, platform, sandbox
):
    platform.ok("POST", "/organizations/objects/people/definitions", definition(name="string"))
    platform.ok(
        "POST",
        f"{ELEMENT}/people",
        {"vendorName": "Contacts", "fields": [field("name", "nickName")]},
    )
    response = hub.get("people")
    assert response.status_code == 400
    assert "Contacts has no field(s) nickName" in response.json()["message"]


def test_a_udf_of_an_entity_reads_writes_and_filters(hub, platform, sandbox):
    own = f"/instances/{platform.instance_id}"
    platform.ok(
        "POST", f"{own}/objects/people/definitions", definition(name="string", language="string")
    )
    platform.ok(
        "POST",
        f"{own}/transformations/people",
        {
            "vendorName": "Contacts",
            "fields": [field("name", "lastName"), field("language", "Preferred Language")],
            "configuration": NO_UNMAPPED_READS,
        },
    )
    contact_id = sandbox.ids("Contacts")[0]
    hub.ok("PATCH", f"people/{contact_id}", json={"language": "3"})
    stored = sandbox.record("Contacts", contact_id)
    assert {"name": "Preferred Language", "value": "3"} in stored["userDefinedFields"]
    assert hub.ok("GET", f"people/{contact_id}")["language"] == "3"
    sandbox.clear_requests()
    found = hub.ok("GET", "people", params={"where": "language = '3'"})
    assert contact_id in [r["id"] for r in found]
    assert "'udf': True" in upstream_filter(sandbox, "Contacts")


def test_deleting_or_narrowing_a_definition_in_use_is_409(platform):
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    platform.ok("POST", f"{ELEMENT}/myContacts", MY_CONTACTS_MAP)
    deleted = platform.call("DELETE", "/organizations/objects/myContacts/definitions")
    assert deleted.status_code == 409
    assert "the organization transformation of 'myContacts' maps" in deleted.json()["message"]
    narrowed = platform.call(
        "PUT", "/organizations/objects/myContacts/definitions", definition(fullName="string")
    )
    assert narrowed.status_code == 409 and "company, email" in narrowed.json()["message"]
    platform.ok("DELETE", f"{ELEMENT}/myContacts")
    platform.ok("DELETE", "/organizations/objects/myContacts/definitions")
    assert platform.call("GET", "/organizations/objects/myContacts/definitions").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param(
            "POST",
            f"{ELEMENT}/nothing",
            MY_CONTACTS_MAP,
            404,
            id="a transformation without a definition",
        ),
        pytest.param(
            "PUT",
            "/organizations/objects/nothing/definitions",
            MY_CONTACTS,
            404,
            id="replacing a definition that does not exist",
        ),
        pytest.param(
            "POST",
            "/organizations/objects/objects/definitions",
            MY_CONTACTS,
            400,
            id="a name the hub routes itself",
        ),
        pytest.param(
            "POST",
            "/organizations/elements/sfdc/transformations/x",
            MY_CONTACTS_MAP,
            404,
            id="an element this service does not serve",
        ),
        pytest.param(
            "GET",
            "/instances/999999/transformations",
            None,
            404,
            id="another organization's instance",
        ),
    ],
)
def test_platform_refusals(platform, method, path, body, status):
    response = platform.call(method, path, body)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"message", "requestId", "providerMessage"}


def test_a_second_post_of_a_definition_is_409(platform):
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    again = platform.call("POST", "/organizations/objects/definitions", {"myContacts": MY_CONTACTS})
    assert again.status_code == 409 and "already exist: myContacts" in again.json()["message"]


# -- listings, templates, common resources, docs --------------------------------------------
def test_definitions_and_transformations_list_by_name(platform):
    platform.ok(
        "POST",
        "/organizations/objects/definitions",
        {"myContacts": MY_CONTACTS, "churros": CHURROS},
    )
    listed = platform.ok("GET", "/organizations/objects/definitions")
    assert sorted(listed) == ["churros", "myContacts"]
    assert listed["churros"]["fields"][0] == {
        "path": "churrosId",
        "type": "number",
        "level": "organization",
    }
    platform.ok(
        "POST", "/organizations/elements/50/transformations/churros", CHURROS_MAP
    )  # by element id
    transformations = platform.ok("GET", f"{ELEMENT}")
    assert list(transformations) == ["churros"]
    assert transformations["churros"]["vendorName"] == "Contacts"
    assert all(f["level"] == "organization" for f in transformations["churros"]["fields"])


def test_system_only_definitions_are_the_shipped_maps(platform):
    templates = platform.ok("GET", "/organizations/objects/definitions?systemOnly=true")
    assert {"accounts", "contacts", "opportunities"} <= set(templates)
    contact_fields = {f["path"]: f["type"] for f in templates["contacts"]["fields"]}
    assert contact_fields["firstName"] == "string" and contact_fields["lastActivityDate"] == "date"
    assert "emails" not in contact_fields  # a list has no definition type
    # a template is a valid definition body
    platform.ok(
        "POST",
        "/organizations/objects/myContacts/definitions",
        {"fields": templates["contacts"]["fields"]},
    )


def test_common_resources_name_each_fields_level(hub, platform, sandbox):
    other = second_instance(hub, sandbox)
    platform.ok("POST", "/organizations/objects/churros/definitions", CHURROS)
    platform.ok("POST", f"{ELEMENT}/churros", CHURROS_MAP)
    platform.ok(
        "POST",
        f"/instances/{platform.instance_id}/objects/churros/definitions",
        definition(churrosMod="string"),
    )
    found = platform.ok("GET", "/common-resources")
    churros = next(r for r in found if r["name"] == "churros")
    assert [(f["path"], f["associatedLevel"]) for f in churros["fields"]] == [
        ("churrosId", "organization"),
        ("churrosName", "organization"),
        ("churrosMod", "instance"),
    ]
    assert churros["elementInstanceIds"] == sorted([platform.instance_id, other.instance["id"]])
    assert churros["transformations"] == [
        {"level": "organization", "elementKey": "autotaskcrm", "vendorName": "Contacts"}
    ]


def test_instance_docs_describe_its_virtual_resources(platform, my_contacts):
    from openapi_spec_validator import validate

    document = platform.ok("GET", f"/instances/{platform.instance_id}/docs")
    validate(document)
    assert {"get", "post"} <= set(document["paths"]["/hubs/crm/myContacts"])
    schema = document["components"]["schemas"]["myContacts"]
    assert schema["properties"]["company"]["type"] == ["number", "null"]
    assert "emails" in schema["properties"]["email"]["description"]
    assert "/hubs/crm/contacts/{id}" in document["paths"]  # normalized resources too


def test_deleting_an_instance_deletes_its_own_documents(platform, redis_client, key_prefix):
    own = f"/instances/{platform.instance_id}"
    platform.ok("POST", f"{own}/objects/people/definitions", definition(name="string"))
    platform.ok(
        "POST",
        f"{own}/transformations/people",
        {"vendorName": "contacts", "fields": [field("name", "lastName")]},
    )
    owned = list(redis_client.scan_iter(match=f"{key_prefix}vdr:instance:{platform.instance_id}:*"))
    assert owned
    platform.ok("DELETE", f"/instances/{platform.instance_id}")
    assert not [k for k in owned if redis_client.exists(k)]


def test_a_fresh_instances_first_virtual_query_costs_only_the_calls_it_needs(connect_hub, sandbox):
    """The ThresholdInformation read that proved the instance is the snapshot its first
    calls use: no second read a moment later (issue #12)."""
    hub = connect_hub(sandbox)
    platform = Platform(hub)
    platform.ok("POST", "/organizations/objects/myContacts/definitions", MY_CONTACTS)
    platform.ok("POST", f"{ELEMENT}/myContacts", MY_CONTACTS_MAP)
    sandbox.clear_requests()
    hub.ok("GET", "myContacts", params={"pageSize": 5})
    calls = sorted((r["method"], r["path"].rsplit("V1.0/", 1)[-1]) for r in sandbox.requests())
    assert calls == [
        ("GET", "Contacts/entityInformation/fields"),
        ("GET", "Contacts/entityInformation/userDefinedFields"),
        ("POST", "Contacts/query"),
    ]
