"""Quality-control flags: speeders, straight-lining, bursts from one device, off-hours; and the
`survey_qc` command that re-runs them."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from postqc.org.services import outlet_update
from postqc.surveys import qc, services
from postqc.surveys.models import Response

from .survey_factories import answers, at, put, submit, tiny_survey
from .survey_factories import survey as survey  # noqa: F401  (the fixture)


@pytest.fixture
def hours(org):
    outlet_update(outlet=org.o_cy, opens_at=dt.time(8, 30), closes_at=dt.time(17, 0))
    org.o_cy.refresh_from_db()
    return org.o_cy


def timed(survey, outlet, seconds: int, when: dt.datetime, **kwargs):
    return submit(survey, outlet, started_at=when - dt.timedelta(seconds=seconds), submitted_at=when, **kwargs)[0]


def test_a_speeder_is_flagged_only_once_twenty_durations_give_a_median(survey, org):
    early = timed(survey, org.o_cy, 20, at(0, 9))
    assert early.flags == []  # no median yet
    for n in range(20):
        timed(survey, org.o_cy, 300 + n, at(0, 10, n))
    assert qc.median_duration(survey) == pytest.approx(309)  # 21 durations: 20, 300…319 → the 11th is 309
    fast = timed(survey, org.o_cy, 90, at(0, 12))  # under 30% of 309 = 92.7
    normal = timed(survey, org.o_cy, 95, at(0, 13))
    assert (fast.flags, fast.status) == (["speeder"], Response.Status.PENDING)
    assert normal.flags == []


def test_straight_lining_needs_eight_answered_items_all_the_same():
    assert qc.is_straightline([4] * 8)
    assert qc.is_straightline([5] * 10 + [None] * 11)
    assert not qc.is_straightline([4] * 7 + [None] * 14)
    assert not qc.is_straightline([4] * 20 + [5])


def test_five_responses_from_one_device_within_ten_minutes_are_a_burst(survey, org):
    made = [submit(survey, org.o_cy, channel=Response.Channel.INTERVIEWER, interviewer=org.bob,
                   submitted_at=at(0, 10, 2 * n))[0] for n in range(5)]
    flags = [Response.objects.get(pk=r.pk).flags for r in made]
    assert flags == [["burst"]] * 5
    assert set(Response.objects.values_list("status", flat=True)) == {Response.Status.PENDING}
    later = submit(survey, org.o_cy, channel=Response.Channel.INTERVIEWER, interviewer=org.bob,
                   submitted_at=at(0, 11, 0))[0]
    assert later.flags == []  # 20 minutes after the burst began: a normal pace again


def test_answers_outside_opening_hours_or_on_a_closed_sunday_are_off_hours(survey, org, hours):
    evening = submit(survey, hours, channel=Response.Channel.QR, device_hash="a" * 64, submitted_at=at(0, 20))[0]
    morning = submit(survey, hours, channel=Response.Channel.QR, device_hash="b" * 64, submitted_at=at(0, 9))[0]
    paper = submit(survey, hours, submitted_at=at(0, 20))[0]  # a paper form has no time of day
    assert (evening.flags, morning.flags, paper.flags) == (["off_hours"], [], [])
    sunday = at(4, 10)  # Wednesday + 4 days
    assert sunday.weekday() == 6
    assert org.o_jh.open_days_per_week == 6
    closed = submit(survey, org.o_jh, channel=Response.Channel.QR, device_hash="c" * 64, submitted_at=sunday)[0]
    assert closed.flags == ["off_hours"]
    assert not qc.is_off_hours(sunday, hours, Response.Channel.QR)  # open 7 days, and within hours


def test_the_survey_qc_command_recomputes_flags_and_keeps_reviewers_decisions(org, hours):
    survey = tiny_survey(org.jls)
    straight = {"OV": 4, "A1": 4, "A2": 4, "B1": 4}
    values = [dict(straight, A1=v) for v in (1, 2, 3, 4, 5, 1, 2, 3)]
    # Eight approved responses without flags between 9:00 and 16:00, then two by QR after closing.
    made = [put(survey, hours, v, channel=Response.Channel.QR, when=at(0, 9 + n)) for n, v in enumerate(values)]
    late = put(survey, hours, dict(straight, A1=2), channel=Response.Channel.QR, when=at(0, 21))
    kept = put(survey, hours, dict(straight, A1=1), channel=Response.Channel.QR, when=at(0, 22))
    kept.reviewed_by = org.alice
    kept.save()
    out = StringIO()
    call_command("survey_qc", survey.code, stdout=out)
    late.refresh_from_db()
    kept.refresh_from_db()
    assert (late.flags, late.status) == (["off_hours"], Response.Status.PENDING)
    assert (kept.flags, kept.status) == (["off_hours"], Response.Status.APPROVED)  # a person approved it
    assert all(Response.objects.get(pk=r.pk).status == Response.Status.APPROVED for r in made)
    assert "2 flagged" in out.getvalue() and "off-hours 2" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("survey_qc", "NOPE")


def test_recheck_finds_every_kind_and_unflags_what_no_longer_applies(org, hours):
    survey = tiny_survey(org.jls)
    for n in range(20):
        put(survey, hours, {"OV": 4, "A1": 3, "A2": 4, "B1": 5}, duration=300, when=at(1, 10, n))
    speeder = put(survey, hours, {"OV": 4, "A1": 3, "A2": 4, "B1": 5}, duration=30, when=at(1, 11))
    device = services.device_hash_for("phone", hours)
    burst = [put(survey, hours, {"OV": 4, "A1": 3, "A2": 4, "B1": 5}, channel=Response.Channel.QR,
                 device_hash=device, when=at(2, 10, n)) for n in range(5)]
    wrongly = put(survey, hours, {"OV": 4, "A1": 3, "A2": 4, "B1": 5}, status=Response.Status.PENDING, when=at(3))
    Response.objects.filter(pk=wrongly.pk).update(flags=["speeder"])
    counts = qc.survey_recheck(survey)
    assert (counts["speeder"], counts["burst"], counts["straightline"], counts["off_hours"]) == (1, 5, 0, 0)
    assert Response.objects.get(pk=speeder.pk).flags == ["speeder"]
    assert {tuple(Response.objects.get(pk=r.pk).flags) for r in burst} == {("burst",)}
    assert Response.objects.get(pk=wrongly.pk).status == Response.Status.APPROVED


def test_answers_helper_never_straight_lines(survey):
    values = [v for c, v in answers(survey).items() if c.startswith("SF")]
    assert not qc.is_straightline(values)
