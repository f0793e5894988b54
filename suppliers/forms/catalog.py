"""Forms for products, SKUs, stock adjustments, delisting and bulk import (validation only; services write)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from distribution.core import divisions
from distribution.core.params import MAX_DB_BIGINT, MAX_DB_INT
from suppliers.models import SKU, Category, ComplianceDocument, Product
from suppliers.selectors import category_choices
from suppliers.services.catalog import SKUInput
from suppliers.validators import (
    format_attributes,
    parse_attributes,
    sanitise_description,
    sku_price_errors,
    validate_compliance_document,
    validate_product_image,
)

MONEY_KWARGS = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images in one input; each one validated (type by content, size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleImageField, self).clean(f, initial) for f in files]
        for f in cleaned:
            validate_product_image(f)
        return cleaned


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Basic formatting is kept (paragraphs, bold, lists, links); scripts are removed."),
    )  # fmt: skip
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    brand = forms.CharField(label=_("Brand"), max_length=100, required=False)
    province_code = forms.ChoiceField(label=_("Goods location: province"))
    city_code = forms.ChoiceField(label=_("Goods location: city"))
    is_imported = forms.BooleanField(
        label=_("Imported goods"), required=False,
        help_text=_("Imported goods need a customs declaration and an inspection certificate before review."),
    )  # fmt: skip
    images = MultipleImageField(label=_("Add images"), required=False, help_text=_("JPEG, PNG or WebP, up to 5 MB each."))
    customs_declaration = forms.FileField(
        label=_("Customs declaration"), required=False, help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )  # fmt: skip
    inspection_certificate = forms.FileField(
        label=_("Inspection and quarantine certificate"), required=False, help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )  # fmt: skip
    remove_images = forms.TypedMultipleChoiceField(
        label=_("Remove images"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    remove_documents = forms.TypedMultipleChoiceField(
        label=_("Remove documents"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, product: Product | None = None, **kwargs):
        self.product = product
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *category_choices()]
        self.fields["province_code"].choices = [("", "—"), *divisions.province_choices()]
        province = self.data.get(self.add_prefix("province_code")) if self.is_bound else self.initial.get("province_code")
        self.fields["city_code"].choices = [("", "—"), *city_choices(province or "")]
        if product is not None:
            self.fields["remove_images"].choices = [(img.pk, img.image.name) for img in product.images.all() if not img.pending_removal]
            self.fields["remove_documents"].choices = [(d.pk, d.get_kind_display()) for d in product.compliance_documents.all()]
        else:
            del self.fields["remove_images"]
            del self.fields["remove_documents"]
        self.fields["province_code"].widget.attrs.update({"hx-get": "", "hx-target": "#id_city_code", "hx-trigger": "change"})

    @classmethod
    def initial_for(cls, product: Product) -> dict:
        return {
            "title": product.title, "description": product.description, "category": product.category_id,
            "brand": product.brand, "province_code": product.province_code, "city_code": product.city_code,
            "is_imported": product.is_imported,
        }  # fmt: skip

    def clean_description(self) -> str:
        return sanitise_description(self.cleaned_data["description"])

    def clean_category(self) -> Category:
        try:
            return Category.objects.get(pk=self.cleaned_data["category"])
        except Category.DoesNotExist:
            raise ValidationError(_("Choose a category.")) from None

    def _clean_document(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload:
            validate_compliance_document(upload)
        return upload

    def clean_customs_declaration(self):
        return self._clean_document("customs_declaration")

    def clean_inspection_certificate(self):
        return self._clean_document("inspection_certificate")

    def clean(self):
        data = super().clean()
        province, city = data.get("province_code"), data.get("city_code")
        if province and city and city[:2] != province[:2]:
            self.add_error("city_code", _("Choose a city in the chosen province."))
        return data

    def product_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("title", "description", "category", "brand", "province_code", "city_code", "is_imported")}

    def documents(self) -> list[tuple[str, object]]:
        return [
            (kind, self.cleaned_data[name])
            for name, kind in (
                ("customs_declaration", ComplianceDocument.Kind.CUSTOMS_DECLARATION),
                ("inspection_certificate", ComplianceDocument.Kind.INSPECTION_CERTIFICATE),
            )
            if self.cleaned_data.get(name)
        ]


def city_choices(province_code: str) -> list[tuple[str, str]]:
    if not divisions.is_province(province_code):
        return []
    return [(d.code, d.name) for d in divisions.cities(province_code)]


class SKUForm(forms.Form):
    """One SKU row. ``sku_id`` is set for existing SKUs; their stock changes on the product page's stock form."""

    sku_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_DB_BIGINT, widget=forms.HiddenInput)
    code = forms.CharField(label=_("SKU code"), max_length=64)
    attributes = forms.CharField(
        label=_("Attributes"), required=False, help_text=_("e.g. 顏色=白; 尺碼=M"),
        widget=forms.TextInput(attrs={"placeholder": "顏色=白; 尺碼=M"}),
    )  # fmt: skip
    supply_price_amount = forms.DecimalField(label=_("Supply price"), **MONEY_KWARGS)
    suggested_retail_amount = forms.DecimalField(label=_("Suggested retail price"), **MONEY_KWARGS)
    min_retail_amount = forms.DecimalField(label=_("Minimum retail price"), **MONEY_KWARGS)
    max_retail_amount = forms.DecimalField(label=_("Maximum retail price"), **MONEY_KWARGS)
    weight_grams = forms.IntegerField(label=_("Weight (g)"), min_value=0, max_value=MAX_DB_INT, initial=0)
    on_hand = forms.IntegerField(label=_("Stock on hand"), min_value=0, max_value=MAX_DB_INT, initial=0)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True, help_text=_("Untick to stop selling this variant."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if not isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-control-sm")  # the compact SKU rows; the renderer adds form-control
        if not self.initial.get("sku_id"):
            self.fields["is_active"].disabled = True  # new variants are on sale; an empty row stays unchanged
        if self.initial.get("sku_id"):
            self.fields["on_hand"].disabled = True
            self.fields["on_hand"].help_text = _("Change stock with the stock form on the product page.")

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_attributes(self) -> dict:
        return parse_attributes(self.cleaned_data["attributes"])

    def clean(self):
        data = super().clean()
        for name, message in sku_price_errors(
            supply=data.get("supply_price_amount"), suggested=data.get("suggested_retail_amount"),
            minimum=data.get("min_retail_amount"), maximum=data.get("max_retail_amount"),
        ).items():  # fmt: skip
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def as_input(self) -> SKUInput:
        d = self.cleaned_data
        return SKUInput(
            code=d["code"], attributes=d["attributes"], supply_price_amount=d["supply_price_amount"],
            suggested_retail_amount=d["suggested_retail_amount"], min_retail_amount=d["min_retail_amount"],
            max_retail_amount=d["max_retail_amount"], weight_grams=d["weight_grams"], on_hand=d.get("on_hand") or 0,
        )  # fmt: skip

    def update_values(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("code", "attributes", "supply_price_amount", "suggested_retail_amount",
                                  "min_retail_amount", "max_retail_amount", "weight_grams", "is_active")}  # fmt: skip

    @staticmethod
    def initial_for(sku) -> dict:
        return {
            "sku_id": sku.pk, "code": sku.code, "attributes": format_attributes(sku.attributes),
            "supply_price_amount": sku.supply_price_amount, "suggested_retail_amount": sku.suggested_retail_amount,
            "min_retail_amount": sku.min_retail_amount, "max_retail_amount": sku.max_retail_amount,
            "weight_grams": sku.weight_grams, "on_hand": sku.on_hand, "is_active": sku.is_active,
        }  # fmt: skip


class BaseSKUFormSet(forms.BaseFormSet):
    """SKU codes are unique per supplier: within the page and against the supplier's other SKUs."""

    def __init__(self, *args, supplier_id: int, own_sku_ids: set[int] = frozenset(), **kwargs):
        self.supplier_id = supplier_id
        self.own_sku_ids = set(own_sku_ids)
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return

        seen: dict[str, int] = {}
        filled = [f for f in self.forms if f.has_changed() or f.cleaned_data.get("sku_id")]
        for form in filled:
            sku_id = form.cleaned_data.get("sku_id")
            if sku_id and sku_id not in self.own_sku_ids:
                raise ValidationError(_("That SKU does not belong to this product."))
            code = form.cleaned_data.get("code")
            if code in seen:
                form.add_error("code", _("This code is used twice on this page."))
            seen[code] = sku_id or 0
        taken = dict(SKU.objects.filter(supplier_id=self.supplier_id, code__in=list(seen)).values_list("code", "pk"))
        for form in filled:
            code = form.cleaned_data.get("code")
            if code in taken and taken[code] != form.cleaned_data.get("sku_id"):
                form.add_error("code", _("The SKU code “%(code)s” is already used by another of your SKUs.") % {"code": code})

    def filled_forms(self) -> list[SKUForm]:
        return [f for f in self.forms if f.cleaned_data and (f.has_changed() or f.cleaned_data.get("sku_id"))]


def sku_formset(*, extra: int):
    return forms.formset_factory(SKUForm, formset=BaseSKUFormSet, extra=extra, max_num=100, validate_max=True)


class StockAdjustForm(forms.Form):
    MODE_CHOICES = [("delta", _("Add or remove")), ("set", _("Set to"))]

    mode = forms.ChoiceField(
        label=_("How"), choices=MODE_CHOICES, initial="delta", widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=-MAX_DB_INT, max_value=MAX_DB_INT,
                                  widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                                  help_text=_("For “add or remove”, a negative number removes stock."))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def clean(self):
        data = super().clean()
        quantity = data.get("quantity")
        if quantity is not None:
            if data.get("mode") == "delta" and quantity == 0:
                self.add_error("quantity", _("The change must not be zero."))
            if data.get("mode") == "set" and quantity < 0:
                self.add_error("quantity", _("Stock cannot be negative."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"), help_text=_("One row per SKU; download an export to see the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 10 * 1024 * 1024:
            raise ValidationError(_("An import file may be at most 10 MB."))
        return upload
