"""Uploaded files stay private: every URL under MEDIA_URL goes through the owner's check, in the
development run mode (``make run``, DEBUG on) as in production (issue 11, finding 2)."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import clear_url_caches

from accounts.models import Penalty
from compliance.models import PenaltyEvidence
from disputes.models import DisputeEvidence
from settlement import services as settlement
from suppliers.models import ComplianceDocument, MessageAttachment, ProductImage
from tests.disputes.factories import member_of, shipped_po, staff_user
from tests.suppliers.factories import ProductFactory
from tests.suppliers.factories_partners import MessageFactory, ThreadFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture(params=[True, False], ids=["make-run (DEBUG on)", "production (DEBUG off)"])
def run_mode(request, settings):
    """The URLconf as each run mode builds it (``distribution/urls.py`` reads DEBUG at import)."""
    import distribution.urls

    settings.DEBUG = request.param
    importlib.reload(distribution.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = False
    importlib.reload(distribution.urls)
    clear_url_caches()


@pytest.fixture
def files(db):
    """One private file of every kind, the organisations that own them and an outsider."""
    po = shipped_po()
    reseller_org, supplier_org = po.reseller.organisation, po.supplier.organisation
    reseller_user, supplier_user = member_of(reseller_org), member_of(supplier_org)
    top_up = settlement.top_up_request(
        actor=reseller_user, organisation=reseller_org, amount=Decimal("100.00"), payer_name="王小明",
        bank_reference="ICBC-20261201-0001", receipt=ContentFile(PDF, name="工行回單.pdf"),
    )  # fmt: skip
    from disputes.models import Dispute

    dispute = Dispute.objects.create(
        purchase_order=po, reseller=po.reseller.organisation, supplier=po.supplier.organisation, opened_by=reseller_user,
        reason=Dispute.Reason.choices[0][0], requested_amount=Decimal("10.00"), description="壞了", dispute_until=po.dispute_until,
    )  # fmt: skip
    evidence = DisputeEvidence.objects.create(
        dispute=dispute, side="reseller", uploaded_by=reseller_user, file=ContentFile(PDF, name="破損照片.pdf"),
        original_name="破損照片.pdf", content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    product = ProductFactory(supplier=po.supplier, is_imported=True)
    customs = ComplianceDocument.objects.create(product=product, kind="customs_declaration", file=ContentFile(PDF, name="報關單.pdf"))
    draft_image = ProductImage.objects.create(product=product, image=ContentFile(PNG, name="新圖.png"), approved=False)
    approved_image = ProductImage.objects.create(product=product, image=ContentFile(PNG, name="主圖.png"), approved=True)
    thread = ThreadFactory(supplier=po.supplier, reseller=po.reseller)
    attachment = MessageAttachment.objects.create(
        message=MessageFactory(thread=thread), file=ContentFile(PDF, name="合同.pdf"), original_name="合同.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    penalty = Penalty.objects.create(organisation=supplier_org, rule="R3", description="x", sanction="warning")
    penalty_evidence = PenaltyEvidence.objects.create(penalty=penalty, file=ContentFile(PDF, name="截圖.pdf"))
    outsider = member_of(shipped_po().reseller.organisation)
    return {
        "receipt": (top_up.receipt, [reseller_user]),
        "dispute evidence": (evidence.file, [reseller_user, supplier_user]),
        "customs document": (customs.file, [supplier_user]),
        "unapproved product image": (draft_image.image, [supplier_user]),
        "message attachment": (attachment.file, [reseller_user, supplier_user]),
        "penalty evidence": (penalty_evidence.file, [supplier_user]),
        "approved": approved_image,
        "outsider": outsider,
    }


PRIVATE = ["receipt", "dispute evidence", "customs document", "unapproved product image", "message attachment", "penalty evidence"]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("kind", PRIVATE)
def test_private_files_answer_only_their_owners_and_staff(run_mode, files, kind):
    file, owners = files[kind]
    url = file.url
    assert url.startswith("/media/")

    assert _client().get(url).status_code == 404
    assert _client(files["outsider"]).get(url).status_code == 404
    for user in [*owners, staff_user()]:
        response = _client(user).get(url)
        assert response.status_code == 200, (kind, user)
        assert response["X-Content-Type-Options"] == "nosniff"
        if kind != "unapproved product image":
            assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content)[:5] in (b"%PDF-", PNG[:5])


def test_approved_product_images_are_public_inline_images(run_mode, files):
    response = _client().get(files["approved"].image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nothing_else_under_media_root_is_reachable(run_mode, files, settings):
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "imports" / "stray.csv").write_text("a,b")
    (settings.MEDIA_ROOT / "notes.txt").write_text("secret")
    client = _client(staff_user())
    for url in ["/media/notes.txt", "/media/imports/stray.csv", "/media/products/../notes.txt", "/media/"]:
        assert client.get(url).status_code == 404, url


def test_stored_names_are_random_and_say_nothing_about_the_owner(files):
    receipt, _owners = files["receipt"]
    evidence, _owners = files["dispute evidence"]
    for file in (receipt, evidence, files["customs document"][0], files["message attachment"][0]):
        stem = file.name.rsplit("/", 1)[-1].split(".")[0]
        assert len(stem) == 32 and int(stem, 16) >= 0, file.name
    assert "ICBC" not in receipt.name and "破損" not in evidence.name
    assert f"/{evidence.instance.dispute_id}/" not in evidence.name


def test_production_can_hand_the_bytes_to_nginx(files, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = _client().get(files["approved"].image.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + files["approved"].image.name
    assert response.content == b""
    # the check still runs first
    assert _client().get(files["receipt"][0].url).status_code == 404
