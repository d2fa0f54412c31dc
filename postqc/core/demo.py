"""The demo data behind `make demo` (`postqc load_demo`): each app contributes a loader module.

A loader module listed in DEMO_LOADERS provides
    load(*, stdout, seed) -> None   create the app's demo rows; if they are there already, say so and do nothing
    reset(*, stdout) -> None        delete the app's demo rows (run in reverse order, before loading, by --reset)
and, if it creates accounts, logins() -> list[DemoLogin]: the sign-ins to print and to list in the README.
Loaders run in list order, so an app appends its loader after the apps its demo rows point at.
Everything a loader generates comes from random.Random(seed): the same seed gives the same city.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.db import transaction
from django.utils.translation import gettext as _

DEMO_LOADERS: list[str] = [
    "postqc.org.demo", "postqc.standards.demo", "postqc.learning.demo", "postqc.contests.demo",
    "postqc.learning.demo_history", "postqc.surveys.demo", "postqc.inspections.demo",
    "postqc.delivery.demo", "postqc.tracking.demo", "postqc.stations.demo", "postqc.dashboard.demo",
]
DEMO_PASSWORD = "Demo2026!"  # every demo account signs in with it; demo accounts need not change it
DEFAULT_SEED = 2018  # the year of the seed article


@dataclass(frozen=True)
class DemoLogin:
    role: str  # the role's display name
    employee_no: str
    name: str
    unit: str
    opens: str  # where signing in lands: /m/ (staff H5) or /manage/
    password: str = DEMO_PASSWORD


def loaders() -> list[ModuleType]:
    return [import_module(path) for path in DEMO_LOADERS]


@transaction.atomic
def load_demo(*, stdout, seed: int = DEFAULT_SEED, reset: bool = False) -> None:
    """Load every app's demo data in order, all or nothing; with `reset`, delete it first (reverse order)."""
    if reset:
        reset_demo(stdout=stdout)
    for module in loaders():
        module.load(stdout=stdout, seed=seed)


@transaction.atomic
def reset_demo(*, stdout) -> None:
    """Delete every app's demo data, later apps first (their rows point at earlier apps' rows)."""
    for module in reversed(loaders()):
        module.reset(stdout=stdout)


def demo_logins() -> list[DemoLogin]:
    return [row for module in loaders() if hasattr(module, "logins") for row in module.logins()]


def _headers() -> list[str]:
    return [_("角色"), _("工号"), _("密码"), _("姓名"), _("单位"), _("入口")]


def _cells(row: DemoLogin) -> list[str]:
    return [row.role, row.employee_no, row.password, row.name, row.unit, row.opens]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_logins(rows: list[DemoLogin]) -> str:
    """The sign-in table as aligned console text (Chinese characters take two columns)."""
    table = [_headers(), *(_cells(row) for row in rows)]
    widths = [max(_width(line[i]) for line in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def logins_markdown(rows: list[DemoLogin]) -> str:
    """The sign-in table as the README shows it."""
    table = [_headers(), *(_cells(row) for row in rows)]
    lines = ["| " + " | ".join(line) + " |" for line in table]
    lines.insert(1, "|" + "---|" * len(table[0]))
    return "\n".join(lines) + "\n"
