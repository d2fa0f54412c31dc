import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from postqc.core.memo import LocalMemo

from .models import ApiToken

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
# Every API request authenticates: the token and its owner (with unit and roles) are reused for this
# long. Revoking a token, and any save of its owner (deactivation, roles, unit), forget them at once.
AUTH_CACHE_SECONDS = 60
# In front of the shared cache, each server process keeps what it authenticated for a few seconds
# (core/memo.py): a revoked token, or an owner deactivated or given other roles, is refused or
# re-read at once by the process that made the change and by every other within this many seconds.
AUTH_MEMO_SECONDS = 5
_auth_memo = LocalMemo("api.token", ttl=AUTH_MEMO_SECONDS)


def _token_key(key_hash: str) -> str:
    return f"api:token:{key_hash}"


def _staff_key(staff_id: int) -> str:
    return f"api:token-staff:{staff_id}"


@transaction.atomic
def token_issue(*, staff, label: str = "") -> tuple[str, ApiToken]:
    """Issue a token valid for settings.API_TOKEN_DAYS; the plain key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        staff=staff, key_hash=ApiToken.hash(key), prefix=key[4:12], label=label,
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    return key, token


def token_authenticate(key: str) -> ApiToken | None:
    """The token a key belongs to, with its staff member loaded; None if unknown, expired or deactivated.

    `last_used_at` is written at most every LAST_USED_RESOLUTION, so reads stay reads.
    """
    key_hash = ApiToken.hash(key)
    now = timezone.now()
    token = _auth_memo.get(key_hash, lambda: _cached_token(key_hash))
    if token is None:
        return None
    if token.expires_at <= now or not token.staff.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        cache.set(_token_key(key_hash), token, AUTH_CACHE_SECONDS)
    return token


def _cached_token(key_hash: str) -> ApiToken | None:
    """The token with its owner (unit and roles loaded), from the shared cache or the database."""
    token = cache.get(_token_key(key_hash))
    staff = cache.get(_staff_key(token.staff_id)) if token is not None else None
    if token is None or staff is None:
        try:
            token = ApiToken.objects.select_related("staff__unit").get(key_hash=key_hash)
        except ApiToken.DoesNotExist:
            return None
        staff = token.staff
        staff.roles  # noqa: B018 — loaded now so the cached copy carries them
        cache.set(_token_key(key_hash), token, AUTH_CACHE_SECONDS)
        cache.set(_staff_key(staff.pk), staff, AUTH_CACHE_SECONDS)
    token.staff = staff
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    """Delete the token: its key stops working at once."""
    ApiToken.objects.filter(pk=token.pk).delete()
    token_cache_forget_key(token.key_hash)


def token_cache_forget_key(key_hash: str) -> None:
    _auth_memo.forget(key_hash)
    cache.delete(_token_key(key_hash))
    transaction.on_commit(lambda: cache.delete(_token_key(key_hash)))


def token_cache_forget_staff(staff_id: int) -> None:
    """Forget the cached owner of tokens (their roles, unit, whether active): the next request reads them."""
    _auth_memo.forget_where(lambda token: token.staff_id == staff_id)
    cache.delete(_staff_key(staff_id))
    transaction.on_commit(lambda: cache.delete(_staff_key(staff_id)))
