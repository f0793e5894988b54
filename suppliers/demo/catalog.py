"""Demo catalog: a category tree, tiers, terms and products for the two demo suppliers.

Idempotent: categories by (parent, name), tiers by name, products by their first SKU
code. Works through the services (so stock history, audit rows and moderation are
real). Suppliers missing from ``ctx`` are skipped, so this runs on its own too.
"""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.models import Membership
from suppliers import services
from suppliers.models import SKU, Category, ComplianceDocument, CooperationTerms, Product, Supplier, Tier
from suppliers.services import SKUInput

CATEGORY_TREE = {
    "服飾": ["上衣", "褲裝", "配飾"],
    "美妝": ["護膚", "彩妝"],
    "食品": ["零食", "茶葉", "飲品"],
    "3C數碼": ["配件", "音頻"],
    "家居": ["收納", "廚具"],
}
TIERS = [("普通", Decimal("0")), ("銀牌", Decimal("5")), ("金牌", Decimal("10"))]

# (title, category path, (province, city), state, [(code, attributes, supply, suggested, min, max, stock)], extra)
S1_PRODUCTS = [
    ("純棉圓領T恤", "服飾/上衣", ("330000", "330100"), "listed", [
        ("S1-TEE-WH-M", "顏色=白; 尺碼=M", "39.00", "79.00", "69.00", "99.00", 120),
        ("S1-TEE-WH-L", "顏色=白; 尺碼=L", "39.00", "79.00", "69.00", "99.00", 80),
        ("S1-TEE-BK-M", "顏色=黑; 尺碼=M", "39.00", "79.00", "69.00", "99.00", 4)]),
    ("法式條紋襯衫", "服飾/上衣", ("330000", "330100"), "listed", [
        ("S1-SHIRT-BL-M", "顏色=藍白條; 尺碼=M", "68.00", "139.00", "119.00", "169.00", 60),
        ("S1-SHIRT-BL-L", "顏色=藍白條; 尺碼=L", "68.00", "139.00", "119.00", "169.00", 45)]),
    ("羊毛針織開衫", "服飾/上衣", ("330000", "330100"), "listed", [
        ("S1-CARDI-GY-M", "顏色=灰; 尺碼=M", "128.00", "259.00", "229.00", "299.00", 30),
        ("S1-CARDI-GY-L", "顏色=灰; 尺碼=L", "128.00", "259.00", "229.00", "299.00", 25)]),
    ("彈力修身牛仔褲", "服飾/褲裝", ("440000", "440100"), "listed", [
        ("S1-JEANS-29", "腰圍=29", "89.00", "189.00", "159.00", "229.00", 50),
        ("S1-JEANS-31", "腰圍=31", "89.00", "189.00", "159.00", "229.00", 55),
        ("S1-JEANS-33", "腰圍=33", "89.00", "189.00", "159.00", "229.00", 3)]),
    ("休閒運動褲", "服飾/褲裝", ("440000", "440100"), "listed", [
        ("S1-JOG-BK-M", "顏色=黑; 尺碼=M", "55.00", "119.00", "99.00", "139.00", 70),
        ("S1-JOG-BK-L", "顏色=黑; 尺碼=L", "55.00", "119.00", "99.00", "139.00", 65)]),
    ("棉麻可折疊收納籃", "家居/收納", ("310000", "310100"), "listed", [
        ("S1-BASKET-S", "尺寸=小", "18.00", "39.00", "32.00", "49.00", 200),
        ("S1-BASKET-L", "尺寸=大", "26.00", "55.00", "45.00", "65.00", 150)]),
    ("316不鏽鋼保溫杯 500ml", "家居/廚具", ("310000", "310100"), "listed", [
        ("S1-MUG-500-WH", "顏色=白", "45.00", "99.00", "85.00", "119.00", 300),
        ("S1-MUG-500-GN", "顏色=墨綠", "45.00", "99.00", "85.00", "119.00", 180)]),
    ("保濕舒緩面霜 50g", "美妝/護膚", ("310000", "310100"), "listed", [
        ("S1-CREAM-50", "容量=50g", "58.00", "128.00", "108.00", "148.00", 160),
        ("S1-CREAM-100", "容量=100g", "98.00", "198.00", "168.00", "228.00", 90)]),
    ("日本進口密封保鮮盒 3件套", "家居/廚具", ("310000", "310100"), "imported", [
        ("S1-JP-BOX-3", "規格=3件套", "58.00", "119.00", "99.00", "139.00", 100),
        ("S1-JP-BOX-5", "規格=5件套", "88.00", "179.00", "149.00", "209.00", 60)]),
    ("亞麻寬鬆闊腿褲", "服飾/褲裝", ("440000", "440100"), "pending", [
        ("S1-LINEN-M", "顏色=米白; 尺碼=M", "75.00", "159.00", "139.00", "189.00", 40),
        ("S1-LINEN-L", "顏色=米白; 尺碼=L", "75.00", "159.00", "139.00", "189.00", 40)]),
    ("速乾運動T恤", "服飾/上衣", ("330000", "330100"), "rejected", [
        ("S1-DRYTEE-M", "顏色=藍; 尺碼=M", "35.00", "69.00", "59.00", "89.00", 90)]),
    ("真絲睡衣套裝", "服飾/上衣", ("330000", "330100"), "draft", [
        ("S1-SILK-M", "顏色=香檳; 尺碼=M", "299.00", "599.00", "499.00", "699.00", 20)]),
]  # fmt: skip

S2_PRODUCTS = [
    ("安溪鐵觀音 清香型 250g", "食品/茶葉", ("350000", "350200"), "listed", [
        ("S2-TGY-250", "規格=250g罐裝", "88.00", "178.00", "158.00", "218.00", 150),
        ("S2-TGY-500", "規格=500g禮盒", "168.00", "338.00", "298.00", "398.00", 60)]),
    ("武夷山大紅袍 200g", "食品/茶葉", ("350000", "350200"), "listed", [
        ("S2-DHP-200", "規格=200g", "128.00", "258.00", "228.00", "298.00", 80),
        ("S2-DHP-100", "規格=100g", "68.00", "138.00", "118.00", "158.00", 4)]),
    ("手工花生牛軋糖 500g", "食品/零食", ("350000", "350200"), "listed", [
        ("S2-NOUGAT-500", "口味=原味", "28.00", "59.00", "49.00", "69.00", 400),
        ("S2-NOUGAT-500-MC", "口味=抹茶", "30.00", "62.00", "52.00", "72.00", 250)]),
    ("泰國芒果乾 200g", "食品/零食", ("350000", "350200"), "listed", [
        ("S2-MANGO-200", "規格=200g", "16.00", "35.00", "29.00", "42.00", 600),
        ("S2-MANGO-500", "規格=500g", "36.00", "75.00", "65.00", "89.00", 300)]),
    ("每日綜合堅果 30包", "食品/零食", ("350000", "350200"), "listed", [
        ("S2-NUTS-30", "規格=30包", "69.00", "139.00", "119.00", "159.00", 220),
        ("S2-NUTS-7", "規格=7包", "18.00", "39.00", "33.00", "45.00", 2)]),
    ("海苔脆片 夾心款", "食品/零食", ("350000", "350200"), "listed", [
        ("S2-SEAWEED-S", "口味=杏仁", "12.00", "25.00", "22.00", "29.00", 500),
        ("S2-SEAWEED-P", "口味=南瓜子", "12.00", "25.00", "22.00", "29.00", 480)]),
    ("便攜旅行茶具套裝", "家居/廚具", ("350000", "350200"), "listed", [
        ("S2-TEASET-GY", "顏色=灰", "59.00", "129.00", "109.00", "149.00", 120),
        ("S2-TEASET-WH", "顏色=白", "59.00", "129.00", "109.00", "149.00", 110)]),
    ("Type-C 快充數據線 1m", "3C數碼/配件", ("440000", "440300"), "listed", [
        ("S2-CABLE-1M", "長度=1m", "9.00", "25.00", "19.00", "35.00", 1000),
        ("S2-CABLE-2M", "長度=2m", "12.00", "32.00", "25.00", "42.00", 800)]),
    ("韓國進口烤海苔 10包", "食品/零食", ("350000", "350200"), "imported", [
        ("S2-KR-NORI-10", "規格=10包", "22.00", "45.00", "39.00", "55.00", 300),
        ("S2-KR-NORI-30", "規格=30包", "58.00", "119.00", "99.00", "139.00", 120)]),
    ("福州茉莉花茶 250g", "食品/茶葉", ("350000", "350100"), "pending", [
        ("S2-JASMINE-250", "規格=250g", "48.00", "99.00", "85.00", "119.00", 100)]),
    ("養生降壓茶包", "食品/茶葉", ("350000", "350200"), "rejected", [
        ("S2-HERBAL-30", "規格=30包", "29.00", "69.00", "59.00", "79.00", 80)]),
    ("雲南普洱熟茶磚 250g", "食品/茶葉", ("350000", "350200"), "draft", [
        ("S2-PUER-250", "規格=250g", "58.00", "128.00", "108.00", "148.00", 50)]),
]  # fmt: skip

REJECTION_REASONS = {
    "S1-DRYTEE-M": "商品圖片與描述不符（標示「100%速乾」但材質說明缺失），請補充面料成分後重新提交。",
    "S2-HERBAL-30": "普通食品不得宣稱「降壓」等療效（違反廣告法），請修改標題與描述後重新提交。",
}
PALETTE = [(231, 76, 60), (52, 152, 219), (46, 204, 113), (155, 89, 182), (241, 196, 15), (230, 126, 34), (26, 188, 156)]


def _png(color: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    im = Image.new("RGB", (480, 480), color)
    ImageDraw.Draw(im).rectangle((60, 60, 420, 420), outline=(255, 255, 255), width=12)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _categories() -> dict[str, Category]:
    result: dict[str, Category] = {}
    for position, (top, children) in enumerate(CATEGORY_TREE.items()):
        parent, _ = Category.objects.get_or_create(parent=None, name=top, defaults={"position": position})
        result[top] = parent
        for child_position, child in enumerate(children):
            result[f"{top}/{child}"], _ = Category.objects.get_or_create(parent=parent, name=child, defaults={"position": child_position})
    return result


def _supplier(value: Any) -> Supplier | None:
    if value is None:
        return None
    if isinstance(value, Supplier):
        return value
    return Supplier.objects.filter(organisation_id=getattr(value, "pk", value)).first()


def _owner(supplier: Supplier):
    membership = Membership.objects.select_related("user").filter(organisation_id=supplier.pk, role="owner").first()
    return membership.user if membership else None


def _reviewer(ctx: dict):
    staff = ctx.get("staff") or get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    # Without a staff account yet, approvals are recorded as the system's.
    return staff or SimpleNamespace(pk=None, is_staff=True)


def _seed_supplier(ctx: dict, key: str, supplier: Supplier, specs: list, categories: dict[str, Category]) -> None:
    owner = _owner(supplier)
    if owner is None:
        return
    tiers = {}
    for position, (name, discount) in enumerate(TIERS):
        tier = Tier.objects.filter(supplier=supplier, name=name).first()
        tiers[name] = tier or services.tier_create(actor=owner, supplier=supplier, name=name, discount_percent=discount, position=position)
    ctx.setdefault("tiers", {})[key] = tiers
    if not CooperationTerms.objects.filter(supplier=supplier).exists():
        services.cooperation_terms_save(
            actor=owner, supplier=supplier,
            text="誠信經營，一件代發。分銷商須按本公司零售價區間銷售，不得低於最低零售價。",
            accepted_channel_types=["c_store", "mall_store", "b2c_platform", "own_web_shop"],
            minimum_order_amount=Decimal("0.00"), shipping_fee_amount=Decimal("8.00"), shipping_regions=[],
            return_policy="簽收後7天內未拆封商品可無理由退貨，質量問題運費由供應商承擔。",
        )  # fmt: skip
    reviewer = _reviewer(ctx)
    products = ctx.setdefault("products", {})
    skus = ctx.setdefault("skus", {})
    listed = ctx.setdefault("listed_skus", {}).setdefault(key, [])
    for index, (title, category, (province, city), state, rows) in enumerate(specs):
        first_code = rows[0][0]
        existing = SKU.objects.filter(supplier=supplier, code=first_code).select_related("product").first()
        if existing is not None:
            product = existing.product
        else:
            product = _create_product(owner, supplier, title, categories[category], province, city, state, rows, index)
            product = _moderate(owner, reviewer, product, state, first_code)
        products[first_code] = product
        for sku in product.skus.all():
            skus[sku.code] = sku
            if product.status == Product.Status.LISTED:
                listed.append(sku)


def _create_product(owner, supplier, title, category, province, city, state, rows, index) -> Product:
    description = (
        f"<p><strong>{title}</strong>：品質穩定，支持一件代發。</p><ul><li>現貨發貨，48小時內出庫</li><li>支持七天無理由退貨</li></ul>"
    )
    sku_inputs = [
        SKUInput(
            code=code, attributes=dict(pair.strip().split("=", 1) for pair in attrs.split(";")),
            supply_price_amount=Decimal(supply), suggested_retail_amount=Decimal(suggested),
            min_retail_amount=Decimal(minimum), max_retail_amount=Decimal(maximum), weight_grams=250, on_hand=stock,
        )
        for code, attrs, supply, suggested, minimum, maximum, stock in rows
    ]  # fmt: skip
    documents = []
    if state == "imported":
        documents = [
            (ComplianceDocument.Kind.CUSTOMS_DECLARATION, _pdf("customs-declaration.pdf")),
            (ComplianceDocument.Kind.INSPECTION_CERTIFICATE, _pdf("inspection-certificate.pdf")),
        ]
    return services.product_create(
        actor=owner, supplier=supplier,
        fields={"title": title, "description": description, "category": category, "brand": supplier.company_name[:100],
                "province_code": province, "city_code": city, "is_imported": state == "imported"},
        skus=sku_inputs, images=[_png(PALETTE[index % len(PALETTE)], f"{rows[0][0].lower()}.png")], documents=documents,
    )  # fmt: skip


def _moderate(owner, reviewer, product: Product, state: str, first_code: str) -> Product:
    if state == "draft":
        return product
    product = services.product_submit(actor=owner, product=product)
    if state in ("listed", "imported"):
        return services.product_approve(actor=reviewer, product=product)
    if state == "rejected":
        return services.product_reject(actor=reviewer, product=product, reason=REJECTION_REASONS[first_code])
    return product


def seed(ctx: dict) -> None:
    ctx["categories"] = _categories()
    for key, specs in (("supplier1", S1_PRODUCTS), ("supplier2", S2_PRODUCTS)):
        supplier = _supplier(ctx.get(key))
        if supplier is not None:
            _seed_supplier(ctx, key, supplier, specs, ctx["categories"])
