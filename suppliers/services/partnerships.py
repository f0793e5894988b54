"""Writes for recruitment posts, applications and partnerships (R4, R5, R6, R17).

Every state change is one transaction: lock the row, re-check its state, write, audit,
and schedule e-mails with ``transaction.on_commit``. Ending a partnership (by notice
at ``ends_at``, immediately under a penalty, by the reseller, or by staff) always
goes through ``_end`` so the reseller's store list is unpublished in the same
transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.models import Membership, Penalty
from accounts.permissions import require_manager
from accounts.services import notify_organisation, notify_users
from distribution.core import events, texts
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed

from .. import text_kinds as _text_kinds  # noqa: F401 (registers the kinds these services write)
from ..models import ChannelType, Partnership, PartnershipApplication, RecruitmentPost, Supplier, Tier
from ..selectors.partnerships import key_account_recipients
from . import messaging

if TYPE_CHECKING:
    from resellers.models import Reseller

Status = Partnership.Status
AppStatus = PartnershipApplication.Status


# ---------------------------------------------------------------- helpers


def _publish_partnership_event(name: str, partnership: Partnership, *, now: datetime) -> None:
    events.publish(
        name, now=now, partnership_id=partnership.pk, supplier_id=partnership.supplier_id, reseller_id=partnership.reseller_id
    )



def _clean_channel_types(values) -> list[str]:
    valid = set(ChannelType.values)
    cleaned = []
    for value in values or []:
        if value not in valid:
            raise ValidationFailed(_("Unknown channel type: %(value)s.") % {"value": value}, field="accepted_channel_types")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def channel_type_labels(values) -> str:
    labels = dict(ChannelType.choices)
    return ", ".join(str(labels.get(v, v)) for v in values)


def earliest_notice_end(now: datetime) -> datetime:
    return now + settings.PARTNERSHIP_NOTICE_PERIOD


def _fmt(dt: datetime) -> str:
    return formats.date_format(timezone.localtime(dt), "DATETIME_FORMAT")


def _lock_partnership(pk: int) -> Partnership:
    # ``of=("self",)``: lock the partnership row only, not the joined supplier and reseller rows.
    return Partnership.objects.select_for_update(of=("self",)).select_related("supplier__organisation", "reseller__organisation").get(pk=pk)


# ---------------------------------------------------------------- recruitment posts


def recruitment_post_create(
    *, actor, supplier: Supplier, title: str, body: str, accepted_channel_types: list[str], tier: Tier, is_open: bool = True
) -> RecruitmentPost:
    require_manager(actor, supplier)
    if tier.supplier_id != supplier.pk:
        raise ValidationFailed(_("Choose one of your own tiers."), field="tier")
    with transaction.atomic():
        post = RecruitmentPost.objects.create(
            supplier=supplier,
            title=title.strip(),
            body=body.strip(),
            accepted_channel_types=_clean_channel_types(accepted_channel_types),
            tier=tier,
            is_open=is_open,
        )
        audit(actor=actor, action="recruitment_post.created", obj=post, organisation=supplier.organisation, summary=post.title)
    return post


def recruitment_post_update(
    *, actor, post: RecruitmentPost, title: str, body: str, accepted_channel_types: list[str], tier: Tier, is_open: bool
) -> RecruitmentPost:
    require_manager(actor, post.supplier)
    if tier.supplier_id != post.supplier_id:
        raise ValidationFailed(_("Choose one of your own tiers."), field="tier")
    with transaction.atomic():
        post = RecruitmentPost.objects.select_for_update(of=("self",)).select_related("supplier__organisation").get(pk=post.pk)
        post.title = title.strip()
        post.body = body.strip()
        post.accepted_channel_types = _clean_channel_types(accepted_channel_types)
        post.tier = tier
        post.is_open = is_open
        post.save()
        audit(actor=actor, action="recruitment_post.updated", obj=post, organisation=post.supplier.organisation, summary=post.title)
    return post


def recruitment_post_set_open(*, actor, post: RecruitmentPost, is_open: bool) -> RecruitmentPost:
    """Open or close a post. Idempotent."""
    require_manager(actor, post.supplier)
    with transaction.atomic():
        post = RecruitmentPost.objects.select_for_update(of=("self",)).select_related("supplier__organisation").get(pk=post.pk)
        if post.is_open != is_open:
            post.is_open = is_open
            post.save(update_fields=["is_open", "updated_at"])
            audit(
                actor=actor,
                action="recruitment_post.opened" if is_open else "recruitment_post.closed",
                obj=post,
                organisation=post.supplier.organisation,
                summary=post.title,
            )
    return post


# ---------------------------------------------------------------- applications


def application_submit(
    *,
    actor,
    reseller: Reseller,
    supplier: Supplier,
    message: str,
    post: RecruitmentPost | None = None,
    now: datetime | None = None,
) -> PartnershipApplication:
    """A reseller applies to ``supplier`` (through ``post`` or directly).

    Refused while the pair has a live partnership or a pending application, when the
    post is closed or does not accept the reseller's channel type, or when the supplier
    is not active. The one-pending-per-pair constraint settles a double submit.
    """
    now = now or timezone.now()
    require_manager(actor, reseller)
    if supplier.status != Supplier.Status.ACTIVE:
        raise InvalidState(_("This supplier is not accepting applications."))
    if post is not None:
        if post.supplier_id != supplier.pk:
            raise ValidationFailed(_("This recruitment post belongs to another supplier."))
        if not post.is_open:
            raise InvalidState(_("This recruitment post is closed."), code="post_closed")
        if not post.accepts(reseller.channel_type):
            raise ValidationFailed(
                _("This post accepts only these channel types: %(types)s. Your shop is: %(yours)s.")
                % {
                    "types": channel_type_labels(post.accepted_channel_types),
                    "yours": channel_type_labels([reseller.channel_type]),
                },
                code="channel_type_not_accepted",
            )
    if Partnership.objects.not_terminated().filter(supplier=supplier, reseller=reseller).exists():
        raise InvalidState(_("You already have a partnership with this supplier."), code="already_partnered")
    if PartnershipApplication.objects.filter(supplier=supplier, reseller=reseller, status=AppStatus.PENDING).exists():
        raise InvalidState(
            _("You already have a pending application to this supplier; wait for its decision or withdraw it."),
            code="application_pending",
        )
    try:
        with transaction.atomic():
            application = PartnershipApplication.objects.create(
                supplier=supplier, reseller=reseller, post=post, message=(message or "").strip(), applicant=actor
            )
            audit(
                actor=actor,
                action="application.submitted",
                obj=application,
                organisation=reseller.organisation,
                summary=f"{reseller} → {supplier}",
            )
            params = {"reseller": reseller.name, "message": application.message}
            url = reverse("suppliers:application_detail", args=[application.pk])
            key_account = key_account_recipients(supplier.pk, reseller.pk, include_ended=True)
            if key_account is not None:  # a returning key account: its manager and the owner
                notify_users(users=key_account, kind="application.received", params=params, url=url, organisation_id=supplier.pk)
            else:
                notify_organisation(
                    organisation=supplier.organisation, kind="application.received", params=params, url=url, managers_only=True
                )
    except IntegrityError:
        raise InvalidState(
            _("You already have a pending application to this supplier; wait for its decision or withdraw it."),
            code="application_pending",
        )
    return application


def _lock_pending_application(pk: int) -> PartnershipApplication:
    application = (
        PartnershipApplication.objects.select_for_update(of=("self",))
        .select_related("supplier__organisation", "reseller__organisation")
        .get(pk=pk)
    )
    if application.status != AppStatus.PENDING:
        raise InvalidState(
            _("This application was already decided (%(status)s).") % {"status": application.get_status_display()},
            code="already_decided",
        )
    return application


def application_approve(
    *,
    actor,
    application: PartnershipApplication,
    tier: Tier,
    key_account_manager=None,
    now: datetime | None = None,
) -> Partnership:
    """Approve a pending application: the partnership starts now at ``tier``.

    Two approvals racing on one application produce one partnership; the loser gets
    "already decided". A live partnership made meanwhile (another application) is
    refused by the one-live-partnership constraint with a clear message.
    """
    now = now or timezone.now()
    require_manager(actor, application.supplier)
    if tier.supplier_id != application.supplier_id:
        raise ValidationFailed(_("Choose one of your own tiers."), field="tier")
    if key_account_manager is not None and not Membership.objects.filter(
        user_id=key_account_manager.pk, organisation_id=application.supplier_id
    ).exists():
        raise ValidationFailed(_("The key-account manager must be a member of your organisation."), field="key_account_manager")
    with transaction.atomic():
        application = _lock_pending_application(application.pk)
        try:
            with transaction.atomic():
                partnership = Partnership.objects.create(
                    supplier=application.supplier,
                    reseller=application.reseller,
                    tier=tier,
                    key_account_manager=key_account_manager,
                    started_at=now,
                )
        except IntegrityError:
            raise InvalidState(_("This reseller already has a live partnership with you."), code="already_partnered")
        application.status = AppStatus.APPROVED
        application.decided_at = now
        application.decided_by = actor
        application.partnership = partnership
        application.save(update_fields=["status", "decided_at", "decided_by", "partnership"])
        audit(
            actor=actor,
            action="application.approved",
            obj=application,
            organisation=application.supplier.organisation,
            summary=str(application.reseller),
            data={"tier": tier.name, "partnership": partnership.pk},
        )
        audit(
            actor=actor,
            action="partnership.started",
            obj=partnership,
            organisation=application.supplier.organisation,
            summary=str(partnership),
            data={"tier": tier.name, "key_account_manager": getattr(key_account_manager, "email", None)},
        )
        notify_organisation(
            organisation=application.reseller.organisation,
            kind="application.approved",
            params={"supplier": application.supplier.company_name, "tier": tier.name},
            url=reverse("partners:reseller_partnerships"),
        )
    return partnership


def application_reject(*, actor, application: PartnershipApplication, reason: str, now: datetime | None = None) -> PartnershipApplication:
    now = now or timezone.now()
    require_manager(actor, application.supplier)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the rejection."), field="reason")
    with transaction.atomic():
        application = _lock_pending_application(application.pk)
        application.status = AppStatus.REJECTED
        application.decision_reason = reason[:500]
        application.decided_at = now
        application.decided_by = actor
        application.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
        audit(
            actor=actor,
            action="application.rejected",
            obj=application,
            organisation=application.supplier.organisation,
            summary=reason[:200],
        )
        notify_organisation(
            organisation=application.reseller.organisation,
            kind="application.rejected",
            params={"supplier": application.supplier.company_name, "reason": reason},
            url=reverse("partners:reseller_applications"),
        )
    return application


def application_withdraw(*, actor, application: PartnershipApplication, now: datetime | None = None) -> PartnershipApplication:
    now = now or timezone.now()
    require_manager(actor, application.reseller)
    with transaction.atomic():
        application = _lock_pending_application(application.pk)
        application.status = AppStatus.WITHDRAWN
        application.decided_at = now
        application.save(update_fields=["status", "decided_at"])
        audit(actor=actor, action="application.withdrawn", obj=application, organisation=application.reseller.organisation)
    return application


# ---------------------------------------------------------------- partnership lifecycle


def partnership_give_notice(
    *, actor, partnership: Partnership, reason: str, ends_at: datetime, now: datetime | None = None
) -> Partnership:
    """R5: the supplier ends an active partnership with at least ``PARTNERSHIP_NOTICE_PERIOD`` notice.

    The reseller is told by a site message (a new thread), a notification and e-mail
    (after commit). The ``end_partnerships`` sweep ends it at ``ends_at``.
    """
    now = now or timezone.now()
    require_manager(actor, partnership.supplier)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for ending the partnership."), field="reason")
    earliest = earliest_notice_end(now)
    if ends_at < earliest:
        raise ValidationFailed(
            _("The end date must be at least %(days)d days ahead: %(earliest)s or later.")
            % {"days": settings.PARTNERSHIP_NOTICE_PERIOD.days, "earliest": _fmt(earliest)},
            code="notice_too_short",
            field="ends_at",
        )
    with transaction.atomic():
        partnership = _lock_partnership(partnership.pk)
        try:
            partnership.give_notice(reason=reason, ends_at=ends_at, now=now)
        except TransitionNotAllowed:
            raise InvalidState(_("Notice can be given only on an active partnership."))
        partnership.save()
        audit(
            actor=actor,
            action="partnership.notice_given",
            obj=partnership,
            organisation=partnership.supplier.organisation,
            summary=reason[:200],
            data={"ends_at": ends_at.isoformat(), "from": Status.ACTIVE, "to": Status.TERMINATION_PENDING},
        )
        body = _(
            "%(supplier)s gives notice to end your partnership. It ends on %(ends_at)s.\n\nReason: %(reason)s"
        ) % {"supplier": partnership.supplier.company_name, "ends_at": _fmt(ends_at), "reason": reason}
        messaging.thread_start(
            actor=actor,
            organisation=partnership.supplier.organisation,
            supplier=partnership.supplier,
            reseller=partnership.reseller,
            subject=_("Notice of termination of our partnership"),
            body=body,
            now=now,
            check_contact=False,
            email_copy=False,
        )
        notify_organisation(
            organisation=partnership.reseller.organisation,
            kind="partnership.termination_notice",
            params={"supplier": partnership.supplier.company_name, "ends_at": texts.When(ends_at), "reason": reason},
            url=reverse("partners:reseller_partnerships"),
        )
        _publish_partnership_event("partnership.terminating", partnership, now=now)
    return partnership


def partnership_withdraw_notice(*, actor, partnership: Partnership, now: datetime | None = None) -> Partnership:
    now = now or timezone.now()
    require_manager(actor, partnership.supplier)
    with transaction.atomic():
        partnership = _lock_partnership(partnership.pk)
        try:
            partnership.withdraw_notice()
        except TransitionNotAllowed:
            raise InvalidState(_("There is no pending notice to withdraw."))
        partnership.save()
        audit(
            actor=actor,
            action="partnership.notice_withdrawn",
            obj=partnership,
            organisation=partnership.supplier.organisation,
            data={"from": Status.TERMINATION_PENDING, "to": Status.ACTIVE},
        )
        notify_organisation(
            organisation=partnership.reseller.organisation,
            kind="partnership.notice_withdrawn",
            params={"supplier": partnership.supplier.company_name},
            url=reverse("partners:reseller_partnerships"),
        )
    return partnership


def _end(*, partnership: Partnership, actor, by: str, reason: str, now: datetime, action: str) -> Partnership:
    """Terminate a locked partnership; caller holds the row lock inside its transaction."""
    before = partnership.status
    try:
        partnership.terminate(by=by, reason=reason, now=now)
    except TransitionNotAllowed:
        raise InvalidState(_("This partnership has already ended."), code="already_terminated")
    partnership.save()
    audit(
        actor=actor,
        action=action,
        obj=partnership,
        organisation={"supplier": partnership.supplier.organisation, "reseller": partnership.reseller.organisation}.get(by),
        summary=(reason or "")[:200],
        data={"from": before, "to": Status.TERMINATED, "by": by},
    )
    for organisation in (partnership.supplier.organisation, partnership.reseller.organisation):
        notify_organisation(
            organisation=organisation,
            kind="partnership.terminated",
            params={"supplier": partnership.supplier.company_name, "reseller": partnership.reseller.name, "reason": reason or ""},
        )
    _publish_partnership_event("partnership.terminated", partnership, now=now)
    return partnership


def partnership_end_now_for_penalty(*, actor, partnership: Partnership, reason: str, now: datetime | None = None) -> Partnership:
    """R6: while the reseller has an active platform penalty, the supplier may end the partnership at once."""
    now = now or timezone.now()
    require_manager(actor, partnership.supplier)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for ending the partnership."), field="reason")
    with transaction.atomic():
        partnership = _lock_partnership(partnership.pk)
        if not Penalty.objects.in_force(now).filter(organisation_id=partnership.reseller_id).exists():  # R6
            raise InvalidState(
                _("You can end a partnership immediately only while the reseller has an active platform penalty; "
                  "otherwise give %(days)d days' notice.") % {"days": settings.PARTNERSHIP_NOTICE_PERIOD.days},
                code="no_active_penalty",
            )
        return _end(partnership=partnership, actor=actor, by="supplier", reason=reason, now=now, action="partnership.ended_for_penalty")


def partnership_end_by_reseller(*, actor, partnership: Partnership, reason: str, now: datetime | None = None) -> Partnership:
    """A reseller may end its partnership itself, immediately."""
    now = now or timezone.now()
    require_manager(actor, partnership.reseller)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for ending the partnership."), field="reason")
    with transaction.atomic():
        partnership = _lock_partnership(partnership.pk)
        return _end(partnership=partnership, actor=actor, by="reseller", reason=reason, now=now, action="partnership.ended_by_reseller")


def partnership_end_by_staff(*, actor, partnership: Partnership, reason: str, now: datetime | None = None) -> Partnership:
    """Platform staff end a partnership at once (admin action)."""
    now = now or timezone.now()
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff may do this."))
    with transaction.atomic():
        partnership = _lock_partnership(partnership.pk)
        return _end(partnership=partnership, actor=actor, by="staff", reason=reason, now=now, action="partnership.ended_by_staff")


def partnership_end_due(*, partnership_id: int, now: datetime | None = None) -> Partnership | None:
    """The timer: end a partnership whose notice has run out. Idempotent.

    Re-checks under the lock; returns ``None`` (and changes nothing) when the
    partnership is no longer pending termination or its time has not come.
    """
    now = now or timezone.now()
    with transaction.atomic():
        partnership = _lock_partnership(partnership_id)
        if partnership.status != Status.TERMINATION_PENDING or partnership.ends_at is None or partnership.ends_at > now:
            return None
        return _end(
            partnership=partnership,
            actor=None,
            by="supplier",
            reason=partnership.termination_reason,
            now=partnership.ends_at,
            action="partnership.ended_by_notice",
        )


def partnership_change(
    *, actor, partnership: Partnership, tier: Tier, key_account_manager=None, now: datetime | None = None
) -> Partnership:
    """Change a live partnership's tier and key-account manager (R17)."""
    require_manager(actor, partnership.supplier)
    if tier.supplier_id != partnership.supplier_id:
        raise ValidationFailed(_("Choose one of your own tiers."), field="tier")
    if key_account_manager is not None and not Membership.objects.filter(
        user_id=key_account_manager.pk, organisation_id=partnership.supplier_id
    ).exists():
        raise ValidationFailed(_("The key-account manager must be a member of your organisation."), field="key_account_manager")
    with transaction.atomic():
        partnership = _lock_partnership(partnership.pk)
        if partnership.status == Status.TERMINATED:
            raise InvalidState(_("This partnership has ended."))
        changes = {}
        if partnership.tier_id != tier.pk:
            changes["tier"] = [str(partnership.tier), tier.name]
            partnership.tier = tier
        new_kam = getattr(key_account_manager, "pk", None)
        if partnership.key_account_manager_id != new_kam:
            old = partnership.key_account_manager.email if partnership.key_account_manager_id else None
            changes["key_account_manager"] = [old, getattr(key_account_manager, "email", None)]
            partnership.key_account_manager = key_account_manager
        if changes:
            partnership.save(update_fields=["tier", "key_account_manager", "updated_at"])
            audit(
                actor=actor,
                action="partnership.changed",
                obj=partnership,
                organisation=partnership.supplier.organisation,
                summary=", ".join(changes),
                data=changes,
            )
            if "tier" in changes:
                notify_organisation(
                    organisation=partnership.reseller.organisation,
                    kind="partnership.tier_changed",
                    params={"supplier": partnership.supplier.company_name, "tier": tier.name},
                    url=reverse("partners:reseller_partnerships"),
                )
    return partnership

