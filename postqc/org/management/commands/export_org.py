"""postqc export_org FILE [--as EMPLOYEE_NO] [--what all|units|outlets|staff]"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from postqc.org.exporters import EXPORTS, org_export
from postqc.org.roles import Capability

from .import_org import acting_person


class Command(BaseCommand):
    help = (
        "Export units, outlets and staff to an Excel workbook in the import layout. With --as, what that "
        "person's subtree holds; without it, everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx workbook to write")
        parser.add_argument("--as", dest="as_employee", metavar="EMPLOYEE_NO", help="export as this person")
        parser.add_argument("--what", choices=EXPORTS, default="all")

    def handle(self, *args, file: str, as_employee: str | None, what: str, **options):
        user = acting_person(as_employee)
        if user is not None and not user.can(Capability.EXPORT_ORG):
            raise CommandError(f"--as {as_employee}: this person's roles do not allow exporting")
        try:
            org_export(file, user=user, what=what)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        self.stdout.write(f"{file}: {what}")
