"""投递质量 figures: frequency, depth and time-limit compliance per segment, rolled up per unit.

The period is a week (Monday–Sunday), a month or a year. The figures (docs/delivery.md):

- 频次达标率: segment-weeks meeting the frequency rule ÷ segment-weeks. A week counts in the period
  its Sunday falls in, once it is over (Sunday before today); a segment counts from the week its
  启用日期 falls in, in the weeks it was in use at the end of that Sunday. A segment-week meets the
  rule when the segment had runs on at least the rule's days and at least the rule's runs that week
  (the rule in force on that Sunday for the area type the segment had then).
- 深度达标率: segments meeting the depth rule ÷ segments in use at some time in the period. A segment
  meets it when its own handover point is acceptable for its area type and none of its runs in the
  period used a point the rule does not accept (or, where the rule asks tracked items to the door,
  handed tracked items over elsewhere). The rule in force at the period's last day judges, with the
  segment's handover point and area type of that day (or of its last day in use in the period).

A segment is judged by its terms (area type, handover point, in use, unit) as they were, read back from
its history (SegmentChange): an edit or 停用 today does not rewrite last month's figures. A segment
moved to another unit counts each week (by its Sunday) and each run (by its day) in the unit it
belonged to then, under that unit's rules; the unit above both counts it once (rolled_up).
- 时限达标率: items delivered within the time limit ÷ items delivered, over the period's runs up to
  today.

The runs are aggregated in the database (one GROUP BY per figure); the rules, a few rows, are applied
to the aggregates in Python through rules.RuleBook.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from postqc.core.downloads import day_param
from postqc.org.models import Staff, Unit, UnitClosure

from .models import AreaType, DeliveryRecord, HandoverPoint, Segment, SegmentChange
from .rules import RuleBook

PERIODS = ("week", "month", "year")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, kind: str, on: dt.date) -> Period:
        """The week, month or year containing `on`."""
        if kind == "week":
            start = monday(on)
            return cls(kind, start, start + dt.timedelta(days=6))
        if kind == "year":
            return cls(kind, dt.date(on.year, 1, 1), dt.date(on.year, 12, 31))
        return cls("month", on.replace(day=1), on.replace(day=calendar.monthrange(on.year, on.month)[1]))

    @classmethod
    def default(cls, kind: str, today: dt.date) -> Period:
        """The latest period with a finished week: the last full week, or the month / year of yesterday."""
        yesterday = today - dt.timedelta(days=1)
        if kind == "week":
            return cls.of("week", yesterday - dt.timedelta(days=(yesterday.weekday() + 1) % 7))
        return cls.of(kind, yesterday)

    def weeks(self, today: dt.date) -> list[dt.date]:
        """The Mondays of the weeks that count: Sunday inside the period and before today."""
        sunday = self.first + dt.timedelta(days=(6 - self.first.weekday()) % 7)
        out = []
        while sunday <= self.last and sunday < today:
            out.append(sunday - dt.timedelta(days=6))
            sunday += dt.timedelta(days=7)
        return out

    @property
    def label(self) -> str:
        if self.kind == "week":
            return f"{self.first:%Y-%m-%d} – {self.last:%m-%d}"
        if self.kind == "year":
            return f"{self.first.year}"
        return f"{self.first:%Y-%m}"

    @property
    def param(self) -> str:
        return f"{self.first:%Y-%m-%d}"


def period_from(kind: str, on: str, today: dt.date) -> Period:
    """The period asked for (?period=week|month|year&on=YYYY-MM-DD), else the default one."""
    kind = kind if kind in PERIODS else "month"
    day = day_param(on)
    return Period.of(kind, day) if day else Period.default(kind, today)


@dataclass(frozen=True)
class Terms:
    """What a segment is judged by: its area type, its registered handover point, whether in use, and
    the unit it belonged to (whose rules apply and whose figures it counts in)."""

    area_type: str
    handover_point: str
    is_active: bool
    unit_id: int | None = None

    @classmethod
    def of(cls, segment: Segment) -> Terms:
        return cls(segment.area_type, segment.handover_point, segment.is_active, segment.unit_id)

    @property
    def area_type_label(self) -> str:
        return str(dict(AreaType.choices).get(self.area_type, self.area_type))

    @property
    def handover_point_label(self) -> str:
        return str(dict(HandoverPoint.choices).get(self.handover_point, self.handover_point))


JUDGED_FIELDS = ("area_type", "handover_point")


@dataclass
class TermsHistory:
    """A segment's terms through time, from its current terms and its changes since some moment:
    `before` holds, for each of those changes in order, the moment it was made and the terms it
    replaced. A segment without such changes has had its current terms all along."""

    current: Terms
    before: list[tuple[dt.datetime, Terms]] = field(default_factory=list)

    def at(self, moment: dt.datetime) -> Terms:
        """The terms in force at `moment` (a change made at that very moment already applies)."""
        for changed_at, terms in self.before:
            if changed_at > moment:
                return terms
        return self.current

    def spans(self, start: dt.datetime, end: dt.datetime) -> list[Terms]:
        """The terms in force one after the other through [start, end], oldest first."""
        out = [self.at(start)]
        for changed_at, _previous in self.before:
            if start < changed_at <= end:
                out.append(self.at(changed_at))
        return out

    def last_in_use(self, start: dt.datetime, end: dt.datetime, unit_id: int | None = None) -> Terms | None:
        """The terms of the last moment in [start, end] the segment was in use (in unit `unit_id`, when
        given), None if it was not."""
        for terms in reversed(self.spans(start, end)):
            if terms.is_active and (unit_id is None or terms.unit_id == unit_id):
                return terms
        return None

    def units_in_use(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """The units the segment belonged to while in use in [start, end], in the order it last did."""
        units: list[int] = []
        for terms in self.spans(start, end):
            if terms.is_active:
                if terms.unit_id in units:
                    units.remove(terms.unit_id)
                units.append(terms.unit_id)
        return units


def terms_histories(segments: list[Segment], since: dt.datetime) -> dict[int, TermsHistory]:
    """Each segment's TermsHistory from `since` on: one query for the changes made since then, undone
    newest first from the current terms."""
    histories = {s.pk: TermsHistory(Terms.of(s)) for s in segments}
    changes: dict[int, list[SegmentChange]] = {}
    for change in (SegmentChange.objects.filter(segment_id__in=list(histories), changed_at__gte=since)
                   .only("segment_id", "kind", "changes", "changed_at").order_by("segment_id", "changed_at", "pk")):
        changes.setdefault(change.segment_id, []).append(change)
    codes = {_unit_code(c.changes["unit"][0]) for rows in changes.values() for c in rows if "unit" in c.changes}
    unit_ids = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}
    for segment_id, rows in changes.items():
        history, terms = histories[segment_id], histories[segment_id].current
        undone = []
        for change in reversed(rows):
            previous = _undo(change, terms, unit_ids)
            if previous is None:  # created: nothing was there before
                break
            if previous != terms:
                undone.append((change.changed_at, previous))
            terms = previous
        history.before = undone[::-1]
    return histories


def _unit_code(recorded: str | None) -> str:
    """The unit's code in the text a change recorded for it ("CODE name", services.as_recorded)."""
    return (recorded or "").split(" ", 1)[0]


def _undo(change: SegmentChange, terms: Terms, unit_ids: dict[str, int]) -> Terms | None:
    """The terms before `change`, given those after it and the ids of the units changes name by code;
    None for a segment's creation."""
    kind = SegmentChange.Kind
    if change.kind == kind.CREATED:
        return None
    values = {name: change.changes[name][0] for name in JUDGED_FIELDS if name in change.changes}
    active = {kind.DEACTIVATED: True, kind.REACTIVATED: False}.get(change.kind, terms.is_active)
    unit_id = terms.unit_id
    if "unit" in change.changes:  # unit codes never change (org.forms), so the code finds the unit then
        unit_id = unit_ids.get(_unit_code(change.changes["unit"][0]), unit_id)
    return Terms(values.get("area_type", terms.area_type), values.get("handover_point", terms.handover_point),
                 active, unit_id)


def day_end(day: dt.date) -> dt.datetime:
    """The last moment of a local calendar day (the first of the next, exclusive)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) - dt.timedelta(
        microseconds=1)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Figures:
    """Counts behind the three rates, for a segment or summed over units."""

    segments: int = 0
    weeks: int = 0
    weeks_met: int = 0
    depth_ok: int = 0  # segments meeting the depth rule
    point_ok: int = 0  # segments whose own handover point is acceptable
    runs: int = 0
    bad_runs: int = 0  # runs handed over at a point the rule does not accept
    delivered: int = 0
    on_time: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part * 100 / whole if whole else None

    @property
    def frequency_rate(self) -> float | None:
        return self._rate(self.weeks_met, self.weeks)

    @property
    def depth_rate(self) -> float | None:
        return self._rate(self.depth_ok, self.segments)

    @property
    def time_rate(self) -> float | None:
        return self._rate(self.on_time, self.delivered)

    def add(self, other: Figures) -> None:
        for name in ("segments", "weeks", "weeks_met", "depth_ok", "point_ok", "runs", "bad_runs", "delivered",
                     "on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SegmentStanding:
    """A segment's figures for a period — or, when figures are asked of a unit's subtree, its figures
    while it belonged to one unit (`unit`): a segment moved from one unit to another in the period
    has a standing for each, its weeks and runs counted where it was at the time."""

    segment: Segment
    figures: Figures
    missed_weeks: list[dt.date] = field(default_factory=list)  # Mondays of weeks below the rule
    rule_days: int | None = None
    rule_runs: int | None = None
    terms: Terms | None = None  # what the depth figure judged: the terms at the period's end (or last in use)
    weeks_otherwise: bool = False  # some week was judged by an area type, use or unit other than today's
    unit: Unit | None = None  # the unit these figures count in: the segment's then (terms.unit_id)
    piece: int = 0  # of a segment's standings by unit, 0 for the unit it left first, then 1, …
    courier_then: Staff | None = None  # for a standing in a unit the segment has left: who ran it last there

    @property
    def courier(self) -> Staff | None:
        """The courier these figures are of: the segment's own, or — in a unit the segment has left —
        the one who ran its last run there (None when it had no run there)."""
        return self.courier_then if self.moved else self.segment.courier

    @property
    def moved(self) -> bool:
        """These figures count in a unit the segment no longer belongs to."""
        return self.unit is not None and self.unit.pk != self.segment.unit_id

    @property
    def ended_otherwise(self) -> bool:
        """The terms at the period's end (or last in use) are not today's."""
        return self.terms is not None and self.terms != Terms.of(self.segment)

    @property
    def judged_otherwise(self) -> bool:
        """Some figure of the period judged terms other than today's."""
        return self.ended_otherwise or self.weeks_otherwise

    @property
    def frequency_ok(self) -> bool:
        return self.figures.weeks_met == self.figures.weeks

    @property
    def depth_ok(self) -> bool:
        return self.figures.depth_ok == 1

    @property
    def time_ok(self) -> bool:
        return self.figures.on_time == self.figures.delivered

    @property
    def failing(self) -> bool:
        return not (self.frequency_ok and self.depth_ok and self.time_ok)


def segments_in(unit: Unit) -> QuerySet[Segment]:
    subtree = UnitClosure.objects.filter(ancestor=unit).values("descendant_id")
    return Segment.objects.filter(unit_id__in=subtree)


def standings(segments: QuerySet[Segment], period: Period, today: dt.date, *,
              within: set[int] | None = None) -> list[SegmentStanding]:
    """Every segment of `segments` in service by the period's end and in use at some time in it, with
    its figures, each judged by the segment's terms of the time (TermsHistory), the rules of the unit
    it belonged to then included. With `within` (a subtree's unit ids), the figures are those of the
    time each segment belonged to a unit of it, one standing per unit (SegmentStanding.unit).

    Seven queries, whatever the number of segments: the segments, their changes since the period
    began, the week aggregates, the run aggregates, and the rule book's three; one more for the units
    segments moved from, and one for the runs day by day of the segments moved in the period, when
    there are any; and one for who ran a moved segment in a unit it has left, unless that is a listed
    segment's courier already."""
    start = day_start(min(period.first, today))
    end = min(day_end(period.last), timezone.now())
    changed_since = SegmentChange.objects.filter(segment=OuterRef("pk"), changed_at__gte=start)
    candidates = list(segments.filter(Q(is_active=True) | Exists(changed_since), in_service_from__lte=period.last)
                      .select_related("unit", "courier").order_by("unit__sort_order", "unit__code", "code"))
    histories = terms_histories(candidates, start)
    found: list[tuple[Segment, TermsHistory, int | None, Terms, int]] = []  # … its unit then, terms, piece
    units_then: dict[int, set[int]] = {}  # segment found → every unit it belonged to in the period
    for segment in candidates:
        history = histories[segment.pk]
        pieces = [None] if within is None else history.units_in_use(start, end)
        for piece, unit_id in enumerate(pieces):
            terms = history.last_in_use(start, end, unit_id)
            if terms is not None and (within is None or unit_id in within):
                found.append((segment, history, unit_id, terms, piece))
                units_then.setdefault(segment.pk, {t.unit_id for t in history.spans(start, end)})
    weeks = period.weeks(today)
    ids = list(units_then)
    per_week: dict[tuple[int, dt.date], tuple[int, int]] = {}
    if weeks and ids:
        for row in (DeliveryRecord.current.filter(segment_id__in=ids, week_of__in=weeks).order_by()
                    .values("segment_id", "week_of")
                    .annotate(days=Count("delivered_on", distinct=True), runs=Count("pk"))):
            per_week[(row["segment_id"], row["week_of"])] = (row["days"], row["runs"])
    moved = {pk: histories[pk] for pk, then in units_then.items() if len(then) > 1}
    runs = _runs(found, ids, period, today, moved if within is not None else None)
    units = {s.unit_id: s.unit for s, *_rest in found}
    moved_from = set().union(*units_then.values()) - set(units)
    if moved_from:
        units.update(Unit.objects.in_bulk(moved_from))
    book = RuleBook(set(units))
    couriers_then = _couriers_then(found, runs)
    out = []
    for segment, history, unit_id, terms, piece in found:
        f = Figures(segments=1)
        standing = SegmentStanding(segment, f, terms=terms, unit=units.get(terms.unit_id), piece=piece,
                                   courier_then=couriers_then.get((segment.pk, unit_id)))
        first_week = monday(segment.in_service_from)
        for week in weeks:
            if week < first_week:
                continue
            sunday = week + dt.timedelta(days=6)
            week_terms = history.at(day_end(sunday))  # frequency reads the area type, the use and the unit
            if unit_id is not None and week_terms.unit_id != unit_id:
                continue  # the week counts where the segment was at its end
            standing.weeks_otherwise |= ((week_terms.area_type, week_terms.is_active, week_terms.unit_id)
                                         != (history.current.area_type, history.current.is_active,
                                             history.current.unit_id))
            if not week_terms.is_active:
                continue
            rule = book.frequency(week_terms.unit_id, week_terms.area_type, sunday)
            if rule is None:
                continue
            standing.rule_days, standing.rule_runs = rule.days_per_week, rule.runs_per_week
            days, n = per_week.get((segment.pk, week), (0, 0))
            f.weeks += 1
            if days >= rule.days_per_week and n >= rule.runs_per_week:
                f.weeks_met += 1
            else:
                standing.missed_weeks.append(week)
        depth = book.depth(terms.unit_id, terms.area_type, period.last)
        f.point_ok = int(depth is None or depth.accepts(terms.handover_point))
        for row in runs.get((segment.pk, unit_id), []):
            f.runs += row["runs"]
            f.delivered += row["delivered"] or 0
            f.on_time += row["on_time"] or 0
            if depth is not None and not depth.accepts(row["handover_point"]):
                f.bad_runs += row["runs"]
            elif depth is not None and depth.tracked_to_door and row["handover_point"] != HandoverPoint.DOOR:
                f.bad_runs += row["tracked_runs"]
        f.depth_ok = int(f.point_ok == 1 and f.bad_runs == 0)
        out.append(standing)
    if within is not None and moved:  # a moved segment's standings go under their units
        out.sort(key=lambda r: (r.unit.sort_order, r.unit.code, r.segment.code))
    return out


RUN_SUMS = {"runs": Count("pk"), "tracked_runs": Count("pk", filter=Q(tracked__gt=0)),
            "delivered": Sum("delivered"), "on_time": Sum("on_time")}


def _runs(found: list[tuple[Segment, TermsHistory, int | None, Terms, int]], ids: list[int], period: Period,
          today: dt.date, moved: dict[int, TermsHistory] | None) -> dict[tuple[int, int | None], list[dict]]:
    """The period's runs summed per (segment, its standing's unit) and handover point. One query. With
    `moved` (the histories of the segments that belonged to more than one unit in the period; None when
    the figures are not split by unit) a second, day by day, for those, each day's runs counted in the
    unit the segment belonged to that day."""
    if not ids:
        return {}
    unit_of = {s.pk: unit_id for s, _h, unit_id, *_rest in found}  # the only one, for a segment not moved
    moved = moved or {}
    out: dict[tuple[int, int | None], list[dict]] = {}
    records = DeliveryRecord.current.filter(delivered_on__gte=period.first,
                                            delivered_on__lte=min(period.last, today)).order_by()
    for row in (records.filter(segment_id__in=[pk for pk in ids if pk not in moved])
                .values("segment_id", "handover_point").annotate(**RUN_SUMS)):
        out.setdefault((row["segment_id"], unit_of[row["segment_id"]]), []).append(row)
    if moved:
        for row in (records.filter(segment_id__in=[pk for pk in ids if pk in moved])
                    .values("segment_id", "delivered_on", "handover_point", "courier_id").annotate(**RUN_SUMS)):
            unit_id = moved[row["segment_id"]].at(day_end(row["delivered_on"])).unit_id
            out.setdefault((row["segment_id"], unit_id), []).append(row)
    return out


def _couriers_then(found: list[tuple[Segment, TermsHistory, int | None, Terms, int]],
                   runs: dict[tuple[int, int | None], list[dict]]) -> dict[tuple[int, int], Staff]:
    """For each standing of a segment in a unit it has since left, the courier of its last run there,
    as {(segment id, unit id): staff}. The day-by-day runs of moved segments name them (_runs); one
    query for those who are not a current courier already loaded, none when nothing moved."""
    last: dict[tuple[int, int], int] = {}
    for segment, _history, unit_id, _terms, _piece in found:
        if unit_id is None or unit_id == segment.unit_id:
            continue
        dated = [row for row in runs.get((segment.pk, unit_id), []) if row.get("courier_id")]
        if dated:
            last[(segment.pk, unit_id)] = max(dated, key=lambda row: row["delivered_on"])["courier_id"]
    known = {s.courier_id: s.courier for s, *_rest in found if s.courier_id is not None}
    missing = set(last.values()) - set(known)
    if missing:
        known.update(Staff.objects.in_bulk(missing))
    return {key: known[pk] for key, pk in last.items() if pk in known}


def rolled_up(rows: list[SegmentStanding]) -> Figures:
    """The figures of `rows` together, a segment counted once however many units it passed through: its
    weeks and runs summed, its depth judged by the handover point of its last standing (the latest
    unit) with the bad runs of all."""
    total = Figures()
    pieces: dict[int, list[SegmentStanding]] = {}
    for row in rows:
        pieces.setdefault(row.segment.pk, []).append(row)
    for mine in pieces.values():
        if len(mine) == 1:
            total.add(mine[0].figures)
            continue
        f = Figures()
        for row in mine:
            f.add(row.figures)
        f.segments, f.point_ok = 1, max(mine, key=lambda row: row.piece).figures.point_ok
        f.depth_ok = int(f.point_ok == 1 and f.bad_runs == 0)
        total.add(f)
    return total


def compliance_by_child(unit: Unit, period: Period, today: dt.date
                        ) -> tuple[Figures, dict[int, Figures], list[SegmentStanding]]:
    """The figures of `unit` and of each of its children (each with its subtree), and the segments'
    standings they come from: each segment's weeks and runs counted in the unit it belonged to at the
    time (a segment moved in the period has a standing in each). Eight queries (ten with a move)."""
    start = day_start(min(period.first, today))
    child_of = dict(UnitClosure.objects.filter(ancestor__parent=unit).values_list("descendant_id", "ancestor_id"))
    moved = SegmentChange.objects.filter(segment=OuterRef("pk"), changed_at__gte=start, changes__has_key="unit")
    segments = Segment.objects.filter(Q(unit_id__in=UnitClosure.objects.filter(ancestor=unit).values("descendant_id"))
                                      | Exists(moved))
    rows = standings(segments, period, today, within={unit.pk, *child_of})
    by_child: dict[int, list[SegmentStanding]] = {}
    for row in rows:
        if row.unit.pk in child_of:
            by_child.setdefault(child_of[row.unit.pk], []).append(row)
    return rolled_up(rows), {child: rolled_up(mine) for child, mine in by_child.items()}, rows


def segment_list(queryset: QuerySet[Segment], *, area: str = "", q: str = "", active: str = "1",
                 courier: str = "") -> QuerySet[Segment]:
    """A (scoped) segment list narrowed by area type, text (code, name, courier), status."""
    if area in AreaType.values:
        queryset = queryset.filter(area_type=area)
    if active in ("1", "0"):
        queryset = queryset.filter(is_active=active == "1")
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(courier__name__icontains=q)
                                   | Q(courier__employee_no=q))
    if courier:
        queryset = queryset.filter(courier__employee_no=courier)
    return queryset.select_related("unit", "courier", "vehicle").order_by("unit__sort_order", "unit__code", "code")


@dataclass
class WeekAtAGlance:
    """A courier's segment this week: days with a run and runs so far, against the rule."""

    segment: Segment
    days: int
    runs: int
    rule_days: int | None
    rule_runs: int | None
    today_runs: int

    @property
    def met(self) -> bool:
        return self.rule_days is not None and self.days >= self.rule_days and self.runs >= (self.rule_runs or 0)


def week_at_a_glance(segments: list[Segment], today: dt.date) -> list[WeekAtAGlance]:
    """This week's runs of each segment (one aggregate query plus the rule book's three)."""
    week = monday(today)
    counts = {row["segment_id"]: row for row in (
        DeliveryRecord.current.filter(segment__in=segments, week_of=week).order_by().values("segment_id")
        .annotate(days=Count("delivered_on", distinct=True), runs=Count("pk"),
                  today_runs=Count("pk", filter=Q(delivered_on=today))))}
    book = RuleBook({s.unit_id for s in segments})
    out = []
    for s in segments:
        rule = book.frequency(s.unit_id, s.area_type, today)
        row = counts.get(s.pk, {})
        out.append(WeekAtAGlance(s, row.get("days", 0), row.get("runs", 0), rule.days_per_week if rule else None,
                                 rule.runs_per_week if rule else None, row.get("today_runs", 0)))
    return out
