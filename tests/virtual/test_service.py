"""The rules of definitions and transformations, on a real Redis."""

from __future__ import annotations

import pytest

from connector.errors import ConflictError, NotFoundError, ValidationError
from connector.hub.cache import HubCache
from connector.storage.keys import Keys
from connector.tenancy.instances import Instance, InstanceStore
from connector.virtual.service import VdrService
from connector.virtual.store import VdrStore, instance_scope, org_scope

ORG = 5
DEFINITION = {
    "fields": [{"path": "churrosId", "type": "number"}, {"path": "churrosName", "type": "string"}]
}
XF = {
    "vendorName": "Contacts",
    "fields": [
        {"path": "churrosId", "vendorPath": "id"},
        {"path": "churrosName", "vendorPath": "firstName"},
    ],
}
INHERIT = [{"type": "inherit"}]


@pytest.fixture
def keys(key_prefix) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def instances(redis_client, keys) -> InstanceStore:
    store = InstanceStore(redis_client, keys)
    for instance_id in (11, 12):
        store.save(
            Instance(
                instance_id,
                ORG,
                1,
                f"i{instance_id}",
                [],
                {},
                {},
                {},
                f"hash{instance_id}",
                cachingEnabled=instance_id == 11,
            ),
            is_new=True,
        )
    return store


@pytest.fixture
def service(redis_client, keys, instances) -> VdrService:
    return VdrService(VdrStore(redis_client, keys), instances)


def accept(vmap) -> None:
    pass


def save(service, scope, name, body, *, create=True, check=accept):
    return service.save_transformation(scope, ORG, name, body, create=create, check=check)


def test_a_definition_is_created_once_and_read_back(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    found = service.definition(org_scope(ORG), "foo")
    assert found["fields"] == DEFINITION["fields"] and found["level"] == "organization"
    with pytest.raises(ConflictError, match="already exist: foo"):
        service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})


def test_replacing_a_missing_definition_is_404(service):
    with pytest.raises(NotFoundError):
        service.replace_definition(org_scope(ORG), ORG, "nope", DEFINITION)


def test_a_transformation_needs_its_definition(service):
    with pytest.raises(NotFoundError, match="create it first"):
        save(service, org_scope(ORG), "foo", XF)


def test_a_transformation_maps_only_defined_fields(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    body = {**XF, "fields": [*XF["fields"], {"path": "churrosMod", "vendorPath": "x"}]}
    with pytest.raises(ValidationError, match="not in the definition of 'foo': churrosMod"):
        save(service, org_scope(ORG), "foo", body)


def test_saving_runs_the_check_on_what_the_instance_will_see(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    save(service, org_scope(ORG), "foo", XF)
    seen = []
    own = {
        "vendorName": "Contacts",
        "fields": [{"path": "churrosName", "vendorPath": "lastName"}],
        "configuration": INHERIT,
    }
    view = save(service, instance_scope(11), "foo", own, check=seen.append)
    assert {f.path: f.vendor_path for f in seen[0].fields} == {
        "churrosId": "id",
        "churrosName": "lastName",
    }
    assert [(f["path"], f["level"], f["type"]) for f in view["fields"]] == [
        ("churrosId", "organization", "number"),
        ("churrosName", "instance", "string"),
    ]


def test_a_failed_check_stores_nothing(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})

    def refuse(vmap):
        raise ValidationError("Contacts has no field(s) nope")

    with pytest.raises(ValidationError):
        save(service, org_scope(ORG), "foo", XF, check=refuse)
    assert service.transformations(org_scope(ORG), ORG) == {}


def test_create_twice_is_409_and_put_of_a_missing_one_is_404(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    save(service, org_scope(ORG), "foo", XF)
    with pytest.raises(ConflictError):
        save(service, org_scope(ORG), "foo", XF)
    with pytest.raises(NotFoundError):
        save(service, instance_scope(11), "foo", XF, create=False)


def test_inheriting_another_vendor_is_refused(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    save(service, org_scope(ORG), "foo", XF)
    own = {"vendorName": "Companies", "fields": [], "configuration": INHERIT}
    with pytest.raises(ValidationError, match="inherits the organization's"):
        save(service, instance_scope(11), "foo", own)


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        pytest.param(
            "org",
            "the organization transformation of 'foo' maps churrosId, churrosName",
            id="an organization transformation uses it",
        ),
        pytest.param(
            "instance",
            "instance 12's transformation of 'foo' maps churrosName",
            id="an instance transformation without a definition of its own uses it",
        ),
        pytest.param(
            "inherit",
            "instance 12's transformation of 'foo' maps churrosId",
            id="an inheriting instance transformation uses it",
        ),
    ],
)
def test_deleting_a_definition_in_use_is_409(service, setup, fragment):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    if setup == "org":
        save(service, org_scope(ORG), "foo", XF)
    elif setup == "instance":
        save(
            service,
            instance_scope(12),
            "foo",
            {"vendorName": "Contacts", "fields": [{"path": "churrosName", "vendorPath": "x"}]},
        )
    else:
        service.create_definitions(
            instance_scope(12), ORG, {"foo": {"fields": [{"path": "churrosMod", "type": "string"}]}}
        )
        save(
            service,
            instance_scope(12),
            "foo",
            {
                "vendorName": "Contacts",
                "configuration": INHERIT,
                "fields": [{"path": "churrosId", "vendorPath": "id"}],
            },
        )
    with pytest.raises(ConflictError) as caught:
        service.delete_definitions(org_scope(ORG), ORG, ["foo"])
    assert fragment in caught.value.message
    assert service.definition(org_scope(ORG), "foo")  # still there


def test_an_instance_with_its_own_definition_does_not_hold_the_organizations(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    service.create_definitions(instance_scope(12), ORG, {"foo": DEFINITION})
    save(service, instance_scope(12), "foo", XF)
    service.delete_definitions(org_scope(ORG), ORG, ["foo"])
    with pytest.raises(ConflictError, match="this instance's transformation"):
        service.delete_definitions(instance_scope(12), ORG, ["foo"])


def test_replacing_a_definition_without_a_mapped_field_is_409(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    save(service, org_scope(ORG), "foo", XF)
    narrower = {"fields": [{"path": "churrosId", "type": "number"}]}
    with pytest.raises(ConflictError, match="maps churrosName"):
        service.replace_definition(org_scope(ORG), ORG, "foo", narrower)
    wider = {"fields": [*DEFINITION["fields"], {"path": "churrosMod", "type": "date"}]}
    assert (
        service.replace_definition(org_scope(ORG), ORG, "foo", wider)["fields"][2]["path"]
        == "churrosMod"
    )


def test_a_definition_deleted_during_the_check_is_not_stranded(service):
    """The transaction re-reads the definition: one deleted after the check still stops it."""
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})

    def delete_meanwhile(vmap):
        service.delete_definitions(org_scope(ORG), ORG, ["foo"])

    with pytest.raises(NotFoundError, match="create it first"):
        save(service, org_scope(ORG), "foo", XF, check=delete_meanwhile)
    assert service.transformations(org_scope(ORG), ORG) == {}


def test_a_change_clears_the_caches_that_are_on(service, redis_client, keys):
    cache = HubCache(redis_client, keys, 11, enabled=True)
    cache.put_record("Contacts", 1, "shape", "{}", cache.snapshot("Contacts"))
    assert cache.get_record("Contacts", 1, "shape") == "{}"
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    assert cache.get_record("Contacts", 1, "shape") is None


def test_deleting_all_transformations_of_an_instance(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION, "bar": DEFINITION})
    for name in ("foo", "bar"):
        save(service, instance_scope(11), name, XF)
    service.delete_transformations(instance_scope(11), ORG, None)
    assert service.transformations(instance_scope(11), ORG) == {}
    service.delete_definitions(org_scope(ORG), ORG, None)
    assert service.store.definitions(org_scope(ORG)) == {}


def test_a_field_type_must_agree_with_the_definition(service):
    service.create_definitions(org_scope(ORG), ORG, {"foo": DEFINITION})
    body = {
        "vendorName": "Contacts",
        "fields": [{"path": "churrosId", "type": "string", "vendorPath": "id"}],
    }
    with pytest.raises(ValidationError, match="churrosId is a number, not a string"):
        save(service, org_scope(ORG), "foo", body)
