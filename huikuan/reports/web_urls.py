"""Pages of the reports app beyond the first dashboard: include under "reports/" in huikuan/web_urls.py."""

from django.urls import path

from .views import ChartExportView, ManagementDashboardView, QuarterlyReviewDownloadView, QuarterlyReviewView

urlpatterns = [
    path("management/", ManagementDashboardView.as_view(), name="management-dashboard"),
    path("management/charts/<slug:chart>.xlsx", ChartExportView.as_view(), name="management-chart-export"),
    path("quarterly/", QuarterlyReviewView.as_view(), name="quarterly-review"),
    path("quarterly/review.<str:fmt>", QuarterlyReviewDownloadView.as_view(), name="quarterly-review-download"),
]
