"""Background jobs of the delivery app: the bulk import of delivery records, with its Job row."""
from __future__ import annotations

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from postqc.core.jobs import job_finish, job_progress
from postqc.core.models import Job
from postqc.org.roles import Capability

from .ingest import records_import

IMPORT_KIND = "delivery_records_import"



@shared_task(name="delivery.import_records")
def import_records_task(job_id: int) -> None:
    """Run a record import Job: params {"path", "filename", "skip_invalid", "dry_run"}, as the person
    who started it (their scope and roles at run time). The report goes to job.result."""
    job = Job.objects.select_related("created_by__unit").get(pk=job_id)
    path = job.params["path"]
    try:
        actor = job.created_by
        if actor is None or not actor.can(Capability.MANAGE_DELIVERY):
            job_finish(job.pk, ok=False, message=_("发起导入的账号已不存在或已无导入权限，未导入任何数据。"))
            return
        with default_storage.open(path, "rb") as upload:
            report = records_import(upload.read(), filename=job.params.get("filename", ""), actor=actor,
                                    skip_invalid=job.params.get("skip_invalid", False),
                                    dry_run=job.params.get("dry_run", False),
                                    progress=lambda done, total: job_progress(job.pk, done=done, total=total))
        job_finish(job.pk, ok=report.ok or report.changed, result=report.as_dict())
    finally:
        default_storage.delete(path)
