"""On PostgreSQL the statements of the answer hot paths are prepared once per connection, and
nothing else is (core/db.py): the ORM's statements keep being planned for their values."""
import pytest
from django.db import IntegrityError, transaction

from postqc.conftest import needs_postgres, prepare_threshold, prepared_statements
from postqc.core.db import hot_cursor
from postqc.org.models import Unit

pytestmark = [needs_postgres(), pytest.mark.postgres, pytest.mark.django_db]


def test_a_hot_statement_run_past_the_threshold_is_prepared_once_with_its_values_as_parameters():
    for i in range(prepare_threshold() + 1):  # different values, one statement
        with hot_cursor() as cursor:
            cursor.execute('SELECT id FROM "org_unit" WHERE code = %s', [f"NO-SUCH-{i}"])
            assert cursor.fetchone() is None

    prepared = prepared_statements('"org_unit"')

    assert len(prepared) == 1, prepared
    assert "$1" in prepared[0] and "NO-SUCH" not in prepared[0]


def test_the_orm_is_never_prepared_so_reports_are_planned_for_their_values():
    for i in range(prepare_threshold() + 3):
        assert not Unit.objects.filter(code=f"NO-SUCH-{i}").exists()

    assert prepared_statements('"org_unit"') == []


def test_a_hot_cursor_takes_part_in_the_transaction_and_its_errors_are_djangos(django_assert_num_queries):
    with django_assert_num_queries(1), hot_cursor() as cursor:  # the test suite's counts see it
        cursor.execute("SELECT 1")
    with pytest.raises(IntegrityError), transaction.atomic(), hot_cursor() as cursor:
        cursor.execute('INSERT INTO "org_unit" (id) VALUES (%s)', [-1])  # NOT NULL columns left out
