"""For the staff home page: {% my_rectification as tasks %}, the signed-in person's 整改 to do (to fix or to
verify); {% unread_bulletins as n %}, the 通报 addressed to them they have not opened."""
from dataclasses import dataclass

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from postqc.inspections.accountability import unread_count
from postqc.inspections.models import Finding

register = template.Library()


@dataclass(frozen=True)
class Tasks:
    total: int
    overdue: int

    def __bool__(self) -> bool:
        return self.total > 0


@register.simple_tag(takes_context=True)
def my_rectification(context) -> Tasks:
    """One query: findings I must fix (open) or verify (submitted), and how many of mine are overdue."""
    user = context["request"].user
    today = timezone.localdate()
    mine = Q(assignee=user, status=Finding.Status.OPEN)
    counts = Finding.objects.filter(mine | Q(verifier=user, status=Finding.Status.SUBMITTED)).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=mine & Q(deadline__lt=today)))
    return Tasks(counts["total"], counts["overdue"])


@register.simple_tag(takes_context=True)
def unread_bulletins(context) -> int:
    """通报 addressed to the signed-in person (issued by their unit or one above) in the last 90 days that
    they have not opened (one query)."""
    return unread_count(context["request"].user)
