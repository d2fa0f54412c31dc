import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from postqc.standards import demo, selectors
from postqc.standards.models import Standard, StandardVersion

from .conftest import V2021, md


def test_demo_publishes_every_data_file_and_a_real_revision(org):
    out = io.StringIO()
    demo.load(stdout=out, seed=1)
    demo.load_revisions(stdout=out)

    files = sorted(demo.DATA_DIR.glob("*.md"))
    assert Standard.objects.filter(unit=org.jls, current_version__isnull=False).count() == len(files)
    revised = Standard.objects.get(code="JLYZ")
    old, new = revised.versions.order_by("effective_on")
    assert (old.status, new.status, revised.current_version) == (
        StandardVersion.Status.SUPERSEDED, StandardVersion.Status.PUBLISHED, new)
    changes = [(r.code, r.change) for r in selectors.version_diff(old, new) if r.change != "unchanged"]
    assert changes == [("JLYZ-2.5", "changed"), ("JLYZ-3.7", "changed"), ("JLYZ-4.10", "changed"),
                       ("JLYZ-4.15", "added")]

    again = io.StringIO()
    demo.load(stdout=again, seed=1)
    demo.load_revisions(stdout=again)
    assert "未重复加载" in again.getvalue()
    assert StandardVersion.objects.count() == len(files) + 1

    demo.reset(stdout=out)
    assert not Standard.objects.exists()


def test_amending_inserts_a_new_clause_at_the_end_of_its_chapter():
    base = demo.parse_markdown(md("# 一 {#A-1}\n## 1 {#A-1.1}\nx\n# 二 {#A-2}\n## 2 {#A-2.1}\ny\n", code="A"))
    amendment = demo.parse_markdown(md("# 一 {#A-1}\n## 新 {#A-1.9}\nz\n", code="A", version='"2"'))
    merged = demo.amend(base, amendment)
    assert [(c.code, c.depth) for c in merged.clauses] == [("A-1", 0), ("A-1.1", 1), ("A-1.9", 1), ("A-2", 0),
                                                           ("A-2.1", 1)]
    assert merged.label == "2"
    def shape(standard):
        return [(c.code, c.heading, c.body, c.parent_code, c.depth) for c in standard.clauses]

    assert shape(demo.parse_markdown(demo.to_markdown(merged))) == shape(merged)


def test_import_command_imports_and_publishes(org, tmp_path: Path):
    path = tmp_path / "jlqc.md"
    path.write_text(V2021, encoding="utf-8")
    out = io.StringIO()
    call_command("import_standard", str(path), "--unit", "JLS", stdout=out)
    assert "draft with 7 clauses" in out.getvalue()
    assert Standard.objects.get(code="JLQC").current_version is None

    call_command("import_standard", str(path), "--unit", "JLS", "--publish", stdout=out)
    assert "published, 7 clauses (7 added, 0 changed, 0 removed)" in out.getvalue()
    assert Standard.objects.get(code="JLQC").current_version.label == "2021"


def test_import_command_lists_problems_and_writes_nothing(org, tmp_path: Path):
    path = tmp_path / "bad.md"
    path.write_text(md("# 第一章\n"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_standard", str(path), "--unit", "JLS", stderr=err)
    assert "第 8 行：标题缺少条款编码锚点" in err.getvalue()
    with pytest.raises(CommandError, match="no such unit"):
        call_command("import_standard", str(path), "--unit", "NOPE")
    with pytest.raises(CommandError, match="角色"):
        path.write_text(md(), encoding="utf-8")
        call_command("import_standard", str(path), "--unit", "CY", "--as", org.bob.employee_no)
    assert not Standard.objects.exists()
