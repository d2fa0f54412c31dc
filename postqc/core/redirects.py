"""Where a page sends a person after a POST or a sign-in step: the `next` it was given, when that is
a path of this site, and otherwise the page's own default.

`url_has_allowed_host_and_scheme()` alone is not enough: it accepts any relative text ("foo", or
"'\"<x>"), which `django.shortcuts.redirect()` then tries to reverse as a view name, a 500. Only
an absolute path of this host ("/m/…", "/manage/…?page=2") is followed.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """`value` when it is a path on this site ("/…", not "//host…"), else `default` (a URL)."""
    if value and value.startswith("/") and not value.startswith("//") and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return default


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """A redirect to the POSTed `next` (see safe_next), else to `default` (a URL)."""
    return HttpResponseRedirect(safe_next(request, request.POST.get("next"), default))
