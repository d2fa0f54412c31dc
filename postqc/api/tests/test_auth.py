"""POST/DELETE /api/v1/auth/token: tokens for employee number + password, expiry, revocation, lockout."""
import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from postqc.api.models import ApiToken
from postqc.org.services import staff_set_active

from .utils import ApiClient, json_error

TOKEN_URL = "/api/v1/auth/token"


def ask_token(client, employee_no, password):
    return ApiClient(client).post(TOKEN_URL, {"employee_no": employee_no, "password": password})


def test_the_right_password_gets_a_token_that_works(client, org):
    response = ask_token(client, "A001", org.password)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("pqc_")
    assert body["must_change_password"] is False
    assert dt.datetime.fromisoformat(body["expires_at"]) > timezone.now() + dt.timedelta(days=29)
    me = ApiClient(client, body["token"]).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["employee_no"] == "A001"


def test_only_a_hash_of_the_token_is_stored(client, org):
    key = ask_token(client, "A001", org.password).json()["token"]

    stored = ApiToken.objects.get(staff=org.alice)
    assert stored.key_hash == ApiToken.hash(key) != key
    assert stored.prefix == key[4:12]


def test_getting_a_token_counts_as_signing_in(client, org):
    assert org.alice.last_login is None

    ask_token(client, "A001", org.password)

    org.alice.refresh_from_db()
    assert org.alice.last_login is not None
    assert AccessLog.objects.filter(username="A001", path_info=TOKEN_URL).exists()


def test_the_token_answer_says_when_the_password_must_change(client, org):
    org.bob.must_change_password = True
    org.bob.save(update_fields=["must_change_password"])

    assert ask_token(client, "B001", org.password).json()["must_change_password"] is True


@pytest.mark.parametrize("employee_no, password", [("A001", "wrong-password"), ("NOBODY", "Correct-Horse-42")])
def test_a_wrong_password_or_unknown_employee_gets_401_json_and_no_token(client, org, employee_no, password):
    response = ask_token(client, employee_no, password)

    body = json_error(response, 401)
    assert "Wrong employee number or password" in body["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ApiToken.objects.exists()


def test_a_deactivated_person_gets_no_token(client, org):
    staff_set_active(staff=org.alice, active=False)

    json_error(ask_token(client, "A001", org.password), 401)
    assert not ApiToken.objects.exists()


def test_deactivating_a_person_stops_their_existing_token(api, org):
    alice = api(org.alice)
    assert alice.get("/api/v1/me").status_code == 200

    staff_set_active(staff=org.alice, active=False)

    body = json_error(alice.get("/api/v1/me"), 401)
    assert "deactivated" in body["error"]


def test_an_expired_token_is_refused_with_401_json(api, org, settings):
    alice = api(org.alice)

    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS, minutes=1)):
        body = json_error(alice.get("/api/v1/me"), 401)

    assert "expired" in body["error"] and "POST /api/v1/auth/token" in body["error"]


def test_a_token_works_until_just_before_it_expires(api, org, settings):
    alice = api(org.alice)

    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS, minutes=-1)):
        assert alice.get("/api/v1/me").status_code == 200


def test_delete_revokes_the_token_used_and_only_that_one(api, org):
    phone, laptop = api(org.alice), api(org.alice)

    response = phone.delete(TOKEN_URL)

    assert response.status_code == 204
    json_error(phone.get("/api/v1/me"), 401)
    assert laptop.get("/api/v1/me").status_code == 200
    assert ApiToken.objects.filter(staff=org.alice).count() == 1


def test_delete_without_a_token_is_401(api, org):
    json_error(api().delete(TOKEN_URL), 401)


@pytest.fixture(params=["database", "cache"])
def axes_handler(request, settings):
    """Both lockout stores: the database one (no Redis) and the cache one production uses with Redis."""
    cache.clear()
    settings.AXES_HANDLER = {"database": "axes.handlers.database.AxesDatabaseHandler",
                             "cache": "axes.handlers.cache.AxesCacheHandler"}[request.param]
    yield request.param
    cache.clear()


def test_failed_token_requests_lock_the_account_after_the_limit_even_for_the_right_password(
        client, org, settings, axes_handler):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [ask_token(client, "B001", f"wrong-{i}").status_code for i in range(limit)]

    assert statuses == [401] * (limit - 1) + [429]
    if axes_handler == "database":
        assert AccessAttempt.objects.get(username="B001").failures_since_start == limit
    body = json_error(ask_token(client, "B001", org.password), 429)
    assert "locked" in body["error"]
    assert not ApiToken.objects.filter(staff=org.bob).exists()
    assert ask_token(client, "A001", org.password).status_code == 200


def test_the_lockout_follows_the_configured_limit(client, org, settings):
    settings.AXES_FAILURE_LIMIT = 2

    assert [ask_token(client, "B001", "wrong").status_code for _ in range(2)] == [401, 429]


def test_the_lockout_ends_after_the_cool_off(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        ask_token(client, "B001", "wrong")

    with time_machine.travel(timezone.now() + dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)):
        assert ask_token(client, "B001", org.password).status_code == 200


def test_a_successful_token_request_forgets_earlier_failures(client, org, settings, axes_handler):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        ask_token(client, "B001", "wrong")

    assert ask_token(client, "B001", org.password).status_code == 200

    assert [ask_token(client, "B001", "wrong").status_code for _ in range(limit - 1)] == [401] * (limit - 1)


def test_token_clients_need_no_csrf_token(org):
    strict = Client(enforce_csrf_checks=True)

    response = ask_token(strict, "A001", org.password)
    assert response.status_code == 200
    assert ApiClient(strict, response.json()["token"]).delete(TOKEN_URL).status_code == 204


def test_a_signed_in_browser_session_does_not_authenticate_api_calls(as_, org):
    browser = as_(org.alice)

    body = json_error(ApiClient(browser).get("/api/v1/me"), 401)
    assert "Session cookies are not accepted" in body["error"]
