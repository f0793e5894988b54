"""Wallet pages: balance and statement (with CSV export), top-ups, withdrawals. Thin views.

The page where a supplier pays a reward is ``disputes.views.RewardListView`` (``/wallet/rewards/``).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from distribution.core.csv_stream import csv_lines
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.money import format_money
from distribution.core.once import SubmitOnceMixin
from distribution.core.pagination import paginate
from distribution.core.permissions import OrganisationMemberMixin, ResellerMemberMixin, SupplierMemberMixin

from . import selectors, services
from .forms import StatementFilterForm, TopUpForm, WithdrawalForm
from .models import JournalTransaction, entry_description
from .providers import get_provider


class WalletView(OrganisationMemberMixin, TemplateView):
    template_name = "settlement/wallet_detail.html"

    def get_template_names(self) -> list[str]:
        # Filtering with htmx swaps only the statement.
        if getattr(self.request, "htmx", False):
            return [f"{self.template_name}#statement"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filters = StatementFilterForm(self.request.GET or None)
        cleaned = filters.cleaned_data if filters.is_valid() else {}
        entries = selectors.statement_entries(
            self.organisation, date_from=cleaned.get("date_from"), date_to=cleaned.get("date_to"), kind=cleaned.get("kind") or None
        )
        page = paginate(self.request, entries)
        is_supplier = self.organisation.kind == "supplier"
        ctx.update(
            summary=selectors.wallet_summary(self.organisation),
            filters=filters,
            page=page,
            rows=[(entry, entry_description(entry)) for entry in page.object_list],
            is_supplier=is_supplier,
            split_kinds=selectors.SPLIT_KINDS,
            can_top_up=not is_supplier,
            can_withdraw=is_supplier and self.membership.can_manage,
            can_reward=is_supplier and self.membership.can_manage,
        )
        return ctx


class StatementCsvView(OrganisationMemberMixin, TemplateView):
    """The filtered statement as CSV, oldest first, streamed row by row (UTF-8 with BOM for Excel)."""

    def get(self, request, *args, **kwargs):
        filters = StatementFilterForm(request.GET or None)
        cleaned = filters.cleaned_data if filters.is_valid() else {}
        entries = selectors.statement_entries(
            self.organisation,
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
            kind=cleaned.get("kind") or None,
            newest_first=False,
        )
        response = StreamingHttpResponse(self._rows(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statement-{timezone.localdate():%Y%m%d}.csv"'
        return response

    def _rows(self, entries) -> Iterator[str]:
        # a purchase order's line shows its goods and shipping; a supplier's settlement also the platform's
        # commission and its net (the page's split, in columns)
        supplier = self.organisation.kind == "supplier"
        money_columns = [_("Goods"), _("Shipping"), *([_("Platform commission"), _("Net")] if supplier else [])]
        header = [_("Date"), _("Transaction"), _("Kind"), _("Description"), *money_columns, _("Amount"), _("Running balance")]
        # Translated once per export: get_kind_display() re-translates every label on each call.
        labels = {value: str(label) for value, label in JournalTransaction._meta.get_field("kind").flatchoices}
        tz = timezone.get_current_timezone()
        return csv_lines(header, (self._row(entry, labels, tz, supplier=supplier) for entry in entries.iterator(chunk_size=1000)))

    @staticmethod
    def _row(entry, labels: dict[str, str], tz, *, supplier: bool) -> list[object]:
        txn = entry.transaction
        split = getattr(entry, "statement_goods", None) is not None and txn.kind in selectors.SPLIT_KINDS
        cells = [format_money(entry.statement_goods), format_money(entry.statement_shipping)] if split else ["", ""]
        if supplier:
            gross, commission = entry.escrow_gross, entry.escrow_commission
            released = commission is not None and entry.amount > 0
            cells += [format_money(commission), format_money(gross - commission)] if released else ["", ""]
        return [
            timezone.localtime(txn.created_at, tz).strftime("%Y-%m-%d %H:%M:%S"),
            txn.pk,
            labels.get(txn.kind, txn.kind),
            entry_description(entry),
            *cells,
            format_money(entry.amount),
            format_money(entry.balance_after) if entry.balance_after is not None else "",
        ]


class TopUpListView(ResellerMemberMixin, SubmitOnceMixin, TemplateView):
    """A reseller records a bank transfer and follows its recorded top-ups."""

    template_name = "settlement/top_up_list.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            form=form or TopUpForm(),
            page=paginate(self.request, selectors.top_ups_for(self.organisation)),
            instructions=get_provider("offline_transfer").instructions(),
            summary=selectors.wallet_summary(self.organisation),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = TopUpForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.top_up_request(
                    actor=request.user,
                    organisation=self.organisation,
                    amount=form.cleaned_data["amount"],
                    payer_name=form.cleaned_data["payer_name"],
                    bank_reference=form.cleaned_data["bank_reference"],
                    receipt=form.cleaned_data["receipt"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Top-up recorded. We credit your wallet once the transfer is confirmed."))
                return redirect("settlement:top_up_list")
        return self.render_to_response(self.get_context_data(form=form), status=422)


class WithdrawalListView(SupplierMemberMixin, TemplateView):
    """A supplier's payouts; owners and managers request new ones."""

    template_name = "settlement/withdrawal_list.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        can_request = self.membership.can_manage
        ctx.update(
            form=(form or WithdrawalForm()) if can_request else None,
            can_request=can_request,
            page=paginate(self.request, selectors.withdrawals_for(self.organisation)),
            summary=selectors.wallet_summary(self.organisation),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not self.membership.can_manage:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Only owners and managers request withdrawals.")
        form = WithdrawalForm(request.POST)
        if form.is_valid():
            try:
                services.withdrawal_request(
                    actor=request.user,
                    organisation=self.organisation,
                    amount=form.cleaned_data["amount"],
                    account_name=form.cleaned_data["account_name"],
                    bank_name=form.cleaned_data["bank_name"],
                    account_number=form.cleaned_data["account_number"],
                    idempotency_key=form.cleaned_data.get("token") or "",
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Withdrawal requested. The amount is held until it is paid out."))
                return redirect("settlement:withdrawal_list")
        return self.render_to_response(self.get_context_data(form=form), status=422)
