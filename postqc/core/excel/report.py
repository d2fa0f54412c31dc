"""The import's errors and outcome: `RowError` (one complaint about a cell, row, sheet or
the file) and `ImportReport` (per-sheet counts, errors, warnings and the summary shown)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # as Excel shows it; None for an error about the file or a whole sheet
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = " ".join(p for p in (self.sheet, _("第 %(n)d 行") % {"n": self.row} if self.row else "",
                                      self.column) if p)
        return f"{where}: {self.message}" if where else self.message


# --- The report -----------------------------------------------------------------------------


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows with errors left out by a skip-invalid import

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a failed all-or-nothing import, would have done)."""

    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    skip_invalid: bool = False

    def counts(self, sheet: str) -> SheetCounts:
        return self.sheets.setdefault(sheet, SheetCounts())

    def _total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.sheets.values())

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def skipped(self) -> int:
        return self._total("skipped")

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        """Did the import write any row? (A skip-invalid import whose rows were all bad did not.)"""
        return self.written and self.created + self.updated > 0

    @property
    def bad_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors if e.row is not None})

    def sort_errors(self, sheet_order: Sequence[str]) -> None:
        order = {name: i for i, name in enumerate(sheet_order)}
        self.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row or 0))

    def _counts_text(self) -> str:
        parts = []
        for name, c in self.sheets.items():
            bits = [_("新增 %(n)d") % {"n": c.created}, _("更新 %(n)d") % {"n": c.updated},
                    _("未变化 %(n)d") % {"n": c.unchanged}]
            if c.skipped:
                bits.append(_("跳过 %(n)d") % {"n": c.skipped})
            parts.append(f"{name}：{'，'.join(bits)}")
        return "；".join(parts)

    def summary(self) -> str:
        errors = ngettext("发现 %(n)d 处错误", "发现 %(n)d 处错误", len(self.errors)) % {"n": len(self.errors)}
        if self.dry_run:
            head = _("仅校验，未写入。") + (errors + "。" if self.errors else _("校验通过。"))
            text = head + (_("如导入将：") + self._counts_text() if self.sheets else "")
        elif self.written:
            text = _("导入完成。") + self._counts_text()
            if self.errors:
                text += "。" + _("%(errors)s，涉及 %(rows)d 行，这些行未导入。") % {"errors": errors, "rows": self.bad_rows}
        elif self.bad_rows:
            text = _("%(errors)s，未写入任何数据。请按错误明细修改文件后重新导入，或选择跳过错误行。") % {"errors": errors}
        else:
            text = _("%(errors)s，未写入任何数据。") % {"errors": errors}
        if self.warnings:
            text += " " + " ".join(self.warnings)
        return text

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "errors": [e.as_dict() for e in self.errors],
            "warnings": list(self.warnings),
            "counts": {name: c.as_dict() for name, c in self.sheets.items()},
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
            "written": self.written, "changed": self.changed, "dry_run": self.dry_run,
        }
