"""Shared test fixtures: the personas every permission test reuses.

The tree (a small slice of the real one):

    吉林省分公司 JL
    └── 吉林市分公司 JLS ........................ dora (领导), sam (系统管理员)
        ├── 船营区分公司 CY ...................... alice (质量管理员)
        │   └── 北京路支局 CY-BJL ................ hank (支局长), bob (营业员, outlet O-CY-1)
        │       └── 北京路投递部 CY-BJL-TD ....... dave (投递员)
        └── 蛟河市分公司 JH ...................... charlie (质量管理员)
            └── 黄松甸支局 JH-HSD ................ carl (投递员), erin (营业员, outlet O-JH-1)

alice and bob share the 船营 subtree; charlie is in another county and must see none of it.
"""
import datetime as dt
import os
from types import SimpleNamespace

import pytest
import time_machine

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True, scope="session")
def _test_clock():
    """POSTQC_TEST_NOW=2027-01-01T00:30+08:00 runs the suite with the clock moved there (and ticking).

    Most tests freeze time themselves, but the demo and browser tests run at the real time, because
    the demo is built relative to now; a test that reads "this month" or "today" then passes or fails
    with the calendar (it failed CI once, on the 1st of a month in Asia/Shanghai). Run them at the
    awkward moments — the 1st of a month or a year, the last minutes of one, a day that is still
    the day before in UTC — with this variable: the fixtures that freeze time still do, inside it.
    """
    when = os.environ.get("POSTQC_TEST_NOW")
    if not when:
        yield None
        return
    moment = dt.datetime.fromisoformat(when)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"POSTQC_TEST_NOW={when!r} needs a UTC offset, e.g. 2027-01-01T00:30+08:00")
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def _fast_and_inline(settings):
    # argon2 is the production hasher (tested in core/tests/test_settings.py); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JOBS_FALLBACK = "inline"
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    settings.SECURE_SSL_REDIRECT = False
    # The manifest storage needs `collectstatic` first; tests resolve {% static %} from the app folders.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # A request in English leaves the thread's language active after it; each test starts in the default.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    # Hot paths cache rows by id or code; ids come back after a rolled-back test, so no test sees another's.
    from django.core.cache import cache

    from postqc.core import memo

    cache.clear()
    memo.clear_all()


@pytest.fixture
def org(db):
    from postqc.org.models import Outlet, Unit
    from postqc.org.roles import Role
    from postqc.org.services import outlet_create, staff_create, unit_create

    K = Unit.Kind
    jl = unit_create(code="JL", name="吉林省分公司", kind=K.PROVINCE, parent=None)
    jls = unit_create(code="JLS", name="吉林市分公司", kind=K.CITY, parent=jl)
    cy = unit_create(code="CY", name="船营区分公司", kind=K.DISTRICT, parent=jls)
    cy_bjl = unit_create(code="CY-BJL", name="北京路支局", kind=K.BRANCH, parent=cy)
    cy_td = unit_create(code="CY-BJL-TD", name="北京路投递部", kind=K.DELIVERY, parent=cy_bjl)
    jh = unit_create(code="JH", name="蛟河市分公司", kind=K.COUNTY, parent=jls)
    jh_hsd = unit_create(code="JH-HSD", name="黄松甸支局", kind=K.BRANCH, parent=jh)

    common = dict(area_type=Outlet.AreaType.CITY, operation=Outlet.Operation.SELF, open_days_per_week=7,
                  services=["letters", "parcels", "printed", "remittance"])
    o_cy = outlet_create(code="O-CY-1", name="北京路营业所", unit=cy_bjl, grade="1", address="船营区北京路 1 号", **common)
    o_jh = outlet_create(code="O-JH-1", name="黄松甸营业所", unit=jh_hsd, grade="3", address="蛟河市黄松甸镇",
                         **{**common, "area_type": Outlet.AreaType.TOWNSHIP, "open_days_per_week": 6})

    def person(no, name, unit, roles, outlet=None):
        s = staff_create(employee_no=no, name=name, unit=unit, roles=roles, outlet=outlet, password=PASSWORD)
        s.must_change_password = False
        s.save(update_fields=["must_change_password"])
        return s

    return SimpleNamespace(
        jl=jl, jls=jls, cy=cy, cy_bjl=cy_bjl, cy_td=cy_td, jh=jh, jh_hsd=jh_hsd, o_cy=o_cy, o_jh=o_jh,
        password=PASSWORD,
        alice=person("A001", "艾丽", cy, [Role.QUALITY]),
        bob=person("B001", "鲍勃", cy_bjl, [Role.CLERK], outlet=o_cy),
        hank=person("H001", "韩克", cy_bjl, [Role.BRANCH_HEAD]),
        dave=person("D001", "戴维", cy_td, [Role.COURIER]),
        charlie=person("C001", "查理", jh, [Role.QUALITY]),
        carl=person("C002", "卡尔", jh_hsd, [Role.COURIER]),
        erin=person("E001", "艾琳", jh_hsd, [Role.CLERK], outlet=o_jh),
        dora=person("L001", "朵拉", jls, [Role.LEADER]),
        sam=person("S001", "萨姆", jls, [Role.SYSADMIN]),
    )


def login(client, person):
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def as_(client):
    """as_(persona) → the test client signed in as that persona."""
    return lambda person: login(client, person)


def required(what: str) -> bool:
    """CI lists in POSTQC_REQUIRE (e.g. "browser,postgres,redis") what a run must have: a missing one fails."""
    return what in {w.strip() for w in os.environ.get("POSTQC_REQUIRE", "").split(",")}


def _needs(what: str, available: bool, reason: str):
    if not available and required(what):
        raise pytest.UsageError(f"POSTQC_REQUIRE lists {what!r} but it is missing: {reason}")
    return pytest.mark.skipif(not available, reason=reason)


def needs_postgres():
    from django.conf import settings

    return _needs("postgres", settings.DATABASE_IS_POSTGRES,
                  "needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")


def needs_redis():
    from django.conf import settings

    return _needs("redis", bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://… (CI does)")


def prepared_statements(containing: str) -> list[str]:
    """PostgreSQL: the statements prepared on this connection whose text contains `containing`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if containing in row[0]]


def prepare_threshold() -> int:
    """PostgreSQL: after how many runs a hot statement is prepared (fails when DATABASE_PREPARE=0)."""
    from django.db import connection

    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold is not None, "DATABASE_PREPARE is off: set it on (the default) for this test"
    return threshold


def race(target, *, n: int) -> list:
    """Run target(i) in n threads (i = 0…n−1) released at the same instant, each closing its database
    connection at the end; their results (or the exceptions they raised). For tests with
    django_db(transaction=True) on PostgreSQL."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
