"""The supplier's catalog pages: product list, create/edit with SKUs, detail with stock, moderation actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from distribution.core import divisions
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.pagination import paginate
from distribution.core.permissions import SupplierManagerMixin, SupplierMemberMixin
from suppliers import selectors, services
from suppliers.forms.catalog import (
    MAX_SKU_ROWS,
    ProductForm,
    ReasonForm,
    SKUForm,
    StockAdjustForm,
    VariantGridForm,
    city_choices,
    sku_formset,
)
from suppliers.models import SKU, Product

ACTION_LABELS = {
    "product.created": gettext_lazy("Created"),
    "product.updated": gettext_lazy("Edited"),
    "product.submitted": gettext_lazy("Submitted for review"),
    "product.approved": gettext_lazy("Approved and listed"),
    "product.changes_approved": gettext_lazy("Changes approved"),
    "product.rejected": gettext_lazy("Rejected"),
    "product.changes_rejected": gettext_lazy("Changes rejected"),
    "product.delisted": gettext_lazy("Delisted"),
}
SUBMITTABLE = {Product.Status.DRAFT, Product.Status.REJECTED, Product.Status.DELISTED}
DELISTABLE = {Product.Status.LISTED, Product.Status.PENDING_REVIEW}


def _get_product(organisation_id: int, pk: int) -> Product:
    try:
        return selectors.product_detail(supplier_id=organisation_id, pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None


class ProductListView(SupplierMemberMixin, View):
    def get(self, request):
        status = request.GET.get("status", "")
        if status not in Product.Status.values:
            status = ""
        attention = request.GET.get("attention", "")
        try:
            category_id = int(request.GET.get("category") or 0) or None
        except ValueError:
            category_id = None
        q = request.GET.get("q", "").strip()[:100]
        qs = selectors.product_list(supplier_id=self.organisation.pk, status=status, category_id=category_id, q=q, attention=attention)
        page = paginate(request, qs)
        context = {
            "page": page,
            "products": page.object_list,
            "counts": selectors.product_counts(self.organisation.pk),
            "statuses": Product.Status.choices,
            "categories": selectors.category_choices(),
            "filters": {"status": status, "category": category_id, "q": q, "attention": attention},
            "can_manage": self.membership.can_manage,
        }
        return render(request, "suppliers/product_list.html", context)


class _ProductFormMixin:
    def _render(self, request, form, formset, product=None, status=200):
        form.fields["province_code"].widget.attrs["hx-get"] = reverse("suppliers:city_options")
        form.fields["images"].widget.attrs["hx-post"] = reverse("suppliers:product_upload")
        context = {"form": form, "formset": formset, "product": product, "grid": VariantGridForm(), "max_rows": MAX_SKU_ROWS}
        return render(request, "suppliers/product_form.html", context, status=status)

    def _keep_sent_images(self, request, form) -> None:
        """Images sent with the form (no script, or before the upload finished) become uploads at once,
        so a mistake elsewhere on the page does not lose them."""
        files = (getattr(form, "cleaned_data", None) or {}).get("images") or []
        uploads = []
        for upload in files:
            try:
                uploads.append(services.product_upload_create(actor=request.user, supplier=self.organisation.supplier, upload=upload))
            except DomainError as exc:
                form.add_error("images", exc.message)
                return
        form.add_uploads(uploads)

    def _after_save(self, request, product: Product) -> HttpResponse:
        if "submit_for_review" in request.POST:
            try:
                services.product_submit(actor=request.user, product=product)
                messages.success(request, _("Saved and sent for review."))
            except DomainError as exc:
                messages.error(request, _("Saved, but not sent for review: %(reason)s") % {"reason": exc.message})
        else:
            messages.success(request, _("Saved."))
        return redirect("suppliers:product_detail", pk=product.pk)

    def _show_error(self, request, form, exc: DomainError) -> None:
        add_domain_error(form, exc)


class ProductCreateView(SupplierManagerMixin, _ProductFormMixin, View):
    def get(self, request):
        formset = sku_formset(extra=2)(prefix="skus", supplier_id=self.organisation.pk)
        return self._render(request, ProductForm(supplier_id=self.organisation.pk), formset)

    def post(self, request):
        form = ProductForm(request.POST, request.FILES, supplier_id=self.organisation.pk)
        formset = sku_formset(extra=2)(request.POST, prefix="skus", supplier_id=self.organisation.pk)
        valid = form.is_valid() & formset.is_valid()
        self._keep_sent_images(request, form)
        if valid and form.is_valid():
            try:
                product = services.product_create(
                    actor=request.user,
                    supplier=self.organisation.supplier,
                    fields=form.product_fields(),
                    skus=[f.as_input() for f in formset.filled_forms()],
                    uploads=_ordered_uploads(form),
                    documents=form.documents(),
                )
            except DomainError as exc:
                self._show_error(request, form, exc)
            else:
                return self._after_save(request, product)
        return self._render(request, form, formset, status=422)


class ProductEditView(SupplierManagerMixin, _ProductFormMixin, View):
    def _formset(self, product, data=None):
        skus = list(product.skus.all())

        return sku_formset(extra=1)(
            data,
            prefix="skus",
            initial=[SKUForm.initial_for(s) for s in skus],
            supplier_id=self.organisation.pk,
            own_sku_ids={s.pk for s in skus},
        )

    def get(self, request, pk):
        product = _get_product(self.organisation.pk, pk)
        form = ProductForm(initial=ProductForm.initial_for(product), product=product, supplier_id=self.organisation.pk)
        return self._render(request, form, self._formset(product), product)

    def post(self, request, pk):
        product = _get_product(self.organisation.pk, pk)
        form = ProductForm(
            request.POST, request.FILES, initial=ProductForm.initial_for(product), product=product, supplier_id=self.organisation.pk
        )
        formset = self._formset(product, request.POST)
        valid = form.is_valid() & formset.is_valid()
        self._keep_sent_images(request, form)
        if valid and form.is_valid():
            changes = services.ProductChanges(
                fields=form.product_fields(),
                add_uploads=form.uploads,
                image_order=form.cleaned_data["image_order"],
                remove_image_ids=form.cleaned_data.get("remove_images", []),
                remove_document_ids=form.cleaned_data.get("remove_documents", []),
                add_documents=form.documents(),
            )
            for f in formset.filled_forms():
                if f.cleaned_data.get("sku_id"):
                    changes.sku_updates[f.cleaned_data["sku_id"]] = f.update_values()
                else:
                    changes.new_skus.append(f.as_input())
            try:
                product = services.product_update(actor=request.user, product=product, changes=changes)
            except DomainError as exc:
                self._show_error(request, form, exc)
            else:
                return self._after_save(request, product)
        return self._render(request, form, formset, product, status=422)


def _ordered_uploads(form: ProductForm) -> list:
    """A new product's uploads in the order the gallery shows them."""
    by_pk = {u.pk: u for u in form.uploads}
    return [by_pk[pk] for kind, pk in form.cleaned_data["image_order"] if kind == "upload" and pk in by_pk]


class ProductUploadView(SupplierManagerMixin, View):
    """Images chosen in the product editor, stored at once as the organisation's uploads.

    The gallery (htmx) gets one tile per image; the description editor (``Accept: application/json``)
    gets the image's address. A refused file answers its reason (in the gallery's message area)."""

    def post(self, request):
        wants_json = "application/json" in request.headers.get("Accept", "")
        files = request.FILES.getlist("images") or request.FILES.getlist("file")
        if not files:
            error = _("Choose an image to upload.")
        else:
            uploads, error = [], None
            for file in files[:20]:
                try:
                    uploads.append(services.product_upload_create(actor=request.user, supplier=self.organisation.supplier, upload=file))
                except DomainError as exc:
                    error = f"{file.name}: {exc.message}"
                    break
            if error is None and wants_json:
                return JsonResponse({"id": uploads[0].pk, "url": uploads[0].image.url})
            if error is None:
                tiles = [{"kind": "upload", "pk": u.pk, "obj": u} for u in uploads]
                return render(request, "suppliers/product_form.html#image-tiles", {"tiles": tiles})
        if wants_json:
            return JsonResponse({"error": str(error)}, status=400)
        response = render(request, "suppliers/product_form.html#upload-error", {"error": error})
        response["HX-Retarget"] = "#image-upload-error"
        response["HX-Reswap"] = "innerHTML"
        return response


class SKURowsView(SupplierManagerMixin, View):
    """More rows for the SKU table (htmx): one blank row, or one row per combination of option values."""

    def post(self, request):
        try:
            start = max(0, min(int(request.POST.get("skus-TOTAL_FORMS", "0")), MAX_SKU_ROWS))
        except ValueError:
            start = 0
        rows: list[dict] = []
        if request.POST.get("action") == "generate":
            grid = VariantGridForm(request.POST, rows_on_page=start)
            if not grid.is_valid():
                response = render(request, "suppliers/product_form.html#variant-grid", {"grid": grid})
                response["HX-Retarget"] = "#variant-grid"
                response["HX-Reswap"] = "outerHTML"
                return response
            rows = grid.rows()
        elif start < MAX_SKU_ROWS:
            rows = [{}]
        formset = sku_formset(extra=0)(prefix="skus", supplier_id=self.organisation.pk)
        forms = []
        for offset, initial in enumerate(rows):
            form = formset._construct_form(start + offset, initial=initial)
            formset.add_fields(form, start + offset)
            forms.append(form)
        context = {"new_forms": forms, "total": start + len(forms), "first_number": start + 1, "grid": VariantGridForm()}
        return render(request, "suppliers/product_form.html#new-sku-rows", context)


class ProductDetailView(SupplierMemberMixin, View):
    def get(self, request, pk):
        product = _get_product(self.organisation.pk, pk)
        can_manage = self.membership.can_manage
        listing_history = selectors.listing_history(product)
        for event in listing_history:
            event.label = ACTION_LABELS.get(event.action, event.action)
        context = {
            "product": product,
            "location": f"{divisions.name_of(product.province_code)} {divisions.name_of(product.city_code)}",
            "skus": list(product.skus.all()),
            "history": selectors.stock_history(product),
            "listing_history": listing_history,
            "can_manage": can_manage,
            "can_submit": can_manage and product.status in SUBMITTABLE,
            "can_delist": can_manage and product.status in DELISTABLE,
            "missing_documents": services.missing_compliance_documents(product),
            "stock_form": StockAdjustForm(),
            "reason_form": ReasonForm(),
        }
        return render(request, "suppliers/product_detail.html", context)


class ProductSubmitView(SupplierManagerMixin, View):
    def post(self, request, pk):
        product = _get_product(self.organisation.pk, pk)
        try:
            services.product_submit(actor=request.user, product=product)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Sent for review. Platform staff will check the listing."))
        return redirect("suppliers:product_detail", pk=product.pk)


class ProductDelistView(SupplierManagerMixin, View):
    def post(self, request, pk):
        product = _get_product(self.organisation.pk, pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason for delisting."))
        else:
            try:
                services.product_delist(actor=request.user, product=product, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Delisted. Resellers' store lists no longer show it."))
        return redirect("suppliers:product_detail", pk=product.pk)


class SKUStockAdjustView(SupplierManagerMixin, View):
    """Record a stock change; htmx requests get the SKU's row back."""

    def post(self, request, pk):
        try:
            sku = SKU.objects.select_related("product").get(pk=pk, supplier_id=self.organisation.pk)
        except SKU.DoesNotExist:
            raise Http404 from None
        form = StockAdjustForm(request.POST)
        error = None
        if form.is_valid():
            d = form.cleaned_data
            kwargs = {"delta": d["quantity"]} if d["mode"] == "delta" else {"new_on_hand": d["quantity"]}
            try:
                services.sku_adjust_stock(actor=request.user, sku=sku, reason=d["reason"], **kwargs)
            except DomainError as exc:
                error = exc.message
        else:
            error = "; ".join(
                f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ") for k, v in form.errors.items()
            )
        if request.htmx:
            sku.refresh_from_db()
            ctx = {"sku": sku, "product": sku.product, "can_manage": True, "stock_form": StockAdjustForm(), "stock_error": error}
            # 200 even on a refusal: htmx swaps only successful responses, and the row carries the message.
            return render(request, "suppliers/product_detail.html#sku-row", ctx)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Stock of %(code)s is now %(on_hand)s.") % {"code": sku.code, "on_hand": sku.on_hand})
        return redirect("suppliers:product_detail", pk=sku.product_id)


class CityOptionsView(SupplierMemberMixin, View):
    """The city <option>s of a province, for the dependent select (htmx)."""

    def get(self, request):
        options = city_choices(request.GET.get("province_code", ""))
        return render(request, "suppliers/city_options.html", {"options": options})
