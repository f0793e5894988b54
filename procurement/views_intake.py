"""Reseller pages for shop order intake (upload → preview → fix/skip → place with progress) and bulk
work on purchase orders (pay selected, export, the shops' bulk-ship files). Thin: who asks, validate,
one service, message + redirect or an htmx partial."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from distribution.core.csv_stream import csv_lines
from distribution.core.errors import DomainError
from distribution.core.pagination import paginate
from distribution.core.permissions import ResellerManagerMixin
from resellers.models import Shop
from resellers.views import ResellerPageMixin

from . import order_import as intake
from . import selectors, shop_orders
from .models import OrderImport, OrderImportMapping, OrderImportRow

Outcome = OrderImportRow.Outcome


class UploadForm(forms.Form):
    shop = forms.ModelChoiceField(label=gettext_lazy("Shop"), queryset=Shop.objects.none())
    layout = forms.ChoiceField(label=gettext_lazy("File layout"))
    file = forms.FileField(label=gettext_lazy("Order file (CSV or XLSX)"))

    def __init__(self, *args, reseller, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = Shop.objects.filter(reseller=reseller)
        self.fields["shop"].widget.attrs["class"] = "form-select"
        self.fields["layout"].choices = [(k, v.label) for k, v in intake.LAYOUTS.items()] + [
            (f"custom:{m.pk}", m.name) for m in OrderImportMapping.objects.filter(reseller=reseller)
        ]
        self.fields["layout"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".csv,.xlsx"})


class MappingForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Mapping name"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["class"] = "form-control form-control-sm"
        for field, label in intake.FIELDS.items():
            self.fields[f"col_{field}"] = forms.CharField(label=label, max_length=100, required=field in intake.REQUIRED)
            self.fields[f"col_{field}"].widget.attrs["class"] = "form-control form-control-sm"


class RowFixForm(forms.Form):
    item_code = forms.CharField(max_length=64, required=False)
    quantity = forms.CharField(max_length=20, required=False)
    unit_price = forms.CharField(max_length=20, required=False)
    recipient = forms.CharField(max_length=100, required=False)
    mobile = forms.CharField(max_length=30, required=False)
    address_text = forms.CharField(max_length=300, required=False)


class _Reseller(ResellerPageMixin):
    def order_import(self, pk: int) -> OrderImport:
        return get_object_or_404(OrderImport.objects.filter(reseller=self.reseller).select_related("shop"), pk=pk)


class OrderImportUploadView(_Reseller, View):
    template_name = "procurement/orderimport_upload.html"

    def context(self, form=None, mapping_form=None):
        from resellers.shop_services import shop_default

        shop_default(reseller=self.reseller)
        return {
            "form": form or UploadForm(reseller=self.reseller),
            "mapping_form": mapping_form or MappingForm(),
            "imports": OrderImport.objects.filter(reseller=self.reseller).select_related("shop")[:20],
            "layouts": intake.LAYOUTS.values(),
        }

    def get(self, request):
        return render(request, self.template_name, self.context())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, reseller=self.reseller)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                order_import = intake.order_import_create(
                    actor=request.user, reseller=self.reseller, shop=form.cleaned_data["shop"], file=upload,
                    file_name=upload.name, layout=form.cleaned_data["layout"],
                )  # fmt: skip
            except DomainError as exc:
                form.add_error("file" if exc.field in (None, "file") else None, exc.message)
            else:
                return redirect("procurement:order_import_detail", pk=order_import.pk)
        return render(request, self.template_name, self.context(form=form), status=422)


class OrderImportMappingView(_Reseller, ResellerManagerMixin, View):
    def post(self, request):
        form = MappingForm(request.POST)
        if form.is_valid():
            columns = {f: form.cleaned_data[f"col_{f}"].strip() for f in intake.FIELDS if form.cleaned_data.get(f"col_{f}", "").strip()}
            if not ({"address", "street"} & set(columns)):
                form.add_error("col_address", _("Name the column with the full address, or the one with the street."))
            else:
                OrderImportMapping.objects.update_or_create(
                    reseller=self.reseller, name=form.cleaned_data["name"], defaults={"columns": columns}
                )
                messages.success(request, _("Mapping %(name)s saved; choose it as the file layout.") % {"name": form.cleaned_data["name"]})
                return redirect("procurement:order_import_upload")
        view = OrderImportUploadView()
        view.setup(request)
        view.membership, view.organisation = self.membership, self.organisation
        return render(request, view.template_name, view.context(mapping_form=form), status=422)


class OrderImportDetailView(_Reseller, View):
    """The preview: every row's outcome with the column named; fix or skip, then place."""

    def get(self, request, pk: int):
        order_import = self.order_import(pk)
        outcome = request.GET.get("outcome", "")
        rows = order_import.rows.select_related("purchase_order")
        if outcome in Outcome.values:
            rows = rows.filter(outcome=outcome)
        counts = dict.fromkeys(Outcome.values, 0)
        from django.db.models import Count

        for value, n in order_import.rows.values_list("outcome").annotate(n=Count("id")):
            counts[value] = n
        ready_orders = len(intake.ready_refs(order_import)) if order_import.status == OrderImport.Status.PREVIEW else 0
        return render(
            request,
            "procurement/orderimport_detail.html",
            {
                "imp": order_import,
                "page": paginate(request, rows, per_page=100),
                "outcome": outcome,
                "counts": [(value, label, counts[value]) for value, label in Outcome.choices if counts[value]],
                "ready_orders": ready_orders,
                "editable": order_import.status == OrderImport.Status.PREVIEW,
                "fixable": {Outcome.UNKNOWN_ITEM, Outcome.PRICE_OUT_OF_RANGE, Outcome.NO_STOCK, Outcome.BAD_ADDRESS, Outcome.INVALID},
            },
        )


class OrderImportRowFixView(_Reseller, View):
    def post(self, request, pk: int, row_id: int):
        order_import = self.order_import(pk)
        form = RowFixForm(request.POST)
        form.is_valid()
        changes = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
        try:
            row = intake.order_import_row_fix(
                actor=request.user, reseller=self.reseller, order_import_id=order_import.pk, row_id=row_id, changes=changes
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if row.outcome == Outcome.READY:
                messages.success(request, _("Row %(row)d is ready.") % {"row": row.row_number})
            else:
                messages.error(request, _("Row %(row)d: %(message)s") % {"row": row.row_number, "message": row.message})
        return redirect(request.POST.get("next") or f"/purchase-orders/imports/{order_import.pk}/")


class OrderImportRowSkipView(_Reseller, View):
    def post(self, request, pk: int, row_id: int):
        order_import = self.order_import(pk)
        try:
            row = intake.order_import_row_skip(actor=request.user, reseller=self.reseller, order_import_id=order_import.pk, row_id=row_id)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Row %(row)d skipped.") % {"row": row.row_number})
        return redirect(request.POST.get("next") or f"/purchase-orders/imports/{order_import.pk}/")


class OrderImportPlaceView(_Reseller, View):
    def post(self, request, pk: int):
        order_import = self.order_import(pk)
        try:
            intake.order_import_place(actor=request.user, reseller=self.reseller, order_import_id=order_import.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Placing the ready orders; this page shows the progress."))
        return redirect("procurement:order_import_detail", pk=order_import.pk)


class OrderImportProgressView(_Reseller, View):
    """The progress bar (htmx polls it while placing; when done the page reloads to show every row)."""

    def get(self, request, pk: int):
        order_import = self.order_import(pk)
        response = render(request, "procurement/orderimport_detail.html#progress", {"imp": order_import})
        if order_import.status != OrderImport.Status.PLACING and request.htmx:
            response["HX-Refresh"] = "true"
        return response


# --- bulk work on purchase orders -------------------------------------------------------------


class PurchaseOrderBulkPayView(_Reseller, View):
    def post(self, request):
        numbers = request.POST.getlist("numbers")
        if not numbers:
            messages.error(request, _("Choose the purchase orders to pay."))
            return redirect("procurement:reseller_po_list")
        results = shop_orders.purchase_orders_pay_many(actor=request.user, reseller=self.reseller, numbers=numbers)
        return render(
            request,
            "procurement/purchaseorder_bulk_pay.html",
            {"results": results, "paid": sum(r.paid for r in results), "failed": sum(not r.paid for r in results)},
        )


def _shop_param(request, reseller) -> Shop | None:
    raw = request.GET.get("shop", "")
    return get_object_or_404(Shop.objects.filter(reseller=reseller), pk=raw) if raw.isdigit() else None


class PurchaseOrderExportView(_Reseller, View):
    def get(self, request, fmt: str):
        shop = _shop_param(request, self.reseller)
        qs = selectors.purchase_orders_for_reseller(
            self.reseller.pk, status=request.GET.get("status", ""), q=request.GET.get("q", "").strip()[:50],
            shop_id=shop.pk if shop else None,
        )  # fmt: skip
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        if fmt == "csv":
            lines = csv_lines(shop_orders.EXPORT_HEADER, shop_orders.export_rows(qs))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="purchase-orders-{stamp}.csv"'
            return response
        if fmt == "xlsx":
            handle = shop_orders.xlsx_file(shop_orders.EXPORT_HEADER, shop_orders.export_rows(qs), title="purchase orders")
            return FileResponse(
                handle, as_attachment=True, filename=f"purchase-orders-{stamp}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )  # fmt: skip
        raise Http404


class ShopBulkShipFileView(_Reseller, View):
    """The shop platform's bulk-ship file (consumer order number, carrier, tracking number) of its shipped POs."""

    def get(self, request, pk: int, fmt: str):
        shop = get_object_or_404(Shop.objects.filter(reseller=self.reseller), pk=pk)
        header = shop_orders.bulk_ship_header(shop)
        rows = shop_orders.bulk_ship_rows(shop)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        if fmt == "csv":
            response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="bulk-ship-{shop.platform}-{stamp}.csv"'
            return response
        if fmt == "xlsx":
            return FileResponse(
                shop_orders.xlsx_file(header, rows, title="bulk ship"), as_attachment=True,
                filename=f"bulk-ship-{shop.platform}-{stamp}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )  # fmt: skip
        raise Http404

