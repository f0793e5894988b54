"""Staff admin: pending top-ups and withdrawals with actions that call services; read-only ledger views.

No admin path adds, edits or deletes a journal transaction, an entry, an account balance
or an escrow hold: those change only through ``settlement.services``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from distribution.core import texts
from distribution.core.admin_mixins import ReadOnlyAdminMixin, run_on_each

from . import services
from .models import Account, EscrowHold, JournalEntry, JournalTransaction, Reward, TopUpRequest, WithdrawalRequest


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View-only: the ledger is append-only and written by services alone."""


class JournalEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = JournalEntry
    fields = ("account", "amount", "balance_after")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(JournalTransaction)
class JournalTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "reference", "memo_shown", "actor")
    list_filter = ("kind",)
    search_fields = ("reference", "memo", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    inlines = [JournalEntryInline]

    @admin.display(description=_("memo"))
    def memo_shown(self, obj):
        """The memo in the reader's language (a platform text), or as typed."""
        return texts.show_stored(obj.memo_text, obj.memo)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "organisation", "balance_amount")
    list_filter = ("kind",)
    search_fields = ("organisation__name",)
    list_select_related = ("organisation",)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "transaction", "account", "amount", "balance_after")
    list_filter = ("account__kind", "transaction__kind")
    search_fields = ("transaction__reference", "account__organisation__name")
    list_select_related = ("transaction", "account__organisation")


class OutstandingFilter(admin.SimpleListFilter):
    title = _("still held")
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        outstanding = F("held_amount") - F("refunded_amount") - F("released_amount")
        if self.value() == "yes":
            return queryset.annotate(out=outstanding).filter(out__gt=0)
        if self.value() == "no":
            return queryset.annotate(out=outstanding).filter(out=0)
        return queryset


@admin.register(EscrowHold)
class EscrowHoldAdmin(ReadOnlyAdmin):
    list_display = ("reference", "payer", "payee", "held_amount", "refunded_amount", "released_amount", "commission_amount", "updated_at")
    list_filter = (OutstandingFilter,)
    search_fields = ("reference", "payer__name", "payee__name")
    list_select_related = ("payer", "payee")


@admin.register(Reward)
class RewardAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "supplier", "reseller", "amount", "note")
    search_fields = ("supplier__name", "reseller__name", "note")
    list_select_related = ("supplier", "reseller")


class StatusFilter(admin.SimpleListFilter):
    """Status filter that opens on what needs action (pending)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*model_admin.model.Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or "pending"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "pending"
        return queryset if value == "all" else queryset.filter(status=value)


class ReasonForm(forms.Form):
    text = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class PayoutForm(forms.Form):
    text = forms.CharField(label=_("Payout bank reference"), max_length=64, required=False)


def _ask(modeladmin, request, queryset, *, form_class, title, action):
    """Show an intermediate page asking for one text; return the text once submitted, else a response."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            return form.cleaned_data["text"], None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return None, TemplateResponse(request, "admin/settlement/action_text.html", context)


class DecisionAdmin(admin.ModelAdmin):
    """Top-ups and withdrawals: viewable, decided only through actions (which call services)."""

    list_filter = (StatusFilter,)
    list_select_related = ("organisation",)
    date_hierarchy = "requested_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def changelist_view(self, request, extra_context=None):
        pending = self.model.objects.filter(status="pending").count()
        extra_context = {**(extra_context or {}), "subtitle": _("%(count)s awaiting a decision") % {"count": pending}}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(TopUpRequest)
class TopUpRequestAdmin(DecisionAdmin):
    list_display = ("id", "requested_at", "organisation", "amount", "payer_name", "bank_reference", "receipt_link", "status")
    search_fields = ("organisation__name", "bank_reference", "payer_name")
    actions = ["confirm_top_ups", "reject_top_ups"]

    @admin.display(description=_("receipt"))
    def receipt_link(self, obj):
        if not obj.receipt:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.receipt.url, _("view"))

    @admin.action(description=_("Confirm selected top-ups (credit the wallets)"))
    def confirm_top_ups(self, request, queryset):
        run_on_each(
            self, request, queryset, lambda t: services.top_up_confirm(actor=request.user, top_up=t),
            _("%(count)s top-up(s) confirmed."),
        )

    @admin.action(description=_("Reject selected top-ups"))
    def reject_top_ups(self, request, queryset):
        reason, response = _ask(self, request, queryset, form_class=ReasonForm, title=_("Reject top-ups"), action="reject_top_ups")
        if response is not None:
            return response
        run_on_each(
            self,
            request,
            queryset,
            lambda t: services.top_up_reject(actor=request.user, top_up=t, reason=reason),
            _("%(count)s top-up(s) rejected."),
        )
        return None


@admin.register(WithdrawalRequest)
class WithdrawalRequestAdmin(DecisionAdmin):
    list_display = ("id", "requested_at", "organisation", "amount", "account_name", "bank_name", "account_number", "status")
    search_fields = ("organisation__name", "account_name", "account_number")
    actions = ["mark_withdrawals_paid", "reject_withdrawals"]

    @admin.action(description=_("Mark selected withdrawals as paid out"))
    def mark_withdrawals_paid(self, request, queryset):
        reference, response = _ask(
            self, request, queryset, form_class=PayoutForm, title=_("Mark withdrawals paid"), action="mark_withdrawals_paid"
        )
        if response is not None:
            return response
        run_on_each(
            self,
            request,
            queryset,
            lambda w: services.withdrawal_mark_paid(actor=request.user, withdrawal=w, payout_reference=reference),
            _("%(count)s withdrawal(s) marked paid."),
        )
        return None

    @admin.action(description=_("Reject selected withdrawals (release the held amount)"))
    def reject_withdrawals(self, request, queryset):
        reason, response = _ask(self, request, queryset, form_class=ReasonForm, title=_("Reject withdrawals"), action="reject_withdrawals")
        if response is not None:
            return response
        run_on_each(
            self,
            request,
            queryset,
            lambda w: services.withdrawal_reject(actor=request.user, withdrawal=w, reason=reason),
            _("%(count)s withdrawal(s) rejected."),
        )
        return None
