"""Factories for recruitment posts, applications, message threads and messages."""

from __future__ import annotations

import factory
from django.utils import timezone

from suppliers.models import Message, MessageThread, PartnershipApplication, RecruitmentPost, Side
from tests.suppliers.factories import SupplierFactory, TierFactory


class RecruitmentPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecruitmentPost

    supplier = factory.SubFactory(SupplierFactory)
    title = factory.Sequence(lambda n: f"誠招分銷商 {n}")
    body = "一件代發，品質保證。"
    accepted_channel_types = factory.LazyFunction(list)
    tier = factory.LazyAttribute(lambda o: TierFactory(supplier=o.supplier))
    is_open = True


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipApplication

    supplier = factory.SubFactory(SupplierFactory)
    reseller = factory.SubFactory("tests.resellers.factories.ResellerFactory")
    message = "我們想代理貴司產品。"
    status = PartnershipApplication.Status.PENDING


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageThread

    supplier = factory.SubFactory(SupplierFactory)
    reseller = factory.SubFactory("tests.resellers.factories.ResellerFactory")
    subject = factory.Sequence(lambda n: f"詢問 {n}")
    started_by = Side.RESELLER
    last_message_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    sender_side = Side.RESELLER
    body = "您好"
    created_at = factory.LazyFunction(timezone.now)
