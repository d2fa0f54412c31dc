"""{% stations_to_log as n %}: the stations of the signed-in person's subtree that are not closed, for the
staff home page's 邮驿站台账 cell (shown only to people who have one to log visits at)."""
from django import template

from postqc.core.access import scoped
from postqc.org.roles import Capability
from postqc.stations.models import Station

register = template.Library()


@register.simple_tag(takes_context=True)
def stations_to_log(context) -> int:
    user = context["request"].user
    if not user.can(Capability.LOG_STATION_VISITS):
        return 0
    return scoped(Station.objects.exclude(status=Station.Status.CLOSED), user).count()
