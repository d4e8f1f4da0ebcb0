"""Mounted at /mortgages/ by huikuan/web_urls.py."""

from django.urls import path

from .views import (
    ApplicationDetailView,
    BankComparisonView,
    BoardView,
    MoveStageView,
    NoticesReadView,
    ReportView,
    WorklistView,
)

urlpatterns = [
    path("", WorklistView.as_view(), name="mortgage-worklist"),
    path("board/", BoardView.as_view(), name="mortgage-board"),
    path("banks/", BankComparisonView.as_view(), name="mortgage-banks"),
    path("report/", ReportView.as_view(), name="mortgage-report"),
    path("notices/read/", NoticesReadView.as_view(), name="mortgage-notices-read"),
    path("<int:pk>/", ApplicationDetailView.as_view(), name="mortgage-detail"),
    path("<int:pk>/move/", MoveStageView.as_view(), name="mortgage-move"),
]
