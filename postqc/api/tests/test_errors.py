"""Every answer of /api/v1/ is JSON, errors included, with a message a developer can act on; the docs are served."""
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.org import api as org_api

from .utils import ApiClient, json_error


def test_no_token_is_a_401_saying_how_to_get_one(api, org):
    response = api().get("/api/v1/outlets")

    body = json_error(response, 401)
    assert "Authorization: Bearer <token>" in body["error"]
    assert "POST /api/v1/auth/token" in body["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer pqc_not-a-real-token", "Token abc", "Bearer "])
def test_a_bad_or_malformed_token_is_a_401(client, org, header):
    json_error(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_an_unknown_path_under_the_api_is_a_json_404_pointing_at_the_docs(api, org):
    body = json_error(api(org.alice).get("/api/v1/no-such-thing"), 404)

    assert "/api/v1/no-such-thing" in body["error"] and "/api/v1/docs" in body["error"]


def test_a_wrong_method_is_a_json_405_listing_the_allowed_ones(api, org):
    response = api(org.alice).post("/api/v1/me", {})

    body = json_error(response, 405)
    assert "GET" in response["Allow"] and "GET" in body["error"]


def test_a_missing_field_in_the_body_is_a_422_naming_it(api, org):
    body = json_error(api().post("/api/v1/auth/token", {"employee_no": "A001"}), 422)

    assert body["details"] == [{"field": "password", "message": "Field required"}]
    assert "password" in body["error"]


def test_a_body_that_is_not_json_is_a_json_error(client, org):
    response = client.post("/api/v1/auth/token", "{not json", content_type="application/json")

    assert response.status_code in (400, 422)
    json_error(response, response.status_code)


def test_permission_denied_inside_an_endpoint_is_a_json_403(api, org, monkeypatch):
    def deny(*args, **kwargs):
        raise PermissionDenied("Your roles do not allow: export_org")

    monkeypatch.setattr(org_api, "scoped", deny)

    body = json_error(api(org.alice).get("/api/v1/outlets"), 403)
    assert body["error"] == "Your roles do not allow: export_org"


def test_a_domain_validation_error_is_a_422_with_the_fields(api, org, monkeypatch):
    def invalid(*args, **kwargs):
        raise ValidationError({"grade": ["网点等级无效。"]})

    monkeypatch.setattr(org_api, "scoped", invalid)

    body = json_error(api(org.alice).get("/api/v1/outlets"), 422)
    assert body["fields"] == {"grade": ["网点等级无效。"]}
    assert "grade" in body["error"]


def test_a_bug_inside_an_endpoint_is_a_logged_json_500_without_internals(api, org, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(org_api, "scoped", broken)

    body = json_error(api(org.alice).get("/api/v1/outlets"), 500)
    assert "secret internals" not in json.dumps(body)
    assert any(r.levelname == "ERROR" and r.exc_info and "secret internals" in str(r.exc_info[1])
               for r in caplog.records)


def test_the_lockout_is_a_json_429(client, org, settings):
    settings.AXES_FAILURE_LIMIT = 1

    body = json_error(ApiClient(client).post("/api/v1/auth/token", {"employee_no": "B001", "password": "x"}), 429)
    assert "locked" in body["error"]


def test_the_openapi_schema_is_public_and_declares_the_bearer_scheme(client, org):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/outlets", "/api/v1/outlets/{code}"} <= set(schema["paths"])
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"TokenAuth": []}]
    assert "security" not in schema["paths"]["/api/v1/auth/token"]["post"]


def test_the_docs_page_is_public_and_loads_nothing_from_other_sites(client, org):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
