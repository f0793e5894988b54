"""The daily price-compliance inspection (巡查, R17) as a registered sweep.

Celery beat runs it at 03:00 (``distribution/celery.py``) and ``sweep_deadlines``
runs it with every other sweep. It walks published entries (and entries with an
open finding) in batches claimed with SKIP LOCKED; each batch is one transaction
of ``inspection_check_listings``, which is idempotent, so a re-run or a second
sweeper records nothing twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from distribution.core.sweeps import SweepResult, act_isolated, due_ids, eligible

from .services import inspectable_listings, inspection_check_listings

NAME = "inspect_listings"
logger = logging.getLogger(__name__)


def inspect_listings(*, now: datetime, dry_run: bool = False, time_limit: float | None = None) -> SweepResult:
    """One pass over the inspectable entries in keyset batches; stops between batches after ``time_limit`` seconds.

    A batch that raises is retried entry by entry, so one bad entry is recorded and skipped alone.
    Beat runs it daily on its own queue, so it never delays the money timers; ``sweep_deadlines``
    runs it last.
    """
    result = SweepResult(name=NAME)
    started = time.monotonic()
    for ids in due_ids(eligible(inspectable_listings(), sweep=NAME, now=now)):
        if dry_run:
            for pk in ids:
                result.act(str(pk))
            continue
        try:
            created, resolved = inspection_check_listings(listing_ids=ids, now=now)
        except Exception:
            logger.warning("inspect_listings: batch #%s–#%s failed; checking its entries one by one", ids[0], ids[-1], exc_info=True)
            created = resolved = 0
            for pk in ids:
                act_isolated(NAME, pk, lambda pk: _one(pk, now), now=now, result=result, clear=True)
        if created or resolved:
            result.act(f"{len(ids)} checked: {created} found, {resolved} resolved")
        if time_limit is not None and time.monotonic() - started > time_limit:
            logger.info("inspect_listings: stopped after %.0f s at entry #%s (time limit)", time_limit, ids[-1])
            break
    return result


def _one(pk: int, now: datetime) -> str | None:
    created, resolved = inspection_check_listings(listing_ids=[pk], now=now)
    return f"#{pk}: {created} found, {resolved} resolved" if created or resolved else None
