import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


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
    try:
        token = ApiToken.objects.select_related("staff__unit").get(
            key_hash=ApiToken.hash(key), expires_at__gt=timezone.now(), staff__is_active=True)
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    """Delete the token: its key stops working at once."""
    ApiToken.objects.filter(pk=token.pk).delete()
