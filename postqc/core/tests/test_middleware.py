"""Site-wide middleware: must-change-password redirect, CSP and framing headers."""
import pytest

PASSWORD_PAGE = "/accounts/password/"


@pytest.fixture
def imported_bob(org):
    org.bob.must_change_password = True
    org.bob.save(update_fields=["must_change_password"])
    return org.bob


# --- Must change password -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/m/", "/m/me/", "/manage/", "/accounts/login/", "/admin/"])
def test_must_change_password_redirects_every_page_to_the_change_page(as_, imported_bob, path):
    response = as_(imported_bob).get(path)
    assert response.status_code == 302 and response.url.startswith(PASSWORD_PAGE + "?next=")


def test_the_redirect_remembers_the_full_path_with_its_query(as_, imported_bob):
    response = as_(imported_bob).get("/m/learn/?a=1&b=2")
    assert response.url == f"{PASSWORD_PAGE}?next=%2Fm%2Flearn%2F%3Fa%3D1%26b%3D2"


def test_the_change_page_itself_is_reachable(as_, imported_bob):
    assert as_(imported_bob).get(PASSWORD_PAGE).status_code == 200


@pytest.mark.parametrize("path, status", [("/healthz", 200), ("/api/v1/openapi.json", 200)])
def test_must_change_password_leaves_the_api_and_the_probe_alone(as_, imported_bob, path, status):
    assert as_(imported_bob).get(path).status_code == status


def test_must_change_password_leaves_static_files_alone(as_, imported_bob):
    response = as_(imported_bob).get("/static/core/css/app.css")
    assert not response.has_header("Location")


def test_must_change_password_still_allows_switching_language(as_, imported_bob):
    response = as_(imported_bob).post("/i18n/setlang/", {"language": "en", "next": PASSWORD_PAGE})
    assert response.status_code == 302 and response.url == PASSWORD_PAGE


def test_must_change_password_still_allows_logout(as_, imported_bob):
    response = as_(imported_bob).post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/accounts/login/"


def test_people_who_set_their_password_are_not_redirected(as_, org):
    assert as_(org.bob).get("/m/").status_code == 200


# --- Headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_pages_carry_a_strict_csp_and_refuse_framing(client, db, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_carry_the_csp_too(as_, org):
    for path in ("/m/", "/m/me/", "/manage/"):
        response = as_(org.alice).get(path)
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_locked_out_page_carries_the_csp(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "B001", "password": "wrong"})
    assert response.status_code == 429
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_django_admin_keeps_its_own_inline_code_working(as_, org):
    response = as_(org.sam).get("/admin/login/")
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
