"""Pagination helper shared by list pages."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = DEFAULT_PAGE_SIZE) -> Page:
    try:
        size = min(int(request.GET.get("per_page", per_page)), MAX_PAGE_SIZE)
    except ValueError:
        size = per_page
    return Paginator(queryset, max(size, 1)).get_page(request.GET.get("page"))
