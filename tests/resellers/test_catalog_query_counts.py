"""No N+1 on the catalog page and the admin product list: the same statement count at 1× and 10× data.

Each product sits in its own three-level category (a ``Category.__str__`` of a child reads its
parent: it used to cost a query per product) under its own supplier, so any per-row look-up of a
category, its parents or the supplier shows as a higher count at 10×.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.resellers.conftest import MAX_PAGE_QUERIES
from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db

ADMIN_LIST_QUERIES = 12  # session, user, the list's count and page, the category filter's paths, the review-queue filter


def _add_products(n: int, start: int) -> None:
    for i in range(start, start + n):
        top = CategoryFactory(name=f"頂層{i}")
        middle = CategoryFactory(name=f"中層{i}", parent=top)
        leaf = CategoryFactory(name=f"葉{i}", parent=middle)
        product = ProductFactory(supplier=SupplierFactory(company_name=f"背心供應商{i}"), category=leaf, title=f"純棉背心 {i}")
        SKUFactory(product=product)


def _count(django_assert_max_num_queries, budget: int, fn):
    with django_assert_max_num_queries(budget) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_catalog_page_statements_do_not_grow_with_products_categories_and_suppliers(
    reseller_client, world, django_assert_max_num_queries
):
    def search():
        return reseller_client.get(reverse("resellers:catalog"), {"q": "純棉背心", "per_page": 200})

    _add_products(4, 0)
    few, html = _count(django_assert_max_num_queries, MAX_PAGE_QUERIES, search)
    assert html.count("product-card") == 4
    _add_products(36, 4)
    many, html = _count(django_assert_max_num_queries, MAX_PAGE_QUERIES, search)
    assert html.count("product-card") == 40
    assert "背心供應商39" in html
    assert many == few


def test_admin_product_list_statements_do_not_grow_with_categories(client, db, django_assert_max_num_queries):
    staff = get_user_model().objects.create_superuser("admin@platform.test", "x-Strong-pass-2026")
    client.force_login(staff)

    def changelist():
        return client.get(reverse("admin:suppliers_product_changelist"), {"status__exact": "listed"})

    _add_products(4, 0)
    few, html = _count(django_assert_max_num_queries, ADMIN_LIST_QUERIES, changelist)
    assert "頂層3 › 中層3 › 葉3" in html
    _add_products(36, 4)
    many, html = _count(django_assert_max_num_queries, ADMIN_LIST_QUERIES, changelist)
    assert "頂層39 › 中層39 › 葉39" in html and "純棉背心 39" in html
    assert many == few
