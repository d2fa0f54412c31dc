"""`postqc import_questions` and `postqc export_questions`: output and exit status."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from postqc.learning import services
from postqc.learning.models import Question
from postqc.learning.tests.factories import make_clause

pytestmark = pytest.mark.django_db

AIKEN = """按照《邮政法》，普遍服务范围内的包裹单件重量不超过多少千克？
A. 5
B. 10
ANSWER: B
解析：《邮政法》第十五条。
条款：YZF-3.15

下列哪一项属于特殊服务？
A. 义务兵平常信函免费寄递
B. 国际快递
ANSWER: A
"""


@pytest.fixture
def bank(org):
    make_clause(org.jls, code="YZF-3.15")
    return services.bank_create(code="JLS-PF", name="普遍服务知识题库", unit=org.jls)


@pytest.fixture
def aiken_file(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(AIKEN, encoding="utf-8")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_questions", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_errors_are_listed_by_question_and_the_command_fails_writing_nothing(bank, aiken_file):
    with pytest.raises(CommandError, match="1 error"):
        run(aiken_file, "--bank", "JLS-PF")
    assert not Question.objects.exists()


def test_the_error_lines_name_the_question_and_field(bank, aiken_file):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(aiken_file), "--bank", "JLS-PF", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == "第 2 题 解析：每道题都要有解析"


def test_skip_invalid_imports_the_good_question_and_succeeds(bank, aiken_file):
    out, err = run(aiken_file, "--bank", "JLS-PF", "--skip-invalid")
    assert "导入完成" in out and "第 2 题" in err
    assert Question.objects.count() == 1


def test_a_default_explanation_fills_the_gap(bank, aiken_file):
    out, _err = run(aiken_file, "--bank", "JLS-PF", "--default-explanation", "见《邮政法》第十五条。")
    assert "新增 2" in out and Question.objects.count() == 2


def test_a_dry_run_writes_nothing(bank, aiken_file):
    out, _err = run(aiken_file, "--bank", "JLS-PF", "--dry-run", "--default-explanation", "x")
    assert "仅校验" in out and not Question.objects.exists()


def test_an_unknown_bank_or_missing_file_is_a_clear_error(bank, aiken_file, tmp_path):
    with pytest.raises(CommandError, match="no such bank"):
        run(aiken_file, "--bank", "NOPE")
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.xlsx", "--bank", "JLS-PF")


def test_the_command_line_exits_with_status_1_when_nothing_was_written(bank, aiken_file, monkeypatch, capsys):
    from django.core.management import base

    from postqc.learning.management.commands.import_questions import Command

    monkeypatch.setattr(base.connections, "close_all", lambda: None)  # keep the test's transaction open
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["postqc", "import_questions", str(aiken_file), "--bank", "JLS-PF"])
    assert exit_.value.code == 1
    assert "第 2 题 解析：每道题都要有解析" in capsys.readouterr().err
    Command().run_from_argv(["postqc", "import_questions", str(aiken_file), "--bank", "JLS-PF", "--skip-invalid"])
    assert Question.objects.count() == 1


def test_export_then_import_round_trips(bank, aiken_file, tmp_path):
    run(aiken_file, "--bank", "JLS-PF", "--default-explanation", "见规定。")
    target = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command("export_questions", "--bank", "JLS-PF", "-o", str(target), stdout=out)
    assert "2 question(s)" in out.getvalue()
    services.bank_create(code="COPY", name="副本", unit=bank.unit)
    run(target, "--bank", "COPY")
    assert Question.objects.filter(bank__code="COPY").count() == 2
