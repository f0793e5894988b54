"""Endpoints of both kinds of key: the events catch-up and the test webhook."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from .. import webhooks
from ..auth import AnyKey
from ..errors import ApiError
from ..models import WebhookEvent
from ..schemas import EventPage, EventType, TestEventOut
from .common import ERRORS, WRITE_ERRORS, organisation_of

router = Router(auth=AnyKey(), tags=["events"])


@router.get("events/", response={200: EventPage, **ERRORS}, summary="Events of the last 30 days, oldest first (catch up on webhooks)")
def list_events(
    request: HttpRequest,
    after: UUID | None = Query(None, description="The id of the last event you have (X-Event-Id); leave out to start 30 days back"),  # noqa: B008
    type: EventType | None = Query(None, description="Only events of this type"),  # noqa: B008
    limit: int = Query(100, ge=1, le=500),
):
    """The same payloads as the webhooks, in ``(created_at, id)`` order (keyset: a page never skips or
    repeats an event). Events older than 30 days are gone; an ``after`` naming one answers 422."""
    organisation = organisation_of(request)
    since = timezone.now() - webhooks.EVENTS_KEPT
    qs = WebhookEvent.objects.filter(organisation_id=organisation.pk, created_at__gte=since)
    if after is not None:
        last = qs.filter(pk=after).values_list("created_at", flat=True).first()
        if last is None:
            raise ApiError(
                422, "validation_error", _("Some fields are not valid."), {"after": [_("No event with this id in the last 30 days.")]}
            )
        qs = qs.filter(created_at__gte=last).exclude(created_at=last, pk__lte=after)
    if type:
        qs = qs.filter(type=type)
    rows = list(qs.order_by("created_at", "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"results": [e.payload() for e in rows], "next_after": str(rows[-1].id) if more else None}


@router.post("webhooks/test", response={202: TestEventOut, **WRITE_ERRORS}, summary="Send a webhook.test event to every active endpoint")
def send_test(request: HttpRequest):
    event, count = webhooks.send_test_event(actor=None, organisation=organisation_of(request))
    return 202, {"event": event.payload(), "deliveries": count}


