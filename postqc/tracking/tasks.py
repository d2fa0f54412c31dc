"""Background job of the tracking app: ingesting an uploaded file of events, with progress."""
from __future__ import annotations

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from postqc.core.jobs import job_finish, job_progress
from postqc.core.models import Job
from postqc.org.roles import Capability

INGEST_KIND = "tracking_ingest"



@shared_task(name="tracking.ingest_events")
def ingest_events_task(job_id: int) -> None:
    """Run an ingest Job: params {"path", "filename", "skip_invalid", "dry_run"}, as the person who
    started it (their scope at run time). The report goes to job.result."""
    from .ingest import ingest_events

    job = Job.objects.select_related("created_by__unit").get(pk=job_id)
    path = job.params["path"]
    try:
        actor = job.created_by
        if actor is None or not actor.can(Capability.MANAGE_TRACKING):
            job_finish(job.pk, ok=False, message=_("发起导入的账号已不存在或已无权限，未导入任何数据。"))
            return
        with default_storage.open(path, "rb") as upload:
            report = ingest_events(upload.read(), filename=job.params.get("filename", path), actor=actor,
                                   skip_invalid=job.params.get("skip_invalid", False),
                                   dry_run=job.params.get("dry_run", False),
                                   progress=lambda done, total: job_progress(job.pk, done=done, total=total))
        job_finish(job.pk, ok=report.ok or report.changed, result=report.as_dict())
    finally:
        default_storage.delete(path)
