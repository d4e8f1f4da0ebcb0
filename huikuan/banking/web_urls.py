"""Pages of the banking app, mounted by the project under /banking/ (namespace `banking`)."""

from django.urls import path

from .mapping_views import JobMappingView
from .views import (
    AccountEditView,
    AccountListView,
    DecisionView,
    DisbursementListView,
    JobView,
    MatchDetailView,
    ReviewQueueView,
    StatementUploadView,
)

app_name = "banking"

urlpatterns = [
    path("review/", ReviewQueueView.as_view(), name="review-queue"),
    path("matches/<int:pk>/", MatchDetailView.as_view(), name="match-detail"),
    path("matches/<int:pk>/disbursement-list/", DisbursementListView.as_view(), name="match-disbursement-list"),
    path("matches/<int:pk>/<str:decision>/", DecisionView.as_view(), name="match-decide"),
    path("statements/upload/", StatementUploadView.as_view(), name="statement-upload"),
    path("jobs/<int:pk>/", JobView.as_view(), name="job"),
    path("jobs/<int:pk>/mapping/", JobMappingView.as_view(), name="job-mapping"),
    path("accounts/", AccountListView.as_view(), name="accounts"),
    path("accounts/<int:pk>/edit/", AccountEditView.as_view(), name="account-edit"),
]
