"""The versioned JSON API at /api/v1/: one router per app, token auth, JSON errors.

Endpoints are thin: they authenticate, scope through postqc.core.access and call
the same services and selectors as the pages. Only bearer tokens authenticate
here; a browser session does not, so the API needs no CSRF token. Every answer
is JSON, errors included: {"error": "<what went wrong and what to do>", ...}.
"""
import functools
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from postqc.api.routers.auth import router as auth_router
from postqc.org.api import router as org_router

from .services import token_authenticate

logger = logging.getLogger("django.request")

TOKEN_HINT = "send 'Authorization: Bearer <token>' with a token from POST /api/v1/auth/token"
_PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`: sets request.user to the token's staff member, request.auth to the token."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        api_token = token_authenticate(token)
        if api_token is not None:
            request.user = api_token.staff
        return api_token


class JsonNinjaAPI(NinjaAPI):
    """A NinjaAPI that answers in JSON even for a path it does not know (404) or a method it does not allow (405)."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
        patterns.append(re_path(r"^.*$", csrf_exempt(_unknown_endpoint), name="unknown-endpoint"))
        return patterns, app_name, namespace


api = JsonNinjaAPI(
    title="PostQC API",
    version="1",
    description="邮政服务质量管控平台 API. Get a token with POST /api/v1/auth/token, "
    "then send `Authorization: Bearer <token>`. Every list is scoped to your unit's subtree. "
    'Errors are JSON: `{"error": "..."}` with a message that says what to change.',
    auth=TokenAuth(),
    urls_namespace="api-v1",
)
api.add_router("/auth", auth_router)
api.add_router("/", org_router)


def _error(request: HttpRequest, message: str, status: int, **extra) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


def _unknown_endpoint(request: HttpRequest) -> HttpResponse:
    return _error(request, f"No endpoint at {request.path}. The endpoints are listed at /api/v1/docs.", 404)


def _json_method_not_allowed(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = _error(request, f"{request.method} is not allowed on {request.path}; use {allowed}.", 405)
            response["Allow"] = allowed
        return response

    return wrapper


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _PARAM_SOURCES:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _unauthorized(request: HttpRequest, message: str) -> HttpResponse:
    response = _error(request, message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        message = (f"The token is unknown, expired or revoked, or its owner was deactivated: "
                   f"{TOKEN_HINT.replace('send', 'get a new one and send', 1)}.")
    else:
        message = f"Authentication required: {TOKEN_HINT}. Session cookies are not accepted here."
    return _unauthorized(request, message)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, str(exc) or "Not found (or outside your unit).", 404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, str(exc) or "Your roles do not allow this.", 403)


@api.exception_handler(ValidationError)
def on_domain_validation(request, exc):
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    summary = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in fields.items())
    return _error(request, f"Invalid input: {summary}", 422, fields=fields)


@api.exception_handler(NinjaValidationError)
def on_schema_validation(request, exc):
    details = [{"field": _field_name(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
    return _error(request, "Invalid input: " + "; ".join(f"{d['field']}: {d['message']}" for d in details), 422,
                  details=details)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if exc.status_code == 401:
        return _unauthorized(request, str(exc))
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    """A bug: logged with its traceback like any Django 500, answered in JSON rather than an HTML page."""
    logger.error("Internal Server Error: %s", request.path, exc_info=exc,
                 extra={"status_code": 500, "request": request})
    extra = {"exception": f"{type(exc).__name__}: {exc}"} if settings.DEBUG else {}
    return _error(request, "Internal server error: it has been logged. Retry later; if it persists, "
                  "report the time of the request to the system administrator.", 500, **extra)


from postqc.standards.api import router as standards_router  # noqa: E402

api.add_router("/", standards_router)

from postqc.learning.api import router as learning_router  # noqa: E402

api.add_router("/learning", learning_router)

from postqc.contests.api import router as contests_router  # noqa: E402

api.add_router("/", contests_router)

from postqc.surveys.api import router as surveys_router  # noqa: E402

api.add_router("/", surveys_router)

from postqc.dashboard.api import router as dashboard_router  # noqa: E402

api.add_router("/", dashboard_router)

from postqc.inspections.api import router as inspections_router  # noqa: E402

api.add_router("/", inspections_router)

from postqc.delivery.api import router as delivery_router  # noqa: E402

api.add_router("/", delivery_router)

from postqc.tracking.api import router as tracking_router  # noqa: E402

api.add_router("/", tracking_router)

from postqc.stations.api import router as stations_router  # noqa: E402

api.add_router("/", stations_router)
