"""Learning statistics: a person's own figures, and (scoped) a manager's figures of a unit's staff.

docs/statistics.md explains every figure, its formula and its thresholds; the names below are
the ones it uses. Everything here only reads. Counting happens in the database (grouped,
conditional aggregates on indexed filters: answers by person and time, by question, by unit);
Python only folds bounded sets — one person's questions, a bank's first attempts, a unit's
FSRS cards — and each function's docstring says its bound. The query count of every function
is constant: it does not grow with staff, answers or questions.

"The unit's staff" is the active staff whose unit is the unit or any unit under it, now: a
person who moved keeps their history and it counts where they are today.

The package, by concern: common.py (the thresholds, the forgetting curve, weekly counts, clause
outlines), personal.py (the person's own figures), units.py (a manager's unit: participation,
weakest clauses, predicted recall), items.py (item analysis of a bank on first attempts).
"""
from .common import (
    ACCURACY_DAYS,
    ACTIVE_DAYS,
    DISCRIMINATION_LOW,
    FACILITY_HIGH,
    FACILITY_LOW,
    ITEM_MIN_N,
    WEAK_DAYS,
    WEAK_MIN_ANSWERS,
    WEEKS_SHOWN,
    recall,
)
from .items import FLAG_LABELS, banks_for_stats, item_analysis, item_flags, pearson
from .personal import personal_summary
from .units import (
    Participation,
    managed_unit,
    outlet_participation,
    predicted_recall_by_clause,
    unit_choices,
    unit_participation,
    weakest_clauses,
)

__all__ = [
    "ACCURACY_DAYS", "ACTIVE_DAYS", "DISCRIMINATION_LOW", "FACILITY_HIGH", "FACILITY_LOW", "FLAG_LABELS",
    "ITEM_MIN_N", "WEAK_DAYS", "WEAK_MIN_ANSWERS", "WEEKS_SHOWN", "Participation", "banks_for_stats",
    "item_analysis", "item_flags", "managed_unit", "outlet_participation", "pearson", "personal_summary", "predicted_recall_by_clause",
    "recall", "unit_choices", "unit_participation", "weakest_clauses",
]
