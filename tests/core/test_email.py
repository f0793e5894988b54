"""The one way email leaves the platform: distribution.core.email.send_email, through the outbox."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import transaction

from distribution.core.email import send_email
from distribution.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_one_message_from_the_platform_sender_to_each_address_once(settings, run_outbox):
    settings.DEFAULT_FROM_EMAIL = "分銷平台 <no-reply@distribution.test>"
    sent = send_email(to=["a@example.test", "", "b@example.test", "a@example.test"], subject="主題", body="內容")
    assert sent == 2
    assert mail.outbox == []  # the worker sends it
    assert run_outbox("email") == (1, 0)
    [message] = mail.outbox
    assert message.to == ["a@example.test", "b@example.test"]
    assert message.from_email == "分銷平台 <no-reply@distribution.test>"
    assert (message.subject, message.body) == ("主題", "內容")


def test_nobody_to_write_to_sends_nothing(run_outbox):
    assert send_email(to=["", ""], subject="x", body="y") == 0
    assert OutboxMessage.objects.count() == 0


def test_an_email_of_a_rolled_back_change_is_never_sent(run_outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_email(to=["a@example.test"], subject="x", body="y")
        raise RuntimeError("the change failed")
    assert run_outbox() == (0, 0)
    assert mail.outbox == []


def test_a_failing_mail_server_is_logged_retried_and_the_mail_is_sent_when_it_is_back(settings, run_outbox, caplog):
    settings.EMAIL_BACKEND = "tests.core.test_email.BrokenBackend"
    send_email(to=["a@example.test"], subject="x", body="y")
    with caplog.at_level(logging.ERROR, logger="distribution.core.outbox"):
        assert run_outbox("email") == (0, 1)
    assert "smtp down" in caplog.text
    assert OutboxMessage.objects.get().status == "pending"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from datetime import timedelta

    from django.utils import timezone

    assert run_outbox("email", now=timezone.now() + timedelta(minutes=5)) == (1, 0)
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
