"""postqc survey_qc SURVEY_CODE"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from postqc.surveys import qc
from postqc.surveys.models import Survey


class Command(BaseCommand):
    help = ("Re-run the quality-control flags (speeder, straight-lining, burst, off-hours) on every response of a "
            "survey. Responses nobody has reviewed follow their new flags (flagged: pending, unflagged: approved); "
            "a reviewer's decision is kept.")

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="SURVEY_CODE", help="the survey's code, e.g. SQ2019")

    def handle(self, *args, code, **options):
        survey = Survey.objects.filter(code=code).first()
        if survey is None:
            raise CommandError(f"No survey with code {code!r}.")
        counts = qc.survey_recheck(survey)
        self.stdout.write(
            f"{survey.code}: {counts['flagged']} flagged response(s) "
            f"(speeder {counts[qc.SPEEDER]}, straight-lining {counts[qc.STRAIGHTLINE]}, burst {counts[qc.BURST]}, "
            f"off-hours {counts[qc.OFF_HOURS]}); {counts['changed']} changed")
