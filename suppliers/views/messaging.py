"""Messaging pages (站內信): thread list, start a thread, read and reply, download an attachment.

Both kinds of organisation use the same pages; a thread of two other
organisations is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Organisation
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.media import serve_allowed
from distribution.core.pagination import paginate
from distribution.core.params import parse_id
from distribution.core.permissions import OrganisationMemberMixin

if TYPE_CHECKING:
    from resellers.models import Reseller

from ..forms.partnerships import MessageForm, ThreadStartForm
from ..media import attachment_allowed
from ..models import MessageAttachment, Side, Supplier
from ..selectors import partnerships as sel
from ..services import messaging as svc

THREAD_POLL_SECONDS = 4


class ThreadListView(OrganisationMemberMixin, TemplateView):
    template_name = "suppliers/thread_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        side = Side.SUPPLIER if self.organisation.kind == "supplier" else Side.RESELLER
        qs = sel.threads_for(self.organisation)
        if self.request.GET.get("unread") == "1":
            qs = qs.filter(sel.unread_q(side))
        mine = side == Side.SUPPLIER and self.request.GET.get("mine") == "1"
        if mine:
            qs = qs.filter(reseller_id__in=sel.key_accounts_of(self.organisation.pk, self.request.user.pk))
        page = paginate(self.request, qs)
        for thread in page:
            thread.unread = thread.is_unread_for(side)
        ctx.update(page=page, side=side, unread_only=self.request.GET.get("unread") == "1", mine=mine)
        return ctx


class ThreadStartView(OrganisationMemberMixin, TemplateView):
    """Start a conversation. A reseller picks ``?supplier=<id>``; a supplier ``?reseller=<id>``."""

    template_name = "suppliers/thread_form.html"

    def get(self, request, *args, **kwargs):
        party = "reseller" if self.organisation.kind == "supplier" else "supplier"
        if not request.GET.get(party):
            # a bare /messages/new/ (a bookmark, a shared link): choose whom to write to instead of a 404
            return self._pick(party)
        return super().get(request, *args, **kwargs)

    def _pick(self, party: str):
        if party == "reseller":
            supplier = Supplier.objects.get(pk=self.organisation.pk)
            qs = sel.supplier_partnerships(supplier)
        else:
            qs = (
                sel.reseller_partnerships(self.organisation.reseller)
                .filter(supplier__status=Supplier.Status.ACTIVE)
                .order_by("supplier__company_name", "-id")
            )
        page = paginate(self.request, qs)
        return self.response_class(
            request=self.request,
            template=["suppliers/thread_pick.html"],
            context={"page": page, "party": party},
            using=self.template_engine,
        )

    def _parties(self) -> tuple[Supplier, Reseller]:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        try:
            if self.organisation.kind == "supplier":
                supplier = Supplier.objects.get(pk=self.organisation.pk)
                reseller = get_object_or_404(Organisation, pk=int(data.get("reseller", "")), reseller__isnull=False).reseller
                if not svc.supplier_may_message(supplier=supplier, reseller=reseller):
                    raise Http404
            else:
                reseller = self.organisation.reseller
                supplier = get_object_or_404(Supplier, pk=int(data.get("supplier", "")), status=Supplier.Status.ACTIVE)
        except (ValueError, Supplier.DoesNotExist, Organisation.reseller.RelatedObjectDoesNotExist):
            raise Http404
        return supplier, reseller

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        supplier, reseller = self._parties()
        initial = {"po_number": self.request.GET.get("po", "")}
        if self.request.GET.get("product", "").isdigit():
            initial["product"] = int(self.request.GET["product"])
        form = kwargs.get("form") or ThreadStartForm(supplier=supplier, initial=initial, listed_only=self.organisation.kind == "reseller")
        other = supplier.company_name if self.organisation.kind == "reseller" else reseller.name
        ctx.update(form=form, supplier=supplier, reseller=reseller, other_name=other)
        return ctx

    def post(self, request, *args, **kwargs):
        supplier, reseller = self._parties()
        form = ThreadStartForm(
            request.POST, request.FILES, supplier=supplier, listed_only=self.organisation.kind == "reseller"
        )
        if form.is_valid():
            d = form.cleaned_data
            try:
                thread = svc.thread_start(
                    actor=request.user,
                    organisation=self.organisation,
                    supplier=supplier,
                    reseller=reseller,
                    subject=d["subject"],
                    body=d["body"],
                    product=d["product"],
                    po_number=d["po_number"],
                    attachments=d["attachments"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Message sent."))
                return redirect("partners:thread_detail", pk=thread.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ThreadDetailView(OrganisationMemberMixin, TemplateView):
    template_name = "suppliers/thread_detail.html"

    def _thread(self):
        thread = sel.thread_for(self.organisation, self.kwargs["pk"])
        if thread is None:
            raise Http404
        return thread

    def get(self, request, *args, **kwargs):
        thread = self._thread()
        svc.thread_mark_read(organisation=self.organisation, thread=thread)
        return self.render_to_response(self.get_context_data(thread=thread))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        thread = kwargs.get("thread") or self._thread()
        thread_messages = list(sel.thread_messages(thread))
        ctx.update(
            thread=thread,
            thread_messages=thread_messages,
            last_message_id=thread_messages[-1].pk if thread_messages else 0,
            poll_seconds=THREAD_POLL_SECONDS,
            side=thread.side_of(self.organisation),
            form=kwargs.get("form") or MessageForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        thread = self._thread()
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                svc.message_post(
                    actor=request.user,
                    organisation=self.organisation,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("partners:thread_detail", pk=thread.pk)
        return self.render_to_response(self.get_context_data(thread=thread, form=form))


class ThreadUpdatesView(OrganisationMemberMixin, TemplateView):
    """What the open thread page polls (htmx): messages after ``?after=<id>``, appended out of band, and
    the poller again with the new last id. Seeing them marks the thread read, as opening it does."""

    template_name = "suppliers/includes/thread_updates.html"

    def get(self, request, *args, **kwargs):
        thread = sel.thread_for(self.organisation, self.kwargs["pk"])
        if thread is None:
            raise Http404
        after = parse_id(request.GET.get("after")) or 0
        new = list(sel.thread_messages(thread).filter(pk__gt=after).order_by("id"))
        if new:
            svc.thread_mark_read(organisation=self.organisation, thread=thread)
        return self.render_to_response(
            {
                "thread": thread,
                "thread_messages": new,
                "last_message_id": new[-1].pk if new else after,
                "poll_seconds": THREAD_POLL_SECONDS,
                "side": thread.side_of(self.organisation),
            }
        )


class UnreadBadgeView(OrganisationMemberMixin, TemplateView):
    """The navbar's unread-threads badge, polled (htmx) so it counts new messages without a reload."""

    template_name = "suppliers/includes/unread_badge.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"unread": sel.unread_thread_count(self.organisation), "poll_seconds": 30})


class AttachmentDownloadView(OrganisationMemberMixin, View):
    def get(self, request, pk):
        attachment = get_object_or_404(MessageAttachment.objects.select_related("message__thread"), pk=pk)
        if attachment.message.thread.side_of(self.organisation) is None:
            raise Http404
        return serve_allowed(attachment_allowed(request, attachment))
