"""The versioned JSON API at /api/v1/: one router per app, token auth, JSON errors.

Endpoints are thin: they authenticate, scope through postqc.core.access and call
the same services and selectors as the pages.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from .services import token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        staff = token_authenticate(token)
        if staff is not None:
            request.user = staff
        return staff


api = NinjaAPI(
    title="PostQC API",
    version="1",
    description="邮政服务质量管控平台 API. Get a token with POST /api/v1/auth/token, "
    "then send `Authorization: Bearer <token>`. Every list is scoped to your unit's subtree.",
    auth=TokenAuth(),
    urls_namespace="api-v1",
)


def _error(request, message: str, status: int, **extra):
    return api.create_response(request, {"error": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, "Authentication required: send 'Authorization: Bearer <token>' "
                  "with a token from POST /api/v1/auth/token.", 401)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, str(exc) or "Not found (or outside your unit).", 404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, str(exc) or "Your roles do not allow this.", 403)


@api.exception_handler(ValidationError)
def on_domain_validation(request, exc):
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, "Invalid input.", 422, fields=fields)


@api.exception_handler(NinjaValidationError)
def on_schema_validation(request, exc):
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", []) if p not in ("body", "query", "path", "payload")),
         "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return _error(request, "Invalid input: " + "; ".join(f"{d['field']}: {d['message']}" for d in details), 422,
                  details=details)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, str(exc), exc.status_code)


from postqc.api.routers import auth as _auth_router  # noqa: E402
from postqc.org.api import router as org_router  # noqa: E402

api.add_router("/auth", _auth_router.router)
api.add_router("/", org_router)
