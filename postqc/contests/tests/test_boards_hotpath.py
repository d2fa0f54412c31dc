"""The competition's hot path, saving an answer: once the attempt's sitting is known (read once per
process), one statement that writes the item under a share lock of its attempt and returns the
paper's answered count — and the count right whatever the answer does."""
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from postqc.conftest import needs_postgres, prepare_threshold, prepared_statements

from postqc.contests.models import AttemptItem
from postqc.contests.services import attempt_answer, attempt_start

from .conftest import T0
from .test_boards import CONTEST_RULES, SECOND, right


def statements(captured) -> list[str]:
    return [q["sql"].split()[0] for q in captured if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]


def test_saving_an_answer_reads_once_and_writes_once_and_counts_the_answered(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES)
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    items = list(attempt.items.select_related("version").order_by("position"))
    for n, item in enumerate(items[:3], start=1):
        saved = attempt_answer(attempt=attempt, position=item.position, response=right(item),
                               client_id=uuid.uuid4(), at=T0 + n * SECOND)
        assert saved.answered == n
    client_id = uuid.uuid4()
    with CaptureQueriesContext(connection) as captured:
        saved = attempt_answer(attempt=attempt, position=items[3].position, response=right(items[3]),
                               client_id=client_id, at=T0 + 10 * SECOND)
    assert statements(captured) == ["UPDATE"]
    assert "FOR SHARE" in captured[0]["sql"] or not connection.features.has_select_for_update
    assert saved.answered == 4
    resent = attempt_answer(attempt=attempt, position=items[3].position, response=right(items[3]),
                            client_id=client_id, at=T0 + 11 * SECOND)
    assert resent.answered == 4 and resent.answered_at == T0 + 10 * SECOND
    changed = attempt_answer(attempt=attempt, position=items[0].position, response=["A"], client_id=uuid.uuid4(),
                             at=T0 + 12 * SECOND)
    assert changed.answered == 4
    cleared = attempt_answer(attempt=attempt, position=items[0].position, response=[], client_id=uuid.uuid4(),
                             at=T0 + 13 * SECOND)
    assert cleared.answered == 3 == AttemptItem.objects.filter(attempt=attempt, response__isnull=False).count()


@needs_postgres()
def test_on_postgresql_the_answer_statement_is_prepared_once_per_connection(org, make_exam):
    exam = make_exam(kind="contest", rules=CONTEST_RULES)
    attempt, _ = attempt_start(exam=exam, staff=org.bob, at=T0)
    items = list(attempt.items.select_related("version").order_by("position"))
    for n in range(prepare_threshold() + 1):
        item = items[n % len(items)]
        attempt_answer(attempt=attempt, position=item.position, response=right(item), client_id=uuid.uuid4(),
                       at=T0 + (n + 1) * SECOND)

    prepared = prepared_statements(AttemptItem._meta.db_table)

    assert len(prepared) == 1 and prepared[0].startswith("UPDATE"), prepared
