from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Organisation
from distribution.core.validators import uscc_check_char
from suppliers.models import SKU, Category, CooperationTerms, Partnership, Product, Supplier, Tier
from tests.accounts.factories import OrganisationFactory


def make_credit_code(n: int) -> str:
    first17 = f"91310000{n:09d}"
    return first17 + uscc_check_char(first17)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.SUPPLIER)
    company_name = factory.LazyAttribute(lambda o: o.organisation.name)
    credit_code = factory.Sequence(make_credit_code)
    contact_name = "王經理"
    phone = "021 6888 0000"
    address = "上海市浦東新區世紀大道100號"
    status = Supplier.Status.ACTIVE

    class Params:
        pending = factory.Trait(status=Supplier.Status.PENDING_REVIEW)
        suspended = factory.Trait(status=Supplier.Status.SUSPENDED)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"類目{n}")


def _product_updated(product) -> None:
    """What the catalog services publish after writing a product or a SKU (the search index follows)."""
    from distribution.core import events

    events.publish("product.updated", product_id=product.pk, supplier_id=product.supplier_id)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    title = factory.Sequence(lambda n: f"純棉T恤 {n}")
    description = "<p>100% 棉</p>"
    category = factory.SubFactory(CategoryFactory)
    brand = "品牌"
    province_code = "330000"  # 浙江省
    city_code = "330100"  # 杭州市
    status = Product.Status.LISTED
    approved_title = factory.LazyAttribute(lambda o: o.title)
    approved_description = factory.LazyAttribute(lambda o: o.description)
    listed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        product = super()._create(model_class, *args, **kwargs)
        _product_updated(product)
        return product

    class Params:
        draft = factory.Trait(status=Product.Status.DRAFT, listed_at=None)
        pending = factory.Trait(status=Product.Status.PENDING_REVIEW, listed_at=None)
        delisted = factory.Trait(status=Product.Status.DELISTED)


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    product = factory.SubFactory(ProductFactory)
    supplier = factory.LazyAttribute(lambda o: o.product.supplier)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    attributes = factory.LazyFunction(lambda: {"顏色": "白", "尺碼": "M"})
    supply_price_amount = Decimal("50.00")
    suggested_retail_amount = Decimal("99.00")
    min_retail_amount = Decimal("79.00")
    max_retail_amount = Decimal("129.00")
    weight_grams = 300
    on_hand = 100
    reserved = 0

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        sku = super()._create(model_class, *args, **kwargs)
        _product_updated(sku.product)
        return sku


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"普通{n}")
    discount_percent = Decimal("0")


class CooperationTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationTerms

    supplier = factory.SubFactory(SupplierFactory)
    text = "誠信合作"
    shipping_fee_amount = Decimal("0.00")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    supplier = factory.SubFactory(SupplierFactory)
    reseller = factory.SubFactory("tests.resellers.factories.ResellerFactory")
    tier = factory.LazyAttribute(lambda o: TierFactory(supplier=o.supplier))
    status = Partnership.Status.ACTIVE
    started_at = factory.LazyFunction(timezone.now)
