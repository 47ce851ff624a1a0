"""Bad input, property-based: schemathesis generates requests from the OpenAPI document at
/api/v1/openapi.json (valid and invalid bodies, query strings, ids) and sends them to the app.
No request may get a 5xx, and every response must match what the document says: its status
code, content type and schema. Half of the examples use a real open task or case of the
caller, so the generated bodies reach the engine, not only the 404 for an unknown id."""
from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def kees_token(accounts):
    return accounts.create_token("kees", "fuzz")["token"]


def test_the_api_never_fails_on_bad_input(app, werkpad, kees_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    turn = itertools.count()
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def call(case):
            nonlocal tried
            tried += 1
            if next(turn) % 2 and ({"task_id", "case_id"} & set(case.path_parameters or {})):
                started = werkpad.start_case("voorbeeldstad", "111222333", "Fuzz", "1980-01-01")
                if "task_id" in case.path_parameters:
                    case.path_parameters["task_id"] = started["tasks"][0]["id"]
                if "case_id" in case.path_parameters:
                    case.path_parameters["case_id"] = started["id"]
            case.call_and_validate(headers={"Authorization": f"Bearer {kees_token}"}, checks=CHECKS)

        call()
    assert tried >= 150  # operations without parameters run out of distinct examples sooner
