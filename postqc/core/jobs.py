"""Run background jobs: on Celery when REDIS_URL is set, in-process otherwise.

A job function takes the Job's id, updates its progress through `job_progress`
and ends by `job_finish`; an import of an uploaded file is started by
`start_upload_job` and its task body is `run_upload_job`. `enqueue` picks the runner:
- Celery broker configured → `task.delay(job_id)` on a worker;
- no broker, JOBS_FALLBACK=thread (default) → a thread of this process after the
  transaction commits, so the page that started it can poll the progress;
- JOBS_FALLBACK=inline (tests, management commands) → runs now, in the caller.
"""
from __future__ import annotations

import logging
import os
import threading
import traceback
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job

log = logging.getLogger(__name__)


def upload_path(job: Job, filename: str) -> str:
    """Where an uploaded file of a Job waits for its worker: MEDIA_ROOT/imports/<job code><extension>,
    through the default storage, so that a worker on another machine reads it as long as MEDIA_ROOT
    is shared (or the storage is an object store). Deleted when the job ends."""
    return f"imports/{job.code}{os.path.splitext(filename)[1].lower()[:8]}"


class JobRefused(Exception):
    """Raised by an upload job's `run` when the person who started it may no longer do it; the
    message says so to them."""


def start_upload_job(*, kind: str, task, actor, upload, unit=None, params: dict | None = None) -> Job:
    """Store `upload` and start `task` on it once the transaction commits: the Job (of `unit`, by
    default the actor's), its file at upload_path(), params {"path", "filename", **params}. Every
    import's page and API start their job through this."""
    with transaction.atomic():
        job = job_create(kind=kind, created_by=actor, unit=unit or actor.unit)
        path = default_storage.save(upload_path(job, upload.name), upload)
        job.params = {"path": path, "filename": upload.name, **(params or {})}
        job.save(update_fields=["params", "updated_at"])
        enqueue(task, job)
    return job


def run_upload_job(job_id: int, run: Callable[[Job, Any, IO[bytes], Callable[[int, int], None]], Any]) -> None:
    """The body of every import task: `run(job, actor, file, progress)` on the job's stored upload, as
    the person who started it (their scope and roles now, not when they uploaded), returning the
    ImportReport. A job whose starter is gone, or for whom `run` raises JobRefused, imports nothing
    and fails saying why: a job never runs unscoped. The report goes to job.result; the job
    succeeded if the report has no error or the import wrote rows. The file is deleted in every case."""
    job = Job.objects.select_related("created_by__unit").get(pk=job_id)
    path = job.params["path"]
    try:
        if job.created_by is None:
            raise JobRefused(_("发起导入的账号已不存在或已无导入权限，未导入任何数据。"))
        with default_storage.open(path, "rb") as upload:
            report = run(job, job.created_by, upload, lambda done, total: job_progress(job.pk, done=done, total=total))
        job_finish(job.pk, ok=report.ok or report.changed, result=report.as_dict())
    except JobRefused as refused:
        job_finish(job.pk, ok=False, message=str(refused))
    finally:
        default_storage.delete(path)


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
