"""A bad map stops the service at load, with the file and the field named."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connector.errors import MappingError
from connector.mapping import build_map, load_maps
from connector.mapping.loader import check_relations

LABEL = "transformations/things.yaml"
GOOD: dict[str, Any] = {
    "entity": "Companies",
    "description": "Test companies.",
    "operations": {
        "list": True,
        "get": True,
        "create": True,
        "update": True,
        "delete": "Companies cannot be deleted.",
    },
    "fields": [
        {"path": "id", "type": "integer", "vendor": "id", "direction": "read"},
        {"path": "name", "type": "string", "vendor": "companyName", "required": True},
        {
            "path": "links.autotask",
            "type": "link",
            "direction": "read",
            "command": "OpenAccount",
            "params": {"AccountID": "id"},
        },
    ],
}


def variant(change) -> dict[str, Any]:
    raw = copy.deepcopy(GOOD)
    change(raw)
    return raw


def set_name_field(**keys):
    def change(raw):
        raw["fields"][1] = {"path": "name", **keys}

    return change


def test_the_good_map_builds():
    resource = build_map("things", GOOD, LABEL)
    assert resource.operations == {"list", "get", "create", "update"}
    assert resource.refusal("delete") == "Companies cannot be deleted."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            set_name_field(type="strin", vendor="companyName"),
            "field 'name': key 'type': unknown type 'strin'; known types: string,",
            id="an unknown type",
        ),
        pytest.param(
            set_name_field(type="string"),
            "field 'name': key 'vendor': Missing data for required field.",
            id="a missing vendor field",
        ),
        pytest.param(
            set_name_field(type="string", vendor="companyName", direction="sideways"),
            "field 'name': key 'direction': Must be one of: read, write, both.",
            id="a bad direction",
        ),
        pytest.param(
            set_name_field(type="string", vendor="companyName", vendr="x"),
            "field 'name': key 'vendr': Unknown field.",
            id="an unknown key in a field",
        ),
        pytest.param(
            lambda raw: raw["fields"].append(
                {"path": "name", "type": "string", "vendor": "companyNumber"}
            ),
            "field 'name': the path is mapped twice",
            id="a duplicate path",
        ),
        pytest.param(
            lambda raw: raw["fields"].append(
                {"path": "links", "type": "string", "vendor": "webAddress"}
            ),
            "field 'links': the path overlaps field 'links.autotask'",
            id="a path that holds another",
        ),
        pytest.param(
            lambda raw: raw["fields"].append(
                {"path": "title", "type": "string", "vendor": "companyName"}
            ),
            "field 'title': vendor field 'companyName' is also written by field 'name'",
            id="two fields writing one vendor field",
        ),
        pytest.param(
            set_name_field(type="string", vendor="companyName", direction="read", required=True),
            "field 'name': a read-only field can be neither required nor defaulted",
            id="a required read-only field",
        ),
        pytest.param(
            set_name_field(type="integer", vendor="companyName", default="x"),
            "field 'name': key 'default': Not a valid integer.",
            id="a default of the wrong type",
        ),
        pytest.param(
            set_name_field(type="integer", vendor="ownerResourceID", default={"option": ""}),
            "field 'name': key 'default': {option: ...} needs the name",
            id="an option default without a name",
        ),
        pytest.param(
            set_name_field(type="string", vendor="Products[x"),
            "field 'name': key 'vendor': path 'Products[x': '[' at 8 is never closed",
            id="a vendor path that does not parse",
        ),
        pytest.param(
            set_name_field(type="string", vendor="companyName", path="names[0]"),
            "field 'names[0]': key 'path': a normalized path is names joined by dots",
            id="a normalized path with a list selector",
        ),
        pytest.param(
            lambda raw: raw["fields"][2].update(direction="both"),
            "field 'links.autotask': key 'direction': a link is read-only",
            id="a writable link",
        ),
        pytest.param(
            lambda raw: raw["fields"].append({"type": "constant", "value": 1}),
            "field '#4': a constant needs a path, a vendor field, or both",
            id="a constant going nowhere, named by its position",
        ),
        pytest.param(
            lambda raw: raw["fields"].append(
                {
                    "path": "emails",
                    "type": "emails",
                    "slots": [{"vendor": "a", "type": "work"}, {"vendor": "b", "type": "Work"}],
                }
            ),
            "field 'emails': key 'slots': two slots share a type",
            id="two slots of one type",
        ),
        pytest.param(
            lambda raw: raw["fields"].pop(0),
            "field 'id': every map reads the record's id",
            id="no id field",
        ),
        pytest.param(
            lambda raw: raw.update(entitee="Companies"),
            "key 'entitee': Unknown field.",
            id="an unknown top-level key",
        ),
        pytest.param(
            lambda raw: raw.pop("entity"),
            "key 'entity': Missing data for required field.",
            id="no entity",
        ),
        pytest.param(
            lambda raw: raw["operations"].pop("delete"),
            "key 'operations': unknown [], missing ['delete']",
            id="an operation neither allowed nor refused",
        ),
        pytest.param(
            lambda raw: raw["operations"].update(delete=False),
            "key 'operations': delete: true, or the reason it is refused",
            id="a refusal without a reason",
        ),
        pytest.param(
            lambda raw: raw.update(fixedFilter=[{"op": "ne", "field": "x", "value": 1}]),
            "key 'fixedFilter[0]': unknown filter op 'ne'",
            id="a bad fixed filter op",
        ),
        pytest.param(
            lambda raw: raw.update(fixedFilter=[{"op": "in", "field": "x", "value": 2}]),
            "key 'fixedFilter[0]': 'in' takes a list value",
            id="a set filter on a scalar",
        ),
        pytest.param(
            lambda raw: raw.update(
                parent={"entity": "Companies", "field": "companyID", "url": "Companies/Contacts"}
            ),
            "key 'parent.url': must hold {parentId}",
            id="a parent URL without the id",
        ),
        pytest.param(
            lambda raw: raw.update(
                parent={
                    "entity": "Companies",
                    "field": "companyID",
                    "url": "Companies/{parentId}/Contacts",
                }
            ),
            "key 'parent.field': no field writes 'companyID'",
            id="a parent field no field writes",
        ),
        pytest.param(
            lambda raw: raw["fields"].append("name"),
            "key 'fields[3]': Not a valid mapping type.",
            id="a field that is not a mapping",
        ),
    ],
)
def test_a_bad_map_names_the_file_and_the_field(change, expected):
    with pytest.raises(MappingError) as caught:
        build_map("things", variant(change), LABEL)
    assert caught.value.message.startswith(f"{LABEL}: ")
    assert expected in caught.value.message
    assert caught.value.status == 500


def test_every_problem_of_a_file_is_reported_at_once():
    def change(raw):
        raw["fields"][1]["direction"] = "up"
        raw["fields"].append({"path": "x", "type": "nope"})

    with pytest.raises(MappingError) as caught:
        build_map("things", variant(change), LABEL)
    assert "field 'name': key 'direction'" in caught.value.message
    assert "field 'x': key 'type': unknown type 'nope'" in caught.value.message


def test_a_child_must_name_a_loaded_map_that_reads_the_link_field():
    parent = build_map(
        "things",
        variant(
            lambda raw: raw.update(children={"stuff": {"resource": "things", "field": "companyID"}})
        ),
        LABEL,
    )
    with pytest.raises(
        MappingError,
        match=r"things.yaml: key 'children.stuff': things maps no "
        r"field on 'companyID'",
    ):
        check_relations({"things": parent})
    with pytest.raises(MappingError, match="no map named 'things'; maps: others"):
        check_relations({"others": parent})


def test_load_maps_names_the_file_that_is_not_yaml(tmp_path):
    folder = tmp_path / "transformations"
    folder.mkdir()
    (folder / "broken.yaml").write_text("entity: [unclosed\n")
    with pytest.raises(MappingError, match=r"^transformations/broken.yaml: cannot be read as YAML"):
        load_maps(folder)


def test_load_maps_refuses_an_empty_directory(tmp_path):
    with pytest.raises(MappingError, match="no transformation maps"):
        load_maps(tmp_path)


def test_a_map_that_is_not_a_mapping_is_refused():
    with pytest.raises(MappingError, match=r"^transformations/things.yaml: a map is a mapping"):
        build_map("things", ["entity"], LABEL)
