"""The reseller's shops page (list, add, edit) and the item-code edit of a store-list entry."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from distribution.core.errors import DomainError
from distribution.core.permissions import ResellerManagerMixin

from . import selectors, shop_services
from .forms import ItemCodeForm, ShopForm
from .views import ListingActionMixin, ResellerPageMixin


class ShopListView(ResellerPageMixin, TemplateView):
    template_name = "resellers/shop_list.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        shops = selectors.reseller_shops(reseller=self.reseller)
        counts = selectors.shop_listing_counts(reseller=self.reseller)
        for shop in shops:
            shop.listing_count = counts.get(shop.pk, 0)
        ctx.update(shops=shops, form=form or ShopForm(), can_manage=self.can_manage())
        return ctx

    def post(self, request):
        if not self.can_manage():
            from .views import raise_permission

            raise_permission()
        form = ShopForm(request.POST)
        if form.is_valid():
            try:
                shop = shop_services.shop_create(actor=request.user, reseller=self.reseller, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Shop %(name)s added.") % {"name": shop.name})
                return redirect("resellers:shops")
        return self.render_to_response(self.get_context_data(form=form), status=422)


class ShopEditView(ResellerPageMixin, ResellerManagerMixin, TemplateView):
    template_name = "resellers/shop_edit.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        shop = selectors.reseller_shop(reseller=self.reseller, shop_id=self.kwargs["pk"])
        initial = {"name": shop.name, "channel_type": shop.channel_type, "platform": shop.platform, "url": shop.url}
        ctx.update(shop=shop, form=form or ShopForm(initial=initial))
        return ctx

    def post(self, request, pk: int):
        form = ShopForm(request.POST)
        if form.is_valid():
            try:
                shop_services.shop_update(actor=request.user, reseller=self.reseller, shop_id=pk, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Shop saved."))
                return redirect("resellers:shops")
        return self.render_to_response(self.get_context_data(form=form), status=422)


class ListingItemCodeView(ListingActionMixin, View):
    def post(self, request, pk: int):
        listing = selectors.store_listing(reseller=self.reseller, listing_id=pk)
        form = ItemCodeForm(request.POST)
        if not form.is_valid():
            return self.failed(request, " ".join(form.errors.get("item_code", [])))
        try:
            listing = shop_services.store_listing_set_item_code(
                actor=request.user, reseller=self.reseller, listing_id=listing.pk, item_code=form.cleaned_data["item_code"]
            )
        except DomainError as exc:
            return self.failed(request, exc.message)
        return self.done(request, listing, _("Item code of %(code)s saved.") % {"code": listing.sku.code})
