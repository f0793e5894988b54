import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suppliers.models import Message, MessageThread, Side
from suppliers.services import messaging as svc
from tests.images import png_bytes
from tests.suppliers.factories import PartnershipFactory, SupplierFactory
from tests.suppliers.factories_partners import MessageFactory, ThreadFactory
from tests.suppliers.partners_helpers import celery_eager, fast_hasher, reseller_with_member, supplier_with_member  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]

PNG = png_bytes()


@pytest.fixture
def pair():
    supplier_user, supplier = supplier_with_member()
    reseller_user, reseller = reseller_with_member()
    PartnershipFactory(supplier=supplier, reseller=reseller)
    return supplier_user, supplier, reseller_user, reseller


def test_reseller_starts_a_thread_with_an_attachment_and_the_supplier_sees_it_unread(client, pair, django_capture_on_commit_callbacks):
    supplier_user, supplier, reseller_user, reseller = pair
    client.force_login(reseller_user)
    assert client.get(reverse("partners:thread_start"), {"supplier": supplier.pk, "po": "PO-1"}).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:thread_start"),
            {
                "supplier": supplier.pk,
                "subject": "發貨時間",
                "body": "請問何時發貨？",
                "po_number": "PO-1",
                "attachments": [SimpleUploadedFile("a.png", PNG, "image/png")],
            },
        )

    thread = MessageThread.objects.get()
    assert response.status_code == 302 and response.url == reverse("partners:thread_detail", args=[thread.pk])
    assert thread.messages.get().attachments.count() == 1
    assert mail.outbox[0].to == [supplier_user.email]

    client.force_login(supplier_user)
    nav = client.get(reverse("partners:thread_list")).content.decode()
    assert 'data-testid="unread-threads">1<' in nav
    detail = client.get(reverse("partners:thread_detail", args=[thread.pk]))
    assert "請問何時發貨？" in detail.content.decode()
    assert 'data-testid="unread-threads"' not in client.get(reverse("partners:thread_list")).content.decode()


def test_reply_posts_a_message(client, pair):
    supplier_user, supplier, _ru, reseller = pair
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    client.force_login(supplier_user)
    response = client.post(reverse("partners:thread_detail", args=[thread.pk]), {"body": "明天發"})
    assert response.status_code == 302
    assert Message.objects.get(thread=thread).sender_side == Side.SUPPLIER


def test_bad_attachment_is_shown_on_the_field(client, pair):
    _su, supplier, reseller_user, reseller = pair
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    client.force_login(reseller_user)
    response = client.post(
        reverse("partners:thread_detail", args=[thread.pk]),
        {"body": "x", "attachments": [SimpleUploadedFile("x.exe", b"MZ")]},
    )
    assert response.status_code == 200
    assert "not an image" in response.context["form"].errors["attachments"][0]
    assert not Message.objects.exists()


def test_a_third_organisation_gets_404_on_thread_reply_and_attachment(client, pair):
    supplier_user, supplier, reseller_user, reseller = pair
    thread = svc.thread_start(
        actor=reseller_user,
        organisation=reseller.organisation,
        supplier=supplier,
        reseller=reseller,
        subject="s",
        body="b",
        attachments=[SimpleUploadedFile("a.png", PNG)],
    )
    attachment = thread.messages.get().attachments.get()
    for other_user, _other in (supplier_with_member(), reseller_with_member()):
        client.force_login(other_user)
        assert client.get(reverse("partners:thread_detail", args=[thread.pk])).status_code == 404
        assert client.post(reverse("partners:thread_detail", args=[thread.pk]), {"body": "hi"}).status_code == 404
        assert client.get(reverse("partners:attachment_download", args=[attachment.pk])).status_code == 404
    assert thread.messages.count() == 1

    client.force_login(supplier_user)
    response = client.get(reverse("partners:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


def test_supplier_cannot_start_a_thread_with_a_stranger(client):
    user, _supplier = supplier_with_member()
    _ru, stranger = reseller_with_member()
    client.force_login(user)
    assert client.get(reverse("partners:thread_start"), {"reseller": stranger.pk}).status_code == 404
    assert client.post(reverse("partners:thread_start"), {"reseller": stranger.pk, "subject": "s", "body": "b"}).status_code == 404


def test_reseller_cannot_write_to_an_inactive_supplier(client):
    user, _reseller = reseller_with_member()
    client.force_login(user)
    supplier = SupplierFactory(suspended=True)
    assert client.get(reverse("partners:thread_start"), {"supplier": supplier.pk}).status_code == 404


def test_thread_list_shows_only_own_threads_with_bounded_queries(client, pair, django_assert_max_num_queries):
    _su, supplier, reseller_user, reseller = pair
    for _ in range(12):
        thread = ThreadFactory(reseller=reseller)
        MessageFactory(thread=thread)
    ThreadFactory(subject="別人的對話")
    client.force_login(reseller_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("partners:thread_list"), {"per_page": 50})
    assert len(response.context["page"].object_list) == 12
    assert "別人的對話" not in response.content.decode()


def test_thread_detail_queries_are_bounded(client, pair, django_assert_max_num_queries):
    supplier_user, supplier, _ru, reseller = pair
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    for _ in range(15):
        MessageFactory(thread=thread)
    client.force_login(supplier_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("partners:thread_detail", args=[thread.pk]))
    assert len(response.context["thread_messages"]) == 15


def test_unread_filter(client, pair):
    supplier_user, supplier, _ru, reseller = pair
    read = ThreadFactory(supplier=supplier, reseller=reseller, subject="已讀對話")
    svc.thread_mark_read(organisation=supplier.organisation, thread=read)
    ThreadFactory(supplier=supplier, reseller=reseller, subject="未讀對話")
    client.force_login(supplier_user)
    body = client.get(reverse("partners:thread_list"), {"unread": "1"}).content.decode()
    assert "未讀對話" in body and "已讀對話" not in body


def test_the_resellers_new_message_form_offers_only_listed_products_under_their_approved_titles(client, pair):
    from tests.suppliers.factories import ProductFactory

    supplier_user, supplier, reseller_user, reseller = pair
    ProductFactory(supplier=supplier, title="秋冬新款羊絨大衣（未公開）", draft=True)
    ProductFactory(supplier=supplier, title="春季新品（審核中）", pending=True)
    ProductFactory(supplier=supplier, title="舊款（已下架）", delisted=True)
    ProductFactory(supplier=supplier, title="純棉T恤")
    ProductFactory(supplier=supplier, title="改名中的新標題", approved_title="已核准的標題", has_pending_changes=True)
    client.force_login(reseller_user)

    page = client.get(reverse("partners:thread_start"), {"supplier": supplier.pk}).content.decode()

    assert "純棉T恤" in page and "已核准的標題" in page
    for hidden in ["秋冬新款羊絨大衣", "審核中", "已下架", "改名中的新標題"]:
        assert hidden not in page
    draft = supplier.products.get(status="draft")
    response = client.post(
        reverse("partners:thread_start"), {"supplier": supplier.pk, "subject": "問", "body": "?", "product": draft.pk}
    )
    assert response.status_code == 200 and not MessageThread.objects.exists()


@pytest.mark.parametrize("kind", ["bomb", "png header + html"])
def test_attachments_that_are_not_real_images_are_refused(client, pair, kind):
    from tests.images import PNG_HEADER_WITH_HTML, bomb_png

    _su, supplier, reseller_user, _r = pair
    content = bomb_png() if kind == "bomb" else PNG_HEADER_WITH_HTML
    client.force_login(reseller_user)
    response = client.post(
        reverse("partners:thread_start"),
        {"supplier": supplier.pk, "subject": "圖", "body": "看圖", "attachments": [SimpleUploadedFile("a.png", content, "image/png")]},
    )
    assert response.status_code == 200  # the form again, with the error on the attachment
    assert "a.png" in response.content.decode()
    assert not MessageThread.objects.exists()


def test_the_open_thread_polls_for_new_messages_and_gets_only_the_ones_after_the_last(client, pair, django_assert_max_num_queries):
    supplier_user, supplier, _ru, reseller = pair
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    first = MessageFactory(thread=thread, body="第一則")
    client.force_login(supplier_user)
    page = client.get(reverse("partners:thread_detail", args=[thread.pk])).content.decode()
    poll = reverse("partners:thread_updates", args=[thread.pk])
    assert f'hx-get="{poll}?after={first.pk}"' in page

    quiet = client.get(poll, {"after": first.pk}).content.decode()
    assert "第一則" not in quiet and f"?after={first.pk}" in quiet and "hx-swap-oob" not in quiet

    for n in range(5):
        later = MessageFactory(thread=thread, body=f"後來的第{n}則")
    with django_assert_max_num_queries(12):
        fresh = client.get(poll, {"after": first.pk}).content.decode()
    assert 'hx-swap-oob="beforeend:#thread-messages"' in fresh
    assert "後來的第4則" in fresh and "第一則" not in fresh
    assert f"?after={later.pk}" in fresh
    thread.refresh_from_db()
    assert thread.supplier_read_at is not None  # seen live counts as read

    assert client.get(poll, {"after": "abc"}).status_code == 200  # a bad id is "from the start", not a 500


def test_a_third_organisation_gets_404_on_the_thread_poll(client, pair):
    _su, supplier, _ru, reseller = pair
    thread = ThreadFactory(supplier=supplier, reseller=reseller)
    stranger, _org = supplier_with_member()
    client.force_login(stranger)
    assert client.get(reverse("partners:thread_updates", args=[thread.pk])).status_code == 404


def test_the_unread_badge_is_polled_and_counts_own_threads_only(client, pair):
    supplier_user, supplier, _ru, reseller = pair
    client.force_login(supplier_user)
    empty = client.get(reverse("partners:thread_unread")).content.decode()
    assert 'hx-trigger="every 30s"' in empty and 'data-testid="unread-threads"' not in empty
    MessageFactory(thread=ThreadFactory(supplier=supplier, reseller=reseller))
    MessageFactory(thread=ThreadFactory())  # two other organisations
    assert 'data-testid="unread-threads">1<' in client.get(reverse("partners:thread_unread")).content.decode()


def test_a_bare_new_message_link_offers_the_partners_instead_of_a_404(client, pair):
    supplier_user, supplier, reseller_user, reseller = pair
    client.force_login(reseller_user)
    response = client.get(reverse("partners:thread_start"))
    assert response.status_code == 200
    assert f'href="?supplier={supplier.pk}"' in response.content.decode()
    client.force_login(supplier_user)
    response = client.get(reverse("partners:thread_start"))
    assert response.status_code == 200
    assert f'href="?reseller={reseller.pk}"' in response.content.decode()
    other_reseller_user, other = reseller_with_member()
    client.force_login(other_reseller_user)
    assert supplier.company_name not in client.get(reverse("partners:thread_start")).content.decode()
