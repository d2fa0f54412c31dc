import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from postqc.core.memo import LocalMemo

from .models import ApiToken

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
# Every API request authenticates: the token and its owner (with unit and roles) are reused for this
# long from the shared cache. Revoking a token, and any save of its owner (deactivation, roles, unit),
# forget them at once.
AUTH_CACHE_SECONDS = 60
# In front of the shared cache, each server process keeps what it authenticated (core/memo.py) for
# up to this long — but only while the owner's *generation* in the shared cache is the one it was
# loaded under. A revocation or any save of the owner bumps the generation, so every process
# re-reads the token on its next request: a request costs one small cache read instead of
# unpickling the token and its owner, and a change is seen at once everywhere (where the shared
# cache is Redis; the embedded default is one process). Were Redis to lose a bump (a restart),
# a memo still expires after this many seconds.
AUTH_MEMO_SECONDS = 60
_auth_memo = LocalMemo("api.token", ttl=AUTH_MEMO_SECONDS)


def _token_key(key_hash: str) -> str:
    return f"api:token:{key_hash}"


def _staff_key(staff_id: int) -> str:
    return f"api:token-staff:{staff_id}"


def _generation_key(staff_id: int) -> str:
    return f"api:token-gen:{staff_id}"


def _generation(staff_id: int) -> int:
    return cache.get(_generation_key(staff_id), 0)


def _bump_generation(staff_id: int) -> None:
    """Tell every process that what it memoised for `staff_id`'s tokens is stale."""
    key = _generation_key(staff_id)
    cache.add(key, 0, None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two calls
        cache.set(key, 1, None)


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
    loaded = _auth_memo.peek(key_hash)
    if loaded is None or _generation(loaded[0].staff_id) != loaded[1]:  # not memoised, or changed anywhere
        loaded = _loaded_token(key_hash)
        if loaded is None:
            _auth_memo.forget(key_hash)
            return None
        _auth_memo.put(key_hash, loaded)
    token = loaded[0]
    if token.expires_at <= now or not token.staff.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        cache.set(_token_key(key_hash), token, AUTH_CACHE_SECONDS)
    return token


def _loaded_token(key_hash: str) -> tuple[ApiToken, int] | None:
    """(token, its owner's generation when read). The generation is read before the token and its
    owner, so a change made while they load leaves the memo behind and the next request reloads."""
    cached = cache.get(_token_key(key_hash))
    staff_id = cached.staff_id if cached is not None else ApiToken.objects.filter(
        key_hash=key_hash).values_list("staff_id", flat=True).first()
    if staff_id is None:
        return None
    generation = _generation(staff_id)
    token = _cached_token(key_hash)  # read again after the generation, on purpose (see above)
    return None if token is None else (token, generation)


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
    """Delete the token: its key stops working at once, in every server process."""
    ApiToken.objects.filter(pk=token.pk).delete()
    token_cache_forget_key(token.key_hash, staff_id=token.staff_id)


def token_cache_forget_key(key_hash: str, *, staff_id: int) -> None:
    _auth_memo.forget(key_hash)
    _forget_shared(_token_key(key_hash), staff_id)


def token_cache_forget_staff(staff_id: int) -> None:
    """Forget the cached owner of tokens (their roles, unit, whether active): the next request reads them."""
    _auth_memo.forget_where(lambda loaded: loaded[0].staff_id == staff_id)
    _forget_shared(_staff_key(staff_id), staff_id)


def _forget_shared(cache_key: str, staff_id: int) -> None:
    """Drop `cache_key` from the shared cache and bump the owner's generation, now and again when the
    transaction commits (a process reading in between would otherwise keep what is being changed)."""
    def forget():
        cache.delete(cache_key)
        _bump_generation(staff_id)
    forget()
    transaction.on_commit(forget)
