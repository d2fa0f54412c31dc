"""Background job of the tracking app: ingesting an uploaded file of events, with progress."""
from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from postqc.core.jobs import JobRefused, run_upload_job
from postqc.org.roles import Capability

INGEST_KIND = "tracking_ingest"


def _ingest(job, actor, upload, progress):
    from .ingest import ingest_events

    if not actor.can(Capability.MANAGE_TRACKING):
        raise JobRefused(_("发起导入的账号已不存在或已无权限，未导入任何数据。"))
    return ingest_events(upload.read(), filename=job.params.get("filename", job.params["path"]), actor=actor,
                         skip_invalid=job.params.get("skip_invalid", False), dry_run=job.params.get("dry_run", False),
                         progress=progress)


@shared_task(name="tracking.ingest_events")
def ingest_events_task(job_id: int) -> None:
    """Run an ingest Job: params {"path", "filename", "skip_invalid", "dry_run"} (core.jobs.run_upload_job)."""
    run_upload_job(job_id, _ingest)
