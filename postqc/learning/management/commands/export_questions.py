"""postqc export_questions --bank CODE [-o FILE] [--include-retired]"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from postqc.learning.exporters import bank_export
from postqc.learning.models import Bank, Question


class Command(BaseCommand):
    help = "Export a bank's questions to Excel in the import layout (an export re-imports unchanged)."

    def add_arguments(self, parser):
        parser.add_argument("--bank", required=True, metavar="CODE", help="code of the bank (题库编码)")
        parser.add_argument("-o", "--output", metavar="FILE", help="where to write (default: <CODE>.xlsx)")
        parser.add_argument("--include-retired", action="store_true", help="also export retired questions")

    def handle(self, *args, bank: str, output: str | None, include_retired: bool, **options):
        target = Bank.objects.filter(code=bank).first()
        if target is None:
            raise CommandError(f"--bank {bank}: no such bank")
        path = output or f"{target.code}.xlsx"
        try:
            bank_export(path, bank=target, include_retired=include_retired)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        qs = Question.objects.filter(bank=target)
        count = (qs if include_retired else qs.exclude(status=Question.Status.RETIRED)).count()
        self.stdout.write(f"{count} question(s) of {target.code} written to {path}")
