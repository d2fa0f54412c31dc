"""Celery application.

With REDIS_URL set, tasks go to the Redis broker and run on `celery -A postqc worker`.
Without it the embedded default needs no extra process: see postqc.core.jobs.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postqc.settings")

app = Celery("postqc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
