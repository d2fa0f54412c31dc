"""Background jobs of the org app: the Excel import, with progress on its Job row."""
from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from postqc.core.jobs import JobRefused, run_upload_job

from .importers import org_import
from .roles import Capability

IMPORT_KIND = "org_import"


def _import(job, actor, upload, progress):
    if not actor.can(Capability.IMPORT_ORG):
        raise JobRefused(_("发起导入的账号已不存在或已无导入权限，未导入任何数据。"))
    return org_import(upload, actor=actor, skip_invalid=job.params.get("skip_invalid", False),
                      dry_run=job.params.get("dry_run", False), progress=progress)


@shared_task(name="org.import_org")
def import_org_task(job_id: int) -> None:
    """Run an org import Job: params {"path", "filename", "skip_invalid", "dry_run"} (core.jobs.run_upload_job)."""
    run_upload_job(job_id, _import)
