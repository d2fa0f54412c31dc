"""Background jobs of the learning app: the question import, with progress on its Job row."""
from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from postqc.core.access import scoped
from postqc.core.jobs import JobRefused, run_upload_job
from postqc.org.roles import Capability

from .importers import import_questions
from .models import Bank

IMPORT_KIND = "question_import"


def _import(job, actor, upload, progress):
    bank = None
    if actor.can(Capability.EDIT_CONTENT):
        bank = scoped(Bank.objects.all(), actor).filter(code=job.params["bank"]).first()
    if bank is None:
        raise JobRefused(_("发起导入的账号已无权限，或题库已不在其管辖范围内，未导入任何试题。"))
    return import_questions(
        upload, bank=bank, filename=job.params.get("filename", ""), format=job.params.get("format", "auto"),
        actor=actor, skip_invalid=job.params.get("skip_invalid", False), dry_run=job.params.get("dry_run", False),
        default_explanation=job.params.get("default_explanation", ""), progress=progress)


@shared_task(name="learning.import_questions")
def import_questions_task(job_id: int) -> None:
    """Run a question import Job: params {"path", "filename", "bank", "format", "skip_invalid", "dry_run",
    "default_explanation"}, into the bank only if it is still in the starter's scope (core.jobs.run_upload_job)."""
    run_upload_job(job_id, _import)
