import pytest

from postqc.api.services import token_issue

from .utils import ApiClient


@pytest.fixture
def api(client):
    """api(persona) → a client holding a fresh token for that persona; api() → one with no token."""

    def make(person=None) -> ApiClient:
        token = token_issue(staff=person, label="test")[0] if person is not None else None
        return ApiClient(client, token)

    return make
