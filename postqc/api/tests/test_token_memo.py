"""Each server process memoises what a token authenticated; a change anywhere must still be seen at
once. The other process is played here by changing the database and the shared cache the way
another process would, without touching this process's memo."""
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postqc.api import services
from postqc.api.models import ApiToken


def test_a_memoised_token_costs_no_database_query(org):
    key, _token = services.token_issue(staff=org.alice)
    assert services.token_authenticate(key).staff_id == org.alice.pk  # loads and memoises

    with CaptureQueriesContext(connection) as queries:
        again = services.token_authenticate(key)

    assert again.staff_id == org.alice.pk
    assert len(queries) == 0


def test_a_token_revoked_by_another_process_is_refused_at_once(org):
    key, token = services.token_issue(staff=org.alice)
    assert services.token_authenticate(key) is not None

    # Another process: deletes the row, drops the shared cache entry, bumps the owner's generation.
    ApiToken.objects.filter(pk=token.pk).delete()
    cache.delete(services._token_key(token.key_hash))
    services._bump_generation(org.alice.pk)

    assert services.token_authenticate(key) is None


def test_an_owner_deactivated_by_another_process_is_refused_at_once(org):
    key, _token = services.token_issue(staff=org.alice)
    assert services.token_authenticate(key) is not None

    type(org.alice).objects.filter(pk=org.alice.pk).update(is_active=False)  # no signal: another process's write
    cache.delete(services._staff_key(org.alice.pk))
    services._bump_generation(org.alice.pk)

    assert services.token_authenticate(key) is None


def test_someone_elses_change_keeps_my_memo(org):
    key, _token = services.token_issue(staff=org.alice)
    services.token_authenticate(key)
    services._bump_generation(org.bob.pk)

    with CaptureQueriesContext(connection) as queries:
        assert services.token_authenticate(key) is not None
    assert len(queries) == 0


def test_revoking_through_the_service_bumps_the_generation(org):
    key, token = services.token_issue(staff=org.alice)
    before = services._generation(org.alice.pk)

    services.token_revoke(token=token)

    assert services._generation(org.alice.pk) > before
    assert services.token_authenticate(key) is None
