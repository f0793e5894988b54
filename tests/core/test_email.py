"""The one way email leaves the platform: distribution.core.email.send_email."""

from __future__ import annotations

import logging

from django.core import mail

from distribution.core.email import send_email


def test_one_message_from_the_platform_sender_to_each_address_once(settings):
    settings.DEFAULT_FROM_EMAIL = "分銷平台 <no-reply@distribution.test>"
    sent = send_email(to=["a@example.test", "", "b@example.test", "a@example.test"], subject="主題", body="內容")
    assert sent == 2
    [message] = mail.outbox
    assert message.to == ["a@example.test", "b@example.test"]
    assert message.from_email == "分銷平台 <no-reply@distribution.test>"
    assert (message.subject, message.body) == ("主題", "內容")


def test_nobody_to_write_to_sends_nothing():
    assert send_email(to=["", ""], subject="x", body="y") == 0
    assert mail.outbox == []


def test_a_failing_mail_server_is_logged_and_does_not_raise(settings, caplog):
    settings.EMAIL_BACKEND = "tests.core.test_email.BrokenBackend"
    with caplog.at_level(logging.ERROR, logger="distribution.core.email"):
        assert send_email(to=["a@example.test"], subject="x", body="y") == 0
    assert "failed" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
