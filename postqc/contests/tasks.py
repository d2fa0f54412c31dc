"""Background work of the exam engine: the server submits attempts whose time is over.

Celery beat runs `contests.expire_attempts` every minute (settings.CELERY_BEAT_SCHEDULE). Without
a broker, `postqc expire_attempts` does the same from cron, and every access to an attempt
submits it first when it is overdue, so no attempt outlives its deadline unscored when someone looks.
"""
from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import attempts_expire_overdue

EXPIRE_TASK = "contests.expire_attempts"


@shared_task(name=EXPIRE_TASK)
def expire_attempts_task() -> int:
    """Submit every overdue attempt; the number submitted."""
    return attempts_expire_overdue(now=timezone.now())
