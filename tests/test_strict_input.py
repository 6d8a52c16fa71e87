"""Strict input at the edge: one spelling per value.

Each test here failed before the input hardening: look-alike emails made second
accounts, loose booleans and non-ASCII digits were read as values, a token's
``sub`` of "١" signed in as user 1, and a repeated parameter was silently
half-read.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import add_user, bearer, sign_in

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.json
    return body


# -- emails ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "look_alike",
    [
        "ＡＤＡ@example.com",  # fullwidth local part
        "ada@ｅｘａｍｐｌｅ.ｃｏｍ",  # fullwidth domain
        "\N{NO-BREAK SPACE}ada@example.com",  # trimmed after NFKC
        "ADA@EXAMPLE.COM",
    ],
)
def test_a_look_alike_email_is_the_same_account(client: FlaskClient, look_alike: str) -> None:
    first = client.post("/api/users", json={"email": "ada@example.com", "password": "a fine pass"})
    assert first.status_code == 201, first.json

    again = client.post("/api/users", json={"email": look_alike, "password": "a fine pass"})

    assert _problem(again, 409)["errors"] == {"email": ["A user with this email already exists."]}
    signed_in = client.post(
        "/api/auth/token", json={"email": look_alike, "password": "a fine pass"}
    )
    assert signed_in.status_code == 200


@pytest.mark.parametrize(
    "invisible",
    [
        "ada@example.com\N{ZERO WIDTH SPACE}",
        "a\N{ZERO WIDTH JOINER}da@example.com",
        "ada\N{SOFT HYPHEN}@example.com",
        "ada@exa\N{HANGUL FILLER}mple.com",
        "ada@example.com\N{RIGHT-TO-LEFT OVERRIDE}",
        "ada\x7f@example.com",
    ],
)
def test_an_email_with_an_invisible_character_is_refused(
    app: Flask, client: FlaskClient, admin_client: FlaskClient, invisible: str
) -> None:
    user = add_user(app)
    headers = bearer(sign_in(client, user["email"]))

    created = client.post("/api/users", json={"email": invisible, "password": "a fine pass"})
    changed = client.patch("/api/auth/me", json={"email": invisible}, headers=headers)
    changed_by_staff = admin_client.patch(f"/api/users/{user['id']}", json={"email": invisible})

    for response in (created, changed, changed_by_staff):
        assert "email" in _problem(response, 422)["errors"]


# -- booleans ----------------------------------------------------------------------


@pytest.mark.parametrize("loose", [1, 0, 0.0, "on", "yes", "true", "false", None, "1"])
def test_boolean_fields_take_json_true_or_false_only(
    app: Flask, admin_client: FlaskClient, loose: Any
) -> None:
    user = add_user(app)

    response = admin_client.patch(f"/api/users/{user['id']}", json={"is_active": loose})

    assert "is_active" in _problem(response, 422)["errors"]
    assert admin_client.get(f"/api/users/{user['id']}").json["is_active"] is True


@pytest.mark.parametrize("loose", ["1", "0", "on", "yes", "True", "FALSE", "t", ""])
def test_boolean_filters_take_true_or_false_only(admin_client: FlaskClient, loose: str) -> None:
    response = admin_client.get("/api/users", query_string={"is_active": loose})

    assert "is_active" in _problem(response, 422)["errors"]


def test_boolean_filters_read_true_and_false(app: Flask, admin_client: FlaskClient) -> None:
    inactive = add_user(app, is_active=False)

    found = admin_client.get("/api/users", query_string={"is_active": "false"}).json["items"]
    active = admin_client.get("/api/users", query_string={"is_active": "true"}).json["items"]

    assert [item["id"] for item in found] == [inactive["id"]]
    assert inactive["id"] not in [item["id"] for item in active]


# -- numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["５", "٥", "۵", " 5", "5 ", "+5", "1_0", "0x10", "5.0", "1e1", "\N{SUPERSCRIPT FIVE}"],
)
@pytest.mark.parametrize("name", ["per_page", "page"])
def test_numbers_in_query_strings_are_ascii_digits(
    admin_client: FlaskClient, name: str, number: str
) -> None:
    response = admin_client.get("/api/users", query_string={name: number})

    assert name in _problem(response, 422)["errors"]


@pytest.mark.parametrize("moment", ["２０２４-01-01T00:00:00", "2024-01-01T00:00:00." + "1" * 40])
def test_timestamps_in_query_strings_are_ascii_and_bounded(
    admin_client: FlaskClient, moment: str
) -> None:
    response = admin_client.get("/api/users", query_string={"created_at__gte": moment})

    assert "created_at__gte" in _problem(response, 422)["errors"]


# -- token claims ------------------------------------------------------------------


def _token(app: Flask, **claims: Any) -> dict[str, str]:
    now = int(time.time())
    tokens = app.extensions["auth"].access_tokens
    payload = {
        "sid": "x" * 32,
        "typ": "access",
        "iat": now,
        "exp": now + 600,
        "iss": tokens.issuer,
        "aud": tokens.audience,
        **claims,
    }
    return {"Authorization": f"Bearer {jwt.encode(payload, tokens.signing_key, algorithm='HS256')}"}


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "spell",
    [
        lambda id: str(id).translate(ARABIC_INDIC),
        lambda id: str(id).translate(FULLWIDTH),
        lambda id: f" {id}",
        lambda id: f"{id} ",
        lambda id: f"+{id}",
        lambda id: f"0{id}",
        lambda id: f"{id}e0",
        lambda id: id,  # a number, not a string
        lambda id: str(id + 2**64),  # the same id modulo 2**64
        lambda id: "0",
        lambda id: "-1",
        lambda id: str(2**63),
        lambda id: None,
    ],
    ids=[
        "arabic-indic", "fullwidth", "leading-space", "trailing-space", "plus", "leading-zero",
        "exponent", "number", "beyond-64-bits", "zero", "negative", "2**63", "null",
    ],
)  # fmt: skip
def test_a_token_subject_that_is_not_an_id_is_401(
    app: Flask, client: FlaskClient, spell: Any
) -> None:
    """Each spelling names a user that exists, with a live sign-in: only the
    spelling of ``sub`` can make it fail."""
    user = add_user(app)
    claims = {"sub": spell(user["id"]), "sid": _live_sign_in(client, user)}

    response = client.get("/api/auth/me", headers=_token(app, **claims))

    _problem(response, 401)


def _live_sign_in(client: FlaskClient, user: dict[str, Any]) -> str:
    """The sign-in (``sid``) of a real sign-in of ``user``: forged tokens that reuse it
    fail only for the claim under test."""
    access = sign_in(client, user["email"])["access_token"]
    sid: str = jwt.decode(access, options={"verify_signature": False})["sid"]
    return sid


def test_a_token_subject_in_ascii_digits_signs_in(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    sid = _live_sign_in(client, user)

    response = client.get("/api/auth/me", headers=_token(app, sub=str(user["id"]), sid=sid))

    assert response.status_code == 200
    assert response.json["id"] == user["id"]


# -- repeated parameters and keys --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "repeated"),
    [
        ("ordering=id&ordering=-id", ["ordering"]),
        ("per_page=5&per_page=50", ["per_page"]),
        ("is_active=true&is_active=false&q=a&q=b", ["is_active", "q"]),
        ("cursor=&cursor=", ["cursor"]),
    ],
)
def test_a_repeated_query_parameter_is_422_naming_it(
    admin_client: FlaskClient, query: str, repeated: list[str]
) -> None:
    response = admin_client.get(f"/api/users?{query}")

    errors = _problem(response, 422)["errors"]
    assert sorted(errors) == repeated
    assert all(errors[name] == ["Give this parameter once."] for name in repeated)


def test_a_repeated_json_key_is_400(client: FlaskClient) -> None:
    body = '{"email": "a@example.com", "email": "b@example.com", "password": "a fine pass"}'

    response = client.post("/api/users", data=body, content_type="application/json")

    assert _problem(response, 400)["detail"] == "The JSON body repeats a key: email."


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_400(client: FlaskClient, constant: str) -> None:
    body = '{"email": "a@example.com", "password": ' + constant + "}"

    response = client.post("/api/users", data=body, content_type="application/json")

    assert _problem(response, 400)["detail"] == f"{constant} is not valid JSON."


def test_a_number_with_too_many_digits_is_400(client: FlaskClient) -> None:
    body = '{"email": ' + "9" * 4301 + ', "password": "x"}'

    response = client.post("/api/auth/token", data=body, content_type="application/json")

    assert "digits" in _problem(response, 400)["detail"]


# -- cursors -----------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["é" * 10, "abc=", "a b", "a+b/c", "%00"])
def test_a_cursor_is_base64url(admin_client: FlaskClient, cursor: str) -> None:
    response = admin_client.get("/api/users", query_string={"cursor": cursor})

    assert "cursor" in _problem(response, 422)["errors"]


def test_cursors_of_text_orderings_keep_non_ascii_values(
    app: Flask, admin_client: FlaskClient
) -> None:
    for local in ("zoë", "émile", "ärger"):
        add_user(app, email=f"{local}@example.com")
    seen: list[str] = []
    cursor = ""
    while cursor is not None:
        page = admin_client.get(
            "/api/users", query_string={"ordering": "email", "per_page": 1, "cursor": cursor}
        ).json
        seen.extend(item["email"] for item in page["items"])
        cursor = page["next"]

    assert seen == sorted(seen)
    assert {"zoë@example.com", "émile@example.com", "ärger@example.com"} <= set(seen)


def test_every_documented_cursor_limit_holds_the_longest_cursor(client: FlaskClient) -> None:
    """A cursor the server makes never exceeds the length the document allows."""
    document = client.get("/openapi.json").json
    cursor = next(
        parameter["schema"]
        for parameter in document["paths"]["/api/users"]["get"]["parameters"]
        if parameter["name"] == "cursor"
    )
    longest_email = "\x01" * 320  # escaped as \\u0001: six bytes each

    raw = json.dumps(["-email", longest_email, 2**63 - 1], separators=(",", ":"))

    assert len(raw.encode()) * 4 / 3 <= cursor["maxLength"]


def test_createsuperuser_refuses_an_email_with_an_invisible_character(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["createsuperuser", "--email", "ops@example.com\u200b", "--password-stdin"],
        input="a fine passphrase\n",
    )

    assert result.exit_code == 1
    assert "email: Must not contain invisible or control characters." in result.output


# -- found by probing a live server -------------------------------------------------


def test_a_deeply_nested_cursor_is_422(admin_client: FlaskClient) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 975).decode().rstrip("=")

    response = admin_client.get("/api/users", query_string={"cursor": cursor})

    assert "cursor" in _problem(response, 422)["errors"]


def test_an_ideographic_full_stop_is_a_dot(client: FlaskClient) -> None:
    first = client.post("/api/users", json={"email": "pct@example.com", "password": "a fine pass"})
    assert first.status_code == 201, first.json

    again = client.post(
        "/api/users", json={"email": "pct@example\u3002com", "password": "a fine pass"}
    )

    assert _problem(again, 409)["errors"] == {"email": ["A user with this email already exists."]}


@pytest.mark.parametrize("expires", [float("nan"), float("inf"), 4102444800.5, "4102444800", True])
def test_a_token_that_expires_at_no_whole_second_is_401(
    app: Flask, client: FlaskClient, expires: Any
) -> None:
    user = add_user(app)
    sid = _live_sign_in(client, user)

    claims = {"sub": str(user["id"]), "sid": sid, "exp": expires}
    response = client.get("/api/auth/me", headers=_token(app, **claims))

    _problem(response, 401)


@pytest.mark.parametrize("padding", ["\N{NO-BREAK SPACE}", "\x85", "\N{EM SPACE}"])
def test_a_token_with_non_http_whitespace_around_it_is_401(
    app: Flask, client: FlaskClient, padding: str
) -> None:
    user = add_user(app)
    header = _token(app, sub=str(user["id"]), sid=_live_sign_in(client, user))["Authorization"]
    assert client.get("/api/auth/me", headers={"Authorization": header}).status_code == 200
    header += padding

    response = client.get("/api/auth/me", headers={"Authorization": header})

    _problem(response, 401)


def test_search_folds_case_the_same_way_on_both_sides(
    app: Flask, admin_client: FlaskClient
) -> None:
    """Python's and PostgreSQL's lower() disagree on a final sigma: the database
    lower-cases both the column and the search text."""
    wanted = add_user(app, email="greek@example.com", full_name="ΣΑΣ İSTANBUL")

    for query in ("ΣΑΣ", "İSTANBUL", "ΣΑΣ İSTANBUL"):
        found = admin_client.get("/api/users", query_string={"q": query}).json["items"]
        assert [u["id"] for u in found] == [wanted["id"]], query


@pytest.mark.parametrize(
    "headers",
    [{"If-Match": '"nope"'}, {"Range": "items=0-5"}, {"Range": "bytes=0-0,5-5"}],
)
def test_documentation_assets_are_served_whole(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.get("/docs/assets/redoc/redoc.standalone.js", headers=headers)
    body = response.get_data()
    response.close()

    assert response.status_code == 200
    assert len(body) > 100_000


@pytest.mark.parametrize("claim", ["iss", "aud"])
def test_a_token_for_another_issuer_or_audience_is_401(
    app: Flask, client: FlaskClient, claim: str
) -> None:
    user = add_user(app)
    claims = {"sub": str(user["id"]), "sid": _live_sign_in(client, user)}
    assert client.get("/api/auth/me", headers=_token(app, **claims)).status_code == 200

    response = client.get("/api/auth/me", headers=_token(app, **claims, **{claim: "another-api"}))

    _problem(response, 401)


@pytest.mark.parametrize("field", ["body", "query"])
def test_a_decimal_beyond_its_documented_bound_is_refused_before_rounding(field: str) -> None:
    """NUMERIC(4, 2) documents "maximum 99.99": 99.994 is refused, not rounded to
    99.99 (schemathesis found the query filter accepting it)."""
    from marshmallow import ValidationError

    from app.schemas.fields import BoundedDecimal
    from app.schemas.query import QueryDecimal

    decimal_field = BoundedDecimal(4, 2) if field == "body" else QueryDecimal(4, 2)
    assert decimal_field.metadata["maximum"] == 99.99
    assert str(decimal_field.deserialize("99.99")) == "99.99"
    assert str(decimal_field.deserialize("-1.004")) == "-1.00"
    for beyond in ("99.994", "-99.990002", 99.991, "1E+2"):
        with pytest.raises(ValidationError, match=r"Must be between -99\.99 and 99\.99"):
            decimal_field.deserialize(beyond)
