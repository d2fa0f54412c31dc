from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Send a person whose account was created or reset by someone else to set their own password first.

    Static files, the JSON API (token clients cannot follow the page), the language switch and the
    health probe stay reachable; everything else redirects to the change page, remembering where the
    person was going.
    """

    ALLOWED_PREFIXES = ("/static/", "/api/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            change_url = reverse("password_change")
            if request.path not in {change_url, reverse("logout")} and not request.path.startswith(self.ALLOWED_PREFIXES):
                return redirect(f"{change_url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: every script and style is served from this site (no inline scripts or styles).

    The Django admin and the OpenAPI page carry their own inline code, so they are left out.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(("/admin/", "/api/v1/docs")):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response
