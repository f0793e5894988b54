"""The one way the tests race real threads against PostgreSQL (pretix-style concurrency tests).

``race`` runs every call in its own thread with its own database connection, releases them
together with a barrier, and returns one ``Outcome`` per call, in order: its value, or the
exception it raised (a ``DomainError`` is an expected refusal; anything else is reported by
the assertions as a bug). Use it from ``django_db(transaction=True)`` tests.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connections

from distribution.core.errors import DomainError


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def refused(self) -> bool:
        """The call was refused by a rule (a ``DomainError``), as a race's loser should be."""
        return isinstance(self.error, DomainError)

    @property
    def kind(self) -> str:
        """``"ok"``, ``"refused"`` (a ``DomainError``) or ``"error"`` (a bug)."""
        return "ok" if self.ok else "refused" if self.refused else "error"

    @property
    def code(self) -> str:
        """``"ok"``, the ``DomainError``'s code, or the name of an unexpected exception's class."""
        if self.error is None:
            return "ok"
        return getattr(self.error, "code", None) or type(self.error).__name__

    @property
    def message(self) -> str:
        return getattr(self.error, "message", str(self.error)) if self.error is not None else ""


def race(calls: Sequence[Callable[[], Any]], *, timeout: float = 60) -> list[Outcome]:
    """Start every call at the same moment, each in its own thread and connection; wait for all."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            close_old_connections()
            barrier.wait(timeout=timeout)
            outcomes[i].value = call()
        except BaseException as exc:  # collected: the test asserts on it
            outcomes[i].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    assert not any(t.is_alive() for t in threads), "a raced call did not finish"
    return outcomes


def run_concurrently(n: int, work: Callable[[int], Any], *, timeout: float = 60) -> list[Any]:
    """``race`` of ``work(0)`` … ``work(n - 1)``: each call's value, or the exception it raised."""
    return [o.value if o.ok else o.error for o in race([functools.partial(work, i) for i in range(n)], timeout=timeout)]
