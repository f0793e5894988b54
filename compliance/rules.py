"""The platform agreement's rules (SPEC §2, R1–R17) as a catalogue.

Penalties name the rule broken by its code (``Penalty.rule``); the compliance page
shows the rule's text beside each record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    applies_to: str  # "supplier", "reseller" or "both"
    title: str
    text: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        Rule(
            "R1",
            "both",
            _("Sign the platform user agreement"),
            _("Suppliers and resellers sign the platform user agreement at their own signup entry page."),
        ),
        Rule(
            "R2",
            "supplier",
            _("True and complete supplier information"),
            _(
                "All information the supplier provides on the platform (company, products, cooperation terms) is true "
                "and complete; the supplier bears all responsibility for it."
            ),
        ),
        Rule(
            "R3",
            "supplier",
            _("Lawful, complete and accurate product information"),
            _(
                "Product information is lawful, complete and detailed, follows the listing rules and matches the goods "
                "themselves without exaggeration; goods are genuine, and imported goods carry their import compliance."
            ),
        ),
        Rule(
            "R4",
            "supplier",
            _("True recruitment information, prompt answers"),
            _(
                "Recruitment information is true and valid; the supplier supports resellers' daily operations and "
                "answers their inquiries promptly."
            ),
        ),
        Rule(
            "R5",
            "supplier",
            _("No termination without cause; 10 days' written notice"),
            _(
                "While the reseller keeps the agreements, the supplier may not end the partnership without cause; to end "
                "it, the supplier gives at least 10 days' written notice (email, platform staff or site message)."
            ),
        ),
        Rule(
            "R6",
            "reseller",
            _("Keep the agreements with the supplier"),
            _(
                "The reseller sells according to its agreements with the supplier; a reseller penalised for breaking the "
                "rules may be dropped by the supplier immediately."
            ),
        ),
        Rule(
            "R7",
            "reseller",
            _("Truthful listings: actual location, agreed retail price"),
            _(
                "Published product information is lawful, states the goods' actual location truthfully, and its retail "
                "price keeps to the agreement with the supplier."
            ),
        ),
        Rule(
            "R8",
            "reseller",
            _("Keep the promises made to consumers"),
            _(
                "The reseller strictly keeps its promises to consumers and may not use its agreement with the supplier "
                "against them; where that agreement is unclear or does not cover a promise, the reseller bears the risk."
            ),
        ),
        Rule(
            "R9",
            "reseller",
            _("Pay purchase orders promptly"),
            _(
                "After the consumer pays, the reseller pays the purchase order promptly; 7 days after it is placed "
                "unpaid, the system closes it and the reseller bears the risk."
            ),
        ),
        Rule(
            "R10",
            "reseller",
            _("Keep the supplier's stock in sync"),
            _(
                "The reseller keeps the supplier's actual stock in sync; disputes caused by goods out of stock after a "
                "consumer bought them are the reseller's risk and responsibility."
            ),
        ),
        Rule(
            "R11",
            "reseller",
            _("Orders are fulfilled by the product's supplier"),
            _("Sales orders for distributed products are all supplied by that product's supplier on the platform."),
        ),
        Rule("R12", "reseller", _("Check the consumer's address"), _("The reseller makes sure the consumer's delivery address is valid.")),
        Rule(
            "R13",
            "supplier",
            _("Ship promptly, or tell the reseller and refund"),
            _(
                "After the reseller pays, the supplier ships promptly and truthfully per the purchase order; if it "
                "cannot, it tells the reseller and refunds promptly."
            ),
        ),
        Rule(
            "R14",
            "supplier",
            _("Unshipped after 15 days: automatic refund"),
            _(
                "15 days after payment, if the supplier has not shipped, the system cancels the purchase order and "
                "refunds the reseller's account."
            ),
        ),
        Rule(
            "R15",
            "both",
            _("Settle disputes within 30 days of shipping"),
            _("When a purchase leads to a dispute, both sides negotiate actively and reach an agreed solution within 30 days of shipping."),
        ),
        Rule(
            "R16",
            "reseller",
            _("Confirm receipt promptly"),
            _(
                "The reseller confirms receipt promptly after the consumer receives the goods; 30 days after shipping "
                "unconfirmed, the system confirms and pays the supplier."
            ),
        ),
        Rule(
            "R17",
            "both",
            _("Channel management: inspections, penalties and rewards"),
            _("The platform manages channels by rules: inspections where due, penalties where due, rewards where due."),
        ),
    ]
}

RULE_CHOICES = [(r.code, format_lazy("{} · {}", r.code, r.title)) for r in RULES.values()]


def rule_text(code: str) -> Rule | None:
    return RULES.get(code)
