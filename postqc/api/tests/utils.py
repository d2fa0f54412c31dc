"""Helpers for API tests: a client that speaks JSON with a bearer token, and the JSON error check."""
import json


class ApiClient:
    """The Django test client with `Authorization: Bearer <token>` when it holds a token."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self._headers())

    def post(self, path: str, payload: dict):
        return self.client.post(path, json.dumps(payload), content_type="application/json", headers=self._headers())

    def delete(self, path: str):
        return self.client.delete(path, headers=self._headers())


def json_error(response, status: int) -> dict:
    """Assert `response` is a JSON error with this status and a non-empty message; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    return body
