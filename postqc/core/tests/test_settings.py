"""Settings come from the environment: bad values stop start-up naming the variable; production is hardened."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from postqc.core.env import (DatabaseUrl, env_bool, env_int, env_list, env_redis_url,
                             parse_database_url)

REPO = Path(__file__).resolve().parents[3]
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def run_python(code: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter whose environment holds only `env` (plus PATH and friends),
    so the settings module is imported from scratch, unaffected by the test run's own settings."""
    clean = {k: os.environ[k] for k in KEPT if k in os.environ}
    clean |= {"DJANGO_SETTINGS_MODULE": "postqc.settings", "POSTQC_VAR_DIR": str(tmp_path)} | env
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True, text=True,
                          timeout=120)


LOAD_SETTINGS = "from django.conf import settings; settings.INSTALLED_APPS"
DEV = {"DEBUG": "1"}


@pytest.mark.parametrize("env, variable", [
    ({**DEV, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({**DEV, "DATABASE_URL": "postgres://db.example:notaport/postqc"}, "DATABASE_URL"),
    ({**DEV, "DATABASE_URL": "postgres://db.example:5432/"}, "DATABASE_URL"),
    ({**DEV, "REDIS_URL": "http://x"}, "REDIS_URL"),
    ({"DEBUG": "maybe"}, "DEBUG"),
    ({**DEV, "DATABASE_URL": "postgres://u@127.0.0.1/postqc", "DATABASE_POOL_MAX": "abc"}, "DATABASE_POOL_MAX"),
    ({**DEV, "DATABASE_URL": "postgres://u@127.0.0.1/postqc", "DATABASE_POOL_MAX": "0"}, "DATABASE_POOL_MAX"),
    ({**DEV, "LOGIN_FAILURE_LIMIT": "many"}, "LOGIN_FAILURE_LIMIT"),
    ({**DEV, "JOBS_FALLBACK": "celery"}, "JOBS_FALLBACK"),
    ({"DEBUG": "0"}, "SECRET_KEY"),
    ({}, "SECRET_KEY"),
])
def test_a_malformed_environment_fails_at_start_up_naming_the_variable(tmp_path, env, variable):
    result = run_python(LOAD_SETTINGS, tmp_path, **env)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert variable in last_line


def test_a_well_formed_environment_starts(tmp_path):
    result = run_python(LOAD_SETTINGS + "; print(settings.DATABASES['default']['ENGINE'])", tmp_path,
                        DEBUG="0", SECRET_KEY="k" * 50, DATABASE_URL="postgres://u@127.0.0.1/postqc",
                        DATABASE_POOL_MAX="8", REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


DATABASE_OPTIONS = ("from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
                    "print(o.get('server_side_binding'), o.get('prepare_threshold'))")


@pytest.mark.parametrize("env, printed", [
    ({}, "None 5"),  # the ORM binds on the client (core/db.py); hot statements are prepared at the 5th run
    ({"DATABASE_PREPARE_THRESHOLD": "1"}, "None 1"),
    ({"DATABASE_PREPARE": "0"}, "None None"),
])
def test_postgresql_prepares_repeated_hot_statements_unless_turned_off(tmp_path, env, printed):
    result = run_python(DATABASE_OPTIONS, tmp_path, **DEV, DATABASE_URL="postgres://u@127.0.0.1/postqc", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed


def test_passwords_are_hashed_with_argon2_first(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings; "
            "from django.contrib.auth.hashers import make_password; "
            "print(settings.PASSWORD_HASHERS[0]); print(make_password('Correct-Horse-42').split('$')[0])")

    result = run_python(code, tmp_path, DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    code = "from postqc.__main__ import main; import sys; sys.argv = ['postqc', 'check', '--deploy', " \
           "'--fail-level', 'WARNING']; main()"

    result = run_python(code, tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(48),
                        ALLOWED_HOSTS="example.org")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


# --- DATABASE_URL and the other readers ----------------------------------------------------------

def test_a_postgres_url_gives_every_part():
    db = parse_database_url(
        "DATABASE_URL", "postgres://postqc:p%40ss%2Fword@db.example:6543/postqc_prod?sslmode=require&connect_timeout=5")

    assert db == DatabaseUrl(engine="postgresql", name="postqc_prod", user="postqc", password="p@ss/word",
                             host="db.example", port="6543", options={"sslmode": "require", "connect_timeout": "5"})


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql", "POSTGRES"])
def test_every_postgres_scheme_spelling_is_accepted(scheme):
    db = parse_database_url("DATABASE_URL", f"{scheme}://u@h/db")

    assert (db.engine, db.name, db.user, db.host, db.port, db.password) == ("postgresql", "db", "u", "h", "", "")


def test_a_sqlite_url_with_three_slashes_is_relative():
    assert parse_database_url("DATABASE_URL", "sqlite:///var/postqc.sqlite3") == DatabaseUrl(
        engine="sqlite3", name="var/postqc.sqlite3")


def test_a_sqlite_url_with_four_slashes_is_absolute():
    assert parse_database_url("DATABASE_URL", "sqlite:////srv/postqc/db.sqlite3").name == "/srv/postqc/db.sqlite3"


@pytest.mark.parametrize("raw, hint", [
    ("mysql://u@h/db", "unsupported scheme"),
    ("postgres://u@h:5432", "names no database"),
    ("postgres://u@h:99999/db", "invalid port"),
    ("sqlite://host/db.sqlite3", "sqlite:///relative/path"),
    ("sqlite:///", "names no SQLite file"),
    ("just-a-path.sqlite3", "unsupported scheme"),
])
def test_a_bad_database_url_names_the_variable_and_the_problem(raw, hint):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_database_url("DATABASE_URL", raw)

    assert str(error.value).startswith(f"DATABASE_URL={raw!r}")
    assert hint in str(error.value)


@pytest.mark.parametrize("raw, expected", [("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False),
                                           ("", False)])
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert env_bool("SOME_FLAG", not expected) is expected


def test_an_unset_variable_gives_the_default(monkeypatch):
    monkeypatch.delenv("SOME_SETTING", raising=False)

    assert env_bool("SOME_SETTING", True) is True
    assert env_int("SOME_SETTING", 7) == 7
    assert env_list("SOME_SETTING", ["a"]) == ["a"]
    assert env_redis_url("SOME_SETTING") == ""


def test_integers_are_checked_against_their_minimum(monkeypatch):
    monkeypatch.setenv("SOME_LIMIT", "0")

    with pytest.raises(ImproperlyConfigured, match="SOME_LIMIT=0 is below the minimum of 1"):
        env_int("SOME_LIMIT", 5, minimum=1)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", " example.org, www.example.org ,,")

    assert env_list("SOME_HOSTS") == ["example.org", "www.example.org"]


@pytest.mark.parametrize("raw", ["redis://127.0.0.1:6379/0", "rediss://cache.example:6380/1",
                                 "unix:///run/redis.sock"])
def test_redis_urls_of_every_supported_kind_are_accepted(monkeypatch, raw):
    monkeypatch.setenv("REDIS_URL", raw)

    assert env_redis_url("REDIS_URL") == raw
