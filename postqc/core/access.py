"""Org scoping: the one place that decides which records a user may see.

A user sees records of their own unit's subtree and nothing else. Every model
that holds scoped records declares `scope_field`, the lookup path from the model
to its `org.Unit` ("unit", "outlet__unit", or "pk" for Unit itself). Every view,
API endpoint and export reads through `scoped()` or `get_scoped_or_404()`; a
record outside the subtree is a 404, never a 403, so its existence does not leak.
"""
from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def visible_unit_ids(user) -> QuerySet:
    """A subquery of the ids of the user's unit and every unit under it."""
    from postqc.org.models import UnitClosure

    unit_id = getattr(user, "unit_id", None) if getattr(user, "is_authenticated", False) else None
    if unit_id is None:
        return UnitClosure.objects.none().values("descendant_id")
    return UnitClosure.objects.filter(ancestor_id=unit_id).values("descendant_id")


def scoped(queryset: QuerySet[M], user) -> QuerySet[M]:
    """Narrow `queryset` to the records inside the user's org subtree."""
    field = getattr(queryset.model, "scope_field", None)
    if field is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no scope_field; it cannot be scoped.")
    if not getattr(user, "is_authenticated", False) or getattr(user, "unit_id", None) is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": visible_unit_ids(user)})


def ancestor_unit_ids(user) -> QuerySet:
    """A subquery of the ids of the user's unit and every unit above it."""
    from postqc.org.models import UnitClosure

    unit_id = getattr(user, "unit_id", None) if getattr(user, "is_authenticated", False) else None
    if unit_id is None:
        return UnitClosure.objects.none().values("ancestor_id")
    return UnitClosure.objects.filter(descendant_id=unit_id).values("ancestor_id")


def offered_to(queryset: QuerySet[M], user) -> QuerySet[M]:
    """Narrow shared content (standards, question banks, competitions) to what the user is
    offered: records owned by the user's unit or any unit above it. A city bank is offered to
    every clerk in the city; a county's own bank only to that county. Managing such records
    still goes through `scoped()`."""
    field = getattr(queryset.model, "scope_field", None)
    if field is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no scope_field; it cannot be scoped.")
    if not getattr(user, "is_authenticated", False) or getattr(user, "unit_id", None) is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": ancestor_unit_ids(user)})


def get_offered_or_404(queryset: QuerySet[M], user, **lookup) -> M:
    try:
        return offered_to(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def get_scoped_or_404(queryset: QuerySet[M], user, **lookup) -> M:
    """The one record matching `lookup` inside the user's subtree, or 404."""
    try:
        return scoped(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def is_in_scope(user, unit_id: int | None) -> bool:
    if unit_id is None:
        return False
    return visible_unit_ids(user).filter(descendant_id=unit_id).exists()


def require(user, capability: str) -> None:
    """Raise PermissionDenied (403) unless one of the user's roles grants `capability`."""
    if not user.can(capability):
        raise PermissionDenied(f"Your roles do not allow: {capability}")
