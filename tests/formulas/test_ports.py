"""Execution ports: outbound HTTP goes through the guard with the formulas' policy."""

from __future__ import annotations

import pytest

from connector.formulas.environment import formula_policy
from connector.formulas.ports import ExecutionPorts
from connector.formulas.steps.base import StepFailed
from connector.outbound import OutboundClient


def test_formula_urls_to_private_addresses_are_refused_unless_the_operator_allows(
    formulas_env, receiver
):
    formulas_env.outbound = OutboundClient(formula_policy(False))
    ports = ExecutionPorts(formulas_env, {"id": 1, "organizationId": 1, "elementInstanceIds": []})
    with pytest.raises(StepFailed) as refused:
        ports.http_request("POST", receiver.url + "/x", {}, {"a": 1}, 5.0)
    assert refused.value.field == "url" and not refused.value.transient
    assert receiver.to("/x") == []
    with pytest.raises(StepFailed):
        ports.http_request("GET", "ftp://example.org/file", {}, None, 5.0)
