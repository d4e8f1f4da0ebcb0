"""Pages under /dunning/ (the lead includes this in huikuan/web_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.WorklistView.as_view(), name="dunning-worklist"),
    path("cases/<int:pk>/", views.CaseView.as_view(), name="dunning-case"),
    path("disputes/", views.DisputeListView.as_view(), name="dunning-disputes"),
    path("disputes/<int:pk>/", views.DisputeView.as_view(), name="dunning-dispute"),
    # the link in reminders (notifications.dispute_links reverses "dispute-open")
    path("d/<str:token>/", views.CustomerDisputeView.as_view(), name="dispute-open"),
    path("reports/aging/", views.AgingReportView.as_view(), name="dunning-aging"),
    path("reports/dunning/", views.DunningReportView.as_view(), name="dunning-report"),
]
