"""Outbox pages; included by huikuan/web_urls.py under "notifications/"."""

from django.urls import path

from .views import MessageDetailView, MessageRequeueView, OutboxListView, TemplatePreviewView

urlpatterns = [
    path("", OutboxListView.as_view(), name="notification-outbox"),
    path("messages/<int:pk>/", MessageDetailView.as_view(), name="notification-message"),
    path("messages/<int:pk>/requeue/", MessageRequeueView.as_view(), name="notification-requeue"),
    path("preview/", TemplatePreviewView.as_view(), name="notification-preview"),
]
