"""``/api/v1/``: the NinjaAPI, then a fallback that tolerates a missing or extra trailing slash
and answers a JSON 404 for any other path under it."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, path, re_path, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .api import api
from .errors import envelope

PREFIX = "/api/v1/"


@csrf_exempt  # the API authenticates with keys, never cookies
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """``products`` is ``products/`` and ``…/pay/`` is ``…/pay``: the same operation, not a redirect
    (a redirected POST loses its body in many clients)."""
    if rest:
        other = rest[:-1] if rest.endswith("/") else rest + "/"
        try:
            match = resolve(PREFIX + other)
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
    return JsonResponse(envelope("not_found", _("Not found.")), status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
