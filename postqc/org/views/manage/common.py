"""What the manage pages share: sortable columns, 50-row pages, the capability checks, enabling/disabling."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from postqc.core.access import require
from postqc.org.roles import Capability

PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    """A table header; `key` (in the URL) and `order` (ORM paths, comma-separated) make it sortable."""

    label: str
    key: str = ""
    order: str = ""
    num: bool = False


@dataclass(frozen=True)
class Header:
    label: str
    sort: str  # the ?sort= value a click asks for; "" when the column does not sort
    arrow: str
    num: bool


def sorted_page(request: HttpRequest, qs: QuerySet, columns: list[Column], default: str) -> tuple[Page, list[Header]]:
    """Order `qs` by the requested column (or `default`, e.g. "code" or "-grade") and cut one page."""
    orders = {c.key: c.order for c in columns if c.key}
    requested = request.GET.get("sort", "")
    if requested.lstrip("-") not in orders:
        requested = default
    key, descending = requested.lstrip("-"), requested.startswith("-")
    qs = qs.order_by(*(("-" if descending else "") + path for path in orders[key].split(",")), "pk")
    headers = []
    for c in columns:
        if not c.key:
            headers.append(Header(c.label, "", "", c.num))
        elif c.key == key:
            headers.append(Header(c.label, c.key if descending else f"-{c.key}", "↓" if descending else "↑", c.num))
        else:
            headers.append(Header(c.label, c.key, "", c.num))
    return page_of(request, qs), headers


def page_of(request: HttpRequest, qs: QuerySet) -> Page:
    """The ?page= page of `qs` (PAGE_SIZE rows), with the page numbers _pagination.html shows."""
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def require_manage(request: HttpRequest) -> None:
    require(request.user, Capability.VIEW_MANAGE)


def require_edit(request: HttpRequest, capability: str) -> None:
    """Viewing needs VIEW_MANAGE; writing needs the entity's edit capability as well."""
    require(request.user, Capability.VIEW_MANAGE)
    require(request.user, capability)


def set_active_then_redirect(request: HttpRequest, set_active: Callable[[], object], done: str,
                             to: str, **url_kwargs) -> HttpResponse:
    """Run an enable/disable service call, then back to the record's page: the service's
    ValidationError becomes an error message, success the message `done`."""
    try:
        set_active()
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect(to, **url_kwargs)
