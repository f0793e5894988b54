import pytest

from tests.suppliers.factories import PartnershipFactory, SKUFactory


@pytest.mark.django_db
def test_factories_build_a_partnered_sku_with_available_stock():
    sku = SKUFactory(on_hand=5, reserved=2)
    partnership = PartnershipFactory(supplier=sku.supplier)
    assert sku.available == 3
    assert partnership.tier.supplier == sku.supplier
    assert sku.supplier.organisation.kind == "supplier"
    assert partnership.reseller.organisation.kind == "reseller"
