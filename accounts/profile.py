"""Company profile editing after signup (R2): the owner or a manager edits the organisation's
``Supplier``/``Reseller`` profile. Fields the profile model lists in ``LEGAL_FIELDS`` (company
name, credit code) are held in a pending ``ProfileChange`` until staff approve it in admin; the
live profile keeps its values until then. The other ``PROFILE_FIELDS`` apply at once.

The profile is read through the organisation's reverse accessor (``organisation.supplier`` /
``organisation.reseller``), so this layer imports neither app. Every change is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from distribution.core import events
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed

from . import text_kinds as K
from .models import Organisation, ProfileChange
from .permissions import require_manager
from .services import notify_organisation


def profile_of(organisation: Organisation) -> models.Model | None:
    """The organisation's company profile (``Supplier`` or ``Reseller``), or None before signup finished."""
    return getattr(organisation, organisation.kind, None)


def pending_change(organisation: Organisation) -> ProfileChange | None:
    return organisation.profile_changes.filter(status=ProfileChange.Status.PENDING).first()


def _normalise(model, name: str, value: Any) -> Any:
    """The value as the model field keeps it (validators, choices, max length); ``ValidationFailed`` naming the field."""
    field = model._meta.get_field(name)
    if isinstance(value, str):
        value = value.strip()
        if name == "credit_code":
            value = value.upper()
    try:
        return field.clean(value, None)
    except ValidationError as exc:
        raise ValidationFailed(f"{field.verbose_name}: {' '.join(exc.messages)}", field=name) from exc


def _check_unique(profile, name: str, value: Any) -> None:
    field = profile._meta.get_field(name)
    if field.unique and type(profile).objects.filter(**{name: value}).exclude(pk=profile.pk).exists():
        raise ValidationFailed(
            _("%(field)s %(value)s is already registered to another organisation.") % {"field": field.verbose_name, "value": value},
            field=name,
        )


def profile_update(*, actor, organisation: Organisation, data: dict[str, Any], now: datetime | None = None) -> ProfileChange | None:
    """Apply ``data`` (profile field → new value) to the organisation's profile.

    Non-legal fields change at once; changed legal fields go into the pending ``ProfileChange``
    (created, or replaced if one is pending), which is returned (None when no legal field changed).
    Only owners and managers; unknown fields are refused.
    """
    require_manager(actor, organisation)
    now = now or timezone.now()
    with transaction.atomic():
        profile = profile_of(organisation)
        if profile is None:
            raise InvalidState(_("This organisation has no company profile yet."))
        model = type(profile)
        profile = model.objects.select_for_update().get(pk=profile.pk)
        unknown = set(data) - set(model.PROFILE_FIELDS)
        if unknown:
            raise ValidationFailed(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
        at_once: dict[str, dict[str, Any]] = {}
        legal: dict[str, dict[str, Any]] = {}
        for name, raw in data.items():
            value = _normalise(model, name, raw)
            old = getattr(profile, name)
            if value == old:
                continue
            _check_unique(profile, name, value)
            (legal if name in model.LEGAL_FIELDS else at_once)[name] = {"from": old, "to": value}

        if at_once:
            for name, change in at_once.items():
                setattr(profile, name, change["to"])
            profile.save(update_fields=[*at_once, "updated_at"])
            audit(actor=actor, action="profile.updated", obj=profile, organisation=organisation,
                  summary=", ".join(at_once), data=at_once)

        current = ProfileChange.objects.select_for_update().filter(organisation=organisation, status=ProfileChange.Status.PENDING).first()
        if not legal:
            return current
        if current is not None:
            current.changes = legal
            current.requested_by = actor
            current.save(update_fields=["changes", "requested_by"])
        else:
            current = ProfileChange.objects.create(organisation=organisation, changes=legal, requested_by=actor)
        audit(actor=actor, action="profile.change_requested", obj=current, organisation=organisation,
              summary=", ".join(legal), data=legal)
        return current


def _lock_pending(change: ProfileChange) -> ProfileChange:
    change = ProfileChange.objects.select_for_update().select_related("organisation").get(pk=change.pk)
    if change.status != ProfileChange.Status.PENDING:
        raise InvalidState(
            _("This profile change is %(status)s; it cannot be reviewed again.") % {"status": change.get_status_display()}
        )
    return change


def _require_staff(actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff review company profile changes."))


def profile_change_approve(*, actor, change: ProfileChange, now: datetime | None = None) -> ProfileChange:
    """Staff approve: the legal values go live (the organisation's name follows the profile's name);
    audited; the organisation's managers are notified."""
    _require_staff(actor)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            change = _lock_pending(change)
            organisation = change.organisation
            profile = profile_of(organisation)
            model = type(profile)
            profile = model.objects.select_for_update().get(pk=profile.pk)
            for name, values in change.changes.items():
                _check_unique(profile, name, values["to"])
                setattr(profile, name, values["to"])
            profile.save(update_fields=[*change.changes, "updated_at"])
            if model.NAME_FIELD in change.changes:
                organisation.name = change.changes[model.NAME_FIELD]["to"]
                organisation.save(update_fields=["name", "updated_at"])
                if organisation.is_supplier:
                    events.publish("supplier.updated", supplier_id=organisation.pk)  # the catalog search indexes the name
            change.status = ProfileChange.Status.APPROVED
            change.reviewed_by = actor
            change.reviewed_at = now
            change.save(update_fields=["status", "reviewed_by", "reviewed_at"])
            audit(actor=actor, action="profile.change_approved", obj=change, organisation=organisation,
                  summary=", ".join(change.changes), data=change.changes)
            values = ", ".join(str(v["to"]) for v in change.changes.values())
            notify_organisation(organisation=organisation, kind="profile_change.approved", text=K.PROFILE_CHANGE_APPROVED(values=values),
                                url=reverse("accounts:profile"), managers_only=True)
    except IntegrityError as exc:  # a unique value taken between the check and the write
        raise ValidationFailed(_("A value of this change is already registered to another organisation.")) from exc
    return change


def profile_change_reject(*, actor, change: ProfileChange, reason: str, now: datetime | None = None) -> ProfileChange:
    """Staff reject (with a reason): the live profile stays as it is; the managers are notified."""
    _require_staff(actor)
    if not reason.strip():
        raise ValidationFailed(_("Give a reason for the rejection."), field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        change = _lock_pending(change)
        change.status = ProfileChange.Status.REJECTED
        change.reason = reason[:500]
        change.reviewed_by = actor
        change.reviewed_at = now
        change.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
        audit(actor=actor, action="profile.change_rejected", obj=change, organisation=change.organisation,
              summary=reason[:200], data={"changes": change.changes, "reason": reason})
        notify_organisation(organisation=change.organisation, kind="profile_change.rejected", text=K.PROFILE_CHANGE_REJECTED(reason=reason),
                            url=reverse("accounts:profile"), managers_only=True)
    return change


def profile_change_withdraw(*, actor, change: ProfileChange) -> ProfileChange:
    """The owner or a manager withdraws the organisation's pending change."""
    require_manager(actor, change.organisation_id)
    with transaction.atomic():
        change = _lock_pending(change)
        change.status = ProfileChange.Status.WITHDRAWN
        change.save(update_fields=["status"])
        audit(actor=actor, action="profile.change_withdrawn", obj=change, organisation=change.organisation,
              summary=", ".join(change.changes), data=change.changes)
    return change
