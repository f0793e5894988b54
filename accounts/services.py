"""Writes for accounts: the organisation and owner created at signup, agreement acceptance,
invitations and roles, notifications. (The supplier and reseller profiles are registered by
``suppliers.services.lifecycle`` and ``resellers.services``.)

Every writing service is one ``transaction.atomic`` block with an audit row; emails go out
through the outbox (``distribution.core.email.send_email``), sent by the worker after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from distribution.core import texts
from distribution.core.audit import audit
from distribution.core.email import send_email
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.inserts import insert_rows

from .models import (
    MANAGING_ROLES,
    AgreementAcceptance,
    AgreementVersion,
    Invitation,
    Membership,
    Notification,
    Organisation,
    Role,
    User,
)

# --- agreement (R1) ---------------------------------------------------------------------------


def agreement_accept(
    *, user, version: AgreementVersion, ip_address: str | None, user_agent: str = "", now: datetime | None = None
) -> AgreementAcceptance:
    """Record that ``user`` accepted ``version`` (time, IP, browser). Idempotent per (user, version)."""
    with transaction.atomic():
        acceptance, created = AgreementAcceptance.objects.get_or_create(
            user=user,
            version=version,
            defaults={"ip_address": ip_address, "user_agent": (user_agent or "")[:300], "accepted_at": now or timezone.now()},
        )
        if created:
            membership = Membership.objects.filter(user=user).select_related("organisation").first()
            audit(
                actor=user,
                action="agreement.accepted",
                obj=acceptance,
                organisation=membership.organisation if membership else None,
                summary=f"{user.email} accepted v{version.version}",
                data={"ip": ip_address},
            )
    return acceptance


def agreement_publish(*, actor, version: AgreementVersion, now: datetime | None = None) -> AgreementVersion:
    """Publish ``version`` (staff). Members must accept it before they go on (AgreementMiddleware)."""
    now = now or timezone.now()
    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if version.published_at is not None:
            raise InvalidState(_("This agreement version is already published."))
        if not version.supplier_text.strip() or not version.reseller_text.strip():
            raise ValidationFailed(_("Both texts (suppliers and resellers) are required before publishing."))
        version.published_at = now
        version.save(update_fields=["published_at"])
        audit(actor=actor, action="agreement.published", obj=version, summary=f"published v{version.version}")
    return version


# --- signup (R1, R2) --------------------------------------------------------------------------


def organisation_create(*, user: User, kind: str, name: str) -> Organisation:
    if Membership.objects.filter(user=user).exists():
        raise InvalidState(_("This user already belongs to an organisation."))
    organisation = Organisation.objects.create(kind=kind, name=name, email=user.email)
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    return organisation


# --- members, roles, invitations --------------------------------------------------------------


def _require_owner(actor, organisation: Organisation) -> Membership:
    membership = Membership.objects.filter(user=actor, organisation=organisation).first()
    if membership is None or membership.role != Role.OWNER:
        raise PermissionDenied(_("Only the organisation's owner may manage its members."))
    return membership


def _send_invitation_email(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation.token])
    subject = gettext("You are invited to join %(org)s on the distribution platform") % {"org": invitation.organisation.name}
    body = gettext(
        "%(inviter)s invites you to join %(org)s as %(role)s.\n\nOpen this link to accept (valid until %(until)s):\n%(link)s\n"
    ) % {
        "inviter": invitation.invited_by.display_name if invitation.invited_by else gettext("The owner"),
        "org": invitation.organisation.name,
        "role": invitation.get_role_display(),
        "until": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    send_email(to=[invitation.email], subject=subject, body=body)


def invitation_create(*, actor, organisation: Organisation, email: str, role: str, now: datetime | None = None) -> Invitation:
    """The owner invites ``email`` as manager or staff. An open invitation for the same address is
    replaced. The email with the link goes out after commit."""
    now = now or timezone.now()
    email = email.strip().lower()
    if role not in (Role.MANAGER, Role.STAFF):
        raise ValidationFailed(_("Choose manager or staff."), field="role")
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        _require_owner(actor, organisation)
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise ValidationFailed(_("This person already belongs to an organisation."), field="email")
        Invitation.objects.filter(
            organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=actor,
            expires_at=now + settings.INVITATION_VALID_FOR,
        )
        audit(actor=actor, action="invitation.created", obj=invitation, organisation=organisation, summary=f"{email} as {role}")
        _send_invitation_email(invitation.pk)
    return invitation


def invitation_revoke(*, actor, invitation: Invitation, now: datetime | None = None) -> Invitation:
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _require_owner(actor, invitation.organisation)
        if invitation.accepted_at is not None:
            raise InvalidState(_("This invitation was already accepted."))
        if invitation.revoked_at is None:
            invitation.revoked_at = now
            invitation.save(update_fields=["revoked_at"])
            audit(actor=actor, action="invitation.revoked", obj=invitation, organisation=invitation.organisation, summary=invitation.email)
    return invitation


def _check_open(invitation: Invitation, now: datetime) -> None:
    if invitation.revoked_at is not None:
        raise InvalidState(_("This invitation was revoked. Ask the owner for a new one."))
    if invitation.accepted_at is not None:
        raise InvalidState(_("This invitation was already used."))
    if invitation.expires_at <= now:
        raise InvalidState(_("This invitation has expired. Ask the owner for a new one."))


def invitation_accept(*, user: User, invitation: Invitation, now: datetime | None = None) -> Membership:
    """A signed-in user with the invited address and no organisation joins with the invited role."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        _check_open(invitation, now)
        if user.email.lower() != invitation.email.lower():
            raise PermissionDenied(_("This invitation was sent to another email address."))
        if Membership.objects.filter(user=user).exists():
            raise InvalidState(_("You already belong to an organisation; a user belongs to one organisation only."))
        membership = Membership.objects.create(user=user, organisation=invitation.organisation, role=invitation.role)
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        audit(actor=user, action="invitation.accepted", obj=invitation, organisation=invitation.organisation, summary=user.email)
    return membership


def invitation_signup(
    *,
    invitation: Invitation,
    full_name: str,
    password: str,
    agreement: AgreementVersion,
    ip_address: str | None,
    user_agent: str = "",
    now: datetime | None = None,
) -> Membership:
    """An invitee without an account: create the user (email verified: the link reached it),
    join the organisation and record the agreement acceptance. All or nothing."""
    from allauth.account.models import EmailAddress

    now = now or timezone.now()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _check_open(locked, now)
        if User.objects.filter(email__iexact=locked.email).exists():
            raise InvalidState(_("An account with this email already exists. Log in to accept the invitation."))
        user = User.objects.create_user(email=locked.email, password=password, full_name=full_name)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        membership = invitation_accept(user=user, invitation=locked, now=now)
        agreement_accept(user=user, version=agreement, ip_address=ip_address, user_agent=user_agent, now=now)
    return membership


def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    """The owner makes a member a manager or staff. The owner's own role does not change here."""
    if role not in (Role.MANAGER, Role.STAFF):
        raise ValidationFailed(_("Choose manager or staff."), field="role")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _require_owner(actor, membership.organisation)
        if membership.role == Role.OWNER:
            raise InvalidState(_("The owner's role cannot be changed."))
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit(
            actor=actor, action="membership.role_changed", obj=membership, organisation=membership.organisation,
            summary=f"{membership.user.email}: {before} → {role}",
        )
    return membership


def membership_remove(*, actor, membership: Membership) -> None:
    """The owner removes a member (not themself). The user keeps the account, without an organisation."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
        _require_owner(actor, membership.organisation)
        if membership.role == Role.OWNER:
            raise InvalidState(_("The owner cannot be removed."))
        audit(
            actor=actor, action="membership.removed", obj=membership, organisation=membership.organisation,
            summary=membership.user.email,
        )
        membership.delete()


# --- notifications ----------------------------------------------------------------------------


def notify_users(
    *,
    users: Iterable,
    kind: str,
    params: Mapping[str, Any] | None = None,
    text: texts.Text | None = None,
    title: str | None = None,
    body: str = "",
    url: str = "",
    organisation_id: int | None = None,
) -> list[Notification]:
    """Create one notification per user (users or their ids; inside the caller's transaction).

    New calls pass a registered ``kind`` (``distribution.core.texts.register``) and its ``params``,
    or a ``text`` (a registered text with its params, when several texts share one ``kind``): the
    notification is rendered when read, in the reader's language. Calls written the old way
    (``title=``/``body=``, finished text) still work: the text is stored and shown as it is.
    ``organisation_id``: the users' organisation when the caller knows it (the notifications'
    tenant); left out, the database takes each user's from its membership.
    """
    text_kind = ""
    if text is not None:
        text_kind, params = text.kind, text.params
    title_text, body_text, stored_params = _notification_text(text_kind or kind, params, title, body)
    now = timezone.now()
    tenant = {} if organisation_id is None else {"organisation_id": organisation_id}
    return insert_rows(  # bulk_create's INSERT, compiled once per process and row count (every PO action notifies)
        [
            Notification(
                user_id=getattr(u, "pk", u),
                kind=kind,
                text_kind=text_kind if text_kind != kind else "",
                params=stored_params,
                title=title_text[:200],
                body=body_text,
                url=url,
                created_at=now,
                **tenant,
            )
            for u in users
        ]
    )


def _notification_text(kind: str, params: Mapping[str, Any] | None, title: Any, body: Any) -> tuple[str, str, dict | None]:
    """(fallback title, fallback body, params to store or None for finished text)."""
    if title is not None or texts.get(kind) is None:
        if title is None:
            raise ValueError(f"notification kind {kind!r} is not registered; register it or pass title=")
        return str(title), str(body or ""), None
    encoded = texts.encode_params(params or {})
    with translation.override(settings.LANGUAGE_CODE):
        return texts.render(kind, encoded, part="title"), texts.render(kind, encoded, part="body"), encoded


def notify_organisation(
    *,
    organisation: Organisation,
    kind: str,
    params: Mapping[str, Any] | None = None,
    text: texts.Text | None = None,
    title: str | None = None,
    body: str = "",
    url: str = "",
    managers_only: bool = False,
) -> list[Notification]:
    """Notify every member (or only owners/managers) of ``organisation`` (``kind``+``params``/``text``, or old-style text)."""
    users = User.objects.filter(membership__organisation=organisation, is_active=True)
    if managers_only:
        users = users.filter(membership__role__in=list(MANAGING_ROLES))
    return notify_users(
        users=list(users), kind=kind, params=params, text=text, title=title, body=body, url=url, organisation_id=organisation.pk
    )


def email_in_recipients_language(*, users: Iterable, extra: Iterable[str] = (), subject: Any, body: Any) -> int:
    """Queue ``subject``/``body`` (``Text``, lazy strings or callables of no argument) to each user in
    their own language (``User.language``, else the platform's default); ``extra`` addresses get the default.

    Returns how many recipients were addressed."""
    by_language: dict[str, list[str]] = {}
    seen: set[str] = set()
    for user in users:
        if not user.email or user.email in seen:
            continue
        seen.add(user.email)
        by_language.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user.email)
    for address in extra:
        if address and address not in seen:
            seen.add(address)
            by_language.setdefault(settings.LANGUAGE_CODE, []).append(address)
    sent = 0
    for language, addresses in by_language.items():
        with translation.override(language):
            rendered_subject = str(subject() if callable(subject) else subject)
            rendered_body = str(body() if callable(body) else body)
            sent += send_email(to=addresses, subject=rendered_subject, body=rendered_body)
    return sent


def user_set_language(*, user: User, language: str) -> User:
    """Remember ``user``'s language (chosen with the language switcher) for the emails they receive."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Choose one of the offered languages."))
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user


def notification_mark_read(*, user, notification_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark the user's notifications (all unread ones when ``notification_ids`` is None) read. Returns the count."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=now or timezone.now())
