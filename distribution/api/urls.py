"""``/api/v1/``: the NinjaAPI, then a JSON 404 for any other path under it."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from .api import api
from .errors import envelope


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(envelope("not_found", _("Not found.")), status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
