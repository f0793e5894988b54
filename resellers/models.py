"""Resellers own: their business profile, store list of distributed products, feeds and inspections."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from distribution.core.money import MONEY_FIELD_KWARGS
from suppliers.models import ChannelType


class Reseller(models.Model):
    # See ``Supplier.PROFILE_FIELDS``: the business name is the legal one (staff review).
    PROFILE_FIELDS = ("name", "channel_type", "store_name", "store_url", "contact_name", "contact_phone")
    LEGAL_FIELDS = ("name",)
    NAME_FIELD = "name"

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="reseller", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    channel_type = models.CharField(_("channel type"), max_length=32, choices=ChannelType.choices)
    store_name = models.CharField(_("store name"), max_length=200)
    store_url = models.URLField(_("store URL"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    auto_pay = models.BooleanField(_("auto-pay purchase orders"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("reseller")
        verbose_name_plural = _("resellers")

    def __str__(self) -> str:
        return self.name


class StoreListing(models.Model):
    """One SKU in a reseller's store list (下載並發布, R7).

    The retail price is the reseller's own, kept within the SKU's min/max by the
    services. The goods' location is never the reseller's to choose: it is read
    from the product; ``location_*_code`` only records what the reseller's shop
    was last told (the inspection compares it with the product's).
    """

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="listings", verbose_name=_("reseller"))
    shop = models.ForeignKey("resellers.Shop", on_delete=models.CASCADE, related_name="listings", verbose_name=_("shop"))
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier"))
    sku = models.ForeignKey("suppliers.SKU", on_delete=models.CASCADE, related_name="store_listings", verbose_name=_("sku"))
    item_code = models.CharField(
        _("shop item code"),
        max_length=64,
        blank=True,
        help_text=_("Your own item code (商家編碼) in this shop; order lines are matched by it."),
    )
    retail_price_amount = models.DecimalField(_("retail price"), **MONEY_FIELD_KWARGS)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    location_province_code = models.CharField(max_length=6, blank=True, verbose_name=_("location province code"))
    location_city_code = models.CharField(max_length=6, blank=True, verbose_name=_("location city code"))
    flag_out_of_range = models.BooleanField(_("price out of range"), default=False)
    flag_out_of_stock = models.BooleanField(_("out of stock"), default=False)
    flag_delisted = models.BooleanField(_("delisted by the supplier"), default=False)
    flag_partnership_ended = models.BooleanField(_("partnership ended"), default=False)
    flagged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("flagged at"))
    notified_change_key = models.CharField(max_length=64, blank=True, verbose_name=_("notified change key"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("store listing")
        verbose_name_plural = _("store listings")
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="store_listing_unique_sku_per_shop"),
            models.UniqueConstraint(
                fields=["shop", "item_code"], condition=~Q(item_code=""), name="store_listing_unique_item_code_per_shop"
            ),
            models.CheckConstraint(condition=Q(retail_price_amount__gt=0), name="store_listing_price_positive"),
        ]
        indexes = [models.Index(fields=["reseller", "supplier", "status"])]

    def __str__(self) -> str:
        return f"{self.reseller_id}:{self.sku_id}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_flagged(self) -> bool:
        return self.flag_out_of_range or self.flag_out_of_stock or self.flag_delisted or self.flag_partnership_ended

    @property
    def flag_labels(self) -> list[str]:
        labels = []
        for name in FLAG_FIELDS:
            if getattr(self, name):
                labels.append(capfirst(str(self._meta.get_field(name).verbose_name)))
        return labels


FLAG_FIELDS = ("flag_out_of_range", "flag_out_of_stock", "flag_delisted", "flag_partnership_ended")


class InspectionFinding(models.Model):
    """A violation found by the daily inspection (巡查, R17). Open while ``resolved_at`` is null."""

    class Kind(models.TextChoices):
        PRICE_OUT_OF_RANGE = "price_out_of_range", _("Retail price out of the supplier's range")
        LOCATION_MISMATCH = "location_mismatch", _("Goods location differs from the product's")
        DELISTED_SKU = "delisted_sku", _("Selling a delisted SKU")

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="inspection_findings", verbose_name=_("reseller"))
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier"))
    listing = models.ForeignKey(StoreListing, on_delete=models.CASCADE, related_name="findings", verbose_name=_("listing"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    found_at = models.DateTimeField(_("found at"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warning sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "kind"], condition=Q(resolved_at__isnull=True), name="one_open_finding_per_listing_kind"
            )
        ]
        indexes = [models.Index(fields=["supplier", "reseller", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.listing_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Platform(models.TextChoices):
    """Where a shop sells; decides the order-export layout it imports and the bulk-ship file it exports."""

    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD.com")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    DOUYIN = "douyin", _("Douyin shop")
    WECHAT = "wechat", _("WeChat shop")
    SHOPIFY = "shopify", _("Shopify")
    OWN_SITE = "own_site", _("Own website")
    WHOLESALE = "wholesale", _("Offline wholesale")


class Shop(models.Model):
    """One of a reseller's shops (a Taobao C-store, a Tmall store, a Shopify site, …).

    The store list, feeds and inspections are per shop; a SKU can be published in several
    shops at different prices. Exactly one shop of a reseller is its default (where the
    single-shop pages and the API publish).
    """

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="shops", verbose_name=_("reseller"))
    name = models.CharField(_("shop name"), max_length=200)
    channel_type = models.CharField(_("channel type"), max_length=32, choices=ChannelType.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    url = models.URLField(_("shop URL"), blank=True)
    is_default = models.BooleanField(_("default shop"), default=False)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["-is_default", "name", "id"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [
            models.UniqueConstraint(fields=["reseller", "name"], name="shop_unique_name_per_reseller"),
            models.UniqueConstraint(fields=["reseller"], condition=Q(is_default=True), name="shop_one_default_per_reseller"),
        ]

    def __str__(self) -> str:
        return self.name


class SearchEntry(models.Model):
    """The catalog search's row for one listed product (kept by ``resellers.search_index``).

    ``title``/``brand``/``text`` are normalised (``search_index.normalise``); ``tokens`` holds
    the CJK uni-/bigrams and letter/digit words of ``text`` (GIN-indexed). Prices are the
    range over the product's active SKUs (supply and suggested retail), ``stock`` their
    available sum. Supplier visibility is applied at query time, not stored.
    """

    product = models.OneToOneField("suppliers.Product", on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey("suppliers.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    province_code = models.CharField(max_length=6)
    title = models.TextField()
    brand = models.TextField(blank=True)
    text = models.TextField()
    tokens = SearchVectorField()
    supply_min = models.DecimalField(null=True, **MONEY_FIELD_KWARGS)
    supply_max = models.DecimalField(null=True, **MONEY_FIELD_KWARGS)
    suggested_min = models.DecimalField(null=True, **MONEY_FIELD_KWARGS)
    suggested_max = models.DecimalField(null=True, **MONEY_FIELD_KWARGS)
    stock = models.IntegerField(default=0)
    in_stock = models.BooleanField(default=False)
    listed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # a small pending list: every search reads it, so it is merged often (rebuilds clean it at the end)
            GinIndex(fields=["tokens"], name="resellers_search_tokens", gin_pending_list_limit=512),
            models.Index(F("listed_at").desc(), F("product").desc(), name="resellers_search_newest"),
            models.Index("category", F("listed_at").desc(), name="resellers_search_category"),
            models.Index("supplier", F("listed_at").desc(), name="resellers_search_supplier"),
        ]

    def __str__(self) -> str:
        return self.title
