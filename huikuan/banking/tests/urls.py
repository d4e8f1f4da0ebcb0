"""The project's URLs plus this app's API and pages, for the app's tests (until the lead mounts them)."""

from django.urls import include, path

from huikuan.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/", include("huikuan.banking.api.urls")),
    path("banking/", include("huikuan.banking.web_urls")),
    *project_urlpatterns,
]
