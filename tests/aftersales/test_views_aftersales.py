import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.models import AfterSale, AfterSaleEvidence
from procurement import services as po_services
from tests.aftersales.factories import D, completed_po, open_request
from tests.forms import once
from tests.images import png_bytes
from tests.procurement.factories import make_trade, place

pytestmark = pytest.mark.django_db
S = AfterSale.Status


@pytest.fixture
def done():
    return completed_po()


def test_reseller_opens_a_request_from_the_form_with_evidence(client, done):
    trade, po = done
    client.force_login(trade.reseller_user)
    url = reverse("aftersales:open", args=[po.number])
    assert client.get(url).status_code == 200
    line = po.lines.get()
    data = once({"kind": "return_refund", "reason": "quality", "description": "破損", f"qty_{line.pk}": "1",
                 "evidence": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")})  # fmt: skip
    response = client.post(url, data)
    a = AfterSale.objects.get()
    assert response.status_code == 302 and response.url == reverse("aftersales:reseller_detail", args=[a.number])
    assert a.requested_amount == D("50.00")
    assert AfterSaleEvidence.objects.filter(after_sale=a).count() == 1
    page = client.get(response.url)
    assert a.number in page.content.decode()


def test_the_form_names_the_field_of_bad_input(client, done):
    trade, po = done
    client.force_login(trade.reseller_user)
    line = po.lines.get()
    url = reverse("aftersales:open", args=[po.number])
    response = client.post(url, once({"kind": "refund_only", "reason": "quality", "description": "x", f"qty_{line.pk}": "9"}))
    assert response.status_code == 422
    assert response.context["form"].errors[f"qty_{line.pk}"]
    response = client.post(url, once({"kind": "refund_only", "reason": "quality", "description": "x", f"qty_{line.pk}": "0"}))
    assert response.status_code == 422 and "Choose at least one line" in response.content.decode()
    bad = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    response = client.post(
        url, once({"kind": "refund_only", "reason": "quality", "description": "x", f"qty_{line.pk}": "1", "evidence": bad})
    )
    assert response.status_code == 422 and response.context["form"].errors["evidence"]
    assert not AfterSale.objects.exists()


def test_supplier_agrees_on_the_detail_page_and_the_reseller_is_refunded(client, done):
    trade, po = done
    a = open_request(trade, po)
    client.force_login(trade.supplier_user)
    page = client.get(reverse("aftersales:supplier_detail", args=[a.number]))
    assert page.status_code == 200 and page.context["actions"] == {"agree", "propose", "refuse"}
    response = client.post(reverse("aftersales:supplier_action", args=[a.number, "agree"]), once())
    assert response.status_code == 302
    assert AfterSale.objects.get(pk=a.pk).status == S.REFUNDED


def test_an_action_not_allowed_now_is_404_and_changes_nothing(client, done):
    trade, po = done
    a = open_request(trade, po)
    client.force_login(trade.reseller_user)
    assert client.post(reverse("aftersales:reseller_action", args=[a.number, "accept"]), once()).status_code == 404
    client.force_login(trade.supplier_user)
    assert client.post(reverse("aftersales:supplier_action", args=[a.number, "received"]), once()).status_code == 404
    assert AfterSale.objects.get(pk=a.pk).status == S.REQUESTED


def test_other_organisations_get_404_everywhere(client, done):
    trade, po = done
    a = open_request(trade, po)
    other = make_trade()
    client.force_login(other.reseller_user)
    assert client.get(reverse("aftersales:reseller_detail", args=[a.number])).status_code == 404
    assert client.get(reverse("aftersales:open", args=[po.number])).status_code == 404
    assert client.post(reverse("aftersales:reseller_action", args=[a.number, "withdraw"]), once()).status_code == 404
    assert list(client.get(reverse("aftersales:reseller_list")).context["page"].object_list) == []
    client.force_login(other.supplier_user)
    assert client.get(reverse("aftersales:supplier_detail", args=[a.number])).status_code == 404
    assert client.post(reverse("aftersales:supplier_action", args=[a.number, "agree"]), once()).status_code == 404
    # a supplier member on the reseller's URLs
    client.force_login(trade.supplier_user)
    assert client.get(reverse("aftersales:reseller_detail", args=[a.number])).status_code == 404
    assert AfterSale.objects.get(pk=a.pk).status == S.REQUESTED


def test_lists_filter_count_and_stay_within_fixed_queries(client, done, django_assert_max_num_queries):
    trade, po = done
    open_request(trade, po)
    client.force_login(trade.supplier_user)
    url = reverse("aftersales:supplier_list")
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.context["counts"]["waiting"] == 1
    for _ in range(5):
        t2, po2 = completed_po(trade, quantity=1)
        open_request(t2, po2)
    with django_assert_max_num_queries(10):
        response = client.get(url, {"status": "waiting"})
    assert len(response.context["page"].object_list) == 6
    assert list(client.get(url, {"status": "refunded"}).context["page"].object_list) == []
    client.force_login(trade.reseller_user)
    response = client.get(reverse("aftersales:reseller_list"), {"kind": "refund_only"})
    assert response.context["counts"]["open"] == 6 and response.context["counts"]["waiting"] == 0


def test_po_pages_show_variants_packages_and_tracking_links(client):
    trade = make_trade(funds="1000.00", on_hand=10)
    type(trade.sku).objects.filter(pk=trade.sku.pk).update(attributes={"顏色": "藍"})
    po = po_services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, quantity=2))
    client.force_login(trade.supplier_user)
    queue = client.get(reverse("procurement:supplier_po_list")).content.decode()
    assert "顏色: 藍" in queue
    csv_body = b"".join(client.get(reverse("procurement:supplier_ship_queue_csv")).streaming_content).decode("utf-8-sig")
    assert "variant" in csv_body.splitlines()[0] and "顏色: 藍" in csv_body
    line = po.lines.get()
    response = client.post(
        reverse("procurement:supplier_po_package", args=[po.number]),
        once({"pkg-carrier": "順豐速運", "pkg-tracking_number": "SF77", f"qty_{line.pk}": "1"}),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("procurement:supplier_po_tracking", args=[po.number]), once({"fix-carrier": "順豐速運", "fix-tracking_number": "SF78"})
    )
    assert response.status_code == 302
    client.force_login(trade.reseller_user)
    page = client.get(reverse("procurement:reseller_po_detail", args=[po.number])).content.decode()
    assert "顏色: 藍" in page
    assert "https://www.sf-express.com/chn/sc/waybill/waybill-detail/SF78" in page
    assert "SF77" in page  # the old value, in the timeline


def test_staff_decide_an_escalated_request_in_admin(client, done):
    from aftersales import services
    from tests.accounts.factories import UserFactory

    trade, po = done
    a = services.after_sale_refuse(actor=trade.supplier_user, after_sale=open_request(trade, po), note="no")
    a = services.after_sale_escalate(actor=trade.reseller_user, after_sale=a)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:aftersales_aftersale_decide", args=[a.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"outcome": "refund", "amount": "", "note": ""}).status_code == 400
    response = client.post(url, {"outcome": "refund", "amount": "40.00", "note": "照片可證"})
    assert response.status_code == 302
    a = AfterSale.objects.get(pk=a.pk)
    assert a.status == S.REFUNDED and a.refund_amount == D("40.00")
    assert client.get(reverse("admin:aftersales_aftersale_changelist")).status_code == 200
