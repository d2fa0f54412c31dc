"""Background jobs of the learning app: the question import, with progress on its Job row."""
from __future__ import annotations

import os

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from postqc.core.access import scoped
from postqc.core.jobs import job_finish, job_progress
from postqc.core.models import Job
from postqc.org.roles import Capability

from .importers import import_questions
from .models import Bank

IMPORT_KIND = "question_import"


def import_upload_path(job: Job, filename: str) -> str:
    """Where the uploaded file waits for its job: MEDIA_ROOT/imports/<job code><ext>, through the
    default storage so a worker on another machine reads it when MEDIA_ROOT is shared. Deleted
    when the job ends."""
    return f"imports/{job.code}{os.path.splitext(filename)[1].lower()[:8]}"


@shared_task(name="learning.import_questions")
def import_questions_task(job_id: int) -> None:
    """Run a question import Job: params {"path", "filename", "bank", "format", "skip_invalid",
    "dry_run", "default_explanation"}, as the person who started it (their scope and roles at run
    time). The report goes to job.result."""
    job = Job.objects.select_related("created_by__unit").get(pk=job_id)
    path = job.params["path"]
    try:
        actor = job.created_by
        bank = None
        if actor is not None and actor.can(Capability.EDIT_CONTENT):
            bank = scoped(Bank.objects.all(), actor).filter(code=job.params["bank"]).first()
        if bank is None:
            # Never run unscoped: a job whose starter is gone, lost the role or the bank does nothing.
            job_finish(job.pk, ok=False, message=_("发起导入的账号已无权限，或题库已不在其管辖范围内，未导入任何试题。"))
            return
        with default_storage.open(path, "rb") as upload:
            report = import_questions(
                upload, bank=bank, filename=job.params.get("filename", ""), format=job.params.get("format", "auto"),
                actor=actor, skip_invalid=job.params.get("skip_invalid", False),
                dry_run=job.params.get("dry_run", False),
                default_explanation=job.params.get("default_explanation", ""),
                progress=lambda done, total: job_progress(job.pk, done=done, total=total),
            )
        job_finish(job.pk, ok=report.ok or report.written, result=report.as_dict())
    finally:
        default_storage.delete(path)
