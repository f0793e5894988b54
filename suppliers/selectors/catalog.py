"""Reads the suppliers' pages, the resellers' pages and the API share."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from distribution.core.models import AuditEvent
from suppliers.models import SKU, Category, ImportJob, Product, ProductImage, StockAdjustment, Tier
from suppliers.pricing import tier_supply_price

LOW_STOCK_THRESHOLD = 5


def supply_price_for(sku: SKU, tier: Tier | None) -> Decimal:
    """What a reseller on ``tier`` pays for ``sku`` (no tier: the plain supply price)."""
    if tier is None:
        return sku.supply_price_amount
    return tier_supply_price(sku.supply_price_amount, tier.discount_percent)


def category_choices() -> list[tuple[int, str]]:
    """All categories in tree order, labelled with their depth (for an indented select). One query."""
    categories = list(Category.objects.all())
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    result: list[tuple[int, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            result.append((category.pk, "\u3000" * depth + ("└ " if depth else "") + category.name))
            walk(category.pk, depth + 1)

    walk(None, 0)
    return result


def category_paths() -> dict[int, str]:
    """Every category's full name as ``str(category)`` gives it ("服飾 › 上衣"), from one query."""
    rows = {pk: (parent_id, name) for pk, parent_id, name in Category.objects.values_list("pk", "parent_id", "name")}
    paths: dict[int, str] = {}

    def path(pk: int, seen: frozenset = frozenset()) -> str:
        if pk not in paths:
            parent_id, name = rows[pk]
            known = parent_id in rows and parent_id not in seen
            paths[pk] = f"{path(parent_id, seen | {pk})} › {name}" if known else name
        return paths[pk]

    for pk in rows:
        path(pk)
    return paths


def supplier_products(supplier_id: int) -> QuerySet[Product]:
    return Product.objects.filter(supplier_id=supplier_id)


def product_list(
    *, supplier_id: int, status: str = "", category_id: int | None = None, q: str = "", attention: str = ""
) -> QuerySet[Product]:
    """The supplier's products for its list page: filtered, annotated, images prefetched (bounded queries)."""
    qs = (
        supplier_products(supplier_id)
        .select_related("category", "category__parent")
        .annotate(
            sku_count=Count("skus", distinct=True),
            stock_total=Sum("skus__on_hand"),
            low_stock_skus=Count("skus", filter=Q(skus__is_active=True, skus__on_hand__lte=LOW_STOCK_THRESHOLD), distinct=True),
        )
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    )
    if status:
        qs = qs.filter(status=status)
    if category_id:
        qs = qs.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(skus__code__icontains=q) | Q(brand__icontains=q)).distinct()
    if attention == "low_stock":
        qs = qs.filter(skus__is_active=True, skus__on_hand__lte=LOW_STOCK_THRESHOLD).distinct()
    elif attention == "pending_changes":
        qs = qs.filter(has_pending_changes=True)
    return qs.order_by("-updated_at", "-id")


def product_counts(supplier_id: int) -> dict[str, int]:
    """Counts per status plus what needs action (rejected, low stock, changes under review). Two queries."""
    statuses = {s: Count("id", filter=Q(status=s)) for s in Product.Status.values}
    row = supplier_products(supplier_id).aggregate(
        total=Count("id"), pending_changes=Count("id", filter=Q(has_pending_changes=True)), **statuses
    )
    row["low_stock"] = (
        supplier_products(supplier_id)
        .filter(skus__is_active=True, skus__on_hand__lte=LOW_STOCK_THRESHOLD)
        .values("id").distinct().count()
    )  # fmt: skip
    return row


def product_detail(*, supplier_id: int, pk: int) -> Product:
    """One of the supplier's products (``Product.DoesNotExist`` otherwise, which views turn into 404)."""
    return (
        supplier_products(supplier_id)
        .select_related("category", "category__parent", "supplier")
        .prefetch_related("images", "compliance_documents", Prefetch("skus", queryset=SKU.objects.order_by("code")))
        .get(pk=pk)
    )


def stock_history(product: Product, *, limit: int = 30) -> list[StockAdjustment]:
    return list(
        StockAdjustment.objects.filter(supplier_id=product.supplier_id, sku__product=product)
        .select_related("sku", "actor")
        .order_by("-created_at", "-id")[:limit]
    )


def listing_history(product: Product, *, limit: int = 20) -> list:
    """Moderation and edit events of a product (from the audit log), newest first."""
    return list(
        AuditEvent.objects.filter(object_type="suppliers.product", object_id=str(product.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def supplier_import_jobs(supplier_id: int) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(supplier_id=supplier_id).select_related("created_by")


def export_rows(supplier_id: int) -> QuerySet[SKU]:
    return (
        SKU.objects.filter(supplier_id=supplier_id)
        .select_related("product", "product__category", "product__category__parent")
        .order_by("product_id", "code")
    )
