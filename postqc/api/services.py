import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken


@transaction.atomic
def token_issue(*, staff, label: str = "") -> tuple[str, ApiToken]:
    """Issue a token; the plain key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        staff=staff, key_hash=ApiToken.hash(key), prefix=key[4:12], label=label,
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    return key, token


def token_authenticate(key: str):
    """The active staff member a key belongs to, or None if unknown, expired or deactivated."""
    token = (
        ApiToken.objects.select_related("staff", "staff__unit")
        .filter(key_hash=ApiToken.hash(key), expires_at__gt=timezone.now(), staff__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.staff


def token_revoke(*, key: str) -> bool:
    return ApiToken.objects.filter(key_hash=ApiToken.hash(key)).delete()[0] > 0
