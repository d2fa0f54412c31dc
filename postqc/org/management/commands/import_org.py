"""postqc import_org FILE [--skip-invalid] [--dry-run] [--as EMPLOYEE_NO]"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from postqc.org.importers import org_import
from postqc.org.models import Staff


def acting_person(employee_no: str | None) -> Staff | None:
    if not employee_no:
        return None
    try:
        return Staff.objects.select_related("unit").get(employee_no=employee_no)
    except Staff.DoesNotExist:
        raise CommandError(f"--as {employee_no}: no such employee number") from None


class Command(BaseCommand):
    help = (
        "Import units, outlets and staff from an Excel workbook (sheets 单位 / 网点 / 员工). "
        "All-or-nothing unless --skip-invalid. With --as the import runs as that person: their subtree "
        "and their roles limit it, as on the import page. Without --as it runs as the system, unscoped "
        "(for the first load of an empty database; whoever runs commands already holds the database)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .xlsx workbook")
        parser.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the rest")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--as", dest="as_employee", metavar="EMPLOYEE_NO", help="act as this person")

    def handle(self, *args, file: str, skip_invalid: bool, dry_run: bool, as_employee: str | None, **options):
        actor = acting_person(as_employee)
        try:
            with open(file, "rb") as fh:
                report = org_import(fh, actor=actor, skip_invalid=skip_invalid, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors and not report.changed:
            raise CommandError(f"{len(report.errors)} error(s); nothing was written.")
