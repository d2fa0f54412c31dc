"""Run background jobs: on Celery when REDIS_URL is set, in-process otherwise.

A job function takes the Job's id, updates its progress through `job_progress`
and ends by `job_finish`. `enqueue` picks the runner:
- Celery broker configured → `task.delay(job_id)` on a worker;
- no broker, JOBS_FALLBACK=thread (default) → a thread of this process after the
  transaction commits, so the page that started it can poll the progress;
- JOBS_FALLBACK=inline (tests, management commands) → runs now, in the caller.
"""
from __future__ import annotations

import logging
import threading
import traceback

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)


def upload_path(job: Job, filename: str) -> str:
    """Where an uploaded CSV or Excel file of a Job waits for its worker: MEDIA_ROOT/imports/<job
    code>.csv|.xlsx, through the default storage (shared by the workers)."""
    return f"imports/{job.code}{'.csv' if filename.lower().endswith('.csv') else '.xlsx'}"


def job_create(*, kind: str, created_by=None, unit=None, params: dict | None = None, total: int = 0) -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, unit=unit, params=params or {}, total=total)


def job_progress(job_id: int, *, done: int, total: int | None = None) -> None:
    fields = {"done": done, "status": Job.Status.RUNNING}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields, updated_at=timezone.now())


def job_finish(job_id: int, *, ok: bool, result: dict | None = None, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED if ok else Job.Status.FAILED,
        result=result or {},
        message=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _run_guarded(task, job_id: int) -> None:
    try:
        task.run(job_id)
    except Exception:  # the job row must say it failed; the traceback goes to the log
        log.exception("job %s failed", job_id)
        job_finish(job_id, ok=False, message=traceback.format_exc(limit=3))


def _thread_main(task, job_id: int) -> None:
    close_old_connections()
    try:
        _run_guarded(task, job_id)
    finally:
        close_old_connections()


def enqueue(task, job: Job, *, inline: bool | None = None) -> None:
    """Start `task` (a Celery task taking a job id) for `job` once the current transaction commits."""
    use_inline = inline if inline is not None else settings.JOBS_FALLBACK == "inline"
    if settings.REDIS_URL and not use_inline:
        transaction.on_commit(lambda: task.delay(job.pk))
    elif use_inline:
        _run_guarded(task, job.pk)
    else:
        transaction.on_commit(
            lambda: threading.Thread(target=_thread_main, args=(task, job.pk), daemon=True, name=f"job-{job.pk}").start()
        )
