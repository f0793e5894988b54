"""The daily price-compliance inspection (巡查, R17) as a registered sweep.

Celery beat runs it at 03:00 (``distribution/celery.py``) and ``sweep_deadlines``
runs it with every other sweep. It walks published entries (and entries with an
open finding) in batches claimed with SKIP LOCKED; each batch is one transaction
of ``inspection_check_listings``, which is idempotent, so a re-run or a second
sweeper records nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from distribution.core.sweeps import SweepResult, due_ids

from .services import inspectable_listings, inspection_check_listings

NAME = "inspect_listings"


def inspect_listings(*, now: datetime, dry_run: bool = False) -> SweepResult:
    result = SweepResult(name=NAME)
    for ids in due_ids(inspectable_listings()):
        if dry_run:
            result.acted.extend(str(i) for i in ids)
            continue
        created, resolved = inspection_check_listings(listing_ids=ids, now=now)
        if created or resolved:
            result.acted.append(f"{len(ids)} checked: {created} found, {resolved} resolved")
    return result
