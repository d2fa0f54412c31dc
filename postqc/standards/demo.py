"""Demo standards library: every data/*.md published under the city unit, and one revised company rule.

data/revisions/*.md hold later versions as amendments: the same front matter with the
new version, then only the clauses that change or are new (with their chapter headings
for context). A clause whose code is in the published version replaces its wording; a
new code is added at the end of its chapter. The amended text is imported and published
like any upload, so the revision's diff page shows real changed and added clauses.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from django.utils.translation import gettext as _

from postqc.org.models import Unit

from .importing import StandardIn, parse_markdown
from .models import Standard
from .services import standard_import_markdown, version_publish

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_CODE = "JLS"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.md"))


def _codes() -> list[str]:
    return [parse_markdown(path.read_text(encoding="utf-8")).code for path in _files(DATA_DIR)]


def _owner() -> Unit:
    unit = Unit.objects.filter(code=CITY_CODE).first() or Unit.objects.filter(parent=None).order_by("pk").first()
    if unit is None:
        raise RuntimeError("The standards demo needs the org demo (no unit to own the standards).")
    return unit


def amend(base: StandardIn, amendment: StandardIn) -> StandardIn:
    """`base` with `amendment`'s clauses applied: same code → new heading and body; new code → added
    after the last clause under its parent. Particulars (version, dates, notes) come from `amendment`."""
    clauses = [dataclasses.replace(c) for c in base.clauses]
    for change in amendment.clauses:
        position = next((i for i, c in enumerate(clauses) if c.code == change.code), None)
        if position is not None:
            clauses[position].heading, clauses[position].body = change.heading, change.body
            continue
        parent = next(i for i, c in enumerate(clauses) if c.code == change.parent_code)
        end = parent + 1
        while end < len(clauses) and clauses[end].depth > clauses[parent].depth:
            end += 1
        clauses.insert(end, dataclasses.replace(change, depth=clauses[parent].depth + 1))
    return dataclasses.replace(amendment, clauses=clauses)


def to_markdown(standard: StandardIn) -> str:
    """A parsed standard written back in the import format."""
    front = {"code": standard.code, "title": standard.title, "kind": standard.kind, "issuer": standard.issuer,
             "version": f'"{standard.label}"', "effective_on": standard.effective_on.isoformat(),
             "source": standard.source, "notes": standard.notes}
    lines = ["---", *(f"{key}: {value}" for key, value in front.items() if value), "---"]
    for clause in standard.clauses:
        lines.append(f"{'#' * (clause.depth + 1)} {clause.heading} {{#{clause.code}}}")
        if clause.body:
            lines += [clause.body, ""]
    return "\n".join(lines) + "\n"


def load(*, stdout, seed: int) -> None:
    """Import and publish each standard in data/ that is not there yet. The revisions in
    data/revisions/ are published by load_revisions(), which the learning demo calls once its
    questions are linked to clauses, so the revision flags real questions for review."""
    owner = _owner()
    loaded = 0
    for path in _files(DATA_DIR):
        text = path.read_text(encoding="utf-8")
        if Standard.objects.filter(code=parse_markdown(text).code).exists():
            continue
        version_publish(version=standard_import_markdown(text=text, unit=owner, actor=None), actor=None)
        loaded += 1
    if loaded:
        stdout.write(_("制度标准：已发布 %(n)d 部标准。") % {"n": loaded} + "\n")
    else:
        stdout.write(_("制度标准：演示数据已存在，未重复加载。") + "\n")


def load_revisions(*, stdout) -> None:
    """Publish each later version in data/revisions/ that is not there yet (an amendment of its base file)."""
    texts = {parse_markdown(text).code: text for text in (p.read_text(encoding="utf-8") for p in _files(DATA_DIR))}
    revised = 0
    for path in _files(DATA_DIR / "revisions"):
        amendment = parse_markdown(path.read_text(encoding="utf-8"))
        standard = Standard.objects.get(code=amendment.code)
        if standard.versions.filter(label=amendment.label).exists():
            continue
        text = to_markdown(amend(parse_markdown(texts[amendment.code]), amendment))
        version_publish(version=standard_import_markdown(text=text, unit=standard.unit, actor=None), actor=None)
        revised += 1
    if revised:
        stdout.write(_("制度标准：已发布 %(r)d 个修订版本。") % {"r": revised} + "\n")


def reset(*, stdout) -> None:
    """Delete the demo standards (those of data/*.md) with their versions, clauses and reading records."""
    Standard.objects.filter(code__in=_codes()).delete()
    stdout.write(_("制度标准：已删除演示数据。") + "\n")
