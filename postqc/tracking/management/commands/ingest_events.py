"""postqc ingest_events FILE [--skip-invalid] [--dry-run]: ingest a CSV or Excel file of tracking events."""
from django.core.management.base import BaseCommand, CommandError

from postqc.tracking.ingest import ingest_events


class Command(BaseCommand):
    help = "Ingest tracking events (CSV or .xlsx, the template's columns). All or nothing unless --skip-invalid."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--skip-invalid", action="store_true", help="write the good rows, list the bad ones")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file, skip_invalid, dry_run, **options):
        try:
            report = ingest_events(file, filename=file, skip_invalid=skip_invalid, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors and not (skip_invalid and report.changed):
            raise CommandError(f"{len(report.errors)} error(s); see above.")
