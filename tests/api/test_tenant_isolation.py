"""Another organization cannot redirect an instance's calls (and credentials) to its own
server by reusing the instance's Autotask username."""

from __future__ import annotations


def test_a_username_reused_against_another_server_does_not_move_the_first_instance(
    connect_hub, sandbox, make_sandbox
):
    victim = connect_hub(sandbox)
    victim.ok("GET", "contacts", params={"pageSize": 1})
    rogue_server = make_sandbox(
        api_users=[
            {"username": sandbox.credentials.username, "secret": "rogue-secret", "resourceID": None}
        ]
    )
    connect_hub(rogue_server, configuration={"crm.autotask.password": "rogue-secret"})
    rogue_server.clear_requests()
    sandbox.clear_requests()
    victim.ok("GET", "contacts", params={"pageSize": 1})
    assert sandbox.requests(path_contains="Contacts/query")
    assert rogue_server.requests() == []
