import pytest
from django.urls import reverse

from procurement import services
from procurement.models import PurchaseOrder, SavedAddress
from tests.accounts.factories import MembershipFactory
from tests.forms import once
from tests.procurement.factories import ADDRESS, D, make_trade, place, reload

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


@pytest.fixture
def trade():
    return make_trade(funds="1000.00", on_hand=50)


@pytest.fixture
def reseller_client(client, trade):
    client.force_login(trade.reseller_user)
    return client


def address_post(prefix="addr"):
    keys = {"recipient", "mobile", "province", "city", "district", "street", "postal_code"}
    return {f"{prefix}-{k}": v for k, v in ADDRESS.items() if k in keys}


def test_list_shows_counts_of_what_needs_action(reseller_client, trade):
    place(trade)
    response = reseller_client.get(reverse("procurement:reseller_po_list"))
    assert response.status_code == 200
    assert response.context["counts"]["awaiting_payment"] == 1


def test_list_filters_by_status(reseller_client, trade):
    paid = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    unpaid = place(trade)
    response = reseller_client.get(reverse("procurement:reseller_po_list"), {"status": "paid"})
    numbers = [po.number for po in response.context["page"].object_list]
    assert numbers == [paid.number] and unpaid.number not in numbers


def test_list_stays_within_fixed_queries_at_any_size(reseller_client, trade, django_assert_max_num_queries):
    for _ in range(3):
        place(trade)
    # 13: the page's own queries plus one for the shop filter; the point is that it does not grow
    with django_assert_max_num_queries(13):
        reseller_client.get(reverse("procurement:reseller_po_list"), {"per_page": 200})
    for _ in range(12):
        place(trade)
    with django_assert_max_num_queries(13):
        response = reseller_client.get(reverse("procurement:reseller_po_list"), {"per_page": 200})
    assert len(response.context["page"].object_list) == 15


def test_another_resellers_po_is_not_found(client, trade):
    po = place(trade)
    other = make_trade()
    client.force_login(other.reseller_user)
    assert client.get(reverse("procurement:reseller_po_detail", args=[po.number])).status_code == 404
    assert client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once()).status_code == 404
    assert client.post(reverse("procurement:reseller_po_cancel", args=[po.number]), once()).status_code == 404
    assert reload(po).status == S.AWAITING_PAYMENT


def test_supplier_cannot_open_reseller_pages(client, trade):
    client.force_login(trade.supplier_user)
    assert client.get(reverse("procurement:reseller_po_list")).status_code == 403


def test_detail_shows_timeline_and_deadline(reseller_client, trade):
    po = place(trade)
    response = reseller_client.get(reverse("procurement:reseller_po_detail", args=[po.number]))
    assert response.status_code == 200
    assert response.context["deadline"] == po.pay_by
    assert len(response.context["transitions"]) == 1
    assert response.context["can_pay"]


def test_pay_button_pays(reseller_client, trade):
    po = place(trade)
    response = reseller_client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once(), follow=True)
    assert reload(po).status == S.PAID
    assert b"The supplier has been asked to ship" in response.content


def test_pay_with_short_balance_links_to_wallet(client):
    trade = make_trade(funds="1.00")
    client.force_login(trade.reseller_user)
    po = place(trade)
    response = client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once(), follow=True)
    assert reload(po).status == S.AWAITING_PAYMENT
    assert b'href="/wallet/"' in response.content
    assert b"Insufficient balance" in response.content


def test_double_submit_of_pay_gives_a_message_not_an_error(reseller_client, trade):
    po = place(trade)
    reseller_client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once())
    response = reseller_client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once(), follow=True)
    assert response.status_code == 200
    assert b"already paid" in response.content


def test_cancel_and_confirm_buttons(reseller_client, trade):
    po = place(trade)
    reseller_client.post(reverse("procurement:reseller_po_cancel", args=[po.number]), once())
    assert reload(po).status == S.CLOSED
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    reseller_client.post(reverse("procurement:reseller_po_confirm", args=[po.number]), once())
    assert reload(po).status == S.COMPLETED


def test_staff_member_can_place_and_pay(client, trade):
    staff = MembershipFactory(organisation=trade.reseller.organisation, role="staff").user
    client.force_login(staff)
    data = {"sku": [trade.sku.pk], "quantity": ["2"], "retail_price": ["99.00"], "consumer_order_ref": "TB-77", **address_post()}
    response = client.post(reverse("procurement:reseller_po_place"), once(data))
    po = PurchaseOrder.objects.get()
    assert response.status_code == 302 and po.placed_by == staff
    client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once())
    assert reload(po).status == S.PAID


def test_place_page_shows_field_errors_and_saves_nothing(reseller_client, trade):
    data = {
        "sku": [trade.sku.pk],
        "quantity": ["1"],
        "retail_price": ["10.00"],
        "consumer_order_ref": "TB-77",
        **address_post(),
    }
    response = reseller_client.post(reverse("procurement:reseller_po_place"), once(data))
    assert response.status_code == 422
    assert "79.00" in " ".join(response.context["line_errors"])
    data["retail_price"] = ["99.00"]
    data["addr-mobile"] = "12345"
    response = reseller_client.post(reverse("procurement:reseller_po_place"), once(data))
    assert response.status_code == 422
    assert response.context["address_form"].errors["mobile"]
    assert not PurchaseOrder.objects.exists()


def test_place_can_save_the_address(reseller_client, trade):
    data = {"sku": [trade.sku.pk], "quantity": ["1"], "retail_price": ["99.00"], "consumer_order_ref": "T", "save_address": "on"}
    reseller_client.post(reverse("procurement:reseller_po_place"), once({**data, **address_post()}))
    assert SavedAddress.objects.filter(reseller=trade.reseller, recipient="張三").exists()


def test_sku_search_finds_only_partnered_suppliers_skus(reseller_client, trade):
    stranger = make_trade()
    response = reseller_client.get(reverse("procurement:reseller_sku_search"), {"q": "SKU-"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert trade.sku.code in body and stranger.sku.code not in body


def test_sku_search_hides_a_supplier_whose_listing_is_suspended(reseller_client, trade):
    from accounts.models import Penalty

    Penalty.objects.create(organisation=trade.supplier.organisation, rule="R9", description="x", sanction=Penalty.Sanction.SUSPEND_LISTING)
    response = reseller_client.get(reverse("procurement:reseller_sku_search"), {"q": "SKU-"}, HTTP_HX_REQUEST="true")
    assert trade.sku.code not in response.content.decode()


def test_line_row_refuses_a_stranger_sku(reseller_client):
    stranger = make_trade()
    response = reseller_client.get(reverse("procurement:reseller_line_row"), {"sku": stranger.sku.pk})
    assert response.content == b""


def test_pasted_address_is_parsed_into_fields(reseller_client):
    response = reseller_client.get(
        reverse("procurement:address_fields"), {"text": "張三 13800138000 浙江省杭州市西湖區文三路100號 310000"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'value="330106" selected' in body and 'value="文三路100號"' in body and 'value="13800138000"' in body


def test_choosing_a_city_offers_its_districts(reseller_client):
    response = reseller_client.get(
        reverse("procurement:address_fields"), {"addr-province": "330000", "addr-city": "330100", "changed": "city"}
    )
    assert "西湖区" in response.content.decode()


def test_saved_address_of_another_reseller_is_not_loaded(reseller_client, trade):
    other = make_trade()
    saved = services.saved_address_create(actor=other.reseller_user, reseller=other.reseller, address=ADDRESS)
    response = reseller_client.get(reverse("procurement:address_fields"), {"saved": saved.pk})
    assert response.status_code == 200 and "張三" not in response.content.decode()
    mine = services.saved_address_create(actor=trade.reseller_user, reseller=trade.reseller, address=ADDRESS)
    assert "張三" in reseller_client.get(reverse("procurement:address_fields"), {"saved": mine.pk}).content.decode()


def test_address_book_add_and_delete(reseller_client, trade):
    reseller_client.post(reverse("procurement:saved_addresses"), address_post())
    saved = SavedAddress.objects.get(reseller=trade.reseller)
    reseller_client.post(reverse("procurement:saved_addresses"), {"delete": saved.pk})
    assert not SavedAddress.objects.exists()


def test_edit_address_on_the_po(reseller_client, trade):
    po = place(trade)
    data = address_post()
    data["addr-recipient"] = "王五"
    reseller_client.post(reverse("procurement:reseller_po_address", args=[po.number]), data)
    assert reload(po).recipient == "王五"


def test_auto_pay_toggle(reseller_client, trade):
    reseller_client.post(reverse("procurement:auto_pay"), {"enabled": "1"})
    trade.reseller.refresh_from_db()
    assert trade.reseller.auto_pay is True


def test_place_page_renders_with_a_preselected_sku(reseller_client, trade):
    response = reseller_client.get(reverse("procurement:reseller_po_place"), {"sku": trade.sku.pk})
    assert response.status_code == 200
    assert trade.sku.code in response.content.decode()
    assert D("50.00") == response.context["rows"][0]["unit_price"]


def test_home_dashboard_shows_what_needs_action(reseller_client, trade, client):
    place(trade)
    response = reseller_client.get(reverse("home"))
    body = response.content.decode()
    assert 'id="widget-purchase-orders"' in body and "To pay" in body
    client.force_login(trade.supplier_user)
    services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    body = client.get(reverse("home")).content.decode()
    assert 'id="widget-purchase-orders"' in body and "Paid, to ship" in body


def test_list_searches_by_consumer_order_reference(reseller_client, trade):
    wanted = place(trade, ref="TB-WANTED")
    place(trade, ref="TB-OTHER")
    response = reseller_client.get(reverse("procurement:reseller_po_list"), {"q": "wanted"})
    assert [po.number for po in response.context["page"].object_list] == [wanted.number]


def test_the_po_form_marks_postal_code_and_consumer_order_number_required(reseller_client):
    import re

    body = reseller_client.get(reverse("procurement:reseller_po_place")).content.decode()
    for field_id in ("id_addr-postal_code", "id_consumer_order_ref", "id_addr-recipient"):
        label = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', body, re.S).group(1)
        assert 'class="text-danger"' in label and "*" in label, field_id


def test_pasted_address_without_a_postcode_gets_the_districts_and_says_so(reseller_client):
    response = reseller_client.get(
        reverse("procurement:address_fields"), {"text": "張三 13800138000 浙江省杭州市西湖區文三路100號"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'value="310012"' in body  # 西湖區's postcode
    assert 'data-testid="postal-guessed"' in body
    response = reseller_client.get(
        reverse("procurement:address_fields"), {"text": "張三 13800138000 浙江省杭州市西湖區文三路100號 310099"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'value="310099"' in body and 'data-testid="postal-guessed"' not in body
