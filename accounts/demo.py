"""Demo data of the accounts app: the staff login and the published agreement; ``demo_owner``
makes the owner and organisation that the suppliers' and resellers' demo profiles hang off.
Idempotent (looked up by email). Puts ``staff`` into ``ctx``.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.utils import timezone

from .agreement_texts import V1_RESELLER_TEXT, V1_SUPPLIER_TEXT, V1_TITLE, V1_VERSION
from .models import AgreementAcceptance, AgreementVersion, Membership, Organisation, Role, User
from .selectors import current_agreement


def _user(email: str, password: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _agreement() -> AgreementVersion:
    agreement = current_agreement()
    if agreement is None:
        agreement, _ = AgreementVersion.objects.get_or_create(
            version=V1_VERSION,
            defaults={
                "title": V1_TITLE,
                "supplier_text": V1_SUPPLIER_TEXT,
                "reseller_text": V1_RESELLER_TEXT,
                "published_at": timezone.now(),
            },
        )
    return agreement


def _owner_org(user: User, kind: str, name: str) -> Organisation:
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    if membership is not None:
        return membership.organisation
    organisation = Organisation.objects.create(kind=kind, name=name, email=user.email)
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    return organisation


def demo_owner(*, email: str, password: str, full_name: str, kind: str, name: str) -> tuple[User, Organisation]:
    """A demo organisation's owner (who accepted the current agreement) and the organisation.

    The suppliers' and resellers' demo modules add their profiles to it.
    """
    user = _user(email, password, full_name=full_name)
    organisation = _owner_org(user, kind, name)
    AgreementAcceptance.objects.get_or_create(user=user, version=_agreement(), defaults={"ip_address": "127.0.0.1"})
    return user, organisation


def seed(ctx: dict) -> None:
    password = ctx["password"]
    agreement = _agreement()
    staff = _user("staff@demo.test", password, full_name="平台客服", is_staff=True, is_superuser=True)
    ctx["staff"] = staff
    AgreementAcceptance.objects.get_or_create(user=staff, version=agreement, defaults={"ip_address": "127.0.0.1"})
