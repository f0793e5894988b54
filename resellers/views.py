"""Resellers' pages: catalog discovery, the store list, feeds, inspection findings;
and the supplier's inspection report of its resellers. Views stay thin: who asks,
validate, one service, message + redirect (or an htmx partial)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import RedirectView, TemplateView

from accounts.models import Organisation
from accounts.views import OrganisationSignupView, client_of
from distribution.core.divisions import name_of
from distribution.core.errors import DomainError
from distribution.core.pagination import page_size, paginate
from distribution.core.params import parse_id
from distribution.core.permissions import (
    ResellerManagerMixin,
    ResellerMemberMixin,
    SupplierManagerMixin,
    SupplierMemberMixin,
)
from distribution.core.redirects import redirect_next
from suppliers.models import SKU, Partnership, Product
from suppliers.terms import price_annotations, skus_visible_to

from . import feeds, selectors, services, shop_services
from .forms import CatalogSearchForm, MarkupRuleForm, ResellerSignupForm, RetailPriceForm, StoreListFilterForm
from .markup import DEFAULT_FACTOR, MarkupRule, apply_markup
from .models import InspectionFinding, StoreListing
from .search import CatalogQuery, rounded_estimate, search_catalog, visible_suppliers


class ResellerPageMixin(ResellerMemberMixin):
    @property
    def reseller(self):
        reseller = getattr(self.organisation, "reseller", None)
        if reseller is None:
            raise Http404
        return reseller

    def can_manage(self) -> bool:
        return self.membership.can_manage


# --- discovery ------------------------------------------------------------------------------------


class CatalogSearchView(ResellerPageMixin, TemplateView):
    template_name = "resellers/catalog_search.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = CatalogSearchForm(self.request.GET or None)
        query = CatalogQuery()
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            query = CatalogQuery(
                q=d["q"].strip(),
                category_id=d["category"],
                province_code=d["province"] or "",
                price_min=d["price_min"],
                price_max=d["price_max"],
                supplier_id=d["supplier"].pk if d["supplier"] else None,
                in_stock=d["in_stock"],
                my_channel=d["my_channel"],
                sort=d["sort"] or "relevance",
                cursor=self.request.GET.get("cursor", ""),
            )
        result = search_catalog(reseller=self.reseller, query=query, per_page=page_size(self.request))
        params = self.request.GET.copy()
        params.pop("cursor", None)
        ctx.update(
            form=form,
            result=result,
            query=query,
            querystring=params.urlencode(),
            shown_count=number_format(rounded_estimate(result.count), force_grouping=True),
        )
        return ctx

    def get_template_names(self):
        if self.request.htmx:
            return [f"{self.template_name}#results"]
        return [self.template_name]


class CatalogProductView(ResellerPageMixin, TemplateView):
    """A listed product with its SKUs and the publish form (prices pre-filled by a rule on request)."""

    template_name = "resellers/product_detail.html"

    def get_context_data(self, errors=None, submitted=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        product = selectors.catalog_product(product_id=self.kwargs["pk"], reseller=self.reseller)
        partnership = selectors.partnerships_by_supplier(self.reseller).get(product.supplier_id)
        skus = list(product.skus.all())
        listed = selectors.listings_by_sku(reseller=self.reseller, sku_ids=[s.pk for s in skus])
        rule_form = MarkupRuleForm(self.request.GET if "rule" in self.request.GET else None)
        rule = rule_form.cleaned_data if rule_form.is_bound and rule_form.is_valid() else None
        submitted = submitted or {}
        rows = []
        for sku in skus:
            reseller_price = selectors.reseller_price_for(sku, partnership)
            supply = reseller_price.unit if reseller_price is not None else None
            listing = listed.get(sku.pk)
            price = submitted.get(sku.pk)
            if price is None and rule and supply is not None:
                price = apply_markup(
                    rule=rule["rule"],
                    supply_price=supply,
                    suggested=sku.suggested_retail_amount,
                    min_retail=sku.min_retail_amount,
                    max_retail=sku.max_retail_amount,
                    factor=rule["factor"],
                ).price
            if price is None:
                price = listing.retail_price_amount if listing else sku.suggested_retail_amount
            rows.append(
                {
                    "sku": sku,
                    "supply_price": supply,
                    "reseller_price": reseller_price,
                    "listing": listing,
                    "price": price,
                    "error": (errors or {}).get(f"price_{sku.pk}"),
                    "checked": (sku.pk in submitted) if submitted else (listing is None or not listing.is_published),
                }
            )
        supply_prices = [r["supply_price"] for r in rows if r["supply_price"] is not None]
        ctx.update(
            product=product,
            partnership=partnership,
            rows=rows,
            errors=errors or {},
            rule_form=rule_form if rule_form.is_bound else MarkupRuleForm(),
            can_publish=partnership is not None and partnership.status == "active" and self.can_manage(),
            supply_min=min(supply_prices) if supply_prices else None,
            supply_max=max(supply_prices) if supply_prices else None,
            retail_min=min((s.min_retail_amount for s in skus), default=None),
            retail_max=max((s.max_retail_amount for s in skus), default=None),
            available=sum(max(s.available, 0) for s in skus),
            location=f"{name_of(product.province_code)} {name_of(product.city_code)}",
        )
        return ctx


class StorePublishView(ResellerPageMixin, ResellerManagerMixin, View):
    """Publish the chosen SKUs of one product at the typed prices (all or nothing)."""

    def post(self, request, pk: int):
        product = selectors.catalog_product(product_id=pk, reseller=self.reseller)
        sku_ids = {s.pk for s in product.skus.all()}
        chosen = [int(v) for v in request.POST.getlist("skus") if v.isdigit() and int(v) in sku_ids]
        items = [services.PublishItem(sku_id=i, price=request.POST.get(f"price_{i}", "")) for i in chosen]
        try:
            listings = services.store_listing_publish(actor=request.user, reseller=self.reseller, items=items)
        except services.StoreListErrors as exc:
            for message in dict.fromkeys(exc.errors.values()):
                messages.error(request, message)
            view = CatalogProductView()
            view.setup(request, pk=pk)
            view.membership, view.organisation = self.membership, self.organisation
            submitted = {i.sku_id: i.price for i in items}
            return view.render_to_response(view.get_context_data(errors=exc.errors, submitted=submitted))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("resellers:catalog_product", pk=pk)
        messages.success(request, _("Published %(n)d SKU(s) to your store list.") % {"n": len(listings)})
        return redirect("resellers:store_list")


class CatalogSupplierView(RedirectView):
    """The old reseller-side profile address: the canonical profile is ``partners:supplier_profile``."""

    permanent = True
    pattern_name = "partners:supplier_profile"


# --- store list ------------------------------------------------------------------------------------


class StoreListView(ResellerPageMixin, TemplateView):
    template_name = "resellers/storelisting_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = StoreListFilterForm(self.request.GET or None)
        filters = selectors.StoreListFilters()
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            filters = selectors.StoreListFilters(
                status=d["status"], flagged=d["flagged"], supplier_id=d["supplier"], q=d["q"].strip(), shop_id=d["shop"]
            )
        page = paginate(self.request, selectors.store_listings(reseller=self.reseller, filters=filters))
        partnerships = selectors.partnerships_by_supplier(self.reseller)
        for listing in page.object_list:
            listing.reseller_price = selectors.reseller_price_for(listing.sku, partnerships.get(listing.supplier_id), priced=listing)
            listing.supply_price = listing.reseller_price.unit if listing.reseller_price is not None else None
        ctx.update(
            form=form,
            page=page,
            counts=selectors.store_list_counts(reseller=self.reseller),
            can_manage=self.can_manage(),
            partnerships=partnerships.values(),
            shops=selectors.reseller_shops(reseller=self.reseller),
        )
        return ctx


class ListingActionMixin(ResellerPageMixin, ResellerManagerMixin):
    def render_row(self, listing):
        from django.template.loader import render_to_string

        partnership = selectors.partnerships_by_supplier(self.reseller).get(listing.supplier_id)
        listing = selectors.store_listing(reseller=self.reseller, listing_id=listing.pk)
        listing.shown_title = listing.sku.product.approved_title if listing.sku.product.has_pending_changes else listing.sku.product.title
        listing.reseller_price = selectors.reseller_price_for(listing.sku, partnership, priced=listing)
        listing.supply_price = listing.reseller_price.unit if listing.reseller_price is not None else None
        html = render_to_string(
            "resellers/storelisting_list.html#row", {"listing": listing, "can_manage": True}, request=self.request
        )
        return HttpResponse(html)

    def done(self, request, listing, message: str):
        if request.htmx:
            return self.render_row(listing)
        messages.success(request, message)
        return redirect_next(request, reverse("resellers:store_list"))

    def failed(self, request, message: str):
        if request.htmx:
            return HttpResponse(f'<div class="alert alert-danger m-0" role="alert">{_escape(message)}</div>', status=422)
        messages.error(request, message)
        return redirect_next(request, reverse("resellers:store_list"))


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


class ListingPriceView(ListingActionMixin, View):
    def post(self, request, pk: int):
        listing = selectors.store_listing(reseller=self.reseller, listing_id=pk)
        form = RetailPriceForm(request.POST)
        if not form.is_valid():
            return self.failed(request, " ".join(form.errors.get("retail_price", [])))
        try:
            listing = services.store_listing_set_price(
                actor=request.user, reseller=self.reseller, listing_id=listing.pk, price=form.cleaned_data["retail_price"]
            )
        except DomainError as exc:
            return self.failed(request, exc.message)
        return self.done(request, listing, _("Retail price of %(code)s saved.") % {"code": listing.sku.code})


class ListingUnpublishView(ListingActionMixin, View):
    def post(self, request, pk: int):
        listing = selectors.store_listing(reseller=self.reseller, listing_id=pk)
        try:
            listing = services.store_listing_unpublish(actor=request.user, reseller=self.reseller, listing_id=listing.pk)
        except DomainError as exc:
            return self.failed(request, exc.message)
        return self.done(request, listing, _("%(code)s unpublished.") % {"code": listing.sku.code})


class ListingRepublishView(ListingActionMixin, View):
    def post(self, request, pk: int):
        listing = selectors.store_listing(reseller=self.reseller, listing_id=pk)
        try:
            listing = services.store_listing_republish(actor=request.user, reseller=self.reseller, listing_id=listing.pk)
        except DomainError as exc:
            return self.failed(request, exc.message)
        return self.done(request, listing, _("%(code)s published again.") % {"code": listing.sku.code})


class BulkPublishView(ResellerPageMixin, TemplateView):
    """Publish many SKUs of one partnered supplier by a markup rule: preview (GET), then apply (POST)."""

    template_name = "resellers/storelisting_bulk.html"

    def candidates(self, supplier_id: int):
        from django.db.models import Count, Q

        shop_count = len(selectors.reseller_shops(reseller=self.reseller))
        published_here = Q(store_listings__reseller=self.reseller, store_listings__status=StoreListing.Status.PUBLISHED)
        skus = SKU.objects.filter(
            supplier_id=supplier_id, is_active=True, product__status=Product.Status.LISTED, supplier__in=visible_suppliers()
        )
        return (
            skus_visible_to(skus, self.reseller.pk, timezone.now())  # product lines (suppliers.terms)
            .annotate(published_in=Count("store_listings", filter=published_here), **price_annotations(self.reseller.pk))
            .filter(published_in__lt=shop_count)
            .select_related("product")
            .order_by("product_id", "code")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        partnerships = {p.supplier_id: p for p in selectors.partnerships_by_supplier(self.reseller).values() if p.status == "active"}
        supplier_id = self.request.GET.get("supplier") or self.request.POST.get("supplier")
        partnership = partnerships.get(int(supplier_id)) if supplier_id and str(supplier_id).isdigit() else None
        form = MarkupRuleForm(self.request.GET if "rule" in self.request.GET else None)
        rows, page = [], None
        if partnership is not None:
            page = paginate(self.request, self.candidates(partnership.supplier_id), per_page=100)
            rule = {"rule": MarkupRule.SUGGESTED, "factor": DEFAULT_FACTOR}
            if form.is_bound and form.is_valid():
                rule = form.cleaned_data
            for sku in page.object_list:
                reseller_price = selectors.reseller_price_for(sku, partnership)
                supply = reseller_price.unit
                result = apply_markup(
                    rule=rule["rule"], supply_price=supply, suggested=sku.suggested_retail_amount,
                    min_retail=sku.min_retail_amount, max_retail=sku.max_retail_amount, factor=rule["factor"],
                )
                rows.append(
                    {"sku": sku, "supply_price": supply, "reseller_price": reseller_price, "price": result.price, "clamped": result.clamped}
                )
            ctx["rule"] = rule
        ctx.update(
            partnerships=partnerships.values(), partnership=partnership, form=form if form.is_bound else MarkupRuleForm(),
            rows=rows, page=page, can_manage=self.can_manage(),
            shops=selectors.reseller_shops(reseller=self.reseller),
        )
        return ctx

    def post(self, request):
        if not self.can_manage():
            raise_permission()
        form = MarkupRuleForm(request.POST)
        supplier_id = request.POST.get("supplier", "")
        back = reverse("resellers:bulk_publish") + f"?supplier={supplier_id}"
        if not form.is_valid():
            messages.error(request, _("Choose a valid price rule."))
            return redirect(back)
        sku_ids = [int(v) for v in request.POST.getlist("skus") if v.isdigit()]
        if not supplier_id.isdigit():
            raise Http404
        allowed = set(self.candidates(int(supplier_id)).filter(pk__in=sku_ids).values_list("pk", flat=True))
        shop_ids = [int(v) for v in request.POST.getlist("shops") if v.isdigit()]
        if not shop_ids:
            shop_ids = [selectors.reseller_shops(reseller=self.reseller)[0].pk]
        try:
            published = shop_services.store_listings_publish_to_shops(
                actor=request.user, reseller=self.reseller, sku_ids=sorted(allowed), shop_ids=shop_ids,
                rule=form.cleaned_data["rule"], factor=form.cleaned_data["factor"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        for shop, listings in published.items():
            messages.success(request, _("Published %(n)d SKU(s) in %(shop)s.") % {"n": len(listings), "shop": shop.name})
        return redirect("resellers:store_list")


def raise_permission():
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied(_("Only owners and managers change prices."))


# --- feeds --------------------------------------------------------------------------------------


class FeedIndexView(ResellerPageMixin, TemplateView):
    template_name = "resellers/feed_index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["partnerships"] = list(selectors.partnerships_by_supplier(self.reseller).values())
        ctx["counts"] = selectors.store_list_counts(reseller=self.reseller)
        ctx["shops"] = selectors.reseller_shops(reseller=self.reseller)
        return ctx


def _updated_since(request) -> datetime | None:
    raw = request.GET.get("updated_since", "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise ValueError(raw)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


class FeedView(ResellerPageMixin, View):
    kind = "products"  # or "stock"

    def get(self, request, fmt: str):
        try:
            since = _updated_since(request)
        except ValueError:
            return HttpResponseBadRequest(
                _("updated_since must be an ISO 8601 date and time, e.g. 2026-11-28T08:00:00+08:00."),
                content_type="text/plain; charset=utf-8",
            )
        reseller, now = self.reseller, timezone.now()
        shop = selectors.reseller_shop(reseller=reseller, shop_id=request.GET["shop"]) if request.GET.get("shop", "").isdigit() else None
        if self.kind == "products":
            rows, columns = feeds.product_rows(reseller, updated_since=since, shop=shop), feeds.PRODUCT_COLUMNS
        else:
            rows, columns = feeds.stock_rows(reseller, updated_since=since, shop=shop), feeds.STOCK_COLUMNS
        services.feed_record_sync(reseller=reseller, now=now)
        stamp = now.strftime("%Y%m%d-%H%M%S")
        filename = f"{self.kind}-{stamp}.{fmt}"
        if fmt == "csv":
            # the product CSV is built by PostgreSQL (COPY) when it can be; the same bytes either way
            copied = feeds.product_csv_copy(reseller, updated_since=since, shop=shop) if self.kind == "products" else None
            content = copied if copied is not None else feeds.csv_stream(rows, columns)
            response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        elif fmt == "json":
            response = StreamingHttpResponse(feeds.json_stream(rows, generated_at=now), content_type="application/json; charset=utf-8")
        elif fmt == "xlsx":
            handle = feeds.xlsx_file(rows, columns, sheet_title=self.kind)
            return FileResponse(
                handle, as_attachment=True, filename=filename,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- inspection: reseller side -------------------------------------------------------------------


class FindingListView(ResellerPageMixin, TemplateView):
    template_name = "resellers/finding_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        show_all = self.request.GET.get("all") == "1"
        shop_id = int(self.request.GET["shop"]) if self.request.GET.get("shop", "").isdigit() else None
        page = paginate(self.request, selectors.reseller_findings(reseller=self.reseller, open_only=not show_all, shop_id=shop_id))
        ctx.update(
            page=page, show_all=show_all, can_manage=self.can_manage(), Kind=InspectionFinding.Kind,
            shops=selectors.reseller_shops(reseller=self.reseller), shop_id=shop_id,
        )
        return ctx


class FindingFixView(ResellerPageMixin, ResellerManagerMixin, View):
    def post(self, request, pk: int):
        finding = get_object_or_404(InspectionFinding.objects.filter(reseller=self.reseller), pk=pk)
        try:
            services.inspection_finding_fix(actor=request.user, reseller=self.reseller, finding_id=finding.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Fixed: %(kind)s.") % {"kind": finding.get_kind_display()})
        return redirect("resellers:findings")


# --- inspection: supplier side -------------------------------------------------------------------


class SupplierPageMixin(SupplierMemberMixin):
    @property
    def supplier(self):
        supplier = getattr(self.organisation, "supplier", None)
        if supplier is None:
            raise Http404
        return supplier


class InspectionListView(SupplierPageMixin, TemplateView):
    template_name = "resellers/inspection_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = paginate(self.request, selectors.supplier_inspection_overview(supplier=self.supplier))
        return ctx


class InspectionReportView(SupplierPageMixin, TemplateView):
    template_name = "resellers/inspection_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        reseller = selectors.supplier_reseller_for_report(supplier=self.supplier, reseller_id=self.kwargs["pk"])
        findings = selectors.supplier_findings(supplier=self.supplier, reseller=reseller)
        ctx.update(
            reseller=reseller,
            page=paginate(self.request, findings),
            open_count=findings.filter(resolved_at__isnull=True).count(),
            can_warn=self.membership.can_manage,
        )
        return ctx


class InspectionWarnView(SupplierPageMixin, SupplierManagerMixin, View):
    def post(self, request, pk: int):
        reseller = selectors.supplier_reseller_for_report(supplier=self.supplier, reseller_id=pk)
        try:
            n = services.inspection_warning_send(actor=request.user, supplier=self.supplier, reseller=reseller)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Warning sent to %(reseller)s about %(n)d finding(s).") % {"reseller": reseller.name, "n": n})
        return redirect("resellers:inspection_detail", pk=reseller.pk)


class ResellerSignupView(OrganisationSignupView):
    form_class = ResellerSignupForm
    kind = Organisation.Kind.RESELLER

    def register(self, *, user, form):
        services.reseller_register(
            user=user, agreement=form.cleaned_data["agreement_version"], **form.profile_data(), **client_of(self.request)
        )


class DownloadRecordsView(SupplierPageMixin, TemplateView):
    """下載記錄: which resellers published which of the supplier's products, in which shop, when, at what price."""

    template_name = "resellers/download_records.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = StoreListing.objects.filter(supplier_id=self.supplier.pk).select_related("reseller", "shop", "sku", "sku__product")
        reseller_id = parse_id(self.request.GET.get("reseller"))
        q = (self.request.GET.get("q") or "").strip()[:100]
        status = self.request.GET.get("status") or ""
        if reseller_id:
            qs = qs.filter(reseller_id=reseller_id)
        if q:
            qs = qs.filter(Q(sku__code__icontains=q) | Q(sku__product__title__icontains=q) | Q(item_code__icontains=q))
        if status in StoreListing.Status.values:
            qs = qs.filter(status=status)
        counts = StoreListing.objects.filter(supplier_id=self.supplier.pk).aggregate(
            total=Count("id"),
            published=Count("id", filter=Q(status=StoreListing.Status.PUBLISHED)),
            resellers=Count("reseller_id", distinct=True),
            shops=Count("shop_id", distinct=True),
        )
        resellers = Partnership.objects.filter(supplier_id=self.supplier.pk).select_related("reseller").order_by("reseller__name")
        ctx.update(
            page=paginate(self.request, qs.order_by(F("published_at").desc(nulls_last=True), "-id")),
            counts=counts,
            resellers=[p.reseller for p in resellers],
            statuses=StoreListing.Status.choices,
            filters={"reseller": reseller_id, "q": q, "status": status},
        )
        return ctx
