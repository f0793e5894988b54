"""Reads for recruitment, applications, partnerships and messaging that views share.

Every list here is a queryset the caller paginates; each joins what its page shows
(``select_related``) so a page costs a fixed number of queries at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from distribution.core.models import AuditEvent
from suppliers.models import (
    Message,
    MessageThread,
    Partnership,
    PartnershipApplication,
    Product,
    RecruitmentPost,
    Side,
    Supplier,
)
from suppliers.terms import hidden_product_ids

RESPONSE_TIME_WINDOW = timedelta(days=90)


# ---------------------------------------------------------------- recruitment


def public_recruitment_posts(*, q: str = "", channel_type: str = "") -> QuerySet[RecruitmentPost]:
    """Open posts of active suppliers, searchable by title, body and supplier name."""
    qs = RecruitmentPost.objects.filter(is_open=True, supplier__status=Supplier.Status.ACTIVE).select_related(
        "supplier", "tier"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(supplier__company_name__icontains=q))
    if channel_type:
        # An empty list accepts every channel type.
        qs = qs.filter(Q(accepted_channel_types__contains=[channel_type]) | Q(accepted_channel_types=[]))
    return qs.order_by("-created_at", "-id")


def public_post_or_none(pk: int) -> RecruitmentPost | None:
    return (
        RecruitmentPost.objects.filter(pk=pk, supplier__status=Supplier.Status.ACTIVE)
        .select_related("supplier", "tier")
        .first()
    )


# ---------------------------------------------------------------- applications and partnerships


def supplier_applications(supplier: Supplier, *, status: str = "") -> QuerySet[PartnershipApplication]:
    qs = PartnershipApplication.objects.filter(supplier=supplier).select_related("reseller", "post", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def application_counts(supplier: Supplier) -> dict[str, int]:
    rows = PartnershipApplication.objects.filter(supplier=supplier).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def supplier_partnerships(
    supplier: Supplier, *, status: str = "", tier: str = "", channel_type: str = ""
) -> QuerySet[Partnership]:
    qs = Partnership.objects.filter(supplier=supplier).select_related("reseller", "tier", "key_account_manager")
    if status:
        qs = qs.filter(status=status)
    if tier:
        qs = qs.filter(tier_id=tier)
    if channel_type:
        qs = qs.filter(reseller__channel_type=channel_type)
    return qs.order_by("reseller__name", "-started_at", "-id")


def partnership_counts(supplier: Supplier) -> dict[str, int]:
    rows = Partnership.objects.filter(supplier=supplier).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def reseller_partnerships(reseller) -> QuerySet[Partnership]:
    return Partnership.objects.filter(reseller=reseller).select_related("supplier", "tier", "key_account_manager")


def reseller_applications(reseller) -> QuerySet[PartnershipApplication]:
    return PartnershipApplication.objects.filter(reseller=reseller).select_related("supplier", "post")


def reseller_history(supplier: Supplier, reseller) -> dict:
    """What a supplier knows of one reseller: its applications, partnerships, their audit trail, threads."""
    partnerships = list(
        Partnership.objects.filter(supplier=supplier, reseller=reseller).select_related("tier", "key_account_manager")
    )
    applications = list(
        PartnershipApplication.objects.filter(supplier=supplier, reseller=reseller).select_related("post", "decided_by")
    )
    events = list(
        AuditEvent.objects.filter(
            object_type=Partnership._meta.label_lower, object_id__in=[str(p.pk) for p in partnerships]
        ).select_related("actor")[:200]
    )
    threads = list(MessageThread.objects.filter(supplier=supplier, reseller=reseller)[:50])
    return {"partnerships": partnerships, "applications": applications, "events": events, "threads": threads}


# ---------------------------------------------------------------- messaging


def threads_for(organisation) -> QuerySet[MessageThread]:
    """Threads of the asking organisation (either side), newest activity first."""
    if organisation.kind == "supplier":
        qs = MessageThread.objects.filter(supplier_id=organisation.pk)
    else:
        qs = MessageThread.objects.filter(reseller_id=organisation.pk)
    return qs.select_related("supplier", "reseller", "product").order_by("-last_message_at", "-id")


def thread_for(organisation, pk: int) -> MessageThread | None:
    """The thread if ``organisation`` is one of its sides, else ``None`` (→ 404)."""
    if organisation is None:
        return None
    return threads_for(organisation).filter(pk=pk).first()


def unread_q(side: str) -> Q:
    """Threads with a message the given side has not read yet."""
    read_field = "supplier_read_at" if side == Side.SUPPLIER else "reseller_read_at"
    return Q(**{f"{read_field}__isnull": True}) | Q(last_message_at__gt=F(read_field))


def unread_thread_count(organisation) -> int:
    """How many of the organisation's threads have unread messages (one query)."""
    if organisation is None:
        return 0
    side = Side.SUPPLIER if organisation.kind == "supplier" else Side.RESELLER
    return threads_for(organisation).filter(unread_q(side)).count()


def thread_messages(thread: MessageThread) -> QuerySet[Message]:
    return thread.messages.select_related("sender").prefetch_related("attachments")


# ---------------------------------------------------------------- key accounts


# The one home of the key-account rule (大客戶由主管級人物掌控、跟進): on a supplier's side, what
# concerns a key account (its POs and their timers' notices, disputes, after-sales, messages,
# applications) goes to the partnership's key-account manager and the owner(s); without a manager
# who is still an active member, to every active member. Written once as SQL so that the ORM
# callers (``supplier_recipient_ids``), the PO lock's and the placing guard's subqueries
# (``supplier_recipients_array``) and set-based timers (``supplier_recipients_sql``) all use it.
# ``{supplier}``/``{reseller}``: SQL expressions (a parameter or an outer query's column).
_KAM_SQL = (
    "SELECT p.key_account_manager_id FROM suppliers_partnership p "
    "JOIN accounts_user ku ON ku.id = p.key_account_manager_id AND ku.is_active "
    "JOIN accounts_membership km ON km.user_id = p.key_account_manager_id AND km.organisation_id = p.supplier_id "
    "WHERE p.supplier_id = {supplier} AND p.reseller_id = {reseller}{live} ORDER BY p.started_at DESC, p.id DESC LIMIT 1"
)
_RECIPIENTS_SQL = (
    "SELECT ru.id FROM accounts_membership rm JOIN accounts_user ru ON ru.id = rm.user_id AND ru.is_active "
    "WHERE rm.organisation_id = {supplier} AND (rm.role = 'owner' OR NOT EXISTS ({kam}) OR rm.user_id = ({kam})) ORDER BY ru.id"
)


def _kam_sql(supplier: str, reseller: str, *, include_ended: bool = False) -> str:
    live = "" if include_ended else " AND p.status <> 'terminated'"
    return _KAM_SQL.format(supplier=supplier, reseller=reseller, live=live)


def supplier_recipients_sql(supplier: str, reseller: str) -> str:
    """The rule as a subquery of user ids (``supplier``/``reseller``: SQL expressions), for set-based callers."""
    return _RECIPIENTS_SQL.format(supplier=supplier, kam=_kam_sql(supplier, reseller))


def supplier_recipients_array(supplier: str, reseller: str | None = None, *, reseller_id: int | None = None):
    """The rule as an annotation: an array of user ids; ``supplier`` (and ``reseller``) the outer
    query's columns, or ``reseller_id`` a value (a query parameter)."""
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import BigIntegerField
    from django.db.models.expressions import RawSQL

    sql = supplier_recipients_sql(supplier, "%s" if reseller is None else reseller)
    params = [reseller_id] * sql.count("%s") if reseller is None else []
    return RawSQL(f"ARRAY({sql})", params, output_field=ArrayField(BigIntegerField()))  # noqa: S611 (SQL of constants and columns)


def supplier_recipient_ids(supplier_id: int, reseller_id: int) -> list[int]:
    """The supplier-side users told about what concerns ``reseller_id`` (see the rule above): one query."""
    with connection.cursor() as cursor:
        cursor.execute(supplier_recipients_sql("%(s)s", "%(r)s"), {"s": supplier_id, "r": reseller_id})
        return [row[0] for row in cursor.fetchall()]


def key_account_recipients(supplier_id: int, reseller_id: int, *, include_ended: bool = False) -> list[int] | None:
    """A key account's manager and the owner(s); None when the partnership has no manager who is still
    an active member (the caller then picks its own default). ``include_ended`` reads the latest
    partnership even if it ended (a returning account's application)."""
    from accounts.models import Membership

    with connection.cursor() as cursor:
        cursor.execute(_kam_sql("%(s)s", "%(r)s", include_ended=include_ended), {"s": supplier_id, "r": reseller_id})
        row = cursor.fetchone()
    if row is None:
        return None
    owners = Membership.objects.filter(organisation_id=supplier_id, role="owner", user__is_active=True).values_list("user_id", flat=True)
    return list(dict.fromkeys([row[0], *owners]))


def key_accounts_of(supplier_id: int, user_id: int) -> QuerySet:
    """The reseller ids a member manages as key accounts (a subquery: "my accounts" filters)."""
    return Partnership.objects.not_terminated().filter(supplier_id=supplier_id, key_account_manager_id=user_id).values("reseller_id")


# ---------------------------------------------------------------- R4: response time


@dataclass(frozen=True)
class ResponseTime:
    median: timedelta | None
    threads: int


def supplier_response_time(supplier: Supplier, *, now: datetime | None = None, reseller_ids: list[int] | None = None) -> ResponseTime:
    """Median time from a thread's first reseller message to the supplier's first reply after it.

    Counts threads whose first reseller message is within the last 90 days. A thread
    still unanswered counts with the time it has waited so far (a lower bound), so
    ignoring inquiries never improves the figure. One SQL query. ``reseller_ids`` narrows it to
    those resellers' threads (a key-account manager's accounts).
    """
    now = now or timezone.now()
    thread_table = MessageThread._meta.db_table
    message_table = Message._meta.db_table
    sql = f"""
        WITH asked AS (
            SELECT m.thread_id, MIN(m.created_at) AS asked_at
            FROM {message_table} m
            JOIN {thread_table} t ON t.id = m.thread_id
            WHERE t.supplier_id = %(supplier)s AND m.sender_side = %(reseller_side)s
              AND (%(all_resellers)s OR t.reseller_id = ANY(%(resellers)s))
            GROUP BY m.thread_id
            HAVING MIN(m.created_at) >= %(since)s AND MIN(m.created_at) <= %(now)s
        )
        SELECT
            percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (COALESCE(r.replied_at, %(now)s) - a.asked_at))),
            COUNT(*)
        FROM asked a
        LEFT JOIN LATERAL (
            SELECT MIN(m2.created_at) AS replied_at
            FROM {message_table} m2
            WHERE m2.thread_id = a.thread_id AND m2.sender_side = %(supplier_side)s AND m2.created_at >= a.asked_at
        ) r ON TRUE
    """  # noqa: S608 (table names come from model metadata, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "supplier": supplier.pk,
                "reseller_side": Side.RESELLER.value,
                "supplier_side": Side.SUPPLIER.value,
                "since": now - RESPONSE_TIME_WINDOW,
                "now": now,
                "all_resellers": reseller_ids is None,
                "resellers": list(reseller_ids or []),
            },
        )
        seconds, count = cursor.fetchone()
    median = timedelta(seconds=float(seconds)) if seconds is not None else None
    return ResponseTime(median=median, threads=count or 0)


def listed_product_count(supplier: Supplier, *, reseller_id: int | None = None) -> int:
    """Listed products the viewer (a reseller, or anyone when None) may see: product lines hide theirs from outsiders."""
    qs = Product.objects.filter(supplier=supplier, status=Product.Status.LISTED)
    return qs.exclude(pk__in=hidden_product_ids(reseller_id, timezone.now())).count()
