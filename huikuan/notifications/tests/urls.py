"""The project's URLs plus this app's pages and API, as the lead will wire them."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from huikuan.notifications.api.views import MessageViewSet
from huikuan.urls import urlpatterns as project_urls

router = DefaultRouter()
router.register("messages", MessageViewSet, basename="message")

urlpatterns = [
    path("notifications/", include("huikuan.notifications.web_urls")),
    path("api/notifications-test/", include(router.urls)),
    *project_urls,
]
