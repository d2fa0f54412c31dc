"""Background jobs of the org app: the Excel import, with progress on its Job row."""
from __future__ import annotations

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from postqc.core.jobs import job_finish, job_progress
from postqc.core.models import Job

from .importers import org_import
from .roles import Capability

IMPORT_KIND = "org_import"


def import_upload_path(job: Job) -> str:
    """Where the uploaded workbook waits for its job: MEDIA_ROOT/imports/<job code>.xlsx.

    Through the default storage, so a worker on another machine reads it as long as
    MEDIA_ROOT is shared (or the storage is an object store). Deleted when the job ends."""
    return f"imports/{job.code}.xlsx"


@shared_task(name="org.import_org")
def import_org_task(job_id: int) -> None:
    """Run an org import Job: params {"path", "skip_invalid", "dry_run", "filename"}, as the person who
    started it (their scope and roles at run time). The report goes to job.result."""
    job = Job.objects.select_related("created_by__unit").get(pk=job_id)
    path = job.params["path"]
    try:
        actor = job.created_by
        if actor is None or not actor.can(Capability.IMPORT_ORG):
            # Never run unscoped: a job whose starter is gone or lost the role does nothing.
            job_finish(job.pk, ok=False, message=_("发起导入的账号已不存在或已无导入权限，未导入任何数据。"))
            return
        with default_storage.open(path, "rb") as upload:
            report = org_import(
                upload, actor=actor, skip_invalid=job.params.get("skip_invalid", False),
                dry_run=job.params.get("dry_run", False),
                progress=lambda done, total: job_progress(job.pk, done=done, total=total),
            )
        job_finish(job.pk, ok=report.ok or report.changed, result=report.as_dict())
    finally:
        default_storage.delete(path)
