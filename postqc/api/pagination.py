"""The page-number pagination of the API's lists: django-ninja's, with the page number bounded.

django-ninja's own accepts any page ≥ 1, and `?page=100000000000000000000` became an OFFSET the
database cannot hold (SQLite: "datatype mismatch", PostgreSQL: "bigint out of range"), a 500. Here
a page past MAX_PAGE is refused like any other bad parameter: 422, naming `page`. A page past the
last one still answers an empty list with the count, as before.
"""
from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000  # × the largest page size (200) is far past any list of a city


class Pages(PageNumberPagination):
    """`@paginate(Pages, page_size=…, max_page_size=…)` on a list endpoint: `page` (1…MAX_PAGE) and
    `page_size` (clamped to max_page_size)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
