"""postqc rebuild_boards [EXAM_CODE ...]"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from postqc.contests import boards
from postqc.contests.models import BoardEntry, Exam


class Command(BaseCommand):
    help = ("Rebuild the Redis boards of competitions and exams from the database (BoardEntry): the named "
            "exams, or every exam that has board entries. Needs REDIS_URL; without it the database is the board.")

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", metavar="EXAM_CODE", help="exam codes (UUIDs); none: all")

    def handle(self, *args, codes, **options):
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL is not set: the boards are read from the database, there is nothing "
                               "to rebuild.")
        exams = Exam.objects.filter(kind__in=boards.BOARD_KINDS)
        if codes:
            try:
                wanted = {uuid.UUID(code) for code in codes}
            except ValueError as exc:
                raise CommandError(f"Not an exam code (a UUID): {exc}") from None
            exams = exams.filter(code__in=wanted)
            missing = wanted - set(exams.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No competition or exam has the code(s): {', '.join(sorted(map(str, missing)))}")
        else:
            exams = exams.filter(pk__in=BoardEntry.objects.values("exam_id"))
        for exam in exams.order_by("pk"):
            count = boards.rebuild(exam)
            if count is None:
                self.stdout.write(f"{exam.code} {exam.title}: being rebuilt by another process, skipped")
            else:
                self.stdout.write(f"{exam.code} {exam.title}: {count} row(s)")
