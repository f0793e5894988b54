"""Demo data of the accounts app: staff, two suppliers and three resellers with their owners, all
having accepted the current agreement. Idempotent (looked up by email / credit code).

Puts into ``ctx``: ``staff``, ``supplier1``, ``supplier2`` (``Supplier``), ``reseller1``,
``reseller2``, ``reseller3`` (``Reseller``; the third only applies to ``supplier1``), and
``supplier1_user`` … ``reseller3_user`` (owner ``User``s).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.utils import timezone

from distribution.core.validators import uscc_check_char

from .agreement_texts import V1_RESELLER_TEXT, V1_SUPPLIER_TEXT, V1_TITLE, V1_VERSION
from .models import AgreementAcceptance, AgreementVersion, Membership, Organisation, Role, User
from .selectors import current_agreement


def _credit_code(first17: str) -> str:
    return first17 + uscc_check_char(first17)


SUPPLIERS = [
    {
        "key": "supplier1",
        "email": "supplier@demo.test",
        "full_name": "王建國",
        "company_name": "華東優品供應鏈有限公司",
        "credit_code": _credit_code("91310115MA1K4B2C3"),
        "contact_name": "王建國",
        "phone": "021 6888 1234",
        "address": "上海市浦東新區張江路88號",
        "description": "服裝、家居用品源頭供應商，自有倉庫，一件代發。",
    },
    {
        "key": "supplier2",
        "email": "supplier2@demo.test",
        "full_name": "林美華",
        "company_name": "閩南茶業貿易有限公司",
        "credit_code": _credit_code("91350203MA2Y7D8E9"),
        "contact_name": "林美華",
        "phone": "13959201234",
        "address": "福建省廈門市思明區湖濱南路200號",
        "description": "安溪鐵觀音、武夷岩茶產地直供。",
    },
]

RESELLERS = [
    {
        "key": "reseller1",
        "email": "reseller@demo.test",
        "full_name": "李曉明",
        "name": "曉明生活館",
        "channel_type": "c_store",
        "store_name": "曉明生活館淘寶店",
        "store_url": "https://xiaoming.taobao.example/",
        "contact_name": "李曉明",
        "contact_phone": "13800138000",
    },
    {
        "key": "reseller2",
        "email": "reseller2@demo.test",
        "full_name": "趙雅婷",
        "name": "雅婷優選",
        "channel_type": "own_web_shop",
        "store_name": "雅婷優選商城",
        "store_url": "https://yating.example/",
        "contact_name": "趙雅婷",
        "contact_phone": "13600136000",
    },
    {
        "key": "reseller3",
        "email": "reseller3@demo.test",
        "full_name": "陳志強",
        "name": "志強數碼家居",
        "channel_type": "b2c_platform",
        "store_name": "志強數碼家居京東店",
        "store_url": "https://zhiqiang.jd.example/",
        "contact_name": "陳志強",
        "contact_phone": "13700137000",
    },
]


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


def seed(ctx: dict) -> None:
    from resellers.models import Reseller
    from suppliers.models import Supplier

    password = ctx["password"]
    agreement = _agreement()

    staff = _user("staff@demo.test", password, full_name="平台客服", is_staff=True, is_superuser=True)
    ctx["staff"] = staff

    for spec in SUPPLIERS:
        user = _user(spec["email"], password, full_name=spec["full_name"])
        organisation = _owner_org(user, Organisation.Kind.SUPPLIER, spec["company_name"])
        supplier, _ = Supplier.objects.get_or_create(
            organisation=organisation,
            defaults={
                "company_name": spec["company_name"],
                "credit_code": spec["credit_code"],
                "contact_name": spec["contact_name"],
                "phone": spec["phone"],
                "address": spec["address"],
                "description": spec["description"],
                "status": Supplier.Status.ACTIVE,
                "reviewed_at": timezone.now(),
            },
        )
        AgreementAcceptance.objects.get_or_create(user=user, version=agreement, defaults={"ip_address": "127.0.0.1"})
        ctx[spec["key"]] = supplier
        ctx[f"{spec['key']}_user"] = user

    for spec in RESELLERS:
        user = _user(spec["email"], password, full_name=spec["full_name"])
        organisation = _owner_org(user, Organisation.Kind.RESELLER, spec["name"])
        reseller, _ = Reseller.objects.get_or_create(
            organisation=organisation,
            defaults={k: spec[k] for k in ("name", "channel_type", "store_name", "store_url", "contact_name", "contact_phone")},
        )
        AgreementAcceptance.objects.get_or_create(user=user, version=agreement, defaults={"ip_address": "127.0.0.1"})
        ctx[spec["key"]] = reseller
        ctx[f"{spec['key']}_user"] = user

    AgreementAcceptance.objects.get_or_create(user=staff, version=agreement, defaults={"ip_address": "127.0.0.1"})
