"""A supplier's life on the platform (R2): registration at signup, then staff review
(approve, suspend, reject), each audited with the owner notified and emailed after commit."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AgreementVersion, Organisation, Role, User
from accounts.services import agreement_accept, email_in_recipients_language, notify_organisation, organisation_create
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, ValidationFailed
from distribution.core.texts import TextKind
from suppliers import text_kinds as K
from suppliers.models import Supplier


def supplier_register(
    *,
    user: User,
    company_name: str,
    credit_code: str,
    contact_name: str,
    phone: str,
    address: str,
    description: str = "",
    agreement: AgreementVersion,
    ip_address: str | None,
    user_agent: str = "",
    now: datetime | None = None,
):
    """Create the supplier organisation for a user who just signed up: organisation, owner
    membership, ``Supplier`` profile (``pending_review`` until staff approve) and the agreement
    acceptance. All or nothing; a duplicate credit code raises ``ValidationFailed(field="credit_code")``.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            organisation = organisation_create(user=user, kind=Organisation.Kind.SUPPLIER, name=company_name)
            supplier = Supplier.objects.create(
                organisation=organisation,
                company_name=company_name,
                credit_code=credit_code.strip().upper(),
                contact_name=contact_name,
                phone=phone,
                address=address,
                description=description,
                status=Supplier.Status.PENDING_REVIEW,
            )
            agreement_accept(user=user, version=agreement, ip_address=ip_address, user_agent=user_agent, now=now)
            audit(actor=user, action="supplier.registered", obj=supplier, organisation=organisation, summary=company_name)
    except IntegrityError as exc:
        if "credit_code" in str(exc):
            raise ValidationFailed(
                _("A supplier with this unified social credit code is already registered."), field="credit_code"
            ) from exc
        raise
    return supplier


# --- review by staff (R2) ------------------------------------------------------------


def _supplier_set_status(*, actor, supplier, to: str, allowed_from: tuple[str, ...], reason: str, action: str, title, now):
    now = now or timezone.now()
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().select_related("organisation").get(pk=supplier.pk)
        if supplier.status not in allowed_from:
            raise InvalidState(
                _("Supplier %(name)s is %(status)s; this action is not possible.")
                % {"name": supplier.company_name, "status": supplier.get_status_display()}
            )
        before = supplier.status
        supplier.status = to
        supplier.status_reason = reason[:500]
        supplier.reviewed_at = now
        supplier.save(update_fields=["status", "status_reason", "reviewed_at", "updated_at"])
        audit(
            actor=actor,
            action=action,
            obj=supplier,
            organisation=supplier.organisation,
            summary=f"{before} → {to}",
            data={"from": before, "to": to, "reason": reason},
        )
        owners = list(
            User.objects.filter(membership__organisation=supplier.organisation, membership__role=Role.OWNER).only("email", "language")
        )
        if isinstance(title, TextKind):  # a registered text (suppliers/text_kinds.py): each reader's own language
            text = title(reason=reason)
            notify_organisation(organisation=supplier.organisation, kind=action, text=text, url=reverse("home"), managers_only=True)
            subject = lambda: text.render("title")  # noqa: E731
        else:  # a finished title (the old way): stored and mailed as it is
            notify_organisation(
                organisation=supplier.organisation, kind=action, title=str(title), body=reason, url=reverse("home"), managers_only=True
            )
            subject = lambda: str(title)  # noqa: E731
        email_in_recipients_language(users=owners, subject=subject, body=lambda: reason or subject())
    return supplier


def supplier_approve(*, actor, supplier, now: datetime | None = None):
    """Staff approve a pending (or re-activate a suspended) supplier; the owner is notified."""
    S = Supplier.Status
    return _supplier_set_status(
        actor=actor, supplier=supplier, to=S.ACTIVE, allowed_from=(S.PENDING_REVIEW, S.SUSPENDED, S.REJECTED),
        reason="", action="supplier.approved", title=K.SUPPLIER_APPROVED, now=now,
    )


def supplier_suspend(*, actor, supplier, reason: str, now: datetime | None = None):
    """Staff suspend an active supplier (with a reason); the owner is notified."""
    if not reason.strip():
        raise ValidationFailed(_("Give a reason for the suspension."), field="reason")
    S = Supplier.Status
    return _supplier_set_status(
        actor=actor, supplier=supplier, to=S.SUSPENDED, allowed_from=(S.ACTIVE, S.PENDING_REVIEW),
        reason=reason, action="supplier.suspended", title=K.SUPPLIER_SUSPENDED, now=now,
    )


def supplier_reject(*, actor, supplier, reason: str, now: datetime | None = None):
    """Staff reject a pending supplier (with a reason); the owner is notified."""
    if not reason.strip():
        raise ValidationFailed(_("Give a reason for the rejection."), field="reason")
    S = Supplier.Status
    return _supplier_set_status(
        actor=actor, supplier=supplier, to=S.REJECTED, allowed_from=(S.PENDING_REVIEW,),
        reason=reason, action="supplier.rejected", title=K.SUPPLIER_REJECTED, now=now,
    )
