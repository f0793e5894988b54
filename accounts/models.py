"""Users, organisations and their members, invitations, the user agreement, notifications, penalties."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from distribution.core import texts


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Logs in with the email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=120, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the emails this person receives (empty: the platform's default)."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Organisation(models.Model):
    """A supplier company or a reseller business. Its profile lives in suppliers/ or resellers/."""

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        RESELLER = "reseller", _("Reseller")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("contact email"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_supplier(self) -> bool:
        return self.kind == self.Kind.SUPPLIER

    @property
    def is_reseller(self) -> bool:
        return self.kind == self.Kind.RESELLER


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


MANAGING_ROLES = (Role.OWNER, Role.MANAGER)


class Membership(models.Model):
    """A user's place in its one organisation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["organisation_id", "created_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=Q(role="owner"), name="one_owner_per_organisation")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def can_manage(self) -> bool:
        """Owners and managers change prices, terms and partnerships (the one role check; services
        use ``accounts.permissions.require_manager``)."""
        return self.role in MANAGING_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation"))
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=[(Role.MANAGER, Role.MANAGER.label), (Role.STAFF, Role.STAFF.label)])
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, verbose_name=_("token"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class AgreementVersion(models.Model):
    """A version of 《分銷平台用戶協定》. The newest published one is current."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200, default="分銷平台用戶協定")
    supplier_text = models.TextField(_("text for suppliers"))
    reseller_text = models.TextField(_("text for resellers"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def text_for(self, kind: str) -> str:
        return self.supplier_text if kind == Organisation.Kind.SUPPLIER else self.reseller_text


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances", verbose_name=_("user")
    )
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("version"))
    accepted_at = models.DateTimeField(default=timezone.now, verbose_name=_("accepted at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="accept_each_version_once")]

    def __str__(self) -> str:
        return f"{self.user} accepted v{self.version.version}"


class Notification(models.Model):
    """A platform event shown on a user's notifications page (and maybe emailed)."""

    # no index of its own: the (user, read_at) index leads with it
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"), db_index=False
    )
    # The tenant (distribution column, docs/scaling.md): the user's organisation when notified.
    # Left unset, the database fills it from the user's membership (accounts 0003).
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_default=None)
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    # The parameters of ``kind`` (distribution.core.texts), rendered in the reader's language when
    # shown. ``None``: a notification written as finished text (``title``/``body`` shown as they are).
    params = models.JSONField(_("parameters"), null=True, blank=True)
    # The registered text to render when it is not ``kind`` itself (several texts share one kind).
    text_kind = models.CharField(_("text"), max_length=80, blank=True)
    # What the kind rendered to when written (the fallback if the kind is ever unregistered).
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the active language (the reader's)."""
        if self.params is None:
            return self.title
        return texts.render(self.text_kind or self.kind, self.params, part="title", fallback=self.title)

    @property
    def display_body(self) -> str:
        if self.params is None:
            return self.body
        return texts.render(self.text_kind or self.kind, self.params, part="body", fallback=self.body)


class PenaltyQuerySet(models.QuerySet):
    """The one home of "a penalty is in force" and of the sanctions it carries (R6, R17).

    A penalty is in force at ``now`` when it is not revoked, has started and has not ended
    (no ``ends_at``: until revoked). Every check of the platform goes through these methods.
    """

    @staticmethod
    def in_force_condition(now: datetime) -> Q:
        return Q(revoked_at__isnull=True, starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))

    def in_force(self, now: datetime | None = None) -> PenaltyQuerySet:
        return self.filter(self.in_force_condition(now or timezone.now()))

    def with_in_force(self, now: datetime | None = None) -> PenaltyQuerySet:
        """Annotate ``in_force`` (a boolean) for pages that list every penalty."""
        condition = self.in_force_condition(now or timezone.now())
        return self.annotate(in_force=models.ExpressionWrapper(condition, output_field=models.BooleanField()))

    def suspending_listing(self, now: datetime | None = None) -> PenaltyQuerySet:
        """In force and carrying a listing sanction (``LISTING_SANCTIONS``)."""
        return self.in_force(now).filter(sanction__in=list(LISTING_SANCTIONS))

    def suspending_ordering(self, now: datetime | None = None) -> PenaltyQuerySet:
        """In force and suspending the organisation from placing purchase orders."""
        return self.in_force(now).filter(sanction=Penalty.Sanction.SUSPEND_ORDERING)


class Penalty(models.Model):
    """A sanction staff recorded against an organisation (R6, R17). Query it through ``PenaltyQuerySet``."""

    class Sanction(models.TextChoices):
        WARNING = "warning", _("Warning")
        LISTING_REMOVAL = "listing_removal", _("Listing removal")
        SUSPEND_ORDERING = "suspend_ordering", _("Suspension from placing purchase orders")
        SUSPEND_LISTING = "suspend_listing", _("Suspension from listing")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="penalties", verbose_name=_("organisation"))
    rule = models.CharField(_("rule broken"), max_length=10)
    description = models.TextField(_("description"))
    sanction = models.CharField(_("sanction"), max_length=32, choices=Sanction.choices, default=Sanction.WARNING)
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    objects = PenaltyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["organisation", "ends_at"])]
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_sanction_display()} ({self.rule})"


# Sanctions that take a supplier's products off the platform while they are in force: hidden
# from resellers' search and product pages, reported ``delisted`` to API integrators, no new
# listings submitted, no purchase orders placed (R3, R17). ``Penalty.objects.suspending_listing()``.
LISTING_SANCTIONS = (Penalty.Sanction.SUSPEND_LISTING, Penalty.Sanction.LISTING_REMOVAL)


class ProfileChange(models.Model):
    """Legal fields of a company profile (``LEGAL_FIELDS`` of ``Supplier``/``Reseller``) changed
    after signup, held for staff review: the live profile keeps its values until staff approve.

    ``changes`` maps a field name to ``{"from": old, "to": new}``. One pending change per
    organisation; a new edit of the legal fields replaces the pending one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="profile_changes", verbose_name=_("organisation")
    )
    changes = models.JSONField(_("changes"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("company profile change")
        verbose_name_plural = _("company profile changes")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], condition=Q(status="pending"), name="one_pending_profile_change")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {', '.join(self.changes)} ({self.get_status_display()})"
