"""One-time form tokens: a double click or a resubmit of a form that moves money or stock yields the
first result, never a second purchase order, payment or shipment.

Each render of such a form carries a fresh token (``{% load once %}{% form_token %}`` inside the
``<form>``); the view mixes in ``SubmitOnceMixin``. A POST claims its token, a row unique per user and
token, in one transaction with the view's work:

- the first POST claims it and runs the view; if the view answers with a redirect (done, or refused
  with a message), the claim commits with that redirect as the token's result; any other answer (the
  form re-rendered with errors) rolls the claim back, so the corrected form may be sent again;
- a POST with a token already used, even one racing the first (the unique index makes it wait until
  the first commits), is redirected to the first POST's result with a message, and does nothing;
- a POST without a valid token (none, forged, or from a page older than ``TOKEN_MAX_AGE``) does nothing
  and is sent back to the page with a message saying so. Tokens are signed with their time of issue,
  so used ones need only be kept a little longer than that (the ``form_submissions`` sweep forgets them).

The browser also disables the submit button on submit (``static/js/submit_once.js``), which is only a
courtesy: the token is the guarantee. The API has its own ``Idempotency-Key`` (distribution/api).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.signing import BadSignature, TimestampSigner
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import FormSubmission
from .sweeps import SweepResult, due_ids

FIELD = "form_token"
TOKEN_MAX_AGE = timedelta(hours=12)
KEEP = TOKEN_MAX_AGE + timedelta(hours=1)
_signer = TimestampSigner(salt="distribution.core.once")


def new_token() -> str:
    return _signer.sign(str(uuid.uuid4()))


def _token(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(_signer.unsign(request.POST.get(FIELD, ""), max_age=TOKEN_MAX_AGE))
    except (BadSignature, ValueError):
        return None


class SubmitOnceMixin:
    """For a view whose POST moves money or stock: put it after the permission mixin."""

    def once_fallback_url(self) -> str:
        """Where a POST without a token is sent back to: the page the form was on, else this path."""
        request = self.request
        referer = request.headers.get("Referer", "")
        if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
            return referer
        return request.path

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST" or not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # the permission mixins answer strangers
        token = _token(request)
        if token is None:
            messages.error(request, _("Nothing was done: the page was out of date. Check it and send the form again."))
            return redirect(self.once_fallback_url())
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(user=request.user, token=token, path=request.path[:300])
            except IntegrityError:
                return self._already_sent(request, token)
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, HttpResponseRedirect):
                claim.result_url = response["Location"][:500]
                claim.save(update_fields=["result_url"])
            else:
                transaction.set_rollback(True)
            return response

    def _already_sent(self, request: HttpRequest, token: uuid.UUID) -> HttpResponse:
        first = FormSubmission.objects.filter(user=request.user, token=token).first()
        messages.info(request, _("This form was already sent; here is what it did."))
        return redirect(first.result_url if first and first.result_url else self.once_fallback_url())


def sweep_form_submissions(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Forget used tokens once no page could still send them (older than ``KEEP``)."""
    result = SweepResult(name="form_submissions")
    old = FormSubmission.objects.filter(created_at__lt=now - KEEP)
    for ids in due_ids(old):
        result.acted.extend(str(i) for i in ids)
        if not dry_run:
            FormSubmission.objects.filter(pk__in=ids).delete()
    return result
