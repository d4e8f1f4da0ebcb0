"""/api/: the REST API (DRF router), token login for scripts, and the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from huikuan.banking.api.urls import register as register_banking
from huikuan.customers.api.views import CustomerViewSet
from huikuan.dunning.api.urls import register_routes as register_dunning
from huikuan.mortgages.api.urls import ROUTES as MORTGAGE_ROUTES
from huikuan.notifications.api.views import MessageViewSet
from huikuan.org.api.views import BuildingViewSet, ProjectViewSet, RegionViewSet, UnitViewSet
from huikuan.receivables.api.views import (
    AllocationViewSet,
    LedgerEntryViewSet,
    ReceiptViewSet,
    ReceivableViewSet,
    WaiverViewSet,
)
from huikuan.reports.api import KpisView
from huikuan.sales.api.views import ContractViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("projects", ProjectViewSet, basename="project")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contracts", ContractViewSet, basename="contract")
router.register("receivables", ReceivableViewSet, basename="receivable")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("ledger-entries", LedgerEntryViewSet, basename="ledgerentry")
router.register("waivers", WaiverViewSet, basename="waiver")
router.register("messages", MessageViewSet, basename="message")
for prefix, viewset, basename in MORTGAGE_ROUTES:
    router.register(prefix, viewset, basename=basename)
register_banking(router)
register_dunning(router)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("reports/kpis/", KpisView.as_view(), name="api-kpis"),
    path("", include(router.urls)),
]
