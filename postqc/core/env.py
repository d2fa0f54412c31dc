"""Typed readers for environment variables.

Each helper returns a working default when the variable is unset and fails at
start-up with a message naming the variable when its value is malformed.
Every variable read here is listed in docs/configuration.md.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict[str, str] | None = None


def parse_database_url(name: str, raw: str) -> DatabaseUrl:
    """Parse `postgres://user:pass@host:port/db?opt=v` or `sqlite:///path`."""
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        db = unquote(parts.path.lstrip("/"))
        if not db:
            raise ImproperlyConfigured(f"{name}={raw!r} names no database (postgres://user@host:5432/DBNAME).")
        try:
            port = str(parts.port or "")
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} has an invalid port.") from None
        return DatabaseUrl(
            engine="postgresql",
            name=db,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=port,
            options=dict(parse_qsl(parts.query)),
        )
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc:
            raise ImproperlyConfigured(f"{name}={raw!r}: write sqlite:///relative/path or sqlite:////absolute/path.")
        # sqlite:///rel/path → "rel/path"; sqlite:////abs/path → "/abs/path"
        path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"{name}={raw!r} names no SQLite file.")
        return DatabaseUrl(engine="sqlite3", name=path)
    raise ImproperlyConfigured(
        f"{name}={raw!r} has an unsupported scheme {scheme!r}; use postgres://… or sqlite:///…."
    )


def env_redis_url(name: str) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    if urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a redis://, rediss:// or unix:// URL.")
    return raw
