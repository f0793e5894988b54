"""The staff operator page: numbers against a seeded backlog, retry and reconcile actions audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from distribution.core import sweeps
from distribution.core.models import AuditEvent, OutboxMessage
from tests.accounts.factories import UserFactory

URL = "/admin/operations/"


def cell(html: str, row_attr: str, cls: str) -> str:
    match = re.search(rf'<tr {row_attr}>.*?<td class="{cls}">([^<]*)</td>', html, re.S)
    assert match, f"{row_attr} / {cls} not on the page"
    return match.group(1).strip()


def test_only_staff_see_the_page(client, db):
    assert client.get(URL).status_code == 302  # to the admin login
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_index_links_to_the_page(admin_client):
    assert URL in admin_client.get(reverse("admin:index")).content.decode()


def test_the_page_shows_the_seeded_backlog(admin_client, seeded_backlog):
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert cell(html, 'data-timer="close_unpaid"', "backlog") == "3"
    assert cell(html, 'data-timer="refund_unshipped"', "backlog") == "2"
    assert cell(html, 'data-timer="auto_confirm"', "backlog") == "0"
    assert cell(html, 'data-timer="outbox"', "backlog") == "2"
    assert cell(html, 'data-queue="webhooks"', "pending") == "2"
    assert cell(html, 'data-queue="email"', "failed") == "1"
    endpoint = f'data-endpoint="{seeded_backlog.endpoint_id}"'
    assert (cell(html, endpoint, "pending"), cell(html, endpoint, "retrying"), cell(html, endpoint, "failed")) == ("2", "1", "1")
    assert f'data-outbox="{seeded_backlog.failed_outbox_id}"' in html  # the quarantined row, with its retry button
    assert reverse("ops:retry_outbox", args=[seeded_backlog.failed_outbox_id]) in html
    assert "SMTP 554" in html


def test_retrying_a_quarantined_outbox_row_queues_it_and_is_audited(admin_client, admin_user, seeded_backlog, outbox_kicks):
    pk = seeded_backlog.failed_outbox_id
    response = admin_client.post(reverse("ops:retry_outbox", args=[pk]))
    assert response.status_code == 302
    row = OutboxMessage.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("pending", 0)
    event = AuditEvent.objects.get(action="ops.outbox_retry")
    assert event.actor == admin_user and event.object_id == str(pk)
    assert f'data-outbox="{pk}"' not in admin_client.get(URL).content.decode()


def test_retrying_needs_a_post(admin_client, seeded_backlog):
    assert admin_client.get(reverse("ops:retry_outbox", args=[seeded_backlog.failed_outbox_id])).status_code == 405


def test_reconcile_now_records_the_result_with_who_ran_it(admin_client, admin_user, seeded_backlog):
    response = admin_client.post(reverse("ops:reconcile"), follow=True)
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="ops.reconcile")
    assert event.actor == admin_user
    assert event.data["ok"] is True and event.data["problems"] == []
    html = admin_client.get(URL).content.decode()
    assert event.summary in html


def test_reconcile_shows_the_problems_it_finds(admin_client, seeded_backlog):
    from settlement.models import Account

    account = Account.objects.filter(organisation__isnull=False).first()
    Account.objects.filter(pk=account.pk).update(balance_amount=account.balance_amount + 1)  # a cached balance that lies
    admin_client.post(reverse("ops:reconcile"))
    event = AuditEvent.objects.get(action="ops.reconcile")
    assert event.data["ok"] is False and event.data["problems"]
    html = admin_client.get(URL).content.decode()
    assert event.data["problems"][0][:40] in html


@pytest.mark.skipif(not hasattr(sweeps, "retry_failure"), reason="sweep failure records arrive with the sweeps branch")
def test_retrying_a_quarantined_sweep_row_is_audited(admin_client, seeded_backlog):
    from django.apps import apps
    from django.utils import timezone

    SweepFailure = apps.get_model("core", "SweepFailure")
    now = timezone.now()
    failure = SweepFailure.objects.create(
        sweep="close_unpaid", object_id=0, failures=5, last_error="boom", first_failed_at=now, last_failed_at=now,
        next_retry_at=now, quarantined=True,
    )
    html = admin_client.get(URL).content.decode()
    assert cell(html, 'data-timer="close_unpaid"', "quarantined") == "1"
    admin_client.post(reverse("ops:retry_sweep_failure", args=[failure.pk]))
    assert AuditEvent.objects.filter(action="ops.sweep_retry").exists()
