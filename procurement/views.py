"""Pages for purchase orders: the reseller's (place, list, detail, actions, address book) and the supplier's
(ship queue, CSV export, ship, bulk ship, cancel). Thin: check who asks, validate, call one service."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Penalty
from distribution.core.csv_stream import csv_lines
from distribution.core.divisions import is_province
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.once import SubmitOnceMixin
from distribution.core.pagination import paginate
from distribution.core.params import parse_id
from distribution.core.permissions import ResellerMemberMixin, SupplierMemberMixin
from suppliers.models import SKU, CooperationTerms, Partnership, Product
from suppliers.selectors.partnerships import key_accounts_of
from suppliers.terms import price_annotations, reseller_price_of, skus_visible_to, terms_summary

from . import bulk, selectors, services
from .address_parser import parse_address
from .carriers import CARRIERS
from .forms import AddressForm, BulkShipForm, PasteAddressForm, PlaceOrderForm, ReasonForm, ShipForm
from .models import PurchaseOrder, SavedAddress

Status = PurchaseOrder.Status


def _deadline(po: PurchaseOrder):
    """The one deadline running now, with what happens at it."""
    if po.status == Status.AWAITING_PAYMENT:
        return po.pay_by, _("Closes if unpaid at")
    if po.status == Status.PAID:
        return po.ship_by, _("Refunded if not shipped by")
    if po.status == Status.SHIPPED:
        return po.confirm_by, _("Confirmed automatically at")
    return None, ""


def _timeline_context(po: PurchaseOrder) -> dict:
    deadline, deadline_label = _deadline(po)
    return {
        "po": po,
        "lines": list(po.lines.all()),
        "packages": list(po.packages.prefetch_related("lines__line")),
        "carriers": CARRIERS,
        "transitions": list(po.transitions.select_related("actor")),
        "deadline": deadline,
        "deadline_label": deadline_label,
        "now": timezone.now(),
    }


# --- reseller ---------------------------------------------------------------------------


class ResellerPOListView(ResellerMemberMixin, View):
    def get(self, request):
        status = request.GET.get("status", "")
        q = request.GET.get("q", "").strip()[:50]
        shop = request.GET.get("shop", "")
        shop_id = int(shop) if shop.isdigit() else None
        page = paginate(request, selectors.purchase_orders_for_reseller(self.organisation.pk, status=status, q=q, shop_id=shop_id))
        counts = selectors.status_counts(reseller_id=self.organisation.pk)
        from resellers.models import Shop

        return render(
            request,
            "procurement/purchaseorder_reseller_list.html",
            {
                "page": page,
                "status": status,
                "q": q,
                "counts": counts,
                "statuses": Status.choices,
                "auto_pay": self.organisation.reseller.auto_pay,
                "shops": list(Shop.objects.filter(reseller_id=self.organisation.pk)),
                "shop_id": shop_id,
                "export_query": request.GET.urlencode(),
            },
        )


class ResellerPODetailView(ResellerMemberMixin, View):
    def get(self, request, number):
        po = selectors.purchase_order_for_reseller(self.organisation.pk, number)
        context = _timeline_context(po)
        context["address_form"] = AddressForm(
            initial={
                "recipient": po.recipient,
                "mobile": po.mobile,
                "province": po.province_code,
                "city": po.city_code,
                "district": po.district_code,
                "street": po.street,
                "postal_code": po.postal_code,
            },
            prefix="addr",
        )
        context.update(
            can_pay=po.status == Status.AWAITING_PAYMENT,
            can_cancel=po.status == Status.AWAITING_PAYMENT,
            can_confirm=po.status == Status.SHIPPED,
            can_edit_address=po.address_editable,
        )
        return render(request, "procurement/purchaseorder_reseller_detail.html", context)


class _ResellerPOAction(ResellerMemberMixin, SubmitOnceMixin, View):
    def once_fallback_url(self) -> str:
        return reverse("procurement:reseller_po_detail", args=[self.kwargs["number"]])

    def post(self, request, number):
        po = selectors.purchase_order_for_reseller(self.organisation.pk, number)
        try:
            self.act(po)
        except DomainError as exc:
            if exc.code == "insufficient_balance":
                messages.error(
                    request,
                    format_html('{} <a href="/wallet/">{}</a>', exc.message, _("Top up your wallet")),
                )
            else:
                messages.error(request, exc.message)
        else:
            messages.success(request, self.done)
        return redirect("procurement:reseller_po_detail", number=po.number)


class ResellerPOPayView(_ResellerPOAction):
    @property
    def done(self):
        return _("Paid. The supplier has been asked to ship.")

    def act(self, po):
        services.purchase_order_pay(actor=self.request.user, purchase_order=po)


class ResellerPOCancelView(_ResellerPOAction):
    @property
    def done(self):
        return _("The purchase order was cancelled and the stock released.")

    def act(self, po):
        services.purchase_order_cancel(actor=self.request.user, purchase_order=po)


class ResellerPOConfirmView(_ResellerPOAction):
    @property
    def done(self):
        return _("Receipt confirmed. The payment was released to the supplier.")

    def act(self, po):
        services.purchase_order_confirm_receipt(actor=self.request.user, purchase_order=po)


class ResellerPOAddressView(ResellerMemberMixin, View):
    def post(self, request, number):
        po = selectors.purchase_order_for_reseller(self.organisation.pk, number)
        form = AddressForm(request.POST, prefix="addr")
        if form.is_valid():
            try:
                services.purchase_order_update_address(actor=request.user, purchase_order=po, address=form.address())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Address changed; the supplier has been told."))
                return redirect("procurement:reseller_po_detail", number=po.number)
        context = _timeline_context(po)
        context.update(address_form=form, can_edit_address=po.address_editable, show_address_form=True)
        return render(request, "procurement/purchaseorder_reseller_detail.html", context, status=422)


class AutoPayView(ResellerMemberMixin, View):
    def post(self, request):
        enabled = request.POST.get("enabled") == "1"
        services.reseller_auto_pay_set(actor=request.user, reseller=self.organisation.reseller, enabled=enabled)
        messages.success(request, _("Auto-pay is on.") if enabled else _("Auto-pay is off."))
        return redirect("procurement:reseller_po_list")


def _orderable_skus(reseller_id: int, now):
    live = Partnership.objects.live(now).filter(reseller_id=reseller_id)
    qs = SKU.objects.filter(
        supplier_id__in=live.values("supplier_id"),
        product__status=Product.Status.LISTED,
        is_active=True,
        supplier__status="active",
    ).exclude(supplier_id__in=Penalty.objects.suspending_listing(now).values("organisation_id"))
    # product lines hide, and the reseller's own price and the price breaks price (suppliers.terms)
    return skus_visible_to(qs, reseller_id, now).select_related("product", "supplier").annotate(**price_annotations(reseller_id))


def _unit_price(sku: SKU, discounts: dict[int, Decimal]) -> Decimal:
    """What the reseller pays for one piece of ``sku`` (its own price, else its tier's): the quote gives the rest."""
    return reseller_price_of(sku, supply_price=sku.supply_price_amount, discount=discounts.get(sku.supplier_id, Decimal(0))).unit


def _discounts(reseller_id: int) -> dict[int, Decimal]:
    return dict(Partnership.objects.live().filter(reseller_id=reseller_id).values_list("supplier_id", "tier__discount_percent"))


class PlaceView(ResellerMemberMixin, SubmitOnceMixin, View):
    template = "procurement/purchaseorder_place.html"

    def _lines_from_post(self, request) -> list[dict]:
        ids = request.POST.getlist("sku")
        quantities = request.POST.getlist("quantity")
        prices = request.POST.getlist("retail_price")
        return [{"sku_id": s, "quantity": q, "retail_price": p} for s, q, p in zip(ids, quantities, prices, strict=False) if s]

    def _rows(self, lines: list[dict]) -> list[dict]:
        ids = [int(line["sku_id"]) for line in lines if str(line["sku_id"]).isdigit()]
        skus = _orderable_skus(self.organisation.pk, timezone.now()).in_bulk(ids)
        discounts = _discounts(self.organisation.pk)
        rows = []
        for line in lines:
            sku = skus.get(int(line["sku_id"])) if str(line["sku_id"]).isdigit() else None
            if sku is not None:
                rows.append(
                    {
                        "sku": sku,
                        "quantity": line["quantity"],
                        "retail_price": line["retail_price"],
                        "unit_price": _unit_price(sku, discounts),
                    }
                )
        return rows

    def _render(self, request, *, form, address_form, rows, errors=None, duplicates=None, status=200):
        saved = SavedAddress.objects.filter(reseller_id=self.organisation.pk)[:50]
        return render(
            request,
            self.template,
            {
                "form": form,
                "address_form": address_form,
                "paste_form": PasteAddressForm(),
                "rows": rows,
                "line_errors": errors or [],
                "duplicates": duplicates or [],
                "saved_addresses": saved,
            },
            status=status,
        )

    def get(self, request):
        lines = []
        if sku_id := parse_id(request.GET.get("sku")):
            sku = _orderable_skus(self.organisation.pk, timezone.now()).filter(pk=sku_id).first()
            if sku:
                lines = [{"sku_id": str(sku.pk), "quantity": "1", "retail_price": str(sku.suggested_retail_amount)}]
        return self._render(request, form=PlaceOrderForm(), address_form=AddressForm(prefix="addr"), rows=self._rows(lines))

    def post(self, request):
        form = PlaceOrderForm(request.POST)
        address_form = AddressForm(request.POST, prefix="addr")
        lines = self._lines_from_post(request)
        rows = self._rows(lines)
        errors: list[str] = []
        if not lines:
            errors.append(_("Add at least one SKU."))
        if form.is_valid() and address_form.is_valid() and not errors and not form.cleaned_data["confirm_duplicate"]:
            duplicates = selectors.duplicate_po_numbers(
                reseller_id=self.organisation.pk, consumer_order_ref=form.cleaned_data["consumer_order_ref"]
            )
            if duplicates:
                return self._render(request, form=form, address_form=address_form, rows=rows, duplicates=duplicates, status=409)
        if form.is_valid() and address_form.is_valid() and not errors:
            try:
                placed = services.purchase_orders_place_cart(
                    actor=request.user,
                    reseller=self.organisation.reseller,
                    lines=lines,
                    consumer_order_ref=form.cleaned_data["consumer_order_ref"],
                    address=address_form.address(),
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                if exc.field and exc.field.startswith("lines") or exc.field is None:
                    errors.append(exc.message)
                else:
                    add_domain_error(form if exc.field in form.fields else address_form, exc)
            else:
                if form.cleaned_data["save_address"]:
                    # the address was valid for the order; saving it is a convenience
                    with contextlib.suppress(DomainError):
                        services.saved_address_create(
                            actor=request.user, reseller=self.organisation.reseller, address=address_form.address()
                        )
                numbers = ", ".join(po.number for po in placed)
                messages.success(request, _("Placed %(numbers)s.") % {"numbers": numbers})
                return redirect("procurement:reseller_po_detail", number=placed[0].number)
        return self._render(request, form=form, address_form=address_form, rows=rows, errors=errors, status=422)


class QuoteView(ResellerMemberMixin, View):
    """htmx: the PO form's live quote, per supplier: every term, the lines as priced, goods, shipping, total."""

    def post(self, request):
        lines = PlaceView._lines_from_post(self, request)  # noqa: SLF001 (the same form fields)
        address_form = AddressForm(request.POST, prefix="addr")
        province = request.POST.get("addr-province") or ""
        if address_form.is_valid():
            address, province = address_form.address(), None
        else:
            address, province = None, (province if is_province(province) else None)
        quotes, error = [], None
        if lines:
            try:
                quotes = services.purchase_order_quote(
                    reseller=self.organisation.reseller, lines=lines, address=address, province=province, one_supplier=False
                )
            except DomainError as exc:
                error = exc.message
        terms = {
            t.supplier_id: terms_summary(t)
            for t in CooperationTerms.objects.filter(supplier_id__in=[q.supplier_id for q in quotes]).select_related("shipping_template")
        }
        for quote in quotes:
            quote.terms = terms.get(quote.supplier_id) or terms_summary(None)
        ctx = {"quotes": quotes, "quote_error": error, "has_lines": bool(lines)}
        return render(request, "procurement/purchaseorder_place.html#quote", ctx)


class SKUSearchView(ResellerMemberMixin, View):
    """htmx: SKUs of partnered suppliers matching a title or SKU code."""

    def get(self, request):
        q = request.GET.get("q", "").strip()
        skus = []
        if q:
            skus = list(
                _orderable_skus(self.organisation.pk, timezone.now())
                .filter(Q(code__icontains=q) | Q(product__title__icontains=q))
                .order_by("product__title", "code")[:20]
            )
        discounts = _discounts(self.organisation.pk)
        for sku in skus:
            sku.unit_price = _unit_price(sku, discounts)
        return render(request, "procurement/purchaseorder_place.html#sku_results", {"skus": skus, "q": q})


class LineRowView(ResellerMemberMixin, View):
    """htmx: one cart row for a SKU."""

    def get(self, request):
        sku_id = parse_id(request.GET.get("sku"))
        sku = _orderable_skus(self.organisation.pk, timezone.now()).filter(pk=sku_id).first() if sku_id else None
        if sku is None:
            return HttpResponse("")
        discounts = _discounts(self.organisation.pk)
        row = {
            "sku": sku,
            "quantity": 1,
            "retail_price": sku.suggested_retail_amount,
            "unit_price": _unit_price(sku, discounts),
        }
        return render(request, "procurement/purchaseorder_place.html#line_row", {"row": row})


class AddressFieldsView(ResellerMemberMixin, View):
    """htmx: the address fieldset re-rendered (after a province/city change, a paste, or a saved address)."""

    def get(self, request):
        initial = {
            k: request.GET.get(f"addr-{k}", "") for k in ("recipient", "mobile", "province", "city", "district", "street", "postal_code")
        }
        if request.GET.get("changed") == "province":
            initial["city"] = initial["district"] = ""
        elif request.GET.get("changed") == "city":
            initial["district"] = ""
        saved_id = parse_id(request.GET.get("saved"))
        missing: list[str] = []
        postal_guessed = False
        if saved_id:
            saved = SavedAddress.objects.filter(reseller_id=self.organisation.pk, pk=saved_id).first()
            if saved:
                initial = {
                    "recipient": saved.recipient,
                    "mobile": saved.mobile,
                    "province": saved.province_code,
                    "city": saved.city_code,
                    "district": saved.district_code,
                    "street": saved.street,
                    "postal_code": saved.postal_code,
                }
        if request.GET.get("text"):
            # a postcode in the text is taken; else the district's is filled in (and said so)
            parsed = parse_address(request.GET["text"])
            initial = parsed.as_initial()
            missing = parsed.missing
            postal_guessed = parsed.postal_code_guessed
        form = AddressForm(initial=initial, prefix="addr")
        labels = [str(form.fields[m].label) for m in missing if m in form.fields]
        return render(
            request, "procurement/purchaseorder_place.html#address_fields",
            {"address_form": form, "missing": labels, "postal_guessed": postal_guessed},
        )


class SavedAddressListView(ResellerMemberMixin, View):
    template = "procurement/savedaddress_list.html"

    def _render(self, request, form, status=200):
        page = paginate(request, SavedAddress.objects.filter(reseller_id=self.organisation.pk))
        return render(request, self.template, {"page": page, "address_form": form}, status=status)

    def get(self, request):
        return self._render(request, AddressForm(prefix="addr"))

    def post(self, request):
        if "delete" in request.POST:
            saved_address_id = parse_id(request.POST["delete"])
            if saved_address_id is None:
                raise Http404
            services.saved_address_delete(actor=request.user, reseller=self.organisation.reseller, saved_address_id=saved_address_id)
            messages.success(request, _("Address deleted."))
            return redirect("procurement:saved_addresses")
        form = AddressForm(request.POST, prefix="addr")
        if form.is_valid():
            try:
                services.saved_address_create(actor=request.user, reseller=self.organisation.reseller, address=form.address())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Address saved."))
                return redirect("procurement:saved_addresses")
        return self._render(request, form, status=422)


# --- supplier --------------------------------------------------------------------------


class SupplierPOListView(SupplierMemberMixin, View):
    """The ship queue (paid POs, most urgent first) by default; any status, or ``?status=all``."""

    def get(self, request):
        status = request.GET.get("status", Status.PAID)
        status = "" if status not in Status.values else status
        q = request.GET.get("q", "").strip()[:50]
        now = timezone.now()
        overdue_only = request.GET.get("overdue") == "1"
        soon = now + timedelta(days=3)
        if status == Status.PAID:
            qs = selectors.ship_queue(self.organisation.pk, q=q, overdue_at=soon if overdue_only else None)
        else:
            qs = selectors.purchase_orders_for_supplier(self.organisation.pk, status=status, q=q).order_by("-placed_at", "-id")
        mine = request.GET.get("mine") == "1"
        if mine:  # my key accounts
            qs = qs.filter(reseller_id__in=key_accounts_of(self.organisation.pk, request.user.pk))
        page = paginate(request, qs.prefetch_related("lines"))  # the goods and their variants, for the warehouse
        counts = selectors.status_counts(supplier_id=self.organisation.pk)
        due_soon = PurchaseOrder.objects.filter(supplier_id=self.organisation.pk, status=Status.PAID, ship_by__lte=soon).count()
        return render(
            request,
            "procurement/purchaseorder_supplier_list.html",
            {
                "page": page,
                "status": status,
                "q": q,
                "counts": counts,
                "statuses": Status.choices,
                "due_soon": due_soon,
                "soon": soon,
                "overdue_only": overdue_only,
                "mine": mine,
                "bulk_form": BulkShipForm(),
            },
        )


class SupplierShipQueueCSVView(SupplierMemberMixin, View):
    """The paid POs to ship, streamed as CSV (UTF-8 with BOM so spreadsheet programs read Chinese)."""

    HEADER = [
        "number",
        "placed_at",
        "ship_by",
        "recipient",
        "mobile",
        "province",
        "city",
        "district",
        "street",
        "postal_code",
        "sku",
        "title",
        "variant",
        "quantity",
        "note",
    ]

    def rows(self, supplier_id):
        return csv_lines(self.HEADER, self._rows(supplier_id))

    def _rows(self, supplier_id):
        qs = selectors.ship_queue(supplier_id).prefetch_related("lines")
        for po in qs.iterator(chunk_size=200):
            for line in po.lines.all():
                yield (
                    [
                        po.number,
                        timezone.localtime(po.placed_at).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(po.ship_by).strftime("%Y-%m-%d %H:%M") if po.ship_by else "",
                        po.recipient,
                        po.mobile,
                        po.province_name,
                        po.city_name,
                        po.district_name,
                        po.street,
                        po.postal_code,
                        line.code,
                        line.title,
                        line.variant_label,
                        line.quantity,
                        po.note,
                    ]
                )

    def get(self, request):
        response = StreamingHttpResponse(self.rows(self.organisation.pk), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ship-queue-{timezone.localdate():%Y%m%d}.csv"'
        return response


class SupplierBulkShipView(SupplierMemberMixin, SubmitOnceMixin, View):
    def once_fallback_url(self) -> str:
        return reverse("procurement:supplier_po_list")

    def post(self, request):
        form = BulkShipForm(request.POST, request.FILES)
        if not form.is_valid():
            for error in form.errors.get("file", []):
                messages.error(request, error)
            return redirect("procurement:supplier_po_list")
        try:
            shipped = bulk.purchase_orders_bulk_ship(
                actor=request.user, supplier=self.organisation.supplier, rows=form.cleaned_data["file"]
            )
        except bulk.BulkShipFailed as exc:
            return render(
                request, "procurement/purchaseorder_bulk_ship_errors.html", {"errors": exc.errors, "message": exc.message}, status=422
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("procurement:supplier_po_list")
        messages.success(request, _("%(count)s purchase orders shipped.") % {"count": len(shipped)})
        return redirect("procurement:supplier_po_list")


class SupplierPODetailView(SupplierMemberMixin, View):
    def get(self, request, number, ship_form=None, reason_form=None, package_form=None, tracking_form=None, status=200):
        po = selectors.purchase_order_for_supplier(self.organisation.pk, number)
        context = _timeline_context(po)
        shipped = services.shipped_quantities(po.pk)
        for line in context["lines"]:
            line.left_to_ship = line.quantity - shipped.get(line.pk, 0)
        context.update(
            ship_form=ship_form or ShipForm(),
            package_form=package_form or ShipForm(prefix="pkg"),
            tracking_form=tracking_form or ShipForm(prefix="fix"),
            reason_form=reason_form or ReasonForm(),
            can_ship=po.status == Status.PAID,
            can_split=po.status == Status.PAID and len(context["lines"]) > 0,
            can_correct=bool(context["packages"]) and po.status in services.CORRECTABLE,
            can_cancel=po.status == Status.PAID and po.first_shipped_at is None,
            money=selectors.money_split(po),
        )
        return render(request, "procurement/purchaseorder_supplier_detail.html", context, status=status)


class SupplierPOShipView(SubmitOnceMixin, SupplierPODetailView):
    def post(self, request, number):
        po = selectors.purchase_order_for_supplier(self.organisation.pk, number)
        form = ShipForm(request.POST)
        if form.is_valid():
            try:
                services.purchase_order_ship(actor=request.user, purchase_order=po, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Shipped. The reseller has been told."))
                return redirect("procurement:supplier_po_detail", number=po.number)
        return self.get(request, number, ship_form=form, status=422)


class SupplierPOPackageView(SubmitOnceMixin, SupplierPODetailView):
    """Ship some lines and quantities as one package (``qty_<line id>`` fields)."""

    def post(self, request, number):
        po = selectors.purchase_order_for_supplier(self.organisation.pk, number)
        form = ShipForm(request.POST, prefix="pkg")
        if form.is_valid():
            quantities: dict[int, int] = {}
            for line_id in po.lines.values_list("pk", flat=True):
                raw = (request.POST.get(f"qty_{line_id}") or "0").strip()
                if not raw.isdigit():
                    form.add_error(None, _("Quantities are whole numbers of 0 or more."))
                    break
                quantities[line_id] = int(raw)
            else:
                try:
                    services.purchase_order_ship_package(actor=request.user, purchase_order=po, quantities=quantities, **form.cleaned_data)
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    messages.success(request, _("Package shipped. The reseller has been told."))
                    return redirect("procurement:supplier_po_detail", number=po.number)
        return self.get(request, number, package_form=form, status=422)


class SupplierPOTrackingView(SubmitOnceMixin, SupplierPODetailView):
    """Correct a shipped package's carrier or tracking number."""

    def post(self, request, number):
        po = selectors.purchase_order_for_supplier(self.organisation.pk, number)
        form = ShipForm(request.POST, prefix="fix")
        if form.is_valid():
            try:
                services.purchase_order_correct_tracking(
                    actor=request.user, purchase_order=po, package_id=parse_id(request.POST.get("package")), **form.cleaned_data
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Tracking corrected. The reseller has been told."))
                return redirect("procurement:supplier_po_detail", number=po.number)
        return self.get(request, number, tracking_form=form, status=422)


class SupplierPOCancelView(SubmitOnceMixin, SupplierPODetailView):
    def post(self, request, number):
        po = selectors.purchase_order_for_supplier(self.organisation.pk, number)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.purchase_order_supplier_cancel(actor=request.user, purchase_order=po, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Cancelled; the reseller was refunded."))
                return redirect("procurement:supplier_po_detail", number=po.number)
        return self.get(request, number, reason_form=form, status=422)
