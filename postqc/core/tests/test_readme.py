from pathlib import Path

from django.conf import settings

from postqc.core.demo import demo_logins, logins_markdown


def test_readme_lists_exactly_the_demo_logins_the_loader_prints():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert logins_markdown(demo_logins()) in readme


def test_readme_shows_the_two_commands_and_ci_runs_the_test_one():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    ci = (Path(settings.BASE_DIR) / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
