"""Signing in by 工号, lockout, logout and changing one's own password."""
import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from postqc.org.services import staff_create

LOGIN = "/accounts/login/"
PASSWORD_PAGE = "/accounts/password/"


def sign_in(client, employee_no, password, **extra):
    return client.post(LOGIN, {"username": employee_no, "password": password, **extra})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- Signing in ----------------------------------------------------------------------------------


def test_login_page_asks_for_the_employee_number(client, db):
    page = client.get(LOGIN).content.decode()
    assert re.search(r'<label for="id_username">工号', page)
    assert 'name="username"' in page and 'name="password"' in page


def test_clerk_signing_in_lands_on_the_staff_h5(client, org):
    response = sign_in(client, "B001", org.password)
    assert response.status_code == 302 and response.url == "/m/"
    assert signed_in_user_id(client) == str(org.bob.pk)


@pytest.mark.parametrize("employee_no", ["A001", "H001", "L001", "S001"])
def test_managers_signing_in_land_on_the_management_pages(client, org, employee_no):
    response = sign_in(client, employee_no, org.password)
    assert response.status_code == 302 and response.url == "/manage/"


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, org):
    response = sign_in(client, "B001", "not-the-password")
    assert response.status_code == 200
    assert "工号或密码不正确" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_an_unknown_employee_number_gets_the_same_error(client, org):
    response = sign_in(client, "NOBODY", org.password)
    assert "工号或密码不正确" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_deactivated_account_cannot_sign_in(client, org):
    org.bob.is_active = False
    org.bob.save(update_fields=["is_active"])
    response = sign_in(client, "B001", org.password)
    assert response.status_code == 200
    assert "工号或密码不正确" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_signed_in_person_opening_the_login_page_goes_to_their_face(client, org):
    sign_in(client, "A001", org.password)
    assert client.get(LOGIN).url == "/manage/"


def test_next_sends_the_person_back_to_the_page_they_asked_for(client, org):
    response = sign_in(client, "B001", org.password, next="/m/me/")
    assert response.url == "/m/me/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/m/", "http://evil.example"])
def test_next_never_redirects_to_another_host(client, org, evil):
    response = sign_in(client, "B001", org.password, next=evil)
    assert response.status_code == 302 and response.url == "/m/"


def test_login_post_without_the_csrf_token_is_refused(org):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    assert sign_in(client, "B001", org.password).status_code == 403
    assert signed_in_user_id(client) is None


def test_login_post_with_the_csrf_token_from_the_page_works(org):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = sign_in(client, "B001", org.password, csrfmiddlewaretoken=token)
    assert response.status_code == 302 and signed_in_user_id(client) == str(org.bob.pk)


# --- Lockout ------------------------------------------------------------------------------------


def fail_until_locked(client, settings, employee_no="B001"):
    responses = [sign_in(client, employee_no, "wrong-password") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert all(r.status_code == 200 for r in responses[:-1])
    return responses[-1]


def test_the_account_locks_after_the_failure_limit_with_a_429_page(client, org, settings):
    locked = fail_until_locked(client, settings)
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    assert "15 分钟" in locked.content.decode()


def test_the_right_password_is_refused_while_locked(client, org, settings):
    fail_until_locked(client, settings)
    response = sign_in(client, "B001", org.password)
    assert response.status_code == 429
    assert signed_in_user_id(client) is None


def test_failures_below_the_limit_do_not_lock(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "B001", "wrong-password")
    response = sign_in(client, "B001", org.password)
    assert response.status_code == 302 and signed_in_user_id(client) == str(org.bob.pk)


def test_the_lock_is_per_account_not_for_everyone(client, org, settings):
    fail_until_locked(client, settings)
    response = sign_in(client, "A001", org.password)
    assert response.status_code == 302 and signed_in_user_id(client) == str(org.alice.pk)


def test_the_lock_expires_after_the_cool_off(client, org, settings):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc), tick=False) as clock:
        fail_until_locked(client, settings)
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        response = sign_in(client, "B001", org.password)
        assert response.status_code == 302 and signed_in_user_id(client) == str(org.bob.pk)


def test_trying_again_while_locked_restarts_the_cool_off(client, org, settings):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc), tick=False) as clock:
        fail_until_locked(client, settings)
        clock.shift(dt.timedelta(minutes=14))
        assert sign_in(client, "B001", org.password).status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        assert sign_in(client, "B001", org.password).status_code == 429
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        assert sign_in(client, "B001", org.password).status_code == 302


def test_an_administrator_reset_lifts_the_lock(client, org, settings):
    from axes.utils import reset

    fail_until_locked(client, settings)
    reset(username="B001")
    assert sign_in(client, "B001", org.password).status_code == 302


# --- Logout -------------------------------------------------------------------------------------


def test_logout_is_post_only(as_, org):
    client = as_(org.bob)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) == str(org.bob.pk)


def test_logout_signs_out_and_returns_to_the_login_page(as_, org):
    client = as_(org.bob)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == reverse("login")
    assert signed_in_user_id(client) is None
    assert client.get("/m/").status_code == 302


# --- Changing one's password --------------------------------------------------------------------

NEW = "Blue-Lantern-77"


def change(client, old, new1, new2=None, query=""):
    return client.post(PASSWORD_PAGE + query, {"old_password": old, "new_password1": new1,
                                               "new_password2": new2 if new2 is not None else new1})


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_password_change_needs_sign_in(client, db):
    response = client.get(PASSWORD_PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_wrong_current_password_is_an_error_on_that_field(as_, org):
    response = change(as_(org.bob), "not-it", NEW)
    assert field_errors(response, "old_password") == ["当前密码不正确。"]
    org.bob.refresh_from_db()
    assert org.bob.check_password(org.password)


def test_new_passwords_that_differ_are_an_error(as_, org):
    response = change(as_(org.bob), org.password, NEW, NEW + "x")
    assert field_errors(response, "new_password2") == ["两次输入的新密码不一致。"]


def test_the_new_password_must_differ_from_the_current_one(as_, org):
    response = change(as_(org.bob), org.password, org.password)
    assert field_errors(response, "new_password1") == ["新密码不能与当前密码相同。"]


@pytest.mark.parametrize("weak", ["Ab-1", "password123", "1234567890"])
def test_short_common_or_numeric_passwords_are_refused(as_, org, weak):
    response = change(as_(org.bob), org.password, weak)
    assert response.status_code == 200
    assert field_errors(response, "new_password1")
    org.bob.refresh_from_db()
    assert org.bob.check_password(org.password)


def test_a_password_like_the_employee_number_is_refused(as_, org):
    person = staff_create(employee_no="Z20240017", name="周舟", unit=org.cy_bjl, roles=["clerk"], password=org.password)
    response = change(as_(person), org.password, "z20240017x")
    assert field_errors(response, "new_password1")


def test_errors_are_shown_next_to_the_field(as_, org):
    page = change(as_(org.bob), "not-it", NEW).content.decode()
    assert re.search(r'class="field has-error">\s*<label for="id_old_password">', page)
    assert '<small class="error-text">当前密码不正确。</small>' in page


def test_a_successful_change_sets_the_password_and_keeps_the_session(as_, org):
    client = as_(org.bob)
    response = change(client, org.password, NEW)
    assert response.status_code == 302 and response.url == "/m/"
    org.bob.refresh_from_db()
    assert org.bob.check_password(NEW)
    assert client.get("/m/").status_code == 200


def test_a_successful_change_clears_must_change_password(as_, org):
    org.bob.must_change_password = True
    org.bob.save(update_fields=["must_change_password"])
    change(as_(org.bob), org.password, NEW)
    org.bob.refresh_from_db()
    assert org.bob.must_change_password is False


def test_after_a_change_next_returns_to_the_page_asked_for(as_, org):
    response = change(as_(org.bob), org.password, NEW, query="?next=/m/me/")
    assert response.url == "/m/me/"


def test_after_a_change_next_never_leaves_the_site(as_, org):
    response = change(as_(org.bob), org.password, NEW, query="?next=https://evil.example/")
    assert response.url == "/m/"


def test_the_stored_hash_is_argon2_with_the_production_hasher(as_, org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    change(as_(org.bob), org.password, NEW)
    org.bob.refresh_from_db()
    assert identify_hasher(org.bob.password).algorithm == "argon2"
    assert org.bob.password.startswith("argon2$argon2id$")


def test_a_login_with_an_old_hash_upgrades_it_to_argon2(client, org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    sign_in(client, "B001", org.password)
    org.bob.refresh_from_db()
    assert identify_hasher(org.bob.password).algorithm == "argon2"


# --- Imported staff must set their own password -------------------------------------------------


@pytest.fixture
def imported_bob(org):
    org.bob.must_change_password = True
    org.bob.save(update_fields=["must_change_password"])
    return org.bob


def test_an_imported_person_signing_in_is_sent_to_set_a_password(client, imported_bob, org):
    response = sign_in(client, "B001", org.password)
    assert client.get(response.url).url == f"{PASSWORD_PAGE}?next=%2Fm%2F"


def test_the_change_page_explains_why(as_, imported_bob):
    page = as_(imported_bob).get(PASSWORD_PAGE).content.decode()
    assert "首次登录或密码被重置后" in page


def test_after_setting_a_password_the_person_continues_to_the_page_they_wanted(as_, imported_bob, org):
    client = as_(imported_bob)
    response = change(client, org.password, NEW, query="?next=%2Fm%2Fme%2F")
    assert response.url == "/m/me/"
    assert client.get("/m/me/").status_code == 200
