"""A write through one instance is seen at once through every instance of the same database."""

from __future__ import annotations


def test_a_write_through_one_instance_drops_the_record_another_cached(connect_hub, sandbox):
    reader = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=600)
    writer = connect_hub(sandbox)  # another tenant's instance of the same database, uncached
    contact = sandbox.ids("Contacts")[0]
    reader.get(f"contacts/{contact}")
    assert reader.get(f"contacts/{contact}").headers["Elements-Cache"] == "hit"
    writer.ok("PATCH", f"contacts/{contact}", json={"title": "Seen Everywhere"})
    after = reader.get(f"contacts/{contact}")
    assert after.headers["Elements-Cache"] == "miss"
    assert after.json()["title"] == "Seen Everywhere"


def test_a_create_through_one_instance_orphans_another_instances_pages(connect_hub, sandbox):
    reader = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=600)
    writer = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=600)
    company = sandbox.ids("Companies")[1]
    first = reader.get("contacts", where=f"accountId = {company}")
    assert reader.get("contacts", where=f"accountId = {company}").headers["Elements-Cache"] == "hit"
    body = {"firstName": "Shared", "lastName": "Database", "accountId": company}
    writer.ok("POST", "contacts", json=body)
    after = reader.get("contacts", where=f"accountId = {company}")
    assert after.headers["Elements-Cache"] == "miss"
    assert len(after.json()) == len(first.json()) + 1


def test_instances_of_other_databases_keep_their_cache(connect_hub, sandbox, make_sandbox):
    reader = connect_hub(sandbox, cachingEnabled=True, cacheTimeToLive=600)
    elsewhere = make_sandbox()
    writer = connect_hub(elsewhere)
    contact = sandbox.ids("Contacts")[0]
    reader.get(f"contacts/{contact}")
    writer.ok("PATCH", f"contacts/{elsewhere.ids('Contacts')[0]}", json={"title": "Other DB"})
    assert reader.get(f"contacts/{contact}").headers["Elements-Cache"] == "hit"
