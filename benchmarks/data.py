"""Fast data builders: a few rows with ``create``, the bulk with ``bulk_create``."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import AgreementAcceptance, Membership, Organisation, User
from accounts.selectors import current_agreement
from distribution.core.validators import uscc_check_char
from resellers.models import Reseller
from suppliers.models import SKU, Category, ChannelType, CooperationTerms, Partnership, Product, ProductImage, Supplier, Tier

D = Decimal
_seq = itertools.count(1)

ADDRESS = {
    "recipient": "張三",
    "mobile": "13800138000",
    "province": "330000",
    "city": "330100",
    "district": "330106",
    "street": "文三路100號",
    "postal_code": "310000",
}

ITEMS = [
    ("純棉短袖T恤", "Cotton Crew Neck T-Shirt"),
    ("真絲圍巾", "Mulberry Silk Scarf"),
    ("不鏽鋼保溫杯", "Stainless Steel Vacuum Flask"),
    ("藍牙耳機", "Wireless Bluetooth Earbuds"),
    ("機械鍵盤", "Mechanical Keyboard"),
    ("羊毛針織衫", "Merino Wool Sweater"),
    ("運動跑鞋", "Running Shoes"),
    ("雙肩背包", "Travel Backpack"),
    ("陶瓷茶具套裝", "Ceramic Tea Set"),
    ("有機綠茶", "Organic Green Tea"),
    ("手工皂", "Handmade Soap"),
    ("竹製砧板", "Bamboo Cutting Board"),
    ("LED檯燈", "LED Desk Lamp"),
    ("行動電源", "Power Bank 10000mAh"),
    ("電動牙刷", "Electric Toothbrush"),
    ("瑜伽墊", "Non-slip Yoga Mat"),
    ("羽絨服", "Down Jacket"),
    ("修身牛仔褲", "Slim Fit Jeans"),
    ("防曬霜", "Sunscreen SPF50"),
    ("野花蜂蜜", "Wildflower Honey"),
    ("不沾炒鍋", "Non-stick Wok"),
    ("兒童繪本", "Children's Picture Book"),
    ("寵物貓糧", "Grain-free Cat Food"),
    ("智能手錶", "Smart Watch"),
    ("真皮錢包", "Leather Wallet"),
]
ADJ_ZH = [
    "夏季新款",
    "加厚",
    "輕薄",
    "男款",
    "女款",
    "兒童",
    "大容量",
    "便攜",
    "網紅同款",
    "限量版",
    "經典款",
    "2026新款",
    "加大碼",
    "簡約",
]
ADJ_EN = ["Premium", "Lightweight", "Classic", "Unisex", "Kids", "Large", "Portable", "Limited Edition", "New 2026", "Eco"]
BRANDS = ["優品", "匠心", "山水", "Nordic", "UrbanLife", "青禾", "Aurora", "木子", "Zenith", "和風", "Lumos", "禾田"]
COLOURS = ["白", "黑", "灰", "藍", "紅", "綠", "米"]
SIZES = ["S", "M", "L", "XL", "XXL"]
LOCATIONS = [("330000", "330100"), ("440000", "440300"), ("310000", "310100"), ("350000", "350200"), ("110000", "110100")]


def title_for(rng: random.Random, n: int) -> tuple[str, str]:
    """(title, brand): Chinese, English or both, like real marketplace titles."""
    zh, en = rng.choice(ITEMS)
    brand = rng.choice(BRANDS)
    style = n % 3
    if style == 0:
        title = f"{brand} {rng.choice(ADJ_ZH)}{zh} {rng.choice(ADJ_ZH)} 型號{n:05d}"
    elif style == 1:
        title = f"{brand} {rng.choice(ADJ_EN)} {en} Model {n:05d}"
    else:
        title = f"{brand} {rng.choice(ADJ_ZH)}{zh} {rng.choice(ADJ_EN)} {en} {n:05d}"
    return title[:200], brand


def credit_code(n: int) -> str:
    first17 = f"91310000{n:09d}"
    return first17 + uscc_check_char(first17)


def organisation(kind: str, name: str) -> Organisation:
    return Organisation.objects.create(kind=kind, name=name)


def member(org: Organisation, *, role: str = "owner") -> User:
    n = next(_seq)
    user = User.objects.create_user(email=f"bench{n}-{org.pk}@example.test", password=None)
    Membership.objects.create(user=user, organisation=org, role=role)
    current = current_agreement()
    if current is not None:  # pages redirect to the agreement until it is accepted
        AgreementAcceptance.objects.create(user=user, version=current)
    return user


def supplier(name: str, *, commission: str = "0.0500", shipping: str = "0.00") -> Supplier:
    org = organisation(Organisation.Kind.SUPPLIER, name)
    s = Supplier.objects.create(
        organisation=org,
        company_name=name,
        credit_code=credit_code(org.pk),
        contact_name="王經理",
        phone="021 6888 0000",
        address="上海市浦東新區世紀大道100號",
        status=Supplier.Status.ACTIVE,
        commission_rate=D(commission),
    )
    CooperationTerms.objects.create(supplier=s, text="誠信合作", shipping_fee_amount=D(shipping))
    Tier.objects.create(supplier=s, name="普通", discount_percent=D("5"))
    return s


def reseller(name: str) -> Reseller:
    org = organisation(Organisation.Kind.RESELLER, name)
    return Reseller.objects.create(
        organisation=org,
        name=name,
        channel_type=ChannelType.C_STORE,
        store_name=f"{name}的小店",
        store_url="https://shop.example.test/",
        contact_name="李店長",
        contact_phone="13800138000",
    )


def partner(s: Supplier, r: Reseller) -> Partnership:
    return Partnership.objects.create(
        supplier=s, reseller=r, tier=s.tiers.first(), status=Partnership.Status.ACTIVE, started_at=timezone.now() - timedelta(days=30)
    )


def categories() -> list[Category]:
    tops = [Category.objects.get_or_create(parent=None, name=name)[0] for name in ("服飾", "數碼", "家居", "食品", "美妝", "運動")]
    leaves = []
    for top in tops:
        for i in range(4):
            leaves.append(Category.objects.get_or_create(parent=top, name=f"{top.name}{i + 1}")[0])
    return leaves


def catalog(
    s: Supplier,
    *,
    products: int,
    skus_per_product: tuple[int, ...],
    seed: int,
    start: int = 0,
    images: bool = False,
    on_hand: int | None = None,
) -> int:
    """``products`` listed products of ``s`` with a cycling number of SKUs each; returns the SKU count."""
    rng = random.Random(seed)
    leaves = categories()
    now = timezone.now()
    batch = 5000
    total_skus = 0
    for offset in range(0, products, batch):
        rows = []
        for n in range(start + offset, start + min(offset + batch, products)):
            title, brand = title_for(rng, n)
            province, city = rng.choice(LOCATIONS)
            rows.append(
                Product(
                    supplier=s,
                    title=title,
                    approved_title=title,
                    description=f"<p>{title}</p>",
                    approved_description=f"<p>{title}</p>",
                    category=rng.choice(leaves),
                    brand=brand,
                    province_code=province,
                    city_code=city,
                    status=Product.Status.LISTED,
                    listed_at=now - timedelta(minutes=n),
                )
            )
        created = Product.objects.bulk_create(rows)
        skus = []
        for i, product in enumerate(created):
            count = skus_per_product[(offset + i) % len(skus_per_product)]
            supply = D(rng.randrange(1000, 30000)) / 100
            for v in range(count):
                skus.append(
                    SKU(
                        supplier=s,
                        product=product,
                        code=f"S{s.pk}-{start + offset + i:06d}-{v}",
                        attributes={"顏色": rng.choice(COLOURS), "尺碼": SIZES[v % len(SIZES)]},
                        supply_price_amount=supply,
                        min_retail_amount=supply + D("10.00"),
                        suggested_retail_amount=supply + D("30.00"),
                        max_retail_amount=supply + D("80.00"),
                        weight_grams=300,
                        on_hand=on_hand if on_hand is not None else rng.randrange(0, 500),
                    )
                )
        SKU.objects.bulk_create(skus, batch_size=5000)
        total_skus += len(skus)
        if images:
            ProductImage.objects.bulk_create(
                [
                    ProductImage(product=p, image=f"products/2026/11/bench-{p.pk}-{k}.jpg", position=k, approved=True)
                    for p in created
                    for k in range(2)
                ],
                batch_size=5000,
            )
    return total_skus


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
