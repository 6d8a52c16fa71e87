"""The API contract: the OpenAPI document is valid and complete, and the API keeps it.

The property-based part runs schemathesis over every operation, through the app's
WSGI interface, signed in as a superuser so that protected operations are reached.
Run it alone with ``make fuzz``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from app.security.password_rules import password_problems
from tests.factories import add_user, sign_in
from tests.support.databases import app_config

PROBLEM = "application/problem+json"
# Examples per operation; raise it for a deeper run (FUZZ_EXAMPLES=1000 make fuzz).
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)


def test_every_operation_documents_its_errors_as_problems(spec: dict[str, Any]) -> None:
    responses = spec["components"]["responses"]
    for path, method, operation in _operations(spec):
        assert "default" in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[-1]]
            if status == "default" or int(status) >= 400:
                assert list(response["content"]) == [PROBLEM], (method, path, status)


def test_protected_operations_declare_bearer_security(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    for path, method, operation in _operations(spec):
        url = path.replace("{user_id}", "1")
        anonymous = getattr(client, method)(url, json={})
        if anonymous.status_code == 401:
            assert {"bearerAuth": []} in operation.get("security", []), (method, path)
            assert "401" in operation["responses"], (method, path)


@pytest.fixture
def fuzzed_app(app: Flask) -> Flask:
    """The test's app (its writes are rolled back), with limits out of the way."""
    app.config["AUTH_RATE_LIMIT"] = app.config["SIGNUP_RATE_LIMIT"] = "100000 per minute"
    return app


def _expressible(case: Any) -> bool:
    """Drop generated requests that break a rule OpenAPI 3.0 cannot state, so that
    "valid by the schema" means valid: a list takes page or cursor, not both, and
    only the server makes cursors (the fuzzer may send the empty first-page one);
    a new password must pass the rules that need the email or a word list."""
    query = case.query or {}
    if "cursor" in query and ("page" in query or query["cursor"] != ""):
        return False
    body = case.body if isinstance(case.body, dict) else {}
    password = body.get("password", body.get("new_password"))
    if isinstance(password, str) and case.path in ("/api/users", "/api/auth/password"):
        return not password_problems(password, email=body.get("email"))
    return True


# Schema-valid requests that the server must refuse all the same: the current
# password is a secret the fuzzer cannot know. Likewise a body with a foreign key
# (a field ending in _id, see `check`) is valid only if the row exists.
EXCLUDED_CHECKS: dict[tuple[str, str], list[Any]] = {
    ("POST", "/api/auth/password"): [positive_data_acceptance],
}


def _operation_labels(*, with_input: bool = False) -> list[tuple[str, str]]:
    """(method, path) of every documented operation (``with_input``: those that
    take parameters or a body), read from an app that never touches a database
    (the document does not depend on one)."""
    app = create_app(app_config("sqlite://"))
    document = app.test_client().get("/openapi.json").json
    return [
        (method.upper(), path)
        for path, method, operation in _operations(document)
        if not with_input
        or "{" in path
        or operation.get("parameters")
        or "requestBody" in operation
    ]


@pytest.fixture
def superuser_headers(fuzzed_app: Flask) -> dict[str, str]:
    admin = add_user(fuzzed_app, is_staff=True, is_superuser=True)
    tokens = sign_in(fuzzed_app.test_client(), admin["email"])
    return {"Authorization": f"Bearer {tokens['access_token']}"}


# schemathesis's pytest plugin does not run on pytest 9, so each operation gets a
# plain pytest parameter and the Hypothesis strategy schemathesis builds for it.
@pytest.mark.fuzz
@pytest.mark.parametrize(("method", "path"), _operation_labels())
def test_the_api_keeps_its_contract(
    fuzzed_app: Flask, superuser_headers: dict[str, str], method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app)
    operation = schema[path][method]
    excluded = EXCLUDED_CHECKS.get((method, path), [])

    @given(case=operation.as_strategy().filter(_expressible))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: Any) -> None:
        refers = isinstance(case.body, dict) and any(key.endswith("_id") for key in case.body)
        skipped = [*excluded, positive_data_acceptance] if refers else excluded
        case.call_and_validate(headers=superuser_headers, excluded_checks=skipped)

    check()


def _sends_negative_data(case: Any) -> bool:
    """Whether the request, as sent, breaks the schema in its query, path or body.

    Not when its only fault is a missing Authorization header (these tests sign
    in all the same), nor when the fault is an undeclared query parameter whose
    value is null or an empty list: no such parameter reaches the server, so
    the request it sends is a valid one.
    """
    data = case.meta.phase.data if case.meta else None
    for mutation in getattr(data, "mutations", None) or ():
        location = mutation.parameter_location.value if mutation.parameter_location else None
        if location == "header":
            continue
        if location == "query" and set(mutation.keywords) == {"additionalProperties"}:
            declared = {parameter.name for parameter in case.operation.query}
            sent = {k for k, v in (case.query or {}).items() if v is not None and v != []}
            if not sent - declared:
                continue
        return True
    return False


@pytest.mark.fuzz
@pytest.mark.parametrize(("method", "path"), _operation_labels(with_input=True))
def test_the_api_refuses_what_its_contract_refuses(
    fuzzed_app: Flask, superuser_headers: dict[str, str], method: str, path: str
) -> None:
    """Negative data (wrong types, out-of-range numbers, strings beyond their
    maxLength or pattern, loose booleans, missing required fields): every case
    gets a 4xx problem, never a 2xx and never a 500."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app)
    operation = schema[path][method]

    @given(case=operation.as_strategy(GenerationMode.NEGATIVE).filter(_sends_negative_data))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=superuser_headers)

    check()
