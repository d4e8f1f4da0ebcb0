"""The mortgage API routes. huikuan/api_urls.py registers the same viewsets on the main router;
this module lets the app's tests (and anyone mounting the app alone) use them."""

from rest_framework.routers import DefaultRouter

from .views import (
    BankPolicyViewSet,
    BankViewSet,
    LoanApplicationViewSet,
    LoanDocumentViewSet,
    NoticeViewSet,
    StageChangeViewSet,
)

ROUTES = [
    ("loan-applications", LoanApplicationViewSet, "loanapplication"),
    ("stage-changes", StageChangeViewSet, "stagechange"),
    ("loan-documents", LoanDocumentViewSet, "loandocument"),
    ("banks", BankViewSet, "bank"),
    ("bank-policies", BankPolicyViewSet, "bankpolicy"),
    ("mortgage-notices", NoticeViewSet, "mortgagenotice"),
]

router = DefaultRouter()
for prefix, viewset, basename in ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
