"""Catalog search for resellers: listed products of active suppliers.

Why trigrams and not PostgreSQL's built-in full-text search: ``to_tsvector`` splits
text on spaces and punctuation, and no shipped configuration segments Chinese, so
"純棉短袖T恤" becomes one lexeme and a search for "短袖" or "棉" finds nothing
(a Chinese parser such as zhparser/pg_jieba is an extension we cannot assume).
Substring matching (``ILIKE '%短袖%'``) is exact for CJK and English alike, and a
GIN index with ``gin_trgm_ops`` (pg_trgm; migration ``resellers/0003``) serves
those ``ILIKE`` patterns of three or more characters without a sequential scan.
Shorter CJK queries (one or two characters) still match correctly; they fall back
to a scan, which the listed-products filter keeps small.

Relevance is a weighted sum of where each term matched (title prefix > title >
brand / SKU code > supplier name), plus pg_trgm ``similarity`` on the title as a
tie-breaker that helps English words; each term must match somewhere (AND).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round

from accounts.models import Penalty
from suppliers.models import SKU, Category, Partnership, Product, Supplier

MAX_TERMS = 5


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILikeContains(models.Lookup):
    """``field ILIKE '%value%'`` (served by the gin_trgm_ops indexes); wildcards in the value are escaped."""

    lookup_name = "trgm_icontains"

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"%{escaped}%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILikeStartsWith(ILikeContains):
    lookup_name = "trgm_istartswith"

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"{escaped}%"]


class TrigramSimilarity(models.Func):
    function = "SIMILARITY"
    output_field = FloatField()


def visible_suppliers(now=None) -> models.QuerySet:
    """Suppliers whose products resellers may see: active, and not under a listing sanction (suspend_listing, listing_removal)."""
    hidden = Penalty.objects.suspending_listing(now).values("organisation_id")
    return Supplier.objects.filter(status=Supplier.Status.ACTIVE).exclude(pk__in=hidden)


def display_title() -> Case:
    """The title resellers see: the last approved one while an edit awaits review."""
    return Case(When(has_pending_changes=True, then=F("approved_title")), default=F("title"), output_field=models.CharField())


def display_description() -> Case:
    return Case(
        When(has_pending_changes=True, then=F("approved_description")), default=F("description"), output_field=models.TextField()
    )


def descendant_ids(category_id: int) -> list[int]:
    """The category and all categories below it (one query for the whole tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [category_id]
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def tier_discount_subquery(reseller, supplier_ref: str = "supplier_id") -> Subquery:
    """The reseller's tier discount with the referenced supplier (NULL when not partnered)."""
    return Subquery(
        Partnership.objects.live().filter(supplier_id=OuterRef(supplier_ref), reseller=reseller).values(
            "tier__discount_percent"
        )[:1],
        output_field=models.DecimalField(max_digits=5, decimal_places=2),
    )


def sku_effective_price(reseller) -> Case:
    """Per SKU: the tier supply price where partnered, else suggested retail (for filters and sorting)."""
    return Case(
        When(
            discount__isnull=False,
            then=Round(F("supply_price_amount") * (Value(Decimal(100)) - F("discount")) / Value(Decimal(100)), 2),
        ),
        default=F("suggested_retail_amount"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
    )


def _matching_product_ids(term: str) -> models.QuerySet:
    """Ids of products matching ``term`` anywhere, as a UNION of four index-served lookups.

    One ``OR`` across title, brand, SKU codes and supplier name would force a scan of
    every product (the SKU and supplier parts live in other tables); each branch of the
    UNION is answered by its own trigram index instead.
    """
    by_title = Product.objects.annotate(t=display_title()).filter(t__trgm_icontains=term).values("pk")
    by_brand = Product.objects.filter(brand__trgm_icontains=term).values("pk")
    by_code = SKU.objects.filter(code__trgm_icontains=term, is_active=True).values("product_id")
    by_supplier = Product.objects.filter(
        supplier_id__in=Supplier.objects.filter(company_name__trgm_icontains=term).values("pk")
    ).values("pk")
    return by_title.union(by_brand, by_code, by_supplier)


@dataclass
class CatalogQuery:
    q: str = ""
    category_id: int | None = None
    province_code: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    supplier_id: int | None = None
    in_stock: bool = False
    my_channel: bool = False
    sort: str = "relevance"  # relevance / newest / price_asc / price_desc


def catalog_search(*, reseller, query: CatalogQuery) -> models.QuerySet:
    """Listed products of active suppliers, filtered and ordered; annotated with
    ``shown_title``, ``price_from`` (see ``sku_effective_price``), ``partnered``
    and ``rank``. The caller paginates; the query count does not depend on the page size."""
    skus = SKU.objects.filter(product_id=OuterRef("pk"), is_active=True)
    priced = skus.annotate(discount=tier_discount_subquery(reseller)).annotate(p=sku_effective_price(reseller))
    qs = (
        Product.objects.filter(status=Product.Status.LISTED, supplier__in=visible_suppliers())
        .select_related("supplier", "category")
        .annotate(
            shown_title=display_title(),
            price_from=Subquery(priced.order_by("p").values("p")[:1]),
            price_to=Subquery(priced.order_by("-p").values("p")[:1]),
            partnered=Exists(
                Partnership.objects.live().filter(supplier_id=OuterRef("supplier_id"), reseller=reseller)
            ),
            stock=Coalesce(
                Subquery(
                    skus.values("product_id")
                    .annotate(s=models.Sum(F("on_hand") - F("reserved")))
                    .values("s")[:1]
                ),
                0,
            ),
        )
    )
    terms = [t for t in query.q.split() if t][:MAX_TERMS]
    rank = Value(0.0, output_field=FloatField())
    for term in terms:
        code_match = Exists(skus.filter(code__trgm_icontains=term))
        qs = qs.filter(pk__in=_matching_product_ids(term))
        rank = (
            rank
            + Case(When(shown_title__trgm_istartswith=term, then=Value(5.0)), default=Value(0.0), output_field=FloatField())
            + Case(When(shown_title__trgm_icontains=term, then=Value(4.0)), default=Value(0.0), output_field=FloatField())
            + Case(When(brand__trgm_icontains=term, then=Value(2.0)), default=Value(0.0), output_field=FloatField())
            + Case(When(code_match, then=Value(2.0)), default=Value(0.0), output_field=FloatField())
            + Case(
                When(supplier__company_name__trgm_icontains=term, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
            )
        )
    if terms:
        rank = rank + TrigramSimilarity(display_title(), Value(" ".join(terms)))
    qs = qs.annotate(rank=rank)

    if query.category_id:
        qs = qs.filter(category_id__in=descendant_ids(query.category_id))
    if query.province_code:
        qs = qs.filter(province_code=query.province_code)
    if query.supplier_id:
        qs = qs.filter(supplier_id=query.supplier_id)
    if query.in_stock:
        qs = qs.filter(Exists(skus.filter(on_hand__gt=F("reserved"))))
    if query.my_channel:
        channel = reseller.channel_type
        qs = qs.filter(
            Q(supplier__terms__isnull=True)
            | Q(supplier__terms__accepted_channel_types=[])
            | Q(supplier__terms__accepted_channel_types__contains=[channel])
        )
    if query.price_min is not None or query.price_max is not None:
        in_range = priced
        if query.price_min is not None:
            in_range = in_range.filter(p__gte=query.price_min)
        if query.price_max is not None:
            in_range = in_range.filter(p__lte=query.price_max)
        qs = qs.filter(Exists(in_range))

    ordering = {
        "newest": ["-listed_at", "-id"],
        "price_asc": [F("price_from").asc(nulls_last=True), "-id"],
        "price_desc": [F("price_to").desc(nulls_last=True), "-id"],
    }.get(query.sort)
    if ordering is None:
        ordering = ["-rank", "-listed_at", "-id"] if terms else ["-listed_at", "-id"]
    return qs.order_by(*ordering)


__all__ = ["CatalogQuery", "catalog_search", "descendant_ids", "display_title", "display_description"]
