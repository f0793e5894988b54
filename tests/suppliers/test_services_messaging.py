from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from distribution.core.errors import PermissionDenied, ValidationFailed
from suppliers.models import MessageAttachment, MessageThread, Side
from suppliers.selectors import partnerships as sel
from suppliers.services import messaging as svc
from tests.images import png_bytes
from tests.suppliers.factories import PartnershipFactory, ProductFactory, SupplierFactory
from tests.suppliers.factories_partners import ApplicationFactory, MessageFactory, ThreadFactory
from tests.suppliers.partners_helpers import (  # noqa: F401
    celery_eager,
    fast_hasher,
    member_of,
    reseller_with_member,
    supplier_with_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]

PNG = png_bytes()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


@pytest.fixture
def partners():
    supplier_user, supplier = supplier_with_member()
    reseller_user, reseller = reseller_with_member()
    PartnershipFactory(supplier=supplier, reseller=reseller)
    return supplier_user, supplier, reseller_user, reseller


def test_reseller_starts_a_thread_about_a_product_and_the_supplier_gets_an_email_copy(partners, django_capture_on_commit_callbacks):
    supplier_user, supplier, reseller_user, reseller = partners
    product = ProductFactory(supplier=supplier)

    with django_capture_on_commit_callbacks(execute=True):
        thread = svc.thread_start(
            actor=reseller_user,
            organisation=reseller.organisation,
            supplier=supplier,
            reseller=reseller,
            subject="尺碼問題",
            body="M 碼還有貨嗎？",
            product=product,
            po_number="PO-2026-0001",
        )

    assert (thread.started_by, thread.product, thread.po_number) == (Side.RESELLER, product, "PO-2026-0001")
    assert thread.is_unread_for(Side.SUPPLIER) and not thread.is_unread_for(Side.RESELLER)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [supplier_user.email]
    assert "M 碼還有貨嗎？" in mail.outbox[0].body


def test_email_copy_is_sent_only_after_commit(partners, django_capture_on_commit_callbacks):
    _s, supplier, reseller_user, reseller = partners
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.thread_start(
            actor=reseller_user, organisation=reseller.organisation, supplier=supplier, reseller=reseller, subject="s", body="b"
        )
    assert mail.outbox == [] and len(callbacks) == 1


def test_reseller_may_write_to_any_active_supplier_but_not_an_inactive_one(reseller_member):
    user, reseller = reseller_member
    svc.thread_start(actor=user, organisation=reseller.organisation, supplier=SupplierFactory(), reseller=reseller, subject="s", body="b")
    with pytest.raises(PermissionDenied):
        svc.thread_start(
            actor=user,
            organisation=reseller.organisation,
            supplier=SupplierFactory(suspended=True),
            reseller=reseller,
            subject="s",
            body="b",
        )


def test_supplier_may_write_to_applicants_and_partners_only(supplier_member):
    user, supplier = supplier_member
    applicant = ApplicationFactory(supplier=supplier).reseller
    former = PartnershipFactory(supplier=supplier, status="terminated").reseller
    stranger = reseller_with_member()[1]

    for reseller in (applicant, former):
        svc.thread_start(actor=user, organisation=supplier.organisation, supplier=supplier, reseller=reseller, subject="s", body="b")
    with pytest.raises(PermissionDenied):
        svc.thread_start(actor=user, organisation=supplier.organisation, supplier=supplier, reseller=stranger, subject="s", body="b")


def test_a_third_organisation_cannot_post_to_a_thread(partners):
    other_user, other = supplier_with_member()
    thread = ThreadFactory(supplier=partners[1], reseller=partners[3])
    with pytest.raises(PermissionDenied):
        svc.message_post(actor=other_user, organisation=other.organisation, thread=thread, body="hi")


def test_a_user_cannot_write_in_the_name_of_an_organisation_it_does_not_belong_to(partners):
    supplier_user, supplier, _ru, reseller = partners
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    with pytest.raises(PermissionDenied):
        svc.message_post(actor=supplier_user, organisation=reseller.organisation, thread=thread, body="hi")


def test_product_of_another_supplier_is_refused(partners):
    _s, supplier, reseller_user, reseller = partners
    with pytest.raises(ValidationFailed):
        svc.thread_start(
            actor=reseller_user,
            organisation=reseller.organisation,
            supplier=supplier,
            reseller=reseller,
            subject="s",
            body="b",
            product=ProductFactory(),
        )


def test_empty_message_is_refused(partners):
    _s, supplier, reseller_user, reseller = partners
    with pytest.raises(ValidationFailed) as exc:
        svc.thread_start(
            actor=reseller_user, organisation=reseller.organisation, supplier=supplier, reseller=reseller, subject="s", body=" "
        )
    assert exc.value.field == "body"
    assert not MessageThread.objects.exists()


def test_image_and_pdf_attachments_are_kept(partners):
    _s, supplier, reseller_user, reseller = partners
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    files = [SimpleUploadedFile("photo.PNG", PNG, "image/png"), SimpleUploadedFile("invoice.pdf", PDF, "application/pdf")]

    message = svc.message_post(actor=reseller_user, organisation=reseller.organisation, thread=thread, body="見附件", attachments=files)

    assert sorted(message.attachments.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("virus.exe", b"MZ\x90\x00", "not an image"),
        ("fake.pdf", b"MZ\x90\x00not a pdf", "does not contain"),
        ("page.html", b"<html>", "not an image"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(partners, name, content, error):
    _s, supplier, reseller_user, reseller = partners
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    with pytest.raises(ValidationFailed, match=error):
        svc.message_post(
            actor=reseller_user,
            organisation=reseller.organisation,
            thread=thread,
            body="b",
            attachments=[SimpleUploadedFile(name, content)],
        )
    assert not thread.messages.exists() and not MessageAttachment.objects.exists()


def test_attachment_of_exactly_10_mb_is_accepted_and_one_byte_more_refused(partners):
    _s, supplier, reseller_user, reseller = partners
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    limit = 10 * 1024 * 1024
    ok = SimpleUploadedFile("big.pdf", PDF + b"0" * (limit - len(PDF)))
    svc.message_post(actor=reseller_user, organisation=reseller.organisation, thread=thread, body="b", attachments=[ok])
    too_big = SimpleUploadedFile("big.pdf", PDF + b"0" * (limit - len(PDF) + 1))
    with pytest.raises(ValidationFailed, match="10 MB"):
        svc.message_post(actor=reseller_user, organisation=reseller.organisation, thread=thread, body="b", attachments=[too_big])


def test_unread_counts_per_organisation(partners):
    supplier_user, supplier, reseller_user, reseller = partners
    thread = svc.thread_start(
        actor=reseller_user, organisation=reseller.organisation, supplier=supplier, reseller=reseller, subject="s", body="b"
    )
    assert sel.unread_thread_count(supplier.organisation) == 1
    assert sel.unread_thread_count(reseller.organisation) == 0

    svc.thread_mark_read(organisation=supplier.organisation, thread=thread)
    assert sel.unread_thread_count(supplier.organisation) == 0

    svc.message_post(actor=supplier_user, organisation=supplier.organisation, thread=thread, body="reply")
    assert sel.unread_thread_count(reseller.organisation) == 1
    assert sel.unread_thread_count(supplier.organisation) == 0


NOW = timezone.make_aware(timezone.datetime(2026, 6, 1, 12, 0))


def _inquiry(supplier, asked_days_ago, reply_after: timedelta | None):
    thread = ThreadFactory(supplier=supplier, last_message_at=NOW)
    asked = NOW - timedelta(days=asked_days_ago)
    MessageFactory(thread=thread, sender_side=Side.RESELLER, created_at=asked)
    if reply_after is not None:
        MessageFactory(thread=thread, sender_side=Side.SUPPLIER, created_at=asked + reply_after)
        MessageFactory(thread=thread, sender_side=Side.SUPPLIER, created_at=asked + reply_after + timedelta(hours=5))
    return thread


def test_response_time_is_the_median_first_reply_over_the_last_90_days():
    supplier = SupplierFactory()
    _inquiry(supplier, 1, timedelta(hours=1))
    _inquiry(supplier, 10, timedelta(hours=2))
    _inquiry(supplier, 89, timedelta(hours=9))
    _inquiry(supplier, 91, timedelta(days=5))  # outside the window
    _inquiry(SupplierFactory(), 1, timedelta(days=9))  # another supplier

    result = sel.supplier_response_time(supplier, now=NOW)

    assert result == sel.ResponseTime(median=timedelta(hours=2), threads=3)


def test_a_supplier_message_before_the_resellers_first_message_is_not_a_reply():
    supplier = SupplierFactory()
    thread = ThreadFactory(supplier=supplier, last_message_at=NOW)
    MessageFactory(thread=thread, sender_side=Side.SUPPLIER, created_at=NOW - timedelta(hours=10))
    MessageFactory(thread=thread, sender_side=Side.RESELLER, created_at=NOW - timedelta(hours=8))
    MessageFactory(thread=thread, sender_side=Side.SUPPLIER, created_at=NOW - timedelta(hours=5))

    assert sel.supplier_response_time(supplier, now=NOW).median == timedelta(hours=3)


def test_unanswered_inquiries_count_with_the_time_waited_so_far():
    supplier = SupplierFactory()
    _inquiry(supplier, 2, None)  # waiting 48 h
    assert sel.supplier_response_time(supplier, now=NOW) == sel.ResponseTime(median=timedelta(days=2), threads=1)


def test_no_inquiries_gives_no_median(django_assert_num_queries):
    supplier = SupplierFactory()
    with django_assert_num_queries(1):
        result = sel.supplier_response_time(supplier, now=NOW)
    assert result == sel.ResponseTime(median=None, threads=0)


def test_attachments_are_stored_under_an_unguessable_name(partners):
    _s, supplier, reseller_user, reseller = partners
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    message = svc.message_post(
        actor=reseller_user,
        organisation=reseller.organisation,
        thread=thread,
        body="b",
        attachments=[SimpleUploadedFile("發票.pdf", PDF)],
    )
    attachment = message.attachments.get()
    assert attachment.original_name == "發票.pdf"
    assert "發票" not in attachment.file.name and attachment.file.name.endswith(".pdf")
