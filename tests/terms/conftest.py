from tests.api.conftest import world  # noqa: F401 (the API tests' reseller, supplier and keys)
from tests.procurement.conftest import intake  # noqa: F401 (a reseller's shop selling two suppliers' SKUs)
