"""Request guards that apply to every page."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """A NUL byte in the path or the query string can never be valid (PostgreSQL text refuses it): answer 400.

    Form fields already refuse NUL in posted values (Django's ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(_("Bad request: the address contains a NUL character."), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
