"""The organisation's API settings page: keys, webhook endpoints, delivery log.

Owners and managers only. Every object is looked up within the member's
organisation, so another organisation's key or endpoint answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from distribution.core.errors import DomainError
from distribution.core.pagination import paginate
from distribution.core.permissions import OwnerOrManagerMixin

from . import services, webhooks
from .forms import ApiKeyForm, WebhookEndpointForm
from .models import ApiKey, WebhookDelivery, WebhookEndpoint


class ApiSettingsView(OwnerOrManagerMixin, View):
    template_name = "api/api_settings.html"

    def page(self, request, *, key_form=None, endpoint_form=None, new_key=None, new_secret=None, rotated=False, status=200):
        org = self.organisation
        deliveries = (
            WebhookDelivery.objects.filter(organisation=org)
            .select_related("event", "endpoint")
            .prefetch_related("attempt_log")
            .order_by("-created_at", "-id")
        )
        context = {
            "keys": ApiKey.objects.filter(organisation=org).select_related("created_by"),
            "endpoints": WebhookEndpoint.objects.filter(organisation=org),
            "deliveries": paginate(request, deliveries),
            "failing_count": deliveries.filter(status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.REFUSED]).count(),
            "key_form": key_form or ApiKeyForm(),
            "endpoint_form": endpoint_form or WebhookEndpointForm(),
            "new_key": new_key,
            "new_secret": new_secret,
            "event_types": webhooks.SUBSCRIBABLE_TYPES,
            "rotated": rotated,
            "now": timezone.now(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.page(request)


class ApiKeyCreateView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request):
        form = ApiKeyForm(request.POST)
        if not form.is_valid():
            return self.page(request, key_form=form, status=422)
        try:
            _key, raw = services.api_key_create(actor=request.user, organisation=self.organisation, name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("api_settings:index")
        return self.page(request, new_key=raw)


class ApiKeyRevokeView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        key = get_object_or_404(ApiKey, pk=pk, organisation=self.organisation)
        try:
            services.api_key_revoke(actor=request.user, key=key)
            messages.success(request, _("The key was revoked."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("api_settings:index")


class WebhookEndpointCreateView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request):
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.page(request, endpoint_form=form, status=422)
        try:
            _endpoint, secret = services.webhook_endpoint_create(
                actor=request.user, organisation=self.organisation, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("api_settings:index")
        return self.page(request, new_secret=secret)


class WebhookEndpointDeleteView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk, organisation=self.organisation)
        try:
            services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
            messages.success(request, _("The endpoint was removed."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("api_settings:index")


class WebhookDeliveryResendView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        delivery = get_object_or_404(WebhookDelivery, pk=pk, endpoint__organisation=self.organisation)
        webhooks.delivery_resend(actor=request.user, delivery=delivery)
        messages.success(request, _("The event will be sent again in a moment."))
        return redirect("api_settings:index")


class WebhookEndpointTestView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk, organisation=self.organisation)
        webhooks.send_test_event(actor=request.user, organisation=self.organisation, endpoint=endpoint)
        messages.success(request, _("A test event is on its way; its delivery shows below."))
        return redirect("api_settings:index")


class WebhookSecretRotateView(ApiSettingsView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk, organisation=self.organisation)
        try:
            _endpoint, secret = services.webhook_secret_rotate(actor=request.user, endpoint=endpoint)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("api_settings:index")
        return self.page(request, new_secret=secret, rotated=True)
