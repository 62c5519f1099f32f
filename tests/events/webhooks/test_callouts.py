"""Parsing a callout and the Changes it stands for: pure functions, no I/O."""

from __future__ import annotations

import pytest

from connector.errors import BadRequestError
from connector.events.webhooks import callouts
from connector.events.webhooks.signature import sign, verify

BODY = (
    b'{"Action":"Update","Guid":"d0046a73-76a0-41c4-a634-4b7fce7e43ec","EntityType":"Ticket",'
    b'"Id":351182,"Fields":{"TicketNumber":"T20250915.0002","Status":"5"},'
    b'"EventTime":"2025-09-15T15:10:00Z","SequenceNumber":2,"PersonId":30691780}'
)


def test_the_reference_callout_parses():
    found = callouts.parse(BODY)
    assert found == callouts.Callout(
        "Update",
        "d0046a73-76a0-41c4-a634-4b7fce7e43ec",
        "Ticket",
        351182,
        2,
        "2025-09-15T15:10:00Z",
    )


def test_a_callout_is_one_change_per_watched_resource_of_its_entity():
    changes = callouts.to_changes(
        callouts.parse(BODY), 9, "Companies", ["accounts", "leads"], "2026-01-01T00:00:00Z"
    )
    assert [(c.resource, c.object_id, c.event_type, c.version) for c in changes] == [
        ("accounts", 351182, "UPDATED", "d0046a73-76a0-41c4-a634-4b7fce7e43ec:2"),
        ("leads", 351182, "UPDATED", "d0046a73-76a0-41c4-a634-4b7fce7e43ec:2"),
    ]
    assert {c.changed_at for c in changes} == {"2025-09-15T15:10:00Z"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"\xff\xfe", "not JSON", id="bytes that are not UTF-8"),
        pytest.param(
            b'{"Action":"Create","Guid":"g","Id":true,"SequenceNumber":1}',
            "Id must be",
            id="a boolean id",
        ),
        pytest.param(
            b'{"Action":"Create","Guid":"g","Id":1,"SequenceNumber":-1}',
            "SequenceNumber must be",
            id="a negative sequence number",
        ),
        pytest.param(
            b'{"Action":"Create","Guid":"' + b"g" * 101 + b'","Id":1,"SequenceNumber":1}',
            "Guid must be",
            id="a GUID longer than Autotask's 100 characters",
        ),
        pytest.param(
            b'{"Action":"Create","Guid":"g","Id":1,"SequenceNumber":1,"EventTime":5}',
            "EventTime must be",
            id="an event time that is no string",
        ),
    ],
)
def test_what_is_no_callout_is_refused_naming_the_field(body, message):
    with pytest.raises(BadRequestError, match=message):
        callouts.parse(body)


def test_the_signature_is_autotasks_sha1_over_the_exact_bytes():
    header = sign("enkmoj676nwh8", BODY)
    assert header.startswith("sha1=") and verify("enkmoj676nwh8", BODY, header)
    assert not verify("enkmoj676nwh8", BODY + b" ", header)  # one byte more: refused
    assert not verify("enkmoj676nwh8", BODY, None)
