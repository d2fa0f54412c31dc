from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def lockout_minutes() -> int:
    """The cool-off as whole minutes (settings hold it in hours, as django-axes wants)."""
    return round(settings.AXES_COOLOFF_TIME * 60)


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """django-axes lockout: JSON for API clients, a page for people. Status 429 either way."""
    minutes = lockout_minutes()
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": f"Too many failed attempts: this account is locked for {minutes} minutes."}, status=429
        )
    return render(request, "core/locked_out.html", {"cooloff_minutes": minutes}, status=429)
