"""Writes for resellers: the store list (下載並發布, R7), its reaction to supplier
changes, feed sync stamps (R10) and the price-compliance inspection (巡查, R17).

The three ``store_list_on_*`` hooks are called by the suppliers' services inside
their transactions when something a published entry depends on changes. Each
finds the affected entries in one query, updates them in bulk, and notifies each
reseller once per change: an entry remembers the key of the last change it was
notified about, so a hook called twice for the same state stays quiet.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AgreementVersion, Notification, Organisation, User
from accounts.services import agreement_accept, organisation_create
from distribution.core.audit import audit
from distribution.core.errors import DomainError, InvalidState, ValidationFailed
from distribution.core.money import format_money, money
from suppliers.models import SKU, Partnership, Product, Supplier
from suppliers.services import messaging  # type: ignore[attr-defined]
from suppliers.terms import price_annotations, skus_visible_to

from .markup import apply_markup
from .models import FLAG_FIELDS, InspectionFinding, Reseller, Shop, StoreListing
from .search import visible_suppliers
from .selectors import partnerships_by_supplier, supply_price_for

# --- registration at signup (R1) ---------------------------------------------------------------


def reseller_register(
    *,
    user: User,
    name: str,
    channel_type: str,
    store_name: str,
    store_url: str = "",
    contact_name: str,
    contact_phone: str,
    agreement: AgreementVersion,
    ip_address: str | None,
    user_agent: str = "",
    now: datetime | None = None,
):
    """Create the reseller organisation for a user who just signed up (organisation, owner
    membership, ``Reseller`` profile, agreement acceptance). All or nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        organisation = organisation_create(user=user, kind=Organisation.Kind.RESELLER, name=name)
        reseller = Reseller.objects.create(
            organisation=organisation,
            name=name,
            channel_type=channel_type,
            store_name=store_name,
            store_url=store_url,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        agreement_accept(user=user, version=agreement, ip_address=ip_address, user_agent=user_agent, now=now)
        audit(actor=user, action="reseller.registered", obj=reseller, organisation=organisation, summary=name)
    return reseller


class StoreListErrors(ValidationFailed):
    """Several entries were refused; ``errors`` maps a form field (``price_<sku id>``) to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()), field=next(iter(errors), None))


def range_message(sku: SKU) -> str:
    return _("Retail price must be between %(min)s and %(max)s") % {
        "min": format_money(sku.min_retail_amount),
        "max": format_money(sku.max_retail_amount),
    }


def parse_price(value: Any) -> Decimal | None:
    try:
        price = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")):
        return None
    return money(price)


def _as_price(price: Any) -> Decimal | None:
    if isinstance(price, Decimal):
        return money(price) if price.is_finite() and price > 0 and price == money(price) else None
    return parse_price(price)


def _price_error(sku: SKU, price: Any) -> str | None:
    parsed = _as_price(price)
    if parsed is None:
        return _("Enter a retail price in yuan with at most two decimals.")
    if not (sku.min_retail_amount <= parsed <= sku.max_retail_amount):
        return range_message(sku)
    return None


def _notify_org_members(organisation_ids: Iterable[int], build: dict[int, tuple[str, str, str, str]]) -> int:
    """One notification per member of each organisation; ``build[org_id] = (kind, title, body, url)``. Two queries."""
    users = get_user_model().objects.filter(membership__organisation_id__in=list(organisation_ids), is_active=True).values_list(
        "pk", "membership__organisation_id"
    )
    now = timezone.now()
    rows = [
        Notification(
            user_id=uid, organisation_id=org, kind=build[org][0], title=build[org][1][:200], body=build[org][2], url=build[org][3],
            created_at=now,
        )
        for uid, org in users
        if org in build
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _store_list_url(flagged: bool = True) -> str:
    return reverse("resellers:store_list") + ("?flagged=1" if flagged else "")


def _change_key(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


def _resolve_findings_of_unpublished(listing_ids: list[int], now: datetime) -> int:
    """An entry that is no longer published breaks no rule: its open findings resolve."""
    return InspectionFinding.objects.filter(
        listing_id__in=listing_ids, resolved_at__isnull=True, listing__status=StoreListing.Status.UNPUBLISHED
    ).update(resolved_at=now)


# --- publishing ---------------------------------------------------------------------------------


def _shop_of(reseller: Reseller, shop: Shop | None) -> Shop:
    from .shop_services import shop_default

    if shop is None:
        return shop_default(reseller=reseller)
    if shop.reseller_id != reseller.pk:
        raise DomainError(_("This shop does not exist."), code="not_found")
    return shop


def default_item_codes(shop: Shop, skus: list[SKU]) -> dict[int, str]:
    """The item code each new entry starts with: the SKU code, or ``<code>-<sku id>`` where the shop uses it."""
    wanted = {sku.pk: sku.code[:64] for sku in skus}
    taken = set(StoreListing.objects.filter(shop=shop, item_code__in=list(set(wanted.values()))).values_list("item_code", flat=True))
    codes: dict[int, str] = {}
    for sku in skus:
        code = wanted[sku.pk]
        if code in taken:
            code = f"{sku.code[:50]}-{sku.pk}"
        taken.add(code)
        codes[sku.pk] = code
    return codes


@dataclass
class PublishItem:
    sku_id: int
    price: Any  # a Decimal or the raw text the reseller typed


def store_listing_publish(
    *, actor: Any, reseller: Reseller, items: list[PublishItem], shop: Shop | None = None, now: datetime | None = None
) -> list[StoreListing]:
    """Publish SKUs to one shop's store list (the reseller's default shop if none) at its retail prices (all or nothing).

    A new entry's shop item code is the SKU code (``<code>-<sku id>`` if the shop already
    uses that code for another entry); re-publishing keeps the code the reseller gave.

    Preconditions checked under lock: each SKU is active, its product listed, its
    supplier active and partnered (active partnership) with the reseller, and the
    price lies within the SKU's min/max (refused naming the range). The SKU rows and
    the partnership rows are locked (primary-key order) so a concurrent supplier
    change either precedes the check or sees the new entries in its hook.
    Re-publishing an entry updates it; every entry is refused if one is.
    """
    now = now or timezone.now()
    if not items:
        raise ValidationFailed(_("Choose at least one SKU to publish."), field="skus")
    by_sku = {int(i.sku_id): i for i in items}
    with transaction.atomic():
        shop = _shop_of(reseller, shop)
        skus = list(
            skus_visible_to(SKU.objects.select_for_update(of=("self",)).filter(pk__in=sorted(by_sku)), reseller.pk, now)
            .select_related("product", "supplier")
            .order_by("pk")
        )
        if len(skus) != len(by_sku):
            raise ValidationFailed(_("Some SKUs do not exist."), field="skus")
        # locked too, so a partnership ending concurrently either ends first (and we refuse) or
        # waits for us and then finds (and unpublishes) the new entries in its hook. Deliberately
        # stricter than ``Partnership.objects.live()``: no new entries during a notice period (R5).
        partnered = set(
            Partnership.objects.select_for_update()
            .filter(reseller=reseller, supplier_id__in=sorted({s.supplier_id for s in skus}), status=Partnership.Status.ACTIVE)
            .order_by("pk")
            .values_list("supplier_id", flat=True)
        )
        # the one listing-sanction rule (search and the API feed hide the same suppliers)
        visible = set(visible_suppliers(now).filter(pk__in=sorted(partnered)).values_list("pk", flat=True))
        errors: dict[str, str] = {}
        prices: dict[int, Decimal] = {}
        for sku in skus:
            field = f"price_{sku.pk}"
            if sku.product.status != Product.Status.LISTED or not sku.is_active:
                errors[field] = _("%(code)s is not listed by the supplier.") % {"code": sku.code}
            elif sku.supplier_id in partnered and sku.supplier.status == Supplier.Status.ACTIVE and sku.supplier_id not in visible:
                errors[field] = _("%(code)s cannot be published: its supplier is suspended from listing by the platform.") % {
                    "code": sku.code
                }
            elif sku.supplier.status != Supplier.Status.ACTIVE or sku.supplier_id not in partnered:
                errors[field] = _("You can publish %(code)s only while partnered with its supplier.") % {"code": sku.code}
            elif (err := _price_error(sku, by_sku[sku.pk].price)) is not None:
                errors[field] = err
            else:
                prices[sku.pk] = _as_price(by_sku[sku.pk].price)
        if errors:
            raise StoreListErrors(errors)

        existing = {sl.sku_id: sl for sl in StoreListing.objects.select_for_update().filter(shop=shop, sku_id__in=list(prices))}
        new_codes = default_item_codes(shop, [sku for sku in skus if sku.pk not in existing])
        to_create, to_update = [], []
        for sku in skus:
            listing = existing.get(sku.pk) or StoreListing(
                reseller=reseller, shop=shop, sku=sku, supplier_id=sku.supplier_id, item_code=new_codes[sku.pk], created_at=now
            )
            listing.retail_price_amount = prices[sku.pk]
            listing.status = StoreListing.Status.PUBLISHED
            listing.location_province_code = sku.product.province_code
            listing.location_city_code = sku.product.city_code
            listing.flag_out_of_range = False
            listing.flag_delisted = False
            listing.flag_partnership_ended = False
            listing.flag_out_of_stock = sku.available <= 0
            listing.flagged_at = now if listing.flag_out_of_stock else None
            listing.notified_change_key = ""
            listing.published_at = now
            listing.updated_at = now
            (to_update if listing.pk else to_create).append(listing)
        StoreListing.objects.bulk_create(to_create)
        if to_update:
            StoreListing.objects.bulk_update(
                to_update,
                [
                    "retail_price_amount",
                    "status",
                    "location_province_code",
                    "location_city_code",
                    "flag_out_of_range",
                    "flag_delisted",
                    "flag_partnership_ended",
                    "flag_out_of_stock",
                    "flagged_at",
                    "notified_change_key",
                    "published_at",
                    "updated_at",
                ],
            )
        listings = to_create + to_update
        InspectionFinding.objects.filter(
            listing_id__in=[sl.pk for sl in listings],
            resolved_at__isnull=True,
            kind__in=[InspectionFinding.Kind.PRICE_OUT_OF_RANGE, InspectionFinding.Kind.LOCATION_MISMATCH],
        ).update(resolved_at=now)
        audit(
            actor=actor,
            action="store_listing.publish",
            organisation=reseller.organisation,
            summary=f"published {len(listings)} SKU(s) in {shop.name}",
            data={"shop": shop.pk, "skus": {str(k): format_money(v) for k, v in prices.items()}},
        )
    return listings


def store_listing_publish_by_rule(
    *, actor: Any, reseller: Reseller, sku_ids: list[int], rule: str, factor: Decimal, shop: Shop | None = None, now: datetime | None = None
) -> list[StoreListing]:
    """Bulk publish: each SKU at the price ``rule`` gives (clamped into its range), all or nothing."""
    partnerships = partnerships_by_supplier(reseller)
    items = []
    for sku in SKU.objects.filter(pk__in=list(sku_ids)).annotate(**price_annotations(reseller.pk)):
        supply = supply_price_for(sku, partnerships.get(sku.supplier_id)) or sku.supply_price_amount
        result = apply_markup(
            rule=rule,
            supply_price=supply,
            suggested=sku.suggested_retail_amount,
            min_retail=sku.min_retail_amount,
            max_retail=sku.max_retail_amount,
            factor=factor,
        )
        items.append(PublishItem(sku_id=sku.pk, price=result.price))
    return store_listing_publish(actor=actor, reseller=reseller, items=items, shop=shop, now=now)


def _locked_listing(reseller: Reseller, listing_id: int) -> StoreListing:
    listing = (
        StoreListing.objects.select_for_update(of=("self",))
        .select_related("sku", "sku__product", "supplier")
        .filter(reseller=reseller, pk=listing_id)
        .first()
    )
    if listing is None:
        raise DomainError(_("This store-list entry does not exist."), code="not_found")
    return listing


def store_listing_set_price(
    *, actor: Any, reseller: Reseller, listing_id: int, price: Any, now: datetime | None = None
) -> StoreListing:
    """Change an entry's retail price (within the SKU's range); clears its out-of-range flag and findings."""
    now = now or timezone.now()
    with transaction.atomic():
        listing = _locked_listing(reseller, listing_id)
        err = _price_error(listing.sku, price)
        if err is not None:
            raise ValidationFailed(err, field="retail_price")
        old = listing.retail_price_amount
        listing.retail_price_amount = _as_price(price)
        listing.flag_out_of_range = False
        if not listing.is_flagged:
            listing.flagged_at = None
        listing.updated_at = now
        listing.save(update_fields=["retail_price_amount", "flag_out_of_range", "flagged_at", "updated_at"])
        InspectionFinding.objects.filter(
            listing=listing, resolved_at__isnull=True, kind=InspectionFinding.Kind.PRICE_OUT_OF_RANGE
        ).update(resolved_at=now)
        audit(
            actor=actor,
            action="store_listing.set_price",
            obj=listing,
            organisation=reseller.organisation,
            summary=f"{listing.sku.code}: {old} → {listing.retail_price_amount}",
        )
    return listing


def store_listing_unpublish(*, actor: Any, reseller: Reseller, listing_id: int, now: datetime | None = None) -> StoreListing:
    """Take an entry off the shop. Idempotent: an unpublished entry stays as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        listing = _locked_listing(reseller, listing_id)
        if listing.status == StoreListing.Status.UNPUBLISHED:
            return listing
        listing.status = StoreListing.Status.UNPUBLISHED
        listing.updated_at = now
        listing.save(update_fields=["status", "updated_at"])
        _resolve_findings_of_unpublished([listing.pk], now)
        audit(actor=actor, action="store_listing.unpublish", obj=listing, organisation=reseller.organisation, summary=listing.sku.code)
    return listing


def store_listing_republish(
    *, actor: Any, reseller: Reseller, listing_id: int, price: Any = None, now: datetime | None = None
) -> StoreListing:
    """Publish an unpublished entry again (at ``price`` or its current price), under the publish rules."""
    listing = StoreListing.objects.filter(reseller=reseller, pk=listing_id).first()
    if listing is None:
        raise DomainError(_("This store-list entry does not exist."), code="not_found")
    if listing.status == StoreListing.Status.PUBLISHED:
        raise InvalidState(_("This entry is already published."))
    result = store_listing_publish(
        actor=actor,
        reseller=reseller,
        items=[PublishItem(sku_id=listing.sku_id, price=price if price is not None else listing.retail_price_amount)],
        shop=listing.shop,
        now=now,
    )
    return result[0]


# --- reactions to supplier changes (called inside the suppliers' transactions) -------------------


def _apply_flag_changes(
    listings: list[StoreListing], *, new_state: dict[int, dict[str, Any]], key_for: dict[int, str], now: datetime
) -> list[StoreListing]:
    """Write new flags/status in one bulk update; return the entries whose change key is new (to notify)."""
    changed, to_notify = [], []
    for sl in listings:
        state = new_state[sl.pk]
        dirty = newly_flagged = False
        for field, value in state.items():
            if getattr(sl, field) != value:
                newly_flagged = newly_flagged or (field in FLAG_FIELDS and value)
                setattr(sl, field, value)
                dirty = True
        if newly_flagged:
            sl.flagged_at = now
        elif not sl.is_flagged:
            sl.flagged_at = None
        key = key_for[sl.pk]
        if key != sl.notified_change_key:
            sl.notified_change_key = key
            to_notify.append(sl)
            dirty = True
        if dirty:
            sl.updated_at = now
            changed.append(sl)
    if changed:
        StoreListing.objects.bulk_update(
            changed,
            [
                "status",
                "flag_out_of_range",
                "flag_out_of_stock",
                "flag_delisted",
                "flag_partnership_ended",
                "flagged_at",
                "notified_change_key",
                "updated_at",
            ],
        )
    return to_notify


def _notify_resellers(listings: list[StoreListing], *, kind: str, title_for, body: str) -> int:
    per_reseller: dict[int, list[StoreListing]] = defaultdict(list)
    for sl in listings:
        per_reseller[sl.reseller_id].append(sl)
    build = {rid: (kind, title_for(len(sls)), body, _store_list_url()) for rid, sls in per_reseller.items()}
    return _notify_org_members(build.keys(), build) if build else 0


def store_list_on_sku_changed(*, sku: Any, changes: set[str], now: datetime | None = None) -> None:
    """A SKU's price range, supply price, stock or active state changed (``changes`` names which).

    Every entry of the SKU is re-flagged from the SKU's current state (out of range:
    its retail price is outside the new min/max; out of stock: nothing available;
    delisted: the SKU was deactivated, which also unpublishes it). Each reseller is
    notified once per distinct change; the caller's transaction holds the SKU lock.
    """
    now = now or timezone.now()
    listings = list(StoreListing.objects.filter(sku_id=sku.pk))
    if not listings:
        return
    available = sku.on_hand - sku.reserved
    state, keys = {}, {}
    for sl in listings:
        s: dict[str, Any] = {
            "flag_out_of_range": not (sku.min_retail_amount <= sl.retail_price_amount <= sku.max_retail_amount),
            "flag_out_of_stock": available <= 0,
        }
        if not sku.is_active:
            s["flag_delisted"] = True
            s["status"] = StoreListing.Status.UNPUBLISHED
        state[sl.pk] = s
        keys[sl.pk] = _change_key(
            "sku", sku.pk, sku.min_retail_amount, sku.max_retail_amount, sku.supply_price_amount, sku.is_active,
            s["flag_out_of_range"], s["flag_out_of_stock"],
        )
    # the first notification about an entry is due only if something is wrong or a price moved
    to_notify = _apply_flag_changes(listings, new_state=state, key_for=keys, now=now)
    to_notify = [sl for sl in to_notify if sl.is_flagged or changes & {"supply_price_amount", "min_retail_amount", "max_retail_amount"}]
    _resolve_findings_of_unpublished([sl.pk for sl in listings], now)
    if to_notify:
        what = []
        if changes & {"min_retail_amount", "max_retail_amount"}:
            what.append(
                _("Allowed retail price is now %(min)s–%(max)s.")
                % {"min": format_money(sku.min_retail_amount), "max": format_money(sku.max_retail_amount)}
            )
        if "supply_price_amount" in changes:
            what.append(_("The supply price changed."))
        if available <= 0:
            what.append(_("It is out of stock."))
        if not sku.is_active:
            what.append(_("It was withdrawn and taken off your store list."))
        _notify_resellers(
            to_notify,
            kind="store_list.sku_changed",
            title_for=lambda n: _("The supplier changed SKU %(code)s in your store list") % {"code": sku.code},
            body=" ".join(what),
        )


def _unpublish_flagged(
    listings: list[StoreListing], *, flag: str, key: tuple, now: datetime | None, kind: str, title_for, body: str
) -> None:
    """Flag ``listings`` with ``flag`` and unpublish them; their findings resolve; each reseller told once per ``key``."""
    if not listings:
        return
    now = now or timezone.now()
    state = {sl.pk: {flag: True, "status": StoreListing.Status.UNPUBLISHED} for sl in listings}
    keys = {sl.pk: _change_key(*key) for sl in listings}
    to_notify = _apply_flag_changes(listings, new_state=state, key_for=keys, now=now)
    _resolve_findings_of_unpublished([sl.pk for sl in listings], now)
    _notify_resellers(to_notify, kind=kind, title_for=title_for, body=body)


def store_list_on_product_delisted(*, product: Any, now: datetime | None = None) -> None:
    """A product was delisted: its entries are flagged and unpublished; resellers notified once."""
    listings = list(StoreListing.objects.filter(sku__product_id=product.pk))
    title = getattr(product, "approved_title", "") or product.title
    _unpublish_flagged(
        listings,
        flag="flag_delisted",
        key=("delisted", product.pk),
        now=now,
        kind="store_list.delisted",
        title_for=lambda n: ngettext(
            "“%(title)s” was delisted: %(n)d entry was unpublished",
            "“%(title)s” was delisted: %(n)d entries were unpublished",
            n,
        )
        % {"title": title, "n": n},
        body=_("Remove it from your shop; it can no longer be ordered."),
    )


def store_list_on_partnership_ended(*, partnership: Any, now: datetime | None = None) -> None:
    """A partnership ended: the reseller's entries of that supplier are flagged and unpublished."""
    listings = list(StoreListing.objects.filter(reseller_id=partnership.reseller_id, supplier_id=partnership.supplier_id))
    if not listings:
        return
    supplier_name = Supplier.objects.filter(pk=partnership.supplier_id).values_list("company_name", flat=True).first() or ""
    _unpublish_flagged(
        listings,
        flag="flag_partnership_ended",
        key=("partnership_ended", partnership.pk),
        now=now,
        kind="store_list.partnership_ended",
        title_for=lambda n: ngettext(
            "Your partnership with %(supplier)s ended: %(n)d entry was unpublished",
            "Your partnership with %(supplier)s ended: %(n)d entries were unpublished",
            n,
        )
        % {"supplier": supplier_name, "n": n},
        body=_("Remove these goods from your shop."),
    )


# --- feeds ---------------------------------------------------------------------------------------


def feed_record_sync(*, reseller: Reseller, now: datetime | None = None) -> int:
    """Stamp ``last_feed_at`` on the reseller's live partnerships (one UPDATE)."""
    now = now or timezone.now()
    return Partnership.objects.live(now).filter(reseller=reseller).update(last_feed_at=now)


# --- inspection (巡查, R17) ----------------------------------------------------------------------


def _violations(listing: StoreListing) -> dict[str, dict[str, str]]:
    if listing.status != StoreListing.Status.PUBLISHED:
        return {}
    sku, product = listing.sku, listing.sku.product
    found: dict[str, dict[str, str]] = {}
    if product.status != Product.Status.LISTED or not sku.is_active:
        found[InspectionFinding.Kind.DELISTED_SKU] = {"product_status": product.status, "sku": sku.code}
    if not (sku.min_retail_amount <= listing.retail_price_amount <= sku.max_retail_amount):
        found[InspectionFinding.Kind.PRICE_OUT_OF_RANGE] = {
            "sku": sku.code,
            "retail_price": format_money(listing.retail_price_amount),
            "min": format_money(sku.min_retail_amount),
            "max": format_money(sku.max_retail_amount),
        }
    if (listing.location_province_code, listing.location_city_code) != (product.province_code, product.city_code):
        found[InspectionFinding.Kind.LOCATION_MISMATCH] = {
            "sku": sku.code,
            "shown": f"{listing.location_province_code}/{listing.location_city_code}",
            "actual": f"{product.province_code}/{product.city_code}",
        }
    return found


def inspection_check_listings(*, listing_ids: list[int], now: datetime | None = None) -> tuple[int, int]:
    """Inspect the given entries against their suppliers' current terms.

    Idempotent: a violation with an open finding of the same kind is not recorded
    again (a partial unique constraint backs this); an open finding whose violation
    is gone is resolved. Resellers with new findings get one notification per run.
    Returns (created, resolved).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # locked in primary-key order: a second inspector of the same entries waits, then sees the findings
        listings = list(
            StoreListing.objects.select_for_update(of=("self",))
            .filter(pk__in=list(listing_ids))
            .select_related("sku", "sku__product")
            .order_by("pk")
        )
        open_findings = defaultdict(dict)
        for f in InspectionFinding.objects.filter(listing_id__in=[sl.pk for sl in listings], resolved_at__isnull=True):
            open_findings[f.listing_id][f.kind] = f
        new, resolve_ids = [], []
        for sl in listings:
            violations = _violations(sl)
            current = open_findings.get(sl.pk, {})
            for kind, details in violations.items():
                if kind not in current:
                    new.append(
                        InspectionFinding(
                            reseller_id=sl.reseller_id, supplier_id=sl.supplier_id, listing=sl, kind=kind, details=details, found_at=now
                        )
                    )
            resolve_ids.extend(f.pk for kind, f in current.items() if kind not in violations)
        created = InspectionFinding.objects.bulk_create(new, ignore_conflicts=True)
        resolved = InspectionFinding.objects.filter(pk__in=resolve_ids, resolved_at__isnull=True).update(resolved_at=now)
        counts: dict[int, int] = defaultdict(int)
        for f in new:
            counts[f.reseller_id] += 1
        if counts:
            url = reverse("resellers:findings")
            _notify_org_members(
                counts.keys(),
                {
                    rid: (
                        "inspection.findings",
                        ngettext(
                            "Inspection found %(n)d problem in your store list",
                            "Inspection found %(n)d problems in your store list",
                            n,
                        )
                        % {"n": n},
                        _("Fix them from your findings page."),
                        url,
                    )
                    for rid, n in counts.items()
                },
            )
    return len(created), resolved


def inspectable_listings():
    """Entries the inspection looks at: published ones, and any with an open finding."""
    open_finding = InspectionFinding.objects.filter(listing_id=OuterRef("pk"), resolved_at__isnull=True)
    return StoreListing.objects.filter(Q(status=StoreListing.Status.PUBLISHED) | Q(Exists(open_finding)))


def inspection_finding_fix(*, actor: Any, reseller: Reseller, finding_id: int, now: datetime | None = None) -> InspectionFinding:
    """Fix one finding in one click: clamp the price into range, take the product's location, or unpublish."""
    now = now or timezone.now()
    with transaction.atomic():
        finding = (
            InspectionFinding.objects.select_for_update()
            .filter(reseller=reseller, pk=finding_id)
            .first()
        )
        if finding is None:
            raise DomainError(_("This finding does not exist."), code="not_found")
        if finding.resolved_at is not None:
            raise InvalidState(_("This finding was already resolved."))
        listing = _locked_listing(reseller, finding.listing_id)
        sku, product = listing.sku, listing.sku.product
        fields = ["updated_at"]
        if finding.kind == InspectionFinding.Kind.PRICE_OUT_OF_RANGE:
            listing.retail_price_amount = min(max(listing.retail_price_amount, sku.min_retail_amount), sku.max_retail_amount)
            listing.flag_out_of_range = False
            fields += ["retail_price_amount", "flag_out_of_range"]
        elif finding.kind == InspectionFinding.Kind.LOCATION_MISMATCH:
            listing.location_province_code, listing.location_city_code = product.province_code, product.city_code
            fields += ["location_province_code", "location_city_code"]
        else:
            listing.status = StoreListing.Status.UNPUBLISHED
            fields += ["status"]
        listing.updated_at = now
        listing.save(update_fields=fields)
        finding.resolved_at = now
        finding.save(update_fields=["resolved_at"])
        _resolve_findings_of_unpublished([listing.pk], now)
        audit(
            actor=actor,
            action="inspection.fix",
            obj=finding,
            organisation=reseller.organisation,
            summary=f"{finding.kind} {sku.code}",
        )
    return finding


def inspection_warning_send(*, actor: Any, supplier: Supplier, reseller: Reseller, now: datetime | None = None) -> int:
    """The supplier warns a reseller about its open findings: a notification to the reseller's
    members (and a site message when the messaging service exists). Returns the findings warned about."""
    now = now or timezone.now()
    with transaction.atomic():
        findings = list(
            InspectionFinding.objects.select_for_update()
            .filter(supplier=supplier, reseller=reseller, resolved_at__isnull=True)
            .select_related("listing__sku")
            .order_by("pk")
        )
        if not findings:
            raise InvalidState(_("This reseller has no open findings to warn about."))
        InspectionFinding.objects.filter(pk__in=[f.pk for f in findings]).update(warned_at=now)
        title = _("Warning from %(supplier)s: %(n)d open inspection finding(s)") % {
            "supplier": supplier.company_name,
            "n": len(findings),
        }
        body = "\n".join(f"{f.listing.sku.code}: {f.get_kind_display()}" for f in findings[:50])
        _notify_org_members([reseller.pk], {reseller.pk: ("inspection.warning", title, body, reverse("resellers:findings"))})
        _send_thread_message(actor=actor, supplier=supplier, reseller=reseller, subject=title, body=body, now=now)
        audit(
            actor=actor,
            action="inspection.warning",
            organisation=supplier.organisation,
            summary=f"warned {reseller.name} about {len(findings)} finding(s)",
        )
    return len(findings)


def _send_thread_message(*, actor: Any, supplier: Supplier, reseller: Reseller, subject: str, body: str, now: datetime) -> bool:
    """Also write to the reseller as a site message (站內信). The notification is the warning of
    record: if messaging refuses (a domain rule of its own), the warning still stands."""
    try:
        with transaction.atomic():
            messaging.thread_start(
                actor=actor,
                organisation=supplier.organisation,
                supplier=supplier,
                reseller=reseller,
                subject=subject,
                body=body,
                now=now,
            )
    except DomainError:
        return False
    return True
