"""QR posters: the outlets of the manager's subtree with their survey links, an A4 poster per
outlet, and all posters of a unit as one printable page (one poster per sheet).

The QR code is segno's inline SVG (no script, no style attribute: the strict CSP holds) of the
outlet's short link, made absolute from the request (request.build_absolute_uri), so the
poster points at the address the manager reached the site by. An outlet's token is created the
first time its poster is shown and never changes (services.outlet_link_for), so a printed poster
keeps working for every later survey.
"""
from __future__ import annotations

from dataclasses import dataclass

import segno
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from postqc.core.access import get_scoped_or_404, scoped
from postqc.org.models import Outlet, Unit, UnitClosure
from postqc.org.views.manage.common import Column, sorted_page

from .. import services
from ..forms import OutletPosterFilterForm
from .common import require_manage

QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
POSTER_COLUMNS = [
    Column(gettext_lazy("网点编码"), "code", "code"), Column(gettext_lazy("网点名称"), "name", "name"),
    Column(gettext_lazy("所属单位"), "unit", "unit__sort_order,unit__code"), Column(gettext_lazy("扫码链接")),
    Column(gettext_lazy("海报")),
]


@dataclass
class Poster:
    outlet: Outlet
    url: str
    qr: SafeString


def qr_svg(url: str) -> SafeString:
    """The QR code of `url` as an inline, size-less SVG (the stylesheet sizes it)."""
    code = segno.make(url, error="m")
    # segno writes only geometry and presentation attributes: safe to inline under the CSP.
    return mark_safe(code.svg_inline(scale=1, border=QR_BORDER, omitsize=True, svgclass="poster-qr", lineclass=None))  # noqa: S308


def short_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("surveys_public:survey", args=[token]))


def poster_for(request: HttpRequest, outlet: Outlet) -> Poster:
    """The outlet's poster (its link made now if it has none; select_related("survey_link") saves a query)."""
    link = outlet.survey_link if hasattr(outlet, "survey_link") else services.outlet_link_for(outlet=outlet)
    url = short_url(request, link.token)
    return Poster(outlet, url, qr_svg(url))


def _outlets(user):
    return scoped(Outlet.objects.exclude(status=Outlet.Status.CLOSED), user)


@login_required
@require_GET
def poster_list(request: HttpRequest) -> HttpResponse:
    """Outlets in scope with their link (once made) and poster; a unit's posters printed at once."""
    require_manage(request)
    filters = OutletPosterFilterForm(request.user, request.GET)
    qs = _outlets(request.user).select_related("unit", "survey_link")
    if unit := filters.value("unit"):
        qs = qs.filter(unit__in=UnitClosure.objects.filter(ancestor=unit).values("descendant_id"))
    if q := filters.text():
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(address__icontains=q))
    page, headers = sorted_page(request, qs, POSTER_COLUMNS, "code")
    rows = [(o, short_url(request, o.survey_link.token) if hasattr(o, "survey_link") else "") for o in page]
    print_unit = filters.value("unit") or request.user.unit
    return render(request, "surveys/manage/poster_list.html", {
        "section": "survey_posters", "filters": filters, "page": page, "headers": headers, "rows": rows,
        "print_unit": print_unit,
        "print_count": _outlets(request.user).filter(
            unit__in=UnitClosure.objects.filter(ancestor=print_unit).values("descendant_id")).count(),
    })


@login_required
@require_GET
def poster(request: HttpRequest, outlet: str) -> HttpResponse:
    """One outlet's A4 poster."""
    require_manage(request)
    found = get_scoped_or_404(_outlets(request.user).select_related("unit", "survey_link"), request.user,
                              code=outlet)
    return render(request, "surveys/manage/posters.html", {"posters": [poster_for(request, found)],
                                                           "title": found.name})


@login_required
@require_GET
def unit_posters(request: HttpRequest, unit: str) -> HttpResponse:
    """Every open or suspended outlet of a unit's subtree: one poster per printed page."""
    require_manage(request)
    found = get_scoped_or_404(Unit.objects.all(), request.user, code=unit)
    outlets = _outlets(request.user).filter(
        unit__in=UnitClosure.objects.filter(ancestor=found).values("descendant_id")).select_related(
        "unit", "survey_link").order_by("code")
    return render(request, "surveys/manage/posters.html", {
        "posters": [poster_for(request, o) for o in outlets], "title": found.name, "unit": found,
    })

