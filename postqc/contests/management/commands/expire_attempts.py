"""postqc expire_attempts"""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from postqc.contests.services import attempts_expire_overdue


class Command(BaseCommand):
    help = ("Submit, by the server, every exam attempt in progress whose deadline and network grace have passed "
            "(Celery beat does this every minute when REDIS_URL is set; run it from cron otherwise).")

    def handle(self, *args, **options):
        count = attempts_expire_overdue(now=timezone.now())
        self.stdout.write(f"{count} overdue attempt(s) submitted")
