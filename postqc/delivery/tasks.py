"""Background jobs of the delivery app: the bulk import of delivery records, with its Job row."""
from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from postqc.core.jobs import JobRefused, run_upload_job
from postqc.org.roles import Capability

from .ingest import records_import

IMPORT_KIND = "delivery_records_import"


def _import(job, actor, upload, progress):
    if not actor.can(Capability.MANAGE_DELIVERY):
        raise JobRefused(_("发起导入的账号已不存在或已无导入权限，未导入任何数据。"))
    return records_import(upload.read(), filename=job.params.get("filename", ""), actor=actor,
                          skip_invalid=job.params.get("skip_invalid", False), dry_run=job.params.get("dry_run", False),
                          progress=progress)


@shared_task(name="delivery.import_records")
def import_records_task(job_id: int) -> None:
    """Run a record import Job: params {"path", "filename", "skip_invalid", "dry_run"} (core.jobs.run_upload_job)."""
    run_upload_job(job_id, _import)
