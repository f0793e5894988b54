"""Forms for products, SKUs, stock adjustments, delisting and bulk import (validation only; services write)."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import product as combinations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from distribution.core import divisions
from distribution.core.params import MAX_DB_BIGINT, MAX_DB_INT
from suppliers.models import SKU, Category, ComplianceDocument, Product, ProductUpload
from suppliers.selectors import category_choices
from suppliers.services.catalog import MAX_QUALITY_RETURN_DAYS, SKUInput
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


class ImageOrderField(forms.Field):
    """The gallery in the order the supplier dragged it: ``image:<id>`` (saved) and ``upload:<id>`` (new) tokens."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[tuple[str, int]]:
        tokens = value if isinstance(value, list | tuple) else ([value] if value else [])
        result: list[tuple[str, int]] = []
        for token in tokens:
            kind, _sep, pk = str(token).partition(":")
            if kind not in ("image", "upload") or not pk.isdigit() or not 0 < int(pk) <= MAX_DB_BIGINT:
                raise ValidationError(_("The order of the images could not be read; reload the page."), code="invalid")
            if (kind, int(pk)) not in result:
                result.append((kind, int(pk)))
        return result


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
    no_reason_return = forms.BooleanField(
        label=_("7-day no-reason return"), required=False, initial=True,
        help_text=_("Buyers may return the goods within seven days of receipt without giving a reason."),
    )  # fmt: skip
    quality_return_days = forms.IntegerField(
        label=_("Quality returns within (days of receipt)"), min_value=0, max_value=MAX_QUALITY_RETURN_DAYS, initial=15, required=False,
        help_text=_("Faulty goods may be returned this many days after receipt; 0 means only on arrival."),
    )  # fmt: skip
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
    image_order = ImageOrderField(required=False)

    def __init__(self, *args, supplier_id: int, product: Product | None = None, **kwargs):
        self.product = product
        self.supplier_id = supplier_id
        # the editor's uploads named on the page (gallery order), kept across a failed submit
        self.uploads: list[ProductUpload] = []
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
        self.fields["description"].widget = forms.HiddenInput()  # the Trix editor (product_form.html) writes into it
        self.fields["images"].widget.attrs.update({"hx-encoding": "multipart/form-data", "hx-trigger": "change",
                                                   "hx-target": "#image-tiles", "hx-swap": "beforeend", "hx-params": "images"})  # fmt: skip

    @classmethod
    def initial_for(cls, product: Product) -> dict:
        return {
            "title": product.title, "description": product.description, "category": product.category_id,
            "brand": product.brand, "province_code": product.province_code, "city_code": product.city_code,
            "is_imported": product.is_imported, "no_reason_return": product.no_reason_return,
            "quality_return_days": product.quality_return_days,
        }  # fmt: skip

    def main_fields(self) -> list:
        names = ("title", "category", "brand", "province_code", "city_code", "is_imported", "customs_declaration", "inspection_certificate")
        return [self[name] for name in names]

    def return_fields(self) -> list:
        return [self["no_reason_return"], self["quality_return_days"]]

    def clean_quality_return_days(self) -> int:
        days = self.cleaned_data["quality_return_days"]
        if days is None:  # left empty: as it was (15 days for a new product)
            days = self.product.quality_return_days if self.product else Product._meta.get_field("quality_return_days").default
        return days

    def clean_image_order(self) -> list[tuple[str, int]]:
        order = self.cleaned_data["image_order"]
        upload_ids = [pk for kind, pk in order if kind == "upload"]
        # only this supplier's uploads not yet attached: another organisation's id is refused, never attached
        found = {u.pk: u for u in ProductUpload.objects.filter(pk__in=upload_ids, supplier_id=self.supplier_id, product__isnull=True)}
        self.uploads = [found[pk] for pk in upload_ids if pk in found]
        if len(found) != len(upload_ids):
            raise ValidationError(_("An uploaded image was not found; upload it again."), code="upload_missing")
        own_images = {int(pk) for pk, _label in self.fields["remove_images"].choices} if "remove_images" in self.fields else set()
        if any(kind == "image" and pk not in own_images for kind, pk in order):
            raise ValidationError(_("That image does not belong to this product."), code="image_missing")
        return order

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
        names = ("title", "description", "category", "brand", "province_code", "city_code", "is_imported",
                 "no_reason_return", "quality_return_days")  # fmt: skip
        return {k: self.cleaned_data[k] for k in names}

    def add_uploads(self, uploads: list[ProductUpload]) -> None:
        """Images sent with the form itself (no script): now uploads, shown again and saved with the rest."""
        self.uploads.extend(uploads)
        if hasattr(self, "cleaned_data") and "image_order" in self.cleaned_data:
            self.cleaned_data["image_order"].extend(("upload", u.pk) for u in uploads)

    def gallery(self) -> list[dict]:
        """The image tiles in the order to show them: as the page sent them after a failed submit, else as saved."""
        images = [img for img in self.product.images.all() if not img.pending_removal] if self.product else []
        by_key: dict[tuple[str, int], dict] = {("image", img.pk): {"kind": "image", "pk": img.pk, "obj": img} for img in images}
        by_key.update({("upload", u.pk): {"kind": "upload", "pk": u.pk, "obj": u} for u in self.uploads})
        removed = set()
        if self.is_bound:
            removed = {int(pk) for pk in self.data.getlist(self.add_prefix("remove_images")) if str(pk).isdigit()}
            order = (self.cleaned_data.get("image_order") if hasattr(self, "cleaned_data") else None) or []
        else:
            order = []
        tiles = [by_key.pop(key) for key in order if key in by_key]
        tiles += [by_key[key] for key in sorted(by_key, key=lambda k: (k[0] == "upload", 0))]
        for tile in tiles:
            tile["removed"] = tile["kind"] == "image" and tile["pk"] in removed
        return tiles


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


def add_price_errors(form: forms.Form, data: dict) -> None:
    """The price control (R7) on a form with the four price fields, each mistake on its field."""
    for name, message in sku_price_errors(
        supply=data.get("supply_price_amount"), suggested=data.get("suggested_retail_amount"),
        minimum=data.get("min_retail_amount"), maximum=data.get("max_retail_amount"),
    ).items():  # fmt: skip
        if name not in form.errors:
            form.add_error(name, message)


class AttributePairsWidget(forms.Widget):
    """Attributes as name/value rows (add and remove them on the page), plus a box that still takes typed
    text (``顏色: 紅, 尺碼: M``). Whatever is filled in comes back as one ``name=value; …`` string for
    ``parse_attributes``, so a half-filled pair is refused with the same message as a typed mistake."""

    template_name = "suppliers/widgets/attribute_pairs.html"

    def value_from_datadict(self, data, files, name) -> str:
        getlist = getattr(data, "getlist", None)
        names = getlist(f"{name}-name") if getlist else []
        values = getlist(f"{name}-value") if getlist else []
        parts = [f"{n.strip()}={v.strip()}" for n, v in zip(names, values, strict=False) if n.strip() or v.strip()]
        typed = (data.get(name) or "").strip()
        if typed:
            parts.append(typed)
        return "; ".join(parts)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = value if isinstance(value, str) else format_attributes(value or {})
        try:
            pairs, typed = list(parse_attributes(text).items()), ""
        except ValidationError:
            pairs, typed = [], text  # shown back as typed, beside the error
        context["widget"].update({"pairs": pairs, "typed": typed})
        return context


class SKUForm(forms.Form):
    """One SKU row. ``sku_id`` is set for existing SKUs; their stock changes on the product page's stock form."""

    sku_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_DB_BIGINT, widget=forms.HiddenInput)
    code = forms.CharField(label=_("SKU code"), max_length=64)
    attributes = forms.CharField(label=_("Attributes"), required=False, widget=AttributePairsWidget)
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
        add_price_errors(self, data)
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
    """SKU codes are unique per supplier: within the page and against the supplier's other SKUs.

    A new row can be removed on the page (its ``DELETE`` box); a saved SKU stays (it may be on orders):
    untick "On sale" instead."""

    def __init__(self, *args, supplier_id: int, own_sku_ids: set[int] = frozenset(), **kwargs):
        self.supplier_id = supplier_id
        self.own_sku_ids = set(own_sku_ids)
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.initial.get("sku_id"):
            del form.fields[forms.formsets.DELETION_FIELD_NAME]
        else:
            form.fields[forms.formsets.DELETION_FIELD_NAME].widget = forms.CheckboxInput(attrs={"class": "d-none", "data-row-delete": ""})

    def is_removed(self, form) -> bool:
        return self.is_bound and forms.formsets.DELETION_FIELD_NAME in form.fields and self._should_delete_form(form)

    def row_errors(self) -> list[str]:
        """Every mistake as "Row N (code), field: message", for the summary above the table."""
        lines: list[str] = []
        for number, form in enumerate(self.forms, start=1):
            if self.is_removed(form) or not form.errors:
                continue
            code = (form.data.get(form.add_prefix("code")) or "").strip()
            row = _("Row %(number)s (%(code)s)") % {"number": number, "code": code} if code else _("Row %(number)s") % {"number": number}
            for name, messages in form.errors.items():
                label = form.fields[name].label if name in form.fields and name != "__all__" else ""
                for message in messages:
                    lines.append(f"{row}, {label}: {message}" if label else f"{row}: {message}")
        return lines

    def clean(self):
        if any(self.errors):
            return

        seen: dict[str, int] = {}
        filled = [f for f in self.forms if not self.is_removed(f) and (f.has_changed() or f.cleaned_data.get("sku_id"))]
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
        return [
            f for f in self.forms if f.cleaned_data and not self.is_removed(f) and (f.has_changed() or f.cleaned_data.get("sku_id"))
        ]


MAX_SKU_ROWS = 100


def sku_formset(*, extra: int):
    return forms.formset_factory(
        SKUForm, formset=BaseSKUFormSet, extra=extra, max_num=MAX_SKU_ROWS, validate_max=True, can_delete=True
    )


_VALUE_SEPARATORS = re.compile(r"[,，、;；\n]")
VARIANT_OPTIONS = 3


class VariantGridForm(forms.Form):
    """Option values to cross into SKU rows (顏色 紅, 藍, 黑 × 尺碼 S, M, L, XL → 12 rows), with the values
    every generated row starts with. Nothing is saved: the rows join the SKU table to be checked and edited."""

    code_prefix = forms.CharField(label=_("Code prefix"), max_length=30, help_text=_("e.g. TEE: the codes become TEE-紅-S, …"))
    supply_price_amount = forms.DecimalField(label=_("Supply price"), required=False, **MONEY_KWARGS)
    suggested_retail_amount = forms.DecimalField(label=_("Suggested retail price"), required=False, **MONEY_KWARGS)
    min_retail_amount = forms.DecimalField(label=_("Minimum retail price"), required=False, **MONEY_KWARGS)
    max_retail_amount = forms.DecimalField(label=_("Maximum retail price"), required=False, **MONEY_KWARGS)
    weight_grams = forms.IntegerField(label=_("Weight (g)"), min_value=0, max_value=MAX_DB_INT, required=False)
    on_hand = forms.IntegerField(label=_("Stock on hand"), min_value=0, max_value=MAX_DB_INT, required=False)

    def __init__(self, *args, rows_on_page: int = 0, **kwargs):
        super().__init__(*args, prefix="grid", **kwargs)
        self.rows_on_page = rows_on_page
        for i in range(1, VARIANT_OPTIONS + 1):
            self.fields[f"option_{i}_name"] = forms.CharField(
                label=_("Option %(number)s") % {"number": i}, max_length=50, required=False,
                widget=forms.TextInput(attrs={"placeholder": ["顏色", "尺碼", "材質"][i - 1]}),
            )  # fmt: skip
            self.fields[f"option_{i}_values"] = forms.CharField(
                label=_("Values of option %(number)s") % {"number": i}, max_length=500, required=False,
                widget=forms.TextInput(attrs={"placeholder": ["紅, 藍, 黑", "S, M, L, XL", ""][i - 1]}),
                help_text=_("Separate values with commas."),
            )  # fmt: skip
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control-sm")

    def clean_code_prefix(self) -> str:
        return self.cleaned_data["code_prefix"].strip().replace(" ", "-")

    def clean(self):
        data = super().clean()
        options: list[tuple[str, list[str]]] = []
        for i in range(1, VARIANT_OPTIONS + 1):
            name = (data.get(f"option_{i}_name") or "").strip()
            values = list(dict.fromkeys(v.strip() for v in _VALUE_SEPARATORS.split(data.get(f"option_{i}_values") or "") if v.strip()))
            if name and not values:
                self.add_error(f"option_{i}_values", _("Give at least one value for “%(name)s”.") % {"name": name})
            elif values and not name:
                self.add_error(f"option_{i}_name", _("Name this option, e.g. 顏色."))
            elif name:
                if name in (n for n, _v in options):
                    self.add_error(f"option_{i}_name", _("The option “%(name)s” appears twice.") % {"name": name})
                options.append((name[:50], [v[:100] for v in values]))
        if not options and not self.errors:
            self.add_error("option_1_name", _("Name at least one option and list its values."))
        count = 1
        for _name, values in options:
            count *= len(values)
        if options and self.rows_on_page + count > MAX_SKU_ROWS:
            raise ValidationError(
                _("These options make %(count)s SKUs; a product may have at most %(max)s.") % {"count": count, "max": MAX_SKU_ROWS}
            )
        add_price_errors(self, data)
        data["options"] = options
        return data

    def rows(self) -> list[dict]:
        """The initial values of one SKU row per combination of option values."""
        d = self.cleaned_data
        names = [name for name, _values in d["options"]]
        shared = {k: d[k] for k in ("supply_price_amount", "suggested_retail_amount", "min_retail_amount", "max_retail_amount")}
        shared.update(weight_grams=d.get("weight_grams") or 0, on_hand=d.get("on_hand") or 0)
        rows = []
        for combo in combinations(*(values for _name, values in d["options"])):
            code = "-".join([d["code_prefix"], *(v.replace(" ", "") for v in combo)])[:64]
            rows.append({"code": code, "attributes": format_attributes(dict(zip(names, combo, strict=True))), **shared})
        return rows


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
