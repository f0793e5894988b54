"""Pagination helper shared by list pages."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200


def page_size(request: HttpRequest, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page size asked for with ``?per_page=`` (1 … MAX_PAGE_SIZE), else ``default``."""
    try:
        size = min(int(request.GET.get("per_page", default)), MAX_PAGE_SIZE)
    except ValueError:
        size = default
    return max(size, 1)


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = DEFAULT_PAGE_SIZE) -> Page:
    return Paginator(queryset, page_size(request, per_page)).get_page(request.GET.get("page"))
