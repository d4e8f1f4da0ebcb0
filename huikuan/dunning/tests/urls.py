"""The project's URLs plus the dunning API and pages, until the lead wires them into the real ones."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from huikuan.dunning.api.urls import register_routes

router = DefaultRouter()
register_routes(router)

urlpatterns = [
    path("api/", include(router.urls)),
    path("dunning/", include("huikuan.dunning.web_urls")),
    path("", include("huikuan.urls")),
]
