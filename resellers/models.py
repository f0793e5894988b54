"""Resellers own: their business profile, store list of distributed products, feeds and inspections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from suppliers.models import ChannelType


class Reseller(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="reseller"
    )
    name = models.CharField(_("name"), max_length=200)
    channel_type = models.CharField(_("channel type"), max_length=32, choices=ChannelType.choices)
    store_name = models.CharField(_("store name"), max_length=200)
    store_url = models.URLField(_("store URL"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    auto_pay = models.BooleanField(_("auto-pay purchase orders"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reseller")
        verbose_name_plural = _("resellers")

    def __str__(self) -> str:
        return self.name
