from __future__ import annotations


def organisation(request) -> dict:
    membership = getattr(request, "membership", None)
    if not membership:
        return {"membership": None, "organisation": None}
    return {"membership": membership, "organisation": membership.organisation}
