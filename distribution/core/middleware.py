"""Request guards that apply to every page."""

from __future__ import annotations

import inspect

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


# --- web-only middleware ------------------------------------------------------------------
# The JSON API (``/api/``) authenticates machines by key (``distribution.api.auth``): it reads
# no session, cookie, CSRF token or flash message, renders no page, and does its own
# organisation and agreement (R1) checks in the key lookup. The middleware that serve web pages
# only are wrapped with ``web_only`` in ``settings.MIDDLEWARE``, so an API request skips them
# (≈ 0.5 ms of CPU per request) and a page request runs them unchanged.

API_PATH_PREFIX = "/api/"
_HOOKS = ("process_view", "process_exception", "process_template_response")


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


def web_only(factory, *, on_api=None):
    """The middleware ``factory`` (a class or a function) for web pages only; API requests pass by.

    A class gives a subclass (Django's checks look for e.g. a subclass of
    ``AuthenticationMiddleware`` in ``MIDDLEWARE``). ``on_api(request)``, if given, sets on an
    API request what the skipped middleware would have (an anonymous ``request.user``), for code
    that reads it on any path.
    """
    if inspect.isclass(factory):
        overrides = {"__call__": _web_only_call(factory.__call__, on_api), "__module__": __name__}
        for hook in _HOOKS:
            if hasattr(factory, hook):
                overrides[hook] = _web_only_method(getattr(factory, hook))
        return type(f"Web{factory.__name__}", (factory,), overrides)

    def build(get_response):
        inner = factory(get_response)

        def middleware(request):
            if is_api_request(request):
                if on_api is not None:
                    on_api(request)
                return get_response(request)
            return inner(request)

        for hook in _HOOKS:
            method = getattr(inner, hook, None)
            if method is not None:
                setattr(middleware, hook, _web_only_hook(method))
        return middleware

    return build


def _web_only_call(call, on_api):
    def __call__(self, request):
        if is_api_request(request):
            if on_api is not None:
                on_api(request)
            return self.get_response(request)
        return call(self, request)

    return __call__


def _web_only_method(method):
    def hook(self, request, *args):
        return None if is_api_request(request) else method(self, request, *args)

    return hook


def _web_only_hook(method):
    def hook(request, *args):
        return None if is_api_request(request) else method(request, *args)

    return hook


def _anonymous(request) -> None:
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()


def _load(path: str):
    from django.utils.module_loading import import_string

    return import_string(path)


WebSessionMiddleware = web_only(_load("django.contrib.sessions.middleware.SessionMiddleware"))
WebAuthenticationMiddleware = web_only(_load("django.contrib.auth.middleware.AuthenticationMiddleware"), on_api=_anonymous)
WebMessageMiddleware = web_only(_load("django.contrib.messages.middleware.MessageMiddleware"))
WebHtmxMiddleware = web_only(_load("django_htmx.middleware.HtmxMiddleware"))
