"""postqc import_standard FILE.md --unit CODE [--publish] [--as EMPLOYEE_NO]"""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from postqc.org.models import Staff, Unit
from postqc.standards.forms import decode_text
from postqc.standards.importing import StandardImportError
from postqc.standards.services import standard_import_markdown, version_publish


class Command(BaseCommand):
    help = (
        "Import a standard from a Markdown file (front matter + headings with {#CODE} anchors) as a draft "
        "version owned by --unit (an existing standard keeps its unit, which must be the same); with "
        "--publish, publish it at once, which supersedes the current version and flags the questions tied "
        "to changed or removed clauses for review. All or nothing: every problem is listed with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .md file")
        parser.add_argument("--unit", required=True, metavar="CODE", help="code of the unit that owns the standard")
        parser.add_argument("--publish", action="store_true", help="publish the imported version")
        parser.add_argument("--as", dest="as_employee", metavar="EMPLOYEE_NO",
                            help="act as this person: their roles and subtree limit the import")

    def handle(self, *args, file: str, unit: str, publish: bool, as_employee: str | None, **options):
        try:
            owner = Unit.objects.get(code=unit)
        except Unit.DoesNotExist:
            raise CommandError(f"--unit {unit}: no such unit code") from None
        actor = None
        if as_employee:
            actor = Staff.objects.select_related("unit").filter(employee_no=as_employee).first()
            if actor is None:
                raise CommandError(f"--as {as_employee}: no such employee number")
        try:
            text = decode_text(Path(file).read_bytes())
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 or GB18030 text") from None
        try:
            version = standard_import_markdown(text=text, unit=owner, actor=actor)
            outcome = version_publish(version=version, actor=actor) if publish else None
        except StandardImportError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was written.") from None
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        clauses = version.revisions.count()
        if outcome is None:
            self.stdout.write(f"{version.standard.code} {version.label}: draft with {clauses} clauses "
                              f"(publish it on /manage/standards/ or run again with --publish)")
        else:
            self.stdout.write(f"{version.standard.code} {version.label}: published, {clauses} clauses "
                              f"({outcome.added} added, {outcome.changed} changed, {outcome.removed} removed); "
                              f"{outcome.flagged_questions} question(s) flagged for review")
