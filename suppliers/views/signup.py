"""The supplier signup page (``/accounts/signup/supplier/``, R1, R2)."""

from __future__ import annotations

from accounts.models import Organisation
from accounts.views import OrganisationSignupView, client_of
from suppliers.forms.signup import SupplierSignupForm
from suppliers.services.lifecycle import supplier_register


class SupplierSignupView(OrganisationSignupView):
    form_class = SupplierSignupForm
    kind = Organisation.Kind.SUPPLIER

    def register(self, *, user, form):
        supplier_register(
            user=user, agreement=form.cleaned_data["agreement_version"], **form.profile_data(), **client_of(self.request)
        )
