"""Pages for recruitment posts, applications and partnerships (supplier side, reseller side, public).

Thin: check who asks (mixins), look objects up through the asking organisation
(another organisation's object → 404), validate the form, call one service.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Organisation, Penalty
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.pagination import paginate
from distribution.core.permissions import (
    ResellerManagerMixin,
    ResellerMemberMixin,
    SupplierManagerMixin,
    SupplierMemberMixin,
)

from ..forms.partnerships import (
    ApplicationForm,
    ApproveForm,
    ChangePartnershipForm,
    NoticeForm,
    ReasonForm,
    RecruitmentPostForm,
)
from ..models import ChannelType, CooperationTerms, Partnership, PartnershipApplication, RecruitmentPost, Supplier, Tier
from ..selectors import partnerships as sel
from ..services import partnerships as svc
from ..terms import terms_summary


def _can_manage(request) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership) and membership.can_manage


# ================================================================= public


class RecruitmentListView(TemplateView):
    """Open recruitment posts of active suppliers; anyone may browse."""

    template_name = "suppliers/recruitment_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "")
        channel_type = self.request.GET.get("channel_type", "")
        if channel_type not in ChannelType.values:
            channel_type = ""
        ctx.update(
            page=paginate(self.request, sel.public_recruitment_posts(q=q, channel_type=channel_type)),
            q=q,
            channel_type=channel_type,
            channel_types=ChannelType.choices,
        )
        return ctx


class RecruitmentDetailView(TemplateView):
    template_name = "suppliers/recruitment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        post = sel.public_post_or_none(self.kwargs["pk"])
        if post is None:
            raise Http404
        membership = getattr(self.request, "membership", None)
        is_owner = bool(membership) and membership.organisation_id == post.supplier_id
        if not post.is_open and not is_owner:
            raise Http404
        can_apply = bool(membership) and membership.organisation.kind == "reseller" and membership.can_manage and post.is_open
        labels = dict(ChannelType.choices)
        ctx.update(
            post=post,
            accepted_labels=[labels.get(v, v) for v in post.accepted_channel_types],
            can_apply=can_apply,
            form=ApplicationForm() if can_apply else None,
            is_owner=is_owner,
        )
        return ctx


class SupplierProfileView(TemplateView):
    """The canonical supplier profile (R4), public: company, terms, tiers, open posts with apply
    links, median response time, listed products. A reseller also sees its partnership (tier);
    no supply prices here (resellers see theirs on product pages once partnered).
    ``/catalog/suppliers/<id>/`` redirects here."""

    template_name = "suppliers/partnership_supplier_profile.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        supplier = get_object_or_404(
            Supplier.objects.select_related("organisation"), pk=self.kwargs["pk"], status=Supplier.Status.ACTIVE
        )
        terms = CooperationTerms.objects.filter(supplier=supplier).select_related("shipping_template").first()
        membership = getattr(self.request, "membership", None)
        is_reseller = bool(membership) and membership.organisation.kind == "reseller"
        partnership = (
            Partnership.objects.live().filter(supplier=supplier, reseller_id=membership.organisation_id)
            .select_related("tier")
            .first()
            if is_reseller
            else None
        )
        listing_suspended = Penalty.objects.suspending_listing().filter(organisation_id=supplier.pk).exists()
        labels = dict(ChannelType.choices)
        ctx.update(
            supplier=supplier,
            terms=terms,
            terms_summary=terms_summary(terms),
            terms_channel_labels=[labels.get(v, v) for v in (terms.accepted_channel_types if terms else [])],
            tiers=list(Tier.objects.filter(supplier=supplier).order_by("position", "id")),
            posts=list(RecruitmentPost.objects.filter(supplier=supplier, is_open=True).select_related("tier")[:20]),
            response_time=sel.supplier_response_time(supplier),
            product_count=0
            if listing_suspended
            else sel.listed_product_count(supplier, reseller_id=membership.organisation_id if is_reseller else None),
            is_reseller=is_reseller,
            partnership=partnership,
            can_apply=is_reseller and membership.can_manage and partnership is None,
            can_message=is_reseller,
        )
        return ctx


# ================================================================= reseller side


class ApplyView(ResellerManagerMixin, TemplateView):
    """Apply to a recruitment post (``post_pk``) or directly to a supplier (``supplier_pk``)."""

    template_name = "suppliers/application_form.html"

    def _target(self) -> tuple[Supplier, RecruitmentPost | None]:
        if "post_pk" in self.kwargs:
            post = sel.public_post_or_none(self.kwargs["post_pk"])
            if post is None:
                raise Http404
            return post.supplier, post
        supplier = get_object_or_404(Supplier, pk=self.kwargs["supplier_pk"], status=Supplier.Status.ACTIVE)
        return supplier, None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        supplier, post = self._target()
        terms = CooperationTerms.objects.filter(supplier=supplier).select_related("shipping_template").first()
        ctx.update(supplier=supplier, post=post, form=kwargs.get("form") or ApplicationForm(), terms_summary=terms_summary(terms))
        return ctx

    def post(self, request, *args, **kwargs):
        supplier, post = self._target()
        form = ApplicationForm(request.POST)
        if form.is_valid():
            try:
                svc.application_submit(
                    actor=request.user,
                    reseller=get_object_or_404(Organisation, pk=self.organisation.pk, reseller__isnull=False).reseller,
                    supplier=supplier,
                    post=post,
                    message=form.cleaned_data["message"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your application was sent to %(supplier)s.") % {"supplier": supplier.company_name})
                return redirect("partners:reseller_applications")
        return self.render_to_response(self.get_context_data(form=form))


class ResellerPartnershipListView(ResellerMemberMixin, TemplateView):
    template_name = "suppliers/partnership_reseller_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        qs = sel.reseller_partnerships(self.organisation.pk)
        if status in Partnership.Status.values:
            qs = qs.filter(status=status)
        ctx.update(
            page=paginate(self.request, qs), status=status, statuses=Partnership.Status.choices, can_manage=_can_manage(self.request)
        )
        return ctx


class ResellerApplicationListView(ResellerMemberMixin, TemplateView):
    template_name = "suppliers/application_reseller_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        qs = sel.reseller_applications(self.organisation.pk)
        if status in PartnershipApplication.Status.values:
            qs = qs.filter(status=status)
        ctx.update(
            page=paginate(self.request, qs),
            status=status,
            statuses=PartnershipApplication.Status.choices,
            can_manage=_can_manage(self.request),
        )
        return ctx


class ApplicationWithdrawView(ResellerManagerMixin, View):
    def post(self, request, pk):
        application = get_object_or_404(PartnershipApplication, pk=pk, reseller_id=self.organisation.pk)
        try:
            svc.application_withdraw(actor=request.user, application=application)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Application withdrawn."))
        return redirect("partners:reseller_applications")


class ResellerEndPartnershipView(ResellerManagerMixin, TemplateView):
    template_name = "suppliers/partnership_reseller_end.html"

    def _partnership(self) -> Partnership:
        return get_object_or_404(
            Partnership.objects.select_related("supplier", "tier"), pk=self.kwargs["pk"], reseller_id=self.organisation.pk
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(partnership=self._partnership(), form=kwargs.get("form") or ReasonForm())
        return ctx

    def post(self, request, pk):
        partnership = self._partnership()
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                svc.partnership_end_by_reseller(actor=request.user, partnership=partnership, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                name = partnership.supplier.company_name
                messages.success(request, _("The partnership with %(supplier)s has ended.") % {"supplier": name})
                return redirect("partners:reseller_partnerships")
        return self.render_to_response(self.get_context_data(form=form))


# ================================================================= supplier side


def _posts_with_pending(supplier_id: int):
    return (
        RecruitmentPost.objects.filter(supplier_id=supplier_id)
        .select_related("tier")
        .annotate(pending=Count("applications", filter=Q(applications__status=PartnershipApplication.Status.PENDING)))
        .order_by("-created_at", "-id")
    )


class SupplierRecruitmentListView(SupplierMemberMixin, TemplateView):
    template_name = "suppliers/recruitment_manage_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page=paginate(self.request, _posts_with_pending(self.organisation.pk)),
            can_manage=self.membership.can_manage,
            has_tiers=Tier.objects.filter(supplier_id=self.organisation.pk).exists(),
        )
        return ctx


class RecruitmentFormView(SupplierManagerMixin, TemplateView):
    template_name = "suppliers/recruitment_form.html"

    def _post(self) -> RecruitmentPost | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(RecruitmentPost.objects.select_related("supplier"), pk=self.kwargs["pk"], supplier_id=self.organisation.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        post = self._post()
        form = kwargs.get("form") or RecruitmentPostForm(
            supplier=self.organisation.pk, initial=RecruitmentPostForm.initial_from(post) if post else None
        )
        ctx.update(post=post, form=form, has_tiers=Tier.objects.filter(supplier_id=self.organisation.pk).exists())
        return ctx

    def post(self, request, *args, **kwargs):
        post = self._post()
        form = RecruitmentPostForm(request.POST, supplier=self.organisation.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if post is None:
                    post = svc.recruitment_post_create(
                        actor=request.user,
                        supplier=Supplier.objects.get(pk=self.organisation.pk),
                        title=data["title"],
                        body=data["body"],
                        accepted_channel_types=data["accepted_channel_types"],
                        tier=data["tier"],
                        is_open=data["is_open"],
                    )
                else:
                    svc.recruitment_post_update(
                        actor=request.user,
                        post=post,
                        title=data["title"],
                        body=data["body"],
                        accepted_channel_types=data["accepted_channel_types"],
                        tier=data["tier"],
                        is_open=data["is_open"],
                    )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Recruitment post saved."))
                return redirect("suppliers:recruitment_list")
        return self.render_to_response(self.get_context_data(form=form))


class RecruitmentToggleView(SupplierManagerMixin, View):
    def post(self, request, pk):
        post = get_object_or_404(RecruitmentPost.objects.select_related("supplier"), pk=pk, supplier_id=self.organisation.pk)
        post = svc.recruitment_post_set_open(actor=request.user, post=post, is_open=request.POST.get("open") == "1")
        if request.htmx:
            row = _posts_with_pending(self.organisation.pk).get(pk=post.pk)
            return render(request, "suppliers/recruitment_manage_list.html#post-row", {"post": row, "can_manage": True})
        messages.success(request, _("Recruitment post opened.") if post.is_open else _("Recruitment post closed."))
        return redirect("suppliers:recruitment_list")


def _with_zeros(choices, counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(value, label, count) for every status, 0 where nothing has it (so a count never shows blank)."""
    return [(value, label, counts.get(value, 0)) for value, label in choices]


class SupplierApplicationListView(SupplierMemberMixin, TemplateView):
    template_name = "suppliers/application_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "pending")
        if status not in PartnershipApplication.Status.values:
            status = ""
        ctx.update(
            page=paginate(self.request, sel.supplier_applications(self.organisation.pk, status=status)),
            status=status,
            statuses=PartnershipApplication.Status.choices,
            counts=sel.application_counts(self.organisation.pk),
        )
        ctx["status_counts"] = _with_zeros(PartnershipApplication.Status.choices, ctx["counts"])
        return ctx


class SupplierApplicationDetailView(SupplierMemberMixin, TemplateView):
    template_name = "suppliers/application_detail.html"

    def _application(self) -> PartnershipApplication:
        return get_object_or_404(
            PartnershipApplication.objects.select_related("reseller", "post__tier", "supplier", "decided_by"),
            pk=self.kwargs["pk"],
            supplier_id=self.organisation.pk,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        application = self._application()
        can_decide = self.membership.can_manage and application.status == PartnershipApplication.Status.PENDING
        initial = {"tier": application.post.tier_id} if application.post_id else {}
        ctx.update(
            application=application,
            can_decide=can_decide,
            approve_form=kwargs.get("approve_form") or ApproveForm(supplier=self.organisation.pk, initial=initial),
            reject_form=kwargs.get("reject_form") or ReasonForm(),
            labels=dict(ChannelType.choices),
        )
        return ctx

    def post(self, request, pk):
        if not self.membership.can_manage:
            raise Http404
        application = self._application()
        action = request.POST.get("action")
        if action == "approve":
            form = ApproveForm(request.POST, supplier=self.organisation.pk)
            if form.is_valid():
                try:
                    svc.application_approve(
                        actor=request.user,
                        application=application,
                        tier=form.cleaned_data["tier"],
                        key_account_manager=form.cleaned_data["key_account_manager"],
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    messages.success(request, _("Approved: %(reseller)s is now your partner.") % {"reseller": application.reseller.name})
                    return redirect("suppliers:application_list")
            return self.render_to_response(self.get_context_data(approve_form=form))
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                svc.application_reject(actor=request.user, application=application, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Application rejected."))
                return redirect("suppliers:application_list")
        return self.render_to_response(self.get_context_data(reject_form=form))


class SupplierPartnershipListView(SupplierMemberMixin, TemplateView):
    template_name = "suppliers/partnership_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        g = self.request.GET
        status = g.get("status", "") if g.get("status", "") in Partnership.Status.values else ""
        channel_type = g.get("channel_type", "") if g.get("channel_type", "") in ChannelType.values else ""
        tiers = list(Tier.objects.filter(supplier_id=self.organisation.pk).order_by("position", "id"))
        tier = g.get("tier", "") if g.get("tier", "") in {str(t.pk) for t in tiers} else ""
        qs = sel.supplier_partnerships(self.organisation.pk, status=status, tier=tier, channel_type=channel_type)
        mine = g.get("mine") == "1"
        if mine:  # my key accounts, with the response time (R4) to them
            qs = qs.filter(key_account_manager_id=self.request.user.pk)
            ctx["my_response"] = sel.supplier_response_time(
                self.organisation.supplier,
                reseller_ids=list(sel.key_accounts_of(self.organisation.pk, self.request.user.pk).values_list("reseller_id", flat=True)),
            )
        ctx.update(
            mine=mine,
            page=paginate(self.request, qs),
            status=status,
            tier=tier,
            channel_type=channel_type,
            tiers=tiers,
            statuses=Partnership.Status.choices,
            channel_types=ChannelType.choices,
            counts=sel.partnership_counts(self.organisation.pk),
        )
        ctx["status_counts"] = _with_zeros(Partnership.Status.choices, ctx["counts"])
        return ctx


class SupplierPartnershipDetailView(SupplierMemberMixin, TemplateView):
    """One partnership: its state and the supplier's actions on it."""

    template_name = "suppliers/partnership_detail.html"

    def _partnership(self) -> Partnership:
        return get_object_or_404(
            Partnership.objects.select_related("reseller", "tier", "key_account_manager", "supplier"),
            pk=self.kwargs["pk"],
            supplier_id=self.organisation.pk,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        partnership = self._partnership()
        now = timezone.now()
        manage = self.membership.can_manage
        live = partnership.status != Partnership.Status.TERMINATED
        earliest = svc.earliest_notice_end(now)
        penalty = live and Penalty.objects.in_force(now).filter(organisation_id=partnership.reseller_id).exists()  # R6
        ctx.update(
            partnership=partnership,
            can_give_notice=manage and partnership.status == Partnership.Status.ACTIVE,
            can_withdraw_notice=manage and partnership.status == Partnership.Status.TERMINATION_PENDING,
            can_end_now=manage and penalty,
            reseller_penalised=penalty,
            can_change=manage and live,
            earliest_end=earliest,
            notice_form=kwargs.get("notice_form")
            or NoticeForm(initial={"ends_at": timezone.localtime(earliest + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")}),
            end_form=kwargs.get("end_form") or ReasonForm(),
            change_form=kwargs.get("change_form")
            or ChangePartnershipForm(
                supplier=self.organisation.pk,
                initial={"tier": partnership.tier_id, "key_account_manager": partnership.key_account_manager_id},
            ),
        )
        return ctx

    def post(self, request, pk):
        if not self.membership.can_manage:
            raise Http404
        partnership = self._partnership()
        action = request.POST.get("action")
        done = _("Saved.")
        if action == "notice":
            form, key = NoticeForm(request.POST), "notice_form"
            call = lambda d: svc.partnership_give_notice(  # noqa: E731
                actor=request.user, partnership=partnership, reason=d["reason"], ends_at=d["ends_at"]
            )
            done = _("Notice given. The reseller was told by message, notification and e-mail.")
        elif action == "end_now":
            form, key = ReasonForm(request.POST), "end_form"
            call = lambda d: svc.partnership_end_now_for_penalty(actor=request.user, partnership=partnership, reason=d["reason"])  # noqa: E731
            done = _("The partnership has ended.")
        elif action == "change":
            form, key = ChangePartnershipForm(request.POST, supplier=self.organisation.pk), "change_form"
            call = lambda d: svc.partnership_change(  # noqa: E731
                actor=request.user, partnership=partnership, tier=d["tier"], key_account_manager=d["key_account_manager"]
            )
        elif action == "withdraw_notice":
            try:
                svc.partnership_withdraw_notice(actor=request.user, partnership=partnership)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Notice withdrawn; the partnership continues."))
            return redirect("suppliers:partnership_detail", pk=partnership.pk)
        else:
            raise Http404
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("suppliers:partnership_detail", pk=partnership.pk)
        return self.render_to_response(self.get_context_data(**{key: form}))


class SupplierResellerDetailView(SupplierMemberMixin, TemplateView):
    """A reseller as this supplier knows it: profile, applications, partnership history, threads."""

    template_name = "suppliers/partnership_reseller_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        reseller = get_object_or_404(Organisation, pk=self.kwargs["reseller_pk"], reseller__isnull=False).reseller
        history = sel.reseller_history(self.organisation.pk, reseller)
        if not history["partnerships"] and not history["applications"]:
            raise Http404
        ctx.update(reseller=reseller, channel_label=dict(ChannelType.choices).get(reseller.channel_type, ""), **history)
        return ctx

