from django.conf import settings

from postqc.org.roles import Capability


def faces(request):
    """What every layout needs: the user's capabilities for menus, and the languages."""
    user = getattr(request, "user", None)
    can = {}
    if user is not None and user.is_authenticated:
        can = {name.lower(): user.can(value) for name, value in vars(Capability).items() if name.isupper()}
    return {"can": can, "LANGUAGES": settings.LANGUAGES}
