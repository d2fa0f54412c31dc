"""postqc import_questions FILE --bank CODE [--format F] [--skip-invalid] [--dry-run] [--default-explanation TEXT]"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from postqc.learning.importers import FORMATS, import_questions
from postqc.learning.models import Bank


class Command(BaseCommand):
    help = (
        "Import questions into a bank from Excel (.xlsx), CSV, Moodle GIFT or Aiken. All-or-nothing unless "
        "--skip-invalid: every error is listed by row (or question number), column and reason. Exit status 1 "
        "when nothing was written because of errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the file")
        parser.add_argument("--bank", required=True, metavar="CODE", help="code of the bank (题库编码)")
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto",
                            help="file format (default: by the file name, then by its content)")
        parser.add_argument("--skip-invalid", action="store_true", help="import the good questions, report the rest")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--default-explanation", default="", metavar="TEXT",
                            help="解析 for GIFT/Aiken questions that carry none (otherwise they are errors)")

    def handle(self, *args, file: str, bank: str, format: str, skip_invalid: bool, dry_run: bool,
               default_explanation: str, **options):
        target = Bank.objects.filter(code=bank).first()
        if target is None:
            raise CommandError(f"--bank {bank}: no such bank")
        try:
            report = import_questions(file, bank=target, format=format, skip_invalid=skip_invalid, dry_run=dry_run,
                                      default_explanation=default_explanation)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors and not report.written:
            raise CommandError(f"{len(report.errors)} error(s); nothing was written.")
