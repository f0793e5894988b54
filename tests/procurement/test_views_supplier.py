import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement import services
from procurement.models import PurchaseOrder
from tests.accounts.factories import MembershipFactory
from tests.forms import once
from tests.procurement.factories import make_trade, place, reload

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


@pytest.fixture
def trade():
    return make_trade(funds="1000.00", on_hand=50)


@pytest.fixture
def supplier_client(client, trade):
    client.force_login(trade.supplier_user)
    return client


def paid(trade):
    return services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))


def test_ship_queue_lists_paid_pos_most_urgent_first(supplier_client, trade):
    a, b = paid(trade), paid(trade)
    place(trade)
    response = supplier_client.get(reverse("procurement:supplier_po_list"))
    assert [po.number for po in response.context["page"].object_list] == [a.number, b.number]
    assert response.context["counts"]["paid"] == 2


def test_ship_queue_stays_within_fixed_queries(supplier_client, trade, django_assert_max_num_queries):
    paid(trade)
    with django_assert_max_num_queries(12):
        supplier_client.get(reverse("procurement:supplier_po_list"), {"per_page": 200})
    for _ in range(10):
        paid(trade)
    with django_assert_max_num_queries(12):
        response = supplier_client.get(reverse("procurement:supplier_po_list"), {"per_page": 200})
    assert len(response.context["page"].object_list) == 11
    with django_assert_max_num_queries(12):
        supplier_client.get(reverse("procurement:supplier_po_list"), {"status": "all", "per_page": 200})


def test_a_supplier_sees_only_its_own_pos(client, trade):
    po = paid(trade)
    other = make_trade()
    client.force_login(other.supplier_user)
    assert client.get(reverse("procurement:supplier_po_detail", args=[po.number])).status_code == 404
    ship = reverse("procurement:supplier_po_ship", args=[po.number])
    assert client.post(ship, once({"carrier": "x", "tracking_number": "y"})).status_code == 404
    response = client.get(reverse("procurement:supplier_po_list"))
    assert list(response.context["page"].object_list) == []
    assert reload(po).status == S.PAID


def test_reseller_cannot_open_supplier_pages(client, trade):
    client.force_login(trade.reseller_user)
    assert client.get(reverse("procurement:supplier_po_list")).status_code == 403


def test_staff_member_can_ship(client, trade):
    po = paid(trade)
    staff = MembershipFactory(organisation=trade.supplier.organisation, role="staff").user
    client.force_login(staff)
    response = client.post(reverse("procurement:supplier_po_ship", args=[po.number]), once({"carrier": "順豐", "tracking_number": "SF9"}))
    assert response.status_code == 302
    assert reload(po).status == S.SHIPPED


def test_ship_form_errors_are_shown(supplier_client, trade):
    po = paid(trade)
    ship = reverse("procurement:supplier_po_ship", args=[po.number])
    response = supplier_client.post(ship, once({"carrier": "順豐", "tracking_number": ""}))
    assert response.status_code == 422
    assert response.context["ship_form"].errors["tracking_number"]


def test_cancel_with_reason_refunds(supplier_client, trade):
    po = paid(trade)
    supplier_client.post(reverse("procurement:supplier_po_cancel", args=[po.number]), once({"reason": "缺貨"}))
    assert reload(po).status == S.REFUNDED


def test_csv_export_is_utf8_with_bom_and_only_this_suppliers_paid_pos(supplier_client, trade):
    po = paid(trade)
    other = make_trade(funds="100.00")
    other_po = paid(other)
    response = supplier_client.get(reverse("procurement:supplier_ship_queue_csv"))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffnumber,")
    assert po.number in body and "張三" in body and other_po.number not in body


def test_bulk_ship_upload(supplier_client, trade):
    a, b = paid(trade), paid(trade)
    csv = f"number,carrier,tracking_number\n{a.number},順豐,SF1\n{b.number},圓通,YT2\n".encode()
    response = supplier_client.post(reverse("procurement:supplier_bulk_ship"), once({"file": SimpleUploadedFile("s.csv", csv)}))
    assert response.status_code == 302
    assert reload(a).status == reload(b).status == S.SHIPPED


def test_bulk_ship_upload_with_a_bad_row_ships_nothing_and_names_the_row(supplier_client, trade):
    a = paid(trade)
    csv = f"{a.number},順豐,SF1\nPO-NOPE,順豐,SF2\n".encode()
    response = supplier_client.post(reverse("procurement:supplier_bulk_ship"), once({"file": SimpleUploadedFile("s.csv", csv)}))
    assert response.status_code == 422
    assert response.context["errors"][0][0] == 2
    assert reload(a).status == S.PAID


def test_detail_shows_the_timeline_to_the_supplier(supplier_client, trade):
    po = paid(trade)
    response = supplier_client.get(reverse("procurement:supplier_po_detail", args=[po.number]))
    assert [t.to_status for t in response.context["transitions"]] == [S.AWAITING_PAYMENT, S.PAID]
    assert response.context["can_ship"]


def test_admin_shows_po_read_only(admin_client, trade):
    po = paid(trade)
    response = admin_client.get(reverse("admin:procurement_purchaseorder_change", args=[po.pk]))
    assert response.status_code == 200
    assert po.number in response.content.decode()


def test_a_resellers_text_never_becomes_a_formula_in_the_suppliers_ship_queue(supplier_client, trade):
    import csv
    import io

    po = paid(trade)
    PurchaseOrder.objects.filter(pk=po.pk).update(
        recipient="=cmd|' /C calc'!A0", street="@SUM(A1:A9)", note="+1+1", consumer_order_ref="-2+3"
    )

    response = supplier_client.get(reverse("procurement:supplier_ship_queue_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["recipient"] == "'=cmd|' /C calc'!A0"
    assert row["street"] == "'@SUM(A1:A9)"
    assert row["note"] == "'+1+1"
    assert row["quantity"] == "1"  # numbers stay numbers
