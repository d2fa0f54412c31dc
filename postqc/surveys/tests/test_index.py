"""The index engine on data small enough to work out by hand, against a plain-Python reference
on random data (the same test on PostgreSQL in CI proves both backends agree), and the
interval's coverage in simulation."""
from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from django.contrib.auth.models import AnonymousUser

from postqc.org.models import Outlet
from postqc.org.services import outlet_create
from postqc.surveys import index
from postqc.surveys.index import Estimate
from postqc.surveys.models import Response

from .survey_factories import at, put, tiny_survey

T2, T1 = 4.303, 12.706  # Student's t, 0.975, for 2 and 1 degrees of freedom


@pytest.fixture
def hand(org):
    """Four approved responses (two per stratum) and two that must not count.

    Items rescale to (x − 1) × 25. A = (1·A1 + 2·A2) / 3, B = B1, overall = (0.6·A + 0.4·B) / (weights present):
      R1 船营  A1=5 A2=4 B1=3  → A = (100 + 2·75)/3 = 83.333…  B = 50   overall = 50 + 20 = 70
      R2 船营  A1=3 A2=3 B1=NA → A = (50 + 2·50)/3 = 50        B = —    overall = 0.6·50 / 0.6 = 50
      R3 蛟河  A1=4 A2=2 B1=5  → A = (75 + 2·25)/3 = 41.667    B = 100  overall = 25 + 40 = 65
      R4 蛟河  A1=1 A2=5 B1=2  → A = (0 + 2·100)/3 = 66.667    B = 25   overall = 40 + 10 = 50
    """
    survey = tiny_survey(org.jls, target="55")
    put(survey, org.o_cy, {"OV": 5, "A1": 5, "A2": 4, "B1": 3}, profile={"sex": "m", "services": ["letters"]})
    put(survey, org.o_cy, {"OV": 3, "A1": 3, "A2": 3, "B1": None},
        profile={"sex": "f", "services": ["letters", "parcels"]})
    put(survey, org.o_jh, {"OV": 4, "A1": 4, "A2": 2, "B1": 5}, profile={"sex": "m", "services": ["parcels"]})
    put(survey, org.o_jh, {"OV": 2, "A1": 1, "A2": 5, "B1": 2}, profile={"sex": "f", "services": []})
    put(survey, org.o_cy, {"OV": 1, "A1": 1, "A2": 1, "B1": 1}, status=Response.Status.PENDING)
    put(survey, org.o_jh, {"OV": 1, "A1": 1, "A2": 1, "B1": 1}, status=Response.Status.REJECTED)
    return survey


def close(estimate: Estimate, value, low, high, n, places=6):
    assert estimate.n == n
    assert estimate.value == pytest.approx(value, abs=10 ** -places)
    if low is None:
        assert estimate.low is None and estimate.high is None
    else:
        assert estimate.low == pytest.approx(low, abs=10 ** -places)
        assert estimate.high == pytest.approx(high, abs=10 ** -places)


def test_the_city_index_by_hand_overall_dimensions_n_and_stratified_intervals(hand):
    row = index.city(hand)
    # overall: (70 + 50 + 65 + 50) / 4 = 58.75. Strata 船营 {70, 50}: s² = (10² + 10²)/1 = 200;
    # 蛟河 {65, 50}: s² = (7.5² + 7.5²)/1 = 112.5. var = (2/4)²·200/2 + (2/4)²·112.5/2 = 25 + 14.0625
    # = 39.0625, se = 6.25; df = 4 − 2 strata = 2, t = 4.303: 58.75 ± 26.89375.
    close(row.overall, 58.75, 58.75 - T2 * 6.25, 58.75 + T2 * 6.25, 4)
    assert row.overall.se == pytest.approx(6.25)
    assert (row.overall.low, row.overall.high) == pytest.approx((31.85625, 85.64375))
    # A: (250/3 + 50 + 125/3 + 200/3) / 4 = 725/12 = 60.41667. 船营 {83.33, 50}: s² = 2·(50/3)² = 5000/9;
    # 蛟河 {41.67, 66.67}: s² = 2·12.5² = 312.5. var = ¼·(5000/9)/2 + ¼·312.5/2 = 108.50694 = (125/12)².
    close(row.dims["A"], 725 / 12, 725 / 12 - T2 * 125 / 12, 725 / 12 + T2 * 125 / 12, 4)
    # B: R2 answered 不适用, so n = 3: (50 + 100 + 25)/3 = 58.333. 船营 has one response and borrows the
    # pooled s² = ((50 − 58.33)² + (100 − 58.33)² + (25 − 58.33)²)/2 = 1458.333; 蛟河 {100, 25}: s² = 2812.5.
    # var = (1/3)²·1458.333/1 + (2/3)²·2812.5/2 = 162.037 + 625 = 787.037, se = 28.0542; df = 3 − 2 = 1.
    se_b = math.sqrt(1458.3333333333 / 9 + 625)
    close(row.dims["B"], 175 / 3, 175 / 3 - T1 * se_b, 175 / 3 + T1 * se_b, 3, places=5)
    assert row.n == 4 and row.label == "吉林市分公司"


def test_units_are_their_own_stratum_with_the_simple_interval_and_small_units_are_not_ranked(hand, org):
    table = index.compute(hand, by="unit")
    assert [r.label for r in table.rows] == ["船营区分公司", "蛟河市分公司"]
    cy, jh = table.rows
    # 船营: {70, 50}, mean 60, s² = 200, se = √(200/2) = 10, df 1: 60 ± 12.706·10.
    close(cy.overall, 60, 60 - T1 * 10, 60 + T1 * 10, 2)
    # 蛟河: {65, 50}, mean 57.5, s² = 112.5, se = √(112.5/2) = 7.5: 57.5 ± 12.706·7.5.
    close(jh.overall, 57.5, 57.5 - T1 * 7.5, 57.5 + T1 * 7.5, 2)
    # 船营's B: R1 only (R2 不适用): a value, no interval.
    close(cy.dims["B"], 50, None, None, 1)
    assert not cy.ranked and cy.rank is None and not jh.ranked
    assert table.dimensions == [("A", "维度甲", 0.6), ("B", "维度乙", 0.4)]
    assert cy.key == str(org.cy.pk)


def test_groups_by_outlet_channel_and_profile_including_a_multiple_choice(hand, org):
    by_outlet = {r.label: r.overall.value for r in index.compute(hand, by="outlet").rows}
    assert by_outlet == {"北京路营业所": pytest.approx(60), "黄松甸营业所": pytest.approx(57.5)}
    assert [(r.key, r.n) for r in index.compute(hand, by="channel").rows] == [("paper", 4)]
    sex = {r.label: r for r in index.compute(hand, by="sex").rows}
    # 男: R1 70 and R3 65, one per stratum: df = 2 − 2 = 0, so no interval. 女: R2 50, R4 50.
    close(sex["男"].overall, 67.5, None, None, 2)
    close(sex["女"].overall, 50, None, None, 2)
    services = {r.key: r for r in index.compute(hand, by="services").rows}
    # 信件: R1 70, R2 50 (both 船营); 包裹: R2 50 (船营), R3 65 (蛟河). R4 named none.
    assert services["letters"].overall.value == pytest.approx(60) and services["letters"].n == 2
    assert services["parcels"].overall.value == pytest.approx(57.5) and services["parcels"].n == 2
    assert services["letters"].label == "信件"
    quarter = index.compute(hand, by="quarter").rows
    assert [(r.key, r.label, r.n) for r in quarter] == [("4", "第四季度", 4)]


def test_the_overview_gives_the_city_and_the_unit_table_in_one_pass(hand):
    whole, table = index.overview(hand)
    city = index.city(hand)
    assert whole.overall == city.overall and whole.dims == city.dims
    assert [r.overall for r in table.rows] == [r.overall for r in index.compute(hand, by="unit").rows]


def test_target_gap_and_the_probability_the_target_is_met(hand):
    gap, probability = index.target_gap(hand)
    # 58.75 − 55 = 3.75; Φ(3.75 / 6.25) = Φ(0.6) = 0.725747.
    assert gap == pytest.approx(3.75)
    assert probability == pytest.approx(0.7257469, abs=1e-6)


def test_a_difference_is_significant_when_its_interval_excludes_zero():
    # 86.2 − 84.0 = 2.2, se = √(0.25² + 0.25²) = 0.353553: 2.2 ± 1.959964·0.353553 = 2.2 ± 0.692952 = [1.507048, 2.892952].
    diff, significant = index.difference(Estimate(86.2, se=0.25, n=2000), Estimate(84.0, se=0.25, n=2000))
    assert (diff.value, diff.low, diff.high) == pytest.approx((2.2, 1.507048, 2.892952), abs=1e-6)
    assert significant
    diff, significant = index.difference(Estimate(86.2, se=0.6, n=200), Estimate(85.5, se=0.6, n=200))
    assert diff.low < 0 < diff.high and not significant


def test_year_on_year_compares_the_overall_and_each_dimension_by_code(hand, org):
    before = tiny_survey(org.jls, code="T0", year=2018)
    # Every item the same per response: overall = A = B = 50, 100 (船营), 75, 25 (蛟河): mean 62.5.
    for outlet, value in ((org.o_cy, 3), (org.o_cy, 5), (org.o_jh, 4), (org.o_jh, 2)):
        put(before, outlet, {"OV": value, "A1": value, "A2": value, "B1": value})
    changes = {c.code: c for c in index.year_on_year(hand, before)}
    overall = changes["overall"]
    # var 2018 = ¼·1250/2 + ¼·1250/2 = 312.5; se of the difference = √(6.25² + 312.5) = 18.75.
    assert overall.previous.value == pytest.approx(62.5)
    assert overall.diff.value == pytest.approx(-3.75)
    assert overall.diff.se == pytest.approx(18.75)
    assert (overall.diff.low, overall.diff.high) == pytest.approx((-3.75 - 1.959964 * 18.75, -3.75 + 1.959964 * 18.75),
                                                                  abs=1e-4)
    assert not overall.significant
    assert set(changes) == {"overall", "A", "B"}


def test_derived_importance_is_the_least_squares_fit_of_the_overall_item(hand):
    points = {p.code: p for p in index.importance_performance(hand)}
    # y = OV rescaled: 100, 50, 75, 25. x_A = 250/3, 50, 125/3, 200/3; x_B = 50, (不适用 → the response's
    # own overall 50), 100, 25. Solve the centred 2×2 normal equations by Cramer's rule, in exact fractions.
    y = [Fraction(100), Fraction(50), Fraction(75), Fraction(25)]
    xa = [Fraction(250, 3), Fraction(50), Fraction(125, 3), Fraction(200, 3)]
    xb = [Fraction(50), Fraction(50), Fraction(100), Fraction(25)]

    def centred(u, v):
        mu, mv = sum(u) / 4, sum(v) / 4
        return sum((a - mu) * (b - mv) for a, b in zip(u, v, strict=True))

    saa, sbb, sab = centred(xa, xa), centred(xb, xb), centred(xa, xb)
    say, sby = centred(xa, y), centred(xb, y)
    det = saa * sbb - sab * sab
    assert points["A"].importance == pytest.approx(float((say * sbb - sab * sby) / det), abs=1e-9)
    assert points["B"].importance == pytest.approx(float((saa * sby - sab * say) / det), abs=1e-9)
    assert points["A"].performance == pytest.approx(725 / 12)


def test_importance_is_none_when_the_regression_cannot_be_fitted(org):
    survey = tiny_survey(org.jls)
    put(survey, org.o_cy, {"OV": 4, "A1": 4, "A2": 4, "B1": 4})
    assert {p.importance for p in index.importance_performance(survey)} == {None}


def test_a_county_manager_sees_only_their_county_in_every_table(hand, org):
    rows = index.compute(hand, by="unit", user=org.charlie).rows
    assert [r.label for r in rows] == ["蛟河市分公司"]
    assert index.city(hand, user=org.charlie).overall.value == pytest.approx(57.5)
    assert [r.label for r in index.compute(hand, by="outlet", user=org.alice).rows] == ["北京路营业所"]
    assert index.compute(hand, by="unit", user=org.dora).rows[0].n == 2  # the city sees every unit


def test_weak_dimensions_are_those_significantly_below_the_city_or_below_target(org):
    survey = tiny_survey(org.jls, target="60")
    # 船营: A high, B low; 蛟河: the reverse. Forty responses each with a little spread.
    rng = random.Random(5)
    for _n in range(40):
        put(survey, org.o_cy, {"OV": 4, "A1": 5, "A2": rng.choice([4, 5]), "B1": rng.choice([1, 2])})
        put(survey, org.o_jh, {"OV": 4, "A1": rng.choice([2, 3]), "A2": 3, "B1": rng.choice([4, 5])})
    weak = index.weak_dimensions(org.cy)
    assert [(w.dimension.code, w.significant, w.below_target) for w in weak] == [("B", True, True)]
    assert weak[0].diff.value == pytest.approx(weak[0].unit_score.value - weak[0].city_score.value)
    assert [w.dimension.code for w in index.weak_dimensions(org.jh, survey)] == ["A"]


def test_the_interval_formula_covers_the_true_mean_about_95_percent_of_the_time():
    """400 stratified samples (60 + 40, self-weighting) from two known populations of scores."""
    rng = random.Random(2018)
    populations = {
        "district": ([0, 25, 50, 75, 100], [2, 5, 15, 45, 33]),
        "county": ([0, 25, 50, 75, 100], [5, 10, 25, 40, 20]),
    }
    sizes = {"district": 60, "county": 40}

    def mean(values, weights):
        return sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights)

    truth = sum(sizes[h] * mean(*populations[h]) for h in sizes) / sum(sizes.values())
    covered = 0
    for _n in range(400):
        strata = []
        for h, n in sizes.items():
            sample = rng.choices(*populations[h], k=n)
            strata.append((n, float(sum(sample)), float(sum(x * x for x in sample))))
        estimate = index.stratified_estimate(strata)
        covered += estimate.low <= truth <= estimate.high
    assert 0.92 <= covered / 400 <= 0.98


# --- The engine against a plain-Python reference ---------------------------------------------------


def reference(responses, weights, item_weights, by):
    """The method of docs/surveys.md written out in Python over the raw answers."""
    groups: dict[str, list[tuple[int, float, dict]]] = {}
    for key_values, stratum, values in responses:
        dims = {}
        for dim in weights:
            answered = [(item_weights[c], (v - 1) * 25.0) for c, v in values.items()
                        if c.startswith(dim) and v is not None]
            if answered:
                dims[dim] = sum(w * x for w, x in answered) / sum(w for w, _x in answered)
        present = [d for d in dims if weights[d] > 0]
        overall = sum(weights[d] * dims[d] for d in present) / sum(weights[d] for d in present)
        for key in key_values(by):
            groups.setdefault(key, []).append((stratum, overall, dims))

    def estimate(pairs):
        n = len(pairs)
        mean = sum(x for _h, x in pairs) / n
        strata: dict[int, list[float]] = {}
        for h, x in pairs:
            strata.setdefault(h, []).append(x)
        if n - len(strata) < 1:
            return mean, None, None
        pooled = sum((x - mean) ** 2 for _h, x in pairs) / (n - 1)
        var = 0.0
        for xs in strata.values():
            m = sum(xs) / len(xs)
            s2 = sum((x - m) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else pooled
            var += (len(xs) / n) ** 2 * s2 / len(xs)
        half = index.t975(n - len(strata)) * math.sqrt(var)
        return mean, mean - half, mean + half

    out = {}
    for key, rows in groups.items():
        out[key] = {"overall": estimate([(h, o) for h, o, _d in rows])}
        for dim in weights:
            pairs = [(h, d[dim]) for h, _o, d in rows if dim in d]
            out[key][dim] = estimate(pairs) if pairs else (None, None, None)
    return out


@pytest.mark.parametrize("by", ["city", "unit", "outlet", "grade", "sex", "services"])
def test_the_engine_agrees_with_the_reference_on_random_data(org, by):
    third = outlet_create(code="O-CY-2", name="河南街邮政所", unit=org.cy_bjl, grade="2", address="河南街",
                          area_type=Outlet.AreaType.CITY, open_days_per_week=7, services=["letters"])
    survey = tiny_survey(org.jls)
    rng = random.Random(42)
    outlets = [org.o_cy, org.o_jh, third]
    responses = []
    for i in range(90):
        outlet = outlets[i % 3]
        values = {"OV": rng.randint(1, 5), "A1": rng.randint(1, 5), "A2": rng.randint(1, 5),
                  "B1": None if rng.random() < 0.3 else rng.randint(1, 5)}
        profile = {"sex": rng.choice(["m", "f"]), "services": [s for s in ("letters", "parcels") if rng.random() < 0.5]}
        status = rng.choice([Response.Status.APPROVED] * 8 + [Response.Status.PENDING, Response.Status.REJECTED])
        response = put(survey, outlet, values, profile=profile, status=status, when=at(i % 5))
        if status != Response.Status.APPROVED:
            continue

        def keys(by, outlet=outlet, profile=profile, response=response):
            return {"city": ["city"], "unit": [str(response.stratum_id)], "outlet": [str(outlet.pk)],
                    "grade": [outlet.grade], "sex": [profile["sex"]], "services": profile["services"]}[by]

        responses.append((keys, response.stratum_id, {k: v for k, v in values.items() if k != "OV"}))
    expected = reference(responses, {"A": 0.6, "B": 0.4}, {"A1": 1, "A2": 2, "B1": 1}, by)
    table = index.compute(survey, by=by)
    assert {r.key for r in table.rows} == set(expected)
    for row in table.rows:
        for code, estimate in [("overall", row.overall), *row.dims.items()]:
            value, low, high = expected[row.key][code]
            assert estimate.value == pytest.approx(value, abs=1e-9), (row.key, code)
            if low is None:
                assert estimate.low is None
            else:
                assert (estimate.low, estimate.high) == pytest.approx((low, high), abs=1e-9), (row.key, code)


def test_a_user_without_a_unit_sees_empty_tables(hand):
    nobody = AnonymousUser()
    assert index.compute(hand, by="unit", user=nobody).rows == []
    assert index.city(hand, user=nobody).overall.value is None
    assert {p.importance for p in index.importance_performance(hand, user=nobody)} == {None}


def test_item_id_runs_for_the_filters():
    assert index._id_ranges([9, 3, 5, 4, 11, 12]) == [(3, 5), (9, 9), (11, 12)]
    assert index._id_ranges([7]) == [(7, 7)]


def test_a_dimension_whose_items_are_not_consecutive_rows(org):
    """An item added to dimension A after B1 (ids A1 A2 B1 A3): A's filter is two runs of ids, and
    B1 between them must not count in A. A = (100 + 2·0 + 50) / 4 = 37.5, B = 100,
    overall = 0.6·37.5 + 0.4·100 = 62.5."""
    from postqc.surveys.models import Dimension, Item

    survey = tiny_survey(org.jls)
    a = Dimension.objects.get(survey=survey, code="A")
    a1 = Item.objects.get(survey=survey, code="A1")
    Item.objects.create(survey=survey, part=a1.part, dimension=a, code="A3", text="甲三", allow_na=False, position=4)
    put(survey, org.o_cy, {"OV": 4, "A1": 5, "A2": 1, "B1": 5, "A3": 3})
    whole = index.city(survey)
    assert whole.dims["A"].value == pytest.approx(37.5)
    assert whole.dims["B"].value == pytest.approx(100.0)
    assert whole.overall.value == pytest.approx(62.5)
