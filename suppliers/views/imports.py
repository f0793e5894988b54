"""Bulk import (with a polled progress bar) and export of the supplier's products and SKUs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.pagination import paginate
from distribution.core.permissions import SupplierManagerMixin, SupplierMemberMixin
from suppliers import selectors, services
from suppliers.forms.catalog import ImportForm
from suppliers.models import ImportJob
from suppliers.services.imports import export_csv_lines, export_xlsx


class ImportView(SupplierManagerMixin, View):
    def _render(self, request, form, status=200):
        page = paginate(request, selectors.supplier_import_jobs(self.organisation.pk), per_page=10)
        return render(request, "suppliers/import_form.html", {"form": form, "page": page, "jobs": page.object_list}, status=status)

    def get(self, request):
        return self._render(request, ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_job_create(actor=request.user, supplier=self.organisation.supplier, upload=form.cleaned_data["file"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.info(request, _("The file is being checked; this page shows the progress."))
                return redirect("suppliers:import_detail", pk=job.pk)
        return self._render(request, form, status=422)


class ImportDetailView(SupplierMemberMixin, View):
    """A job's progress; htmx polls the ``progress`` partial every second until it finishes."""

    def get(self, request, pk):
        try:
            job = selectors.supplier_import_jobs(self.organisation.pk).get(pk=pk)
        except ImportJob.DoesNotExist:
            raise Http404 from None
        template = "suppliers/import_detail.html#progress" if request.htmx else "suppliers/import_detail.html"
        return render(request, template, {"job": job})


class ExportView(SupplierMemberMixin, View):
    def get(self, request):
        fmt = request.GET.get("format", "csv")
        qs = selectors.export_rows(self.organisation.pk)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            response = HttpResponse(export_xlsx(qs), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = f'attachment; filename="products-{stamp}.xlsx"'
            return response
        response = StreamingHttpResponse(export_csv_lines(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="products-{stamp}.csv"'
        return response
