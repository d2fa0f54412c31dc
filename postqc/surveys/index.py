"""The satisfaction index engine: plain functions, the method of docs/surveys.md.

Per response (approved responses only):
- an answered item x on a scale min..max scores (x − min) / (max − min) × 100; 不适用 is left out;
- a dimension's score is the item-weighted mean of its answered items; a response that answered
  no item of a dimension has no score there;
- the overall score is Σ W_d · s_d / Σ W_d over the dimensions the response has a score in
  (W_d the dimension weights; with every dimension answered it is the weighted sum, since the
  weights sum to 1). Dimensions of weight 0 are shown but not in the overall.

Per group (a unit, an outlet, a channel, a profile answer, …): the estimate is the mean of the
responses' scores; n is the number of responses with a score. The 95% interval is analytic and
stratified by the sample-plan stratum (the district / county-level unit):
    var = Σ_h W_h² s_h² / n_h,  W_h = n_h / n  (the plan is self-weighting within the group),
    interval = estimate ± t(0.975, n − H) · √var,
which for a group inside one stratum (a unit, an outlet) is the simple s / √n. A stratum with a
single response in the group borrows the group's pooled variance.

The arithmetic runs in the database: one SQL statement turns the ratings into one row per
response (a conditional aggregate per dimension), the overall, then sums n, Σx and Σx² per group
and stratum; Python only combines those few sums. The statement is the same on SQLite and
PostgreSQL except for the group-key subquery, which the ORM writes for each backend.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, ExtractQuarter
from django.utils.translation import gettext as _

from postqc.core.access import scoped
from postqc.core.numerals import counting_numeral
from postqc.org.models import Outlet, Unit, UnitClosure

from .models import Dimension, Item, Response, Survey

Z95 = 1.959963984540054
MIN_RANKED_N = 30
OVERALL = "overall"
# Two-sided 95% critical values of Student's t for 1–30 degrees of freedom.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
BY_FIELDS = ("city", "unit", "branch", "outlet", "grade", "area_type", "channel", "quarter")


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval. `value` is None when no approved response carries it;
    `low`/`high` are None when n is too small for an interval (n − strata < 1)."""

    value: float | None
    low: float | None = None
    high: float | None = None
    se: float | None = None
    n: int = 0

    @property
    def half_width(self) -> float | None:
        return None if self.high is None or self.value is None else self.high - self.value


EMPTY = Estimate(None)


@dataclass
class Row:
    key: str
    label: str
    n: int
    overall: Estimate
    dims: dict[str, Estimate] = field(default_factory=dict)
    ranked: bool = False
    rank: int | None = None


@dataclass
class IndexTable:
    by: str
    dimensions: list[tuple[str, str, float]]  # (code, name, weight), in questionnaire order
    rows: list[Row]


@dataclass(frozen=True)
class Change:
    """A year-on-year comparison of the overall index (code "overall") or one dimension."""

    code: str
    name: str
    current: Estimate
    previous: Estimate
    diff: Estimate
    significant: bool


@dataclass(frozen=True)
class ImportancePoint:
    """One dimension of the 四分图: derived importance (the OLS coefficient of the overall item on
    the dimension scores; None when it cannot be estimated) against performance (the score)."""

    code: str
    name: str
    importance: float | None
    performance: float | None


# --- Statistics -------------------------------------------------------------------------------


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t (table to 30 df, Cornish–Fisher expansion beyond)."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if df <= len(T975):
        return T975[df - 1]
    z = Z95
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def stratified_estimate(strata: list[tuple[int, float, float]]) -> Estimate:
    """The mean and its stratified 95% interval from per-stratum (n_h, Σx, Σx²)."""
    strata = [(n, s, q) for n, s, q in strata if n]
    n = sum(h[0] for h in strata)
    if n == 0:
        return EMPTY
    total = sum(h[1] for h in strata)
    mean = total / n
    if n - len(strata) < 1:
        return Estimate(mean, n=n)
    pooled = max(sum(h[2] for h in strata) - total * total / n, 0.0) / (n - 1)
    var = 0.0
    for n_h, s_h, q_h in strata:
        s2 = max(q_h - s_h * s_h / n_h, 0.0) / (n_h - 1) if n_h > 1 else pooled
        var += (n_h / n) ** 2 * s2 / n_h
    se = math.sqrt(var)
    half = t975(n - len(strata)) * se
    return Estimate(mean, mean - half, mean + half, se, n)


def difference(a: Estimate, b: Estimate) -> tuple[Estimate, bool]:
    """a − b with the normal 95% interval √(se_a² + se_b²) (independent samples), and whether
    the interval excludes 0."""
    if a.value is None or b.value is None:
        return EMPTY, False
    diff = a.value - b.value
    if a.se is None or b.se is None:
        return Estimate(diff, n=min(a.n, b.n)), False
    se = math.sqrt(a.se ** 2 + b.se ** 2)
    low, high = diff - Z95 * se, diff + Z95 * se
    return Estimate(diff, low, high, se, min(a.n, b.n)), low > 0 or high < 0


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float] | None:
    """Solve a small linear system by Gaussian elimination with partial pivoting; None if singular."""
    size = len(rhs)
    a = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    scale = max((abs(v) for row in matrix for v in row), default=0.0) or 1.0
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) <= 1e-10 * scale:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, size):
            factor = a[r][col] / a[col][col]
            for c in range(col, size + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * size
    for r in range(size - 1, -1, -1):
        x[r] = (a[r][size] - sum(a[r][c] * x[c] for c in range(r + 1, size))) / a[r][r]
    return x


# --- The SQL ----------------------------------------------------------------------------------


def dimensions_of(survey: Survey) -> list[Dimension]:
    return list(Dimension.objects.filter(survey=survey).order_by("position", "pk"))


FLOAT = "CAST(%s AS DOUBLE PRECISION)"  # a constant parameter as a float (PostgreSQL folds it once)


def _item_groups(items: list[Item]) -> dict[tuple[float, float, int], list[int]]:
    """A dimension's items grouped by what scoring needs of them — (weight × 100 / (max − min), weight,
    min) — as {(f, w, m): [item ids]}: usually one group (every item weight 1 on the same scale)."""
    groups: dict[tuple[float, float, int], list[int]] = defaultdict(list)
    for item in items:
        weight = float(item.weight)
        groups[(weight * 100 / (item.scale_max - item.scale_min), weight, item.scale_min)].append(item.pk)
    return groups


def _id_ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Item ids as runs of consecutive ids: [3, 4, 5, 9] → [(3, 5), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(set(ids)):
        if runs and pk == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


def _ids_condition(ids: list[int]) -> tuple[str, list]:
    """`rt.item_id` among `ids`, as ranges of consecutive ids (a dimension's items are usually created
    together): two comparisons per rating instead of a walk through an IN list, which PostgreSQL's
    JIT does not compile (−30 % on the whole recompute)."""
    conditions, params = [], []
    for first, last in _id_ranges(ids):
        if first == last:
            conditions.append("rt.item_id = %s")
            params.append(first)
        else:
            conditions.append("rt.item_id BETWEEN %s AND %s")
            params += [first, last]
    return " OR ".join(conditions), params


def _dimension_score(groups: dict[tuple[float, float, int], list[int]]) -> tuple[str, list]:
    """One dimension's score of a response, 0–100: Σ f·(value − min) ÷ Σ weight over its rated items
    (NULL when none is rated), as (sql, params)."""
    if not groups:
        return "CAST(NULL AS DOUBLE PRECISION)", []
    numerators, denominators, params_n, params_d = [], [], [], []
    for (f, w, m), ids in groups.items():
        condition, ids_params = _ids_condition(ids)
        numerators.append(f"SUM({FLOAT} * (rt.value - %s)) FILTER (WHERE {condition})")
        params_n += [f, m, *ids_params]
        denominators.append(f"SUM({FLOAT}) FILTER (WHERE {condition})")
        params_d += [w, *ids_params]
    if len(groups) > 1:  # an unrated group must not make the whole sum NULL
        numerators = [f"COALESCE({n}, 0)" for n in numerators]
        denominators = [f"COALESCE({d}, 0)" for d in denominators]
    return f"({' + '.join(numerators)}) / NULLIF({' + '.join(denominators)}, 0)", [*params_n, *params_d]


def _per_response_sql(survey: Survey, dims: list[Dimension], keys: QuerySet, *,
                      with_overall_item: bool = False) -> tuple[str, list, str, list]:
    """The CTE `sc` — one row per response in `keys`: its dimension scores d0…, its overall `ov`
    and, optionally, the overall item `y` — as (sql, params), and the FROM clause joining `keys`
    (columns id, k, stratum_id) to it, as (from_sql, from_params).

    Written for the engine's sake (the index is one pass over every rating): the items' scoring
    constants are parameters, grouped per dimension, so no rating is joined to its item and each
    rating meets only FILTERs on its item id; the constants are floats, so the arithmetic stays in
    floating point (a numeric constant would turn it into numeric). The key query appears as a
    derived table rather than a CTE so that PostgreSQL plans it with the response table's
    statistics (a CTE used twice is materialised without any)."""
    key_sql, key_params = keys.query.sql_with_params()
    every_item = list(Item.objects.filter(survey=survey).order_by("position", "pk"))
    items = [item for item in every_item if item.dimension_id is not None]
    cols, params = [], []
    for i, d in enumerate(dims):
        sql, score_params = _dimension_score(_item_groups([item for item in items if item.dimension_id == d.pk]))
        cols.append(f"{sql} AS d{i}")
        params += score_params
    if with_overall_item:
        overall_item = next((item for item in every_item if item.is_overall), None)
        if overall_item is None:
            cols.append("CAST(NULL AS DOUBLE PRECISION) AS y")
        else:
            cols.append(f"MAX({FLOAT} * (rt.value - %s)) FILTER (WHERE rt.item_id = %s) AS y")
            params += [100 / (overall_item.scale_max - overall_item.scale_min), overall_item.scale_min,
                       overall_item.pk]
    weighted = [(i, float(d.weight)) for i, d in enumerate(dims) if d.weight > 0]
    numerator = " + ".join(f"COALESCE({FLOAT} * d{i}, 0)" for i, _w in weighted) or "0"
    denominator = " + ".join(f"CASE WHEN d{i} IS NULL THEN 0 ELSE {FLOAT} END" for i, _w in weighted) or "0"
    overall_params = [w for _i, w in weighted] * 2
    sql = f"""
WITH pr AS (
    SELECT rt.response_id AS rid, {", ".join(cols)}
    FROM surveys_rating rt
    WHERE rt.value IS NOT NULL AND rt.response_id IN (SELECT kr.id FROM ({key_sql}) kr)
    GROUP BY rt.response_id
),
sc AS (
    SELECT pr.*, ({numerator}) / NULLIF({denominator}, 0) AS ov FROM pr
)"""
    return (sql, [*params, *key_params, *overall_params],
            f"({key_sql}) k JOIN sc ON sc.rid = k.id", list(key_params))


def group_sql(survey: Survey, dims: list[Dimension], keys: QuerySet) -> tuple[str, list]:
    """The one statement of a recompute: per group key and stratum, COUNT, SUM and SUM of squares
    of the overall (`ov`) and of each dimension's score (d0…). The benchmark runs it on DuckDB too."""
    head, params, joined, join_params = _per_response_sql(survey, dims, keys)
    measures = ["ov"] + [f"d{i}" for i in range(len(dims))]
    select = ", ".join(f"COUNT({m}), SUM({m}), SUM({m} * {m})" for m in measures)
    return (f"{head}\nSELECT k.k, k.stratum_id, {select} FROM {joined} GROUP BY k.k, k.stratum_id",
            [*params, *join_params])


def _stratum_sums(survey: Survey, dims: list[Dimension], keys: QuerySet) -> dict[str, dict[str, dict[int, tuple]]]:
    """{group key: {"overall" | dimension code: {stratum id: (n_h, Σx, Σx²)}}}."""
    try:
        sql, params = group_sql(survey, dims, keys)
    except EmptyResultSet:  # nothing in scope (e.g. a user without a unit)
        return {}
    codes = [OVERALL] + [d.code for d in dims]
    out: dict[str, dict[str, dict[int, tuple]]] = defaultdict(lambda: defaultdict(dict))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            key, stratum = row[0], row[1]
            for j, code in enumerate(codes):
                n, s, q = row[2 + 3 * j: 5 + 3 * j]
                if n:
                    out[key][code][stratum] = (int(n), float(s), float(q))
    return out


def _group_sums(survey: Survey, dims: list[Dimension], keys: QuerySet) -> dict[str, dict[str, list]]:
    """{group key: {"overall" | dimension code: [(n_h, Σx, Σx²) per stratum]}}."""
    return {key: {code: list(strata.values()) for code, strata in by_code.items()}
            for key, by_code in _stratum_sums(survey, dims, keys).items()}


# --- Group keys -------------------------------------------------------------------------------


def approved(survey: Survey, user=None) -> QuerySet[Response]:
    qs = Response.objects.filter(survey=survey, status=Response.Status.APPROVED)
    return scoped(qs, user) if user is not None else qs


def _key_queryset(survey: Survey, by: str, base: QuerySet[Response]) -> QuerySet:
    """A query of (id, k, stratum_id): each approved response's group key, as text."""
    text = CharField()
    expressions = {
        "city": Value("city", output_field=text),
        "unit": Cast(F("stratum_id"), text),
        "branch": Cast(F("outlet__unit_id"), text),
        "outlet": Cast(F("outlet_id"), text),
        "grade": F("outlet__grade"),
        "area_type": F("outlet__area_type"),
        "channel": F("channel"),
        "quarter": Cast(ExtractQuarter("submitted_at"), text),
    }
    base = base.order_by()
    if by in expressions:
        return base.annotate(k=expressions[by]).values("id", "k", "stratum_id")
    question = survey.profile_questions.filter(code=by).first()
    if question is None:
        raise ValueError(f"unknown grouping: {by}")
    if not question.multiple:
        return base.annotate(k=KeyTextTransform(by, "profile")).filter(k__isnull=False).values("id", "k", "stratum_id")
    # A multiple-choice answer counts in the group of every choice it names. JSON lists are stored
    # as text on every backend, so the quoted choice code finds the element.
    listed = base.annotate(t=Cast(KeyTextTransform(by, "profile"), text))
    parts = [listed.filter(t__contains=f'"{code}"').annotate(k=Value(str(code), output_field=text))
             .values("id", "k", "stratum_id") for code, _label in question.choices]
    if not parts:
        return base.none().annotate(k=Value("", output_field=text)).values("id", "k", "stratum_id")
    return parts[0].union(*parts[1:], all=True)


def _labels(survey: Survey, by: str, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if by in ("unit", "branch"):
        return {str(pk): name for pk, name in Unit.objects.filter(pk__in=ids).values_list("pk", "name")}
    if by == "outlet":
        return {str(pk): name for pk, name in Outlet.objects.filter(pk__in=ids).values_list("pk", "name")}
    if by == "city":
        return {"city": survey.unit.name}
    if by == "quarter":
        return {k: _("第%(q)s季度") % {"q": counting_numeral(int(k))} for k in keys if k in ("1", "2", "3", "4")}
    choices = {"grade": Outlet.Grade.choices, "area_type": Outlet.AreaType.choices,
               "channel": Response.Channel.choices}.get(by)
    if choices is None:
        question = survey.profile_questions.filter(code=by).first()
        choices = [(str(c), label) for c, label in question.choices] if question else []
    return {str(value): str(label) for value, label in choices}


def _order(survey: Survey, by: str, keys: list[str]) -> list[str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if by in ("unit", "branch"):
        ordered = [str(pk) for pk in Unit.objects.filter(pk__in=ids).order_by("depth", "sort_order", "code")
                   .values_list("pk", flat=True)]
    elif by == "outlet":
        ordered = [str(pk) for pk in Outlet.objects.filter(pk__in=ids).order_by("code").values_list("pk", flat=True)]
    else:
        known = list(_labels(survey, by, keys))
        ordered = [k for k in known if k in keys] + sorted(k for k in keys if k not in known)
    return ordered


# --- The API the pages call -------------------------------------------------------------------


def _build(survey: Survey, by: str, dims: list[Dimension], sums: dict[str, dict[str, list]]) -> IndexTable:
    keys = _order(survey, by, list(sums))
    labels = _labels(survey, by, keys)
    rows = []
    for key in keys:
        overall = stratified_estimate(sums[key].get(OVERALL, []))
        rows.append(Row(
            key=key, label=labels.get(key, key), n=overall.n, overall=overall,
            dims={d.code: stratified_estimate(sums[key].get(d.code, [])) for d in dims},
            ranked=overall.n >= MIN_RANKED_N,
        ))
    ranked = sorted((r for r in rows if r.ranked), key=lambda r: -r.overall.value)
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return IndexTable(by=by, dimensions=[(d.code, d.name, float(d.weight)) for d in dims], rows=rows)


def _table(survey: Survey, by: str, base: QuerySet[Response]) -> IndexTable:
    dims = dimensions_of(survey)
    return _build(survey, by, dims, _group_sums(survey, dims, _key_queryset(survey, by, base)))


def compute(survey: Survey, *, by: str = "unit", user=None) -> IndexTable:
    """The index of `survey` by `by`: "city", "unit" (the sample-plan stratum), "branch" (the
    outlet's own unit), "outlet", "grade", "area_type", "channel", "quarter" or a profile
    question's code. With `user`, only responses in the user's subtree count. Rows with n < 30
    are not ranked (ranked=False, rank=None); ranks go by the overall score, highest first."""
    return _table(survey, by, approved(survey, user))


def city(survey: Survey, *, user=None) -> Row:
    """The whole survey's figures (with `user`: their subtree's), as one row."""
    table = compute(survey, by="city", user=user)
    if table.rows:
        return table.rows[0]
    return Row("city", survey.unit.name, 0, EMPTY, {code: EMPTY for code, _n, _w in table.dimensions})


def overview_keys(survey: Survey, *, user=None) -> QuerySet:
    return _key_queryset(survey, "unit", approved(survey, user))


def overview(survey: Survey, *, user=None) -> tuple[Row, IndexTable]:
    """The full recompute behind the survey's report: the city's figures (overall and every
    dimension) and the table by unit, from a single pass over the ratings. The city's figures
    are the same as city()'s: its strata are the units."""
    dims = dimensions_of(survey)
    sums = _group_sums(survey, dims, overview_keys(survey, user=user))
    table = _build(survey, "unit", dims, sums)
    merged = {code: [h for key in sums for h in sums[key].get(code, [])] for code in [OVERALL, *(d.code for d in dims)]}
    overall = stratified_estimate(merged[OVERALL])
    whole = Row("city", survey.unit.name, overall.n, overall,
                {d.code: stratified_estimate(merged[d.code]) for d in dims})
    return whole, table


def for_unit(survey: Survey, unit: Unit) -> Row:
    """The figures of the responses from outlets in `unit`'s subtree."""
    base = approved(survey).filter(
        outlet__unit__in=UnitClosure.objects.filter(ancestor_id=unit.pk).values("descendant_id"))
    table = _table(survey, "city", base)
    row = table.rows[0] if table.rows else Row("city", "", 0, EMPTY, {c: EMPTY for c, _n, _w in table.dimensions})
    row.key, row.label = str(unit.pk), unit.name
    return row


def year_on_year(current: Survey, previous: Survey, *, user=None) -> list[Change]:
    """The overall index and each dimension (matched by code) of `current` against `previous`:
    the difference with its 95% interval √(se₁² + se₂²), significant when it excludes 0."""
    now, before = city(current, user=user), city(previous, user=user)
    changes = []
    diff, significant = difference(now.overall, before.overall)
    changes.append(Change(OVERALL, _("满意度指数"), now.overall, before.overall, diff, significant))
    for d in dimensions_of(current):
        if d.code in before.dims:
            diff, significant = difference(now.dims[d.code], before.dims[d.code])
            changes.append(Change(d.code, d.name, now.dims[d.code], before.dims[d.code], diff, significant))
    return changes


def target_gap(survey: Survey, *, user=None) -> tuple[float | None, float | None]:
    """(estimate − target, probability the target is met = Φ((estimate − target) / se)), or
    (None, None) without a target or data."""
    if survey.target_index is None:
        return None, None
    overall = city(survey, user=user).overall
    if overall.value is None:
        return None, None
    gap = overall.value - float(survey.target_index)
    if not overall.se:
        return gap, 1.0 if gap >= 0 else 0.0
    return gap, normal_cdf(gap / overall.se)


def _fit_importance(survey: Survey, dims: list[Dimension], used: list[int], user) -> list[float] | None:
    """OLS coefficients (intercept first) of the overall item on the used dimensions, or None."""
    keys = _key_queryset(survey, "city", approved(survey, user))
    try:
        head, params, joined, join_params = _per_response_sql(survey, dims, keys, with_overall_item=True)
    except EmptyResultSet:  # nothing in scope
        return None
    variables = ["1"] + [f"COALESCE(sc.d{i}, sc.ov)" for i in used] + ["sc.y"]
    pairs = [(a, b) for ia, a in enumerate(variables) for b in variables[ia:]]
    sql = (f"{head}\nSELECT {', '.join(f'SUM({a} * {b})' for a, b in pairs)} FROM {joined} "
           f"WHERE sc.ov IS NOT NULL AND sc.y IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *join_params])
        sums = dict(zip(pairs, (float(v or 0) for v in cursor.fetchone()), strict=True))
    size = len(variables) - 1
    if sums[("1", "1")] <= size:  # no more responses than coefficients
        return None

    def cross(a: str, b: str) -> float:
        return sums.get((a, b), sums.get((b, a)))

    xtx = [[cross(variables[r], variables[c]) for c in range(size)] for r in range(size)]
    xty = [cross(variables[r], "sc.y") for r in range(size)]
    return solve(xtx, xty)


def importance_performance(survey: Survey, *, user=None) -> list[ImportancePoint]:
    """Derived importance: regress the overall-satisfaction item (0–100) on the dimension scores
    (OLS with an intercept; the normal equations' sums come from the database, Python solves
    them). A dimension a respondent did not answer (不适用) is taken at the respondent's own
    overall score, so the many who never claimed compensation or complained still count.
    Performance is the dimension's score. Importance is None when the fit is not possible."""
    dims = dimensions_of(survey)
    perf = city(survey, user=user)
    used = [i for i, d in enumerate(dims) if d.weight > 0]
    coefficients = _fit_importance(survey, dims, used, user) if used else None
    importance = {dims[i].code: coefficients[j + 1] for j, i in enumerate(used)} if coefficients else {}
    return [ImportancePoint(d.code, d.name, importance.get(d.code), perf.dims[d.code].value) for d in dims]


@dataclass(frozen=True)
class WeakDimension:
    dimension: Dimension
    unit_score: Estimate
    city_score: Estimate
    diff: Estimate
    significant: bool
    below_target: bool


def by_children(survey: Survey, unit: Unit) -> tuple[Row, dict[int, Row]]:
    """The figures of `unit`'s subtree and of each of its children (each with its own subtree), from
    one pass over the ratings: each response is keyed by the child of `unit` above its outlet (the
    unit itself for an outlet attached to it directly), and the subtree's figures merge every key's
    per-stratum sums, as overview() does. Children without responses are absent."""
    subtree = UnitClosure.objects.filter(ancestor_id=unit.pk).values("descendant_id")
    child = UnitClosure.objects.filter(descendant_id=OuterRef("outlet__unit_id"),
                                       ancestor__parent_id=unit.pk).values("ancestor_id")[:1]
    keys = (approved(survey).filter(outlet__unit__in=subtree).order_by()
            .annotate(k=Cast(Coalesce(Subquery(child), Value(unit.pk)), CharField()))
            .values("id", "k", "stratum_id"))
    dims = dimensions_of(survey)
    codes = [OVERALL, *(d.code for d in dims)]
    sums = _stratum_sums(survey, dims, keys)
    merged: dict[str, dict[int, tuple]] = {code: {} for code in codes}  # children share strata: add them up
    for by_code in sums.values():
        for code, strata in by_code.items():
            for stratum, (n, s, q) in strata.items():
                n0, s0, q0 = merged[code].get(stratum, (0, 0.0, 0.0))
                merged[code][stratum] = (n0 + n, s0 + s, q0 + q)

    def row(key: str, label: str, by_code: dict[str, dict[int, tuple]]) -> Row:
        estimates = {code: stratified_estimate(list(by_code.get(code, {}).values())) for code in codes}
        overall = estimates.pop(OVERALL)
        return Row(key, label, overall.n, overall, estimates, ranked=overall.n >= MIN_RANKED_N)

    whole = row(str(unit.pk), unit.name, merged)
    return whole, {int(key): row(key, "", by_code) for key, by_code in sums.items() if key != str(unit.pk)}


def by_outlet(survey: Survey, outlet_ids: list[int]) -> dict[int, Row]:
    """Each outlet's own figures in `survey` (its approved responses), by outlet id; an outlet with no
    response is absent. Ranked (judged) only from MIN_RANKED_N responses, like a unit."""
    table = _table(survey, "outlet", approved(survey).filter(outlet_id__in=outlet_ids))
    return {int(row.key): row for row in table.rows}


def latest_survey_of_outlets(outlet_ids: list[int]) -> Survey | None:
    """The latest survey with approved responses from any of the outlets."""
    has_data = Response.objects.filter(survey=OuterRef("pk"), status=Response.Status.APPROVED,
                                       outlet_id__in=outlet_ids)
    return Survey.objects.filter(Exists(has_data)).order_by("-year", "-pk").first()


def latest_survey_for(unit: Unit) -> Survey | None:
    """The latest survey with approved responses from `unit`'s subtree."""
    subtree = UnitClosure.objects.filter(ancestor_id=unit.pk).values("descendant_id")
    has_data = Response.objects.filter(survey=OuterRef("pk"), status=Response.Status.APPROVED,
                                       outlet__unit__in=subtree)
    return Survey.objects.filter(Exists(has_data)).order_by("-year", "-pk").first()


def weak_dimensions(unit: Unit, survey: Survey | None = None) -> list[WeakDimension]:
    """Dimensions where `unit` is significantly below the city (the difference's 95% interval,
    taken as if the samples were independent, lies below 0 — conservative, since the unit is part
    of the city) or below the survey's target. Weakest (most negative difference) first."""
    survey = survey or latest_survey_for(unit)
    if survey is None:
        return []
    mine, whole = for_unit(survey, unit), city(survey)
    target = float(survey.target_index) if survey.target_index is not None else None
    weak = []
    for d in dimensions_of(survey):
        own, ref = mine.dims.get(d.code, EMPTY), whole.dims.get(d.code, EMPTY)
        if own.value is None:
            continue
        diff, significant = difference(own, ref)
        significant = significant and diff.value < 0
        below = target is not None and own.value < target
        if significant or below:
            weak.append(WeakDimension(d, own, ref, diff, significant, below))
    weak.sort(key=lambda w: w.diff.value if w.diff.value is not None else 0.0)
    return weak
