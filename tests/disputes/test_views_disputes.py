"""Dispute pages: who may see what (404 for outsiders), opening with a photo, negotiating, bounded queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from disputes import services
from disputes.models import Dispute
from procurement.models import PurchaseOrder
from settlement import services as settlement
from tests.disputes.factories import member_of, png_upload, shipped_po
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db
D = Decimal


def open_dispute(po, user, **kw):
    return services.dispute_open(actor=user, purchase_order=po, reason="damaged", requested_amount="100.00", description="破損", **kw)


def test_reseller_opens_a_dispute_with_a_photo(client, po, reseller_user):
    client.force_login(reseller_user)
    url = reverse("disputes:open", args=[po.number])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "damaged", "requested_amount": "120.50", "description": "外箱破損", "evidence": [png_upload()]})
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("disputes:detail", args=[dispute.pk])
    assert dispute.requested_amount == D("120.50")
    assert dispute.evidence.count() == 1
    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.DISPUTED
    page = client.get(response.url)
    assert page.status_code == 200
    evidence_url = reverse("disputes:evidence", args=[dispute.pk, dispute.evidence.get().pk])
    assert evidence_url in page.content.decode()
    assert client.get(evidence_url).status_code == 200


def test_open_form_answers_field_by_field(client, po, reseller_user):
    client.force_login(reseller_user)
    response = client.post(reverse("disputes:open", args=[po.number]), {"reason": "damaged", "requested_amount": "999", "description": ""})
    assert response.status_code == 400
    form = response.context["form"]
    assert "cannot exceed the purchase order total (300.00)" in form.errors["requested_amount"][0]
    assert "description" in form.errors
    assert not Dispute.objects.exists()


def test_open_page_of_another_resellers_po_is_404(client, po):
    stranger = member_of(ResellerFactory().organisation)
    client.force_login(stranger)
    assert client.get(reverse("disputes:open", args=[po.number])).status_code == 404
    assert client.post(reverse("disputes:open", args=[po.number]), {"reason": "damaged"}).status_code == 404


def test_outsiders_get_404_on_every_dispute_url(client, po, reseller_user):
    dispute = open_dispute(po, reseller_user, files=[png_upload()])
    evidence = dispute.evidence.get()
    for outsider in (member_of(ResellerFactory().organisation), member_of(SupplierFactory().organisation)):
        client.force_login(outsider)
        assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 404
        assert client.get(reverse("disputes:evidence", args=[dispute.pk, evidence.pk])).status_code == 404
        for action in ("message", "offer", "accept", "withdraw", "escalate"):
            assert client.post(reverse("disputes:action", args=[dispute.pk, action]), {"body": "x"}).status_code == 404
        assert list(client.get(reverse("disputes:list")).context["page"].object_list) == []
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN


def test_anonymous_is_sent_to_login(client, po, reseller_user):
    dispute = open_dispute(po, reseller_user)
    response = client.get(reverse("disputes:detail", args=[dispute.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_supplier_offers_and_reseller_accepts_through_the_pages(client, po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    client.force_login(supplier_user)
    page = client.get(reverse("disputes:detail", args=[dispute.pk]))
    assert page.context["can_offer"] and not page.context["can_withdraw"]
    response = client.post(reverse("disputes:action", args=[dispute.pk, "offer"]), {"refund_amount": "60.00", "note": "退60"})
    assert response.status_code == 302
    offer = dispute.offers.get()
    client.force_login(reseller_user)
    page = client.get(reverse("disputes:detail", args=[dispute.pk]))
    assert page.context["acceptable"] == [offer]
    client.post(reverse("disputes:action", args=[dispute.pk, "accept"]), {"offer": offer.pk})
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.status == Dispute.Status.SETTLED
    assert (dispute.refund_amount, dispute.release_amount) == (D("60.00"), D("240.00"))
    assert settlement.escrow_held(po.number) == D("0.00")


def test_offer_above_held_is_shown_as_a_field_error(client, po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    client.force_login(supplier_user)
    response = client.post(reverse("disputes:action", args=[dispute.pk, "offer"]), {"refund_amount": "300.01"})
    assert response.status_code == 400
    assert "cannot exceed the amount held, 300.00" in response.context["offer_form"].errors["refund_amount"][0]


def test_domain_refusal_becomes_a_message_not_a_500(client, po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    client.force_login(supplier_user)
    response = client.post(reverse("disputes:action", args=[dispute.pk, "withdraw"]), follow=True)
    assert response.status_code == 200
    assert "Only the reseller can withdraw" in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN


def test_reseller_withdraws_and_escalates_from_the_page(client, reseller_user):
    first, second = shipped_po(), None
    user = member_of(first.reseller.organisation)
    second = shipped_po(reseller=first.reseller, supplier=first.supplier)
    d1, d2 = open_dispute(first, user), open_dispute(second, user)
    client.force_login(user)
    client.post(reverse("disputes:action", args=[d1.pk, "withdraw"]))
    client.post(reverse("disputes:action", args=[d2.pk, "escalate"]))
    assert Dispute.objects.get(pk=d1.pk).status == Dispute.Status.WITHDRAWN
    assert Dispute.objects.get(pk=d2.pk).status == Dispute.Status.ESCALATED


def test_supplier_sees_only_its_own_disputes_and_list_queries_are_bounded(client, django_assert_max_num_queries):
    po = shipped_po()
    supplier_user = member_of(po.supplier.organisation)
    reseller_user = member_of(po.reseller.organisation)
    open_dispute(po, reseller_user)
    for _ in range(4):
        other = shipped_po(supplier=po.supplier)
        open_dispute(other, member_of(other.reseller.organisation))
    foreign = shipped_po()
    open_dispute(foreign, member_of(foreign.reseller.organisation))
    client.force_login(supplier_user)
    client.get(reverse("disputes:list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("disputes:list"))
    numbers = {d.purchase_order.number for d in response.context["page"].object_list}
    assert len(numbers) == 5 and foreign.number not in numbers
    assert response.context["counts"]["open"] == 5
    client.force_login(reseller_user)
    response = client.get(reverse("disputes:list"))
    assert [d.purchase_order.number for d in response.context["page"].object_list] == [po.number]


def test_detail_queries_stay_bounded_as_the_thread_grows(client, po, reseller_user, supplier_user, django_assert_max_num_queries):
    dispute = open_dispute(po, reseller_user)
    for i in range(6):
        services.dispute_post_message(actor=supplier_user if i % 2 else reseller_user, dispute=dispute, body=f"m{i}", files=[png_upload()])
        services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount=f"{10 + i}.00")
    client.force_login(reseller_user)
    client.get(reverse("disputes:detail", args=[dispute.pk]))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 200


def test_staff_without_organisation_can_read_the_thread(client, po, reseller_user, staff):
    dispute = open_dispute(po, reseller_user)
    client.force_login(staff)
    page = client.get(reverse("disputes:detail", args=[dispute.pk]))
    assert page.status_code == 200
    assert not page.context["can_offer"]


def test_dispute_detail_shows_the_decision_to_both_sides(client, po, reseller_user, supplier_user, staff):
    dispute = open_dispute(po, reseller_user, now=po.shipped_at + timedelta(days=1))
    services.dispute_decide(actor=staff, dispute=dispute, refund_amount="300", release_amount="0", decision="供應商未能證明已送達")
    for user in (reseller_user, supplier_user):
        client.force_login(user)
        assert "供應商未能證明已送達" in client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()


def test_reseller_list_offers_shipped_pos_inside_the_window_only(client, reseller_user, po):
    late = shipped_po(reseller=po.reseller, shipped_at=po.shipped_at - timedelta(days=31))
    client.force_login(reseller_user)
    response = client.get(reverse("disputes:list"))
    assert [p.number for p in response.context["disputable"]] == [po.number]
    assert late.number not in response.content.decode()
    assert reverse("disputes:open", args=[po.number]) in response.content.decode()


def test_dispute_actions_tag_links_open_or_existing_dispute(rf, po, reseller_user, supplier_user):
    from django.template import Context, Template

    template = Template("{% load disputes %}{% dispute_actions po %}")

    def render(user, purchase_order):
        request = rf.get("/")
        request.membership = user.membership
        return template.render(Context({"request": request, "po": purchase_order}))

    assert reverse("disputes:open", args=[po.number]) in render(reseller_user, po)
    assert "disputes/open" not in render(supplier_user, po)
    dispute = open_dispute(po, reseller_user)
    disputed = PurchaseOrder.objects.get(pk=po.pk)
    assert reverse("disputes:detail", args=[dispute.pk]) in render(supplier_user, disputed)


def test_home_page_shows_the_disputes_widget(client, po, reseller_user, supplier_user):
    open_dispute(po, reseller_user)
    client.force_login(supplier_user)
    body = client.get(reverse("home")).content.decode()
    assert 'id="disputes-widget"' in body
    assert "1 waiting on you" in body


def test_thread_refreshes_as_an_htmx_partial(client, po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    services.dispute_post_message(actor=supplier_user, dispute=dispute, body="新訊息")
    client.force_login(reseller_user)
    response = client.get(reverse("disputes:detail", args=[dispute.pk]), {"partial": "thread"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="thread"')
    assert "新訊息" in body and "<html" not in body
    outsider = member_of(ResellerFactory().organisation)
    client.force_login(outsider)
    assert client.get(reverse("disputes:detail", args=[dispute.pk]), {"partial": "thread"}, HTTP_HX_REQUEST="true").status_code == 404


def test_the_purchase_order_pages_link_to_opening_and_following_a_dispute(client):
    # given a shipped PO inside its dispute window
    po = shipped_po()
    reseller_user, supplier_user = member_of(po.reseller.organisation), member_of(po.supplier.organisation)
    client.force_login(reseller_user)
    # then the reseller's PO page offers "Open a dispute"
    page = client.get(reverse("procurement:reseller_po_detail", args=[po.number])).content.decode()
    assert reverse("disputes:open", args=[po.number]) in page
    # when it is disputed, both PO pages link to the dispute
    dispute = services.dispute_open(
        actor=reseller_user, purchase_order=po, reason="damaged", requested_amount="50.00", description="破損"
    )
    page = client.get(reverse("procurement:reseller_po_detail", args=[po.number])).content.decode()
    assert reverse("disputes:detail", args=[dispute.pk]) in page
    client.force_login(supplier_user)
    page = client.get(reverse("procurement:supplier_po_detail", args=[po.number])).content.decode()
    assert reverse("disputes:detail", args=[dispute.pk]) in page


@pytest.mark.parametrize("kind", ["bomb", "png header + html"])
def test_evidence_that_is_not_a_real_image_is_refused(client, po, reseller_user, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import PNG_HEADER_WITH_HTML, bomb_png

    content = bomb_png() if kind == "bomb" else PNG_HEADER_WITH_HTML
    client.force_login(reseller_user)
    response = client.post(
        reverse("disputes:open", args=[po.number]),
        {"reason": "damaged", "requested_amount": "10.00", "description": "破損", "evidence": [SimpleUploadedFile("e.png", content)]},
    )
    assert response.status_code == 400  # the form again, with the error on the field
    assert "e.png" in response.content.decode()
    assert not Dispute.objects.exists()


def test_stored_evidence_that_is_not_an_image_is_never_shown_inline(client, po, reseller_user):
    from django.core.files.base import ContentFile

    from disputes.models import DisputeEvidence
    from tests.images import PNG_HEADER_WITH_HTML

    dispute = open_dispute(po, reseller_user)
    item = DisputeEvidence.objects.create(
        dispute=dispute, side="reseller", file=ContentFile(PNG_HEADER_WITH_HTML, name="x.png"), original_name="x.png",
        content_type="image/png", size=len(PNG_HEADER_WITH_HTML),
    )  # fmt: skip
    client.force_login(reseller_user)
    response = client.get(reverse("disputes:evidence", args=[dispute.pk, item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
