"""postqc import_delivery_records FILE [--skip-invalid] [--dry-run] [--as EMPLOYEE_NO]"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from postqc.delivery.ingest import records_import
from postqc.org.management.commands.import_org import acting_person


class Command(BaseCommand):
    help = (
        "Import delivery records (投递记录, one row per run) from a CSV or Excel file of the scanning system. "
        "All-or-nothing unless --skip-invalid. With --as the import runs as that person (their subtree's "
        "segments only); without it, as the system, unscoped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .csv or .xlsx file")
        parser.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the rest")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--as", dest="as_employee", metavar="EMPLOYEE_NO", help="act as this person")

    def handle(self, *args, file: str, skip_invalid: bool, dry_run: bool, as_employee: str | None, **options):
        actor = acting_person(as_employee)
        try:
            with open(file, "rb") as fh:
                report = records_import(fh.read(), filename=file, actor=actor, skip_invalid=skip_invalid,
                                        dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors and not report.changed:
            raise CommandError(f"{len(report.errors)} error(s); nothing was written.")
