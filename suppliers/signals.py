"""What the resellers' store list must hear about, inside the supplier's transaction (R7, R10).

TEMPORARY: a stand-in until the domain events of ``distribution/core/events.py`` land (lead);
then these become events and this module goes. Until then: the catalog and partnership
services send these Django signals with ``send`` (not ``send_robust``), so a receiver's
error rolls the supplier's change back, exactly as the direct call it replaces did; the
receivers are connected in ``ResellersConfig.ready()`` (``resellers/receivers.py``). The
suppliers app never imports the resellers app (see the layers contract in ``pyproject.toml``).
"""

from __future__ import annotations

from django.dispatch import Signal

#: ``sku`` (locked by the sender) and ``changes`` (the set of changed watched fields)
sku_changed = Signal()
#: ``skus`` (a batch, locked by the sender) and ``changes``: the same as ``sku_changed`` for each,
#: for batch writers (the API's bulk stock), so a receiver can look them up set-based
skus_changed = Signal()
#: ``product`` just delisted
product_delisted = Signal()
#: ``partnership`` just terminated (locked by the sender) and ``now``
partnership_ended = Signal()
