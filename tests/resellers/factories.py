from __future__ import annotations

import factory

from accounts.models import Organisation
from resellers.models import Reseller
from suppliers.models import ChannelType
from tests.accounts.factories import OrganisationFactory


class ResellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reseller

    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.RESELLER)
    name = factory.LazyAttribute(lambda o: o.organisation.name)
    channel_type = ChannelType.C_STORE
    store_name = factory.Sequence(lambda n: f"小店{n}")
    store_url = "https://shop.example.test/"
    contact_name = "李店長"
    contact_phone = "13800138000"
