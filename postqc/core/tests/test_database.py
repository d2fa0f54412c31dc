"""On PostgreSQL the app binds parameters on the server and prepares a statement a connection repeats
(settings.py, DATABASE_PREPARE): the hot paths are then neither parsed nor planned again."""
import pytest
from django.db import connection

from postqc.conftest import needs_postgres
from postqc.org.models import Unit

pytestmark = [needs_postgres(), pytest.mark.postgres, pytest.mark.django_db]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_run_five_times_on_a_connection_is_prepared_with_its_parameters_bound():
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    assert threshold is not None, "DATABASE_PREPARE is off: set it on (the default) for this test"
    for code in [f"NO-SUCH-{i}" for i in range(threshold + 1)]:  # different values, one statement
        assert not Unit.objects.filter(code=code).exists()

    prepared = [s for s in _prepared() if '"org_unit"' in s and "$1" in s]

    assert len(prepared) == 1, _prepared()
    assert "NO-SUCH" not in prepared[0]  # the value travels as a parameter, not in the text
